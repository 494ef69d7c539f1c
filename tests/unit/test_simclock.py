"""The operator's simulation clock: time arithmetic, and sleepers that wake on time and on every
change of the clock (one future per wait, no task)."""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction

import pytest

from hoga.clock import ManualClock, RealClock
from hoga.engine.simclock import SimClock

T0 = 1_784_000_000_000_000


def test_now_follows_the_base_at_whole_and_fractional_speeds() -> None:
    base = ManualClock(T0)
    clock = SimClock(base, start=5_000, speed=3)
    base.advance(1_000)
    assert clock.now() == 8_000
    clock.set_speed(Fraction(1, 3))
    base.advance(1_000)
    assert clock.now() == 8_333  # truncated, re-anchored at the speed change
    clock.set_speed(0)
    base.advance(1_000_000)
    assert clock.now() == 8_333 and clock.frozen


def test_the_clock_never_goes_backwards() -> None:
    clock = SimClock(ManualClock(T0), speed=0)
    clock.advance(10)
    with pytest.raises(ValueError):
        clock.set(T0)
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.set_speed(-1)
    with pytest.raises(ValueError):
        SimClock(ManualClock(T0), speed=-1)
    assert clock.now() == T0 + 10


def test_real_delay_rounds_up_to_whole_base_microseconds() -> None:
    base = ManualClock(T0)
    clock = SimClock(base, start=0, speed=1)
    assert clock.real_delay(0) == 0.0 and clock.real_delay(-5) == 0.0  # already reached
    assert clock.real_delay(250_000) == 0.25
    clock.set_speed(4)
    assert clock.real_delay(10) == 3e-6  # 10 / 4 = 2.5 µs, rounded up
    clock.set_speed(Fraction(3, 2))
    assert clock.real_delay(30_000) == 0.02
    assert clock.real_delay(1) == 1e-6
    clock.set_speed(Fraction(1, 3))
    assert clock.real_delay(7) == 21e-6
    clock.set_speed(0)
    assert clock.real_delay(1) is None  # frozen: only a change brings it there
    assert clock.real_delay(0) == 0.0


def test_a_frozen_clock_wakes_a_sleeper_only_when_moved_to_its_deadline() -> None:
    clock = SimClock(ManualClock(T0), start=1_000, speed=0)

    async def scenario() -> list[int]:
        woke: list[int] = []

        async def sleeper() -> None:
            await clock.sleep_until(2_000)
            woke.append(clock.now())

        task = asyncio.create_task(sleeper())
        await asyncio.sleep(0)
        clock.advance(999)  # one short: the sleeper re-checks and sleeps on
        for _ in range(5):
            await asyncio.sleep(0)
        assert not woke
        clock.advance(1)
        await asyncio.wait_for(task, 5)
        return woke

    assert asyncio.run(scenario()) == [2_000]
    assert not clock._waiters


def test_a_speed_change_wakes_a_sleeper_that_then_sleeps_the_new_real_time() -> None:
    clock = SimClock(RealClock(), speed=0)
    target = clock.now() + 20_000

    async def scenario() -> float:
        task = asyncio.create_task(clock.sleep_until(target))
        await asyncio.sleep(0)
        started = time.monotonic()
        clock.set_speed(Fraction(2, 5))  # 20 ms simulated = 50 ms real
        await asyncio.wait_for(task, 5)
        return time.monotonic() - started

    elapsed = asyncio.run(scenario())
    assert clock.now() >= target
    assert 0.045 <= elapsed < 2.0


def test_a_fractional_speed_sleeps_the_corresponding_real_time() -> None:
    clock = SimClock(RealClock(), speed=Fraction(3, 2))

    async def scenario() -> tuple[float, int]:
        target = clock.now() + 60_000  # 40 ms real at 1.5×
        started = time.monotonic()
        await asyncio.wait_for(clock.sleep_until(target), 5)
        return time.monotonic() - started, target

    elapsed, target = asyncio.run(scenario())
    assert clock.now() >= target
    assert 0.035 <= elapsed < 2.0


def test_a_cancelled_sleeper_leaves_nothing_behind() -> None:
    clock = SimClock(ManualClock(T0), speed=0)

    async def scenario() -> None:
        task = asyncio.create_task(clock.sleep_until(T0 + 1))
        await asyncio.sleep(0)
        assert len(clock._waiters) == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert not clock._waiters
    clock.advance(1)  # nothing left to wake on a closed loop


def test_a_waiter_is_resolved_once_by_the_next_change() -> None:
    clock = SimClock(ManualClock(T0), speed=0)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        first: asyncio.Future[None] = loop.create_future()
        dropped: asyncio.Future[None] = loop.create_future()
        clock.add_waiter(first)
        clock.add_waiter(dropped)
        clock.discard_waiter(dropped)
        clock.set(T0)  # a change even without a move
        assert first.done() and not dropped.done()
        later: asyncio.Future[None] = loop.create_future()
        clock.add_waiter(later)
        clock.set_speed(1)
        assert later.done()

    asyncio.run(scenario())
