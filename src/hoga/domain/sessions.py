"""KRX trading-session schedules as dated configuration.

Invariants:
- Times are integer seconds after KST midnight (0 … 86,400); convert an engine timestamp with
  :func:`hoga.domain.kst.kst_seconds` and :func:`hoga.domain.kst.kst_date`.
- A :class:`SessionWindow` is half-open ``[start, end)``. Windows may overlap: 08:30–08:40 is
  both the pre-open closing-price session and the opening-auction order intake.
- Call auctions uncross at the *end* of their window (the opening auction at 09:00, the closing
  auction at 15:30; its random end is the engine's business). The off-hours single-price session
  uncrosses every ``uncross_interval`` seconds from ``start + interval`` through ``end``.
- Schedules are dated data looked up by trading day through a :class:`ScheduleRegistry`: the
  regular schedule (in force since the 2016-08-01 extension of the close to 15:30) and, as an
  opt-in, the extended schedule KRX announced for 2026 (pre-market 07:00–08:00 and after-market
  16:00–20:00 replacing the 16:00–18:00 single-price session; target date 2026-06-29, not
  confirmed). :data:`ALWAYS` is one continuous window over the whole day for the 24/7 mode.
- Which instruments may use a session (e.g. NXT-listed names are barred from the KRX 16:00–18:00
  session) is not decided here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from hoga.domain.kst import SECONDS_PER_DAY

__all__ = [
    "ALWAYS",
    "DAY_SECONDS",
    "DEFAULT_REGISTRY",
    "EXTENDED_2026",
    "REGULAR",
    "Boundary",
    "RegularPhase",
    "Schedule",
    "ScheduleRegistry",
    "SessionKind",
    "SessionWindow",
    "hms",
    "regular_phase_at",
    "schedule_for",
]

DAY_SECONDS = SECONDS_PER_DAY


class SessionKind(enum.StrEnum):
    """One kind of trading window in a KRX day."""

    PRE_MARKET = "pre_market"  # 2026 extended: 07:00–08:00
    PRE_CLOSE_PRICE = "pre_close_price"  # 장전 시간외 종가 08:30–08:40
    OPENING_AUCTION = "opening_auction"  # order intake 08:30, uncross 09:00
    CONTINUOUS = "continuous"  # 접속매매 09:00–15:20
    CLOSING_AUCTION = "closing_auction"  # 15:20–15:30
    POST_CLOSE_INTAKE = "post_close_intake"  # 15:30–15:40 orders for the post-close session
    POST_CLOSE_PRICE = "post_close_price"  # 장후 시간외 종가 15:40–16:00
    AFTER_SINGLE = "after_single"  # 시간외 단일가 16:00–18:00, uncross every 10 minutes
    AFTER_MARKET = "after_market"  # 2026 extended: 16:00–20:00


class RegularPhase(enum.StrEnum):
    """The state of the regular board at an instant."""

    CLOSED = "closed"
    OPENING_AUCTION = "opening_auction"
    CONTINUOUS = "continuous"
    CLOSING_AUCTION = "closing_auction"


def hms(hours: int, minutes: int = 0, seconds: int = 0) -> int:
    """Seconds after midnight for a wall-clock time (``hms(24)`` is the end of the day)."""
    return hours * 3_600 + minutes * 60 + seconds


@dataclass(frozen=True, slots=True)
class SessionWindow:
    """``kind`` is open on ``[start, end)``, in seconds after KST midnight."""

    kind: SessionKind
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= DAY_SECONDS:
            raise ValueError(f"bad window {self.kind}: {self.start}..{self.end}")

    def contains(self, seconds: int) -> bool:
        return self.start <= seconds < self.end


class Boundary(NamedTuple):
    """A phase change: ``kind`` starts (``starts=True``) or ends at ``seconds``."""

    seconds: int
    kind: SessionKind
    starts: bool


_KIND_ORDER = {kind: index for index, kind in enumerate(SessionKind)}


@dataclass(frozen=True, slots=True)
class Schedule:
    """The session windows of one trading day, in force from ``effective_from``."""

    name: str
    effective_from: date
    windows: tuple[SessionWindow, ...]
    uncross_interval: int = 600

    def active_at(self, seconds: int) -> tuple[SessionKind, ...]:
        """Every kind whose window contains ``seconds``, in window order."""
        return tuple(w.kind for w in self.windows if w.contains(seconds))

    def window(self, kind: SessionKind) -> SessionWindow | None:
        """The window of ``kind``, or None when this schedule has none."""
        return next((w for w in self.windows if w.kind is kind), None)

    def boundaries(self) -> tuple[Boundary, ...]:
        """Every start and end, by time; at equal times ends come before starts."""
        points = [Boundary(w.start, w.kind, True) for w in self.windows]
        points += [Boundary(w.end, w.kind, False) for w in self.windows]
        return tuple(sorted(points, key=lambda b: (b.seconds, b.starts, _KIND_ORDER[b.kind])))

    def after_single_uncross_times(self) -> tuple[int, ...]:
        """Uncross instants of the single-price session (16:10, 16:20 … 18:00), or ()."""
        window = self.window(SessionKind.AFTER_SINGLE)
        if window is None:
            return ()
        first = window.start + self.uncross_interval
        return tuple(range(first, window.end + 1, self.uncross_interval))


_PHASE_OF_KIND = (
    (SessionKind.CONTINUOUS, RegularPhase.CONTINUOUS),
    (SessionKind.OPENING_AUCTION, RegularPhase.OPENING_AUCTION),
    (SessionKind.CLOSING_AUCTION, RegularPhase.CLOSING_AUCTION),
)


def regular_phase_at(schedule: Schedule, seconds: int) -> RegularPhase:
    """The regular board's phase at ``seconds`` (continuous wins over an overlapping auction)."""
    active = schedule.active_at(seconds)
    for kind, phase in _PHASE_OF_KIND:
        if kind in active:
            return phase
    return RegularPhase.CLOSED


