"""The asynchronous client: :class:`AsyncClient`.

One ``AsyncClient`` talks to one server with one app key. It owns an ``httpx.AsyncClient``
(``transport=`` is passed through: ``httpx.ASGITransport(app)`` runs it against an in-process
application) and does, for every call:

1. **token** — issued on first use (au10001), reused, re-issued when ``expires_dt`` is near
   or the server answers 8005 (the refused request was not processed, so it is resent once);
   revoked (au10002) on :meth:`AsyncClient.aclose` unless ``revoke_on_close=False``;
2. **pacing** — waits for a slot of the customer's query or order :class:`~.pacing.Pacer`
   (shared process-wide per base URL + app key), so a well-behaved program never sees 1700;
3. **1700** — if it happens anyway (another process on the same key), waits ``Retry-After`` and
   resends: a 1700 request was not processed (spec §6.4), orders included;
4. **errors** — a non-zero ``return_code`` raises the :class:`~.errors.APIError` subclass of its
   category; httpx failures raise :class:`~.errors.TransportError`.

**No doubled orders.** A new order (kt10000/kt10001) that fails in transport — timeouts and
dropped connections included — is never resent blindly. The client first looks for it among
the open orders (ka10075) and the fills (ka10076): same code, side, quantity and price, an
order number this client has not been given before; the newest such order is taken as ours and
returned with ``recovered=True``. ("Given before" means acknowledged to any client of the same
base URL and app key in this process.) Kiwoom has no client order id, so an identical order placed
meanwhile by another program could be mistaken for ours; the error is then one order too few,
never one too many. Found nothing: when the failure proves the request never left (connect
error) it is resent; otherwise :class:`~.errors.OrderUnconfirmedError` is raised and the caller
decides. Modify/cancel (kt10002/kt10003) are never resent after a transport failure (they name
their original order, so a duplicate would be refused anyway).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import msgspec

from hoga.client.errors import (
    APIError,
    AuthError,
    OrderUnconfirmedError,
    RateLimitError,
    TransportError,
    api_error,
)
from hoga.client.models import (
    AccountEvaluation,
    Balance,
    Bar,
    CancelAck,
    Deposit,
    Fill,
    ModifyAck,
    OpenOrder,
    OrderAck,
    OrderBook,
    Quote,
    Trade,
    amount,
    price,
)
from hoga.client.pacing import Pacer, Pacing
from hoga.wire import catalog
from hoga.wire.envelope import CONTENT_TYPE, Envelope
from hoga.wire.format import KST
from hoga.wire.schemas.registry import RESPONSE_SCHEMAS

__all__ = ["CHART_IDS", "AsyncClient", "Page", "Stats", "ws_url_for"]

log = logging.getLogger("hoga.client")

CHART_IDS: Mapping[str, str] = {
    "tick": "ka10079",
    "minute": "ka10080",
    "day": "ka10081",
    "week": "ka10082",
    "month": "ka10083",
    "year": "ka10094",
}
_ORDER_PATHS = frozenset({catalog.ORDR, catalog.CRDORDR})
_NEW_ORDERS = frozenset({"kt10000", "kt10001", "kt10006", "kt10007"})
_AUTH_RETRY = frozenset({"8005", "8003", "8031", "8103"})
_REFRESH_MARGIN = timedelta(minutes=5)
_DEFAULT_TTL = 23 * 3600.0
_ENVELOPE = msgspec.json.Decoder(Envelope)


def ws_url_for(base_url: str) -> str:
    """``http://h:p`` → ``ws://h:p/api/dostk/websocket`` (``https`` → ``wss``)."""
    url = httpx.URL(base_url)
    scheme = "wss" if url.scheme == "https" else "ws"
    return str(url.copy_with(scheme=scheme, path=catalog.WEBSOCKET, query=None))


