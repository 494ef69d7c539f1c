"""QuoteService and ChartService over a small exchange without participants."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from _exchange_kit import BUY, DAY, SELL, at, make, order, pick

from hoga.adapters import open_storage
from hoga.domain.model import Market, Side
from hoga.engine.charts import (
    ChartService,
    SeriesBar,
    day_key,
    decode_key,
    encode_key,
    page,
)
from hoga.engine.history import DailyHistory
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.quotes import QuoteService, plain_code, trade_strength
from hoga.engine.universe import Universe
from hoga.ports.storage import Storage

CODES = ("005930", "004310", "247540")


@pytest.fixture
def storage() -> Iterator[Storage]:
    s = open_storage("memory://")
    yield s
    s.close()


@pytest.fixture
def quotes(storage: Storage) -> QuoteService:
    insts = pick(*CODES)
    universe = Universe(insts)
    ex, _clock, _ = make(insts, participants=False, start=at(10))
    ex.sync()
    recorder = MarketDataRecorder(DailyHistory(universe, seed=3, years=1))
    ex.add_listener(recorder)
    return QuoteService(ex, recorder, storage, universe)


def cross(q: QuoteService, price: int, qty: int, oid: int, aggressor: Side = BUY) -> None:
    ex = q.exchange
    first, second = (SELL, BUY) if aggressor is BUY else (BUY, SELL)
    ex.submit(order(oid, "005930", first, "0", qty, price))
    ex.submit(order(oid + 1, "005930", second, "0", qty, price))


def test_plain_code_and_strength() -> None:
    assert plain_code(" 005930_nx ") == "005930"
    assert plain_code("A005930") == "005930"
    assert plain_code("005930_AL") == "005930"
    assert plain_code("0126Z0") == "0126Z0"
    assert trade_strength(0, 0) == 0
    assert trade_strength(5, 0) == 500
    assert trade_strength(150, 100) == Decimal("150.00")
    assert trade_strength(10_000, 1) == 500


def test_quote_before_and_after_trades(quotes: QuoteService) -> None:
    assert quotes.resolve("A005930") == "005930" and quotes.resolve("999999") is None
    q0 = quotes.quote("005930")
    assert not q0.traded and q0.price == q0.base and q0.open is None and q0.volume == 0
    assert q0.day == DAY and q0.prev_volume == pick("005930")[0].volume  # the snapshot day
    assert q0.d250.high >= q0.base >= q0.d250.low and q0.d250.high_day is not None
    base = q0.base
    cross(quotes, base + 500, 10, 1, BUY)
    quotes.exchange.clock.set(at(10, 0, 5))  # type: ignore[attr-defined]
    cross(quotes, base - 500, 4, 3, SELL)
    q = quotes.quote("005930")
    assert q.traded and q.price == base - 500 and q.change == -500
    assert (q.open, q.high, q.low, q.volume) == (base + 500, base + 500, base - 500, 14)
    assert q.strength == Decimal("250.00")  # 10 bought / 4 sold
    assert q.last_qty == 4 and q.last_at == at(10, 0, 5)
    assert q.market_cap == q.price * q.instrument.listed_shares
    tape = quotes.tape("005930")
    assert [(t.price, t.cum_volume) for t in tape] == [(base - 500, 14), (base + 500, 10)]
    assert tape[0].cum_turnover == q.turnover and tape[1].strength == 500
    assert quotes.market_cap_total(Market.KOSPI) == sum(
        (quotes.quote(c).price) * quotes.state(c).instrument.listed_shares
        for c in quotes.codes(Market.KOSPI)
    )


def test_book_changes_since_the_previous_answer(quotes: QuoteService) -> None:
    ex = quotes.exchange
    base = quotes.state("005930").board.base_price
    ex.submit(order(1, "005930", BUY, "0", 10, base - 500))
    ex.submit(order(2, "005930", SELL, "0", 7, base + 500))
    first = quotes.book("005930")
    assert [(x.price, x.qty, x.count, x.change) for x in first.bids] == [(base - 500, 10, 1, 0)]
    assert first.total_ask == 7 and first.total_bid_change == 0
    ex.submit(order(3, "005930", BUY, "0", 5, base - 500))
    ex.submit(order(4, "005930", BUY, "0", 3, base - 1000))
    second = quotes.book("005930")
    assert [(x.price, x.qty, x.count, x.change) for x in second.bids] == [
        (base - 500, 15, 2, 5),
        (base - 1000, 3, 1, 0),  # a new level: no previous quantity
    ]
    assert second.total_bid == 18 and second.total_bid_change == 8
    assert second.offhours_bid == second.offhours_ask == 0
    last, qty, bids, asks = quotes.after_single("005930")
    assert (last, qty, bids, asks) == (None, 0, (), ())


def test_listing_size_classes(quotes: QuoteService) -> None:
    assert quotes.listing("005930").size_class == "대형주"
    assert quotes.listing("247540").size_class == "대형주"
    assert quotes.listing("004310").size_class == "대형주"  # ranked within the loaded names
    assert quotes.codes(Market.KOSDAQ) == ["247540"]


def test_paging_helpers() -> None:
    bars = [SeriesBar(k, DAY, 0, 1, 1, 1, 1, 1, 1, 1) for k in (9, 7, 5, 3, 1)]
    p1 = page(bars, None, 2)
    assert [b.key for b in p1.rows] == [9, 7] and p1.next_key == 7
    p2 = page(bars, p1.next_key, 2)
    assert [b.key for b in p2.rows] == [5, 3] and p2.next_key == 3
    p3 = page(bars, p2.next_key, 2)
    assert [b.key for b in p3.rows] == [1] and p3.next_key is None
    assert page(bars, 0, 2).rows == () and page(bars, None, 5).next_key is None
    with pytest.raises(ValueError, match="positive"):
        page(bars, None, 0)
    key = encode_key("ka10081", 20260721)
    assert decode_key("ka10081", key) == 20260721
    for bad in ("!!", encode_key("ka10082", 1), "aG9nYTE6a2ExMDA4MTp4"):
        with pytest.raises(ValueError):
            decode_key("ka10081", bad)
    assert day_key(DAY) == 20260722


def test_chart_series(quotes: QuoteService) -> None:
    charts = ChartService(quotes)
    base = quotes.state("005930").board.base_price
    cross(quotes, base + 500, 10, 1)
    quotes.exchange.clock.set(at(10, 3))  # type: ignore[attr-defined]
    cross(quotes, base + 1000, 5, 3)
    days = charts.daily("005930", DAY)
    assert days[0].day == DAY and days[0].close == base + 1000 and days[0].prev_close == base
    assert days[0].upper == quotes.state("005930").board.limits.upper
    assert days[-1].prev_close == days[-1].open  # the oldest bar has no previous close
    minutes = charts.minutes("005930", 1, quotes.exchange.now + 1, None, 10)
    assert [(m.close, m.acc_volume) for m in minutes] == [(base + 1000, 15), (base + 500, 10)]
    assert minutes[0].prev_close == base
    assert charts.minutes("005930", 5, quotes.exchange.now + 1, None, 10)[0].volume == 15
    ticks = charts.tick_bars("005930", 1)
    assert [(t.close, t.trades) for t in ticks] == [(base + 1000, 1), (base + 500, 1)]
    assert charts.recorded_days("005930", DAY) == [(DAY, base)]
