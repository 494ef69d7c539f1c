"""Customers, app keys, access tokens and brokerage accounts: the service behind OAuth.

Design:

- **Customers** get an id ``C`` + 8 digits from the durable ``customer_id`` sequence, one app key
  and one brokerage account in their environment (``"mock"`` or ``"real"``; a key, its tokens and
  the account work only there: 8030 / 8031).
- **Account numbers** have 10 digits like Kiwoom's: an environment digit (``8`` mock, ``5``
  real), 7 digits from the durable ``account_no`` sequence, and the product suffix ``11`` (the
  last two digits classify the account, as Kiwoom documents for ka00001).
- **Starting cash** is one balanced journal entry on the new account, ref ``deposit:initial``:
  ``KRW/cash +cash`` against ``KRW/bank −cash`` (nothing is posted for 0 won).
- **Secrets**: the app key is 24 random bytes and the secret key 36 random bytes from
  :mod:`secrets`, URL-safe base64 (32 and 48 characters; the secret carries 288 bits). The
  secret is shown once; storage keeps only ``scrypt$N$r$p$<salt>$<hash>`` (16-byte salt per key,
  parameters in the string so they can be raised for new keys without breaking old ones).
  Verification compares with :func:`hmac.compare_digest`. An unknown app key is checked against
  a dummy hash so its answer takes as long as a wrong secret. After one successful scrypt check
  the process remembers an HMAC of the secret under a per-process random key, so re-issuing a
  token (clients do it on every start) does not cost a scrypt run each time.
- **Tokens** are 64 random bytes (86 URL-safe characters, the length observed on Kiwoom), stored
  only as their SHA-256 hex digest, valid ``token_ttl_us`` (24 h) of *simulated* time from issue.
  Re-issuing while a token is valid returns the same token and ``expires_at`` (spec §2.1): the
  plaintext lives only in this process's memory (app key → token), so after a restart — or in
  another worker process — the next issue makes a new token; the old one stays valid until it
  expires or is revoked. Tokens that expired more than a week ago are deleted when new ones are
  issued.
- **Verification cache**: token hash → identity, kept in memory and trusted until something
  invalidates it, so checking a token costs a SHA-256 and a dictionary lookup. Expiry is checked
  on every call against the (simulated) clock. Revocations, key rotations with ``revoke_tokens``,
  access settings and revocations of this service drop the affected entries at once. Changes made
  elsewhere — another process (``hoga admin key revoke``, another server worker), the incidents
  service suspending a customer, or any code writing the identity tables through the storage
  port — are seen through the **change counter**: the SQL storage bumps the durable sequence
  :data:`CHANGES` in the same transaction as every write that can end a token's validity (a
  customer's status, a key or token revocation, a key's access settings). The service reads that
  counter at most once per ``recheck_us`` of *wall* time (1 s) — one indexed row, not one query
  per request — and forgets every cached identity when it moved; such a change therefore takes
  effect within ``recheck_us``. As a safety net against writes that bypass the storage port,
  each entry is also re-read after ``reverify_us`` (5 min) of wall time.
- **Several keys, rotation.** A customer may hold up to :data:`MAX_LIVE_KEYS` live keys in its
  environment (they share its rate limits, which are per customer). :meth:`rotate_secret` gives a
  key a new secret: the old one fails at once in every process, because the remembered HMAC is
  tied to the stored hash, which every issue reads. Its tokens live on unless asked otherwise.
- **Access settings** (IP allow-list, token binding; decided by :mod:`hoga.policy.access`) are
  stored per key; :class:`Identity` carries them so the API can refuse 8050 / 8010. au10001 and
  au10002 take the allow-list check as ``admit_ip`` and run it before the secret: a stranger's
  guess costs no scrypt. A key with an allow-list and no ``admit_ip`` admits nobody.
- **Brute force** is throttled per key and per address, and every failure and every action on
  keys is recorded (:mod:`hoga.engine.security_log`).

Expected refusals are :class:`Denied` values; the API layer maps their reasons to Kiwoom codes.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from hoga.engine.security_log import (
    OK,
    REFUSED,
    Action,
    Actor,
    ThrottlePolicy,
    address_scope,
    key_scope,
    record,
)
from hoga.ports.clock import Clock
from hoga.ports.storage import (
    AccountRecord,
    ApiKeyRecord,
    CustomerRecord,
    JournalLine,
    KeyAccessRecord,
    Storage,
    TokenRecord,
    UnitOfWork,
)

__all__ = [
    "ACTIVE",
    "CHANGES",
    "DEMO_SETTING",
    "ENVIRONMENTS",
    "INITIAL_DEPOSIT_REF",
    "MAX_LIVE_KEYS",
    "TOKEN_TTL_US",
    "CustomerSummary",
    "Denied",
    "DenyReason",
    "Identity",
    "IdentityService",
    "IssuedToken",
    "KeyInfo",
    "NewCustomer",
    "ScryptParams",
    "account_number",
    "hash_secret",
    "token_hash",
    "verify_secret",
]

ENVIRONMENTS = ("mock", "real")
ACTIVE = "active"
INITIAL_DEPOSIT_REF = "deposit:initial"
DEMO_SETTING = "identity.demo"
TOKEN_TTL_US = 24 * 3_600 * 1_000_000
#: The durable sequence the storage bumps with every write that can end a token's validity.
CHANGES = "identity.changes"
_KEEP_EXPIRED_US = 7 * 24 * 3_600 * 1_000_000
MAX_LIVE_KEYS = 10
_THROTTLE = ThrottlePolicy()
_ENV_DIGIT = {"mock": "8", "real": "5"}
_ACCOUNT_SUFFIX = "11"


class DenyReason(enum.StrEnum):
    """Why a credential or token was refused (the API maps each to a Kiwoom 8xxx code)."""

    BAD_CREDENTIALS = "bad_credentials"  # unknown app key or wrong secret
    KEY_REVOKED = "key_revoked"
    CUSTOMER_INACTIVE = "customer_inactive"  # suspended / terminated by the policy layer
    KEY_ENV = "key_env"  # app key of the other environment
    TOKEN_INVALID = "token_invalid"  # unknown, expired or revoked token
    TOKEN_ENV = "token_env"  # token of the other environment
    TOKEN_UNKNOWN = "token_unknown"  # revoke: not a token of this app key
    THROTTLED = "throttled"  # too many failures: refused without checking (8002)
    IP_NOT_ALLOWED = "ip_not_allowed"  # outside the key's allow-list (8050)
    TOKEN_IP = "token_ip"  # token bound to another address (8010)
    KEY_LIMIT = "key_limit"  # MAX_LIVE_KEYS reached


@dataclass(frozen=True, slots=True)
class Denied:
    reason: DenyReason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """A created customer with its credentials; ``secretkey`` is never available again."""

    customer_id: str
    name: str
    env: str
    appkey: str
    secretkey: str
    account: str
    cash: int


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: int  # epoch µs (simulated time)
    appkey: str
    reused: bool


@dataclass(frozen=True, slots=True)
class Identity:
    """Who holds a valid token."""

    customer_id: str
    appkey: str
    env: str
    accounts: tuple[str, ...]
    token_hash: str
    expires_at: int
    allowed_ips: tuple[str, ...] = ()  # the key's allow-list (empty: anywhere)
    bound_ip: str | None = None  # the address the token is bound to (None: not bound)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """An app key as its holder and the operator see it (never the secret)."""

    appkey: str
    customer_id: str
    env: str
    created_at: int
    revoked_at: int | None
    allowed_ips: tuple[str, ...]
    bind_token_ip: bool


AdmitIp = Callable[[tuple[str, ...], str], bool]


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    customer_id: str
    name: str
    env: str
    status: str
    created_at: int
    accounts: tuple[str, ...]
    appkeys: tuple[str, ...]  # keys not revoked


# --- secrets --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """scrypt cost: ``n`` (CPU/memory, a power of two), ``r`` (block size), ``p``."""

    n: int = 2**14
    r: int = 8
    p: int = 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * 1024 * 1024
    )


def hash_secret(secret: str, params: ScryptParams = ScryptParams()) -> str:
    """``scrypt$N$r$p$<salt>$<hash>`` of ``secret`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret, salt, params.n, params.r, params.p)
    return f"scrypt${params.n}${params.r}${params.p}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches a :func:`hash_secret` string (False for a malformed one)."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
        digest = _scrypt(secret, salt, n, r, p)
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


def token_hash(token: str) -> str:
    """The stored form of an access token: SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def account_number(env: str, n: int) -> str:
    """The 10-digit account number ``n`` of ``env`` (see the module docstring)."""
    if not 0 < n < 10**7:
        raise ValueError(f"account sequence out of range: {n}")
    return f"{_ENV_DIGIT[env]}{n:07d}{_ACCOUNT_SUFFIX}"


# --- the service ----------------------------------------------------------------------------


class IdentityService:
    """Customers, keys, tokens (see the module docstring). Thread-safe; blocking (storage and
    scrypt), so the API runs issue/revoke in a worker thread."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        *,
        wall: Clock | None = None,
        token_ttl_us: int = TOKEN_TTL_US,
        recheck_us: int = 1_000_000,
        reverify_us: int = 300_000_000,
        scrypt: ScryptParams = ScryptParams(),
        max_cached: int = 100_000,
        throttle: ThrottlePolicy = _THROTTLE,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._wall = wall or clock
        self._ttl = token_ttl_us
        self._recheck = recheck_us
        self._reverify = reverify_us
        self._polled: int | None = None  # wall µs of the last read of the change counter
        self._changes = -1  # the change counter as last read
        self._params = scrypt
        self._max_cached = max_cached
        self._throttle = throttle
        self._lock = threading.Lock()
        self._pepper = secrets.token_bytes(32)
        self._dummy_hash = hash_secret(secrets.token_urlsafe(36), scrypt)
        self._verified: dict[str, tuple[str, bytes]] = {}  # appkey → (stored hash, HMAC)
        self._live: dict[str, tuple[IssuedToken, str | None]] = {}  # appkey → token, bound IP
        self._cache: dict[str, tuple[Identity, int]] = {}  # token hash → identity, read at
        # bearer token → its hash, so a busy token is hashed once, not on every call (memory
        # only, like the live tokens this process issues; bounded like the cache)
        self._hashes: dict[str, str] = {}

    # -- customers and keys --

    def create_customer(
        self, name: str, env: str = "mock", cash: int = 0, *, actor: Actor | None = None
    ) -> NewCustomer:
        """Create a customer with one app key, one account and ``cash`` won deposited."""
        if env not in ENVIRONMENTS:
            raise ValueError(f"env must be 'mock' or 'real', not {env!r}")
        if cash < 0:
            raise ValueError("starting cash must not be negative")
        appkey, secretkey = secrets.token_urlsafe(24), secrets.token_urlsafe(36)
        hashed = hash_secret(secretkey, self._params)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            customer_id = f"C{uow.sequences.allocate('customer_id'):08d}"
            account = account_number(env, uow.sequences.allocate("account_no"))
            uow.customers.add(CustomerRecord(customer_id, name, env, ACTIVE, now))
            uow.api_keys.add(ApiKeyRecord(appkey, hashed, customer_id, env, now))
            uow.accounts.add(AccountRecord(account, customer_id, env, now))
            if cash:
                lines = (JournalLine("KRW", "cash", cash), JournalLine("KRW", "bank", -cash))
                uow.journal.post(now, account, INITIAL_DEPOSIT_REF, lines)
            if actor is not None:
                detail = f"customer={customer_id} env={env} account={account} cash={cash}"
                self._record(uow, actor, Action.CUSTOMER_CREATE, OK, appkey, detail)
        self._remember(appkey, secretkey, hashed)
        return NewCustomer(customer_id, name, env, appkey, secretkey, account, cash)

    def add_key(self, customer_id: str, *, actor: Actor | None = None) -> tuple[str, str]:
        """A new ``(appkey, secretkey)`` for an existing customer (KeyError if unknown)."""
        out = self._add_key(customer_id, actor, limit=None)
        assert not isinstance(out, Denied)
        return out

    def new_key(self, customer_id: str, *, actor: Actor) -> tuple[str, str] | Denied:
        """Like :meth:`add_key`, refused (KEY_LIMIT) at :data:`MAX_LIVE_KEYS` live keys."""
        return self._add_key(customer_id, actor, limit=MAX_LIVE_KEYS)

    def _add_key(
        self, customer_id: str, actor: Actor | None, limit: int | None
    ) -> tuple[str, str] | Denied:
        appkey, secretkey = secrets.token_urlsafe(24), secrets.token_urlsafe(36)
        hashed = hash_secret(secretkey, self._params)
        with self._storage.unit_of_work() as uow:
            customer = uow.customers.get(customer_id)
            if customer is None:
                raise KeyError(customer_id)
            if limit is not None:
                live = [k for k in uow.api_keys.by_customer(customer_id) if k.revoked_at is None]
                if len(live) >= limit:
                    detail = f"{len(live)} live keys (at most {limit})"
                    return Denied(DenyReason.KEY_LIMIT, detail)
            now = self._clock.now()
            uow.api_keys.add(ApiKeyRecord(appkey, hashed, customer_id, customer.env, now))
            if actor is not None:
                self._record(uow, actor, Action.KEY_ADD, OK, appkey, f"customer={customer_id}")
        self._remember(appkey, secretkey, hashed)
        return appkey, secretkey

    def revoke_key(self, appkey: str, *, actor: Actor | None = None) -> bool:
        """Revoke an app key and every token issued to it; False if the key does not exist."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            if uow.api_keys.get(appkey) is None:
                return False
            uow.api_keys.revoke(appkey, now)
            count = uow.tokens.revoke_all(appkey, now)
            if actor is not None:
                self._record(uow, actor, Action.KEY_REVOKE, OK, appkey, f"tokens={count}")
        with self._lock:
            self._verified.pop(appkey, None)
            self._forget_tokens(appkey)
        return True

    def rotate_secret(
        self, appkey: str, *, actor: Actor | None = None, revoke_tokens: bool = False
    ) -> str | Denied | None:
        """A new secret for a live key (the old one fails at once); None if the key does not
        exist, KEY_REVOKED if it is revoked. ``revoke_tokens`` also ends the key's tokens."""
        secretkey = secrets.token_urlsafe(36)
        hashed = hash_secret(secretkey, self._params)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            key = uow.api_keys.get(appkey)
            if key is None:
                return None
            if key.revoked_at is not None:
                return Denied(DenyReason.KEY_REVOKED, "폐기된 App Key입니다")
            uow.key_security.set_secret_hash(appkey, hashed)
            count = uow.tokens.revoke_all(appkey, now) if revoke_tokens else 0
            if actor is not None:
                self._record(uow, actor, Action.KEY_ROTATE, OK, appkey, f"tokens revoked={count}")
        with self._lock:
            self._verified[appkey] = (hashed, self._fast(secretkey))
            if revoke_tokens:
                self._forget_tokens(appkey)
        return secretkey

    def set_access(
        self,
        appkey: str,
        allowed_ips: tuple[str, ...],
        bind_token_ip: bool,
        *,
        actor: Actor | None = None,
    ) -> KeyAccessRecord | None:
        """Store a key's access settings (``allowed_ips`` already normalized by
        :func:`hoga.policy.access.normalize_allow_list`); None if the key does not exist.
        Applies at once in this process, within the recheck interval elsewhere."""
        with self._storage.unit_of_work() as uow:
            if uow.api_keys.get(appkey) is None:
                return None
            rec = KeyAccessRecord(appkey, allowed_ips, bind_token_ip, self._clock.now())
            uow.key_security.set_access(rec)
            if actor is not None:
                detail = f"allowed_ips={' '.join(allowed_ips) or '*'} bind_token_ip={bind_token_ip}"
                self._record(uow, actor, Action.KEY_ACCESS, OK, appkey, detail)
        with self._lock:
            self._drop_cached(appkey)
        return rec

    def key(self, appkey: str) -> KeyInfo | None:
        """One key with its access settings."""
        with self._storage.unit_of_work() as uow:
            key = uow.api_keys.get(appkey)
            return None if key is None else _key_info(key, uow.key_security.access(appkey))

    def keys(self, customer_id: str) -> list[KeyInfo]:
        """The customer's keys (revoked ones too), oldest first."""
        with self._storage.unit_of_work() as uow:
            return [
                _key_info(k, uow.key_security.access(k.appkey))
                for k in uow.api_keys.by_customer(customer_id)
            ]

    def customers(self) -> list[CustomerSummary]:
        """Every customer with accounts and live app keys, ordered by id."""
        out = []
        with self._storage.unit_of_work() as uow:
            for c in uow.customers.list():
                accounts = tuple(a.account_no for a in uow.accounts.by_customer(c.id))
                keys = uow.api_keys.by_customer(c.id)
                live = tuple(k.appkey for k in keys if k.revoked_at is None)
                out.append(
                    CustomerSummary(c.id, c.name, c.env, c.status, c.created_at, accounts, live)
                )
        return out

    def demo_credentials(self, cash: int, env: str = "mock") -> dict[str, str]:
        """Banner rows for the demo customer, created once per database.

        Secrets are stored hashed, so on every later call the demo customer gets a fresh app key
        and the previous demo key is revoked (with its tokens): the rows always work.
        """
        with self._storage.unit_of_work() as uow:
            saved = uow.settings.get(DEMO_SETTING)
            known = isinstance(saved, dict) and uow.customers.get(str(saved.get("customer_id")))
        if isinstance(saved, dict) and known:
            customer_id, account = str(saved["customer_id"]), str(saved["account"])
            appkey, secretkey = self.add_key(customer_id)
            self.revoke_key(str(saved["appkey"]))
        else:
            made = self.create_customer("demo", env, cash)
            customer_id, account = made.customer_id, made.account
            appkey, secretkey = made.appkey, made.secretkey
        with self._storage.unit_of_work() as uow:
            value = {"customer_id": customer_id, "account": account, "appkey": appkey}
            uow.settings.put(DEMO_SETTING, dict(value))
        return {"demo app key": appkey, "demo secret key": secretkey, "demo account": account}

    # -- tokens --

    def issue_token(
        self,
        appkey: str,
        secretkey: str,
        env: str,
        client_ip: str = "",
        *,
        admit_ip: AdmitIp | None = None,
    ) -> IssuedToken | Denied:
        """The access token of ``appkey`` (au10001): the live one while valid, else a new one.

        ``admit_ip`` decides the key's allow-list (see the module docstring); with token
        binding on, the token is bound to ``client_ip`` and reused only from there.
        """
        checked = self._credentials(Action.TOKEN_ISSUE, appkey, secretkey, env, client_ip, admit_ip)
        if isinstance(checked, Denied):
            return checked
        bind = client_ip if checked is not None and checked.bind_token_ip else None
        with self._lock, self._storage.unit_of_work() as uow:
            now = self._clock.now()
            live = self._live.get(appkey)
            if live is not None and now < live[0].expires_at and live[1] == bind:
                row = uow.tokens.get(token_hash(live[0].token))
                if row is not None and row.revoked_at is None:
                    return IssuedToken(live[0].token, live[0].expires_at, appkey, reused=True)
            token = secrets.token_urlsafe(64)
            issued = IssuedToken(token, now + self._ttl, appkey, reused=False)
            uow.tokens.delete_expired(now - _KEEP_EXPIRED_US)
            uow.key_security.delete_bindings(now - _KEEP_EXPIRED_US)
            uow.tokens.add(TokenRecord(token_hash(token), appkey, now, issued.expires_at))
            if bind is not None:
                uow.key_security.bind_token(token_hash(token), bind, issued.expires_at)
            self._live[appkey] = (issued, bind)
        return issued

    def authenticate(
        self,
        token: str,
        env: str,
        client_ip: str = "",
        *,
        wall: int | None = None,
        now: int | None = None,
    ) -> Identity | Denied:
        """The identity behind ``token`` in ``env``, or why not (see the module docstring).
        Address checks on the identity's ``allowed_ips`` / ``bound_ip`` are the caller's.
        ``wall`` / ``now``: the caller's readings of the wall clock and simulated time."""
        h = self._hashes.get(token)
        if h is None:
            h = token_hash(token)
            if len(self._hashes) >= self._max_cached:
                self._hashes.clear()
            self._hashes[token] = h
        if wall is None:
            wall = self._wall.now()
        if self._polled is None or wall - self._polled > self._recheck:
            self._poll(wall)
        if now is None:
            now = self._clock.now()
        cached = self._cache.get(h)
        if cached is not None and wall - cached[1] <= self._reverify:
            who: Identity | Denied = cached[0]
        else:
            with self._storage.unit_of_work(read_only=True) as uow:  # never waits on writers
                who = _load_identity(uow, h, now)
            with self._lock:
                if isinstance(who, Identity):
                    if len(self._cache) >= self._max_cached:
                        self._cache.pop(next(iter(self._cache)))
                    self._cache[h] = (who, wall)
                else:
                    self._cache.pop(h, None)
        if isinstance(who, Denied):
            return who
        if now >= who.expires_at:
            with self._lock:
                self._cache.pop(h, None)
            return Denied(DenyReason.TOKEN_INVALID)
        if who.env != env:
            return Denied(DenyReason.TOKEN_ENV)
        return who

    def _poll(self, wall: int) -> None:
        """Read the change counter; forget every cached identity when it moved."""
        with self._storage.unit_of_work(read_only=True) as uow:
            changes = uow.sequences.current(CHANGES)
        with self._lock:
            if changes != self._changes:
                self._cache.clear()
                self._changes = changes
            self._polled = wall

    def revoke_token(
        self,
        appkey: str,
        secretkey: str,
        token: str,
        env: str,
        client_ip: str = "",
        *,
        admit_ip: AdmitIp | None = None,
    ) -> Denied | None:
        """Revoke ``token`` of ``appkey`` (au10002) at once; revoking twice is not an error."""
        checked = self._credentials(
            Action.TOKEN_REVOKE, appkey, secretkey, env, client_ip, admit_ip, need_live=False
        )
        if isinstance(checked, Denied):
            return checked
        h = token_hash(token)
        with self._lock, self._storage.unit_of_work() as uow:
            row = uow.tokens.get(h)
            if row is None or row.appkey != appkey:
                return Denied(DenyReason.TOKEN_UNKNOWN)
            uow.tokens.revoke(h, self._clock.now())
            self._cache.pop(h, None)
            live = self._live.get(appkey)
            if live is not None and token_hash(live[0].token) == h:
                del self._live[appkey]
        return None

    def record_refusal(
        self, action: Action, appkey: str, client_ip: str, detail: str, customer_id: str = ""
    ) -> None:
        """Record a refusal decided outside this service (a token used from a wrong address,
        a dead token). Tokens are never written down; ``detail`` says why."""
        actor = (
            Actor.customer(customer_id, client_ip) if customer_id else Actor.anonymous(client_ip)
        )
        with self._storage.unit_of_work() as uow:
            self._record(uow, actor, action, REFUSED, appkey, detail)

    # -- internals --

    def _credentials(
        self,
        action: Action,
        appkey: str,
        secretkey: str,
        env: str,
        client_ip: str,
        admit_ip: AdmitIp | None,
        *,
        need_live: bool = True,
    ) -> KeyAccessRecord | Denied | None:
        """Throttle → known key → allow-list → secret → key state; failures are recorded and
        counted. Returns the key's access settings (None: none stored)."""
        wall = self._wall.now()
        ip_scope, key_scope_ = address_scope(client_ip), key_scope(appkey)
        with self._storage.unit_of_work() as uow:
            key = uow.api_keys.get(appkey)
            customer = None if key is None else uow.customers.get(key.customer_id)
            access = None if key is None else uow.key_security.access(appkey)
            states = [uow.key_security.throttle(ip_scope)]
            if key is not None:
                states.append(uow.key_security.throttle(key_scope_))
        locked = max(self._throttle.locked_for(s, wall) for s in states)
        if locked:
            seconds = -(-locked // 1_000_000)
            self._fail(action, appkey, client_ip, f"locked for {seconds}s", ())
            reason = f"인증 실패가 반복되어 {seconds}초 후에 다시 시도하십시오"
            return Denied(DenyReason.THROTTLED, reason)
        if key is None or customer is None:
            verify_secret(secretkey, self._dummy_hash)  # same cost as a wrong secret
            self._fail(action, appkey, client_ip, "unknown app key", (ip_scope,))
            return Denied(DenyReason.BAD_CREDENTIALS)
        allowed = access.allowed_ips if access is not None else ()
        if allowed and (admit_ip is None or not admit_ip(allowed, client_ip)):
            self._fail(action, appkey, client_ip, "address not allowed", (ip_scope,))
            return Denied(DenyReason.IP_NOT_ALLOWED)
        if not self._check_secret(key, secretkey):
            self._fail(action, appkey, client_ip, "wrong secret", (ip_scope, key_scope_))
            return Denied(DenyReason.BAD_CREDENTIALS)
        if states[-1] is not None:  # a correct secret clears the key's count
            with self._storage.unit_of_work() as uow:
                uow.key_security.clear_throttle(key_scope_)
        refused = _key_refusal(key, customer, env) if need_live else _env_refusal(key, env)
        if refused is not None:
            detail = refused.detail or str(refused.reason)
            self._fail(action, appkey, client_ip, detail, (), customer.id)
            return refused
        return access

    def _fail(
        self,
        action: Action,
        appkey: str,
        client_ip: str,
        detail: str,
        scopes: tuple[str, ...],
        customer_id: str = "",
    ) -> None:
        wall = self._wall.now()
        actor = (
            Actor.customer(customer_id, client_ip) if customer_id else Actor.anonymous(client_ip)
        )
        with self._storage.unit_of_work() as uow:
            for scope in scopes:
                state = self._throttle.after_failure(scope, uow.key_security.throttle(scope), wall)
                uow.key_security.put_throttle(state)
                if state.locked_until > wall and state.failures == 0:
                    detail += f"; {scope} locked until {state.locked_until}"
            self._record(uow, actor, action, REFUSED, appkey, detail)

    def _record(
        self, uow: UnitOfWork, actor: Actor, action: Action, outcome: str, appkey: str, detail: str
    ) -> None:
        record(uow, self._wall.now(), actor, action, outcome, appkey=appkey, detail=detail)

    def _forget_tokens(self, appkey: str) -> None:
        """Forget the key's live token and cached identities (hold the lock)."""
        self._live.pop(appkey, None)
        self._drop_cached(appkey)

    def _drop_cached(self, appkey: str) -> None:
        for h in [h for h, c in self._cache.items() if c[0].appkey == appkey]:
            del self._cache[h]

    def _fast(self, secret: str) -> bytes:
        return hmac.new(self._pepper, secret.encode(), hashlib.sha256).digest()

    def _remember(self, appkey: str, secret: str, stored: str) -> None:
        with self._lock:
            self._verified[appkey] = (stored, self._fast(secret))

    def _check_secret(self, key: ApiKeyRecord, secret: str) -> bool:
        known = self._verified.get(key.appkey)
        if (
            known is not None
            and hmac.compare_digest(known[0], key.secret_hash)
            and hmac.compare_digest(known[1], self._fast(secret))
        ):
            return True
        if not verify_secret(secret, key.secret_hash):
            return False
        self._remember(key.appkey, secret, key.secret_hash)
        return True


def _key_info(key: ApiKeyRecord, access: KeyAccessRecord | None) -> KeyInfo:
    allowed = access.allowed_ips if access is not None else ()
    bind = access.bind_token_ip if access is not None else False
    return KeyInfo(
        key.appkey, key.customer_id, key.env, key.created_at, key.revoked_at, allowed, bind
    )


def _env_refusal(key: ApiKeyRecord, env: str) -> Denied | None:
    return Denied(DenyReason.KEY_ENV) if key.env != env else None


def _key_refusal(key: ApiKeyRecord, customer: CustomerRecord, env: str) -> Denied | None:
    if key.env != env:
        return Denied(DenyReason.KEY_ENV)
    if key.revoked_at is not None:
        return Denied(DenyReason.KEY_REVOKED, "폐기된 App Key입니다")
    if customer.status != ACTIVE:
        return Denied(DenyReason.CUSTOMER_INACTIVE, f"이용이 제한된 고객입니다({customer.status})")
    return None


def _load_identity(uow: UnitOfWork, h: str, now: int) -> Identity | Denied:
    row = uow.tokens.get(h)
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return Denied(DenyReason.TOKEN_INVALID)
    key = uow.api_keys.get(row.appkey)
    customer = None if key is None else uow.customers.get(key.customer_id)
    if key is None or customer is None or key.revoked_at is not None:
        return Denied(DenyReason.TOKEN_INVALID)
    if customer.status != ACTIVE:
        return Denied(DenyReason.CUSTOMER_INACTIVE, f"이용이 제한된 고객입니다({customer.status})")
    accounts = tuple(
        a.account_no for a in uow.accounts.by_customer(customer.id) if a.env == key.env
    )
    access = uow.key_security.access(key.appkey)
    allowed = access.allowed_ips if access is not None else ()
    bound = uow.key_security.token_ip(h) if access is not None and access.bind_token_ip else None
    return Identity(customer.id, key.appkey, key.env, accounts, h, row.expires_at, allowed, bound)
