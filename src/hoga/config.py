"""Configuration of a hoga deployment.

Every setting has a default that gives the laptop sandbox (`make run`): SQLite in the working
directory, the in-process bus, the 24/7 market on the real clock. Settings come from keyword
arguments (the CLI) or ``HOGA_*`` environment variables, in that order of precedence.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields, replace
from typing import Any

from hoga.errors import ConfigError

__all__ = ["DEFAULT_DB", "Settings"]

DEFAULT_DB = "sqlite:///hoga.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """One deployment's configuration (see the module docstring for sources)."""

    db: str = DEFAULT_DB
    bus: str = "memory://"
    host: str = "127.0.0.1"
    port: int = 8000
    seed: int = 1
    market: str = "always"  # always | calendar
    clock: str = "real"  # real | fast:N | manual
    clock_start: int | None = None  # epoch µs the simulated clock starts at (fast / manual)
    extended_sessions: bool = False
    participants: bool = True
    universe_limit: int | None = None  # trade only the first N instruments (tests, demos)
    history_years: int = 3
    default_cash: int = 100_000_000
    commission_rate: str = "0.00015"
    max_body_bytes: int = 64 * 1024
    operator_token: str | None = None
    flush_interval_us: int = 1_000_000
    tick_retention_days: int = 5
    environments: dict[str, str] = field(default_factory=lambda: {"": "mock"})
    # Rate limits (terms art. 11; hoga.policy.ratelimit). A count of 0 switches that limit off.
    ratelimit: str = "memory://"  # memory:// | redis://host:port/db | off
    ratelimit_queries: int = 5  # query calls per customer in any window
    ratelimit_orders: int = 5  # order calls per customer in any window
    ratelimit_tokens: int = 5  # au10001 / au10002 calls per app key (each) in any window
    ratelimit_window_ms: int = 1_000
    ratelimit_tr_burst: int = 0  # per (app key, api-id) bucket; Kiwoom-like profile: 2
    ratelimit_tr_interval_ms: int = 1_000  # that bucket's sustained spacing
    ratelimit_prefix: str = "hoga:rl:"  # Redis key prefix (one per deployment sharing a Redis)
    # Proxies whose X-Forwarded-For names the client (addresses / networks, comma-separated);
    # empty: trust none, the peer address is the client (hoga.policy.access.client_address).
    trusted_proxies: str = ""
    # Abnormal load and incidents (terms art. 8, 9; hoga.policy.abnormal, hoga.engine.incidents).
    # Counts are per customer within abnormal_window_s; 0 switches a rule off.
    abnormal_detection: bool = True
    abnormal_window_s: int = 300
    abnormal_refusals: int = 300  # rate-limit refusals (1700) ...
    abnormal_refusal_span_s: int = 120  # ... spread over at least this long ("sustained")
    abnormal_identical: int = 900  # admitted queries with the same api-id and body
    abnormal_orders: int = 1_200  # order calls (place / modify / cancel)
    abnormal_cancels: int = 600  # modify / cancel calls
    abnormal_conditions: int = 60  # condition-search register / clear events
    incident_threshold: int = 3  # the n-th counting abnormal-load incident terminates
    incident_explanation_days: int = 10  # explanation due within n days of the notice
    incident_refresh_ms: int = 1_000  # reload incidents changed by other processes
    # Records (terms art. 14; hoga.engine.records): retention per record class ("api=1y,
    # notice=3y"; default 10y; order/trade/ledger never under 10y), the operator's Ed25519 key
    # (PEM) that signs checkpoints and purge proofs, and how often the buffer is flushed.
    records_retention: str = ""
    records_signing_key: str = ""
    records_flush_ms: int = 100
    # Notices and maintenance (terms art. 4, 12, 16; hoga.engine.outbox, hoga.engine.maintenance).
    # A channel is on when its host / endpoint is set; customers choose among those that are on.
    notify_smtp_host: str = ""
    notify_smtp_port: int = 25
    notify_smtp_from: str = "hoga@localhost"
    notify_smtp_user: str = ""
    notify_smtp_password: str = ""
    notify_smtp_security: str = "none"  # none | starttls | tls
    notify_sms_url: str = ""  # the provider's send endpoint
    notify_sms_key: str = ""
    notify_sms_secret: str = ""
    notify_sms_sender: str = ""  # the registered calling number
    notify_alimtalk_url: str = ""
    notify_alimtalk_key: str = ""
    notify_alimtalk_secret: str = ""
    notify_alimtalk_sender: str = ""  # the Kakao sender profile key
    notify_alimtalk_templates: str = ""  # "kind=CODE,kind=CODE" (codes registered with Kakao)
    notify_retry_first_s: int = 30  # back-off: first wait, doubled per failure ...
    notify_retry_max_s: int = 3_600  # ... up to this
    notify_retry_attempts: int = 12  # then the delivery is marked failed (an operator may retry)
    maintenance_notice_hours: int = 24  # a scheduled window is announced at least this far ahead
    maintenance_reminder_minutes: int = 60  # reminder before a scheduled window starts

    def __post_init__(self) -> None:
        if self.market not in ("always", "calendar"):
            raise ConfigError(f"market must be 'always' or 'calendar', not {self.market!r}")
        if not 0 < self.port < 65_536:
            raise ConfigError(f"port out of range: {self.port}")
        if self.default_cash < 0:
            raise ConfigError("default cash must not be negative")
        if min(self.ratelimit_queries, self.ratelimit_orders, self.ratelimit_tokens) < 0:
            raise ConfigError("rate limits must not be negative (0 switches one off)")
        if min(self.ratelimit_window_ms, self.ratelimit_tr_interval_ms) < 1:
            raise ConfigError("rate-limit windows must be at least 1 ms")
        if self.ratelimit_tr_burst < 0:
            raise ConfigError("the per-TR burst must not be negative (0 switches it off)")
        for entry in self.trusted_proxies.replace(",", " ").split():
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ConfigError(f"trusted_proxies: not an address: {entry!r}") from exc
        counts = (
            self.abnormal_refusals,
            self.abnormal_identical,
            self.abnormal_orders,
            self.abnormal_cancels,
            self.abnormal_conditions,
        )
        if min(counts) < 0 or self.abnormal_refusal_span_s < 0:
            raise ConfigError("abnormal-load thresholds must not be negative (0 switches one off)")
        if self.abnormal_window_s < 1 or self.incident_refresh_ms < 1:
            raise ConfigError("the abnormal-load window and incident refresh must be positive")
        if self.incident_threshold < 1 or self.incident_explanation_days < 1:
            raise ConfigError("the incident threshold and explanation days must be at least 1")
        if self.notify_smtp_security not in ("none", "starttls", "tls"):
            raise ConfigError("notify_smtp_security must be none, starttls or tls")
        if min(self.notify_retry_first_s, self.notify_retry_max_s, self.notify_retry_attempts) < 1:
            raise ConfigError("notice retry settings must be at least 1")
        if self.maintenance_notice_hours < 0 or self.maintenance_reminder_minutes < 0:
            raise ConfigError("maintenance notice lead times must not be negative")

    @classmethod
    def load(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``HOGA_<NAME>`` environment variables, then non-None ``overrides``."""
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = source.get(f"HOGA_{f.name.upper()}")
            if raw is None or f.name == "environments":
                continue
            values[f.name] = _coerce(f.name, str(f.type), raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _coerce(name: str, typ: str, raw: str) -> Any:
    if "bool" in typ:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if "int" in typ:
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"HOGA_{name.upper()} must be an integer, got {raw!r}") from exc
    return raw
