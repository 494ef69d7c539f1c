"""Wiring: builds the running system from configuration (the only importer of adapters)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from hoga.api.context import AppContext
from hoga.api.routes.oauth import IdentityAuthenticator
from hoga.api.ws import hub_for
from hoga.clock import RealClock
from hoga.config import Settings
from hoga.domain.fees import FeeSchedule
from hoga.domain.kst import kst_date
from hoga.domain.ledger import Ledger
from hoga.engine.account_feed import AccountFeed
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import Notify
from hoga.engine.calendar import KrxCalendar
from hoga.engine.codec import encode_batch
from hoga.engine.conditions import OVERFLOW_NOTICE, ConditionService
from hoga.engine.exchange import Exchange, MarketMode, SeqEvent
from hoga.engine.history import DailyHistory
from hoga.engine.identity import IdentityService
from hoga.engine.incidents import IncidentPolicy, IncidentService
from hoga.engine.maintenance import MaintenancePolicy, MaintenanceService
from hoga.engine.marketdata import MarketDataRecorder, carried_bases
from hoga.engine.outbox import Outbox, RetryPolicy
from hoga.engine.realtime import RealtimeLimits
from hoga.engine.realtime_relay import FrontHub, RowRelay
from hoga.engine.records import Recorder, RetentionPolicy, Signer
from hoga.engine.runtime import MarketRunner
from hoga.engine.simclock import SimClock
from hoga.engine.universe import Universe, load_universe
from hoga.errors import ConfigError
from hoga.policy.abnormal import AbnormalLoadDetector, AbnormalThresholds
from hoga.policy.maintenance import MaintenanceGate
from hoga.policy.ratelimit import RatePolicy, RequestLimiter
from hoga.ports.clock import Clock
from hoga.ports.ratelimit import Bucket, RateLimiter, Window

if TYPE_CHECKING:
    from hoga.ports.notifier import Channel, Notifier
    from hoga.ports.pubsub import PubSub
    from hoga.ports.storage import Storage

__all__ = [
    "build_compliance",
    "build_context",
    "build_front_context",
    "build_incidents",
    "build_maintenance",
    "build_outbox",
    "build_records",
    "build_relay",
    "fee_schedule",
    "is_shared_bus",
    "make_sim_clock",
    "notify_channels",
    "open_bus",
    "open_limiter",
    "open_storage",
    "select_universe",
]

SETTING_OPERATOR_TOKEN = "server.operator_token"
SETTING_SERVER_URL = "server.url"


def open_storage(url: str) -> Storage:
    """Open the storage named by ``url`` (``sqlite:///…``, ``postgresql://…``, ``memory://``),
    migrated to the latest schema. See :func:`hoga.adapters.open_storage`."""
    from hoga import adapters

    return adapters.open_storage(url)


def open_bus(url: str) -> PubSub:
    """The pub/sub bus named by ``url``: ``memory://`` (in-process) or ``redis://…`` (shared
    by processes; ``?prefix=`` names its channel prefix, see :mod:`hoga.adapters.pubsub_redis`)."""
    if url.startswith("memory://"):
        from hoga.adapters.pubsub_memory import MemoryPubSub

        return MemoryPubSub()
    if is_shared_bus(url):
        from hoga.adapters.pubsub_redis import open_redis_bus

        return open_redis_bus(url)
    raise ConfigError(f"unknown bus URL {url!r}; use memory:// or redis://…")


def open_limiter(settings: Settings, clock: Clock) -> RequestLimiter | None:
    """The rate limiter of ``settings.ratelimit`` (``memory://``, ``redis://…``, ``off`` → None),
    timed by ``clock`` — the wall (base) clock, not simulated time (see hoga.policy.ratelimit)."""
    url = settings.ratelimit.strip()
    if url.lower() in ("", "off", "none"):
        return None
    backend: RateLimiter
    if url.startswith("memory://"):
        from hoga.adapters.ratelimit_memory import open_memory_limiter

        backend = open_memory_limiter(url)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        from hoga.adapters.ratelimit_redis import open_redis_limiter

        backend = open_redis_limiter(url)
    else:
        raise ConfigError(f"unknown rate-limit URL {url!r}; use memory://, redis://… or off")
    s = settings
    window_us = s.ratelimit_window_ms * 1_000

    def window(count: int) -> Window | None:
        return Window(count, window_us) if count else None

    policy = RatePolicy(
        queries=window(s.ratelimit_queries),
        orders=window(s.ratelimit_orders),
        tokens=window(s.ratelimit_tokens),
        per_tr=Bucket(s.ratelimit_tr_interval_ms * 1_000, s.ratelimit_tr_burst)
        if s.ratelimit_tr_burst
        else None,
        prefix=s.ratelimit_prefix,
    )
    return RequestLimiter(backend, clock, policy)


def make_sim_clock(spec: str, *, start: int | None, base: Clock | None = None) -> SimClock:
    """``real`` (speed 1 from now), ``fast:N`` (N× from ``start`` or now), ``manual`` (frozen)."""
    base = base or RealClock()
    kind, _, arg = spec.strip().lower().partition(":")
    if kind == "real" and not arg:
        return SimClock(base, start=start, speed=1)
    if kind == "manual" and not arg:
        return SimClock(base, start=start, speed=0)
    if kind == "fast" and arg:
        try:
            speed = Fraction(arg)
        except ValueError as exc:
            raise ConfigError(f"bad clock speed in {spec!r}") from exc
        if speed <= 0:
            raise ConfigError(f"clock speed must be positive in {spec!r}")
        return SimClock(base, start=start, speed=speed)
    raise ConfigError(f"unknown clock {spec!r}; expected 'real', 'fast:N' or 'manual'")


def select_universe(universe: Universe, limit: int | None) -> Universe:
    """The whole universe, or its ``limit`` most traded instruments (for small deployments)."""
    if limit is None or limit >= len(universe):
        return universe
    ranked = sorted(universe.values(), key=lambda i: (-i.volume, i.code))[:limit]
    return Universe(sorted(ranked, key=lambda i: i.code))


def build_context(settings: Settings, *, base_clock: Clock | None = None) -> AppContext:
    """Everything a server process runs, from ``settings``."""
    storage = open_storage(settings.db)
    bus = open_bus(settings.bus)
    clock = make_sim_clock(settings.clock, start=settings.clock_start, base=base_clock)
    universe = select_universe(load_universe(), settings.universe_limit)
    calendar = KrxCalendar()
    history = DailyHistory(universe, seed=settings.seed, years=settings.history_years)
    bases = carried_bases(storage, universe.values(), kst_date(clock.now()))
    instruments = [
        replace(inst, base_price=bases[inst.code]) if inst.code in bases else inst
        for inst in universe.values()
    ]

    def publish(topic: str, batch: list[SeqEvent]) -> None:
        if bus.has_subscribers(topic):
            bus.publish_nowait(topic, encode_batch(batch))

    exchange = Exchange(
        instruments,
        clock=clock,
        calendar=calendar,
        seed=settings.seed,
        mode=MarketMode(settings.market),
        extended_sessions=settings.extended_sessions,
        participants=settings.participants,
        publish=publish,
    )
    recorder = MarketDataRecorder(history)
    exchange.add_listener(recorder)
    runner = MarketRunner(
        exchange,
        clock,
        recorder=recorder,
        storage=storage,
        flush_interval_us=settings.flush_interval_us,
    )
    token = settings.operator_token or secrets.token_urlsafe(32)
    with storage.unit_of_work() as uow:
        uow.settings.put(SETTING_OPERATOR_TOKEN, token)
        uow.settings.put(SETTING_SERVER_URL, f"http://{settings.host}:{settings.port}")
    ctx = AppContext(
        settings=settings,
        storage=storage,
        pubsub=bus,
        clock=clock,
        calendar=calendar,
        universe=universe,
        history=history,
        exchange=exchange,
        recorder=recorder,
        runner=runner,
        operator_token=token,
    )
    brokerage = Brokerage(storage, exchange, Ledger(fee_schedule(settings)))
    exchange.add_listener(brokerage.on_events)
    ctx.services["brokerage"] = brokerage
    ctx.services["conditions"] = ConditionService(
        storage,
        exchange,
        recorder,
        clock,
        on_overflow=lambda session: hub_for(ctx).close(session, OVERFLOW_NOTICE),
        on_activity=lambda customer, event: _condition_activity(ctx, customer, event),
    )

    def push_account(account: str, type_code: str, values: dict[str, str], item: str) -> None:
        hub = ctx.services.get("realtime")  # made by the first WebSocket (hoga.api.ws.hub_for)
        if hub is not None:
            hub.push_account(account, type_code, values, item)

    def listening(account: str) -> bool:  # rows are built only for accounts someone hears
        hub = ctx.services.get("realtime")
        return hub is not None and bool(hub.listens(account))

    brokerage.notify = AccountFeed(exchange, push_account, listening).notify
    brokerage.recover()
    wall = base_clock or RealClock()  # the one wall clock of the policy services
    ctx.wall = wall
    identity = IdentityService(storage, clock, wall=wall)
    ctx.services["identity"] = identity
    ctx.auth = IdentityAuthenticator(identity)
    ctx.limiter = open_limiter(settings, wall)
    outbox = build_outbox(settings, storage, clock)
    ctx.services["outbox"] = outbox
    ctx.services["records"] = records = build_records(settings, storage, clock)
    brokerage.notify = _tee(brokerage.notify, records.on_note)
    ctx.services["incidents"] = build_incidents(  # notices go out through the outbox channels
        settings,
        storage,
        clock,
        identity,
        wall=wall,
        services=ctx.services,
        notifier=outbox,
    )
    ctx.services["maintenance"] = maintenance = build_maintenance(
        settings, storage, clock, outbox, wall=wall
    )
    ctx.services["maintenance.gate"] = MaintenanceGate(maintenance)
    build_compliance(ctx, identity, wall=wall)
    return ctx


def is_shared_bus(url: str) -> bool:
    """Whether the bus ``url`` reaches other processes (Redis)."""
    return url.startswith(("redis://", "rediss://", "unix://"))


def build_relay(ctx: AppContext, *, wall: Clock | None = None) -> RowRelay | None:
    """The market process's realtime relay to WebSocket front ends
    (:mod:`hoga.engine.realtime_relay`), when the bus is shared; start it in the server's loop."""
    if not is_shared_bus(ctx.settings.bus):
        return None
    conditions = ctx.services.get("conditions")  # evaluated here for the fronts' sockets too
    if not isinstance(conditions, ConditionService):
        conditions = None
    return RowRelay(hub_for(ctx), ctx.pubsub, wall or RealClock(), conditions=conditions)


def build_front_context(
    settings: Settings, *, limits: RealtimeLimits | None = None, base_clock: Clock | None = None
) -> AppContext:
    """A WebSocket front end (``hoga serve --role front``): sessions fed by the market process
    over the shared bus; LOGIN checks tokens in the shared database. No market runs here: the
    exchange is built idle, only for the instrument list (give the market's
    ``--universe-limit``), and nothing but the WebSocket is served (hoga.api.front)."""
    if not is_shared_bus(settings.bus):
        raise ConfigError("a front end needs the market's shared bus: --bus redis://…")
    storage = open_storage(settings.db)
    bus = open_bus(settings.bus)
    clock = make_sim_clock(settings.clock, start=settings.clock_start, base=base_clock)
    wall = base_clock or RealClock()
    universe = select_universe(load_universe(), settings.universe_limit)
    calendar = KrxCalendar()
    exchange = Exchange(
        universe.values(),
        clock=clock,
        calendar=calendar,
        seed=settings.seed,
        mode=MarketMode(settings.market),
        extended_sessions=settings.extended_sessions,
        participants=False,
    )
    history = DailyHistory(universe, seed=settings.seed, years=settings.history_years)
    recorder = MarketDataRecorder(history)
    ctx = AppContext(
        settings=settings,
        storage=storage,
        pubsub=bus,
        clock=clock,
        calendar=calendar,
        universe=universe,
        history=history,
        exchange=exchange,
        recorder=recorder,
        runner=MarketRunner(exchange, clock),  # never started
        operator_token=settings.operator_token or "",
        wall=wall,
    )
    identity = IdentityService(storage, clock, wall=wall)
    ctx.services["identity"] = identity
    ctx.auth = IdentityAuthenticator(identity)
    outbox = build_outbox(settings, storage, clock)
    maintenance = build_maintenance(settings, storage, clock, outbox, wall=wall)
    ctx.services["maintenance.gate"] = MaintenanceGate(maintenance)
    build_compliance(ctx, identity, wall=wall)
    ctx.services["realtime"] = hub = FrontHub(exchange, bus, wall, limits)
    ctx.services["conditions"] = hub.conditions  # forwarded to the market process
    return ctx


def _condition_activity(ctx: AppContext, customer_id: str, event: str) -> None:
    """Condition-search churn into the abnormal-load detector (terms art. 8, 11)."""
    incidents = ctx.services.get("incidents")
    if incidents is not None:
        incidents.record_condition_event(customer_id, event)


def build_compliance(ctx: AppContext, identity: IdentityService, *, wall: Clock) -> None:
    """Terms, disputes and onboarding (hoga.engine.terms_service, .disputes, .onboarding): the
    sample terms installed when none exist, the simulated verifier, and the consent gate around
    ``ctx.auth`` (hoga.api.routes.compliance)."""
    from hoga.adapters.notifier_memory import MemoryNotifier
    from hoga.adapters.verifier_sim import SimVerifier
    from hoga.api.consent import ConsentGate
    from hoga.engine.compliance_desk import Desk
    from hoga.engine.disputes import DisputeService
    from hoga.engine.onboarding import OnboardingService
    from hoga.engine.terms_service import TermsService

    desk = Desk(ctx.storage, ctx.clock, MemoryNotifier(), ctx.services)
    terms = TermsService(desk, identity=identity, wall=wall)
    terms.ensure_sample()
    disputes = DisputeService(desk, wall=wall)
    ctx.services["terms"], ctx.services["disputes"] = terms, disputes
    ctx.services["onboarding"] = OnboardingService(
        desk, SimVerifier(), identity, terms, cash=ctx.settings.default_cash
    )
    if ctx.auth is not None:
        ctx.auth = ConsentGate(ctx.auth, terms, disputes)


def fee_schedule(settings: Settings) -> FeeSchedule:
    """The commission and tax schedule the ledger charges (and ``/hoga/v1/fees`` publishes)."""
    return FeeSchedule.default(Decimal(settings.commission_rate))


def notify_channels(settings: Settings) -> list[Channel]:
    """The delivery channels switched on in ``settings`` (``notify_*``)."""
    s = settings
    channels: list[Channel] = []
    if s.notify_smtp_host:
        from hoga.adapters.notify_smtp import SmtpChannel, SmtpConfig

        smtp = SmtpConfig(
            s.notify_smtp_host,
            s.notify_smtp_port,
            sender=s.notify_smtp_from,
            username=s.notify_smtp_user,
            password=s.notify_smtp_password,
            security=s.notify_smtp_security,
        )
        channels.append(SmtpChannel(smtp))
    from hoga.adapters.notify_http import HttpChannel, HttpProviderConfig

    if s.notify_sms_url:
        sms = HttpProviderConfig(
            s.notify_sms_url, s.notify_sms_key, s.notify_sms_secret, s.notify_sms_sender
        )
        channels.append(HttpChannel("sms", sms))
    if s.notify_alimtalk_url:
        pairs = (item.partition("=") for item in s.notify_alimtalk_templates.split(","))
        templates = {k.strip(): v.strip() for k, _, v in pairs if k.strip() and v.strip()}
        talk = HttpProviderConfig(
            s.notify_alimtalk_url,
            s.notify_alimtalk_key,
            s.notify_alimtalk_secret,
            s.notify_alimtalk_sender,
            templates,
        )
        channels.append(HttpChannel("alimtalk", talk))
    return channels


def build_outbox(
    settings: Settings, storage: Storage, clock: Clock, channels: list[Channel] | None = None
) -> Outbox:
    """The notice outbox over the channels of ``settings`` (unless ``channels`` are given)."""
    s = settings
    retry = RetryPolicy(
        first_us=s.notify_retry_first_s * 1_000_000,
        max_us=s.notify_retry_max_s * 1_000_000,
        max_attempts=s.notify_retry_attempts,
    )
    found = notify_channels(settings) if channels is None else channels
    return Outbox(storage, clock, found, retry=retry)


def build_maintenance(
    settings: Settings, storage: Storage, clock: Clock, outbox: Outbox, *, wall: Clock
) -> MaintenanceService:
    """Maintenance windows and service changes (terms art. 4, 12, 16)."""
    policy = MaintenancePolicy(
        min_notice_us=settings.maintenance_notice_hours * 3_600_000_000,
        reminder_us=settings.maintenance_reminder_minutes * 60_000_000,
        refresh_us=settings.incident_refresh_ms * 1_000,
    )
    return MaintenanceService(storage, clock, outbox, policy=policy, wall=wall)


def build_records(settings: Settings, storage: Storage, clock: Clock) -> Recorder:
    """The record chain's writer (terms art. 14) configured by ``settings``."""
    key = settings.records_signing_key
    return Recorder(
        storage,
        clock,
        retention=RetentionPolicy.parse(settings.records_retention),
        signer=Signer.load(key) if key else None,
        flush_interval_us=settings.records_flush_ms * 1_000,
    )


def _tee(first: Notify | None, second: Notify) -> Notify:
    def both(account: str, kind: str, note: Any) -> None:
        if first is not None:
            first(account, kind, note)
        second(account, kind, note)

    return both


def build_incidents(
    settings: Settings,
    storage: Storage,
    clock: Clock,
    identity: IdentityService | None,
    *,
    wall: Clock,
    services: dict[str, Any] | None = None,
    notifier: Notifier | None = None,
) -> IncidentService:
    """The incident service (terms art. 8, 9) with the abnormal-load detector of ``settings``
    (timed by ``wall``, like the rate limiter) and, unless given, the recording notifier."""
    from hoga.adapters.notifier_memory import MemoryNotifier

    s = settings
    detector = None
    if s.abnormal_detection:
        detector = AbnormalLoadDetector(
            AbnormalThresholds(
                window_us=s.abnormal_window_s * 1_000_000,
                refusals=s.abnormal_refusals,
                refusal_span_us=s.abnormal_refusal_span_s * 1_000_000,
                identical=s.abnormal_identical,
                orders=s.abnormal_orders,
                cancels=s.abnormal_cancels,
                conditions=s.abnormal_conditions,
            )
        )
    policy = IncidentPolicy(
        threshold=s.incident_threshold,
        explanation_days=s.incident_explanation_days,
        refresh_us=s.incident_refresh_ms * 1_000,
    )
    return IncidentService(
        storage,
        clock,
        notifier or MemoryNotifier(),
        identity=identity,
        detector=detector,
        wall=wall,
        services=services,
        policy=policy,
    )


def demo_customer(ctx: AppContext) -> dict[str, str]:
    """Create (once) and describe the demo customer ``make run`` prints.

    The identity service registers itself in ``ctx.services["identity"]``; until it exists the
    banner says so instead of inventing credentials.
    """
    identity = ctx.services.get("identity")
    if identity is None:
        return {"demo customer": "identity service not available"}
    creds: dict[str, str] = identity.demo_credentials(ctx.settings.default_cash)
    return creds
