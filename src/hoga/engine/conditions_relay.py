"""Condition search across processes: the market evaluates for the sockets of front ends.

Conditions are evaluated on the market's exchange (:mod:`hoga.engine.conditions`; the
per-customer lists stay in the shared database), so a front end (``hoga serve --role front``,
:mod:`hoga.engine.realtime_relay`) forwards its sockets' ``CNSRLST`` / ``CNSRREQ`` / ``CNSRCLR``
frames to the market and relays the answers and the realtime ``I``/``D`` rows back:

- ``rt.cnsr`` (front → market), one JSON object per message, ``front`` = the front's id,
  ``session`` = a number the front gave the socket:

  - ``{front, session, customer, id, listed, req}``: a client frame (``req``, its JSON text) of
    ``customer``; ``listed`` says the socket already had its ``CNSRLST`` answered (so a market
    that restarted since keeps the "list first" rule per socket).
  - ``{…, req, members}``: start again, silently, the realtime search ``req`` that ran with
    ``members`` (the codes the socket was told of) before the market restarted.
  - ``{front, session, end: true}``: the socket closed; its realtime searches stop.
  - ``{front, beat: [[session, [seq, …]], …]}``: every ``announce_us`` while the front has
    sockets that used condition search, with the realtime searches each has running.

- ``rt.cnsr.<front>`` (market → front): a JSON header line, ``\\n``, then a body:
  ``{"session", "kind": "answer", "id", "codes"}`` + the encoded answer frame (``codes``: the
  members of a realtime search just started); ``{"session", "kind": "row"}`` + an encoded
  ``REAL`` type ``02`` row; ``{"session", "kind": "lost", "seqs"}`` (a beat named searches the
  market does not run) and ``{"session", "kind": "gone", "seqs"}`` (they could not be started
  again), both without a body.

The market side (:class:`ConditionRelay`, started with the market's
:class:`~hoga.engine.realtime_relay.RowRelay`) gives every front socket a stand-in session whose
rows are published instead of queued, so the service's rules — the ``CNSRLST``-first rule, paging,
the 10 realtime searches per login, restart of a running ``seq``, ``CNSRCLR`` — apply per front
socket exactly as per market socket. The front side (:class:`FrontConditions`, owned by the
:class:`~hoga.engine.realtime_relay.FrontHub`, ``ctx.services["conditions"]`` of a front) queues
each answer on the socket itself, in bus order, so an answer always precedes the rows of the
search it started; a row whose queue overflows ends the socket as on the market
(:data:`~hoga.engine.conditions.OVERFLOW_NOTICE`).

Failures:

- **The market is down or slow**: a frame not answered within ``timeout_s`` (10 s) gets
  ``return_code`` 1 (:data:`MSG_NO_MARKET`); a late answer is dropped (a realtime search it
  started is cleared again).
- **The market restarts**: it lost every front socket's searches. The next beat names them; the
  market answers ``lost`` and the front starts each again with the codes the socket was told of,
  so the socket gets ``I``/``D`` rows for what entered or left in between and nothing else —
  the client sees no answer frame and keeps its searches. A search whose condition was deleted
  meanwhile (or that no longer fits) is dropped without a word (``gone``). I/D changes that
  happened and reverted while the market was down are not seen.
- **A front dies**: the market forgets its sockets' searches ``3 × announce_us`` after its last
  message (the rule of :mod:`hoga.engine.realtime_relay` for wants). A front that loses its bus
  connection for that long gets its searches back through ``lost`` at the next beat.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import msgspec

from hoga.engine.bus_pump import Reader, pump
from hoga.engine.conditions import OVERFLOW_NOTICE, ConditionService
from hoga.engine.realtime import RealtimeHub, RealtimeLimits, RealtimeSession
from hoga.ports.clock import Clock
from hoga.ports.pubsub import Message, PubSub, Subscription
from hoga.wire.ws import (
    CnsrClr,
    CnsrClrResult,
    CnsrLst,
    CnsrLstResult,
    CnsrReq,
    CnsrReqResult,
    WsDecodeError,
    decode_client,
    decode_server,
    encode,
)

__all__ = ["ASK", "MSG_NO_MARKET", "TELL", "ConditionRelay", "FrontConditions"]

log = logging.getLogger(__name__)

ASK = "rt.cnsr"
TELL = "rt.cnsr."
MSG_NO_MARKET = "조건검색 서버가 응답하지 않습니다 (hoga: the market process did not answer)"


class _Ask(msgspec.Struct, omit_defaults=True):
    front: str
    session: int = 0
    customer: str = ""
    id: int = 0
    listed: bool = False
    req: str = ""
    members: list[str] | None = None
    end: bool = False
    beat: list[tuple[int, list[str]]] | None = None


class _Tell(msgspec.Struct, omit_defaults=True):
    session: int
    kind: str  # answer | row | lost | gone
    id: int = 0
    codes: list[str] = []
    seqs: list[str] = []


_ENC = msgspec.json.Encoder()
_ASK = msgspec.json.Decoder(_Ask)
_TELL = msgspec.json.Decoder(_Tell)
_ROW = msgspec.json.Decoder(dict[str, Any])


def _tell(header: _Tell, body: bytes = b"") -> bytes:
    return _ENC.encode(header) + b"\n" + body


# ------------------------------------------------------------------ the market side


@dataclass(frozen=True, slots=True)
class _Customer:
    customer_id: str


class _Stand(RealtimeSession):
    """The market's stand-in for one front socket: its rows are published to the front."""

    def __init__(self, bus: PubSub, front: str, sid: int) -> None:
        super().__init__("", (), RealtimeLimits())
        self.bus = bus
        self.topic = TELL + front
        self.sid = sid

    def push(self, type_code: str, item: str, row: bytes) -> bool:
        if not self.closed:
            self.bus.publish_nowait(self.topic, _tell(_Tell(self.sid, "row"), row))
        return True


