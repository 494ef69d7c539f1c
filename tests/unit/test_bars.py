from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.bars import (
    MINUTE_SCOPES,
    DailyBar,
    MinuteBar,
    Period,
    aggregate_daily,
    aggregate_minutes,
)
from hoga.domain.kst import at_kst

DAY = date(2026, 7, 22)
MIN = 60_000_000


def t(hh: int, mm: int, ss: int = 0, us: int = 0) -> int:
    return at_kst(DAY, hh * 3600 + mm * 60 + ss) + us


def mbar(start: int, o: int, h: int, lo: int, c: int, v: int) -> MinuteBar:
    return MinuteBar(start, o, h, lo, c, v, v * c)


def test_first_trade_and_with_trade() -> None:
    bar = MinuteBar.first_trade(t(9, 0, 12, 345), 1_000, 3)
    assert bar == MinuteBar(t(9, 0), 1_000, 1_000, 1_000, 1_000, 3, 3_000)
    bar = bar.with_trade(1_010, 2).with_trade(990, 1).with_trade(1_005, 4)
    assert bar == MinuteBar(t(9, 0), 1_000, 1_010, 990, 1_005, 10, 3_000 + 2_020 + 990 + 4_020)
    assert bar.covers(t(9, 0))
    assert bar.covers(t(9, 0, 59, 999_999))
    assert not bar.covers(t(9, 1))
    assert not bar.covers(t(9, 0) - 1)


def test_aggregate_minutes_buckets_on_kst_boundaries() -> None:
    bars = [
        mbar(t(9, 0), 100, 105, 99, 104, 10),
        mbar(t(9, 2), 104, 110, 103, 108, 5),
        mbar(t(9, 4), 108, 109, 101, 102, 7),  # starts the 09:03 bucket
        mbar(t(9, 5), 102, 102, 95, 96, 1),
        mbar(t(9, 6), 96, 97, 96, 97, 2),  # 09:06 bucket
    ]
    three = aggregate_minutes(bars, 3)
    assert three == [
        MinuteBar(t(9, 0), 100, 110, 99, 108, 15, 10 * 104 + 5 * 108),
        MinuteBar(t(9, 3), 108, 109, 95, 96, 8, 7 * 102 + 96),
        MinuteBar(t(9, 6), 96, 97, 96, 97, 2, 2 * 97),
    ]
    assert aggregate_minutes(bars, 1) == bars
    sixty = aggregate_minutes(bars, 60)
    assert len(sixty) == 1
    assert sixty[0].start == t(9, 0)
    assert (sixty[0].open, sixty[0].high, sixty[0].low, sixty[0].close) == (100, 110, 95, 97)
    assert sixty[0].volume == 25


def test_45_minute_bars_align_to_midnight() -> None:
    bars = [mbar(t(9, 44), 1, 1, 1, 1, 1), mbar(t(9, 45), 2, 2, 2, 2, 1)]
    out = aggregate_minutes(bars, 45)
    # 09:00 is minute 540 = 12 x 45, so 09:00-09:44 and 09:45-10:29 are buckets
    assert [b.start for b in out] == [t(9, 0), t(9, 45)]


def test_buckets_never_span_midnight() -> None:
    late = MinuteBar(t(23, 59), 5, 5, 5, 5, 1, 5)
    early = MinuteBar(at_kst(date(2026, 7, 23), 0), 6, 6, 6, 6, 1, 6)
    assert len(aggregate_minutes([late, early], 60)) == 2


@pytest.mark.parametrize("n", [0, -5, 7, 100])
def test_bad_bar_size(n: int) -> None:
    with pytest.raises(ValueError, match="divide"):
        aggregate_minutes([], n)


def test_empty_input() -> None:
    assert aggregate_minutes([], 5) == []
    assert aggregate_daily([], Period.WEEK) == []


def dbar(d: date, o: int, h: int, lo: int, c: int, v: int = 1) -> DailyBar:
    return DailyBar(d, o, h, lo, c, v, v * c)


def test_aggregate_daily_week_month_year() -> None:
    bars = [
        dbar(date(2025, 12, 29), 10, 12, 9, 11),  # Mon, ISO week 2026-W01
        dbar(date(2025, 12, 30), 11, 13, 10, 12),
        dbar(date(2026, 1, 2), 12, 12, 8, 9),  # Fri, same ISO week, new year
        dbar(date(2026, 1, 5), 9, 10, 7, 8, 3),  # Mon, W02
        dbar(date(2026, 2, 2), 8, 20, 8, 19, 2),  # Feb
    ]
    weeks = aggregate_daily(bars, Period.WEEK)
    assert weeks == [
        DailyBar(date(2025, 12, 29), 10, 13, 8, 9, 3, 11 + 12 + 9),
        DailyBar(date(2026, 1, 5), 9, 10, 7, 8, 3, 24),
        DailyBar(date(2026, 2, 2), 8, 20, 8, 19, 2, 38),
    ]
    months = aggregate_daily(bars, Period.MONTH)
    assert [b.date for b in months] == [date(2025, 12, 29), date(2026, 1, 2), date(2026, 2, 2)]
    assert months[1] == DailyBar(date(2026, 1, 2), 12, 12, 7, 8, 4, 9 + 24)
    years = aggregate_daily(bars, Period.YEAR)
    assert years == [
        DailyBar(date(2025, 12, 29), 10, 13, 9, 12, 2, 23),
        DailyBar(date(2026, 1, 2), 12, 20, 7, 19, 6, 9 + 24 + 38),
    ]


def test_scopes() -> None:
    assert MINUTE_SCOPES == (1, 3, 5, 10, 15, 30, 45, 60)
    assert all(1440 % n == 0 for n in MINUTE_SCOPES)


trades = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=6 * 3600 * 1_000_000),  # offset from 09:00
        st.integers(min_value=1, max_value=10_000),
        st.integers(min_value=1, max_value=1_000),
    ),
    min_size=1,
    max_size=60,
)


@given(trades, st.sampled_from(MINUTE_SCOPES))
def test_aggregation_preserves_totals_and_extremes(raw: list[tuple[int, int, int]], n: int) -> None:
    raw.sort(key=lambda x: x[0])
    ones: list[MinuteBar] = []
    for off, price, qty in raw:
        time = t(9, 0) + off
        if ones and ones[-1].covers(time):
            ones[-1] = ones[-1].with_trade(price, qty)
        else:
            ones.append(MinuteBar.first_trade(time, price, qty))
    out = aggregate_minutes(ones, n)
    assert sum(b.volume for b in out) == sum(q for _, _, q in raw)
    assert sum(b.turnover for b in out) == sum(p * q for _, p, q in raw)
    assert max(b.high for b in out) == max(p for _, p, _ in raw)
    assert min(b.low for b in out) == min(p for _, p, _ in raw)
    assert out[0].open == raw[0][1]
    assert out[-1].close == raw[-1][1]
    starts = [b.start for b in out]
    assert starts == sorted(set(starts))
    assert all((s - t(0, 0)) % (n * MIN) == 0 for s in starts)
    assert all(b.low <= min(b.open, b.close) and max(b.open, b.close) <= b.high for b in out)
