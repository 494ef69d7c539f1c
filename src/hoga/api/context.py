"""What the API layer is given by bootstrap: the running services, typed by engine and ports.

The API never builds services itself (only :mod:`hoga.bootstrap` does, and only it imports
adapters); handlers reach everything through the :class:`AppContext` of the application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from hoga.config import Settings
from hoga.engine.calendar import TradingCalendar
from hoga.engine.exchange import Exchange
from hoga.engine.history import DailyHistory
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.runtime import MarketRunner
from hoga.engine.simclock import SimClock
from hoga.engine.universe import Universe
from hoga.policy.ratelimit import RequestLimiter
from hoga.ports.clock import Clock
from hoga.ports.pubsub import PubSub
from hoga.ports.storage import Storage
from hoga.wire.errors import ApiError

__all__ = ["AppContext", "Authenticator", "Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The customer behind a valid access token."""

    customer_id: str
    appkey: str
    env: str  # "mock" | "real"
    accounts: tuple[str, ...]
    token_hash: str = ""


class Authenticator(Protocol):
    """Turns a bearer token into a principal, or the documented error (8005, 8031, …).
    ``wall`` / ``now``: the caller's readings of the wall clock and simulated time for this
    request (None: read them)."""

    def authenticate(
        self,
        token: str,
        env: str,
        client_ip: str,
        *,
        wall: int | None = None,
        now: int | None = None,
    ) -> Principal | ApiError: ...


@dataclass(slots=True)
class AppContext:
    settings: Settings
    storage: Storage
    pubsub: PubSub
    clock: SimClock
    calendar: TradingCalendar
    universe: Universe
    history: DailyHistory
    exchange: Exchange
    recorder: MarketDataRecorder
    runner: MarketRunner
    operator_token: str
    auth: Authenticator | None = None
    limiter: RequestLimiter | None = None  # None: no rate limits (hoga.policy.ratelimit)
    services: dict[str, Any] = field(default_factory=dict)
    wall: Clock | None = None  # the wall clock the policy services read (None: their own)
