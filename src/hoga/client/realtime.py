"""Real-time over the WebSocket (spec §5): typed REAL messages, reconnects, condition search.

:class:`Realtime` is an async context manager and an async iterator::

    async with client.realtime() as rt:
        await rt.register(["005930"], ["0B"])
        async for msg in rt:
            ...

A background task owns the socket. It sends ``LOGIN`` with the client's token (re-issued and
retried once when the server says 8005), answers every server ``PING`` by echoing it verbatim,
routes acknowledgements to the call waiting for them and queues ``REAL`` pushes as typed
messages (:class:`RealTrade` 0B, :class:`RealBook` 0D, :class:`RealOrder` 00,
:class:`ConditionEvent` 02, :class:`RealMessage` otherwise). When the connection drops it
reconnects with exponential back-off (``backoff`` initial and maximum seconds), logs in again
and re-sends every registration and realtime condition search made so far (registrations do not
survive reconnects, spec §5.4). A LOGIN refused for another reason than the token, or
``SYSTEM`` R10001 (another session logged in with this app key — reconnecting would end that
one), ends the session with :class:`~.errors.RealtimeError`.

Condition search (ka10171–ka10174): :meth:`Realtime.conditions` (CNSRLST; the server wants it
before any CNSRREQ on a connection, so the SDK sends it itself when it has not been sent yet),
:meth:`Realtime.condition_search` (one-shot, every page through ``cont_yn``/``next_key``),
:meth:`Realtime.condition_subscribe` (realtime: initial codes, then ``ConditionEvent`` pushes)
and :meth:`Realtime.condition_clear`. A refusal (unknown seq, more than 10 realtime searches per
login) raises :class:`RealtimeError` naming the seq, with the server's ``return_code`` and
reason. The SDK keeps each realtime search's members; after a reconnect it re-sends the search
and queues a ``ConditionEvent`` (without FID 20/907) for every code that entered or left while
the connection was down.

How the socket is opened is pluggable (``ws_connect`` on the client): the default uses the
``websockets`` library; :func:`hoga.client.inprocess.asgi_websocket` speaks ASGI to an
in-process app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from hoga.client.errors import RealtimeError
from hoga.client.models import Level, Side, amount, parse_side, price, rate
from hoga.wire.format import parse_time, plain_code
from hoga.wire.ws import (
    CnsrClr,
    CnsrClrResult,
    CnsrLst,
    CnsrLstResult,
    CnsrReq,
    CnsrReqResult,
    Login,
    LoginAck,
    Ping,
    Real,
    RealItem,
    Reg,
    RegAck,
    RegItem,
    Remove,
    RemoveAck,
    System,
    WsDecodeError,
    decode_server,
    encode,
)

if TYPE_CHECKING:
    from hoga.client.aio import AsyncClient

__all__ = [
    "ConditionEvent",
    "RealBook",
    "RealMessage",
    "RealOrder",
    "RealTrade",
    "Realtime",
    "WsConnect",
    "WsConnection",
    "condition_codes",
    "parse_real",
    "websockets_connect",
]

log = logging.getLogger("hoga.client.realtime")


class WsConnection(Protocol):
    """What :class:`Realtime` needs of a WebSocket; ``recv`` raises when the socket is gone."""

    async def send(self, text: str) -> None: ...

    async def recv(self) -> str: ...

    async def close(self) -> None: ...


WsConnect = Callable[[str], Awaitable[WsConnection]]


class _Websockets:
    def __init__(self, ws: Any) -> None:
        self._ws = ws

    async def send(self, text: str) -> None:
        await self._ws.send(text)

    async def recv(self) -> str:
        data = await self._ws.recv()
        return data if isinstance(data, str) else bytes(data).decode()

    async def close(self) -> None:
        await self._ws.close()


async def websockets_connect(url: str) -> WsConnection:
    """Open ``url`` with the ``websockets`` library (protocol pings every 20 s)."""
    from websockets.asyncio.client import connect

    return _Websockets(await connect(url, ping_interval=20, max_size=2**22))


# --- typed messages ---------------------------------------------------------------------------


def _t(text: str | None) -> time | None:
    return parse_time(text) if text and text.strip() else None


@dataclass(frozen=True, slots=True)
class RealMessage:
    """One ``REAL`` entry: type code, type name, item code and the raw FID values."""

    type: str
    name: str
    item: str
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class RealTrade(RealMessage):
    """0B 주식체결: a trade. ``side`` is the initiator (sign of FID 15)."""

    time: time | None
    price: int
    change: int
    change_rate: Decimal
    qty: int
    side: Side
    volume: int


@dataclass(frozen=True, slots=True)
class RealBook(RealMessage):
    """0D 주식호가잔량: ten levels a side, best first (empty levels left out)."""

    time: time | None
    asks: tuple[Level, ...]
    bids: tuple[Level, ...]


@dataclass(frozen=True, slots=True)
class RealOrder(RealMessage):
    """00 주문체결: an order event of the token's account (접수, 체결, 확인, 취소, 거부)."""

    order_no: str
    status: str
    code: str
    side: Side
    qty: int
    price: int
    open_qty: int
    fill_price: int
    fill_qty: int


