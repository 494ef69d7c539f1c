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

Rows are built in :mod:`hoga.engine.realtime_rows`, sessions and their queues live in
:mod:`hoga.engine.realtime_session` (re-exported here); a front-end process without an exchange
gets them ready-made from the market process over the bus (:mod:`hoga.engine.realtime_relay`).

Fan-out (like ``websockets.broadcast``): each row is encoded once per event. Sessions with a
:class:`FrameSink` (the server's direct socket writer) that registered the same pairs form one
group: a row is appended once to the group, and :meth:`RealtimeHub.drain` (once per event-loop
turn) packs the group's rows into ``REAL`` frames (under ``frame_bytes``) once and writes the
same bytes to every member synchronously — no task wake-up, no JSON encoding and no queue
append per session. A member that is held (its socket buffer above its bound) or has rows of
its own queued gets the group's rows appended to its own queue instead, in order. Rows for one
session (acks, PINGs, account rows) and sessions without a sink use the per-session queue.

Back-pressure: rows never wait for a socket. A session whose socket buffer is above its bound
(the sink is not writable: a slow consumer) keeps its rows in its queue until the buffer
drains. The queue is bounded (``max_pending`` rows; state rows — 0C/0D/0E/0H/0g — replace their
own pending row in place); when it would exceed the bound the session is ended with a SYSTEM
notice (code ``H10001``, hoga's own, logged as a warning) and its registrations are dropped —
the client reconnects and registers again. The exchange and other sessions never wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

import msgspec

from hoga.domain.events import Event, ViReleased, ViTriggered
from hoga.domain.kst import kst_date, kst_seconds
from hoga.engine.bus_pump import stop_reading
from hoga.engine.codec import decode_batch
from hoga.engine.exchange import Exchange, InstrumentState, SeqEvent
from hoga.engine.realtime_rows import (
    Feed,
    Tally,
    Vi,
    book_row,
    expected_row,
    normalise,
    offhours,
    px,
    rate_of,
    row_of,
    trade_row,
    values_of,
    vi_row,
)
from hoga.engine.realtime_session import (
    FrameSink,
    Group,
    Pair,
    RealtimeLimits,
    RealtimeSession,
    pack,
)
from hoga.ports.pubsub import PubSub
from hoga.wire.format import direction, hms, sign_code, signed
from hoga.wire.realtime import REALTIME_TYPES
from hoga.wire.ws import Reg, RegAck, Remove, RemoveAck, System, encode, real_item

__all__ = [
    "MARKET_PHASE_CODES",
    "OVERFLOW_CODE",
    "TAKEOVER",
    "FrameSink",
    "Pair",
    "RealtimeHub",
    "RealtimeLimits",
    "RealtimeSession",
    "pack",
]

log = logging.getLogger(__name__)

#: The notice ending a session when the same app key logs in again (here or, through
#: :mod:`hoga.engine.login_fence`, on another process of the same server).
TAKEOVER = System(
    code="R10001", message="동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다"
)

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
_OPEN_AT = 9 * 3600
# Types a per-code bus feed does not serve (sectors: no index service; 1h: exchange listener).
_NO_FEED = frozenset({"0J", "0U", "1h"})
_ENC = msgspec.json.Encoder()
_OVERFLOW = System(code=OVERFLOW_CODE, message=_OVERFLOW_MSG)

# ------------------------------------------------------------------ the hub


class RealtimeHub:
    """Sessions, registrations, bus feeds and fan-out (see the module docstring)."""

    def __init__(
        self,
        exchange: Exchange,
        pubsub: PubSub,
        limits: RealtimeLimits | None = None,
        *,
        listen: bool = True,
    ) -> None:
        self.exchange = exchange
        self.pubsub = pubsub
        self.limits = limits or RealtimeLimits()
        self.by_appkey: dict[str, RealtimeSession] = {}
        self._subs: dict[Pair, set[RealtimeSession]] = {}
        self._accounts: dict[str, set[RealtimeSession]] = {}
        self.feeds: dict[str, Feed] = {}
        self._vi: dict[str, Vi] = {}
        self._dirty: list[RealtimeSession] = []  # sessions with a sink and rows to drain
        self._dirty_groups: list[Group] = []
        self._scheduled = False
        self._groups: dict[frozenset[Pair], Group] = {}
        #: per pair, who a row goes to: sessions without a group, and groups (made on demand)
        self._fan: dict[Pair, tuple[list[RealtimeSession], list[Group]]] = {}
        self._taps: list[Callable[[str, str, str, bytes], None]] = []
        #: called with the app key of every session opened (hoga.engine.login_fence)
        self.on_open: list[Callable[[str], None]] = []
        if listen:  # VI rows (a front-end's hub gets them from the relay instead)
            exchange.add_listener(self._listen)

    # -------------------------------------------------------------- sessions

    def open(self, appkey: str, accounts: Iterable[str]) -> RealtimeSession:
        """A new session for ``appkey``; an older one is ended with SYSTEM R10001."""
        old = self.by_appkey.get(appkey)
        if old is not None:
            self.close(old, TAKEOVER)
        session = RealtimeSession(appkey, tuple(accounts), self.limits)
        session._ready = self._ready
        self.by_appkey[appkey] = session
        for acc in session.accounts:
            self._accounts.setdefault(acc, set()).add(session)
        for hook in self.on_open:  # e.g. the login fence of a multi-process server
            hook(appkey)
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
                    item = normalise(raw)
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

    async def relay(self, session: RealtimeSession, pairs: set[Pair]) -> None:
        """Register exactly ``pairs`` for an internal ``session`` (no limits, no ack; see
        :mod:`hoga.engine.realtime_relay`)."""
        before = session.pairs()
        session.groups = {"": set(pairs)} if pairs else {}
        self._apply(session, before, set(pairs))
        await self._sync_feeds()

    def attach(self, session: RealtimeSession, sink: FrameSink) -> None:
        """Write ``session``'s frames through ``sink`` from now on (the direct drain)."""
        session.attach(sink)
        self._regroup(session, session.pairs())

    def _regroup(self, session: RealtimeSession, pairs: set[Pair]) -> None:
        self._fan.clear()
        old = session.group
        if old is not None:
            old.members.discard(session)
            if not old.members:
                del self._groups[old.pairs]
            session.group = None
        if session.sink is None or session.closed or not pairs:
            return
        key = frozenset(pairs)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(key)
        group.members.add(session)
        session.group = group

    def _targets(self, pair: Pair) -> tuple[list[RealtimeSession], list[Group]]:
        fan = self._fan.get(pair)
        if fan is None:
            sessions: list[RealtimeSession] = []
            groups: set[Group] = set()
            for session in self._subs.get(pair, ()):
                if session.group is None:
                    sessions.append(session)
                else:
                    groups.add(session.group)
            fan = self._fan[pair] = (sessions, list(groups))
        return fan

    def _apply(self, session: RealtimeSession, before: set[Pair], after: set[Pair]) -> None:
        if before != after or session.group is not None:
            self._regroup(session, after)
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
            await stop_reading(feed.task, feed.sub)
        for code in sorted(needed - set(self.feeds)):
            await self._start_feed(code)

    async def _start_feed(self, code: str) -> None:
        sub = await self.pubsub.subscribe(f"market.{code}" if code else "market")
        state = self.exchange.states.get(code)
        board = state.board if state is not None else None
        tally = Tally.of(board) if board is not None else Tally(date.min, 0, 0)
        feed = Feed(code, sub, tally)
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
        if (type_code, item) in self._subs:
            self.fanout(type_code, item, _ENC.encode(real_item(type_code, item, values)), skip)

    def fanout(self, type_code: str, item: str, row: bytes, skip: Pair | None = None) -> None:
        """Queue the encoded ``row`` for every session registered to ``(type, item)`` (but not
        for those also registered to ``skip``)."""
        pair = (type_code, item)
        if pair not in self._subs:
            return
        sessions, groups = self._targets(pair)
        for group in groups:
            if skip is not None and skip in group.pairs:
                continue
            if not group.rows:
                self._dirty_groups.append(group)
                self._schedule()
            group.rows.append([pair, row])
        if not sessions:
            return
        excluded = self._subs.get(skip, ()) if skip else ()
        overflowed: list[RealtimeSession] = []
        for session in sessions:
            if excluded and session in excluded and session.skips:
                continue
            if not session.push(type_code, item, row):
                overflowed.append(session)
        for session in overflowed:
            self.overflow(session)

    def overflow(self, session: RealtimeSession) -> None:
        """End ``session`` whose queue overflowed (the documented drop policy)."""
        log.warning(
            "realtime session %s… dropped: %d rows pending (%s)",
            session.appkey[:6],
            session.limits.max_pending,
            OVERFLOW_CODE,
        )
        self.close(session, _OVERFLOW)

    def push_account(
        self, account: str, type_code: str, values: dict[str, str], item: str = ""
    ) -> None:
        """Push an account row (``00`` 주문체결, ``04`` 잔고) to the sessions of ``account``
        that registered ``type_code`` (the brokerage's hook), and to every tap (the relay)."""
        row = _ENC.encode(real_item(type_code, item, values))
        for tap in self._taps:
            tap(account, type_code, item, row)
        self.push_account_row(account, type_code, item, row)

    def push_account_row(self, account: str, type_code: str, item: str, row: bytes) -> None:
        """Queue the encoded account ``row`` for the sessions of ``account`` that registered
        ``type_code``."""
        registered = self._subs.get((type_code, ""), ())
        for session in list(self._accounts.get(account, ())):
            if session in registered and not session.push(type_code, item, row):
                self.overflow(session)

    def listens(self, account: str) -> bool:
        """Whether an account row of ``account`` could reach anyone now: a session logged in
        with it, or a tap (the relay to front ends takes every account's rows)."""
        return bool(self._taps) or bool(self._accounts.get(account))

    def tap_accounts(self, tap: Callable[[str, str, str, bytes], None]) -> None:
        """Also hand every account row to ``tap(account, type, item, row)``."""
        self._taps.append(tap)

    # -------------------------------------------------------------- direct drain

    def _ready(self, session: RealtimeSession) -> None:
        """``session`` (with a sink) has something to write: drain it at the end of this turn."""
        self._dirty.append(session)
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.drain)

    def drain(self) -> None:
        """Write this turn's rows: each group's rows are packed into frames once and the same
        bytes written to every member (like a broadcast); a member that is held (a slow
        consumer) or has its own rows queued gets them appended to its queue instead. Then each
        session's own queue (acks, PINGs, account rows, held rows) is written, one batch per
        session; sessions that queued the same rows share the wire bytes."""
        self._scheduled = False
        limit = self.limits.frame_bytes
        groups, self._dirty_groups = self._dirty_groups, []
        for group in groups:
            rows, group.rows = group.rows, []
            members = list(group.members)
            if not rows or not members:
                continue
            frame = members[0].sink.frame if members[0].sink is not None else None
            if frame is None:
                continue
            wire = b"".join([frame(f) for f in pack(rows, limit)])
            for session in members:
                sink = session.sink
                if sink is None or session.closed:
                    continue
                if session._out or not sink.offer(wire):
                    for (type_code, item), row in rows:
                        if not session.push(type_code, item, row):
                            self.overflow(session)
                            break
        dirty, self._dirty = self._dirty, []
        cache: dict[tuple[Any, ...], bytes] = {}
        for session in dirty:
            sink = session.sink
            if sink is None or session.closed or not session._out or not sink.writable():
                continue  # a slow consumer keeps its (bounded) queue until resume()
            out = session.drain()
            key = tuple([x[1] if type(x) is list else x for x in out])
            built = cache.get(key)
            if built is None:
                built = cache[key] = b"".join([sink.frame(f) for f in pack(out, limit)])
            sink.write(built)

    async def _run(self, feed: Feed) -> None:
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

    def process(self, feed: Feed, events: list[dict[str, Any]]) -> None:
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
            feed.tally = tally = Tally.of(board)
        tally.board_volume = board.stats.volume
        at = self.exchange.now
        info = (board.base_price, board.limits.upper, board.limits.lower)
        if info != feed.info:
            feed.info = info
            self._info(state, tally, at)
        if not book_changed:
            return
        if self.wanted("0D", code):
            self.deliver("0D", code, book_row(feed, board, at))
        best = (board.stats.best_bid, board.stats.best_ask)
        if best != feed.best:
            feed.best = best
            base = board.base_price
            self.deliver("0C", code, row_of("0C", px(best[1], base), px(best[0], base)))
        ind = board.indicative()
        if ind != feed.indicative:
            feed.indicative = ind
            if ind[0] is not None:
                self.deliver("0H", code, expected_row(board, tally, ind, at))
        off = offhours(state)
        if off != feed.offhours:
            old, feed.offhours = feed.offhours, off
            sell, buy = str(off[1]), signed(off[1] - old[1])
            row = row_of("0E", hms(at), sell, buy, str(off[0]), signed(off[0] - old[0]))
            self.deliver("0E", code, row)

    def _trade(self, state: InstrumentState, feed: Feed, ev: dict[str, Any]) -> None:
        at, price, qty = ev["at"], ev["price"], ev["qty"]
        board = state.board
        tally = feed.tally
        if kst_date(at) != tally.day and kst_date(at) == board.day:  # the first trade of a day
            feed.tally = tally = Tally(board.day, board.base_price, 0)
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
            self.deliver("0B", code, trade_row(state, tally, ev))
        inst = state.instrument
        if inst.is_fund and self.wanted("0G", code):
            base = tally.base
            chg, pct = signed(price - base), rate_of(price, base)
            sign = sign_code(price, base, board.limits.upper, board.limits.lower)
            vol = str(tally.volume)
            nav = (str(price), chg, pct, "0.00", t, direction(price, base), chg, pct, vol, sign)
            self.deliver("0G", code, row_of("0G", *nav, "0", "0", "0", "0.00", "0.00"))

    def _info(self, state: InstrumentState, tally: Tally, at: int) -> None:
        board = state.board
        base = board.base_price
        up, low = str(board.limits.upper), str(board.limits.lower)
        info = row_of("0g", "0", "0", "0", up, low, str(base), "0", "KRW", "", "")
        self.deliver("0g", state.code, info)
        if self.wanted("0A", state.code):
            bid, ask = board.stats.best_bid, board.stats.best_ask
            last = board.stats.last or base
            chg, pct, sign = signed(last - base), rate_of(last, base), sign_code(last, base)
            vol, value = str(tally.volume), str(tally.turnover // 1_000_000)
            head = (direction(last, base), chg, pct, px(ask, base), px(bid, base), vol, value)
            row = row_of("0A", *head, "0", "0", "0", sign, *["0"] * 6, "000000", "000000")
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
        vi = self._vi.setdefault(code, Vi())
        if isinstance(ev, ViTriggered):
            vi.count += 1
            vi.row = vi_row(state, ev, vi.count)
            row = dict(vi.row)
        else:
            row = dict(vi.row) if vi.row else values_of("1h")
            row.update({"9001": code, "302": state.instrument.name, "9068": "2"})
            row["1224"] = hms(ev.at)
        stats = state.board.stats
        row["13"] = str(stats.volume)
        row["14"] = str(stats.turnover // 1_000_000)
        self.deliver("1h", "", row)
        self.deliver("1h", code, row, skip=("1h", ""))
