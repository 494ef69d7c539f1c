"""When the market runner wakes up: exactly at each timer under a manual or frozen clock, at once
after a clock change or a poke, and once for timers close together while a SimClock runs."""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Awaitable, Callable
from fractions import Fraction
from typing import cast

from _exchange_kit import at, pick

from hoga.clock import ManualClock, RealClock
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import Exchange, MarketMode
from hoga.engine.runtime import MAX_LATE_US, MarketRunner
from hoga.engine.simclock import SimClock
from hoga.ports.clock import Clock

T0 = at(10)
HOUR = 3_600_000_000


class Timers:
    """The part of the exchange the runner drives: a timer heap run by ``sync``; each ``sync``
    call (one per wake-up) is recorded with the timers it ran."""

    def __init__(self, clock: Clock, *times: int) -> None:
        self.clock = clock
        self.heap = sorted(times)
        self.syncs: list[tuple[int, list[int]]] = []

    def add(self, t: int) -> None:
        heapq.heappush(self.heap, t)

    def next_timer(self) -> int | None:
        return self.heap[0] if self.heap else None

    def sync(self) -> int:
        now = self.clock.now()
        ran = []
        while self.heap and self.heap[0] <= now:
            ran.append(heapq.heappop(self.heap))
        self.syncs.append((now, ran))
        return now

    def ran(self) -> list[int]:
        return [t for _, batch in self.syncs for t in batch]


def runner_for(
    timers: Timers, *, max_sleep_s: float = 0.25, coalesce_s: float = 0.004
) -> MarketRunner:
    # no flushes in the way: a recorder-less runner flushes nothing, once an hour
    return MarketRunner(
        cast(Exchange, timers),
        timers.clock,
        flush_interval_us=HOUR,
        max_sleep_s=max_sleep_s,
        coalesce_s=coalesce_s,
    )


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.001)


def run(runner: MarketRunner, body: Callable[[], Awaitable[None]]) -> None:
    async def scenario() -> None:
        runner.start()
        try:
            await body()
        finally:
            await asyncio.wait_for(runner.stop(), 5)

    asyncio.run(scenario())


def test_a_frozen_sim_clock_moved_exactly_to_a_timer_wakes_the_runner_for_it() -> None:
    clock = SimClock(ManualClock(T0), start=T0, speed=0)
    timers = Timers(clock, T0 + 1_000, T0 + 1_001)
    runner = runner_for(timers, max_sleep_s=60)  # only the clock change can wake it

    async def body() -> None:
        await until(lambda: runner.wakeups == 1 and runner._waiter is not None)
        clock.advance(1_000)
        await until(lambda: timers.ran() == [T0 + 1_000])
        await until(lambda: runner._waiter is not None)  # asleep again
        assert runner.wakeups == 2  # no coalescing when frozen: the next timer waits
        assert timers.heap == [T0 + 1_001]

    run(runner, body)


def test_the_exchange_runs_a_timer_when_a_frozen_clock_reaches_it() -> None:
    clock = SimClock(ManualClock(T0), start=T0, speed=0)
    ex = Exchange(
        pick("005930"), clock=clock, calendar=AlwaysCalendar(), seed=7, mode=MarketMode.ALWAYS
    )
    ex.sync()
    due = ex.next_timer()
    assert due is not None and due > T0
    runner = MarketRunner(ex, clock, max_sleep_s=60)

    async def body() -> None:
        await until(lambda: runner._waiter is not None)
        clock.set(due)
        await until(lambda: ex.now == due and (ex.next_timer() or due + 1) > due)

    run(runner, body)


def test_a_poke_rereads_the_deadlines_under_a_sim_clock() -> None:
    clock = SimClock(ManualClock(T0), start=T0, speed=0)
    timers = Timers(clock, T0 + HOUR // 2)
    runner = runner_for(timers, max_sleep_s=60)

    async def body() -> None:
        await until(lambda: runner._waiter is not None)
        timers.add(T0)  # due now, unknown to the sleeping runner
        runner.poke()
        await until(lambda: timers.ran() == [T0])

    run(runner, body)


def test_a_poke_after_an_operator_change_rereads_the_deadlines_under_a_manual_clock() -> None:
    clock = ManualClock(T0)
    timers = Timers(clock, T0 + 10_000)
    runner = runner_for(timers, max_sleep_s=60)

    async def body() -> None:
        await until(lambda: clock.next_wake() == T0 + 10_000)
        timers.add(T0 + 5_000)  # an earlier timer: the runner sleeps past it until poked
        runner.poke()
        await until(lambda: clock.next_wake() == T0 + 5_000)
        clock.set(T0 + 5_000)
        await until(lambda: timers.ran() == [T0 + 5_000])
        assert timers.heap == [T0 + 10_000]

    run(runner, body)


def test_a_manual_clock_wakes_the_runner_once_per_timer() -> None:
    clock = ManualClock(T0)
    timers = Timers(clock, T0 + 1, T0 + 2, T0 + 3)
    runner = runner_for(timers, max_sleep_s=60)

    async def body() -> None:
        for t in (T0 + 1, T0 + 2, T0 + 3):
            await until(lambda: clock.next_wake() is not None)
            assert clock.next_wake() == t
            clock.set(t)
        await until(lambda: len(timers.ran()) == 3)

    run(runner, body)
    assert [batch for _, batch in timers.syncs if batch] == [[T0 + 1], [T0 + 2], [T0 + 3]]


def test_a_running_sim_clock_runs_timers_within_the_slack_in_one_wake_up() -> None:
    clock = SimClock(RealClock(), speed=Fraction(1))
    now = clock.now()
    close = [now + 20_000, now + 21_000, now + 23_000]  # within 5 ms of the first
    apart = now + 300_000
    timers = Timers(clock, *close, apart)
    runner = runner_for(timers, coalesce_s=0.005)

    async def body() -> None:
        await until(lambda: len(timers.ran()) == 4)

    run(runner, body)
    batches = [(now, batch) for now, batch in timers.syncs if batch]
    assert [batch for _, batch in batches] == [close, [apart]]
    first_wake, _ = batches[0]
    assert first_wake >= close[0] + 5_000  # it waited for the slack, not just the first timer


def test_a_running_sim_clock_without_slack_wakes_for_the_first_timer() -> None:
    clock = SimClock(RealClock(), speed=Fraction(1))
    now = clock.now()
    timers = Timers(clock, now + 20_000, now + 300_000)
    runner = runner_for(timers, coalesce_s=0.0)

    async def body() -> None:
        await until(lambda: len(timers.ran()) == 2)

    run(runner, body)
    assert [batch for _, batch in timers.syncs if batch] == [[now + 20_000], [now + 300_000]]


def test_at_a_high_speed_the_slack_is_capped_in_simulated_time() -> None:
    clock = SimClock(RealClock(), speed=1_000)  # 1 ms real = 1 s simulated
    now = clock.now()
    first = now + 50_000_000  # 50 ms real away
    within = first + MAX_LATE_US * 3 // 5
    beyond = first + 100_000_000  # 100 ms real later: inside 0.2 s of real slack, far past the cap
    timers = Timers(clock, first, within, beyond)
    runner = runner_for(timers, coalesce_s=0.2)

    async def body() -> None:
        await until(lambda: len(timers.ran()) == 3)

    run(runner, body)
    assert [batch for _, batch in timers.syncs if batch] == [[first, within], [beyond]]
