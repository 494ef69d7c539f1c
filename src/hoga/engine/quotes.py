"""Live quotes for the market-data API: one consistent view of an instrument now.

:class:`QuoteService` reads the exchange's boards, the market-data recorder (tape, today's bar,
stored and synthetic daily bars) and the universe, and returns plain values
(:class:`Quote`, :class:`BookView`, :class:`TapeRow`, :class:`Listing`) that the API formats.
It never changes the market; :meth:`QuoteService.sync` only brings the exchange up to the clock
(runs due timers) so an answer reflects "now".

Decisions (documented for the wire layer):
- The price of an instrument that has not traded today is its base price (the previous close);
  open/high/low are None then.
- Book "직전대비" (change of a level's quantity) is the change since the previous book this
  service answered for the same code in this process (0 for a price level first seen, and for
  every level of the first answer). The exchange keeps no per-level history.
- 체결강도 (trade strength) is buy-initiated ÷ sell-initiated volume × 100 over the recorder's
  tape for today (the most recent trades); 500.00 when only buyers initiated, 0 when nobody did.
- 250-day and year high/low come from daily bars: synthetic history, the recorder's stored
  days, and today's live bar.
- Size class (대형/중형/소형주): rank by market cap at base prices within the instrument's market
  in the loaded universe — KOSPI 1–100 / 101–300 / rest, KOSDAQ 1–100 / 101–400 / rest (the KRX
  size-index rule); other markets have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hoga.domain.board_orders import AUCTION_PHASES, BoardPhase, DepthLevel
from hoga.domain.kst import kst_date
from hoga.domain.limits import PriceLimits
from hoga.domain.model import Instrument, Market, Side
from hoga.engine.exchange import Exchange, InstrumentState
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.universe import Universe
from hoga.ports.storage import DailyBar, Storage

__all__ = [
    "BookLevel",
    "BookView",
    "Extremes",
    "Listing",
    "Quote",
    "QuoteService",
    "TapeRow",
    "plain_code",
    "trade_strength",
]

_STRENGTH_CAP = Decimal(500)
_SIZE_RANKS: dict[Market, tuple[int, int]] = {Market.KOSPI: (100, 300), Market.KOSDAQ: (100, 400)}


def plain_code(text: str) -> str:
    """The 6-character code of a request value: strips blanks, an ``A`` prefix and an
    exchange suffix (``_NX``, ``_AL``) — hoga simulates one exchange, KRX."""
    code = text.strip().upper()
    for suffix in ("_NX", "_AL", "_KRX"):
        if code.endswith(suffix):
            code = code[: -len(suffix)]
    if len(code) == 7 and code.startswith("A"):
        code = code[1:]
    return code


def trade_strength(buy: int, sell: int) -> Decimal:
    """체결강도: ``buy / sell * 100`` to 2 places; capped at 500 (see module docstring)."""
    if sell == 0:
        return _STRENGTH_CAP if buy else Decimal(0)
    value = Decimal(buy) * 100 / Decimal(sell)
    return min(value, _STRENGTH_CAP).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class Extremes:
    """Highest and lowest daily high/low over a window, with their dates."""

    high: int
    high_day: date | None
    low: int
    low_day: date | None


@dataclass(frozen=True, slots=True)
class Quote:
    """Everything the quote APIs show about one instrument at ``at``."""

    instrument: Instrument
    at: int
    day: date
    phase: BoardPhase
    halted: bool
    base: int  # 기준가 = previous close
    price: int  # last trade today, else the base price
    traded: bool
    open: int | None
    high: int | None
    low: int | None
    volume: int
    turnover: int
    limits: PriceLimits
    best_bid: int | None
    best_ask: int | None
    exp_price: int | None  # indicative auction price (auctions only)
    exp_qty: int
    last_qty: int
    last_at: int | None
    strength: Decimal
    prev_volume: int
    prev_turnover: int
    year: Extremes
    d250: Extremes

    @property
    def code(self) -> str:
        return self.instrument.code

    @property
    def change(self) -> int:
        return self.price - self.base

    @property
    def market_cap(self) -> int:
        """시가총액 in won at the current price."""
        return self.price * self.instrument.listed_shares

    @property
    def in_auction(self) -> bool:
        return self.phase in AUCTION_PHASES


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: int
    qty: int
    count: int
    change: int  # 직전대비 (see module docstring)


@dataclass(frozen=True, slots=True)
class BookView:
    """The public book (10 levels; 3 during an auction) plus off-hours totals."""

    at: int
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    total_bid: int
    total_ask: int
    total_bid_change: int
    total_ask_change: int
    offhours_bid: int
    offhours_ask: int


@dataclass(frozen=True, slots=True)
class TapeRow:
    at: int
    price: int
    qty: int
    aggressor: Side | None
    cum_volume: int
    cum_turnover: int
    strength: Decimal


@dataclass(frozen=True, slots=True)
class Listing:
    """Static listing facts (ka10099/ka10100)."""

    instrument: Instrument
    base: int
    size_class: str


class QuoteService:
    """Read-only quotes over the running exchange (see the module docstring)."""

    def __init__(
        self,
        exchange: Exchange,
        recorder: MarketDataRecorder,
        storage: Storage,
        universe: Universe,
    ) -> None:
        self.exchange = exchange
        self.recorder = recorder
        self.storage = storage
        self.universe = universe
        self._books: dict[tuple[str, Side], dict[int, int]] = {}
        self._totals: dict[tuple[str, Side], int] = {}
        self._sizes: dict[str, str] | None = None
        self._caps: dict[Market, tuple[int, int]] = {}

    # ------------------------------------------------------------------ lookup

    def sync(self) -> int:
        """Bring the exchange up to the clock; returns the time."""
        return self.exchange.sync()

    def resolve(self, text: str) -> str | None:
        """The code a request names, or None when no such instrument trades here."""
        code = plain_code(text)
        return code if code in self.exchange.states else None

    def state(self, code: str) -> InstrumentState:
        return self.exchange.states[code]

    def codes(self, market: Market) -> list[str]:
        """Codes listed on ``market`` that trade here, in code order."""
        return [i.code for i in self.universe.by_market(market) if i.code in self.exchange.states]

    # ------------------------------------------------------------------ quotes

    def daily(self, code: str, first: date, last: date) -> list[DailyBar]:
        """Daily bars (synthetic, stored, today live) in ``[first, last]``, oldest first."""
        return self.recorder.daily_bars(self.storage, code, first, last)

    def quote(self, code: str) -> Quote:
        state = self.state(code)
        board = state.board
        stats = board.stats
        now = self.exchange.now
        day = board.day
        exp_price, exp_qty = board.indicative()
        bars = self.daily(code, day - timedelta(days=400), day)
        before = [b for b in bars if b.day < day]
        prev = before[-1] if before else None
        price = stats.last if stats.last is not None else board.base_price
        tape = [t for t in self.recorder.tape(code) if kst_date(t.at) == day]
        buy = sum(t.qty for t in tape if t.aggressor is Side.BUY)
        sell = sum(t.qty for t in tape if t.aggressor is Side.SELL)
        year = [b for b in bars if b.day.year == day.year]
        return Quote(
            instrument=state.instrument,
            at=now,
            day=day,
            phase=board.phase,
            halted=state.halted,
            base=board.base_price,
            price=price,
            traded=stats.last is not None,
            open=stats.open,
            high=stats.high,
            low=stats.low,
            volume=stats.volume,
            turnover=stats.turnover,
            limits=stats.limits,
            best_bid=stats.best_bid,
            best_ask=stats.best_ask,
            exp_price=exp_price,
            exp_qty=exp_qty,
            last_qty=tape[0].qty if tape else 0,
            last_at=tape[0].at if tape else None,
            strength=trade_strength(buy, sell),
            prev_volume=prev.volume if prev else 0,
            prev_turnover=prev.turnover if prev else 0,
            year=_extremes(year, price),
            d250=_extremes(bars[-250:], price),
        )

    def book(self, code: str, levels: int = 10) -> BookView:
        """The public book of ``code`` with 직전대비 against the previous answer."""
        state = self.state(code)
        depth = state.board.depth(levels)
        bids = self._levels(code, Side.BUY, depth.bids)
        asks = self._levels(code, Side.SELL, depth.asks)
        total_bid = sum(x.qty for x in bids)
        total_ask = sum(x.qty for x in asks)
        off_bid = off_ask = 0
        for book in (state.pre_close, state.post_close):
            if book is not None:
                b, a = book.depth()
                off_bid += b
                off_ask += a
        return BookView(
            at=self.exchange.now,
            bids=bids,
            asks=asks,
            total_bid=total_bid,
            total_ask=total_ask,
            total_bid_change=self._total_change(code, Side.BUY, total_bid),
            total_ask_change=self._total_change(code, Side.SELL, total_ask),
            offhours_bid=off_bid,
            offhours_ask=off_ask,
        )

    def _levels(
        self, code: str, side: Side, levels: tuple[DepthLevel, ...]
    ) -> tuple[BookLevel, ...]:
        before = self._books.get((code, side), {})
        out = tuple(
            BookLevel(x.price, x.qty, x.count, x.qty - before.get(x.price, x.qty)) for x in levels
        )
        self._books[(code, side)] = {x.price: x.qty for x in levels}
        return out

    def _total_change(self, code: str, side: Side, total: int) -> int:
        before = self._totals.get((code, side), total)
        self._totals[(code, side)] = total
        return total - before

    def after_single(
        self, code: str, levels: int = 5
    ) -> tuple[int | None, int, tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
        """시간외 단일가: (last price or None, indicative qty, bids, asks) as (price, qty)."""
        book = self.state(code).after_single
        if book is None:
            return None, 0, (), ()
        bids, asks = book.depth(levels)
        _, qty = book.indicative()
        return book.last, qty, bids, asks

    def tape(self, code: str) -> list[TapeRow]:
        """Today's recent trades, newest first, with running totals and strength."""
        day = self.state(code).board.day
        trades = [t for t in self.recorder.tape(code) if kst_date(t.at) == day]
        rows: list[TapeRow] = []
        turnover = buy = sell = 0
        known = sum(t.price * t.qty for t in trades)
        offset = self.state(code).board.stats.turnover - known  # older trades not in the tape
        for t in reversed(trades):
            turnover += t.price * t.qty
            if t.aggressor is Side.BUY:
                buy += t.qty
            elif t.aggressor is Side.SELL:
                sell += t.qty
            rows.append(
                TapeRow(
                    t.at,
                    t.price,
                    t.qty,
                    t.aggressor,
                    t.cum_volume,
                    offset + turnover,
                    trade_strength(buy, sell),
                )
            )
        rows.reverse()
        return rows

    # ------------------------------------------------------------------ listing

    def listing(self, code: str) -> Listing:
        state = self.state(code)
        return Listing(state.instrument, state.board.base_price, self._size_class(code))

    def _size_class(self, code: str) -> str:
        if self._sizes is None:
            sizes: dict[str, str] = {}
            for market, (large, mid) in _SIZE_RANKS.items():
                ranked = sorted(
                    (i for i in self.universe.by_market(market) if i.kind != "etf"),
                    key=lambda i: (-i.base_price * i.listed_shares, i.code),
                )
                for n, inst in enumerate(ranked, 1):
                    sizes[inst.code] = (
                        "대형주" if n <= large else "중형주" if n <= mid else "소형주"
                    )
            self._sizes = sizes
        return self._sizes.get(code, "")

    def market_cap_total(self, market: Market) -> int:
        """Σ price × listed shares over ``market`` at live prices (시가총액비중's denominator).

        Summing a whole market is a pass over up to ~1,800 boards, so the total is computed at
        most once per simulated second: a quote's weight may lag the market by up to a second.
        """
        second = self.exchange.now // 1_000_000
        cached = self._caps.get(market)
        if cached is not None and cached[0] == second:
            return cached[1]
        total = 0
        for code in self.codes(market):
            state = self.state(code)
            stats = state.board.stats
            price = stats.last if stats.last is not None else stats.base_price
            total += price * state.instrument.listed_shares
        self._caps[market] = (second, total)
        return total


def _extremes(bars: list[DailyBar], price: int) -> Extremes:
    if not bars:
        return Extremes(price, None, price, None)
    hi = max(bars, key=lambda b: (b.high, b.day))
    lo = min(bars, key=lambda b: (b.low, -b.day.toordinal()))
    return Extremes(hi.high, hi.day, lo.low, lo.day)
