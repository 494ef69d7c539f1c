"""Pacing: the client never trips the server's limiter; 1700 is waited out and resent."""

from __future__ import annotations

import asyncio

import pytest
from _sdkkit import CODE, Served

from hoga.client import Pacer, Pacing


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    async def sleep(self, s: float) -> None:
        self.t = max(self.t, self.t + s)
        await asyncio.sleep(0)


def test_pacer_counts_a_slot_from_admission_to_window_after_the_response() -> None:
    ft = FakeTime()
    p = Pacer(2, 1.0, clock=ft.now, sleep=ft.sleep, poll=0.01)
    assert p.try_acquire() == 0 and p.try_acquire() == 0
    assert p.try_acquire() == 0.01  # both in flight: poll
    ft.t = 0.5
    p.release()  # first response at 0.5 → its slot frees at 1.5
    assert p.try_acquire() == pytest.approx(1.0)
    ft.t = 1.5
    assert p.try_acquire() == 0
    p.block(2.0)
    assert p.try_acquire() == pytest.approx(2.0)


def test_pacer_off_admits_everything() -> None:
    p = Pacing.off().queries
    assert all(p.try_acquire() == 0 for _ in range(100))


def test_shared_pacing_is_one_per_key() -> None:
    assert Pacing.shared("a|k") is Pacing.shared("a|k")
    assert Pacing.shared("a|k") is not Pacing.shared("a|other")


def test_20_concurrent_tasks_never_see_1700_and_run_near_5_per_second(limited: Served) -> None:
    creds = limited.customer()
    pacing = limited.time.pacing()
    tasks, calls = 20, 5

    async def go() -> tuple[int, float]:
        clients = [limited.aclient(creds, pacing=pacing) for _ in range(4)]
        await clients[0].token()
        for c in clients[1:]:
            await c.token()
        t0 = limited.time.now()

        async def worker(i: int) -> None:
            c = clients[i % len(clients)]
            for _ in range(calls):
                assert (await c.quote(CODE)).price > 0

        await asyncio.gather(*(worker(i) for i in range(tasks)))
        elapsed = limited.time.now() - t0
        limited_total = sum(c.stats.rate_limited for c in clients)
        for c in clients:
            await c.aclose()
        return limited_total, elapsed

    rate_limited, elapsed = asyncio.run(go())
    n = tasks * calls
    assert rate_limited == 0
    rate = n / elapsed
    assert 4.5 <= rate <= 5.0 + 1e-9, rate


def test_without_pacing_1700_is_waited_out_and_resent(limited: Served) -> None:
    creds = limited.customer()

    async def go() -> tuple[int, int]:
        async with limited.aclient(creds, pacing=Pacing.off()) as raw:
            # the client's own sleeps still run on virtual time: Retry-After moves the clock
            raw.pacing.queries.sleep = limited.time.sleep
            raw.pacing.queries.clock = limited.time.now
            await raw.token()
            got = await asyncio.gather(*(raw.quote(CODE) for _ in range(12)))
            return len(got), raw.stats.rate_limited

    done, rate_limited = asyncio.run(go())
    assert done == 12 and rate_limited > 0
