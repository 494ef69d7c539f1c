"""The rate-limiter contract, run once per backend: in-process and Redis.

The Redis server comes from ``HOGA_TEST_REDIS_URL`` (CI: ``redis://127.0.0.1:6379/15``; default
the same). An unreachable server FAILS the Redis cases; ``HOGA_TEST_NO_REDIS=1`` leaves them out
of the run (not collected, not skipped). Every limiter gets a fresh random key prefix, so parallel
runs never share keys; the keys are deleted afterwards.

Times are large epoch microseconds (2026), so the Lua script's number handling is exercised where
precision matters.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoga.adapters.ratelimit_memory import MemoryRateLimiter
from hoga.adapters.ratelimit_redis import RedisRateLimiter
from hoga.errors import StorageError
from hoga.ports.ratelimit import Acquired, Bucket, Check, RateLimiter, Window

T0 = 1_795_000_000_000_000  # 2026-11-18, epoch µs
SEC = 1_000_000
FIVE = Window(5, SEC)


def redis_url() -> str:
    return os.environ.get("HOGA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def limiter_backends() -> list[Any]:
    if os.environ.get("HOGA_TEST_NO_REDIS") == "1":
        return ["memory"]
    return ["memory", pytest.param("redis", marks=pytest.mark.redis)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "limiter_backend" in metafunc.fixturenames:
        metafunc.parametrize("limiter_backend", limiter_backends())


@pytest.fixture(scope="session")
def reachable_redis() -> str:
    url = redis_url()
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=5) as client:
            client.ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis is unreachable at {url} (set HOGA_TEST_REDIS_URL, or "
            f"HOGA_TEST_NO_REDIS=1 to leave Redis out): {exc}"
        )
    return url


Body = Callable[[RateLimiter, str], Awaitable[None]]
Runner = Callable[[Body], None]


@pytest.fixture
def run(limiter_backend: str, request: pytest.FixtureRequest) -> Runner:
    """``run(body)``: ``await body(limiter, prefix)`` on a fresh limiter of the backend."""
    url = request.getfixturevalue("reachable_redis") if limiter_backend == "redis" else ""

    async def go(body: Body) -> None:
        prefix = f"hoga-test:{uuid.uuid4().hex}:"
        if limiter_backend == "memory":
            await body(MemoryRateLimiter(), prefix)
            return
        client = aioredis.Redis.from_url(url)
        limiter = RedisRateLimiter(client)
        try:
            await body(limiter, prefix)
        finally:
            keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
            if keys:
                await client.delete(*keys)
            await limiter.aclose()

    return lambda body: asyncio.run(go(body))


def test_window_admits_count_then_refuses_until_the_oldest_leaves(run: Runner) -> None:
    async def body(lim: RateLimiter, p: str) -> None:
        c = [Check(p + "a", FIVE)]
        for i in range(5):
            assert (await lim.acquire(c, T0 + i * 1000)).admitted
        out = await lim.acquire(c, T0 + 500_000)
        assert out == Acquired(False, T0 + SEC, (p + "a",))
        # the window is half-open: one µs early is still refused, exactly on time is admitted
        assert not (await lim.acquire(c, T0 + SEC - 1)).admitted
        assert (await lim.acquire(c, T0 + SEC)).admitted
        # now T0+1000 … T0+4000 and T0+SEC are recorded; T0+1000 leaves at T0+SEC+1000
        assert (await lim.acquire(c, T0 + SEC + 999)).retry_at == T0 + SEC + 1000
        assert (await lim.acquire(c, T0 + SEC + 1000)).admitted
        out = await lim.acquire(c, T0 + SEC + 1500)
        assert out == Acquired(False, T0 + SEC + 2000, (p + "a",))

    run(body)


def test_refusals_are_not_recorded(run: Runner) -> None:
    async def body(lim: RateLimiter, p: str) -> None:
        c = [Check(p + "a", Window(2, SEC))]
        assert (await lim.acquire(c, T0)).admitted
        assert (await lim.acquire(c, T0 + 1)).admitted
        for t in range(T0 + 2, T0 + SEC, 50_000):  # hammering while full changes nothing
            assert (await lim.acquire(c, t)).retry_at == T0 + SEC
        assert (await lim.acquire(c, T0 + SEC)).admitted
        assert (await lim.acquire(c, T0 + SEC + 1)).admitted
        assert not (await lim.acquire(c, T0 + SEC + 2)).admitted

    run(body)


def test_all_or_nothing_across_keys(run: Runner) -> None:
    async def body(lim: RateLimiter, p: str) -> None:
        one, wide = Check(p + "one", Window(1, SEC)), Check(p + "wide", Window(3, SEC))
        assert (await lim.acquire([one, wide], T0)).admitted
        out = await lim.acquire([one, wide], T0 + 10)
        assert out == Acquired(False, T0 + SEC, (p + "one",))
        # the refused request did not use the wide key: two more fit there, then it is full
        assert (await lim.acquire([wide], T0 + 20)).admitted
        assert (await lim.acquire([wide], T0 + 30)).admitted
        out = await lim.acquire([one, wide], T0 + 40)
        assert out == Acquired(False, T0 + SEC, (p + "one", p + "wide"))
        fresh = Check(p + "fresh", Window(1, SEC))
        out = await lim.acquire([wide, fresh], T0 + 50)
        assert out == Acquired(False, T0 + SEC, (p + "wide",))
        assert (await lim.acquire([fresh], T0 + 60)).admitted  # the refusal did not use it
        assert (await lim.acquire([], T0)).admitted

    run(body)


def test_keys_are_independent(run: Runner) -> None:
    async def body(lim: RateLimiter, p: str) -> None:
        assert (await lim.acquire([Check(p + "x", Window(1, SEC))], T0)).admitted
        assert (await lim.acquire([Check(p + "y", Window(1, SEC))], T0)).admitted
        assert not (await lim.acquire([Check(p + "x", Window(1, SEC))], T0 + 1)).admitted

    run(body)


def test_bucket_is_gcra(run: Runner) -> None:
    async def body(lim: RateLimiter, p: str) -> None:
        c = [Check(p + "tr", Bucket(SEC, 2))]  # ~1 per second, burst 2 (Kiwoom's per-TR)
        assert (await lim.acquire(c, T0)).admitted
        assert (await lim.acquire(c, T0)).admitted
        assert await lim.acquire(c, T0 + 1) == Acquired(False, T0 + SEC, (p + "tr",))
        assert (await lim.acquire(c, T0 + SEC)).admitted
        assert await lim.acquire(c, T0 + SEC) == Acquired(False, T0 + 2 * SEC, (p + "tr",))
        # idle for a long time: the burst is back, not more
        later = T0 + 100 * SEC
        assert (await lim.acquire(c, later)).admitted
        assert (await lim.acquire(c, later + 1)).admitted
        assert not (await lim.acquire(c, later + 2)).admitted

    run(body)


def test_out_of_order_times_still_count(run: Runner) -> None:
    """Another process's clock may be ahead: its newer records count for an older ``now``."""

    async def body(lim: RateLimiter, p: str) -> None:
        c = [Check(p + "a", Window(2, SEC))]
        assert (await lim.acquire(c, T0 + 500_000)).admitted  # a process 0.5 s ahead
        assert (await lim.acquire(c, T0)).admitted
        assert await lim.acquire(c, T0 + 1) == Acquired(False, T0 + SEC, (p + "a",))
        assert (await lim.acquire(c, T0 + SEC)).admitted  # T0 has left, T0 + 0.5 s has not
        out = await lim.acquire(c, T0 + SEC + 1)
        assert out == Acquired(False, T0 + 1_500_000, (p + "a",))

    run(body)