@dataclass
class Stats:
    """Counters of one client (for logs and tests)."""

    requests: int = 0
    rate_limited: int = 0
    tokens_issued: int = 0
    auth_retries: int = 0
    recovered_orders: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a (possibly) paged answer: the decoded body and the continuation."""

    data: Any
    cont: bool
    next_key: str


@dataclass
class _Token:
    value: str
    expires_at: datetime | None
    deadline: float  # time.monotonic() after which it is refreshed


@dataclass
class _Raw:
    status: int
    content: bytes
    headers: httpx.Headers
    envelope: Envelope = field(default_factory=Envelope)


def _text(body: Mapping[str, object]) -> dict[str, str]:
    return {k: v if isinstance(v, str) else str(v) for k, v in body.items() if v is not None}


class AsyncClient:
    """An async client for a Kiwoom-compatible REST + WebSocket API (see the module docstring).

    ``pacing``: ``True`` (default) shares one :class:`Pacing` per ``base_url`` + ``appkey`` in the
    process; ``False`` switches client pacing off; or pass a :class:`Pacing` to share explicitly
    (several app keys of one customer). ``ws_connect`` replaces how the WebSocket is opened
    (:func:`hoga.client.inprocess.asgi_websocket` for an in-process app).
    """

    def __init__(
        self,
        *,
        base_url: str,
        appkey: str,
        secretkey: str,
        ws_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = 10.0,
        pacing: Pacing | bool = True,
        max_rate_retries: int = 10,
        revoke_on_close: bool = True,
        ws_connect: Any = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.appkey = appkey
        self.secretkey = secretkey
        self.ws_url = ws_url or ws_url_for(self.base_url)
        self.ws_connect = ws_connect
        self.max_rate_retries = max_rate_retries
        self.revoke_on_close = revoke_on_close
        if pacing is True:
            pacing = Pacing.shared(f"{self.base_url}|{appkey}")
        elif pacing is False:
            pacing = Pacing.off()
        self.pacing: Pacing = pacing
        self.stats = Stats()
        self._http = httpx.AsyncClient(base_url=self.base_url, transport=transport, timeout=timeout)
        self._token: _Token | None = None
        self._token_lock: asyncio.Lock | None = None
        self._acked = _known_orders(f"{self.base_url}|{appkey}")

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Revoke the token (unless told not to) and close the HTTP client."""
        try:
            if self.revoke_on_close and self._token is not None:
                await self.revoke()
        finally:
            await self._http.aclose()

    # --- token ------------------------------------------------------------------------------

    async def token(self) -> str:
        """The current access token, issuing one when there is none or it is about to expire."""
        tok = self._token
        if tok is not None and time.monotonic() < tok.deadline:
            return tok.value
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            tok = self._token
            if tok is not None and time.monotonic() < tok.deadline:
                return tok.value
            return (await self._issue()).value

    async def _issue(self) -> _Token:
        body = {"grant_type": "client_credentials", "appkey": self.appkey}
        body["secretkey"] = self.secretkey
        raw = await self._post("au10001", catalog.TOKEN, body, {}, self.pacing.queries, False)
        got: Any = msgspec.json.decode(raw.content, type=RESPONSE_SCHEMAS["au10001"])
        expires: datetime | None = None
        ttl = _DEFAULT_TTL
        try:
            expires = datetime.strptime(got.expires_dt, "%Y%m%d%H%M%S").replace(tzinfo=KST)
            left = (expires - _REFRESH_MARGIN - datetime.now(KST)).total_seconds()
            if 0 < left < ttl:  # trust the server only when its clock looks like ours
                ttl = left
        except ValueError:
            pass
        tok = _Token(got.token, expires, time.monotonic() + ttl)
        self._token = tok
        self.stats.tokens_issued += 1
        return tok

    def invalidate_token(self) -> None:
        """Forget the current token (without revoking it); the next call issues one."""
        self._token = None

    async def revoke(self) -> None:
        """Revoke the current token (au10002); the next call issues a new one."""
        tok, self._token = self._token, None
        if tok is None:
            return
        body = {"appkey": self.appkey, "secretkey": self.secretkey, "token": tok.value}
        try:
            await self._post("au10002", catalog.REVOKE, body, {}, self.pacing.queries, False)
        except APIError as exc:  # already invalid: nothing to revoke
            log.info("revoke refused: %s", exc)

    # --- the request loop ------------------------------------------------------------------

    async def _post(
        self,
        api_id: str,
        path: str,
        body: Mapping[str, str],
        headers: Mapping[str, str],
        pacer: Pacer,
        auth: bool,
    ) -> _Raw:
        """POST with pacing, 1700 retries and (when ``auth``) token refresh on 8005."""
        data = msgspec.json.encode(body)
        refreshed = False
        limited = 0
        while True:
            h = {"content-type": CONTENT_TYPE, **headers}
            if auth:
                h["api-id"] = api_id
                h["authorization"] = f"Bearer {await self.token()}"
            async with pacer.slot():
                self.stats.requests += 1
                try:
                    resp = await self._http.post(path, content=data, headers=h)
                except httpx.HTTPError as exc:
                    raise TransportError(
                        f"{api_id}: {type(exc).__name__}: {exc}",
                        connect_failed=isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout),
                    ) from exc
            raw = _Raw(resp.status_code, resp.content, resp.headers)
            try:
                raw.envelope = _ENVELOPE.decode(raw.content)
            except (msgspec.DecodeError, msgspec.ValidationError):
                raise APIError(
                    api_id=api_id,
                    status=resp.status_code,
                    return_code=-1,
                    return_msg=resp.text[:200],
                ) from None
            env = raw.envelope
            code = int(env.return_code) if str(env.return_code).lstrip("-").isdigit() else -1
            if code == 0 and resp.status_code < 400:
                return raw
            err = api_error(api_id, resp.status_code, code, env.return_msg, _retry_after(resp))
            if isinstance(err, RateLimitError) and limited < self.max_rate_retries:
                limited += 1
                self.stats.rate_limited += 1
                log.warning("%s rate limited; retrying in %.3fs", api_id, err.retry_after)
                pacer.block(err.retry_after)
                continue
            if isinstance(err, AuthError) and auth and not refreshed and err.code in _AUTH_RETRY:
                refreshed = True
                self.stats.auth_retries += 1
                self._token = None
                continue
            raise err

    async def page(
        self, api_id: str, body: Mapping[str, object], *, next_key: str | None = None
    ) -> Page:
        """One page of ``api_id`` (the first, or the one after ``next_key``)."""
        path = catalog.path_for(api_id)
        if path is None:
            raise ValueError(f"unknown api-id {api_id!r}")
        pacer = self.pacing.orders if path in _ORDER_PATHS else self.pacing.queries
        headers = {} if next_key is None else {"cont-yn": "Y", "next-key": next_key}
        raw = await self._post(api_id, path, _text(body), headers, pacer, True)
        schema = RESPONSE_SCHEMAS.get(api_id)
        data: Any = (
            msgspec.json.decode(raw.content)
            if schema is None
            else msgspec.json.decode(raw.content, type=schema)
        )
        cont = raw.headers.get("cont-yn", "N").upper() == "Y"
        return Page(data, cont, raw.headers.get("next-key", "") if cont else "")

    async def call(self, api_id: str, **body: object) -> Any:
        """Any api-id, first page: the decoded response struct (a dict for unknown schemas)."""
        return (await self.page(api_id, body)).data

    async def pages(
        self, api_id: str, body: Mapping[str, object] | None = None, *, max_pages: int | None = None
    ) -> AsyncIterator[Page]:
        """Every page of ``api_id``, following ``cont-yn``/``next-key`` until the last one."""
        key: str | None = None
        n = 0
        while True:
            page = await self.page(api_id, body or {}, next_key=key)
            yield page
            n += 1
            if not page.cont or (max_pages is not None and n >= max_pages):
                return
            key = page.next_key

    async def _rows(self, api_id: str, body: Mapping[str, object], list_key: str) -> list[Any]:
        out: list[Any] = []
        async for page in self.pages(api_id, body):
            out.extend(getattr(page.data, list_key))
        return out

    # --- market data -----------------------------------------------------------------------

    async def quote(self, code: str) -> Quote:
        """ka10001 — current price, change, limits of ``code`` (``005930``, ``005930_NX``)."""
        return Quote.from_wire(await self.call("ka10001", stk_cd=code))

    async def order_book(self, code: str) -> OrderBook:
        """ka10004 — the ten-level book."""
        return OrderBook.from_wire(await self.call("ka10004", stk_cd=code))

    async def trades(self, code: str) -> list[Trade]:
        """ka10003 — recent prints, newest first."""
        data = await self.call("ka10003", stk_cd=code)
        return [Trade.from_wire(r) for r in data.cntr_infr]

    async def chart(
        self,
        code: str,
        period: str = "day",
        *,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        scope: int = 1,
        adjusted: bool = True,
        progress: Callable[[int, int], object] | None = None,
        max_pages: int | None = None,
    ) -> list[Bar]:
        """Bars of ``code``, oldest first, paging back until ``start`` (or the first bar).

        ``period``: tick, minute, day, week, month, year (ka10079–ka10083, ka10094).
        ``scope``: ticks / minutes per bar for tick and minute charts. ``end`` defaults to today
        (KST). ``progress(pages, rows)`` is called after every page.
        """
        api_id = CHART_IDS[period]
        body: dict[str, object] = {"stk_cd": code, "upd_stkpc_tp": "1" if adjusted else "0"}
        if period in ("tick", "minute"):
            body["tic_scope"] = str(scope)
        if period != "tick" and (end is not None or period != "minute"):
            last = end or datetime.now(KST)
            body["base_dt"] = (last.date() if isinstance(last, datetime) else last).strftime(
                "%Y%m%d"
            )
        list_key = catalog.CATALOG[api_id].list_keys[0]
        lo = _as_dt(start, end_of_day=False)
        hi = _as_dt(end, end_of_day=True)
        bars: list[Bar] = []
        pages = 0
        async for page in self.pages(api_id, body, max_pages=max_pages):
            pages += 1
            rows = [Bar.from_wire(r) for r in getattr(page.data, list_key)]
            bars.extend(
                b for b in rows if (lo is None or b.at >= lo) and (hi is None or b.at <= hi)
            )
            if progress is not None:
                progress(pages, len(bars))
            if lo is not None and rows and min(b.at for b in rows) < lo:
                break
        bars.sort(key=lambda b: b.at)
        return bars

    # --- account ---------------------------------------------------------------------------

    async def account_number(self) -> str:
        """ka00001 — the account bound to the token."""
        return str((await self.call("ka00001")).acctNo)

    async def deposit(self, *, estimated: bool = True) -> Deposit:
        """kt00001 — cash (``estimated``: 추정조회 qry_tp 3, else 일반조회 2)."""
        return Deposit.from_wire(await self.call("kt00001", qry_tp="3" if estimated else "2"))

    async def evaluation(
        self, *, exclude_delisted: bool = False, exchange: str = "KRX"
    ) -> AccountEvaluation:
        """kt00004 — account evaluation with holdings."""
        data = await self.call(
            "kt00004", qry_tp="1" if exclude_delisted else "0", dmst_stex_tp=exchange
        )
        return AccountEvaluation.from_wire(data)

    async def balance(self, *, combined: bool = True, exchange: str = "KRX") -> Balance:
        """kt00018 — totals and positions (every page)."""
        body = {"qry_tp": "1" if combined else "2", "dmst_stex_tp": exchange}
        first: Any = None
        rows: list[Any] = []
        async for page in self.pages("kt00018", body):
            first = first or page.data
            rows.extend(page.data.acnt_evlt_remn_indv_tot)
        return Balance.from_wire(first, rows)

    async def open_orders(
        self, code: str | None = None, *, side: str | None = None, exchange: str = "0"
    ) -> list[OpenOrder]:
        """ka10075 — open orders (all pages); ``side`` buy/sell; ``exchange`` 0 all 1 KRX 2 NXT."""
        body = {
            "all_stk_tp": "0" if code is None else "1",
            "trde_tp": _side_code(side),
            "stk_cd": code or "",
            "stex_tp": exchange,
        }
        return [OpenOrder.from_wire(r) for r in await self._rows("ka10075", body, "oso")]

    async def fills(
        self, code: str | None = None, *, side: str | None = None, exchange: str = "0"
    ) -> list[Fill]:
        """ka10076 — today's fills (every page)."""
        body = {
            "qry_tp": "0" if code is None else "1",
            "sell_tp": _side_code(side),
            "stk_cd": code or "",
            "stex_tp": exchange,
        }
        return [Fill.from_wire(r) for r in await self._rows("ka10076", body, "cntr")]

    # --- orders ----------------------------------------------------------------------------

    async def buy(
        self,
        code: str,
        qty: int,
        price: int | None = None,
        *,
        trde_tp: str | None = None,
        exchange: str = "KRX",
        cond_price: int | None = None,
    ) -> OrderAck:
        """kt10000 — buy ``qty`` of ``code``: a limit order at ``price``, a market order without.

        ``trde_tp`` overrides the 매매구분 code (``"0"`` limit, ``"3"`` market, ``"10"`` IOC…).
        """
        return await self._order("kt10000", code, qty, price, trde_tp, exchange, cond_price)

    async def sell(
        self,
        code: str,
        qty: int,
        price: int | None = None,
        *,
        trde_tp: str | None = None,
        exchange: str = "KRX",
        cond_price: int | None = None,
    ) -> OrderAck:
        """kt10001 — sell; arguments as :meth:`buy`."""
        return await self._order("kt10001", code, qty, price, trde_tp, exchange, cond_price)

    async def modify(
        self, order_no: str, code: str, qty: int, price: int, *, exchange: str = "KRX"
    ) -> ModifyAck:
        """kt10002 — change the price (and quantity) of an open order."""
        body = {
            "dmst_stex_tp": exchange,
            "orig_ord_no": order_no,
            "stk_cd": code,
            "mdfy_qty": str(qty),
            "mdfy_uv": str(price),
        }
        page = await self.page("kt10002", body)
        d = page.data
        return ModifyAck(d.ord_no, d.base_orig_ord_no, amount(d.mdfy_qty), "")

    async def cancel(
        self, order_no: str, code: str, qty: int = 0, *, exchange: str = "KRX"
    ) -> CancelAck:
        """kt10003 — cancel ``qty`` (0 = everything still open) of an order."""
        body = {"dmst_stex_tp": exchange, "orig_ord_no": order_no, "stk_cd": code}
        body["cncl_qty"] = str(qty)
        d = (await self.page("kt10003", body)).data
        return CancelAck(d.ord_no, d.base_orig_ord_no, amount(d.cncl_qty), "")

    async def _order(
        self,
        api_id: str,
        code: str,
        qty: int,
        limit: int | None,
        trde_tp: str | None,
        exchange: str,
        cond_price: int | None,
    ) -> OrderAck:
        body = {
            "dmst_stex_tp": exchange,
            "stk_cd": code,
            "ord_qty": str(qty),
            "ord_uv": "" if limit is None else str(limit),
            "trde_tp": trde_tp or ("3" if limit is None else "0"),
            "cond_uv": "" if cond_price is None else str(cond_price),
        }
        return await self.place(api_id, body)

    async def place(self, api_id: str, body: Mapping[str, str]) -> OrderAck:
        """Send a new-order api-id with the no-double-order rule (see the module docstring)."""
        for _ in range(2):
            try:
                page = await self.page(api_id, body)
            except TransportError as exc:
                found = await self._find_order(api_id, body)
                if found is not None:
                    self.stats.recovered_orders += 1
                    self._acked.add(found)
                    return OrderAck(found, body.get("dmst_stex_tp", ""), "", recovered=True)
                if exc.connect_failed:
                    continue  # never left the machine, and not found: safe to send again
                raise OrderUnconfirmedError(
                    f"{api_id}: {exc}; no matching order found — not resent",
                    api_id=api_id,
                    body=dict(body),
                ) from exc
            ack = OrderAck(page.data.ord_no, page.data.dmst_stex_tp, "")
            self._acked.add(ack.order_no)
            return ack
        raise OrderUnconfirmedError(  # pragma: no cover - two connect failures in a row
            f"{api_id}: could not connect", api_id=api_id, body=dict(body)
        )

    async def _find_order(self, api_id: str, body: Mapping[str, str]) -> str | None:
        """The newest order matching ``body`` that this client was not told about, or None."""
        code = body["stk_cd"]
        side = "sell" if api_id in ("kt10001", "kt10007") else "buy"
        qty = amount(body["ord_qty"])
        want = price(body.get("ord_uv", ""))  # market orders show price 0
        try:
            rows: list[OpenOrder | Fill] = [*await self.open_orders(code, side=side)]
            rows += await self.fills(code, side=side)
        except (TransportError, APIError) as exc:
            raise OrderUnconfirmedError(
                f"{api_id}: transport failure, and the check for the order failed: {exc}",
                api_id=api_id,
                body=dict(body),
            ) from exc
        found = [
            r.order_no
            for r in rows
            if r.code == code
            and r.side == side
            and r.qty == qty
            and r.price == want
            and r.order_no not in self._acked
        ]
        return max(found) if found else None

    # --- realtime --------------------------------------------------------------------------

    def realtime(self, **options: Any) -> Any:
        """A :class:`hoga.client.realtime.Realtime` session (``async with``, then iterate)."""
        from hoga.client.realtime import Realtime

        return Realtime(self, **options)


_KNOWN: dict[str, set[str]] = {}
_KNOWN_LOCK = threading.Lock()


def _known_orders(key: str) -> set[str]:
    """Order numbers acknowledged to any client of this base URL + app key in the process."""
    with _KNOWN_LOCK:
        return _KNOWN.setdefault(key, set())


def _side_code(side: str | None) -> str:
    return {"sell": "1", "buy": "2"}.get(side or "", "0")


def _as_dt(value: date | datetime | None, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=KST)
    base = datetime.combine(value, datetime.min.time(), tzinfo=KST)
    return base + timedelta(days=1, microseconds=-1) if end_of_day else base


def _retry_after(resp: httpx.Response) -> float:
    ms = resp.headers.get("retry-after-ms")
    if ms and ms.isdigit():
        return int(ms) / 1000
    s = resp.headers.get("retry-after")
    if s and s.isdigit():
        return float(s)
    return 1.0