@dataclass(frozen=True, slots=True)
class ConditionEvent(RealMessage):
    """02 조건검색: ``code`` entered (``inserted``, 843 ``I``) or left (``D``) condition ``seq``.

    ``time`` (FID 20) and ``side`` (907, the side of the trade that caused it; ``""`` when no
    trade did) are unknown for an event the SDK made up after a reconnect.
    """

    seq: str
    code: str
    inserted: bool
    time: time | None = None
    side: Side = ""


def parse_real(item: RealItem) -> RealMessage:
    """The typed message for one ``REAL`` entry."""
    v = item.values
    g = v.get
    base = (item.type, item.name, item.item, v)
    if item.type == "0B":
        q = amount(g("15", ""))
        return RealTrade(
            *base,
            time=_t(g("20")),
            price=price(g("10", "")),
            change=amount(g("11", "")),
            change_rate=rate(g("12", "")),
            qty=abs(q),
            side="sell" if q < 0 else "buy" if q > 0 else "",
            volume=amount(g("13", "")),
        )
    if item.type == "0D":

        def levels(base_fid: int, qty_fid: int) -> tuple[Level, ...]:
            out = []
            for n in range(1, 11):
                p = price(g(str(base_fid + n), ""))
                if p > 0:
                    out.append(Level(p, amount(g(str(qty_fid + n), ""))))
            return tuple(out)

        return RealBook(*base, time=_t(g("21")), asks=levels(40, 60), bids=levels(50, 70))
    if item.type == "00":
        return RealOrder(
            *base,
            order_no=g("9203", ""),
            status=g("913", ""),
            code=plain_code(g("9001", "")),
            side=parse_side(g("907", "") or g("905", "")),
            qty=amount(g("900", "")),
            price=price(g("901", "")),
            open_qty=amount(g("902", "")),
            fill_price=price(g("910", "")),
            fill_qty=amount(g("911", "")),
        )
    if item.type == "02":
        return ConditionEvent(
            *base,
            seq=g("841", "").strip(),
            code=plain_code(g("9001", "")),
            inserted=g("843", "").strip().upper() == "I",
            time=_t(g("20")),
            side=parse_side(g("907", "")),
        )
    return RealMessage(*base)


def condition_codes(rows: list[dict[str, str]]) -> list[str]:
    """The plain item codes of condition-search rows (``9001``/``jmcode``, ``A`` prefix off)."""
    return [plain_code(r.get("9001", "") or r.get("jmcode", "")) for r in rows]


def _codes(res: CnsrReqResult) -> list[str]:
    return condition_codes(res.data or [])


def _seq(seq: str | int) -> str:
    return str(seq).strip()


# --- the session ------------------------------------------------------------------------------

_AUTH_CODES = ("8005", "8031", "8103", "805004")
_END = object()


class _Lost(Exception):
    """The connection went away while a request waited for its answer."""


class _Relogin(Exception):
    """LOGIN refused for the token: issue a new one and connect again at once."""