def test_a_failing_backend_raises_storage_error(limiter_backend: str) -> None:
    if limiter_backend != "redis":  # the in-process adapter cannot fail
        return

    async def body() -> None:
        lim = RedisRateLimiter(aioredis.Redis.from_url("redis://127.0.0.1:1/0"))
        try:
            with pytest.raises(StorageError):
                await lim.acquire([Check("k", FIVE)], T0)
        finally:
            await lim.aclose()

    asyncio.run(body())


# --- properties ------------------------------------------------------------------------------

# Arbitrary gaps, plus grid values so that admissions land exactly on (and 1 µs either side of)
# window boundaries, where an off-by-one would show.
gap = st.one_of(
    st.integers(min_value=0, max_value=400_000),
    st.sampled_from([0, 1, 100_000, 200_000, 250_000, 333_333, 999_999, SEC - 200_001]),
)
gaps = st.lists(gap, min_size=1, max_size=60)


def admitted_times(lim: RateLimiter, key: str, limit: Window, times: list[int]) -> Any:
    async def go() -> list[tuple[int, Acquired]]:
        return [(t, await lim.acquire([Check(key, limit)], t)) for t in times]

    return go()


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gaps=gaps, count=st.integers(1, 6))
def test_no_window_ever_admits_more_than_count(run: Runner, gaps: list[int], count: int) -> None:
    """Over arbitrary request times, every 1 s window holds ≤ count admissions, and every refusal
    was necessary (count admissions already in the window) with the exact reopening time."""
    limit = Window(count, SEC)
    times = [T0 + sum(gaps[: i + 1]) for i in range(len(gaps))]

    async def body(lim: RateLimiter, p: str) -> None:
        outcomes = await admitted_times(lim, p + "k", limit, times)
        admitted: list[int] = []
        for t, out in outcomes:
            recent = [a for a in admitted if a > t - SEC]
            if out.admitted:
                assert len(recent) < count
                admitted.append(t)
            else:
                assert len(recent) == count  # greedy: refused only when full
                assert out.retry_at == recent[0] + SEC > t
        for i in range(len(admitted) - count):
            assert admitted[i + count] - admitted[i] >= SEC
        for start in admitted:  # the same, stated as windows starting at each admission
            assert sum(start <= a < start + SEC for a in admitted) <= count

    run(body)