def _windows(*rows: tuple[SessionKind, int, int]) -> tuple[SessionWindow, ...]:
    return tuple(SessionWindow(kind, start, end) for kind, start, end in rows)


_K = SessionKind
_CORE = (
    (_K.PRE_CLOSE_PRICE, hms(8, 30), hms(8, 40)),
    (_K.OPENING_AUCTION, hms(8, 30), hms(9)),
    (_K.CONTINUOUS, hms(9), hms(15, 20)),
    (_K.CLOSING_AUCTION, hms(15, 20), hms(15, 30)),
    (_K.POST_CLOSE_INTAKE, hms(15, 30), hms(15, 40)),
    (_K.POST_CLOSE_PRICE, hms(15, 40), hms(16)),
)

#: The regular KRX day (close at 15:30 since 2016-08-01).
REGULAR = Schedule(
    "krx-regular",
    date(2016, 8, 1),
    _windows(*_CORE, (_K.AFTER_SINGLE, hms(16), hms(18))),
)

#: The extended day KRX announced for 2026 (opt-in; target date not confirmed).
EXTENDED_2026 = Schedule(
    "krx-extended-2026",
    date(2026, 6, 29),
    _windows((_K.PRE_MARKET, hms(7), hms(8)), *_CORE, (_K.AFTER_MARKET, hms(16), hms(20))),
)

#: One continuous window over the whole day (the 24/7 market mode).
ALWAYS = Schedule("always", date.min, _windows((_K.CONTINUOUS, 0, DAY_SECONDS)))


@dataclass(frozen=True, slots=True)
class ScheduleRegistry:
    """Dated schedules: ``regular`` always applies; ``extended`` ones only when opted in."""

    regular: tuple[Schedule, ...]
    extended: tuple[Schedule, ...] = ()

    def schedule_for(self, day: date, *, extended: bool = False) -> Schedule:
        """The schedule for trading ``day``: the latest one in force, extended if opted in.

        With ``extended=True`` and no extended schedule in force yet, the regular one applies.
        A day before every regular schedule raises ``LookupError`` (a configuration error).
        """
        if extended:
            found = _latest(self.extended, day)
            if found is not None:
                return found
        found = _latest(self.regular, day)
        if found is None:
            raise LookupError(f"no session schedule in force on {day}")
        return found


def _latest(schedules: tuple[Schedule, ...], day: date) -> Schedule | None:
    in_force = [s for s in schedules if s.effective_from <= day]
    return max(in_force, key=lambda s: s.effective_from) if in_force else None


DEFAULT_REGISTRY = ScheduleRegistry(regular=(REGULAR,), extended=(EXTENDED_2026,))


def schedule_for(day: date, *, extended: bool = False) -> Schedule:
    """:meth:`ScheduleRegistry.schedule_for` on :data:`DEFAULT_REGISTRY`."""
    return DEFAULT_REGISTRY.schedule_for(day, extended=extended)
