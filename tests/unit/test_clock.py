import asyncio

import pytest

from hoga.clock import DEFAULT_MANUAL_START, FastClock, ManualClock, RealClock, make_clock
from hoga.domain.kst import kst_date, kst_seconds
from hoga.errors import ConfigError
from hoga.ports.clock import Clock

SEC = 1_000_000


class FakeCounter:
    """A monotonic counter in µs that tests move by hand."""

    def __init__(self, value: int = 0) -> None:
        self.value = value

    def __call__(self) -> int:
        return self.value


# --- ManualClock -------------------------------------------------------------------------------


def test_manual_clock_starts_where_told_and_moves_forward() -> None:
    clock = ManualClock(1_000)
    assert clock.now() == 1_000
    clock.advance(500)
    assert clock.now() == 1_500
    clock.set(2_000)
    assert clock.now() == 2_000
    clock.advance(0)
    clock.set(2_000)
    assert clock.now() == 2_000


def test_manual_clock_never_goes_backwards() -> None:
    clock = ManualClock(1_000)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(999)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="backwards"):
        asyncio.run(clock.run_until(999))
    assert clock.now() == 1_000


def test_default_manual_start_is_the_morning_after_the_snapshot() -> None:
    clock = ManualClock()
    assert clock.now() == DEFAULT_MANUAL_START
    assert str(kst_date(clock.now())) == "2026-07-22"
    assert kst_seconds(clock.now()) == 8 * 3600


def test_sleep_until_past_or_present_returns_at_once() -> None:
    clock = ManualClock(100)

    async def main() -> None:
        await clock.sleep_until(50)
        await clock.sleep_until(100)

    asyncio.run(main())
    assert clock.pending == 0


def test_advance_wakes_due_sleepers_in_order_of_wake_time() -> None:
    clock = ManualClock(0)
    woken: list[tuple[str, int]] = []

    async def sleeper(name: str, t: int) -> None:
        await clock.sleep_until(t)
        woken.append((name, clock.now()))

    async def main() -> None:
        # started in an order different from their wake times
        tasks = [
            asyncio.create_task(sleeper("c", 30)),
            asyncio.create_task(sleeper("a", 10)),
            asyncio.create_task(sleeper("b2", 20)),
            asyncio.create_task(sleeper("b1", 20)),
            asyncio.create_task(sleeper("late", 100)),
        ]
        await asyncio.sleep(0)
        assert clock.pending == 5
        assert clock.next_wake() == 10
        clock.advance(9)
        await asyncio.sleep(0)
        assert woken == []
        clock.advance(21)  # now 30: a, b2, b1, c are due
        for _ in range(3):
            await asyncio.sleep(0)
        assert woken == [("a", 30), ("b2", 30), ("b1", 30), ("c", 30)]
        assert clock.pending == 1
        assert clock.next_wake() == 100
        clock.set(100)
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert woken[-1] == ("late", 100)
    assert clock.next_wake() is None


def test_cancelled_sleeper_is_dropped_quietly() -> None:
    clock = ManualClock(0)

    async def main() -> None:
        task = asyncio.create_task(clock.sleep_until(10))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        clock.advance(10)  # must not raise on the cancelled future
        assert clock.pending == 0

    asyncio.run(main())


def test_run_until_steps_through_each_wake_time() -> None:
    clock = ManualClock(0)
    ticks: list[int] = []

    async def ticker() -> None:
        while True:
            await clock.sleep_until(clock.now() + SEC)
            ticks.append(clock.now())

    async def main() -> None:
        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        await clock.run_until(5 * SEC + 10)
        task.cancel()

    asyncio.run(main())
    assert ticks == [SEC, 2 * SEC, 3 * SEC, 4 * SEC, 5 * SEC]
    assert clock.now() == 5 * SEC + 10


def test_jumping_with_advance_wakes_a_ticker_only_once() -> None:
    clock = ManualClock(0)
    ticks: list[int] = []

    async def ticker() -> None:
        while True:
            await clock.sleep_until(clock.now() + SEC)
            ticks.append(clock.now())

    async def main() -> None:
        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        clock.advance(5 * SEC)
        for _ in range(3):
            await asyncio.sleep(0)
        task.cancel()

    asyncio.run(main())
    assert ticks == [5 * SEC]


