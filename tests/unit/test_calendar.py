from datetime import date, timedelta

import pytest

from hoga.engine.calendar import (
    KRX_LAST_DAY,
    AlwaysCalendar,
    KrxCalendar,
    TradingCalendar,
    make_calendar,
)
from hoga.errors import ConfigError

KRX = KrxCalendar()
D = date


@pytest.mark.parametrize(
    "holiday",
    [
        D(2026, 1, 1),  # New Year's Day
        D(2026, 2, 16),  # Seollal
        D(2026, 2, 17),
        D(2026, 2, 18),
        D(2026, 5, 1),  # Workers' Day
        D(2026, 9, 24),  # Chuseok
        D(2026, 9, 25),
        D(2026, 10, 5),  # substitute for National Foundation Day (Sat 10-03)
        D(2026, 10, 9),  # Hangul Day
        D(2026, 12, 25),
        D(2026, 12, 31),  # year-end closure
        D(2027, 1, 1),
    ],
)
def test_korean_holidays_are_closed(holiday: date) -> None:
    assert holiday.weekday() < 5
    assert not KRX.is_trading_day(holiday)


def test_weekends_closed_and_ordinary_days_open() -> None:
    assert not KRX.is_trading_day(D(2026, 9, 26))  # Saturday in the Chuseok window
    assert not KRX.is_trading_day(D(2026, 7, 25))
    for d in (D(2026, 7, 21), D(2026, 7, 22), D(2026, 1, 2), D(2026, 10, 6), D(2026, 12, 30)):
        assert KRX.is_trading_day(d)


def test_chuseok_window() -> None:
    days = KRX.trading_days(D(2026, 9, 21), D(2026, 10, 9))
    assert days == [
        D(2026, 9, 21),
        D(2026, 9, 22),
        D(2026, 9, 23),
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 1),
        D(2026, 10, 2),
        D(2026, 10, 6),
        D(2026, 10, 7),
        D(2026, 10, 8),
    ]
    assert KRX.next_trading_day(D(2026, 9, 23)) == D(2026, 9, 28)
    assert KRX.previous_trading_day(D(2026, 9, 28)) == D(2026, 9, 23)
    assert KRX.next_trading_day(D(2026, 10, 2)) == D(2026, 10, 6)


def test_settlement_t_plus_2() -> None:
    assert KRX.settlement_date(D(2026, 7, 21)) == D(2026, 7, 23)  # plain
    assert KRX.settlement_date(D(2026, 7, 23)) == D(2026, 7, 27)  # over a weekend
    assert KRX.settlement_date(D(2026, 9, 22)) == D(2026, 9, 28)  # over Chuseok
    assert KRX.settlement_date(D(2026, 10, 2)) == D(2026, 10, 7)  # over 10-05 and a weekend
    assert KRX.settlement_date(D(2026, 12, 29)) == D(2027, 1, 4)  # over the year end
    assert KRX.settlement_date(D(2026, 12, 29), days=1) == D(2026, 12, 30)
    assert KRX.settlement_date(D(2026, 7, 21), days=0) == D(2026, 7, 21)
    with pytest.raises(ValueError, match="negative"):
        KRX.settlement_date(D(2026, 7, 21), days=-1)


def test_add_trading_days() -> None:
    assert KRX.add_trading_days(D(2026, 9, 28), -2) == D(2026, 9, 22)
    assert KRX.add_trading_days(D(2026, 9, 24), 0) == D(2026, 9, 28)  # holiday rolls forward
    assert KRX.add_trading_days(D(2026, 9, 23), 0) == D(2026, 9, 23)
    assert KRX.add_trading_days(D(2026, 9, 26), 1) == D(2026, 9, 28)  # from a non-trading day
    d = D(2026, 3, 3)
    assert KRX.add_trading_days(KRX.add_trading_days(d, 40), -40) == d


