"""Index values from constituents: base level at the snapshot, cap weighting, live series."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _exchange_kit import BUY, DAY, SELL, at, make, order, pick

from hoga.adapters import open_storage
from hoga.domain.bars import Period
from hoga.engine.charts import day_key
from hoga.engine.history import DailyHistory
from hoga.engine.indices import BASE_DATE, INDICES, IndexService, scale
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.quotes import QuoteService
from hoga.engine.universe import Universe
from hoga.ports.storage import Storage

# two KOSPI stocks (one large cap), one KOSDAQ stock
CODES = ("005930", "004310", "035720")
KOSDAQ = "247540"


@pytest.fixture
def storage() -> Iterator[Storage]:
    s = open_storage("memory://")
    yield s
    s.close()


def market(storage: Storage) -> tuple[IndexService, QuoteService]:
    insts = pick(*CODES, KOSDAQ)
    universe = Universe(insts)
    ex, clock, _ = make(insts, participants=False, start=at(10))
    clock.set(at(10))
    ex.sync()
    recorder = MarketDataRecorder(DailyHistory(universe, seed=3, years=1))
    ex.add_listener(recorder)
    quotes = QuoteService(ex, recorder, storage, universe)
    return IndexService(quotes), quotes


def trade(quotes: QuoteService, code: str, price: int, qty: int = 10, oid: int = 1) -> None:
    ex = quotes.exchange
    ex.submit(order(oid, code, SELL, "0", qty, price))
    ex.submit(order(oid + 1, code, BUY, "0", qty, price))
    assert quotes.state(code).board.stats.last == price


def expected(quotes: QuoteService, code: str) -> int:
    d = INDICES[code]
    members = [i for i in quotes.universe.values() if d.member(i)]
    base = sum(i.base_price * i.listed_shares for i in members)
    cap = 0
    for i in members:
        s = quotes.state(i.code).board.stats
        cap += (s.last or s.base_price) * i.listed_shares
    return scale(d.base_x100, cap, base)


def test_scale_rounds_half_up() -> None:
    assert scale(675_000, 2, 2) == 675_000
    assert scale(1, 1, 2) == 1  # 0.5 → 1
    assert scale(3, 1, 2) == 2  # 1.5 → 2
    assert scale(10, 1, 3) == 3  # 3.33 → 3
    assert scale(500, 7, 0) == 500  # no constituents: the base level


def test_members(storage: Storage) -> None:
    idx, _ = market(storage)
    assert [i.code for i in idx.members("001")] == ["004310", "005930", "035720"]
    assert [i.code for i in idx.members("201")] == ["005930", "035720"]  # large caps
    assert [i.code for i in idx.members("101")] == [KOSDAQ]
    assert idx.get(" 001 ") is INDICES["001"] and idx.get("999") is None


def test_index_is_the_base_level_at_the_snapshot_and_follows_trades(storage: Storage) -> None:
    idx, quotes = market(storage)
    for code in INDICES:
        q = idx.quote(code)
        assert q.value == q.prev_close == INDICES[code].base_x100  # first day after the snapshot
        bars = idx.daily(code, BASE_DATE)
        assert bars[0].day == BASE_DATE and bars[0].close == INDICES[code].base_x100
        assert idx.minutes(code, 1, quotes.exchange.now + 1) == []
    assert idx.daily("001", DAY)[0].day == BASE_DATE  # no trades today: no bar yet
    board = quotes.state("005930").board
    up = board.base_price + 1_000  # two ticks, inside every VI band
    trade(quotes, "005930", up, oid=1)
    q = idx.quote("001")
    assert q.value == expected(quotes, "001") > INDICES["001"].base_x100
    assert q.volume == 10 and q.turnover == 10 * up
    assert idx.quote("101").value == INDICES["101"].base_x100  # KOSDAQ did not move
    today = idx.daily("001", DAY)[0]
    assert today.key == day_key(DAY) and today.close == q.value and today.volume == 10
    assert today.prev_close == INDICES["001"].base_x100
    minute = idx.minutes("001", 1, quotes.exchange.now + 1)
    assert len(minute) == 1 and minute[0].close == q.value and minute[0].acc_volume == 10
    ticks = idx.tick_bars("001", 1)
    assert [t.close for t in ticks] == [q.value]
    low = board.base_price - 1_000
    quotes.exchange.clock.set(at(10, 2))  # type: ignore[attr-defined]
    trade(quotes, "005930", low, oid=3)
    q2 = idx.quote("001")
    assert q2.value == expected(quotes, "001") < INDICES["001"].base_x100
    ticks = idx.tick_bars("001", 1)
    assert [t.close for t in ticks] == [q2.value, q.value]
    assert idx.tick_bars("001", 5)[0].trades == 2
    minutes = idx.minutes("001", 1, quotes.exchange.now + 1)
    assert [m.close for m in minutes] == [q2.value, q.value]
    assert minutes[0].acc_volume == 20
    five = idx.minutes("001", 5, quotes.exchange.now + 1)
    assert len(five) == 1 and five[0].high == q.value and five[0].low == q2.value


def test_rolled_up_index_bars(storage: Storage) -> None:
    idx, _ = market(storage)
    days = idx.daily("201", BASE_DATE)
    weeks = idx.daily("201", BASE_DATE, Period.WEEK)
    years = idx.daily("201", BASE_DATE, Period.YEAR)
    assert (
        sum(b.volume for b in weeks) == sum(b.volume for b in days) == sum(b.volume for b in years)
    )
    assert weeks[0].close == days[0].close == years[0].close
    assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in days)
    assert weeks[0].prev_close == weeks[1].close
    idx.invalidate()
    assert idx.daily("201", BASE_DATE) == days