requests = st.lists(
    st.tuples(st.integers(0, 300_000), st.sets(st.sampled_from(["q", "o", "tr"]), min_size=1)),
    min_size=1,
    max_size=40,
)
LIMITS = {"q": Window(3, SEC), "o": Window(2, 500_000), "tr": Bucket(400_000, 2)}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reqs=requests)
def test_backend_agrees_with_the_in_process_reference(run: Runner, reqs: list[Any]) -> None:
    """Mixed windows and buckets over several keys: the same outcomes as the reference."""

    async def body(lim: RateLimiter, p: str) -> None:
        ref = MemoryRateLimiter()
        t = T0
        for gap, names in reqs:
            t += gap
            order = sorted(names)
            got = await lim.acquire([Check(p + n, LIMITS[n]) for n in order], t)
            want = await ref.acquire([Check(p + n, LIMITS[n]) for n in order], t)
            assert got == want

    run(body)


def test_settings_open_the_backend_by_url(
    limiter_backend: str, request: pytest.FixtureRequest
) -> None:
    """``Settings.ratelimit`` picks the adapter; the policy on top counts per customer."""
    from hoga.bootstrap import open_limiter
    from hoga.clock import ManualClock
    from hoga.config import Settings

    url = request.getfixturevalue("reachable_redis") if limiter_backend == "redis" else "memory://"
    prefix = f"hoga-test:{uuid.uuid4().hex}:"
    clock = ManualClock(T0)
    lim = open_limiter(Settings(ratelimit=url, ratelimit_prefix=prefix), clock)
    assert lim is not None
    expected = RedisRateLimiter if limiter_backend == "redis" else MemoryRateLimiter
    assert isinstance(lim.backend, expected)

    async def go() -> None:
        try:
            for _ in range(5):
                assert (await lim.check("order", "kt10000", customer_id="c")).allowed
            denied = await lim.check("order", "kt10001", customer_id="c")
            assert (denied.allowed, denied.retry_after_us, denied.rule) == (False, SEC, "order")
        finally:
            if isinstance(lim.backend, RedisRateLimiter):
                client = aioredis.Redis.from_url(url)
                keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
                assert keys == [f"{prefix}o:c:c".encode()]
                await client.delete(*keys)
                await client.aclose()
            await lim.aclose()

    asyncio.run(go())
