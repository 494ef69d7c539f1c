"""The rows of the market realtime types (values keyed by FID, all strings) and the per-code
state they are computed from (see :mod:`hoga.engine.realtime` for sources and fillers)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from hoga.domain.board import Board, BoardPhase
from hoga.domain.events import ViTriggered
from hoga.domain.model import Market
from hoga.engine.exchange import InstrumentState
from hoga.ports.pubsub import Subscription
from hoga.wire.format import change_rate, direction, hms, rate, sign_code, signed
from hoga.wire.realtime import REALTIME_TYPES

__all__ = [
    "Feed",
    "Tally",
    "Vi",
    "book_row",
    "expected_row",
    "normalise",
    "offhours",
    "px",
    "rate_of",
    "row_of",
    "trade_row",
    "values_of",
    "vi_row",
]

_BOARD_PHASE_CODES = {
    BoardPhase.OPENING_AUCTION: "0",
    BoardPhase.CONTINUOUS: "3",
    BoardPhase.VI_AUCTION: "3",
    BoardPhase.CLOSING_AUCTION: "2",
}
_AUCTIONS = frozenset(
    {BoardPhase.OPENING_AUCTION, BoardPhase.VI_AUCTION, BoardPhase.CLOSING_AUCTION}
)
# ------------------------------------------------------------------ per-code state


@dataclass(slots=True)
class Tally:
    """The day's running trade statistics of one code (see the module docstring)."""

    day: date
    base: int
    board_volume: int
    volume: int = 0
    turnover: int = 0
    open: int | None = None
    high: int | None = None
    low: int | None = None
    open_at: str = ""
    high_at: str = ""
    low_at: str = ""
    upper_at: str = "000000"
    lower_at: str = "000000"
    buy_vol: int = 0
    sell_vol: int = 0
    buy_n: int = 0
    sell_n: int = 0

    @classmethod
    def of(cls, board: Board) -> Tally:
        s = board.stats
        return cls(board.day, s.base_price, s.volume, s.volume, s.turnover, s.open, s.high, s.low)


@dataclass(slots=True)
class Feed:
    code: str
    sub: Subscription | None
    tally: Tally
    task: asyncio.Task[None] | None = None
    book: tuple[tuple[int, ...], tuple[int, ...]] | None = None  # previous level qtys
    totals: tuple[int, int] = (0, 0)
    best: tuple[int | None, int | None] | None = None
    indicative: tuple[int | None, int] = (None, 0)
    info: tuple[int, int, int] | None = None
    offhours: tuple[int, int] = (0, 0)


@dataclass(slots=True)
class Vi:
    count: int = 0
    row: dict[str, str] = field(default_factory=dict)


def values_of(type_code: str) -> dict[str, str]:
    """Every documented FID of ``type_code`` with the filler ``"0"``."""
    return dict.fromkeys(REALTIME_TYPES[type_code].fids, "0")


def row_of(type_code: str, *values: str) -> dict[str, str]:
    """Values in the documented FID order of ``type_code`` (for the short types)."""
    return dict(zip(REALTIME_TYPES[type_code].fids, values, strict=True))


def px(price: int | None, base: int) -> str:
    """A quote with its direction sign, ``"0"`` when there is none."""
    return direction(price, base) if price else "0"


def rate_of(price: int, base: int) -> str:
    return rate(change_rate(price, base))


def _ratio(num: int, den: int) -> str:
    return rate(Decimal(num) * 100 / Decimal(den), sign=False) if den else "0.00"


# ------------------------------------------------------------------ rows


def normalise(item: str) -> str:
    """``A005930`` / ``005930_NX`` / ``005930_AL`` → ``005930`` (every suffix aliases KRX)."""
    item = item.strip()
    for suffix in ("_NX", "_AL"):
        if item.endswith(suffix):
            item = item[: -len(suffix)]
    if len(item) == 7 and item[0] in "Aa":
        item = item[1:]
    return item


