"""Acceptance 1: real engine throughput as a ratio of the naive book, same run, same op stream.

Both books replay the same pre-generated stream (:mod:`bench.workload`), interleaved round by
round so machine noise hits both alike; the median of the rounds is reported.

- **naive**: :class:`bench.naive_book.NaiveBook`; trades are drained every 10k ops
  (:data:`DRAIN_EVERY`; counted and summed), as a downstream consumer would.
- **engine**: a real :class:`hoga.engine.exchange.Exchange` (one instrument, KOSPI, base 10,000,
  no simulated participants) on a :class:`ManualClock` that moves 1 µs per op, in the always-open
  mode. Every op goes through ``Exchange.submit`` / ``Exchange.cancel`` — clock sync, timer check,
  KRX validation (tick grid, price limits, lot, phase), VI checks at every price level, event
  objects, sequencing — with a listener that queues every event batch and a publish callback
  that hands each batch to an in-memory topic buffer. The listener's queue is drained every 10k
  ops: each event is dispatched on its type (trades counted, volume and last price kept).

Correctness guard: on a prefix both books must produce identical trade lists, and on every
timed round the engine's trade count and volume must equal the naive book's (so no VI or
rejection changed the flow).

Two builds of the domain core (:mod:`hoga.engine.fastpath`): this process measures the pure-Python
modules; a child interpreter that calls ``fastpath.enable()`` first measures the mypyc-compiled
build (``make compiled``), each against the naive book in its own interleaved rounds. The result's
headline (``engine``, ``ratio_median``, ``pass``) is the build the service runs: compiled when it
loads, else pure (``core`` says which); ``variants`` holds both.

Run alone: ``python -m bench.engine_throughput [--ops N] [--rounds R] [--profile]
[--drain-every K] [--core both|pure|compiled]``. GC: the engine's policy
(:mod:`hoga.engine.tuning`) holds for the whole run, both sides; the engine's exchange is frozen
after construction as ``MarketRunner.start`` does.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.naive_book import NaiveBook
from bench.workload import ADD, BASE_PRICE, CANCEL, Op, generate
from hoga.clock import ManualClock
from hoga.domain.events import Event, OrderRejected, Trade, ViTriggered
from hoga.domain.model import TRDE_TP, Instrument, Market, NewOrder, Side
from hoga.engine import fastpath
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import Exchange, MarketMode, SeqEvent
from hoga.engine.tuning import GC_THRESHOLDS, apply_gc_policy

__all__ = ["TARGET_RATIO", "main", "run"]

TARGET_RATIO = 0.35
#: Both sides hand their output to the consumer every this many ops (trades for the naive book,
#: queued event batches for the engine); ``--drain-every`` changes it for both.
DRAIN_EVERY = 10_000
RESULTS = Path(__file__).parent / "results" / "engine_throughput.json"
#: The timer of every round: CPU time of this (single-threaded) process, so that other jobs on
#: the shared 2-vCPU machine stretch neither side's rounds; wall time is recorded alongside.
_CPU = time.process_time

_LIMIT = TRDE_TP["0"]  # 보통 (limit, day)
_MARKET_IOC = TRDE_TP["13"]  # 시장가(IOC)
_SIDES = (Side.BUY, Side.SELL)


def bench_instrument() -> Instrument:
    return Instrument(
        code="900001",
        isin="KR7900001001",
        name="BENCH",
        market=Market.KOSPI,
        kind="stock",
        base_price=BASE_PRICE,
        listed_shares=10_000_000,
        volume=1_000_000,
        sector="bench",
    )


@dataclass
class Consumer:
    """A downstream consumer: queue batches on the hot path, process them in bulk."""

    queue: list[list[SeqEvent]] = field(default_factory=list)
    events: int = 0
    trades: int = 0
    volume: int = 0
    rejects: int = 0
    vis: int = 0
    last: dict[str, int] = field(default_factory=dict)
    tape: list[tuple[int, int, int, int]] | None = None

    def __call__(self, batch: list[SeqEvent]) -> None:
        self.queue.append(batch)

    def drain(self) -> None:
        """Process every queued event, dispatched on its type (counters kept in locals)."""
        events, trades, volume, rejects, vis = 0, 0, 0, 0, 0
        last, tape = self.last, self.tape
        for batch in self.queue:
            events += len(batch)
            for _, ev in batch:
                kind = type(ev)
                if kind is Trade:
                    assert isinstance(ev, Trade)
                    trades += 1
                    volume += ev.qty
                    last[ev.code] = ev.price
                    if tape is not None:
                        tape.append((ev.price, ev.qty, ev.buy_order_id, ev.sell_order_id))
                elif kind is OrderRejected:
                    rejects += 1
                elif kind is ViTriggered:
                    vis += 1
        self.queue.clear()
        self.events += events
        self.trades += trades
        self.volume += volume
        self.rejects += rejects
        self.vis += vis


class Bus:
    """Stand-in for the in-memory pub/sub port: a bounded buffer per topic."""

    def __init__(self) -> None:
        self.topics: dict[str, deque[list[SeqEvent]]] = {}

    def publish(self, topic: str, batch: list[SeqEvent]) -> None:
        buf = self.topics.get(topic)
        if buf is None:
            buf = self.topics[topic] = deque(maxlen=4096)
        buf.append(batch)


def make_exchange() -> tuple[Exchange, ManualClock, Consumer, str]:
    clock = ManualClock()
    bus = Bus()
    inst = bench_instrument()
    ex = Exchange(
        [inst],
        clock=clock,
        calendar=AlwaysCalendar(),
        mode=MarketMode.ALWAYS,
        participants=False,
        publish=bus.publish,
    )
    consumer = Consumer()
    ex.add_listener(consumer)
    return ex, clock, consumer, inst.code


@dataclass
class Outcome:
    seconds: float  # CPU time of the process (``time.process_time``) over the timed loop
    trades: int
    volume: int
    resting: int
    extra: dict[str, Any] = field(default_factory=dict)
    wall: float = 0.0  # wall-clock time of the same loop (information only)


def run_naive(ops: list[Op], *, tape: list[tuple[int, int, int, int]] | None = None) -> Outcome:
    book = NaiveBook()
    drain_every = DRAIN_EVERY
    limit, market, cancel = book.limit, book.market, book.cancel
    trades_out = book.trades
    n_trades = volume = 0
    gc.collect()
    start, wall0 = _CPU(), time.perf_counter()
    for i, (kind, oid, side, price, qty) in enumerate(ops):
        if kind == ADD:
            limit(oid, side, price, qty)
        elif kind == CANCEL:
            cancel(oid)
        else:
            market(oid, side, qty)
        if i % drain_every == 0:
            for tr in trades_out:
                n_trades += 1
                volume += tr[1]
            if tape is not None:
                tape.extend(trades_out)
            trades_out.clear()
    for tr in trades_out:
        n_trades += 1
        volume += tr[1]
    if tape is not None:
        tape.extend(trades_out)
    trades_out.clear()
    seconds, wall = _CPU() - start, time.perf_counter() - wall0
    bids, asks = book.level_counts()
    return Outcome(seconds, n_trades, volume, book.resting(), {"levels": [bids, asks]}, wall)


def run_engine(ops: list[Op], *, tape: list[tuple[int, int, int, int]] | None = None) -> Outcome:
    ex, clock, consumer, code = make_exchange()
    apply_gc_policy()  # as MarketRunner.start does once the exchange is built
    consumer.tape = tape
    submit, cancel, drain = ex.submit, ex.cancel, consumer.drain
    drain_every = DRAIN_EVERY
    t = clock.now()
    set_clock = clock.set
    gc.collect()
    start, wall0 = _CPU(), time.perf_counter()
    for i, (kind, oid, side, price, qty) in enumerate(ops):
        t += 1
        set_clock(t)
        if kind == ADD:
            submit(NewOrder(oid, code, _SIDES[side], _LIMIT, qty, price))
        elif kind == CANCEL:
            cancel(code, oid)
        else:
            submit(NewOrder(oid, code, _SIDES[side], _MARKET_IOC, qty))
        if i % drain_every == 0:
            drain()
    drain()
    seconds, wall = _CPU() - start, time.perf_counter() - wall0
    state = ex.state(code)
    assert state is not None
    resting = len(state.board.orders())
    gc.unfreeze()  # let this round's exchange be collected
    extra = {"events": consumer.events, "rejects": consumer.rejects, "vi": consumer.vis}
    return Outcome(seconds, consumer.trades, consumer.volume, resting, extra, wall)


def run_board(ops: list[Op]) -> Outcome:
    """The domain board alone (no Exchange, no listeners): splits engine cost into layers."""
    ex, clock, _, code = make_exchange()
    state = ex.state(code)
    assert state is not None
    board = state.board
    submit, cancel = board.submit, board.cancel
    t = clock.now()
    n_trades = volume = 0
    gc.collect()
    start, wall0 = _CPU(), time.perf_counter()
    for kind, oid, side, price, qty in ops:
        t += 1
        if kind == ADD:
            events: list[Event] = submit(NewOrder(oid, code, _SIDES[side], _LIMIT, qty, price), t)
        elif kind == CANCEL:
            events = cancel(oid, t)
        else:
            events = submit(NewOrder(oid, code, _SIDES[side], _MARKET_IOC, qty), t)
        for ev in events:
            if type(ev) is Trade:
                n_trades += 1
                volume += ev.qty
    seconds, wall = _CPU() - start, time.perf_counter() - wall0
    return Outcome(seconds, n_trades, volume, len(board.orders()), wall=wall)


def check_equivalence(ops: list[Op]) -> dict[str, Any]:
    """Both books must produce the same trades (price, qty, buy id, sell id) on ``ops``."""
    naive_tape: list[tuple[int, int, int, int]] = []
    engine_tape: list[tuple[int, int, int, int]] = []
    run_naive(ops, tape=naive_tape)
    run_engine(ops, tape=engine_tape)
    if naive_tape != engine_tape:
        raise AssertionError("engine and naive book disagree on the trades of the prefix")
    return {"prefix_ops": len(ops), "trades": len(naive_tape), "identical": True}


def profile_engine(ops: list[Op], top: int = 25) -> str:
    prof = cProfile.Profile()
    prof.enable()
    run_engine(ops)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# The compiled variant's process: enable the compiled core before bench imports the domain.
_CHILD = """
import json, sys
from hoga.engine import fastpath
fastpath.enable()
from bench import engine_throughput as et
args = json.loads(sys.argv[1])
result = et.measure(args["ops"], args["rounds"], profile=args["profile"], drain_every=args["drain"])
with open(args["out"], "w", encoding="utf-8") as f:
    json.dump(result, f)
