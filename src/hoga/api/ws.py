"""The Kiwoom WebSocket at ``/api/dostk/websocket`` (spec §5): LOGIN, PING, REG/REMOVE, REAL.

One connection = one task group of three: the reader (client frames), the writer and the
pinger. Under ``hoga serve`` (uvicorn with :class:`hoga.api.ws_direct.DirectProtocol`) the
session gets a direct sink after the LOGIN ack: the hub writes its frames to the socket once per
event-loop turn (see :mod:`hoga.engine.realtime`) and the writer only closes the socket when the
session ends (its SYSTEM notice, if any, then the close frame, without waiting for a slow
reader). Elsewhere (another ASGI server, the test client) the writer drains the session queue of
:class:`hoga.engine.realtime.RealtimeSession` with ``send_text``. Realtime rows, registrations
and fan-out live in :class:`hoga.engine.realtime.RealtimeHub` (one per application, in
``ctx.services["realtime"]``).

Protocol decisions (all configurable through :class:`WsConfig`, read from
``ctx.services["ws.config"]`` when a connection opens):
- LOGIN must be the first frame that is not a PING; anything else first, or no LOGIN within
  ``login_timeout_us``, gets ``SYSTEM`` R10004 and the socket closes. The LOGIN ack is the first
  frame the client sees. A bad or expired token gets the documented failure (return_code 805004,
  ``[CODE=8005, …]``; other auth codes keep their own code in the message) and the socket closes.
- One session per app key: a newer LOGIN ends the older session with ``SYSTEM`` R10001 (also
  across the processes of a market + front-end server: :mod:`hoga.engine.login_fence`).
- The server sends ``{"trnm":"PING"}`` every ``ping_interval_us`` (20 s) of the timer — the app's
  simulated clock unless ``WsConfig.timer`` is set, so a fast clock pings faster and a frozen one
  never. Any PING from the client (an echo, verbatim or minimal, or its own) answers the ping;
  after ``max_missed_pings`` (5) unanswered pings in a row the server sends ``SYSTEM`` R10002 and
  closes. Client PINGs are accepted silently (never echoed: a client that echoes every PING would
  otherwise loop). Protocol-level pings are answered by the ASGI server.
- During a maintenance window covering the WebSocket, LOGIN gets ``SYSTEM`` R10009 and the
  socket closes; REG gets the same frame and registers nothing (:mod:`hoga.policy.maintenance`).
- Condition search frames (CNSRLST/CNSRREQ/CNSRCLR) are delegated to ``ctx.services["conditions"]``
  (``async handle(session, principal, msg) -> ServerMessage | None``; None: the service queued
  the answer on the session itself) when present, else answered with ``return_code`` 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from starlette.requests import Request
from starlette.websockets import WebSocket, WebSocketDisconnect

from hoga.api.context import AppContext, Principal
from hoga.api.ws_direct import DirectSink, direct_sink
from hoga.engine.realtime import RealtimeHub, RealtimeLimits, RealtimeSession
from hoga.ports.clock import Clock
from hoga.wire.errors import ApiError
from hoga.wire.ws import (
    ClientMessage,
    CnsrClr,
    CnsrClrResult,
    CnsrLst,
    CnsrLstResult,
    CnsrReq,
    CnsrReqResult,
    Login,
    LoginAck,
    Ping,
    Reg,
    Remove,
    System,
    WsDecodeError,
    decode_client,
    encode,
    login_failure,
)

__all__ = ["WsConfig", "config_for", "endpoint", "hub_for"]

log = logging.getLogger(__name__)

_PING = encode(Ping())
_R10002 = System(
    code="R10002",
    message="사용자 프로그램으로부터 Heartbeat(연결유지) 메시지가 오지않아서 접속을 종료합니다",
)
_R10004 = System(code="R10004", message="접속허용요청이 들어오지 않았습니다")


@dataclass(frozen=True, slots=True)
class WsConfig:
    """WebSocket protocol knobs (see the module docstring)."""

    ping_interval_us: int = 20_000_000
    max_missed_pings: int = 5
    login_timeout_us: int = 30_000_000
    limits: RealtimeLimits = field(default_factory=RealtimeLimits)
    timer: Clock | None = None  # None: the application's (simulated) clock


def config_for(ctx: AppContext) -> WsConfig:
    cfg = ctx.services.get("ws.config")
    return cfg if isinstance(cfg, WsConfig) else WsConfig()


def hub_for(ctx: AppContext) -> RealtimeHub:
    """The application's realtime hub (made on first use; brokerage pushes go through it)."""
    hub = ctx.services.get("realtime")
    if not isinstance(hub, RealtimeHub):
        hub = RealtimeHub(ctx.exchange, ctx.pubsub, config_for(ctx).limits)
        ctx.services["realtime"] = hub
    return hub


def endpoint(ctx: AppContext) -> Callable[[WebSocket], Awaitable[None]]:
    """The ASGI WebSocket handler for ``/api/dostk/websocket``."""

    async def handle(websocket: WebSocket) -> None:
        await _Connection(ctx, websocket).run()

    return handle


