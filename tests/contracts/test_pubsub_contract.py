"""The pub/sub contract (hoga.ports.pubsub), run once per backend: in-process and Redis.

The Redis server comes from ``HOGA_TEST_REDIS_URL`` (CI: ``redis://127.0.0.1:6379/15``; default
the same). An unreachable server FAILS the Redis cases; ``HOGA_TEST_NO_REDIS=1`` leaves them out
(not collected, not skipped). Every bus gets a fresh random channel prefix, so parallel runs never
hear each other.

Delivery across Redis is asynchronous, so receivers always ``await get()`` (with a timeout) and
never expect a message in the buffer right after a publish returns.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis

from hoga.adapters.pubsub_memory import MemoryPubSub
from hoga.adapters.pubsub_redis import RedisPubSub
from hoga.bootstrap import open_bus
from hoga.errors import ConfigError
from hoga.ports.pubsub import Message, PubSub, Subscription


def redis_url() -> str:
    return os.environ.get("HOGA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def bus_backends() -> list[Any]:
    if os.environ.get("HOGA_TEST_NO_REDIS") == "1":
        return ["memory"]
    return ["memory", pytest.param("redis", marks=pytest.mark.redis)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bus_backend" in metafunc.fixturenames:
        metafunc.parametrize("bus_backend", bus_backends())


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


Body = Callable[[Callable[[], PubSub]], Awaitable[None]]
Runner = Callable[[Body], None]


@pytest.fixture
def run(bus_backend: str, request: pytest.FixtureRequest) -> Runner:
    """``run(body)``: ``await body(make)``; ``make()`` opens a bus of the backend (several
    buses of one test share a channel prefix: they stand for processes on one Redis)."""
    url = request.getfixturevalue("reachable_redis") if bus_backend == "redis" else ""

    async def go(body: Body) -> None:
        prefix = f"hoga-test:{uuid.uuid4().hex}:"
        opened: list[PubSub] = []
        memory = MemoryPubSub()

        def make() -> PubSub:
            bus: PubSub = memory if bus_backend == "memory" else open_bus(f"{url}?prefix={prefix}")
            opened.append(bus)
            return bus

        try:
            async with asyncio.timeout(30):
                await body(make)
        finally:
            for bus in opened:
                await bus.close()

    return lambda body: asyncio.run(go(body))


async def take(sub: Subscription, n: int) -> list[Message]:
    async with asyncio.timeout(10):
        return [await sub.get() for _ in range(n)]


def test_publish_order_is_kept_per_topic(run: Runner) -> None:
    async def body(make: Callable[[], PubSub]) -> None:
        bus = make()
        sub = await bus.subscribe("market.000001")
        assert bus.has_subscribers("market.000001")
        for i in range(300):
            bus.publish_nowait("market.000001", b"%d" % i)
        await bus.publish("market.000001", b"last")
        got = await take(sub, 301)
        assert [m.payload for m in got] == [b"%d" % i for i in range(300)] + [b"last"]
        assert {m.topic for m in got} == {"market.000001"}
        assert not sub.lagged and sub.get_nowait() is None

    run(body)


def test_only_subscriptions_made_before_a_publish_receive_it(run: Runner) -> None:
    async def body(make: Callable[[], PubSub]) -> None:
        bus = make()
        early = await bus.subscribe("account.1")
        await bus.publish("account.1", b"one")
        late = await bus.subscribe("account.1")
        await bus.publish("account.1", b"two")
        assert [m.payload for m in await take(early, 2)] == [b"one", b"two"]
        assert [m.payload for m in await take(late, 1)] == [b"two"]

    run(body)


def test_prefix_subscription_gets_every_topic_under_it_and_nothing_else(run: Runner) -> None:
    async def body(make: Callable[[], PubSub]) -> None:
        bus = make()
        every = await bus.subscribe("market.*")
        one = await bus.subscribe("market.005930")
        assert bus.has_subscribers("market.000660")
        for topic in ("market", "marketx.1", "market.005930", "account.9", "market.000660"):
            bus.publish_nowait(topic, topic.encode())
        await bus.publish("market.005930", b"end")
        got = await take(every, 3)
        assert [(m.topic, m.payload) for m in got] == [
            ("market.005930", b"market.005930"),
            ("market.000660", b"market.000660"),
            ("market.005930", b"end"),
        ]
        assert [m.payload for m in await take(one, 2)] == [b"market.005930", b"end"]
        assert every.get_nowait() is None and one.get_nowait() is None

    run(body)


def test_glob_characters_in_a_prefix_are_literal(run: Runner) -> None:
    async def body(make: Callable[[], PubSub]) -> None:
        bus = make()
        sub = await bus.subscribe("a?[b].*")
        bus.publish_nowait("aX[b].1", b"no")
        bus.publish_nowait("a?b.1", b"no")
        await bus.publish("a?[b].1", b"yes")
        assert [m.payload for m in await take(sub, 1)] == [b"yes"]
        await bus.publish("a?[b].2", b"again")
        assert [m.payload for m in await take(sub, 1)] == [b"again"]

    run(body)


def test_payload_bytes_arrive_unchanged(run: Runner) -> None:
    async def body(make: Callable[[], PubSub]) -> None:
        bus = make()
        sub = await bus.subscribe("bin")
        blob = bytes(range(256)) * 40
        await bus.publish("bin", blob)
        assert (await take(sub, 1))[0].payload == blob

    run(body)


def test_a_slow_subscriber_lags_without_blocking_the_publisher_or_others(run: Runner) -> None:
    async def body(make: Callable[[], PubSub]) -> None:
        bus = make()
        slow = await bus.subscribe("market.x", buffer=5)
        fast = await bus.subscribe("market.x", buffer=1000)
        for i in range(50):  # returns at once although nobody reads
            bus.publish_nowait("market.x", b"%d" % i)
        got = await take(fast, 50)  # the reader handles each message for both in one step
        assert [m.payload for m in got] == [b"%d" % i for i in range(50)]
        assert slow.lagged and not fast.lagged
        kept = [slow.get_nowait() for _ in range(5)]
        assert [m.payload for m in kept if m] == [b"%d" % i for i in range(45, 50)]
        assert slow.get_nowait() is None

    run(body)


def test_closing_a_subscription_ends_it_and_leaves_others(run: Runner) -> None:
    async def body(make: Callable[[], PubSub]) -> None:
        bus = make()
        a = await bus.subscribe("t.1")
        b = await bus.subscribe("t.1")
        waiting = asyncio.ensure_future(a.get())
        await asyncio.sleep(0)
        await a.close()
        with pytest.raises(StopAsyncIteration):
            await waiting
        assert [m async for m in a] == []
        await bus.publish("t.1", b"still")
        assert [m.payload for m in await take(b, 1)] == [b"still"]

    run(body)


def test_two_buses_on_one_backend_see_each_other(run: Runner) -> None:
    async def body(make: Callable[[], PubSub]) -> None:
        writer, reader = make(), make()
        sub = await reader.subscribe("market.*")
        for i in range(100):
            writer.publish_nowait(f"market.{i % 3}", b"%d" % i)
        got = await take(sub, 100)
        assert [m.payload for m in got] == [b"%d" % i for i in range(100)]

    run(body)


def test_open_bus_by_url() -> None:
    assert isinstance(open_bus("memory://"), MemoryPubSub)
    bus = open_bus("redis://127.0.0.1:6379/15?prefix=x:")
    assert isinstance(bus, RedisPubSub) and bus.prefix == "x:"
    asyncio.run(bus.close())
    with pytest.raises(ConfigError):
        open_bus("kafka://nowhere")