# --- FastClock ---------------------------------------------------------------------------------


def test_fast_clock_scales_elapsed_time() -> None:
    counter = FakeCounter(7_000)
    clock = FastClock(60, 1_000_000, source=counter)
    assert clock.now() == 1_000_000
    assert clock.factor == 60
    counter.value += SEC  # one real second = one simulated minute
    assert clock.now() == 1_000_000 + 60 * SEC
    fractional = FastClock(2.5, 0, source=counter)
    counter.value += 4
    assert fractional.now() == 10


def test_fast_clock_rejects_non_positive_factor() -> None:
    with pytest.raises(ValueError, match="positive"):
        FastClock(0, 0)
    with pytest.raises(ValueError, match="positive"):
        FastClock(-2, 0)


def test_fast_clock_sleep_until_past_returns_at_once() -> None:
    clock = FastClock(1000, 5_000, source=FakeCounter())
    asyncio.run(clock.sleep_until(5_000))
    asyncio.run(clock.sleep_until(0))


def test_fast_clock_sleeps_scaled_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = FakeCounter()
    clock = FastClock(100, 0, source=counter)
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        counter.value += int(seconds * SEC)

    monkeypatch.setattr("hoga.clock.asyncio.sleep", fake_sleep)
    asyncio.run(clock.sleep_until(10 * SEC))
    assert slept == [0.1]
    assert clock.now() == 10 * SEC


# --- RealClock ---------------------------------------------------------------------------------


def test_real_clock_never_goes_backwards() -> None:
    values = iter([100, 90, 120])
    clock = RealClock(source=lambda: next(values))
    assert [clock.now(), clock.now(), clock.now()] == [100, 100, 120]


def test_real_clock_reads_the_wall_clock_in_microseconds() -> None:
    t = RealClock().now()
    assert str(kst_date(t)) >= "2024-01-01"
    assert t > 1_700_000_000 * SEC


def test_real_clock_sleep_until_past_returns_at_once() -> None:
    clock = RealClock()
    asyncio.run(clock.sleep_until(clock.now() - SEC))


def test_real_clock_sleeps_the_remaining_time(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = FakeCounter(50 * SEC)
    clock = RealClock(source=counter)
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        counter.value += int(seconds * SEC) - 1 if len(slept) == 1 else 1

    monkeypatch.setattr("hoga.clock.asyncio.sleep", fake_sleep)
    asyncio.run(clock.sleep_until(52 * SEC))
    assert slept == [2.0, 1e-06]  # woke one µs early, so it slept again


# --- make_clock --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "start", "kind"),
    [
        ("real", None, RealClock),
        (" REAL ", None, RealClock),
        ("manual", None, ManualClock),
        ("manual", 42, ManualClock),
        ("fast:60", 42, FastClock),
        ("fast: 2.5", None, FastClock),
    ],
)
def test_make_clock_kinds(spec: str, start: int | None, kind: type) -> None:
    clock = make_clock(spec, start=start)
    assert isinstance(clock, kind)


def test_make_clock_start_and_factor() -> None:
    manual = make_clock("manual", start=42)
    assert manual.now() == 42
    assert make_clock("manual").now() == DEFAULT_MANUAL_START
    fast = make_clock("fast:60", start=10**15)
    assert isinstance(fast, FastClock)
    assert fast.factor == 60
    assert 10**15 <= fast.now() < 10**15 + 3600 * SEC
    assert isinstance(make_clock("fast:0.5", start=0), FastClock)


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "wall",
        "fast",
        "fast:",
        "fast:x",
        "fast:0",
        "fast:-3",
        "fast:inf",
        "fast:nan",
        "manual:3",
        "real:1",
    ],
)
def test_make_clock_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(ConfigError):
        make_clock(spec)


def test_real_clock_cannot_start_at_a_chosen_time() -> None:
    with pytest.raises(ConfigError, match="real"):
        make_clock("real", start=0)


def test_all_clocks_satisfy_the_port() -> None:
    clocks: list[Clock] = [RealClock(), FastClock(2, 0), ManualClock(0)]
    assert all(isinstance(c.now(), int) for c in clocks)