class _Connection:
    def __init__(self, ctx: AppContext, websocket: WebSocket) -> None:
        self.ctx = ctx
        self.ws = websocket
        self.config = config_for(ctx)
        self.timer: Clock = self.config.timer or ctx.clock
        self.hub = hub_for(ctx)
        self.outstanding = False
        self.missed = 0
        self.sink: DirectSink | None = None

    async def _send(self, frame: bytes) -> None:
        await self.ws.send_text(frame.decode())

    async def _close(self, notice: System | None = None) -> None:
        if self.sink is not None:
            self.sink.close(None if notice is None else encode(notice))
            return
        with contextlib.suppress(Exception):
            if notice is not None:
                await self._send(encode(notice))
            await self.ws.close()

    async def _next(self) -> ClientMessage | None:
        """The next decodable client frame; None for noise (bare ``PING`` counts as a PING)."""
        text = await self.ws.receive_text()
        try:
            return decode_client(text)
        except WsDecodeError:
            return Ping() if text.strip().upper() == "PING" else None

    async def run(self) -> None:
        await self.ws.accept()
        try:
            principal = await self._login()
        except WebSocketDisconnect:
            return
        if principal is None:
            return
        session = self.hub.open(principal.appkey, principal.accounts)
        await self._send(encode(LoginAck(return_code=0, return_msg="")))
        self.sink = direct_sink(self.ws.scope)
        if self.sink is not None:  # the hub writes to the socket itself (hoga.api.ws_direct)
            self.sink.protocol.on_drain = session.resume
            self.hub.attach(session, self.sink)
        reader = asyncio.ensure_future(self._reader(session, principal))
        writer = asyncio.ensure_future(self._writer(session))
        tasks = [reader, writer, asyncio.ensure_future(self._pinger(session))]
        try:  # the pinger only ends the session; the writer then sends the notice and returns
            await asyncio.wait([reader, writer], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if not session.closed:
                self.hub.close(session)
            await self.hub.settle()
            await self._close()

    def _maintenance(self) -> System | None:
        """The SYSTEM notice of a maintenance window closing the WebSocket (R10009), if any."""
        gate = self.ctx.services.get("maintenance.gate")  # hoga.policy.maintenance
        return None if gate is None else cast(System | None, gate.websocket())

    async def _login(self) -> Principal | None:
        deadline = self.timer.now() + self.config.login_timeout_us
        timeout = asyncio.ensure_future(self.timer.sleep_until(deadline))
        try:
            while True:
                reader = asyncio.ensure_future(self._next())
                done, _ = await asyncio.wait({reader, timeout}, return_when=asyncio.FIRST_COMPLETED)
                if reader not in done:
                    reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await reader
                    await self._close(_R10004)
                    return None
                msg = reader.result()
                if msg is None or isinstance(msg, Ping):
                    continue
                if not isinstance(msg, Login):
                    await self._close(_R10004)
                    return None
                closed = self._maintenance()
                if closed is not None:  # a maintenance window covers the WebSocket
                    await self._close(closed)
                    return None
                return await self._authenticate(msg)
        finally:
            timeout.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timeout

    async def _authenticate(self, msg: Login) -> Principal | None:
        from hoga.api.app import env_for  # app.py imports this module

        auth = self.ctx.auth
        client = self.ws.client.host if self.ws.client else ""
        env = env_for(self.ctx, cast(Request, self.ws))
        who: Principal | ApiError = (
            ApiError.of(8005) if auth is None else auth.authenticate(msg.bare_token, env, client)
        )
        if isinstance(who, ApiError):
            ack = login_failure()
            if who.code != "8005":
                text = f"[CODE={who.code}, MESSAGE={who.return_msg}]"
                ack = LoginAck(return_code=805004, return_msg=f"토큰 인증에 실패했습니다 {text}")
            await self._send(encode(ack))
            await self._close()
            return None
        return who

    async def _reader(self, session: RealtimeSession, principal: Principal) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while not session.closed:
                msg = await self._next()
                if msg is None:
                    continue
                if isinstance(msg, Ping):
                    self.outstanding = False
                    self.missed = 0
                elif isinstance(msg, Reg):
                    closed = self._maintenance()
                    reply = closed if closed is not None else await self.hub.register(session, msg)
                    session.send(encode(reply))
                elif isinstance(msg, Remove):
                    session.send(encode(await self.hub.remove(session, msg)))
                elif isinstance(msg, Login):
                    session.send(encode(LoginAck(return_code=0, return_msg="")))
                else:
                    reply = await self._condition(session, principal, msg)
                    if reply is not None:  # None: the service queued it (a front end's relay)
                        session.send(encode(reply))

    async def _condition(
        self, session: RealtimeSession, principal: Principal, msg: CnsrLst | CnsrReq | CnsrClr
    ) -> Any:
        service = self.ctx.services.get("conditions")
        if service is not None:
            return await service.handle(session, principal, msg)
        text = "조건검색 서비스가 준비되지 않았습니다"
        if isinstance(msg, CnsrLst):
            return CnsrLstResult(return_code=1, return_msg=text)
        if isinstance(msg, CnsrReq):
            return CnsrReqResult(seq=msg.seq_str, return_code=1, return_msg=text)
        return CnsrClrResult(seq=str(msg.seq).strip(), return_code=1, return_msg=text)

    async def _writer(self, session: RealtimeSession) -> None:
        if self.sink is not None:  # direct writes: only the end of the session wakes us
            while not session.closed:
                await session.wait()
            self.sink.close(session.notice)
            return
        while True:
            await session.wait()
            for frame in session.take():
                await self._send(frame)
            if session.closed:
                if session.notice is not None:
                    await self._send(session.notice)
                return

    async def _pinger(self, session: RealtimeSession) -> None:
        cfg = self.config
        while not session.closed:
            await self.timer.sleep_until(self.timer.now() + cfg.ping_interval_us)
            if self.outstanding:
                self.missed += 1
                if self.missed >= cfg.max_missed_pings:
                    self.hub.close(session, _R10002)
                    break
            session.send(_PING)
            self.outstanding = True
