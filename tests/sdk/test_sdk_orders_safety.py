"""No order is ever doubled: transport failures after (or before) the server commits an order."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from _sdkkit import CODE, Served

from hoga.client import AsyncClient, OrderUnconfirmedError


class DropFirstOrder:
    """An ASGI wrapper around the real app for the first kt10000 request.

    ``commit=True``: the app runs the request (the order is committed) and the response is
    thrown away, then the connection "drops". ``commit=False``: it drops before the app sees it.
    """

    def __init__(self, app: Any, *, commit: bool) -> None:
        self.app = app
        self.commit = commit
        self.dropped = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or [])
        if scope["type"] == "http" and headers.get(b"api-id") == b"kt10000" and not self.dropped:
            self.dropped += 1
            if self.commit:

                async def swallow(message: Any) -> None:
                    return None

                await self.app(scope, receive, swallow)
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        await self.app(scope, receive, send)


class RefuseFirstConnect(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("api-id") == "kt10000" and not self.refused:
            self.refused += 1
            raise httpx.ConnectError("connection refused")
        return await self.inner.handle_async_request(request)


def limit_price(served: Served) -> int:
    with served.client() as c:
        q = c.quote(CODE)
    return q.lower_limit + 10_000 - (q.lower_limit + 10_000) % 500


def client_over(served: Served, app: Any, creds: Any = None, **kw: Any) -> AsyncClient:
    return served.aclient(creds, transport=httpx.ASGITransport(app=app), **kw)


def test_committed_order_with_a_lost_response_is_found_not_resent(served: Served) -> None:
    px = limit_price(served)
    wrapper = DropFirstOrder(served.app, commit=True)

    async def go() -> tuple[Any, list[Any]]:
        async with client_over(served, wrapper) as c:
            ack = await c.buy(CODE, 7, px)
            return ack, await c.open_orders()

    ack, orders = asyncio.run(go())
    assert wrapper.dropped == 1
    assert ack.recovered
    assert [(o.order_no, o.qty, o.price) for o in orders] == [(ack.order_no, 7, px)]


def test_an_older_identical_order_is_not_taken_for_the_lost_one(served: Served) -> None:
    px = limit_price(served)
    creds = served.customer()
    wrapper = DropFirstOrder(served.app, commit=True)

    async def go() -> tuple[Any, Any, list[Any]]:
        async with served.aclient(creds) as plain:
            first = await plain.buy(CODE, 7, px)
        async with client_over(served, wrapper, creds) as c:  # knows the first order's number
            second = await c.buy(CODE, 7, px)
            return first, second, await c.open_orders()

    first, second, orders = asyncio.run(go())
    assert second.recovered and second.order_no != first.order_no
    assert sorted(o.order_no for o in orders) == sorted([first.order_no, second.order_no])


def test_an_order_that_never_arrived_is_not_resent_after_a_read_failure(served: Served) -> None:
    px = limit_price(served)
    wrapper = DropFirstOrder(served.app, commit=False)

    async def go() -> list[Any]:
        async with client_over(served, wrapper) as c:
            with pytest.raises(OrderUnconfirmedError) as e:
                await c.buy(CODE, 7, px)
            assert e.value.body["ord_qty"] == "7"
            return await c.open_orders()

    assert asyncio.run(go()) == []


def test_a_refused_connection_is_checked_then_resent_once(served: Served) -> None:
    px = limit_price(served)
    transport = RefuseFirstConnect(httpx.ASGITransport(app=served.app))

    async def go() -> tuple[Any, list[Any]]:
        async with served.aclient(transport=transport) as c:
            ack = await c.buy(CODE, 4, px)
            return ack, await c.open_orders()

    ack, orders = asyncio.run(go())
    assert transport.refused == 1 and not ack.recovered
    assert [o.order_no for o in orders] == [ack.order_no]