class Realtime:
    """One realtime WebSocket session (see the module docstring)."""

    def __init__(
        self,
        client: AsyncClient,
        *,
        backoff: tuple[float, float] = (0.5, 30.0),
        max_reconnects: int | None = None,
        ack_timeout: float = 30.0,
        queue_size: int = 100_000,
    ) -> None:
        self.client = client
        self.backoff = backoff
        self.max_reconnects = max_reconnects
        self.ack_timeout = ack_timeout
        self.reconnects = 0
        self.logins = 0
        self._queue: asyncio.Queue[Any] = asyncio.Queue(queue_size)
        self._regs: list[Reg] = []
        self._conds: dict[str, CnsrReq] = {}
        self._members: dict[str, set[str]] = {}
        self._resync: dict[asyncio.Future[Any], str] = {}
        self._listed = False
        self._conn: WsConnection | None = None
        self._pending: dict[str, deque[asyncio.Future[Any]]] = {}
        self._connected = asyncio.Event()
        self._ready: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._error: BaseException | None = None
        self._attempt = 0
        self._relogins = 0

    # --- lifecycle ---

    async def __aenter__(self) -> Realtime:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Connect and log in; raises :class:`RealtimeError` if the first LOGIN is refused."""
        self._ready = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._run())
        await self._ready

    async def close(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop()

    def __aiter__(self) -> Realtime:
        return self

    async def __anext__(self) -> RealMessage:
        msg = await self._queue.get()
        if msg is _END:
            self._queue.put_nowait(_END)
            if self._error is not None:
                raise self._error
            raise StopAsyncIteration
        assert isinstance(msg, RealMessage)
        return msg

    async def next(self, timeout: float | None = None) -> RealMessage:
        """The next message, waiting at most ``timeout`` seconds (``TimeoutError``)."""
        async with asyncio.timeout(timeout):
            return await self.__anext__()

    # --- requests ---

    async def register(
        self, items: list[str], types: list[str], *, group: str = "1", refresh: bool = True
    ) -> None:
        """REG ``types`` for ``items`` (``[""]`` for account types 00/04) in ``group``."""
        msg = Reg(
            grp_no=group, refresh="1" if refresh else "0", data=[RegItem(item=items, type=types)]
        )
        self._regs.append(msg)
        await self._ack_or_lost("REG", msg)

    async def remove(self, items: list[str], types: list[str], *, group: str = "1") -> None:
        """REMOVE ``types`` for ``items`` from ``group`` (and from what is re-sent on reconnect)."""
        msg = Remove(grp_no=group, refresh="", data=[RegItem(item=items, type=types)])
        gone = {(i, t) for i in items for t in types}
        kept: list[Reg] = []
        for reg in self._regs:
            data = [
                RegItem(item=[i], type=[t])
                for d in reg.data
                for i in d.items
                for t in d.types
                if reg.group != group or (i, t) not in gone
            ]
            if data:
                kept.append(Reg(grp_no=reg.grp_no, refresh="1", data=data))
        self._regs = kept
        await self._ack_or_lost("REMOVE", msg)

    async def conditions(self) -> list[tuple[str, str]]:
        """ka10171 CNSRLST: the stored condition formulas as ``(seq, name)``."""
        res = await self._request("CNSRLST", CnsrLst())
        assert isinstance(res, CnsrLstResult)
        self._listed = True
        return [(str(row[0]).strip(), str(row[1])) for row in res.data or () if len(row) >= 2]

    async def condition_search(self, seq: str | int, *, stex: str = "K") -> list[dict[str, str]]:
        """ka10172: every row of a one-shot search, all pages (``cont_yn``/``next_key``).

        Rows are keyed by FID (``9001`` is the A-prefixed code; see :func:`condition_codes`).
        """
        seq = _seq(seq)
        await self._list_first()
        rows: list[dict[str, str]] = []
        key, cont, seen = "", "N", set()
        while True:
            msg = CnsrReq(seq=seq, search_type="0", stex_tp=stex, cont_yn=cont, next_key=key)
            res = await self._cnsrreq(msg)
            rows.extend(res.data or ())
            if (res.cont_yn or "N").strip().upper() != "Y":
                return rows
            key = (res.next_key or "").strip()
            if key in seen:
                raise RealtimeError(f"CNSRREQ seq={seq}: next_key {key!r} repeats")
            seen.add(key)
            cont = "Y"

    async def condition_subscribe(self, seq: str | int, *, stex: str = "K") -> list[str]:
        """ka10173: start (or restart) a realtime search; the codes in it now.

        Then :class:`ConditionEvent` pushes arrive through the iterator. The server allows 10
        realtime searches per login: the 11th raises :class:`RealtimeError` (``return_code``
        1) and changes nothing.
        """
        seq = _seq(seq)
        await self._list_first()
        msg = CnsrReq(seq=seq, search_type="1", stex_tp=stex)
        res = await self._cnsrreq(msg)
        codes = _codes(res)
        self._conds[seq] = msg
        self._members[seq] = set(codes)
        return codes

    async def condition_clear(self, seq: str | int) -> None:
        """ka10174: stop the realtime search ``seq`` (also on later reconnects)."""
        seq = _seq(seq)
        self._conds.pop(seq, None)
        self._members.pop(seq, None)
        await self._request("CNSRCLR", CnsrClr(seq=seq))

    async def _list_first(self) -> None:
        if not self._listed:
            await self.conditions()

    async def _cnsrreq(self, msg: CnsrReq) -> CnsrReqResult:
        try:
            res = await self._request("CNSRREQ", msg)
        except RealtimeError as exc:
            reason = str(exc).removeprefix("CNSRREQ refused: ")
            raise RealtimeError(
                f"CNSRREQ seq={msg.seq_str} refused: {reason}", return_code=exc.return_code
            ) from None
        assert isinstance(res, CnsrReqResult)
        return res

    async def _ack_or_lost(self, trnm: str, msg: Reg | Remove) -> None:
        """Send now if connected (and wait for the ack); else it goes out after the next login."""
        if self._conn is None:
            return
        with contextlib.suppress(_Lost):
            await self._request(trnm, msg)

    async def _request(self, trnm: str, msg: Any) -> Any:
        await asyncio.wait_for(self._connected.wait(), self.ack_timeout)
        conn = self._conn
        if conn is None:
            raise _Lost
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(trnm, deque()).append(fut)
        await conn.send(encode(msg).decode())
        res = await asyncio.wait_for(fut, self.ack_timeout)
        rc = str(getattr(res, "return_code", 0)).strip()
        if rc not in ("0", ""):
            raise RealtimeError(
                f"{trnm} refused: {rc} {getattr(res, 'return_msg', '')}", return_code=rc
            )
        return res

    # --- the connection task ---

    async def _run(self) -> None:
        try:
            while not self._closing:
                try:
                    await self._session()
                except _Relogin:
                    self._relogins += 1
                    if self._relogins > 2:
                        self._fail(RealtimeError("LOGIN refused again with a fresh token"))
                        return
                    self.client.invalidate_token()
                    continue
                except RealtimeError as exc:
                    self._fail(exc)
                    return
                except Exception as exc:
                    if self.logins == 0:
                        self._fail(RealtimeError(f"could not open the realtime session: {exc!r}"))
                        return
                    log.warning("realtime connection lost: %r", exc)
                finally:
                    await self._drop()
                if self._closing:
                    return
                self.reconnects += 1
                if self.max_reconnects is not None and self.reconnects > self.max_reconnects:
                    self._fail(RealtimeError("gave up reconnecting"))
                    return
                lo, hi = self.backoff
                await asyncio.sleep(min(hi, lo * 2**self._attempt))
                self._attempt += 1
        finally:
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(_END)

    def _fail(self, exc: BaseException) -> None:
        self._error = exc
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(exc)

    async def _drop(self) -> None:
        self._connected.clear()
        conn, self._conn = self._conn, None
        for futs in self._pending.values():
            while futs:
                f = futs.popleft()
                if not f.done():
                    f.set_exception(_Lost())
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _session(self) -> None:
        connect: WsConnect = self.client.ws_connect or websockets_connect
        conn = await connect(self.client.ws_url)
        self._conn = conn
        await self._login(conn)
        self.logins += 1
        self._attempt = 0
        self._relogins = 0
        self._listed = False
        for reg in self._regs:
            await conn.send(encode(reg).decode())
            self._pending.setdefault("REG", deque()).append(self._ignored())
        if self._conds:
            await conn.send(encode(CnsrLst()).decode())
            self._pending.setdefault("CNSRLST", deque()).append(self._ignored())
            self._listed = True
            for seq, req in self._conds.items():
                await conn.send(encode(req).decode())
                fut = self._ignored()
                self._resync[fut] = seq
                self._pending.setdefault("CNSRREQ", deque()).append(fut)
        self._connected.set()
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(None)
        while True:
            await self._dispatch(conn, await conn.recv())

    def _ignored(self) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        fut.add_done_callback(self._forget)
        return fut

    def _forget(self, fut: asyncio.Future[Any]) -> None:
        self._resync.pop(fut, None)
        if not fut.cancelled():
            fut.exception()

    def _resynced(self, seq: str, res: CnsrReqResult) -> None:
        """A re-sent realtime search answered: queue what changed while disconnected."""
        if self._conds.get(seq) is None:
            return
        if str(res.return_code).strip() not in ("0", ""):
            log.warning("realtime condition %s not restored: %s", seq, res.return_msg)
            self._conds.pop(seq, None)
            self._members.pop(seq, None)
            return
        now = set(_codes(res))
        before = self._members.get(seq, set())
        self._members[seq] = now
        for code in sorted(now ^ before):
            flag = "I" if code in now else "D"
            values = {"841": seq, "9001": code, "843": flag}
            self._queue.put_nowait(
                ConditionEvent("02", "조건검색", code, values, seq, code, flag == "I")
            )

    async def _login(self, conn: WsConnection) -> None:
        token = await self.client.token()
        await conn.send(encode(Login(token=token)).decode())
        while True:
            text = await conn.recv()
            msg = decode_server(text)
            if isinstance(msg, Ping):
                await conn.send(text)
                continue
            if not isinstance(msg, LoginAck):
                raise RealtimeError(f"expected the LOGIN ack, got {text[:200]}")
            rc = str(msg.return_code).strip()
            if rc == "0":
                return
            if rc in _AUTH_CODES or any(c in msg.return_msg for c in _AUTH_CODES):
                raise _Relogin  # the server closes after a failed LOGIN: reconnect, new token
            raise RealtimeError(f"LOGIN refused: {rc} {msg.return_msg}", return_code=rc)

    async def _dispatch(self, conn: WsConnection, text: str) -> None:
        try:
            msg = decode_server(text)
        except WsDecodeError:
            if text.strip().upper() == "PING":
                await conn.send(text)
            else:
                log.info("ignored frame: %.200s", text)
            return
        if isinstance(msg, Ping):
            await conn.send(text)  # echo verbatim (spec §5.3)
        elif isinstance(msg, Real):
            for item in msg.data:
                real = parse_real(item)
                if isinstance(real, ConditionEvent) and real.seq in self._members:
                    members = self._members[real.seq]
                    (members.add if real.inserted else members.discard)(real.code)
                self._queue.put_nowait(real)
        elif isinstance(msg, System):
            code = msg.code or ""
            log.warning("SYSTEM %s %s", code, msg.message or msg.return_msg or "")
            if code == "R10001":
                raise RealtimeError(f"SYSTEM {code}: {msg.message}", code=code)
        elif isinstance(msg, RegAck | RemoveAck | CnsrLstResult | CnsrReqResult | CnsrClrResult):
            trnm = {
                RegAck: "REG",
                RemoveAck: "REMOVE",
                CnsrLstResult: "CNSRLST",
                CnsrReqResult: "CNSRREQ",
                CnsrClrResult: "CNSRCLR",
            }[type(msg)]
            futs = self._pending.get(trnm)
            if futs:
                f = futs.popleft()
                seq = self._resync.pop(f, None)
                if seq is not None and isinstance(msg, CnsrReqResult):
                    self._resynced(seq, msg)  # before any later frame is handled
                if not f.done():
                    f.set_result(msg)
