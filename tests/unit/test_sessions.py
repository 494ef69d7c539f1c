"""KRX session schedules (hoga.domain.sessions)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from hoga.domain.sessions import (
    ALWAYS,
    DAY_SECONDS,
    EXTENDED_2026,
    REGULAR,
    Boundary,
    RegularPhase,
    Schedule,
    ScheduleRegistry,
    SessionKind,
    SessionWindow,
    hms,
    regular_phase_at,
    schedule_for,
)

K = SessionKind


def test_hms() -> None:
    assert hms(8, 30) == 30_600
    assert hms(15, 20, 5) == 55_205
    assert hms(24) == DAY_SECONDS


@pytest.mark.parametrize(
    ("at", "active"),
    [
        (hms(8, 29, 59), ()),
        (hms(8, 30), (K.PRE_CLOSE_PRICE, K.OPENING_AUCTION)),
        (hms(8, 39, 59), (K.PRE_CLOSE_PRICE, K.OPENING_AUCTION)),
        (hms(8, 40), (K.OPENING_AUCTION,)),
        (hms(9), (K.CONTINUOUS,)),
        (hms(15, 19, 59), (K.CONTINUOUS,)),
        (hms(15, 20), (K.CLOSING_AUCTION,)),
        (hms(15, 30), (K.POST_CLOSE_INTAKE,)),
        (hms(15, 40), (K.POST_CLOSE_PRICE,)),
        (hms(16), (K.AFTER_SINGLE,)),
        (hms(17, 59, 59), (K.AFTER_SINGLE,)),
        (hms(18), ()),
        (hms(19), ()),
    ],
)
def test_regular_schedule_active_sessions(at: int, active: tuple[SessionKind, ...]) -> None:
    assert REGULAR.active_at(at) == active


@pytest.mark.parametrize(
    ("at", "active"),
    [
        (hms(6, 59), ()),
        (hms(7), (K.PRE_MARKET,)),
        (hms(8), ()),
        (hms(8, 30), (K.PRE_CLOSE_PRICE, K.OPENING_AUCTION)),
        (hms(16), (K.AFTER_MARKET,)),
        (hms(19, 59, 59), (K.AFTER_MARKET,)),
        (hms(20), ()),
    ],
)
def test_extended_schedule_active_sessions(at: int, active: tuple[SessionKind, ...]) -> None:
    assert EXTENDED_2026.active_at(at) == active


def test_extended_schedule_has_no_single_price_session() -> None:
    assert EXTENDED_2026.window(K.AFTER_SINGLE) is None
    assert EXTENDED_2026.after_single_uncross_times() == ()
    assert REGULAR.window(K.AFTER_MARKET) is None


def test_after_single_uncrosses_every_ten_minutes() -> None:
    times = REGULAR.after_single_uncross_times()
    assert times[0] == hms(16, 10)
    assert times[-1] == hms(18)
    assert len(times) == 12
    assert all(b - a == 600 for a, b in itertools.pairwise(times))


def test_boundaries_sorted_with_ends_before_starts() -> None:
    bounds = REGULAR.boundaries()
    assert bounds[:3] == (
        Boundary(hms(8, 30), K.PRE_CLOSE_PRICE, True),
        Boundary(hms(8, 30), K.OPENING_AUCTION, True),
        Boundary(hms(8, 40), K.PRE_CLOSE_PRICE, False),
    )
    assert bounds[3:5] == (
        Boundary(hms(9), K.OPENING_AUCTION, False),
        Boundary(hms(9), K.CONTINUOUS, True),
    )
    assert bounds[-1] == Boundary(hms(18), K.AFTER_SINGLE, False)
    assert len(bounds) == 2 * len(REGULAR.windows)
    assert list(bounds) == sorted(bounds, key=lambda b: (b.seconds, b.starts))


@pytest.mark.parametrize(
    ("at", "phase"),
    [
        (hms(8), RegularPhase.CLOSED),
        (hms(8, 30), RegularPhase.OPENING_AUCTION),
        (hms(8, 59, 59), RegularPhase.OPENING_AUCTION),
        (hms(9), RegularPhase.CONTINUOUS),
        (hms(15, 20), RegularPhase.CLOSING_AUCTION),
        (hms(15, 30), RegularPhase.CLOSED),
        (hms(16, 30), RegularPhase.CLOSED),
    ],
)
def test_regular_phase(at: int, phase: RegularPhase) -> None:
    assert regular_phase_at(REGULAR, at) == phase


def test_continuous_wins_over_an_overlapping_auction() -> None:
    odd = Schedule(
        "odd",
        date(2020, 1, 1),
        (SessionWindow(K.OPENING_AUCTION, 0, 100), SessionWindow(K.CONTINUOUS, 50, 200)),
    )
    assert regular_phase_at(odd, 60) == RegularPhase.CONTINUOUS


def test_always_schedule_is_continuous_all_day() -> None:
    for at in (0, hms(3), hms(12), DAY_SECONDS - 1):
        assert ALWAYS.active_at(at) == (K.CONTINUOUS,)
        assert regular_phase_at(ALWAYS, at) == RegularPhase.CONTINUOUS
    assert ALWAYS.boundaries() == (
        Boundary(0, K.CONTINUOUS, True),
        Boundary(DAY_SECONDS, K.CONTINUOUS, False),
    )


def test_schedule_for_by_date_and_opt_in() -> None:
    assert schedule_for(date(2025, 3, 4)) is REGULAR
    assert schedule_for(date(2026, 7, 1)) is REGULAR
    assert schedule_for(date(2026, 7, 1), extended=True) is EXTENDED_2026
    assert schedule_for(date(2026, 6, 28), extended=True) is REGULAR
    with pytest.raises(LookupError):
        schedule_for(date(2010, 1, 4))


def test_registry_picks_latest_schedule_in_force() -> None:
    later = Schedule("later", date(2030, 1, 1), REGULAR.windows)
    registry = ScheduleRegistry(regular=(later, REGULAR))
    assert registry.schedule_for(date(2029, 12, 31)) is REGULAR
    assert registry.schedule_for(date(2030, 1, 1)) is later
    assert registry.schedule_for(date(2030, 1, 1), extended=True) is later


@pytest.mark.parametrize(("start", "end"), [(-1, 10), (10, 10), (0, DAY_SECONDS + 1)])
def test_bad_windows_are_bugs(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        SessionWindow(K.CONTINUOUS, start, end)