def trade_row(state: InstrumentState, t: Tally, ev: dict[str, Any]) -> dict[str, str]:
    board = state.board
    inst = state.instrument
    price, qty, side = ev["price"], ev["qty"], ev["aggressor"]
    base = t.base
    bid, ask = board.stats.best_bid, board.stats.best_ask
    v = values_of("0B")
    total = t.buy_vol + t.sell_vol
    v.update(
        {
            "20": hms(ev["at"]),
            "10": direction(price, base),
            "11": signed(price - base),
            "12": rate_of(price, base),
            "27": px(ask, base),
            "28": px(bid, base),
            "15": f"-{qty}" if side == "sell" else f"+{qty}",
            "13": str(t.volume),
            "14": str(t.turnover // 1_000_000),
            "16": px(t.open, base),
            "17": px(t.high, base),
            "18": px(t.low, base),
            "25": sign_code(price, base, board.limits.upper, board.limits.lower),
            "31": _ratio(t.volume, inst.listed_shares),
            "228": _ratio(t.buy_vol, t.sell_vol),
            "311": str(price * inst.listed_shares // 100_000_000),
            "290": "2" if board.phase is not BoardPhase.CLOSED else "3",
            "567": t.upper_at,
            "568": t.lower_at,
            "851": "",
            "1890": t.open_at,
            "1891": t.high_at,
            "1892": t.low_at,
            "1030": str(t.sell_vol),
            "1031": str(t.buy_vol),
            "1032": _ratio(t.buy_vol, total),
            "1071": str(t.sell_n),
            "1072": str(t.buy_n),
            "1313": str(price * qty),
            "1315": str(qty if side == "sell" else 0),
            "1316": str(qty if side == "buy" else 0),
            "1314": signed(t.buy_vol - t.sell_vol),
            "620": str(t.turnover // t.volume if t.volume else 0),
            "9081": "1",
        }
    )
    return v


def book_row(feed: Feed, board: Board, at: int) -> dict[str, str]:
    depth = board.depth(10)
    base = board.base_price
    asks = [lv.qty for lv in depth.asks] + [0] * (10 - len(depth.asks))
    bids = [lv.qty for lv in depth.bids] + [0] * (10 - len(depth.bids))
    prev = feed.book or ((0,) * 10, (0,) * 10)
    feed.book = (tuple(asks), tuple(bids))
    ask_total, bid_total = sum(asks), sum(bids)
    old_ask, old_bid = feed.totals
    feed.totals = (ask_total, bid_total)
    v = values_of("0D")
    v["21"] = hms(at)
    for n in range(10):
        ap = depth.asks[n].price if n < len(depth.asks) else 0
        bp = depth.bids[n].price if n < len(depth.bids) else 0
        v[str(41 + n)] = px(ap, base)
        v[str(51 + n)] = px(bp, base)
        v[str(61 + n)] = str(asks[n])
        v[str(71 + n)] = str(bids[n])
        v[str(81 + n)] = signed(asks[n] - prev[0][n])
        v[str(91 + n)] = signed(bids[n] - prev[1][n])
        v[str(6044 + n)] = str(asks[n])
        v[str(6054 + n)] = str(bids[n])
    both = ask_total + bid_total
    v.update(
        {
            "121": str(ask_total),
            "122": signed(ask_total - old_ask),
            "125": str(bid_total),
            "126": signed(bid_total - old_bid),
            "128": signed(bid_total - ask_total),
            "129": _ratio(bid_total, both),
            "138": signed(ask_total - bid_total),
            "139": _ratio(ask_total, both),
            "13": str(feed.tally.volume),
            "215": _BOARD_PHASE_CODES.get(board.phase, "4"),
            "216": "",
            "6064": str(ask_total),
            "6065": str(bid_total),
        }
    )
    price, qty = feed.indicative if board.phase in _AUCTIONS else (None, 0)
    if price is not None:
        chg = signed(price - base)
        v.update(
            {
                "23": direction(price, base),
                "24": str(qty),
                "200": chg,
                "201": rate_of(price, base),
                "238": sign_code(price, base),
                "291": direction(price, base),
                "292": str(qty),
                "293": sign_code(price, base),
                "294": chg,
                "295": rate_of(price, base),
            }
        )
    return v


def expected_row(board: Board, t: Tally, ind: tuple[int | None, int], at: int) -> dict[str, str]:
    price, qty = ind
    assert price is not None
    base, lim = board.base_price, board.limits
    chg, pct = signed(price - base), rate_of(price, base)
    sign = sign_code(price, base, lim.upper, lim.lower)
    return row_of("0H", hms(at), direction(price, base), chg, pct, str(qty), str(t.volume), sign)


def offhours(state: InstrumentState) -> tuple[int, int]:
    """Open (buy, sell) quantity of the off-hours book that exists now, else (0, 0)."""
    for book in (state.post_close, state.pre_close):
        if book is not None:
            return book.depth()
    single = state.after_single
    if single is not None:
        bids, asks = single.depth()
        return sum(q for _, q in bids), sum(q for _, q in asks)
    return 0, 0


def vi_row(state: InstrumentState, ev: ViTriggered, count: int) -> dict[str, str]:
    inst = state.instrument
    base = state.board.base_price
    ref, price = ev.reference, ev.trigger_price
    gap = rate_of(price, ref)
    static = ev.static
    refs = (str(ref), "0", gap, "0.00") if static else ("0", str(ref), "0.00", gap)
    market = "101" if inst.market is Market.KOSDAQ else "001"
    pre = "1" if state.board.phase is BoardPhase.OPENING_AUCTION else "0"
    head = (inst.code, inst.name, "0", "0", "1", market, pre, str(price), hms(ev.at))
    tail = (rate_of(price, base), str(count), "1" if price >= ref else "2", "")
    return row_of("1h", *head, hms(ev.until), "정적" if static else "동적", *refs, *tail)
