import itertools
import time
from dataclasses import replace
from datetime import date

import pytest

from hoga.domain.bars import DailyBar, MinuteBar, Period
from hoga.domain.kst import at_kst
from hoga.domain.limits import price_limits
from hoga.domain.model import Instrument, Market
from hoga.domain.ticks import UNIFIED_TABLE_SINCE, TickRules
from hoga.engine.calendar import AlwaysCalendar, KrxCalendar
from hoga.engine.history import (
    SNAPSHOT_DATE,
    DailyHistory,
    MinuteBarBuilder,
    daily_volatility,
    generate_daily_bars,
    history_seed,
)
from hoga.engine.universe import load_universe

U = load_universe()
CAL = KrxCalendar()
RULES = TickRules()
SAMPLE = [
    "005930",  # Samsung Electronics, large cap
    "000040",  # a 267-won KOSPI stock, halted, zero volume
    "0106J0",  # snapshot close 19,825 is off the grid (adjusted base price)
    "0126Z0",  # letter code, 378,500
    "069500",  # KODEX 200 ETF
    "252670",  # ~100-won inverse ETF
    "005935",  # preferred
    "012510",  # suspended, no close in the snapshot
    "500020",  # an ETN
    "0004Y0",  # a SPAC
]


def assert_valid(inst: Instrument, bars: tuple[DailyBar, ...]) -> None:
    assert bars[-1].close == inst.base_price
    prev: int | None = None
    for i, b in enumerate(bars):
        assert CAL.is_trading_day(b.date)
        assert b.low <= min(b.open, b.close)
        assert max(b.open, b.close) <= b.high
        assert b.volume >= 0
        assert b.volume * b.low <= b.turnover <= b.volume * b.high
        for p in (b.open, b.high, b.low, b.close):
            assert isinstance(p, int)
            off_grid_snapshot = i == len(bars) - 1 and p == inst.base_price
            assert RULES.is_on_grid(p, inst.market, b.date) or off_grid_snapshot, (b, p)
        if prev is not None:
            limits = price_limits(prev, inst.market, b.date, RULES)
            assert all(limits.contains(p) for p in (b.open, b.high, b.low, b.close)), (b, limits)
        prev = b.close
    assert [b.date for b in bars] == sorted({b.date for b in bars})


@pytest.mark.parametrize("code", SAMPLE)
def test_bars_are_valid_and_end_at_the_snapshot(code: str) -> None:
    inst = U[code]
    bars = generate_daily_bars(inst, seed=7, calendar=CAL)
    assert_valid(inst, bars)
    assert bars[-1].date == (inst.close_date or SNAPSHOT_DATE)
    assert bars[0].date >= date(2023, 7, 21)
    assert len(bars) == len(CAL.trading_days(date(2023, 7, 21), bars[-1].date))


def test_every_instrument_of_one_market_is_valid() -> None:
    for inst in U.by_market(Market.KONEX):
        bars = generate_daily_bars(inst, seed=3, calendar=CAL, years=1)
        assert_valid(inst, bars)
        assert bars[-1].date == date(2026, 3, 20)


def test_old_tick_table_applies_before_2023() -> None:
    inst = U["005930"]
    bars = generate_daily_bars(inst, seed=11, calendar=CAL, years=5)
    assert bars[0].date < UNIFIED_TABLE_SINCE
    assert_valid(inst, bars)
    # the KOSPI table before 2023-01-25 used 500-won ticks from 100,000 won
    old = [b for b in bars if b.date < UNIFIED_TABLE_SINCE]
    assert all(p % 500 == 0 for b in old for p in (b.open, b.high, b.low, b.close) if p >= 100_000)


def test_determinism_and_seed_sensitivity() -> None:
    inst = U["005930"]
    a = generate_daily_bars(inst, seed=42, calendar=CAL)
    b = generate_daily_bars(inst, seed=42, calendar=CAL)
    c = generate_daily_bars(inst, seed=43, calendar=CAL)
    assert a == b
    assert a != c
    assert a[-1].close == c[-1].close == 259_000
    # another instrument with the same seed gets a different path
    other = replace(inst, code="000660")
    assert [x.close for x in generate_daily_bars(other, seed=42, calendar=CAL)] != [
        x.close for x in a
    ]


def test_history_seed_is_stable() -> None:
    # zlib.crc32 of the code, never Python's salted hash()
    assert history_seed(0, "005930") == 711237016
    assert history_seed(5, "005930") == 5 ^ history_seed(0, "005930")
    assert history_seed(0, "005930") == history_seed(0, "005930")


def test_final_volume_is_the_snapshot_volume() -> None:
    inst = U["005930"]
    bars = generate_daily_bars(inst, seed=1, calendar=CAL)
    assert bars[-1].volume == 20_386_896
    mean = sum(b.volume for b in bars) / len(bars)
    assert inst.volume / 3 < mean < inst.volume * 3


def test_zero_volume_final_day_is_flat() -> None:
    inst = U["000040"]
    assert inst.volume == 0
    last = generate_daily_bars(inst, seed=1, calendar=CAL)[-1]
    assert (last.open, last.high, last.low, last.close, last.volume) == (267, 267, 267, 267, 0)


