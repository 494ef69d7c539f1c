from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.kst import (
    KST,
    US_PER_DAY,
    at_kst,
    kst_date,
    kst_datetime,
    kst_minute_start,
    kst_seconds,
)

# 2026-07-22 00:00:00 UTC = 09:00 KST
T0 = int(datetime(2026, 7, 22, tzinfo=UTC).timestamp()) * 1_000_000


def test_utc_midnight_is_nine_in_the_morning_kst() -> None:
    assert kst_date(T0) == date(2026, 7, 22)
    assert kst_seconds(T0) == 9 * 3600
    assert kst_datetime(T0) == datetime(2026, 7, 22, 9, tzinfo=KST)
    assert kst_datetime(T0).utcoffset() == timedelta(hours=9)


def test_kst_date_rolls_over_at_fifteen_utc() -> None:
    before = T0 + 15 * 3600 * 1_000_000 - 1  # 23:59:59.999999 KST
    assert kst_date(before) == date(2026, 7, 22)
    assert kst_seconds(before) == 86_399
    assert kst_date(before + 1) == date(2026, 7, 23)
    assert kst_seconds(before + 1) == 0


def test_at_kst_known_value() -> None:
    assert at_kst(date(2026, 7, 22), 9 * 3600) == T0
    assert at_kst(date(2026, 7, 22)) == T0 - 9 * 3600 * 1_000_000
    assert at_kst(date(2026, 7, 22), -3600) == at_kst(date(2026, 7, 21), 23 * 3600)


def test_before_the_epoch_floors_towards_the_past() -> None:
    t = -1  # 1970-01-01 08:59:59.999999 KST
    assert kst_date(t) == date(1970, 1, 1)
    assert kst_seconds(t) == 8 * 3600 + 3599
    t = -9 * 3600 * 1_000_000 - 1  # one µs before KST midnight of 1970-01-01
    assert kst_date(t) == date(1969, 12, 31)


def test_minute_start() -> None:
    t = at_kst(date(2026, 7, 22), 9 * 3600 + 61) + 123
    assert kst_minute_start(t) == at_kst(date(2026, 7, 22), 9 * 3600 + 60)
    assert kst_minute_start(at_kst(date(2026, 7, 22), 600)) == at_kst(date(2026, 7, 22), 600)


@given(st.integers(min_value=-(10**16), max_value=10**17))
def test_round_trip(t: int) -> None:
    d, s = kst_date(t), kst_seconds(t)
    assert 0 <= s < 86_400
    assert at_kst(d, s) == t - t % 1_000_000
    dt = kst_datetime(t)
    assert dt.date() == d
    assert dt.hour * 3600 + dt.minute * 60 + dt.second == s
    assert 0 <= t - kst_minute_start(t) < 60_000_000
    assert at_kst(d + timedelta(days=1), s) - at_kst(d, s) == US_PER_DAY
