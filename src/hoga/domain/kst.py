"""Conversions between engine timestamps and Korean Standard Time.

Invariants:
- An engine timestamp is an ``int`` of microseconds since the Unix epoch (UTC).
- KST is UTC+9 all year (Korea has no daylight saving time), so every conversion is plain integer
  arithmetic; nothing here reads a clock or uses floats.
- ``kst_date``/``kst_seconds`` floor towards the past, also for timestamps before the epoch, and
  ``at_kst(kst_date(t), kst_seconds(t))`` equals ``t`` truncated to the whole second.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

__all__ = [
    "KST",
    "KST_OFFSET_US",
    "SECONDS_PER_DAY",
    "US_PER_DAY",
    "US_PER_SECOND",
    "at_kst",
    "kst_date",
    "kst_datetime",
    "kst_minute_start",
    "kst_seconds",
]

#: The KST time zone (UTC+9, no DST).
KST = timezone(timedelta(hours=9), "KST")
US_PER_SECOND = 1_000_000
SECONDS_PER_DAY = 86_400
US_PER_DAY = SECONDS_PER_DAY * US_PER_SECOND
#: KST minus UTC, in microseconds.
KST_OFFSET_US = 9 * 3_600 * US_PER_SECOND

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def kst_date(t: int) -> date:
    """The KST calendar date of timestamp ``t`` (epoch µs)."""
    return date.fromordinal(_EPOCH_ORDINAL + (t + KST_OFFSET_US) // US_PER_DAY)


def kst_seconds(t: int) -> int:
    """Whole seconds elapsed since KST midnight at timestamp ``t`` (0 … 86,399)."""
    return ((t + KST_OFFSET_US) % US_PER_DAY) // US_PER_SECOND


def kst_datetime(t: int) -> datetime:
    """Timestamp ``t`` as an aware ``datetime`` in KST, exact to the microsecond."""
    return (_EPOCH + timedelta(microseconds=t)).astimezone(KST)


def at_kst(day: date, seconds: int = 0) -> int:
    """The timestamp (epoch µs) of ``seconds`` after KST midnight on ``day``.

    ``seconds`` may be negative or exceed a day; it simply counts from that midnight.
    """
    days = day.toordinal() - _EPOCH_ORDINAL
    return days * US_PER_DAY + seconds * US_PER_SECOND - KST_OFFSET_US


def kst_minute_start(t: int) -> int:
    """The timestamp of the start of the KST minute containing ``t`` (minutes align in UTC too)."""
    return t - t % (60 * US_PER_SECOND)