class ConditionRelay:
    """The market side (see the module docstring)."""

    def __init__(
        self, service: ConditionService, bus: PubSub, wall: Clock, *, announce_us: int
    ) -> None:
        self.service = service
        self.bus = bus
        self.wall = wall
        self.expire_us = 3 * announce_us
        self.heard: dict[str, int] = {}  # front -> last message, wall µs
        self.sessions: dict[tuple[str, int], _Stand] = {}
        self._reader = Reader(bus, ASK, self._run, "hoga-rt-cnsr")

    async def start(self) -> None:
        await self._reader.start()

    async def stop(self) -> None:
        await self._reader.stop()
        for key in list(self.sessions):
            self._end(key)

    async def _run(self, sub: Subscription) -> None:
        await pump(sub, self.expire_us / 1e6, self._step, "condition relay: bad message")

    async def _step(self, msg: Message | None) -> None:
        if msg is not None:
            await self.handle(_ASK.decode(msg.payload))
        self.expire()

    def expire(self) -> None:
        """Forget the sockets of fronts not heard from for ``3 × announce_us``."""
        now = self.wall.now()
        for front in [f for f, at in self.heard.items() if now - at > self.expire_us]:
            del self.heard[front]
            for key in [k for k in self.sessions if k[0] == front]:
                self._end(key)

    def _end(self, key: tuple[str, int]) -> None:
        stand = self.sessions.pop(key, None)
        if stand is not None:
            stand.end(None)
            self.service.forget(stand)

    def _stand(self, front: str, sid: int) -> _Stand:
        stand = self.sessions.get((front, sid))
        if stand is None:
            stand = self.sessions[(front, sid)] = _Stand(self.bus, front, sid)
        return stand

    async def handle(self, ask: _Ask) -> None:
        """One message of a front."""
        self.heard[ask.front] = self.wall.now()
        if ask.beat is not None:
            self._beat(ask.front, ask.beat)
            return
        if ask.end:
            self._end((ask.front, ask.session))
            return
        try:
            msg = decode_client(ask.req)
        except WsDecodeError:
            log.warning("condition relay: undecodable frame from front %s", ask.front)
            return
        if not isinstance(msg, CnsrLst | CnsrReq | CnsrClr):
            return
        stand = self._stand(ask.front, ask.session)
        if ask.listed:
            self.service.mark_listed(stand)
        tell = _Tell(ask.session, "answer", ask.id)
        if ask.members is not None:
            if isinstance(msg, CnsrReq):
                resumed = self.service.resume(stand, ask.customer, msg, ask.members)
                if resumed.return_code != 0:
                    self._publish(ask.front, _Tell(ask.session, "gone", seqs=[resumed.seq]))
            return
        answer = await self.service.handle(stand, _Customer(ask.customer), msg)
        if isinstance(answer, CnsrReqResult) and answer.return_code == 0:
            tell.codes = sorted(self.service.members(stand, answer.seq))
        if ask.id:
            self._publish(ask.front, tell, encode(answer))

    def _beat(self, front: str, beat: list[tuple[int, list[str]]]) -> None:
        named = set()
        for sid, seqs in beat:
            named.add(sid)
            stand = self.sessions.get((front, sid))
            running = set(self.service.active(stand)) if stand is not None else set()
            lost = [s for s in seqs if s not in running]
            if lost:
                self._publish(front, _Tell(sid, "lost", seqs=lost))
        for key in [k for k in self.sessions if k[0] == front and k[1] not in named]:
            self._end(key)  # its "end" message was lost

    def _publish(self, front: str, tell: _Tell, body: bytes = b"") -> None:
        self.bus.publish_nowait(TELL + front, _tell(tell, body))


