"""Realtime across processes: the market process relays ready-made rows to WebSocket front ends.

Several server processes can serve sockets for one exchange (``hoga serve --role front --bus
redis://…``). Only the market process has the exchange, its book state and the per-code tallies
the rows are computed from, so it builds the rows and the fronts only fan them out:

- ``rt.want`` (front → market): ``{"front": id, "pairs": [[type, item], …]}`` — every
  ``(type, item)`` the front's sessions registered. Sent on every change and as a heartbeat every
  ``announce_us`` of the wall clock; the market forgets a front it has not heard from for
  ``3 × announce_us`` (a front that died), and a restarted market learns the wants at the next
  heartbeat.
- ``rt.row.<type>.<item>`` (market → fronts): one encoded ``REAL`` entry, exactly the bytes the
  market's own sessions get. The market's :class:`RowRelay` registers one internal session in its
  :class:`~hoga.engine.realtime.RealtimeHub` with the union of the fronts' pairs; that session
  publishes each row instead of queueing it (the market's feeds run for those codes as for a
  local session). VI rows for one code go out even to fronts that also want every VI; the front
  applies the same "no duplicate" rule as the market.
- ``rt.acct.<account>`` (market → fronts): ``<type>\\t<item>\\n`` then the encoded row, for each
  ``00``/``04`` row of the account (published while some front is alive).

A front (:class:`FrontHub`) is a hub without feeds: it validates registrations against its own
copy of the instrument list (start it with the market's ``--universe-limit``), announces the
pairs, and hands every row of ``rt.row.*`` / ``rt.acct.*`` to its sessions as they are —
per-session queues, the drop policy and the direct socket writes are the same as on the market.
Condition search (CNSRLST/CNSRREQ/CNSRCLR) on a front's sockets is evaluated by the market too,
over ``rt.cnsr`` / ``rt.cnsr.<front>`` (:mod:`hoga.engine.conditions_relay`; the front's
:attr:`FrontHub.conditions` forwards, the relay's :attr:`RowRelay.conditions` answers).
Rows published before a front's first announcement reached the market are not replayed (state
rows start from the next change, as for a new local registration); with Redis pub/sub, a row
lost while a connection is down is lost (the bus marks the subscription lagged).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

import msgspec

from hoga.engine.bus_pump import Reader, pump
from hoga.engine.conditions import ConditionService
from hoga.engine.conditions_relay import ConditionRelay, FrontConditions
from hoga.engine.exchange import Exchange
from hoga.engine.login_fence import LoginFence
from hoga.engine.realtime import Pair, RealtimeHub, RealtimeLimits, RealtimeSession
from hoga.ports.clock import Clock
from hoga.ports.pubsub import Message, PubSub, Subscription
from hoga.wire.ws import System

__all__ = ["ANNOUNCE_US", "FrontHub", "RowRelay"]

log = logging.getLogger(__name__)

ANNOUNCE_US = 2_000_000
WANT = "rt.want"
ROWS = "rt.row."
ACCOUNTS = "rt.acct."


class _Want(msgspec.Struct):
    front: str
    pairs: list[tuple[str, str]]


_ENC = msgspec.json.Encoder()
_DEC = msgspec.json.Decoder(_Want)


class _RelaySession(RealtimeSession):
    """The market hub's stand-in for every front: publishes each row on ``rt.row.…``."""

    skips = False  # a front applies the 1h "no duplicate" rule to its own sessions

    def __init__(self, bus: PubSub, limits: RealtimeLimits) -> None:
        super().__init__("", (), limits)
        self.bus = bus

    def push(self, type_code: str, item: str, row: bytes) -> bool:
        self.bus.publish_nowait(f"{ROWS}{type_code}.{item}", row)
        return True


