"""Redis rate limiter (``redis://host:port/db``): the port's algorithms in one Lua script.

The script (run with EVALSHA, re-loaded on NOSCRIPT by redis-py's ``Script``) checks every key of a
request and, only if all have room, records the request under all of them — atomically, because
Redis runs a script to completion before serving anyone else. That is what makes the limits exact
across server processes.

Storage per key: a ``Window`` is a list of the newest ``count`` admission times (µs as decimal
strings, newest first); a ``Bucket`` is a string holding the theoretical arrival time. Times are
kept as the caller sent them and only compared numerically (Lua doubles are exact below 2⁵³ µs, far
past year 2200), so nothing is rounded through Lua's number formatting.

Time is the caller's ``now`` (the application's clock), passed in ``ARGV``: Redis ``TIME`` is not
used, so tests on a manual clock behave exactly like the in-process adapter. Consequence: servers
sharing a Redis need synchronised clocks (NTP); with a skew of ``s`` between two of them, ``count``
+ 1 admissions can fall within ``window − s`` of real time. Records are inserted in time order even
when they arrive out of order, so skew never corrupts a key. Key expiry (``PEXPIRE``, in Redis's own
time) is only garbage collection: it is set ``ttl_floor_ms`` past the moment the state stops
mattering, so it never changes a decision even when the caller's clock is manual.

Redis Cluster is not supported: a request's keys would have to share a hash slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hoga.errors import StorageError
from hoga.ports.ratelimit import Acquired, Check, Window

__all__ = ["ACQUIRE_LUA", "RedisRateLimiter", "open_redis_limiter"]

ACQUIRE_LUA = """
local now = tonumber(ARGV[1])
local floor_ms = tonumber(ARGV[2])
local n = #KEYS
local kinds, a, b, state = {}, {}, {}, {}
local retry_at = 0
local refused = {}
for i = 1, n do
  local base = 3 * i
  kinds[i] = ARGV[base]
  a[i] = tonumber(ARGV[base + 1])
  b[i] = tonumber(ARGV[base + 2])
  if kinds[i] == 'w' then
    local times = redis.call('LRANGE', KEYS[i], 0, -1)
    state[i] = times
    if #times >= a[i] then
      local oldest = tonumber(times[a[i]])
      if oldest > now - b[i] then
        retry_at = math.max(retry_at, oldest + b[i])
        table.insert(refused, i)
      end
    end
  else
    local stored = redis.call('GET', KEYS[i])
    local tat = now
    if stored then tat = math.max(tonumber(stored), now) end
    state[i] = tat
    local tolerance = (b[i] - 1) * a[i]
    if tat - now > tolerance then
      retry_at = math.max(retry_at, tat - tolerance)
      table.insert(refused, i)
    end
  end
end
if #refused > 0 then
  return {0, retry_at, unpack(refused)}
end
for i = 1, n do
  if kinds[i] == 'w' then
    local times = state[i]
    table.insert(times, ARGV[1])
    table.sort(times, function(x, y) return tonumber(x) > tonumber(y) end)
    redis.call('DEL', KEYS[i])
    for j = 1, math.min(#times, a[i]) do
      redis.call('RPUSH', KEYS[i], times[j])
    end
    local live_us = tonumber(times[1]) + b[i] - now
    redis.call('PEXPIRE', KEYS[i], math.ceil(live_us / 1000) + floor_ms)
  else
    local tat = state[i] + a[i]
    redis.call('SET', KEYS[i], string.format('%d', tat), 'PX',
      math.ceil((tat - now) / 1000) + floor_ms)
  end
end
return {1, 0}
"""


class RedisRateLimiter:
    """The Redis :class:`hoga.ports.ratelimit.RateLimiter` (see the module docstring)."""

    def __init__(self, client: aioredis.Redis, *, ttl_floor_ms: int = 60_000) -> None:
        self._client = client
        self._script = client.register_script(ACQUIRE_LUA)
        self._ttl_floor_ms = ttl_floor_ms

    async def acquire(self, checks: Sequence[Check], now: int) -> Acquired:
        if not checks:
            return Acquired(True)
        args: list[Any] = [str(now), str(self._ttl_floor_ms)]
        for check in checks:
            limit = check.limit
            if isinstance(limit, Window):
                args += ["w", str(limit.count), str(limit.window_us)]
            else:
                args += ["b", str(limit.interval_us), str(limit.burst)]
        try:
            reply = await self._script(keys=[c.key for c in checks], args=args)
        except RedisError as exc:
            raise StorageError(f"rate limiter: Redis failed: {exc}") from exc
        admitted, retry_at, *refused = (int(v) for v in reply)
        if admitted:
            return Acquired(True)
        return Acquired(False, retry_at, tuple(checks[i - 1].key for i in refused))

    async def aclose(self) -> None:
        await self._client.aclose()


def open_redis_limiter(url: str) -> RedisRateLimiter:
    """``redis://[user:password@]host[:port][/db]`` (also ``rediss://``, ``unix://``)."""
    client = aioredis.Redis.from_url(url)
    return RedisRateLimiter(client)
