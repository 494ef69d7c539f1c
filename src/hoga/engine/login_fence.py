"""One WebSocket session per app key across the server processes that share a bus.

On one process, :meth:`hoga.engine.realtime.RealtimeHub.open` ends the older session of an app
key with ``SYSTEM`` R10001. With a market process and front ends (``hoga serve --role front``),
the two sessions may live in different processes, so each hub that shares the bus has a
:class:`LoginFence`: every LOGIN it admits is announced on ``rt.login`` (``{origin, appkey, at}``,
``at`` from the wall clock), and a hub that hears a *newer* login of an app key it holds a
session for — from another origin — ends its own session with the same R10001 notice. "Newer"
is by ``(at, origin)``, so two logins in the same microsecond still leave exactly one session.

A login announced while a process's bus connection is down is not replayed: the older session
then lives on until its own socket ends (the same as any row lost on Redis pub/sub).
"""

from __future__ import annotations

import logging
import secrets

import msgspec

from hoga.engine.bus_pump import Reader
from hoga.engine.realtime import TAKEOVER, RealtimeHub
from hoga.ports.clock import Clock
from hoga.ports.pubsub import PubSub, Subscription

__all__ = ["LOGINS", "LoginFence"]

log = logging.getLogger(__name__)

LOGINS = "rt.login"


class _Login(msgspec.Struct):
    origin: str
    appkey: str
    at: int


_ENC = msgspec.json.Encoder()
_DEC = msgspec.json.Decoder(_Login)


class LoginFence:
    """Announces ``hub``'s logins on the bus and ends its sessions that a newer login elsewhere
    replaced (see the module docstring)."""

    def __init__(self, hub: RealtimeHub, bus: PubSub, wall: Clock) -> None:
        self.hub = hub
        self.bus = bus
        self.wall = wall
        self.origin = secrets.token_hex(6)
        self._since: dict[str, int] = {}  # appkey -> when this hub's session of it logged in
        self._reader = Reader(bus, LOGINS, self._run, "hoga-rt-logins")
        hub.on_open.append(self._opened)

    async def start(self) -> None:
        await self._reader.start()

    async def stop(self) -> None:
        await self._reader.stop()

    def _opened(self, appkey: str) -> None:
        at = self.wall.now()
        self._since[appkey] = at
        self.bus.publish_nowait(LOGINS, _ENC.encode(_Login(self.origin, appkey, at)))

    async def _run(self, sub: Subscription) -> None:
        while True:
            msg = await sub.get()
            if msg is None:
                continue
            try:
                login = _DEC.decode(msg.payload)
                await self.heard(login.origin, login.appkey, login.at)
            except Exception:  # a bad message must not stop the fence
                log.exception("login fence: bad message")

    async def heard(self, origin: str, appkey: str, at: int) -> None:
        """A login announced on the bus: end this hub's session of the key if it is older."""
        if origin == self.origin:
            return
        session = self.hub.by_appkey.get(appkey)
        if session is None:
            return
        if (self._since.get(appkey, 0), self.origin) < (at, origin):
            self.hub.close(session, TAKEOVER)
            await self.hub.settle()
