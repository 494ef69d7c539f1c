"""Market indices computed from their constituents: KOSPI (001), KOSDAQ (101), KOSPI200 (201).

Each index is market-cap weighted: ``level × Σ(price × listed shares) / Σ(snapshot price × listed
shares)`` over its constituents in the loaded universe, so every index equals its documented
base level at the snapshot close (2026-07-21) and moves with its constituents' prices. Values are
integers ×100 (Kiwoom's sector charts send "지수 × 100": ``674795`` = 6,747.95), rounded half up.

Constituents: 001 = every KOSPI-listed instrument (stocks, preferred shares, REITs and funds; not
ETFs/ETNs); 101 = every KOSDAQ instrument; 201 = the universe's ``large_cap`` flags (the 200
largest KOSPI common stocks — the KOSPI200 stand-in, see :mod:`hoga.engine.universe`). A
constituent that has not traded counts at its base price (intraday) or its last close (history).

Base levels (:data:`INDICES`): the snapshot data has no index levels, so they are round numbers
chosen near what the snapshot's market caps imply (KOSPI cap ≈ 5,525 trillion won): KOSPI
6,750.00 — close to the 6,747.95 example value the spec records from a 2026-07/08 measurement —
KOSDAQ 1,000.00, KOSPI200 900.00. They are data, dated by :data:`BASE_DATE`.

Bars (documented approximation): an index bar's close is the weighted sum of constituent closes;
its open/high/low use each constituent's own open/high/low in that bar (constituents that did not
trade in the bar carry their last price). Highs of different constituents need not coincide, so
an index high/low is an envelope of the true intrabar path. Volume and turnover are sums.
Intraday series (minute and tick) cover the current trading day. Daily history before the
snapshot comes from the constituents' synthetic bars; days after it from what the simulated
market recorded (see :mod:`hoga.engine.charts` on the gap after the snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from hoga.domain import bars as dbars
from hoga.domain.kst import US_PER_DAY, at_kst
from hoga.domain.model import Instrument, Market
from hoga.engine.charts import FIRST_DAY, SeriesBar, day_key
from hoga.engine.quotes import QuoteService
from hoga.ports.storage import DailyBar

__all__ = ["BASE_DATE", "INDICES", "IndexDef", "IndexQuote", "IndexService", "scale"]

#: The snapshot close the base levels refer to.
BASE_DATE = date(2026, 7, 21)


@dataclass(frozen=True, slots=True)
class IndexDef:
    code: str
    name: str
    group: str  # ka10101 mrkt_tp that lists it
    base_x100: int  # the level at BASE_DATE, ×100
    member: Callable[[Instrument], bool]


INDICES: dict[str, IndexDef] = {
    d.code: d
    for d in (
        IndexDef("001", "종합(KOSPI)", "0", 675_000, lambda i: i.market is Market.KOSPI),
        IndexDef("101", "종합(KOSDAQ)", "1", 100_000, lambda i: i.market is Market.KOSDAQ),
        IndexDef("201", "KOSPI200", "2", 90_000, lambda i: i.large_cap),
    )
}


def scale(base_x100: int, cap: int, base_cap: int) -> int:
    """``base_x100 × cap / base_cap`` rounded half up (``base_x100`` when ``base_cap`` is 0)."""
    if base_cap <= 0:
        return base_x100
    return (2 * base_x100 * cap + base_cap) // (2 * base_cap)


@dataclass(frozen=True, slots=True)
class IndexQuote:
    code: str
    value: int  # ×100
    prev_close: int  # ×100, from the constituents' base prices
    volume: int
    turnover: int


class IndexService:
    """Index values and series over the running market (see the module docstring)."""

    def __init__(self, quotes: QuoteService) -> None:
        self.quotes = quotes
        self._history: dict[tuple[str, date], list[SeriesBar]] = {}

    def get(self, code: str) -> IndexDef | None:
        return INDICES.get(code.strip())

    def members(self, code: str) -> list[Instrument]:
        d = INDICES[code]
        states = self.quotes.exchange.states
        return [i for i in self.quotes.universe.values() if d.member(i) and i.code in states]

    def _base_cap(self, members: Iterable[Instrument]) -> int:
        return sum(i.base_price * i.listed_shares for i in members)

    def _value(self, code: str, cap: int, base_cap: int) -> int:
        return scale(INDICES[code].base_x100, cap, base_cap)

    # ------------------------------------------------------------------ now

    def quote(self, code: str) -> IndexQuote:
        members = self.members(code)
        base_cap = self._base_cap(members)
        cap = prev = volume = turnover = 0
        for inst in members:
            stats = self.quotes.state(inst.code).board.stats
            price = stats.last if stats.last is not None else stats.base_price
            cap += price * inst.listed_shares
            prev += stats.base_price * inst.listed_shares
            volume += stats.volume
            turnover += stats.turnover
        return IndexQuote(
            code,
            self._value(code, cap, base_cap),
            self._value(code, prev, base_cap),
            volume,
            turnover,
        )

    # ------------------------------------------------------------------ days

    def daily(self, code: str, until: date, period: dbars.Period | None = None) -> list[SeriesBar]:
        """Daily (or rolled-up) index bars up to ``until``, newest first."""
        today = self.quotes.exchange.day
        key = (code, today)
        bars = self._history.get(key)
        if bars is None:
            self._history = {k: v for k, v in self._history.items() if k[1] == today}
            bars = self._history[key] = self._days(code, today)
        rows = [b for b in bars if b.day <= until]
        live = self._today(code)
        if live is not None and live.day <= until:
            rows.append(live)
        if period is not None:
            rolled = dbars.aggregate_daily(
                (
                    dbars.DailyBar(b.day, b.open, b.high, b.low, b.close, b.volume, b.turnover)
                    for b in rows
                ),
                period,
            )
            rows = [
                SeriesBar(
                    day_key(r.date),
                    r.date,
                    at_kst(r.date),
                    r.open,
                    r.high,
                    r.low,
                    r.close,
                    r.volume,
                    r.turnover,
                    0,
                )
                for r in rolled
            ]
        prev: int | None = None
        out: list[SeriesBar] = []
        for b in rows:
            out.append(_with_prev(b, b.open if prev is None else prev))
            prev = b.close
        out.reverse()
        return out

    def _today(self, code: str) -> SeriesBar | None:
        """Today's live index bar from the boards, or None before any constituent traded."""
        members = self.members(code)
        base_cap = self._base_cap(members)
        caps = [0, 0, 0, 0]
        volume = turnover = 0
        day = self.quotes.exchange.day
        for inst in members:
            s = self.quotes.state(inst.code).board.stats
            last = s.last if s.last is not None else s.base_price
            quad = (s.open or last, s.high or last, s.low or last, last)
            for n in range(4):
                caps[n] += quad[n] * inst.listed_shares
            volume += s.volume
            turnover += s.turnover
        if volume == 0:
            return None
        o, h, lo, c = (self._value(code, x, base_cap) for x in caps)
        return SeriesBar(day_key(day), day, at_kst(day), o, h, lo, c, volume, turnover, 0)

    def _days(self, code: str, today: date) -> list[SeriesBar]:
        """Every index day bar before ``today``, oldest first (cached per trading day)."""
        members = self.members(code)
        base_cap = self._base_cap(members)
        before = today - timedelta(days=1)
        per: dict[str, dict[date, DailyBar]] = {
            i.code: {b.day: b for b in self.quotes.daily(i.code, FIRST_DAY, before)}
            for i in members
        }
        days = sorted({d for bars in per.values() for d in bars})
        last: dict[str, int] = {}
        out: list[SeriesBar] = []
        for d in days:
            caps = [0, 0, 0, 0]
            volume = turnover = 0
            for inst in members:
                bar = per[inst.code].get(d)
                if bar is None:
                    p = last.get(inst.code)
                    if p is None:
                        p = _first_open(per[inst.code], inst.base_price)
                    quad = (p, p, p, p)
                else:
                    quad = (bar.open, bar.high, bar.low, bar.close)
                    volume += bar.volume
                    turnover += bar.turnover
                    last[inst.code] = bar.close
                for n in range(4):
                    caps[n] += quad[n] * inst.listed_shares
            o, h, lo, c = (self._value(code, x, base_cap) for x in caps)
            out.append(SeriesBar(day_key(d), d, at_kst(d), o, h, lo, c, volume, turnover, 0))
        return out

    def invalidate(self) -> None:
        """Forget cached history (after the market's recorded days changed under us)."""
        self._history.clear()

    # ------------------------------------------------------------------ intraday

    def minutes(self, code: str, scope: int, until: int) -> list[SeriesBar]:
        """Today's ``scope``-minute index bars before ``until``, newest first."""
        quotes = self.quotes
        members = self.members(code)
        base_cap = self._base_cap(members)
        day = quotes.exchange.day
        start = at_kst(day)
        price: dict[str, int] = {}
        moves: dict[int, list[tuple[Instrument, dbars.MinuteBar]]] = {}
        for inst in members:
            price[inst.code] = quotes.state(inst.code).board.base_price
            ones = quotes.recorder.minute_bars(
                quotes.storage, inst.code, start, min(start + US_PER_DAY, until)
            )
            rolled = dbars.aggregate_minutes(
                (
                    dbars.MinuteBar(b.start, b.open, b.high, b.low, b.close, b.volume, b.turnover)
                    for b in ones
                ),
                scope,
            )
            for b in rolled:
                moves.setdefault(b.start, []).append((inst, b))
        cap = sum(price[i.code] * i.listed_shares for i in members)
        prev_close = self._value(code, cap, base_cap)
        out: list[SeriesBar] = []
        acc = 0
        for t in sorted(moves):
            caps = [cap, cap, cap, cap]
            volume = turnover = 0
            for inst, b in moves[t]:
                old = price[inst.code] * inst.listed_shares
                for n, p in enumerate((b.open, b.high, b.low, b.close)):
                    caps[n] += p * inst.listed_shares - old
                price[inst.code] = b.close
                volume += b.volume
                turnover += b.turnover
            cap = caps[3]
            acc += volume
            o, h, lo, c = (self._value(code, x, base_cap) for x in caps)
            out.append(
                SeriesBar(t, day, t, o, h, lo, c, volume, turnover, prev_close, None, None, acc)
            )
        out.reverse()
        return out

    def tick_bars(self, code: str, scope: int) -> list[SeriesBar]:
        """Today's index after each constituent trade, ``scope`` trades per bar, newest first."""
        quotes = self.quotes
        members = self.members(code)
        base_cap = self._base_cap(members)
        day = quotes.exchange.day
        start = at_kst(day)
        quotes.recorder.flush(quotes.storage)
        price: dict[str, int] = {}
        shares: dict[str, int] = {}
        ticks: list[tuple[int, int, str, int, int]] = []
        with quotes.storage.unit_of_work() as uow:
            for inst in members:
                price[inst.code] = quotes.state(inst.code).board.base_price
                shares[inst.code] = inst.listed_shares
                for t in uow.ticks.range(inst.code, start, start + US_PER_DAY):
                    ticks.append((t.at, t.seq, t.code, t.price, t.qty))
        ticks.sort()
        cap = sum(price[c] * shares[c] for c in price)
        prev_close = self._value(code, cap, base_cap)
        values: list[tuple[int, int, int, int]] = []  # (at, value, qty, turnover)
        for at, _, c, p, qty in ticks:
            cap += (p - price[c]) * shares[c]
            price[c] = p
            values.append((at, self._value(code, cap, base_cap), qty, p * qty))
        out: list[SeriesBar] = []
        acc = 0
        for n in range(0, len(values), scope):
            group = values[n : n + scope]
            vals = [v[1] for v in group]
            volume = sum(v[2] for v in group)
            acc += volume
            out.append(
                SeriesBar(
                    n // scope,
                    day,
                    group[-1][0],
                    vals[0],
                    max(vals),
                    min(vals),
                    vals[-1],
                    volume,
                    sum(v[3] for v in group),
                    prev_close,
                    None,
                    None,
                    acc,
                    len(group),
                )
            )
        out.reverse()
        return out


def _first_open(bars: dict[date, DailyBar], fallback: int) -> int:
    if not bars:
        return fallback
    return bars[min(bars)].open


def _with_prev(b: SeriesBar, prev: int) -> SeriesBar:
    return SeriesBar(
        b.key,
        b.day,
        b.at,
        b.open,
        b.high,
        b.low,
        b.close,
        b.volume,
        b.turnover,
        prev,
        b.upper,
        b.lower,
        b.acc_volume,
    )