# ------------------------------------------------------------------ the front side


@dataclass(eq=False, slots=True)
class _Live:
    req: str  # the CNSRREQ frame that started it (JSON text)
    members: set[str]


@dataclass(eq=False, slots=True)
class _Socket:
    sid: int
    session: RealtimeSession
    customer: str
    listed: bool = False
    lives: dict[str, _Live] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class _Pending:
    socket: _Socket
    msg: CnsrLst | CnsrReq | CnsrClr
    done: asyncio.Future[None]


class FrontConditions:
    """The front side (see the module docstring): ``ctx.services["conditions"]`` of a front."""

    def __init__(
        self, hub: RealtimeHub, bus: PubSub, front_id: str, *, timeout_s: float = 10.0
    ) -> None:
        self.hub = hub
        self.bus = bus
        self.front_id = front_id
        self.timeout_s = timeout_s
        self.sockets: dict[RealtimeSession, _Socket] = {}
        self.by_sid: dict[int, _Socket] = {}
        self._ids = count(1)
        self._pending: dict[int, _Pending] = {}
        self._reader = Reader(bus, TELL + self.front_id, self._read, "hoga-cnsr-front")

    async def start(self) -> None:
        await self._reader.start()

    async def stop(self) -> None:
        await self._reader.stop()
        for pending in self._pending.values():
            if not pending.done.done():
                pending.done.cancel()
        self._pending.clear()

    # -------------------------------------------------------------- sockets

    async def handle(
        self, session: RealtimeSession, principal: Any, msg: CnsrLst | CnsrReq | CnsrClr
    ) -> CnsrLstResult | CnsrReqResult | CnsrClrResult | None:
        """Forward one condition frame to the market. None: its answer was queued on
        ``session`` already (in order with the rows); else the refusal to send."""
        if session.closed:  # nobody would read the answer
            return _refusal(msg)
        socket = self.sockets.get(session)
        if socket is None:
            socket = _Socket(next(self._ids), session, str(principal.customer_id))
            self.sockets[session] = socket
            self.by_sid[socket.sid] = socket
        if isinstance(msg, CnsrClr):  # from now on its rows are not wanted
            socket.lives.pop(str(msg.seq).strip(), None)
        rid = next(self._ids)
        done = asyncio.get_running_loop().create_future()
        self._pending[rid] = _Pending(socket, msg, done)
        req = encode(msg).decode()
        ask = _Ask(self.front_id, socket.sid, socket.customer, rid, socket.listed, req)
        try:
            async with asyncio.timeout(self.timeout_s):
                await self.bus.publish(ASK, _ENC.encode(ask))
                await done
        except (TimeoutError, ConnectionError):
            self._pending.pop(rid, None)
            return _refusal(msg)
        return None

    def forget(self, session: RealtimeSession) -> None:
        """``session`` ended: the market stops its realtime searches."""
        socket = self.sockets.pop(session, None)
        if socket is not None:
            del self.by_sid[socket.sid]
            end = _Ask(self.front_id, socket.sid, end=True)
            self.bus.publish_nowait(ASK, _ENC.encode(end))

    async def beat(self) -> None:
        """Tell the market which sockets use condition search (the liveness and restart
        check of the module docstring); nothing while none does."""
        if self.sockets:
            beat = [(s.sid, sorted(s.lives, key=int)) for s in self.sockets.values()]
            await self.bus.publish(ASK, _ENC.encode(_Ask(self.front_id, beat=beat)))

    # -------------------------------------------------------------- from the market

    async def _read(self, sub: Subscription) -> None:
        while True:
            msg: Message | None = await sub.get()
            while msg is not None:
                try:
                    self.receive(msg.payload)
                except Exception:  # a bad message must not end the relay
                    log.exception("condition front: bad message")
                msg = sub.get_nowait()

    def receive(self, payload: bytes) -> None:
        """One message from the market (see the module docstring)."""
        head, _, body = payload.partition(b"\n")
        tell = _TELL.decode(head)
        if tell.kind == "answer":
            self._answer(tell, body)
            return
        socket = self.by_sid.get(tell.session)
        if socket is None:
            return
        if tell.kind == "row":
            self._row(socket, body)
        elif tell.kind == "lost":
            for seq in tell.seqs:
                live = socket.lives.get(seq)
                if live is not None:
                    ask = _Ask(self.front_id, socket.sid, socket.customer, 0, True, live.req)
                    ask.members = sorted(live.members)
                    self.bus.publish_nowait(ASK, _ENC.encode(ask))
        elif tell.kind == "gone":
            for seq in tell.seqs:
                socket.lives.pop(seq, None)

    def _answer(self, tell: _Tell, body: bytes) -> None:
        pending = self._pending.pop(tell.id, None)
        answer = decode_server(body)
        ok = getattr(answer, "return_code", 1) == 0
        # a realtime search started (a one-shot answer always says cont_yn)
        started = isinstance(answer, CnsrReqResult) and ok and answer.cont_yn is None
        if pending is None:  # answered after the timeout: undo a realtime search it started
            if isinstance(answer, CnsrReqResult) and started:
                socket = self.by_sid.get(tell.session)
                if socket is not None and answer.seq not in socket.lives:
                    clear = encode(CnsrClr(seq=answer.seq)).decode()
                    ask = _Ask(self.front_id, socket.sid, socket.customer, 0, True, clear)
                    self.bus.publish_nowait(ASK, _ENC.encode(ask))
            return
        socket, msg = pending.socket, pending.msg
        if isinstance(answer, CnsrLstResult) and ok:
            socket.listed = True
        if isinstance(msg, CnsrReq) and started:
            socket.lives[msg.seq_str] = _Live(encode(msg).decode(), set(tell.codes))
        if not socket.session.closed:
            socket.session.send(body)
        if not pending.done.done():
            pending.done.set_result(None)

    def _row(self, socket: _Socket, row: bytes) -> None:
        values = _ROW.decode(row).get("values", {})
        live = socket.lives.get(str(values.get("841", "")))
        if live is None:  # cleared here; the market had not heard yet
            return
        code = str(values.get("9001", ""))
        if values.get("843") == "I":
            live.members.add(code)
        else:
            live.members.discard(code)
        session = socket.session
        if not session.push("02", code, row):
            self.hub.close(session, OVERFLOW_NOTICE)


def _refusal(msg: CnsrLst | CnsrReq | CnsrClr) -> CnsrLstResult | CnsrReqResult | CnsrClrResult:
    if isinstance(msg, CnsrLst):
        return CnsrLstResult(return_code=1, return_msg=MSG_NO_MARKET)
    if isinstance(msg, CnsrReq):
        return CnsrReqResult(seq=msg.seq_str, return_code=1, return_msg=MSG_NO_MARKET)
    return CnsrClrResult(seq=str(msg.seq).strip(), return_code=1, return_msg=MSG_NO_MARKET)