"""


def measure(
    n_ops: int = 300_000, rounds: int = 5, *, profile: bool = False, drain_every: int | None = None
) -> dict[str, Any]:
    """Naive vs engine vs board with the domain core this process has loaded."""
    global DRAIN_EVERY  # noqa: PLW0603 - one knob for both sides
    if drain_every is not None:
        DRAIN_EVERY = drain_every
    previous_gc = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)  # the engine's GC policy, for every side alike
    try:
        result = _run(n_ops, rounds, profile=profile)
    finally:
        gc.set_threshold(*previous_gc)
    result["core"] = "compiled" if fastpath.is_compiled() else "pure"
    result["fastpath"] = fastpath.status()
    return result


def measure_compiled(
    n_ops: int, rounds: int, *, profile: bool = False, drain_every: int | None = None
) -> dict[str, Any]:
    """:func:`measure` in a child interpreter that runs the compiled core when it loads."""
    with tempfile.TemporaryDirectory(prefix="hoga-bench-") as tmp:
        out = Path(tmp) / "result.json"
        args = {
            "ops": n_ops,
            "rounds": rounds,
            "profile": profile,
            "drain": drain_every,
            "out": str(out),
        }
        print("  compiled core (child process):", flush=True)
        subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(args)],
            cwd=Path(__file__).resolve().parent.parent,
            check=True,
        )
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _variant(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("core", "naive", "engine", "board_alone", "ratio_median", "ratio_per_round", "pass")
    return {k: result[k] for k in keys}


def run(
    n_ops: int = 300_000,
    rounds: int = 5,
    *,
    profile: bool = False,
    drain_every: int | None = None,
    core: str = "both",
) -> dict[str, Any]:
    """Measure the pure and/or compiled core; the headline is the compiled one when it loaded."""
    results: list[dict[str, Any]] = []
    if core in ("both", "pure"):
        print("  pure-Python core (this process):", flush=True)
        results.append(measure(n_ops, rounds, profile=profile, drain_every=drain_every))
    if core in ("both", "compiled"):
        results.append(measure_compiled(n_ops, rounds, profile=profile, drain_every=drain_every))
    by_core = {r["core"]: r for r in results}
    headline = dict(by_core.get("compiled", results[0]))
    headline["variants"] = {name: _variant(r) for name, r in by_core.items()}
    if "compiled" not in by_core and core != "pure":
        headline["compiled_unavailable"] = results[-1]["fastpath"]["reason"]
    return headline


def _run(n_ops: int, rounds: int, *, profile: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    ops = generate(n_ops)
    gen_s = time.perf_counter() - t0
    equivalence = check_equivalence(ops[:20_000])
    naive_s: list[float] = []
    engine_s: list[float] = []
    board_s: list[float] = []
    wall_ratios: list[float] = []
    naive = engine = None
    for r in range(rounds):
        naive = run_naive(ops)
        engine = run_engine(ops)
        board = run_board(ops)
        for name, other in (("engine", engine), ("board", board)):
            if (other.trades, other.volume) != (naive.trades, naive.volume):
                raise AssertionError(
                    f"round {r}: {name} {other.trades} trades/{other.volume} shares,"
                    f" naive {naive.trades}/{naive.volume}"
                )
        naive_s.append(naive.seconds)
        engine_s.append(engine.seconds)
        wall_ratios.append(naive.wall / engine.wall)
        board_s.append(board.seconds)
        print(
            f"  round {r + 1}/{rounds}: naive {n_ops / naive.seconds:,.0f} ops/s,"
            f" engine {n_ops / engine.seconds:,.0f} ops/s,"
            f" board alone {n_ops / board.seconds:,.0f} ops/s",
            flush=True,
        )
    assert naive is not None and engine is not None
    naive_ops = [n_ops / s for s in naive_s]
    engine_ops = [n_ops / s for s in engine_s]
    ratios = [e / n for e, n in zip(engine_ops, naive_ops, strict=True)]
    med_naive = statistics.median(naive_ops)
    med_engine = statistics.median(engine_ops)
    ratio = med_engine / med_naive
    med_board = statistics.median(n_ops / s for s in board_s)
    result: dict[str, Any] = {
        "benchmark": "engine_throughput",
        "ops": n_ops,
        "rounds": rounds,
        "drain_every": DRAIN_EVERY,
        "timer": "process CPU time (time.process_time) of each timed loop",
        "mix": {"limit_add": 0.70, "cancel": 0.20, "market_ioc": 0.10},
        "gc": {
            "thresholds": list(GC_THRESHOLDS),
            "what": "hoga.engine.tuning policy for the whole run (naive and board too);"
            " the engine's exchange is gc.freeze()-d after construction, as the service does",
        },
        "generate_seconds": round(gen_s, 3),
        "equivalence": equivalence,
        "naive": {
            "ops_per_s_median": round(med_naive),
            "ops_per_s_range": [round(min(naive_ops)), round(max(naive_ops))],
            "us_per_op": round(1e6 / med_naive, 3),
            "trades": naive.trades,
            "volume": naive.volume,
            "resting_end": naive.resting,
            **naive.extra,
        },
        "engine": {
            "ops_per_s_median": round(med_engine),
            "ops_per_s_range": [round(min(engine_ops)), round(max(engine_ops))],
            "us_per_op": round(1e6 / med_engine, 3),
            "trades": engine.trades,
            "volume": engine.volume,
            "resting_end": engine.resting,
            **engine.extra,
        },
        "board_alone": {
            "what": "domain Board.submit/cancel directly: no Exchange, clock, listener or bus",
            "ops_per_s_median": round(med_board),
            "us_per_op": round(1e6 / med_board, 3),
            "ratio_to_naive": round(med_board / med_naive, 3),
        },
        "ratio_median": round(ratio, 3),
        "ratio_per_round": [round(x, 3) for x in ratios],
        "wall_ratio_per_round": [round(x, 3) for x in wall_ratios],
        "target_ratio": TARGET_RATIO,
        "pass": ratio >= TARGET_RATIO,
    }
    if profile or ratio < TARGET_RATIO:
        result["profile_top"] = profile_engine(ops[: min(n_ops, 50_000)])
    return result


def save(result: dict[str, Any], path: Path = RESULTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--drain-every", type=int, default=DRAIN_EVERY)
    parser.add_argument("--core", choices=("both", "pure", "compiled"), default="both")
    args = parser.parse_args(argv)
    result = run(
        args.ops, args.rounds, profile=args.profile, drain_every=args.drain_every, core=args.core
    )
    save(result)
    summary = {k: v for k, v in result.items() if k != "profile_top"}
    print(json.dumps(summary, indent=2))
    if "profile_top" in result:
        print(result["profile_top"])
    return result


if __name__ == "__main__":
    main()
