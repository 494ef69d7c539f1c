"""AsyncClient in-process: tokens (reuse, expiry after 24 h, 8005 after a server-side revoke)."""

from __future__ import annotations

import asyncio

from _sdkkit import CODE, HOUR, Served, raw_post

from hoga.client import AuthError


def test_token_is_reissued_after_24_hours(served: Served) -> None:
    async def go() -> None:
        async with served.aclient() as c:
            old = await c.token()
            assert (await c.quote(CODE)).price > 0
            served.ctx.clock.advance(24 * HOUR)
            assert raw_post(served, "ka10001", {"stk_cd": CODE}, old)["return_code"] == 3
            assert (await c.quote(CODE)).price > 0  # 8005 → new token → resent
            assert await c.token() != old
            assert (c.stats.tokens_issued, c.stats.auth_retries) == (2, 1)

    asyncio.run(go())


def test_token_revoked_elsewhere_is_replaced_on_8005(served: Served) -> None:
    creds = served.customer()

    async def go() -> None:
        async with served.aclient(creds) as a, served.aclient(creds) as b:
            assert await a.token() == await b.token()  # the server hands out the same token
            await b.revoke()
            ack = await a.buy(CODE, 1)  # an order refused with 8005 was not processed: resent
            assert len(ack.order_no) == 7 and a.stats.auth_retries == 1
            assert len(await a.open_orders()) + len(await a.fills()) == 1

    asyncio.run(go())


def test_bad_keys_raise_auth_error(served: Served) -> None:
    async def go() -> None:
        async with served.aclient(("nope", "nope")) as c:
            try:
                await c.quote(CODE)
            except AuthError as exc:
                assert exc.return_code == 3 and exc.api_id == "au10001"
            else:
                raise AssertionError("no AuthError")

    asyncio.run(go())
