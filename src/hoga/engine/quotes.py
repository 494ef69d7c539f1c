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
  days, and today's live bar. The days before today are read (history + storage) once per
  instrument and trading day and kept as a summary (previous bar, extremes); each quote only
  folds today's live bar into it, so a quote costs no storage access after the first of the day.
  Stored bars of past days do not change while a day trades (the recorder writes only the bar
  of the day it is recording), so the summary stays exact.
- The tape summary (strength, last trade) is recomputed only when a new trade reached the tape.
- :meth:`QuoteService.version` is a cheap token of everything a quote of one instrument shows
  (today's bar, phase, base price, limits, day); handlers may cache formatted answers under it
  (ka10001 does). It is None during call auctions, whose indicative price moves with every
  order.
- Size class (대형/중형/소형주): rank by market cap at base prices within the instrument's market
  in the loaded universe — KOSPI 1–100 / 101–300 / rest, KOSDAQ 1–100 / 101–400 / rest (the KRX
  size-index rule); other markets have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hoga.domain.board_orders import AUCTION_PHASES, BoardPhase, DepthLevel
from hoga.domain.events import Trade
from hoga.domain.kst import kst_date
from hoga.domain.limits import PriceLimits
from hoga.domain.model import Instrument, Market, Side
from hoga.engine.exchange import Exchange, InstrumentState, SeqEvent
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.universe import Universe
from hoga.ports.storage import DailyBar, Storage

__all__ = [
    "CAP_FULL_PASS_US",
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

#: At most this much simulated time between two full passes of market_cap_total.
CAP_FULL_PASS_US = 60_000_000
_KST_US = 9 * 3_600_000_000
_DAY_US = 86_400_000_000
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
        self._caps: dict[Market, int] = {}  # market_cap_total, kept incrementally
        self._terms: dict[str, int] = {}  # code → its term of the total
        self._touched: set[str] = set()  # traded since the total was last brought up to date
        self._cap_until = -1  # simulated µs when the next full pass is due
        exchange.add_listener(self._on_events)
        self._past: dict[str, _Past] = {}
        self._tapes: dict[str, tuple[date, object, _TapeSummary]] = {}
        #: formatted answers cached by handlers under :meth:`version` (see stkinfo.ka10001)
        self.answers: dict[tuple[str, str], tuple[object, object]] = {}
        self._plain: dict[str, str] = {}  # request text -> plain_code(text)

    # ------------------------------------------------------------------ lookup

    def sync(self) -> int:
        """Bring the exchange up to the clock; returns the time."""
        return self.exchange.sync()

    def resolve(self, text: str) -> str | None:
        """The code a request names, or None when no such instrument trades here."""
        code = self._plain.get(text)
        if code is None:
            code = plain_code(text)
            if len(self._plain) >= 10_000:
                self._plain.clear()
            self._plain[text] = code
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
        day = board.day
        exp_price, exp_qty = board.indicative()
        past = self._past_of(code, day)
        today = self.recorder.today(code)
        if today is None or today.day != day:
            today = past.stored_today
        price = stats.last if stats.last is not None else board.base_price
        tape = self._tape_of(code, day)
        prev = past.prev
        if today is None:
            year, d250 = past.year, past.last250
        else:
            year, d250 = _with_today(past.year, today), _with_today(past.last249, today)
        return Quote(
            instrument=state.instrument,
            at=self.exchange.now,
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
            last_qty=tape.last_qty,
            last_at=tape.last_at,
            strength=tape.strength,
            prev_volume=prev.volume if prev else 0,
            prev_turnover=prev.turnover if prev else 0,
            year=year or Extremes(price, None, price, None),
            d250=d250 or Extremes(price, None, price, None),
        )

    def version(self, code: str) -> object | None:
        """A token that changes whenever :meth:`quote` of ``code`` could show something new,
        apart from the clock-only field ``at``; None while the board is in a call auction (the
        indicative price moves with every order). Every trade replaces the recorder's bar of the
        day, so a trade always changes the token."""
        board = self.exchange.states[code].board
        phase = board.phase
        if phase in AUCTION_PHASES:
            return None
        return (self.recorder.today(code), phase, board.base_price, board.limits, board.day)

    def _past_of(self, code: str, day: date) -> _Past:
        """The summary of the daily bars before ``day`` (see the module docstring)."""
        past = self._past.get(code)
        if past is not None and past.day == day:
            return past
        bars = self.daily(code, day - timedelta(days=400), day)
        before = [b for b in bars if b.day < day]
        stored = bars[-1] if bars and bars[-1].day == day else None
        this_year = [b for b in before if b.day.year == day.year]
        past = _Past(
            day=day,
            prev=before[-1] if before else None,
            year=_extremes_of(this_year),
            last250=_extremes_of(before[-250:]),
            last249=_extremes_of(before[-249:]),
            stored_today=stored,
        )
        self._past[code] = past
        return past

    def _tape_of(self, code: str, day: date) -> _TapeSummary:
        """Strength and last trade over today's tape; recomputed when a trade was added."""
        entries = self.recorder.tapes.get(code)
        newest = entries[-1] if entries else None
        held = self._tapes.get(code)
        if held is not None and held[0] == day and held[1] is newest:
            return held[2]
        tape = [t for t in self.recorder.tape(code) if kst_date(t.at) == day]
        buy = sum(t.qty for t in tape if t.aggressor is Side.BUY)
        sell = sum(t.qty for t in tape if t.aggressor is Side.SELL)
        summary = _TapeSummary(
            tape[0].qty if tape else 0, tape[0].at if tape else None, trade_strength(buy, sell)
        )
        self._tapes[code] = (day, newest, summary)
        return summary

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

        Kept incrementally: each instrument's term is re-read when a trade printed on it (the
        service listens to the exchange), so the total is exact after every trade; base-price
        changes without a trade (a new trading day, an operator's reset) are picked up by a
        full pass at most :data:`CAP_FULL_PASS_US` of simulated time (60 s) after the previous
        one, and on a new KST date.
        """
        now = self.exchange.now
        if now >= self._cap_until:
            self._cap_full(now)
        elif self._touched:
            touched, self._touched = self._touched, set()
            terms, caps = self._terms, self._caps
            for code in touched:
                old = terms.get(code)
                if old is None:
                    continue  # not listed in the universe (never counted)
                state = self.exchange.states[code]
                new = _cap_term(state)
                if new != old:
                    terms[code] = new
                    m = state.instrument.market
                    caps[m] = caps.get(m, 0) + new - old
        return self._caps.get(market, 0)

    def _cap_full(self, now: int) -> None:
        terms: dict[str, int] = {}
        caps: dict[Market, int] = {}
        states = self.exchange.states
        for market in Market:
            total = 0
            for inst in self.universe.by_market(market):
                state = states.get(inst.code)
                if state is not None:
                    total += (term := _cap_term(state))
                    terms[inst.code] = term
            caps[market] = total
        self._terms, self._caps = terms, caps
        self._touched = set()
        midnight = (now + _KST_US) // _DAY_US * _DAY_US + _DAY_US - _KST_US  # the next, KST
        self._cap_until = min(now + CAP_FULL_PASS_US, midnight)

    def _on_events(self, batch: list[SeqEvent]) -> None:
        """Exchange listener: remember which instruments traded (for market_cap_total)."""
        touched = self._touched
        for _, ev in batch:
            if type(ev) is Trade:
                touched.add(ev.code)


def _cap_term(state: InstrumentState) -> int:
    return state.board.price * state.instrument.listed_shares


@dataclass(frozen=True, slots=True)
class _Past:
    """Daily bars before ``day`` of one instrument, summarized (see the module docstring)."""

    day: date
    prev: DailyBar | None  # the last bar before ``day``
    year: Extremes | None  # over the bars of ``day``'s year (None: there are none)
    last250: Extremes | None  # over the last 250 bars (the window when today has no bar)
    last249: Extremes | None  # over the last 249 (today's bar makes the 250th)
    stored_today: DailyBar | None  # a stored/synthetic bar of ``day`` (after a restart)


@dataclass(frozen=True, slots=True)
class _TapeSummary:
    last_qty: int
    last_at: int | None
    strength: Decimal


def _extremes_of(bars: list[DailyBar]) -> Extremes | None:
    """Highest high (latest day on ties) and lowest low (earliest day on ties), or None."""
    if not bars:
        return None
    hi = max(bars, key=lambda b: (b.high, b.day))
    lo = min(bars, key=lambda b: (b.low, -b.day.toordinal()))
    return Extremes(hi.high, hi.day, lo.low, lo.day)


def _with_today(past: Extremes | None, today: DailyBar) -> Extremes:
    """``past`` extended by ``today``'s bar (a later day than any bar in ``past``)."""
    if past is None:
        return Extremes(today.high, today.day, today.low, today.day)
    high, high_day = (
        (today.high, today.day) if today.high >= past.high else (past.high, past.high_day)
    )
    low, low_day = (today.low, today.day) if today.low < past.low else (past.low, past.low_day)
    return Extremes(high, high_day, low, low_day)
