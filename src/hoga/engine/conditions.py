"""Condition search (조건검색, ka10171–ka10174): stored conditions, searches, realtime I/D.

:class:`ConditionStore` keeps each customer's conditions durably in the settings repository of
the storage port, one JSON document per customer under ``conditions:<customer_id>``:
``{"next": n, "items": [{"seq", "name", "expr", "at"}, …]}`` (``at``: created, epoch µs).
Sequence numbers start at 1, are never reused (a realtime search names its condition by
``seq``) and stay within the documented three characters. The text is stored as the customer
wrote it and parsed again on use (:mod:`hoga.domain.conditions`).

:class:`ConditionService` answers the WebSocket frames (``ctx.services["conditions"]``, see
:mod:`hoga.api.ws`):

- ``CNSRLST`` lists ``[seq, name]`` pairs and opens the socket for ``CNSRREQ``: a ``CNSRREQ``
  before it is refused (the documented rule "조건검색 목록 조회를 먼저 진행한 후").
- ``CNSRREQ`` ``search_type`` 0 runs the condition over every instrument, in code order, and
  pages the rows (``cont_yn``/``next_key``; ``next_key`` is the first code of the next page).
- ``CNSRREQ`` ``search_type`` 1 answers the codes that match now and then pushes ``REAL`` type
  ``02`` rows (FID 843 ``I`` 편입 / ``D`` 이탈) as instruments enter and leave. At most
  :attr:`ConditionLimits.realtime` (10, terms art. 11 ③) per login; the next one is refused and
  nothing changes. Asking again for a running ``seq`` restarts it.
- ``CNSRCLR`` stops a realtime search. Searches end with the session (checked lazily).

Incremental evaluation: a realtime search splits its condition into a static part (market,
sector, kind, …; decided once when it starts) and a live part. Only the codes that pass the
static part are watched, in an index ``code → searches``; the exchange listener looks up the
codes of the trades in each batch (and of book events that come with a restarted day)
and re-evaluates only those searches for only those codes — never the universe. Daily-bar
figures (``ma``, 52-week extremes) come from :meth:`MarketDataRecorder.daily_bars` once per
instrument and trading day (:attr:`ConditionService.daily_loads` counts the loads,
:attr:`ConditionService.evaluations` the evaluations, for tests and operators).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

import msgspec

from hoga.domain.conditions import ConditionError, Expr, parse, split_static
from hoga.domain.conditions_eval import DailyStats, Facts, daily_stats, evaluate
from hoga.domain.events import BookChanged, PhaseChanged, Trade
from hoga.domain.model import Side
from hoga.engine.exchange import Exchange, InstrumentState, SeqEvent
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.realtime import OVERFLOW_CODE, RealtimeSession
from hoga.ports.clock import Clock
from hoga.ports.storage import JsonValue, Storage
from hoga.wire.format import a_code, change_rate, hms, padded, padded_rate, sign_code
from hoga.wire.ws import (
    CnsrClr,
    CnsrClrResult,
    CnsrLst,
    CnsrLstResult,
    CnsrReq,
    CnsrReqResult,
    System,
    real_item,
)

__all__ = [
    "OVERFLOW_NOTICE",
    "ConditionLimits",
    "ConditionService",
    "ConditionStore",
    "Customer",
    "Refusal",
    "StoredCondition",
    "facts_of",
    "id_row",
]

log = logging.getLogger(__name__)

KEY_PREFIX = "conditions:"
_ENC = msgspec.json.Encoder()
_LOOKBACK = timedelta(days=400)
MSG_LIST_FIRST = (
    "조건검색 목록 조회(CNSRLST)를 먼저 요청해야 합니다 "
    "(조건검색 목록 조회를 먼저 진행한 후에 조건검색을 이용할 수 있습니다)"
)
MSG_REALTIME_LIMIT = (
    "실시간 조건검색은 로그인 1개당 최대 {n}건까지 요청할 수 있습니다 (이용약관 제11조 ③)"
)


class Customer(Protocol):
    """Who sent a frame (the API's principal)."""

    @property
    def customer_id(self) -> str: ...


#: What a session hears when condition pushes overflow its queue (see ``on_overflow``).
OVERFLOW_NOTICE = System(
    code=OVERFLOW_CODE, message="조건검색 실시간 데이터 수신이 지연되어 접속을 종료합니다"
)


@dataclass(frozen=True, slots=True)
class ConditionLimits:
    """Stored conditions per customer, realtime searches per login, rows per page, name size."""

    stored: int = 100
    realtime: int = 10
    page: int = 100
    name_length: int = 40


@dataclass(frozen=True, slots=True)
class StoredCondition:
    seq: int
    name: str
    expr: str
    created_at: int

    def to_json(self) -> dict[str, JsonValue]:
        """The stored form (``at``: created, epoch µs)."""
        return {"seq": self.seq, "name": self.name, "expr": self.expr, "at": self.created_at}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a condition was not stored: ``code`` is ``invalid_expression``, ``invalid_name``,
    ``duplicate_name`` or ``limit``; ``error`` carries the position of an expression error."""

    code: str
    message: str
    error: ConditionError | None = None


class ConditionStore:
    """Per-customer conditions in the settings repository (see the module docstring)."""

    def __init__(self, storage: Storage, clock: Clock, limits: ConditionLimits) -> None:
        self.storage = storage
        self.clock = clock
        self.limits = limits

    @staticmethod
    def _items(doc: JsonValue | None) -> tuple[int, list[StoredCondition]]:
        if not isinstance(doc, dict):
            return 1, []
        nxt = doc.get("next")
        raw = doc.get("items")
        items = [
            StoredCondition(int(str(x["seq"])), str(x["name"]), str(x["expr"]), int(str(x["at"])))
            for x in (raw if isinstance(raw, list) else [])
            if isinstance(x, dict)
        ]
        return (nxt if isinstance(nxt, int) else 1), items

    def list(self, customer_id: str) -> list[StoredCondition]:
        with self.storage.unit_of_work() as uow:
            return self._items(uow.settings.get(KEY_PREFIX + customer_id))[1]

    def get(self, customer_id: str, seq: int) -> StoredCondition | None:
        return next((c for c in self.list(customer_id) if c.seq == seq), None)

    def create(self, customer_id: str, name: str, expr: str) -> StoredCondition | Refusal:
        name, expr = name.strip(), expr.strip()
        if not name or len(name) > self.limits.name_length:
            n = self.limits.name_length
            return Refusal("invalid_name", f"a condition name has 1 to {n} characters")
        parsed = parse(expr)
        if isinstance(parsed, ConditionError):
            return Refusal("invalid_expression", parsed.message, parsed)
        key = KEY_PREFIX + customer_id
        with self.storage.unit_of_work() as uow:
            nxt, items = self._items(uow.settings.get(key))
            if any(c.name == name for c in items):
                return Refusal("duplicate_name", f"a condition named {name!r} exists already")
            if len(items) >= self.limits.stored or nxt > 999:
                n = self.limits.stored
                return Refusal("limit", f"at most {n} conditions per customer; delete one first")
            made = StoredCondition(nxt, name, expr, self.clock.now())
            items.append(made)
            uow.settings.put(key, {"next": nxt + 1, "items": [c.to_json() for c in items]})
        return made

    def delete(self, customer_id: str, seq: int) -> bool:
        key = KEY_PREFIX + customer_id
        with self.storage.unit_of_work() as uow:
            nxt, items = self._items(uow.settings.get(key))
            left = [c for c in items if c.seq != seq]
            if len(left) == len(items):
                return False
            uow.settings.put(key, {"next": nxt, "items": [c.to_json() for c in left]})
        return True


def facts_of(state: InstrumentState) -> Facts:
    """The live figures of one instrument from its regular board."""
    inst = state.instrument
    board = state.board
    s = board.stats
    return Facts(
        code=inst.code,
        name=inst.name,
        market=inst.market.value,
        sector=inst.sector,
        kind=inst.kind,
        shares=inst.listed_shares,
        price=s.last if s.last is not None else s.base_price,
        base=s.base_price,
        open=s.open,
        high=s.high,
        low=s.low,
        volume=s.volume,
        turnover=s.turnover,
        upper=s.limits.upper,
        lower=s.limits.lower,
    )


def _pad(n: int) -> str:
    try:
        return padded(n, 9)
    except ValueError:  # wider than the documented 9 characters: send it whole
        return str(n)


def search_row(f: Facts) -> dict[str, str]:
    """One ``CNSRREQ`` result row (documented FIDs, 9-character zero padded)."""
    return {
        "9001": a_code(f.code),
        "302": f.name,
        "10": _pad(f.price),
        "25": sign_code(f.price, f.base, f.upper, f.lower),
        "11": _pad(f.price - f.base),
        "12": padded_rate(change_rate(f.price, f.base), 9),
        "13": _pad(f.volume),
        "16": _pad(f.open or 0),
        "17": _pad(f.high or 0),
        "18": _pad(f.low or 0),
    }


def id_row(seq: str, code: str, entered: bool, at: int, side: str = "0") -> bytes:
    """The encoded ``REAL`` type ``02`` row of ``code`` entering (``I``) or leaving (``D``)
    the realtime search ``seq`` (``side``: FID 907 of the trade that moved it, ``0`` none)."""
    values = {
        "841": seq,
        "9001": code,
        "843": "I" if entered else "D",
        "20": hms(at),
        "907": side,
        "9081": "1",
    }
    return _ENC.encode(real_item("02", code, values))


def _mark(state: InstrumentState) -> tuple[date, int, int]:
    """(day, base price, volume): changes without a trade only when the day restarts."""
    board = state.board
    return board.day, board.base_price, board.stats.volume


@dataclass(eq=False, slots=True)
class _Live:
    session: RealtimeSession
    seq: str
    live: Expr | None
    codes: list[str]  # the codes that passed the static part (watched when live is set)
    members: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _SessionState:
    listed: bool = False
    lives: dict[str, _Live] = field(default_factory=dict)


class ConditionService:
    """The condition search service (see the module docstring)."""

    def __init__(
        self,
        storage: Storage,
        exchange: Exchange,
        recorder: MarketDataRecorder,
        clock: Clock,
        limits: ConditionLimits | None = None,
        on_overflow: Callable[[RealtimeSession], None] | None = None,
        on_activity: Callable[[str, str], None] | None = None,
    ) -> None:
        """``on_activity(customer_id, "register" | "clear")`` is told of every real-time search
        started or cleared (the abnormal-load detector counts condition-search churn)."""
        self.limits = limits or ConditionLimits()
        self.store = ConditionStore(storage, clock, self.limits)
        self.storage = storage
        self.exchange = exchange
        self.recorder = recorder
        self.on_overflow = on_overflow
        self.on_activity = on_activity
        self.evaluations = 0
        self.daily_loads = 0
        self._daily: dict[str, tuple[date, DailyStats]] = {}
        self._sessions: dict[RealtimeSession, _SessionState] = {}
        self._watch: dict[str, list[_Live]] = {}
        self._marks: dict[str, tuple[date, int, int]] = {}  # see _mark
        exchange.add_listener(self.on_events)

    # -------------------------------------------------------------- figures

    def daily(self, code: str, day: date) -> DailyStats:
        """The daily-bar figures of ``code`` for trading day ``day`` (cached per day)."""
        hit = self._daily.get(code)
        if hit is not None and hit[0] == day:
            return hit[1]
        self.daily_loads += 1
        bars = self.recorder.daily_bars(self.storage, code, day - _LOOKBACK, day - timedelta(1))
        stats = daily_stats([(b.day, b.high, b.low, b.close, b.volume) for b in bars], day)
        self._daily[code] = (day, stats)
        return stats

    def matches(self, expr: Expr | None, state: InstrumentState) -> bool:
        """Whether ``state`` satisfies ``expr`` (None holds); counted in :attr:`evaluations`."""
        if expr is None:
            return True
        self.evaluations += 1
        day = state.board.day
        code = state.code
        return evaluate(expr, facts_of(state), lambda: self.daily(code, day)) is True

    def search(self, expr: Expr, start: str = "") -> list[InstrumentState]:
        """Every instrument from code ``start`` on that matches ``expr``, in code order."""
        static, live = split_static(expr)
        states = self.exchange.states
        return [
            states[code]
            for code in sorted(states)
            if code >= start
            and self.matches(static, states[code])
            and self.matches(live, states[code])
        ]

    # -------------------------------------------------------------- WebSocket

    def _state(self, session: RealtimeSession) -> _SessionState:
        for old in [s for s in self._sessions if s.closed and s is not session]:
            self._drop(old)
        st = self._sessions.get(session)
        if st is None:
            st = self._sessions[session] = _SessionState()
        return st

    async def handle(
        self, session: RealtimeSession, principal: Customer, msg: CnsrLst | CnsrReq | CnsrClr
    ) -> CnsrLstResult | CnsrReqResult | CnsrClrResult:
        """Answer one condition frame of ``principal``."""
        st = self._state(session)
        if isinstance(msg, CnsrLst):
            st.listed = True
            rows = [[str(c.seq), c.name] for c in self.store.list(principal.customer_id)]
            return CnsrLstResult(return_code=0, return_msg="", data=rows)
        if isinstance(msg, CnsrClr):
            seq = str(msg.seq).strip()
            self._stop(st, seq)
            self._activity(principal.customer_id, "clear")
            return CnsrClrResult(seq=seq, return_code=0, return_msg="")
        answer = self._request(session, st, principal.customer_id, msg)
        if answer.return_code == 0 and str(msg.search_type).strip() == "1":
            self._activity(principal.customer_id, "register")
        return answer

    def _activity(self, customer_id: str, event: str) -> None:
        if self.on_activity is not None:
            self.on_activity(customer_id, event)

    def _request(
        self, session: RealtimeSession, st: _SessionState, customer_id: str, msg: CnsrReq
    ) -> CnsrReqResult:
        seq = msg.seq_str

        def refuse(text: str) -> CnsrReqResult:
            return CnsrReqResult(seq=seq, return_code=1, return_msg=text)

        if not st.listed:
            return refuse(MSG_LIST_FIRST)
        kind = str(msg.search_type).strip()
        if kind not in ("0", "1"):
            return refuse(f"조회구분(search_type)이 올바르지 않습니다 [{msg.search_type}]")
        if msg.stex_tp.strip().upper() not in ("K", "N", "A", ""):
            return refuse(f"거래소구분(stex_tp)이 올바르지 않습니다 [{msg.stex_tp}]")
        stored = self.store.get(customer_id, int(seq)) if seq.isdigit() else None
        if stored is None:
            return refuse(f"조건검색식이 없습니다 [seq={seq}]")
        expr = parse(stored.expr)
        if isinstance(expr, ConditionError):  # stored before a language change
            return refuse(f"조건검색식을 해석할 수 없습니다: {expr.message}")
        if kind == "0":
            return self._once(seq, expr, msg)
        if seq not in st.lives and len(st.lives) >= self.limits.realtime:
            return refuse(MSG_REALTIME_LIMIT.format(n=self.limits.realtime))
        self._stop(st, seq)
        members = self._start(session, st, seq, expr)
        data = [{"jmcode": a_code(code)} for code in members]
        return CnsrReqResult(seq=seq, return_code=0, return_msg="", data=data)

    def _once(self, seq: str, expr: Expr, msg: CnsrReq) -> CnsrReqResult:
        cont = msg.cont_yn.strip().upper() == "Y"
        start = msg.next_key.strip() if cont else ""
        found = self.search(expr, start)
        page = found[: self.limits.page]
        more = len(found) > len(page)
        return CnsrReqResult(
            seq=seq,
            cont_yn="Y" if more else "N",
            next_key=found[len(page)].code if more else "",
            return_code=0,
            return_msg="",
            data=[search_row(facts_of(s)) for s in page],
        )

    # -------------------------------------------------------------- realtime

    def _start(
        self, session: RealtimeSession, st: _SessionState, seq: str, expr: Expr
    ) -> list[str]:
        static, live = split_static(expr)
        states = self.exchange.states
        codes = [c for c in sorted(states) if self.matches(static, states[c])]
        item = _Live(session, seq, live, codes)
        item.members = {c for c in codes if self.matches(live, states[c])}
        st.lives[seq] = item
        if live is not None:
            for code in codes:
                self._watch.setdefault(code, []).append(item)
                self._marks[code] = _mark(states[code])
        return sorted(item.members)

    def _stop(self, st: _SessionState, seq: str) -> None:
        item = st.lives.pop(seq, None)
        if item is None or item.live is None:
            return
        for code in item.codes:
            watchers = self._watch.get(code)
            if watchers is not None:
                watchers.remove(item)
                if not watchers:
                    del self._watch[code]

    def _drop(self, session: RealtimeSession) -> None:
        st = self._sessions.pop(session, None)
        if st is not None:
            for seq in list(st.lives):
                self._stop(st, seq)

    def forget(self, session: RealtimeSession) -> None:
        """Drop ``session``'s state and stop its realtime searches now (not lazily)."""
        self._drop(session)

    def mark_listed(self, session: RealtimeSession) -> None:
        """Count ``CNSRLST`` as done on ``session`` (it was, before this process started)."""
        self._state(session).listed = True

    def members(self, session: RealtimeSession, seq: str) -> set[str]:
        """The codes in the realtime search ``seq`` of ``session`` now (empty if not running)."""
        st = self._sessions.get(session)
        item = st.lives.get(seq) if st is not None else None
        return set(item.members) if item is not None else set()

    def resume(
        self, session: RealtimeSession, customer_id: str, msg: CnsrReq, members: Iterable[str]
    ) -> CnsrReqResult:
        """Start the realtime search of ``msg`` again for a session that had it running with
        ``members`` in another process's life (a front end's session after the market
        restarted): nothing is answered on the socket, the codes that entered or left since
        are pushed as ``I``/``D`` rows, and no churn is recorded. The result tells whether it
        runs again (``return_code`` 0)."""
        st = self._state(session)
        st.listed = True
        answer = self._request(session, st, customer_id, msg)
        item = st.lives.get(answer.seq)
        if answer.return_code != 0 or item is None:
            return answer
        old = set(members)
        at = self.exchange.now
        for code in sorted(item.members ^ old):
            self._push(session, id_row(item.seq, code, code in item.members, at), code)
        return answer

    def active(self, session: RealtimeSession) -> list[str]:
        """The realtime searches running on ``session`` (seq strings)."""
        st = self._sessions.get(session)
        return sorted(st.lives, key=int) if st is not None else []

    def on_events(self, batch: list[SeqEvent]) -> None:
        """Exchange listener: re-evaluate the watched searches of the codes that changed."""
        if not self._watch:
            return
        watch = self._watch
        touched: dict[str, Trade | None] = {}
        for _, ev in batch:
            kind = type(ev)
            if kind is Trade:
                if ev.code in watch:
                    touched[ev.code] = ev  # type: ignore[assignment]
            elif (
                (kind is BookChanged or kind is PhaseChanged)
                and ev.code in watch
                and ev.code not in touched
                and self._rebased(ev.code)
            ):
                touched[ev.code] = None
        for code, trade in touched.items():
            watchers = self._watch.get(code)
            if watchers:
                try:
                    self._update(code, list(watchers), trade)
                except Exception:  # a failing search must not stop the exchange's listeners
                    log.exception("condition search update for %s failed", code)

    def _rebased(self, code: str) -> bool:
        """Whether ``code``'s day restarted since its searches last looked."""
        return self._marks.get(code) != _mark(self.exchange.states[code])

    def _update(self, code: str, watchers: Iterable[_Live], trade: Trade | None) -> None:
        state = self.exchange.states[code]
        self._marks[code] = _mark(state)
        at = trade.at if trade is not None else self.exchange.now
        side = "0"
        if trade is not None and trade.aggressor is not None:
            side = "2" if trade.aggressor is Side.BUY else "1"
        for item in watchers:
            session = item.session
            if session.closed:
                self._drop(session)
                continue
            hit = self.matches(item.live, state)
            if hit == (code in item.members):
                continue
            if hit:
                item.members.add(code)
            else:
                item.members.discard(code)
            self._push(session, id_row(item.seq, code, hit, at, side), code)

    def _push(self, session: RealtimeSession, row: bytes, code: str) -> None:
        if not session.push("02", code, row):
            self._drop(session)
            if self.on_overflow is not None:
                self.on_overflow(session)