def test_volatility_by_kind_and_size() -> None:
    etf = daily_volatility(U["069500"])
    big = daily_volatility(U["005930"])
    small = [
        i
        for i in U.by_market(Market.KOSDAQ)
        if i.kind == "stock" and i.base_price * i.listed_shares < 5e10
    ]
    assert etf < big < daily_volatility(small[0])
    assert daily_volatility(U["0004Y0"]) < etf < daily_volatility(U["500020"])
    assert daily_volatility(U["005935"]) > daily_volatility(replace(U["005935"], kind="stock"))

    def realised(code: str) -> float:
        closes = [b.close for b in generate_daily_bars(U[code], seed=5, calendar=CAL)]
        moves = [abs(b / a - 1) for a, b in itertools.pairwise(closes)]
        return sum(moves) / len(moves)

    assert realised("069500") < realised("005930") < realised(small[0].code)


def test_lot_size_and_years() -> None:
    inst = replace(U["005930"], lot_size=10)
    bars = generate_daily_bars(inst, seed=1, calendar=CAL, years=1)
    assert all(b.volume % 10 == 0 for b in bars[:-1])
    assert 240 <= len(bars) <= 252
    assert generate_daily_bars(inst, seed=1, calendar=CAL, years=0)[-1].date == SNAPSHOT_DATE


def test_leap_day_end_and_empty_range() -> None:
    inst = U["005930"]
    bars = generate_daily_bars(inst, seed=1, calendar=AlwaysCalendar(), end=date(2024, 2, 29))
    assert bars[0].date == date(2021, 2, 28)
    assert bars[-1].date == date(2024, 2, 29)
    sunday = date(2026, 7, 19)
    assert generate_daily_bars(inst, seed=1, calendar=CAL, end=sunday, years=0) == ()


def test_daily_history_is_lazy_and_cached() -> None:
    history = DailyHistory(U, seed=9)
    assert history.seed == 9 and history.years == 3
    assert history.cached_codes() == ()
    first = history.daily("005930")
    assert history.daily("005930") is first
    assert history.cached_codes() == ("005930",)
    assert first == generate_daily_bars(U["005930"], seed=9, calendar=CAL)
    with pytest.raises(KeyError):
        history.daily("999999")
    with pytest.raises(ValueError, match="negative"):
        DailyHistory(U, seed=1, years=-1)


def test_daily_history_aggregates() -> None:
    history = DailyHistory(U, seed=9, years=1)
    daily = history.daily("069500")
    months = history.aggregated("069500", Period.MONTH)
    assert 12 <= len(months) <= 13
    assert sum(b.volume for b in months) == sum(b.volume for b in daily)
    assert months[-1].close == daily[-1].close
    weeks = history.aggregated("069500", Period.WEEK)
    assert max(b.high for b in weeks) == max(b.high for b in daily)
    years = history.aggregated("069500", Period.YEAR)
    assert [b.date.year for b in years] == [2025, 2026]


def test_generation_is_fast_once_the_calendar_is_loaded() -> None:
    # Informational: three years for one instrument take a few ms (not asserted).
    CAL.load()
    started = time.perf_counter()
    for code in ("000020", "000050", "000070"):
        generate_daily_bars(U[code], seed=1, calendar=CAL)
    print(f"{(time.perf_counter() - started) / 3 * 1000:.1f} ms per instrument")


# --- minute bars -------------------------------------------------------------------------------

DAY = date(2026, 7, 22)


def t(hh: int, mm: int, ss: int = 0) -> int:
    return at_kst(DAY, hh * 3600 + mm * 60 + ss)


def test_minute_bar_builder() -> None:
    b = MinuteBarBuilder()
    assert b.current is None and b.bars() == [] and b.roll(t(9, 5)) is None
    assert b.add(t(9, 0, 1), 1_000, 5) is None
    assert b.add(t(9, 0, 30), 1_010, 1) is None
    assert b.add(t(9, 0, 59), 995, 2) is None
    done = b.add(t(9, 2, 0), 1_000, 3)  # 09:01 had no trade
    assert done == MinuteBar(t(9, 0), 1_000, 1_010, 995, 995, 8, 5_000 + 1_010 + 1_990)
    assert b.completed() == (done,)
    assert b.current == MinuteBar(t(9, 2), 1_000, 1_000, 1_000, 1_000, 3, 3_000)
    assert b.roll(t(9, 2, 59)) is None
    rolled = b.roll(t(9, 3))
    assert rolled is not None and rolled.start == t(9, 2)
    assert b.current is None
    assert [x.start for x in b.bars()] == [t(9, 0), t(9, 2)]
    b.add(t(9, 4, 10), 1_005, 1)
    assert [x.start for x in b.bars()] == [t(9, 0), t(9, 2), t(9, 4)]
    five = b.aggregated(5)
    assert len(five) == 1
    assert (five[0].open, five[0].high, five[0].low, five[0].close, five[0].volume) == (
        1_000,
        1_010,
        995,
        1_005,
        12,
    )


def test_minute_bar_builder_rejects_bad_trades() -> None:
    b = MinuteBarBuilder()
    b.add(t(9, 5), 100, 1)
    with pytest.raises(ValueError, match="older"):
        b.add(t(9, 4, 59), 100, 1)
    with pytest.raises(ValueError, match="positive"):
        b.add(t(9, 5), 0, 1)
    with pytest.raises(ValueError, match="positive"):
        b.add(t(9, 5), 100, 0)


def test_minute_bar_builder_bounds_history() -> None:
    b = MinuteBarBuilder(maxlen=2)
    for m in range(5):
        b.add(t(10, m), 100 + m, 1)
    assert [x.open for x in b.completed()] == [102, 103]
    assert len(b.bars()) == 3