class RowRelay:
    """The market side (see the module docstring): fronts' wants in, rows and account rows out."""

    def __init__(
        self,
        hub: RealtimeHub,
        bus: PubSub,
        wall: Clock,
        *,
        announce_us: int = ANNOUNCE_US,
        conditions: ConditionService | None = None,
    ) -> None:
        """With ``conditions``, it also evaluates condition searches for the fronts' sockets
        (:class:`~hoga.engine.conditions_relay.ConditionRelay`, started and stopped with it)."""
        self.hub = hub
        self.bus = bus
        self.wall = wall
        self.expire_us = 3 * announce_us
        self.session = _RelaySession(bus, hub.limits)
        self.fronts: dict[str, tuple[frozenset[Pair], int]] = {}  # id -> pairs, last heard
        self._reader = Reader(bus, WANT, self._run, "hoga-rt-relay")
        self.conditions: ConditionRelay | None = None
        if conditions is not None:
            self.conditions = ConditionRelay(conditions, bus, wall, announce_us=announce_us)
        hub.tap_accounts(self.account)
        self.logins = LoginFence(hub, bus, wall)  # one session per app key across processes

    async def start(self) -> None:
        await self.logins.start()
        await self._reader.start()
        if self.conditions is not None:
            await self.conditions.start()

    async def stop(self) -> None:
        if self.conditions is not None:
            await self.conditions.stop()
        await self._reader.stop()
        await self.logins.stop()
        await self.hub.relay(self.session, set())

    def account(self, account: str, type_code: str, item: str, row: bytes) -> None:
        if self.fronts:
            self.bus.publish_nowait(f"{ACCOUNTS}{account}", f"{type_code}\t{item}\n".encode() + row)

    async def _run(self, sub: Subscription) -> None:
        await pump(sub, self.expire_us / 1e6, self._step, "realtime relay: bad announcement")

    async def _step(self, msg: Message | None) -> None:
        if msg is not None:
            want = _DEC.decode(msg.payload)
            pairs = frozenset((t, i) for t, i in want.pairs)
            self.fronts[want.front] = (pairs, self.wall.now())
        await self.apply()

    async def apply(self) -> None:
        """Forget silent fronts; register the union of the others' pairs."""
        now = self.wall.now()
        for front, (_, heard) in list(self.fronts.items()):
            if now - heard > self.expire_us:
                del self.fronts[front]
        union: set[Pair] = set()
        for pairs, _ in self.fronts.values():
            union |= pairs
        if union != self.session.pairs():
            await self.hub.relay(self.session, union)


class FrontHub(RealtimeHub):
    """A hub fed by the market's relay instead of the exchange (see the module docstring)."""

    def __init__(
        self,
        exchange: Exchange,
        bus: PubSub,
        wall: Clock,
        limits: RealtimeLimits | None = None,
        *,
        announce_us: int = ANNOUNCE_US,
    ) -> None:
        super().__init__(exchange, bus, limits, listen=False)
        self.wall = wall
        self.announce_us = announce_us
        self.front_id = secrets.token_hex(6)
        self._announced: frozenset[Pair] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._own: list[Subscription] = []
        #: condition search, evaluated by the market (``ctx.services["conditions"]``)
        self.conditions = FrontConditions(self, bus, self.front_id)
        self.logins = LoginFence(self, bus, wall)  # one session per app key across processes

    async def start(self) -> None:
        await self.logins.start()
        await self.conditions.start()
        loop = asyncio.get_running_loop()
        for topic, handle in ((ROWS + "*", self._row), (ACCOUNTS + "*", self._account)):
            sub = await self.pubsub.subscribe(topic, buffer=100_000)
            self._own.append(sub)
            self._tasks.append(loop.create_task(self._read(sub, handle), name=f"hoga-{topic}"))
        self._tasks.append(loop.create_task(self._heartbeat(), name="hoga-rt-announce"))

    async def stop(self) -> None:
        await self.close_all()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for sub in self._own:
            await sub.close()
        await self.conditions.stop()
        await self.logins.stop()

    def close(self, session: RealtimeSession, notice: System | None = None) -> None:
        super().close(session, notice)
        self.conditions.forget(session)

    async def _sync_feeds(self) -> None:
        """No local feeds: tell the market what the sessions want."""
        pairs = frozenset(self._subs)
        if pairs != self._announced:
            await self._announce(pairs)

    async def _announce(self, pairs: frozenset[Pair]) -> None:
        self._announced = pairs
        want = _Want(self.front_id, sorted(pairs))
        await self.pubsub.publish(WANT, _ENC.encode(want))

    async def _heartbeat(self) -> None:
        while True:
            await self.wall.sleep_until(self.wall.now() + self.announce_us)
            with contextlib.suppress(Exception):  # the bus retries; next beat tries again
                await self._announce(frozenset(self._subs))
            with contextlib.suppress(Exception):
                await self.conditions.beat()

    async def _read(self, sub: Subscription, handle: Any) -> None:
        while True:
            msg: Message | None = await sub.get()
            while msg is not None:
                try:
                    handle(msg)
                except Exception:  # a bad row must not end the feed
                    log.exception("realtime front: bad row on %s", msg.topic)
                msg = sub.get_nowait()

    def _row(self, msg: Message) -> None:
        type_code, _, item = msg.topic[len(ROWS) :].partition(".")
        skip = ("1h", "") if type_code == "1h" and item else None
        self.fanout(type_code, item, msg.payload, skip)

    def _account(self, msg: Message) -> None:
        account = msg.topic[len(ACCOUNTS) :]
        head, _, row = msg.payload.partition(b"\n")
        type_code, _, item = head.decode().partition("\t")
        self.push_account_row(account, type_code, item, row)
