"""The pre-generated order stream both order books replay (perf-ceilings §2 workload).

Ops are plain tuples so that generating them is not timed and both books see exactly the same
stream:

- ``(ADD, order_id, side, price, qty)`` — 70 %: a limit order of 1–100 lots placed an exponential
  distance (mean 4 ticks) from a slowly mean-reverting mid; most rest, some cross after the mid
  drifts;
- ``(CANCEL, order_id, 0, 0, 0)`` — 20 %: a random id among the last 5,000 issued (some are
  already filled or were never resting);
- ``(MARKET, order_id, side, 0, qty)`` — 10 %: a market IOC order of 1–300 lots that sweeps.

Prices are real won on one KRX tick band (base 10,000, tick 10; the mid stays within ±50 ticks
and no order is priced further than ±90 ticks from the base), so every price is on the KRX grid,
inside the ±30 % limits and inside the ±10 % static-VI band of the real engine. A lot is one
share. ``side`` is 0 for buy, 1 for sell.
"""

from __future__ import annotations

import random

__all__ = [
    "ADD",
    "BASE_PRICE",
    "CANCEL",
    "MARKET",
    "TICK",
    "Op",
    "generate",
]

ADD, CANCEL, MARKET = 0, 1, 2
BASE_PRICE = 10_000
TICK = 10
_MID_MAX = 50  # ticks from the base
_DIST_MAX = 40  # ticks from the mid
_CANCEL_WINDOW = 5_000

Op = tuple[int, int, int, int, int]


def generate(n: int, seed: int = 42) -> list[Op]:
    """``n`` ops from ``random.Random(seed)`` (deterministic)."""
    rng = random.Random(seed)
    ops: list[Op] = []
    mid = 0.0  # ticks from the base
    next_id = 1
    for _ in range(n):
        # Ornstein-Uhlenbeck walk: stationary spread of about 10 ticks, drifting slowly.
        mid += -1e-4 * mid + rng.gauss(0.0, 0.14)
        mid = max(-_MID_MAX, min(_MID_MAX, mid))
        r = rng.random()
        if r < 0.70:
            side = rng.randrange(2)
            dist = min(_DIST_MAX, int(rng.expovariate(0.25)))
            ticks = round(mid) + (-dist if side == 0 else dist)
            ops.append((ADD, next_id, side, BASE_PRICE + TICK * ticks, rng.randint(1, 100)))
            next_id += 1
        elif r < 0.90:
            low = max(1, next_id - _CANCEL_WINDOW)
            target = rng.randrange(low, next_id) if next_id > 1 else 1
            ops.append((CANCEL, target, 0, 0, 0))
        else:
            ops.append((MARKET, next_id, rng.randrange(2), 0, rng.randint(1, 300)))
            next_id += 1
    return ops
