"""The synchronous client: :class:`Client`, a blocking facade over :class:`AsyncClient`.

``Client`` runs an :class:`~hoga.client.aio.AsyncClient` on a private event loop in a daemon
thread and waits for each call; every behaviour (token, pacing, 1700 retries, the no-double-order
rule) is the async client's. Consequences worth knowing:

* ``transport=`` takes an **async** httpx transport (``httpx.ASGITransport(app)`` for an
  in-process app; the default opens real connections);
* pacing is shared with async clients of the same customer in the process (the pacer is
  thread-safe), so a program mixing threads and tasks still stays under 5/s;
* a ``Client`` may be used from several threads at once; calls run concurrently on its loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import httpx

from hoga.client.aio import AsyncClient, Page, Stats
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
)
from hoga.client.pacing import Pacing
from hoga.client.realtime import RealMessage, Realtime

__all__ = ["Client", "SyncRealtime"]

T = TypeVar("T")


class _Loop:
    """An event loop in a daemon thread; :meth:`run` waits for a coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="hoga")
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class Client:
    """A blocking client; same constructor and methods as :class:`AsyncClient` (not awaited)."""

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
        self._loop = _Loop()
        self.aio = AsyncClient(
            base_url=base_url,
            appkey=appkey,
            secretkey=secretkey,
            ws_url=ws_url,
            transport=transport,
            timeout=timeout,
            pacing=pacing,
            max_rate_retries=max_rate_retries,
            revoke_on_close=revoke_on_close,
            ws_connect=ws_connect,
        )

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._loop.run(coro)

    @property
    def base_url(self) -> str:
        return self.aio.base_url

    @property
    def stats(self) -> Stats:
        return self.aio.stats

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Revoke the token (unless ``revoke_on_close=False``), close, stop the loop thread."""
        if self._loop.loop.is_closed():
            return
        try:
            self._run(self.aio.aclose())
        finally:
            self._loop.stop()

    # --- generic ---

    def token(self) -> str:
        return self._run(self.aio.token())

    def revoke(self) -> None:
        self._run(self.aio.revoke())

    def call(self, api_id: str, **body: object) -> Any:
        """Any api-id, first page: the decoded response struct."""
        return self._run(self.aio.call(api_id, **body))

    def page(self, api_id: str, body: Mapping[str, object], *, next_key: str | None = None) -> Page:
        return self._run(self.aio.page(api_id, body, next_key=next_key))

    def pages(
        self, api_id: str, body: Mapping[str, object] | None = None, *, max_pages: int | None = None
    ) -> Iterator[Page]:
        """Every page, following ``cont-yn``/``next-key`` (one request per ``next()``)."""
        agen = self.aio.pages(api_id, body, max_pages=max_pages)

        async def step() -> Page:
            return await anext(agen)

        while True:
            try:
                yield self._run(step())
            except StopAsyncIteration:
                return

    # --- market data ---

    def quote(self, code: str) -> Quote:
        return self._run(self.aio.quote(code))

    def order_book(self, code: str) -> OrderBook:
        return self._run(self.aio.order_book(code))

    def trades(self, code: str) -> list[Trade]:
        return self._run(self.aio.trades(code))

    def chart(
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
        return self._run(
            self.aio.chart(
                code,
                period,
                start=start,
                end=end,
                scope=scope,
                adjusted=adjusted,
                progress=progress,
                max_pages=max_pages,
            )
        )

    # --- account ---

    def account_number(self) -> str:
        return self._run(self.aio.account_number())

    def deposit(self, *, estimated: bool = True) -> Deposit:
        return self._run(self.aio.deposit(estimated=estimated))

    def evaluation(
        self, *, exclude_delisted: bool = False, exchange: str = "KRX"
    ) -> AccountEvaluation:
        return self._run(self.aio.evaluation(exclude_delisted=exclude_delisted, exchange=exchange))

    def balance(self, *, combined: bool = True, exchange: str = "KRX") -> Balance:
        return self._run(self.aio.balance(combined=combined, exchange=exchange))

    def open_orders(
        self, code: str | None = None, *, side: str | None = None, exchange: str = "0"
    ) -> list[OpenOrder]:
        return self._run(self.aio.open_orders(code, side=side, exchange=exchange))

    def fills(
        self, code: str | None = None, *, side: str | None = None, exchange: str = "0"
    ) -> list[Fill]:
        return self._run(self.aio.fills(code, side=side, exchange=exchange))

    # --- orders ---

    def buy(
        self,
        code: str,
        qty: int,
        price: int | None = None,
        *,
        trde_tp: str | None = None,
        exchange: str = "KRX",
        cond_price: int | None = None,
    ) -> OrderAck:
        return self._run(
            self.aio.buy(
                code, qty, price, trde_tp=trde_tp, exchange=exchange, cond_price=cond_price
            )
        )

    def sell(
        self,
        code: str,
        qty: int,
        price: int | None = None,
        *,
        trde_tp: str | None = None,
        exchange: str = "KRX",
        cond_price: int | None = None,
    ) -> OrderAck:
        return self._run(
            self.aio.sell(
                code, qty, price, trde_tp=trde_tp, exchange=exchange, cond_price=cond_price
            )
        )

    def modify(
        self, order_no: str, code: str, qty: int, price: int, *, exchange: str = "KRX"
    ) -> ModifyAck:
        return self._run(self.aio.modify(order_no, code, qty, price, exchange=exchange))

    def cancel(self, order_no: str, code: str, qty: int = 0, *, exchange: str = "KRX") -> CancelAck:
        return self._run(self.aio.cancel(order_no, code, qty, exchange=exchange))

    # --- realtime ---

    def realtime(self, **options: Any) -> SyncRealtime:
        """A blocking realtime session: ``with client.realtime() as rt: for msg in rt: ...``."""
        return SyncRealtime(self, Realtime(self.aio, **options))


class SyncRealtime:
    """Blocking facade of :class:`~hoga.client.realtime.Realtime` (same methods, not awaited)."""

    def __init__(self, client: Client, rt: Realtime) -> None:
        self._client = client
        self.rt = rt

    def __enter__(self) -> SyncRealtime:
        self._client._run(self.rt.start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client._run(self.rt.close())

    def __iter__(self) -> Iterator[RealMessage]:
        while True:
            try:
                yield self._client._run(self.rt.__anext__())
            except StopAsyncIteration:
                return

    def next(self, timeout: float | None = None) -> RealMessage:
        """The next message, waiting at most ``timeout`` seconds (``TimeoutError``)."""
        return self._client._run(self.rt.next(timeout))

    def register(
        self, items: list[str], types: list[str], *, group: str = "1", refresh: bool = True
    ) -> None:
        self._client._run(self.rt.register(items, types, group=group, refresh=refresh))

    def remove(self, items: list[str], types: list[str], *, group: str = "1") -> None:
        self._client._run(self.rt.remove(items, types, group=group))

    def conditions(self) -> list[tuple[str, str]]:
        return self._client._run(self.rt.conditions())

    def condition_search(self, seq: str, *, stex: str = "K") -> list[dict[str, str]]:
        return self._client._run(self.rt.condition_search(seq, stex=stex))

    def condition_subscribe(self, seq: str, *, stex: str = "K") -> list[str]:
        return self._client._run(self.rt.condition_subscribe(seq, stex=stex))

    def condition_clear(self, seq: str) -> None:
        self._client._run(self.rt.condition_clear(seq))
