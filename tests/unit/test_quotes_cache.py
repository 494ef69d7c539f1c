"""QuoteService's caches: the daily-bar summary, the incremental market-cap total, the version
token handlers cache answers under. Each is checked against a from-scratch computation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from _exchange_kit import BUY, DAY, SELL, at, make, order, pick

from hoga.adapters import open_storage
from hoga.domain.model import Market
from hoga.domain.ticks import TickRules
from hoga.engine.history import DailyHistory
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.quotes import CAP_FULL_PASS_US, Extremes, Quote, QuoteService
from hoga.engine.universe import Universe
from hoga.ports.storage import DailyBar, Storage

CODES = ("005930", "000660", "004310", "247540")


@pytest.fixture
def storage() -> Iterator[Storage]:
    s = open_storage("memory://")
    yield s
    s.close()


@pytest.fixture
def quotes(storage: Storage) -> QuoteService:
    insts = pick(*CODES)
    ex, _clock, _ = make(insts, participants=False, start=at(10))
    ex.sync()
    recorder = MarketDataRecorder(DailyHistory(Universe(insts), seed=3, years=2))
    ex.add_listener(recorder)
    return QuoteService(ex, recorder, storage, Universe(insts))


def trade(q: QuoteService, code: str, price: int, qty: int, oid: int) -> None:
    q.exchange.submit(order(oid, code, SELL, "0", qty, price))
    q.exchange.submit(order(oid + 1, code, BUY, "0", qty, price))


def reference(bars: list[DailyBar], price: int) -> Extremes:
    """The extremes as the service computed them before the summary existed."""
    if not bars:
        return Extremes(price, None, price, None)
    hi = max(bars, key=lambda b: (b.high, b.day))
    lo = min(bars, key=lambda b: (b.low, -b.day.toordinal()))
    return Extremes(hi.high, hi.day, lo.low, lo.day)


def check_against_bars(q: QuoteService, code: str) -> Quote:
    quote = q.quote(code)
    day = quote.day
    bars = q.daily(code, day - timedelta(days=400), day)
    before = [b for b in bars if b.day < day]
    assert quote.prev_volume == (before[-1].volume if before else 0)
    assert quote.year == reference([b for b in bars if b.day.year == day.year], quote.price)
    assert quote.d250 == reference(bars[-250:], quote.price)
    return quote


def test_extremes_and_previous_day_match_the_daily_bars(quotes: QuoteService) -> None:
    for code in CODES:
        check_against_bars(quotes, code)
    base = quotes.state("005930").board.base_price
    trade(quotes, "005930", base + 2 * _tick(base), 3, 1)  # today's bar joins the windows
    trade(quotes, "005930", base - 2 * _tick(base), 2, 3)
    q = check_against_bars(quotes, "005930")
    assert q.traded and q.volume == 5 and q.high == base + 2 * _tick(base)


def _tick(price: int) -> int:
    return TickRules().tick(price, Market.KOSPI, DAY)


def test_the_tape_summary_follows_new_trades(quotes: QuoteService) -> None:
    base = quotes.state("005930").board.base_price
    assert quotes.quote("005930").last_qty == 0
    trade(quotes, "005930", base, 7, 1)
    assert quotes.quote("005930").last_qty == 7
    trade(quotes, "005930", base, 2, 3)
    q = quotes.quote("005930")
    assert q.last_qty == 2 and q.strength == 500  # buyers initiated both


def full_sum(q: QuoteService, market: Market) -> int:
    return sum(q.quote(c).price * q.state(c).instrument.listed_shares for c in q.codes(market))


def test_the_market_cap_total_is_exact_after_every_trade(quotes: QuoteService) -> None:
    first = quotes.market_cap_total(Market.KOSPI)
    assert first == full_sum(quotes, Market.KOSPI)
    oid = 1
    for code, step in (("005930", 1), ("000660", -1), ("005930", 2)):
        board = quotes.state(code).board
        price = board.base_price + step * 2 * _tick(board.base_price)
        trade(quotes, code, price, 1, oid)
        oid += 2
        assert quotes.market_cap_total(Market.KOSPI) == full_sum(quotes, Market.KOSPI)
    assert quotes.market_cap_total(Market.KOSPI) != first
    assert quotes.market_cap_total(Market.KOSDAQ) == full_sum(quotes, Market.KOSDAQ)


def test_a_base_price_reset_reaches_the_total_within_the_full_pass_interval(
    quotes: QuoteService,
) -> None:
    before = quotes.market_cap_total(Market.KOSPI)
    board = quotes.state("005930").board
    quotes.exchange.set_base_price("005930", board.base_price + 1_000)
    assert quotes.market_cap_total(Market.KOSPI) == before  # no trade: not seen yet
    clock = quotes.exchange.clock
    clock.advance(CAP_FULL_PASS_US)  # type: ignore[attr-defined]
    quotes.exchange.sync()
    assert quotes.market_cap_total(Market.KOSPI) == full_sum(quotes, Market.KOSPI) != before


def test_the_version_changes_with_trades_only(quotes: QuoteService) -> None:
    v = quotes.version("005930")
    assert v is not None and quotes.version("005930") == v
    quotes.exchange.submit(
        order(1, "005930", BUY, "0", 1, quotes.state("005930").board.limits.lower)
    )
    assert quotes.version("005930") == v  # a resting order changes nothing ka10001 shows
    trade(quotes, "005930", quotes.state("005930").board.base_price, 1, 10)
    assert quotes.version("005930") != v