def test_trading_days_matches_day_by_day_answers() -> None:
    start, end = D(2025, 12, 1), D(2026, 3, 31)
    expected = [
        start + timedelta(days=i)
        for i in range((end - start).days + 1)
        if KRX.is_trading_day(start + timedelta(days=i))
    ]
    assert KRX.trading_days(start, end) == expected
    assert all(type(d) is date for d in expected)
    assert KRX.trading_days(end, start) == []
    # a year has about 245-250 sessions
    assert 240 <= len(KRX.trading_days(D(2025, 1, 1), D(2025, 12, 31))) <= 252


def test_beyond_the_span_falls_back_to_weekdays() -> None:
    late = KRX_LAST_DAY + timedelta(days=400)
    monday = late - timedelta(days=late.weekday())
    assert KRX.is_trading_day(monday)
    assert not KRX.is_trading_day(monday + timedelta(days=5))
    # 2026-12-25 is a holiday inside the span but an ordinary Friday outside a short one
    short = KrxCalendar(D(2026, 1, 1), D(2026, 6, 30))
    assert not KRX.is_trading_day(D(2026, 12, 25))
    assert short.is_trading_day(D(2026, 12, 25))
    assert short.is_trading_day(D(2025, 12, 31))  # before the span too
    assert short.trading_days(D(2026, 6, 26), D(2026, 7, 6)) == [
        D(2026, 6, 26),
        D(2026, 6, 29),
        D(2026, 6, 30),
        D(2026, 7, 1),
        D(2026, 7, 2),
        D(2026, 7, 3),
        D(2026, 7, 6),
    ]
    assert short.first == D(2026, 1, 1)
    assert short.last == D(2026, 6, 30)
    short.load()
    assert repr(short) == "KrxCalendar(2026-01-01, 2026-06-30)"


def test_empty_span_rejected() -> None:
    with pytest.raises(ValueError, match="empty"):
        KrxCalendar(D(2026, 2, 1), D(2026, 1, 1))


def test_always_calendar() -> None:
    cal = AlwaysCalendar()
    sat = D(2026, 9, 26)
    assert cal.is_trading_day(sat)
    assert cal.is_trading_day(D(2026, 1, 1))
    assert cal.next_trading_day(sat) == D(2026, 9, 27)
    assert cal.previous_trading_day(sat) == D(2026, 9, 25)
    assert cal.add_trading_days(sat, 10) == D(2026, 10, 6)
    assert cal.add_trading_days(sat, -26) == D(2026, 8, 31)
    assert cal.settlement_date(D(2026, 12, 31)) == D(2027, 1, 2)
    assert cal.trading_days(D(2026, 2, 27), D(2026, 3, 2)) == [
        D(2026, 2, 27),
        D(2026, 2, 28),
        D(2026, 3, 1),
        D(2026, 3, 2),
    ]
    assert repr(cal) == "AlwaysCalendar()"


class _WeekdayOnly(TradingCalendar):
    def is_trading_day(self, d: date) -> bool:
        return d.weekday() < 5


def test_base_class_derives_arithmetic_from_is_trading_day() -> None:
    cal = _WeekdayOnly()
    fri = D(2026, 7, 24)
    assert cal.next_trading_day(fri) == D(2026, 7, 27)
    assert cal.previous_trading_day(D(2026, 7, 27)) == fri
    assert cal.add_trading_days(fri, 6) == D(2026, 8, 3)
    assert cal.add_trading_days(fri, -5) == D(2026, 7, 17)
    assert cal.trading_days(fri, D(2026, 7, 28)) == [fri, D(2026, 7, 27), D(2026, 7, 28)]


def test_make_calendar() -> None:
    assert isinstance(make_calendar("krx"), KrxCalendar)
    assert isinstance(make_calendar(" KRX "), KrxCalendar)
    assert isinstance(make_calendar("always"), AlwaysCalendar)
    assert isinstance(make_calendar("24/7"), AlwaysCalendar)
    with pytest.raises(ConfigError):
        make_calendar("nyse")
