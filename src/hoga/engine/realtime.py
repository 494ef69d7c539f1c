"""Realtime pushes (WebSocket ``REAL``): the subscription registry, the fan-out and the rows.

:class:`RealtimeHub` keeps every logged-in :class:`RealtimeSession`, their ``REG`` groups and
one bus feed per instrument code that some session registered (``market.<code>``; dropped when
the last registration goes). A feed drains everything its subscription holds, turns the events
into rows (:mod:`hoga.wire.realtime` types, values keyed by FID, all strings) and appends each
encoded row once to the queue of every session that registered ``(type, item)``.

Sources and fillers (see the README of the WebSocket for the table):
- 0B per trade (regular and off-hours books); cumulative fields come from a per-code tally seeded
  from ``board.stats`` at feed start and advanced by every trade (it restarts at the KST date of a
  trade that starts a new day, and re-seeds when the board's own volume goes backwards, i.e. an
  operator restarted the day). 0G (ETF/ETN only; NAV = price, the simulator has no basket),
  0A (the base price changed without a trade), 0C (best quotes changed), 0D (10 levels, at most
  once per code per drain), 0E (an off-hours book changed), 0H (indicative auction price changed),
  0g (limits/base changed), 1h (VI triggered/released), 0s (market-wide phase changes on the
  ``market`` topic). 0F, 0I, 0J, 0U, 0m, 0u, 0w are registrable and never pushed (nothing in the
  simulator produces them). 00/04 are pushed by whoever owns accounts through
  :meth:`RealtimeHub.push_account`.
- ``1h`` with item ``""`` (every VI of the market) listens on the exchange directly (an exchange
  listener that returns at once while nobody registered it): a ``market.*`` bus subscription would
  make the exchange encode every batch of every instrument.

Back-pressure: rows never wait for a socket. Each session has a bounded queue of pending rows
(state rows — 0C/0D/0E/0H/0g — replace their own pending row in place); when it would exceed
``max_pending`` the session is ended with a SYSTEM notice (code ``H10001``, hoga's own) and its
registrations are dropped — the client reconnects and registers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from hoga.domain.board import Board, BoardPhase
from hoga.domain.events import Event, ViReleased, ViTriggered
from hoga.domain.kst import kst_date, kst_seconds
from hoga.domain.model import Market
from hoga.engine.codec import decode_batch
from hoga.engine.exchange import Exchange, InstrumentState, SeqEvent
from hoga.ports.pubsub import PubSub, Subscription
from hoga.wire.format import change_rate, direction, hms, rate, sign_code, signed
from hoga.wire.realtime import REALTIME_TYPES
from hoga.wire.ws import Reg, RegAck, Remove, RemoveAck, System, encode, real_item

__all__ = [
    "MARKET_PHASE_CODES",
    "OVERFLOW_CODE",
    "RealtimeHub",
    "RealtimeLimits",
    "RealtimeSession",
]

log = logging.getLogger(__name__)

OVERFLOW_CODE = "H10001"
_OVERFLOW_MSG = "실시간 데이터 수신이 지연되어 접속을 종료합니다 (hoga: queue overflow)"
_ERR_LIMIT = "등록 종목수 초과"

#: 0s FID 215 (장운영구분) per market-wide phase event; the letters follow the legacy OpenAPI+
#: convention (0 장시작전, 3 장시작, 2 장마감 동시호가, 4 장마감, a/b 장후 시간외 종가 시작/종료,
#: c/d 시간외 단일가 시작/종료) — the REST meaning is UNCONFIRMED (spec §5.5). Others: no push.
MARKET_PHASE_CODES: Mapping[str, str] = {
    "opening_auction_start": "0",
    "continuous_start": "3",
    "closing_auction_start": "2",
    "closing_auction_end": "4",
    "post_close_price_start": "a",
    "post_close_price_end": "b",
    "after_single_start": "c",
    "after_single_end": "d",
}
_BOARD_PHASE_CODES = {
    BoardPhase.OPENING_AUCTION: "0",
    BoardPhase.CONTINUOUS: "3",
    BoardPhase.VI_AUCTION: "3",
    BoardPhase.CLOSING_AUCTION: "2",
}
_STATE_TYPES = frozenset({"0C", "0D", "0E", "0H", "0g"})
_AUCTIONS = frozenset(
    {BoardPhase.OPENING_AUCTION, BoardPhase.VI_AUCTION, BoardPhase.CLOSING_AUCTION}
)
_OPEN_AT = 9 * 3600
# Types a per-code bus feed does not serve (sectors: no index service; 1h: exchange listener).
_NO_FEED = frozenset({"0J", "0U", "1h"})
_ENC = msgspec.json.Encoder()

Pair = tuple[str, str]  # (type, item)


@dataclass(frozen=True, slots=True)
class RealtimeLimits:
    """Per-session limits: distinct item codes registered (all groups), pending rows, frame size."""

    max_items: int = 200
    max_pending: int = 4096
    frame_bytes: int = 4096


# ------------------------------------------------------------------ sessions


class RealtimeSession:
    """One logged-in WebSocket: its groups and its ordered outbound queue.

    The queue holds control frames (bytes) and REAL rows (``[key, bytes]``); :meth:`take`
    packs consecutive rows into ``REAL`` frames under ``frame_bytes`` and keeps the order.
    """

    def __init__(self, appkey: str, accounts: tuple[str, ...], limits: RealtimeLimits) -> None:
        self.appkey = appkey
        self.accounts = accounts
        self.limits = limits
        self.groups: dict[str, set[Pair]] = {}
        self.closed = False
        self.notice: bytes | None = None  # the last frame before the socket closes
        self._out: list[bytes | list[Any]] = []
        self._slots: dict[Pair, list[Any]] = {}
        self._rows = 0
        self._wake = asyncio.Event()

    def pairs(self) -> set[Pair]:
        out: set[Pair] = set()
        for g in self.groups.values():
            out |= g
        return out

    def send(self, frame: bytes) -> None:
        """Queue a control frame (ack, PING)."""
        if not self.closed:
            self._out.append(frame)
            self._wake.set()

    def end(self, notice: bytes | None) -> None:
        """Stop the session: pending rows are dropped, ``notice`` is the last frame sent."""
        if self.closed:
            return
        self.closed = True
        self.notice = notice
        self._out.clear()
        self._slots.clear()
        self._rows = 0
        self._wake.set()

    def push(self, type_code: str, item: str, row: bytes) -> bool:
        """Queue an encoded REAL row; False when the queue overflowed (the caller ends us)."""
        if self.closed:
            return True
        key = (type_code, item)
        if type_code in _STATE_TYPES:
            slot = self._slots.get(key)
            if slot is not None:
                slot[1] = row
                return True
        if self._rows >= self.limits.max_pending:
            return False
        entry: list[Any] = [key, row]
        if type_code in _STATE_TYPES:
            self._slots[key] = entry
        self._out.append(entry)
        self._rows += 1
        self._wake.set()
        return True

    async def wait(self) -> None:
        await self._wake.wait()

    def take(self) -> list[bytes]:
        """Everything queued, as frames in order (rows packed into REAL frames)."""
        self._wake.clear()
        out, self._out = self._out, []
        self._slots.clear()
        self._rows = 0
        frames: list[bytes] = []
        batch: list[bytes] = []
        size = 0
        limit = self.limits.frame_bytes - len(_HEAD) - len(_TAIL)
        for x in out:
            if isinstance(x, bytes):
                if batch:
                    frames.append(_frame(batch))
                    batch, size = [], 0
                frames.append(x)
                continue
            row: bytes = x[1]
            if batch and size + len(row) + 1 > limit:
                frames.append(_frame(batch))
                batch, size = [], 0
            batch.append(row)
            size += len(row) + 1
        if batch:
            frames.append(_frame(batch))
        return frames


_HEAD = b'{"trnm":"REAL","data":['
_TAIL = b"]}"


def _frame(rows: list[bytes]) -> bytes:
    return _HEAD + b",".join(rows) + _TAIL


# ------------------------------------------------------------------ per-code state


@dataclass(slots=True)
class _Tally:
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
    def of(cls, board: Board) -> _Tally:
        s = board.stats
        return cls(board.day, s.base_price, s.volume, s.volume, s.turnover, s.open, s.high, s.low)


@dataclass(slots=True)
class _Feed:
    code: str
    sub: Subscription | None
    tally: _Tally
    task: asyncio.Task[None] | None = None
    book: tuple[tuple[int, ...], tuple[int, ...]] | None = None  # previous level qtys
    totals: tuple[int, int] = (0, 0)
    best: tuple[int | None, int | None] | None = None
    indicative: tuple[int | None, int] = (None, 0)
    info: tuple[int, int, int] | None = None
    offhours: tuple[int, int] = (0, 0)


@dataclass(slots=True)
class _Vi:
    count: int = 0
    row: dict[str, str] = field(default_factory=dict)


def _values(type_code: str) -> dict[str, str]:
    """Every documented FID of ``type_code`` with the filler ``"0"``."""
    return dict.fromkeys(REALTIME_TYPES[type_code].fids, "0")


def _row(type_code: str, *values: str) -> dict[str, str]:
    """Values in the documented FID order of ``type_code`` (for the short types)."""
    return dict(zip(REALTIME_TYPES[type_code].fids, values, strict=True))


def _px(price: int | None, base: int) -> str:
    """A quote with its direction sign, ``"0"`` when there is none."""
    return direction(price, base) if price else "0"


def _rate(price: int, base: int) -> str:
    return rate(change_rate(price, base))


def _ratio(num: int, den: int) -> str:
    return rate(Decimal(num) * 100 / Decimal(den), sign=False) if den else "0.00"


# ------------------------------------------------------------------ the hub


class RealtimeHub:
    """Sessions, registrations, bus feeds and fan-out (see the module docstring)."""

    def __init__(
        self, exchange: Exchange, pubsub: PubSub, limits: RealtimeLimits | None = None
    ) -> None:
        self.exchange = exchange
        self.pubsub = pubsub
        self.limits = limits or RealtimeLimits()
        self.by_appkey: dict[str, RealtimeSession] = {}
        self._subs: dict[Pair, set[RealtimeSession]] = {}
        self._accounts: dict[str, set[RealtimeSession]] = {}
        self.feeds: dict[str, _Feed] = {}
        self._vi: dict[str, _Vi] = {}
        exchange.add_listener(self._listen)

    # -------------------------------------------------------------- sessions

    def open(self, appkey: str, accounts: Iterable[str]) -> RealtimeSession:
        """A new session for ``appkey``; an older one is ended with SYSTEM R10001."""
        old = self.by_appkey.get(appkey)
        if old is not None:
            self.close(
                old,
                System(
                    code="R10001",
                    message="동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다",
                ),
            )
        session = RealtimeSession(appkey, tuple(accounts), self.limits)
        self.by_appkey[appkey] = session
        for acc in session.accounts:
            self._accounts.setdefault(acc, set()).add(session)
        return session

    def close(self, session: RealtimeSession, notice: System | None = None) -> None:
        """End ``session`` and drop its registrations (registrations never survive)."""
        session.end(None if notice is None else encode(notice))
        if self.by_appkey.get(session.appkey) is session:
            del self.by_appkey[session.appkey]
        for acc in session.accounts:
            self._accounts.get(acc, set()).discard(session)
        before = session.pairs()
        session.groups.clear()
        self._apply(session, before, set())

    async def settle(self) -> None:
        """Stop feeds nobody needs any more (call after :meth:`close`)."""
        await self._sync_feeds()

    # -------------------------------------------------------------- REG / REMOVE

    def _check(self, data: Iterable[Any]) -> tuple[set[Pair], str | None]:
        pairs: set[Pair] = set()
        for entry in data:
            types = entry.types
            if not types:
                return pairs, "실시간 항목(type)이 없습니다"
            for t in types:
                rt = REALTIME_TYPES.get(t.strip())
                if rt is None or not rt.registrable:
                    return pairs, f"등록할 수 없는 실시간 항목입니다 [{t}]"
                for raw in entry.items:
                    item = _normalise(raw)
                    if rt.item in ("account", "market"):
                        item = ""
                    elif rt.item == "sector":
                        if not (item.isdigit() and len(item) == 3):
                            return pairs, f"업종코드가 올바르지 않습니다 [{raw}]"
                    elif item not in self.exchange.states and not (
                        rt.item == "optional_code" and item == ""
                    ):
                        return pairs, f"종목코드가 올바르지 않습니다 [{raw}]"
                    pairs.add((rt.code, item))
        return pairs, None

    async def register(self, session: RealtimeSession, msg: Reg) -> RegAck:
        pairs, error = self._check(msg.data)
        if error is not None:
            return RegAck(return_code=1, return_msg=error)
        group = msg.group
        current = session.groups.get(group, set())
        new = (current if msg.keep_existing else set()) | pairs
        before = session.pairs()
        after = {p for g, ps in session.groups.items() if g != group for p in ps} | new
        items = {item for _, item in after if item}
        if len(items) > self.limits.max_items:
            return RegAck(return_code=1, return_msg=_ERR_LIMIT)
        if new:
            session.groups[group] = new
        else:
            session.groups.pop(group, None)
        self._apply(session, before, after)
        await self._sync_feeds()
        return RegAck(return_code=0, return_msg="")

    async def remove(self, session: RealtimeSession, msg: Remove) -> RemoveAck:
        pairs, error = self._check(msg.data)
        if error is not None:
            return RemoveAck(return_code=1, return_msg=error)
        before = session.pairs()
        group = msg.group
        if not msg.data:
            session.groups.pop(group, None)
        elif group in session.groups:
            left = session.groups[group] - pairs
            if left:
                session.groups[group] = left
            else:
                del session.groups[group]
        self._apply(session, before, session.pairs())
        await self._sync_feeds()
        return RemoveAck(return_code=0, return_msg="")

    def _apply(self, session: RealtimeSession, before: set[Pair], after: set[Pair]) -> None:
        for pair in before - after:
            subs = self._subs.get(pair)
            if subs is not None:
                subs.discard(session)
                if not subs:
                    del self._subs[pair]
        for pair in after - before:
            self._subs.setdefault(pair, set()).add(session)

    def wanted(self, type_code: str, item: str) -> bool:
        return bool(self._subs.get((type_code, item)))

    def _needed_codes(self) -> set[str]:
        codes = {item for (t, item) in self._subs if item and t not in _NO_FEED}
        if any(t == "0s" for t, _ in self._subs):
            codes.add("")
        return codes

    async def _sync_feeds(self) -> None:
        needed = self._needed_codes()
        for code in [c for c in self.feeds if c not in needed]:
            feed = self.feeds.pop(code)
            if feed.task is not None:
                feed.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await feed.task
            if feed.sub is not None:
                await feed.sub.close()
        for code in sorted(needed - set(self.feeds)):
            await self._start_feed(code)

    async def _start_feed(self, code: str) -> None:
        sub = await self.pubsub.subscribe(f"market.{code}" if code else "market")
        state = self.exchange.states.get(code)
        board = state.board if state is not None else None
        tally = _Tally.of(board) if board is not None else _Tally(date.min, 0, 0)
        feed = _Feed(code, sub, tally)
        if board is not None:  # the state rows start from "now", so only changes are pushed
            feed.best = (board.stats.best_bid, board.stats.best_ask)
            feed.indicative = board.indicative()
            feed.info = (board.base_price, board.limits.upper, board.limits.lower)
        self.feeds[code] = feed
        feed.task = asyncio.get_running_loop().create_task(self._run(feed), name=f"rt-{code}")

    async def close_all(self) -> None:
        for session in list(self.by_appkey.values()):
            self.close(session)
        await self._sync_feeds()

    # -------------------------------------------------------------- fan-out

    def deliver(
        self, type_code: str, item: str, values: dict[str, str], *, skip: Pair | None = None
    ) -> None:
        """Encode one row and queue it for every session registered to ``(type, item)``."""
        subs = self._subs.get((type_code, item))
        if not subs:
            return
        row = _ENC.encode(real_item(type_code, item, values))
        excluded = self._subs.get(skip, set()) if skip else set()
        for session in list(subs):
            if session not in excluded and not session.push(type_code, item, row):
                self.close(session, System(code=OVERFLOW_CODE, message=_OVERFLOW_MSG))

    def push_account(
        self, account: str, type_code: str, values: dict[str, str], item: str = ""
    ) -> None:
        """Push an account row (``00`` 주문체결, ``04`` 잔고) to the sessions of ``account``
        that registered ``type_code`` (the brokerage's hook)."""
        row = _ENC.encode(real_item(type_code, item, values))
        registered = self._subs.get((type_code, ""), set())
        for session in list(self._accounts.get(account, ())):
            if session in registered and not session.push(type_code, item, row):
                self.close(session, System(code=OVERFLOW_CODE, message=_OVERFLOW_MSG))

    async def _run(self, feed: _Feed) -> None:
        assert feed.sub is not None
        while True:
            first = await feed.sub.get()
            events = decode_batch(first.payload)
            while (more := feed.sub.get_nowait()) is not None:
                events += decode_batch(more.payload)
            try:
                if feed.code:
                    self.process(feed, events)
                else:
                    self._market(events)
            except Exception:  # a bad row must not end the feed
                log.exception("realtime feed %s failed", feed.code)

    def _market(self, events: list[dict[str, Any]]) -> None:
        for ev in events:
            if ev["type"] != "PhaseChanged" or ev["code"]:
                continue
            phase = MARKET_PHASE_CODES.get(ev["phase"])
            if phase is None:
                continue
            at = ev["at"]
            left = _OPEN_AT - kst_seconds(at) if phase == "0" else 0
            left = max(0, left)
            hhmmss = f"{left // 3600:02d}{left // 60 % 60:02d}{left % 60:02d}"
            self.deliver("0s", "", {"215": phase, "20": hms(at), "214": hhmmss})

    def process(self, feed: _Feed, events: list[dict[str, Any]]) -> None:
        """Turn a drained window of ``feed.code``'s events into rows (board state = after it)."""
        code = feed.code
        state = self.exchange.states.get(code)
        if state is None:
            return
        board = state.board
        tally = feed.tally
        book_changed = False
        for ev in events:
            kind = ev["type"]
            if kind == "Trade":
                self._trade(state, feed, ev)
            if kind != "OrderRejected":
                book_changed = True
        tally = feed.tally
        if board.day != tally.day or board.stats.volume < tally.board_volume:
            feed.tally = tally = _Tally.of(board)
        tally.board_volume = board.stats.volume
        at = self.exchange.now
        info = (board.base_price, board.limits.upper, board.limits.lower)
        if info != feed.info:
            feed.info = info
            self._info(state, tally, at)
        if not book_changed:
            return
        if self.wanted("0D", code):
            self.deliver("0D", code, _book_row(feed, board, at))
        best = (board.stats.best_bid, board.stats.best_ask)
        if best != feed.best:
            feed.best = best
            base = board.base_price
            self.deliver("0C", code, _row("0C", _px(best[1], base), _px(best[0], base)))
        ind = board.indicative()
        if ind != feed.indicative:
            feed.indicative = ind
            if ind[0] is not None:
                self.deliver("0H", code, _expected_row(board, tally, ind, at))
        off = _offhours(state)
        if off != feed.offhours:
            old, feed.offhours = feed.offhours, off
            sell, buy = str(off[1]), signed(off[1] - old[1])
            row = _row("0E", hms(at), sell, buy, str(off[0]), signed(off[0] - old[0]))
            self.deliver("0E", code, row)

    def _trade(self, state: InstrumentState, feed: _Feed, ev: dict[str, Any]) -> None:
        at, price, qty = ev["at"], ev["price"], ev["qty"]
        board = state.board
        tally = feed.tally
        if kst_date(at) != tally.day and kst_date(at) == board.day:  # the first trade of a day
            feed.tally = tally = _Tally(board.day, board.base_price, 0)
        t = hms(at)
        tally.volume += qty
        tally.turnover += price * qty
        if tally.open is None:
            tally.open, tally.open_at = price, t
        if tally.high is None or price > tally.high:
            tally.high, tally.high_at = price, t
        if tally.low is None or price < tally.low:
            tally.low, tally.low_at = price, t
        if price >= board.limits.upper:
            tally.upper_at = t
        if price <= board.limits.lower:
            tally.lower_at = t
        side = ev["aggressor"]
        if side == "buy":
            tally.buy_vol += qty
            tally.buy_n += 1
        elif side == "sell":
            tally.sell_vol += qty
            tally.sell_n += 1
        code = state.code
        if self.wanted("0B", code):
            self.deliver("0B", code, _trade_row(state, tally, ev))
        inst = state.instrument
        if inst.is_fund and self.wanted("0G", code):
            base = tally.base
            chg, pct = signed(price - base), _rate(price, base)
            sign = sign_code(price, base, board.limits.upper, board.limits.lower)
            vol = str(tally.volume)
            nav = (str(price), chg, pct, "0.00", t, direction(price, base), chg, pct, vol, sign)
            self.deliver("0G", code, _row("0G", *nav, "0", "0", "0", "0.00", "0.00"))

    def _info(self, state: InstrumentState, tally: _Tally, at: int) -> None:
        board = state.board
        base = board.base_price
        up, low = str(board.limits.upper), str(board.limits.lower)
        info = _row("0g", "0", "0", "0", up, low, str(base), "0", "KRW", "", "")
        self.deliver("0g", state.code, info)
        if self.wanted("0A", state.code):
            bid, ask = board.stats.best_bid, board.stats.best_ask
            last = board.stats.last or base
            chg, pct, sign = signed(last - base), _rate(last, base), sign_code(last, base)
            vol, value = str(tally.volume), str(tally.turnover // 1_000_000)
            head = (direction(last, base), chg, pct, _px(ask, base), _px(bid, base), vol, value)
            row = _row("0A", *head, "0", "0", "0", sign, *["0"] * 6, "000000", "000000")
            self.deliver("0A", state.code, row)

    # -------------------------------------------------------------- VI (exchange listener)

    def _listen(self, batch: list[SeqEvent]) -> None:
        if not self._subs:
            return
        for _, ev in batch:
            if type(ev) is ViTriggered or type(ev) is ViReleased:
                self._vi_event(ev)

    def _vi_event(self, ev: Event) -> None:
        code = ev.code
        all_ = self.wanted("1h", "")
        one = self.wanted("1h", code)
        state = self.exchange.states.get(code)
        if state is None or not (all_ or one):
            return
        vi = self._vi.setdefault(code, _Vi())
        if isinstance(ev, ViTriggered):
            vi.count += 1
            vi.row = _vi_row(state, ev, vi.count)
            row = dict(vi.row)
        else:
            row = dict(vi.row) if vi.row else _values("1h")
            row.update({"9001": code, "302": state.instrument.name, "9068": "2"})
            row["1224"] = hms(ev.at)
        stats = state.board.stats
        row["13"] = str(stats.volume)
        row["14"] = str(stats.turnover // 1_000_000)
        self.deliver("1h", "", row)
        self.deliver("1h", code, row, skip=("1h", ""))


# ------------------------------------------------------------------ rows


def _normalise(item: str) -> str:
    """``A005930`` / ``005930_NX`` / ``005930_AL`` → ``005930`` (every suffix aliases KRX)."""
    item = item.strip()
    for suffix in ("_NX", "_AL"):
        if item.endswith(suffix):
            item = item[: -len(suffix)]
    if len(item) == 7 and item[0] in "Aa":
        item = item[1:]
    return item


def _trade_row(state: InstrumentState, t: _Tally, ev: dict[str, Any]) -> dict[str, str]:
    board = state.board
    inst = state.instrument
    price, qty, side = ev["price"], ev["qty"], ev["aggressor"]
    base = t.base
    bid, ask = board.stats.best_bid, board.stats.best_ask
    v = _values("0B")
    total = t.buy_vol + t.sell_vol
    v.update(
        {
            "20": hms(ev["at"]),
            "10": direction(price, base),
            "11": signed(price - base),
            "12": _rate(price, base),
            "27": _px(ask, base),
            "28": _px(bid, base),
            "15": f"-{qty}" if side == "sell" else f"+{qty}",
            "13": str(t.volume),
            "14": str(t.turnover // 1_000_000),
            "16": _px(t.open, base),
            "17": _px(t.high, base),
            "18": _px(t.low, base),
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


def _book_row(feed: _Feed, board: Board, at: int) -> dict[str, str]:
    depth = board.depth(10)
    base = board.base_price
    asks = [lv.qty for lv in depth.asks] + [0] * (10 - len(depth.asks))
    bids = [lv.qty for lv in depth.bids] + [0] * (10 - len(depth.bids))
    prev = feed.book or ((0,) * 10, (0,) * 10)
    feed.book = (tuple(asks), tuple(bids))
    ask_total, bid_total = sum(asks), sum(bids)
    old_ask, old_bid = feed.totals
    feed.totals = (ask_total, bid_total)
    v = _values("0D")
    v["21"] = hms(at)
    for n in range(10):
        ap = depth.asks[n].price if n < len(depth.asks) else 0
        bp = depth.bids[n].price if n < len(depth.bids) else 0
        v[str(41 + n)] = _px(ap, base)
        v[str(51 + n)] = _px(bp, base)
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
                "201": _rate(price, base),
                "238": sign_code(price, base),
                "291": direction(price, base),
                "292": str(qty),
                "293": sign_code(price, base),
                "294": chg,
                "295": _rate(price, base),
            }
        )
    return v


def _expected_row(board: Board, t: _Tally, ind: tuple[int | None, int], at: int) -> dict[str, str]:
    price, qty = ind
    assert price is not None
    base, lim = board.base_price, board.limits
    chg, pct = signed(price - base), _rate(price, base)
    sign = sign_code(price, base, lim.upper, lim.lower)
    return _row("0H", hms(at), direction(price, base), chg, pct, str(qty), str(t.volume), sign)


def _offhours(state: InstrumentState) -> tuple[int, int]:
    """Open (buy, sell) quantity of the off-hours book that exists now, else (0, 0)."""
    for book in (state.post_close, state.pre_close):
        if book is not None:
            return book.depth()
    single = state.after_single
    if single is not None:
        bids, asks = single.depth()
        return sum(q for _, q in bids), sum(q for _, q in asks)
    return 0, 0


def _vi_row(state: InstrumentState, ev: ViTriggered, count: int) -> dict[str, str]:
    inst = state.instrument
    base = state.board.base_price
    ref, price = ev.reference, ev.trigger_price
    gap = _rate(price, ref)
    static = ev.static
    refs = (str(ref), "0", gap, "0.00") if static else ("0", str(ref), "0.00", gap)
    market = "101" if inst.market is Market.KOSDAQ else "001"
    pre = "1" if state.board.phase is BoardPhase.OPENING_AUCTION else "0"
    head = (inst.code, inst.name, "0", "0", "1", market, pre, str(price), hms(ev.at))
    tail = (_rate(price, base), str(count), "1" if price >= ref else "2", "")
    return _row("1h", *head, hms(ev.until), "정적" if static else "동적", *refs, *tail)
