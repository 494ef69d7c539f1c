"""The rate-limit policy: which limits a request meets, the decisions, and the memory sweep."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from hoga.adapters.ratelimit_memory import SWEEP_EVERY, MemoryRateLimiter
from hoga.bootstrap import open_limiter
from hoga.clock import ManualClock
from hoga.config import Settings
from hoga.errors import ConfigError, StorageError
from hoga.policy.ratelimit import (
    ALLOW,
    Decision,
    RatePolicy,
    RequestLimiter,
    retry_after_seconds,
    token_appkey,
)
from hoga.ports.ratelimit import Acquired, Bucket, Check, Window

T0 = 1_795_000_000_000_000
SEC = 1_000_000


def limiter(policy: RatePolicy | None = None) -> tuple[RequestLimiter, ManualClock]:
    clock = ManualClock(T0)
    return RequestLimiter(MemoryRateLimiter(), clock, policy or RatePolicy()), clock


def test_queries_and_orders_are_separate_budgets_per_customer_not_per_key() -> None:
    lim, clock = limiter()

    async def go() -> None:
        for i in range(5):  # five queries through five different app keys of one customer
            assert await lim.check("query", "ka10001", customer_id="c1", appkey=f"k{i}") == ALLOW
        d = await lim.check("query", "ka10004", customer_id="c1", appkey="k9")
        assert d == Decision(False, SEC, "query")
        # orders have their own budget; another customer is unaffected
        for _ in range(5):
            assert (await lim.check("order", "kt10000", customer_id="c1", appkey="k0")).allowed
        assert not (await lim.check("order", "kt10001", customer_id="c1", appkey="k0")).allowed
        assert (await lim.check("query", "ka10001", customer_id="c2", appkey="x")).allowed
        clock.advance(SEC)
        assert (await lim.check("query", "ka10001", customer_id="c1", appkey="k0")).allowed

    asyncio.run(go())


def test_the_retry_after_is_exact_and_headers_round_up() -> None:
    lim, clock = limiter()

    async def go() -> None:
        for _ in range(5):
            await lim.check("query", "ka10001", customer_id="c1")
        clock.advance(700_000)
        d = await lim.check("query", "ka10001", customer_id="c1")
        assert d.retry_after_us == 300_000 and d.retry_after_s == 1

    asyncio.run(go())
    assert [retry_after_seconds(us) for us in (0, 1, SEC, SEC + 1, 2_500_000)] == [1, 1, 1, 2, 3]


def test_token_calls_are_limited_per_app_key_or_ip() -> None:
    lim, _ = limiter(RatePolicy(tokens=Window(2, SEC)))

    async def go() -> None:
        for _ in range(2):
            assert (await lim.check("token", "au10001", appkey="A", client_ip="1.1.1.1")).allowed
        d = await lim.check("token", "au10001", appkey="A", client_ip="2.2.2.2")
        assert d.rule == "token" and not d.allowed
        assert (await lim.check("token", "au10001", appkey="B", client_ip="1.1.1.1")).allowed
        assert (await lim.check("token", "au10002", appkey="A", client_ip="1.1.1.1")).allowed
        for _ in range(2):  # no app key in the body: limited by address
            assert (await lim.check("token", "au10001", client_ip="3.3.3.3")).allowed
        assert not (await lim.check("token", "au10001", client_ip="3.3.3.3")).allowed

    asyncio.run(go())
    assert token_appkey(b'{"grant_type":"client_credentials","appkey":"AK"}') == "AK"
    assert token_appkey(b"{}") == token_appkey(b"not json") == token_appkey(b'{"appkey":1}') == ""


def test_the_per_tr_profile_is_per_app_key_and_api_id() -> None:
    policy = RatePolicy(queries=Window(100, SEC), per_tr=Bucket(SEC, 2))
    lim, clock = limiter(policy)

    async def go() -> None:
        for _ in range(2):
            assert (await lim.check("query", "ka10001", customer_id="c", appkey="k")).allowed
        d = await lim.check("query", "ka10001", customer_id="c", appkey="k")
        assert d == Decision(False, SEC, "tr")
        assert (await lim.check("query", "ka10004", customer_id="c", appkey="k")).allowed
        assert (await lim.check("query", "ka10001", customer_id="c", appkey="k2")).allowed
        clock.advance(SEC)
        assert (await lim.check("query", "ka10001", customer_id="c", appkey="k")).allowed

    asyncio.run(go())


def test_switched_off_limits_allow_everything() -> None:
    lim, _ = limiter(RatePolicy(queries=None, orders=None, tokens=None))

    async def go() -> None:
        for kind in ("query", "order", "token") * 20:
            assert await lim.check(kind, "x", customer_id="c") == ALLOW

    asyncio.run(go())


def test_anonymous_non_token_calls_are_limited_by_address() -> None:
    lim, _ = limiter(RatePolicy(queries=Window(1, SEC)))
    keys = [c.key for _, c in lim.checks("query", "ka1", customer_id="", appkey="", client_ip="ip")]
    assert keys == ["hoga:rl:q:ip:ip"]


class _Broken:
    async def acquire(self, checks: Sequence[Check], now: int) -> Acquired:
        raise StorageError("down")

    async def aclose(self) -> None:
        return None


def test_a_failing_backend_fails_closed(caplog: pytest.LogCaptureFixture) -> None:
    lim = RequestLimiter(_Broken(), ManualClock(T0), RatePolicy())
    d = asyncio.run(lim.check("order", "kt10000", customer_id="c"))
    assert d == Decision(False, SEC, "unavailable")
    assert "refusing kt10000" in caplog.text
    asyncio.run(lim.aclose())


def test_memory_state_is_swept_once_irrelevant() -> None:
    mem = MemoryRateLimiter()

    async def go() -> None:
        w, b = Window(1, SEC), Bucket(SEC, 1)
        assert (await mem.acquire([Check("old-w", w), Check("old-b", b)], T0)).admitted
        for i in range(SWEEP_EVERY - 1):
            await mem.acquire([Check(f"k{i % 3}", Window(10**9, SEC))], T0 + 2 * SEC + i)
        assert len(mem) == 3  # old-w and old-b are gone; the live keys stay
        await mem.aclose()
        assert len(mem) == 0

    asyncio.run(go())


def test_settings_build_the_limiter() -> None:
    clock = ManualClock(T0)
    assert open_limiter(Settings(ratelimit="off"), clock) is None
    lim = open_limiter(Settings(ratelimit_orders=0, ratelimit_tr_burst=2), clock)
    assert lim is not None and lim.clock is clock
    assert lim.policy == RatePolicy(
        queries=Window(5, SEC), orders=None, tokens=Window(5, SEC), per_tr=Bucket(SEC, 2)
    )
    with pytest.raises(ConfigError):
        open_limiter(Settings(ratelimit="mongodb://x"), clock)
    with pytest.raises(ConfigError):
        Settings(ratelimit_queries=-1)
    with pytest.raises(ConfigError):
        Settings(ratelimit_window_ms=0)
    with pytest.raises(ConfigError):
        Settings(ratelimit_tr_burst=-1)
    loaded = Settings.load({"HOGA_RATELIMIT": "redis://h:1/2", "HOGA_RATELIMIT_QUERIES": "7"})
    assert (loaded.ratelimit, loaded.ratelimit_queries) == ("redis://h:1/2", 7)
    with pytest.raises(ValueError):
        Window(0, SEC)
    with pytest.raises(ValueError):
        Bucket(SEC, 0)
