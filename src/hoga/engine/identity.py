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
- **Verification cache**: token hash → identity. Entries are re-checked against storage after
  ``recheck_us`` of *wall* time (1 s), so a revocation or suspension made by another process
  (``hoga admin key revoke``, the policy layer) takes effect within that bound; revocations made
  through this service take effect at once. Expiry is checked on every call.

Expected refusals are :class:`Denied` values; the API layer maps their reasons to Kiwoom codes.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from hoga.ports.clock import Clock
from hoga.ports.storage import (
    AccountRecord,
    ApiKeyRecord,
    CustomerRecord,
    JournalLine,
    Storage,
    TokenRecord,
    UnitOfWork,
)

__all__ = [
    "ACTIVE",
    "DEMO_SETTING",
    "ENVIRONMENTS",
    "INITIAL_DEPOSIT_REF",
    "TOKEN_TTL_US",
    "CustomerSummary",
    "Denied",
    "DenyReason",
    "Identity",
    "IdentityService",
    "IssuedToken",
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
_KEEP_EXPIRED_US = 7 * 24 * 3_600 * 1_000_000
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


@dataclass(frozen=True, slots=True)
class _Cached:
    identity: Identity
    checked_at: int  # wall µs


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
        scrypt: ScryptParams = ScryptParams(),
        max_cached: int = 100_000,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._wall = wall or clock
        self._ttl = token_ttl_us
        self._recheck = recheck_us
        self._params = scrypt
        self._max_cached = max_cached
        self._lock = threading.Lock()
        self._pepper = secrets.token_bytes(32)
        self._dummy_hash = hash_secret(secrets.token_urlsafe(36), scrypt)
        self._verified: dict[str, bytes] = {}  # appkey → HMAC(pepper, secret)
        self._live: dict[str, IssuedToken] = {}  # appkey → its current token
        self._cache: dict[str, _Cached] = {}  # token hash → identity

    # -- customers and keys --

    def create_customer(self, name: str, env: str = "mock", cash: int = 0) -> NewCustomer:
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
        self._remember(appkey, secretkey)
        return NewCustomer(customer_id, name, env, appkey, secretkey, account, cash)

    def add_key(self, customer_id: str) -> tuple[str, str]:
        """A new ``(appkey, secretkey)`` for an existing customer (KeyError if unknown)."""
        appkey, secretkey = secrets.token_urlsafe(24), secrets.token_urlsafe(36)
        hashed = hash_secret(secretkey, self._params)
        with self._storage.unit_of_work() as uow:
            customer = uow.customers.get(customer_id)
            if customer is None:
                raise KeyError(customer_id)
            now = self._clock.now()
            uow.api_keys.add(ApiKeyRecord(appkey, hashed, customer_id, customer.env, now))
        self._remember(appkey, secretkey)
        return appkey, secretkey

    def revoke_key(self, appkey: str) -> bool:
        """Revoke an app key and every token issued to it; False if the key does not exist."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            if uow.api_keys.get(appkey) is None:
                return False
            uow.api_keys.revoke(appkey, now)
            uow.tokens.revoke_all(appkey, now)
        with self._lock:
            self._verified.pop(appkey, None)
            self._live.pop(appkey, None)
            for h in [h for h, c in self._cache.items() if c.identity.appkey == appkey]:
                del self._cache[h]
        return True

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
        self, appkey: str, secretkey: str, env: str, client_ip: str = ""
    ) -> IssuedToken | Denied:
        """The access token of ``appkey`` (au10001): the live one while valid, else a new one.

        ``client_ip`` is accepted for IP binding (8010), which hoga does not enforce yet.
        """
        with self._storage.unit_of_work() as uow:
            key = uow.api_keys.get(appkey)
            customer = None if key is None else uow.customers.get(key.customer_id)
        if key is None or customer is None:
            verify_secret(secretkey, self._dummy_hash)  # same cost as a wrong secret
            return Denied(DenyReason.BAD_CREDENTIALS)
        if not self._check_secret(key, secretkey):
            return Denied(DenyReason.BAD_CREDENTIALS)
        refused = _key_refusal(key, customer, env)
        if refused is not None:
            return refused
        with self._lock, self._storage.unit_of_work() as uow:
            now = self._clock.now()
            live = self._live.get(appkey)
            if live is not None and now < live.expires_at:
                row = uow.tokens.get(token_hash(live.token))
                if row is not None and row.revoked_at is None:
                    return IssuedToken(live.token, live.expires_at, appkey, reused=True)
            token = secrets.token_urlsafe(64)
            issued = IssuedToken(token, now + self._ttl, appkey, reused=False)
            uow.tokens.delete_expired(now - _KEEP_EXPIRED_US)
            uow.tokens.add(TokenRecord(token_hash(token), appkey, now, issued.expires_at))
            self._live[appkey] = issued
        return issued

    def authenticate(self, token: str, env: str, client_ip: str = "") -> Identity | Denied:
        """The identity behind ``token`` in ``env``, or why not (see the module docstring)."""
        h = token_hash(token)
        now, wall = self._clock.now(), self._wall.now()
        cached = self._cache.get(h)
        if cached is not None and wall - cached.checked_at <= self._recheck:
            who: Identity | Denied = cached.identity
        else:
            with self._storage.unit_of_work() as uow:
                who = _load_identity(uow, h, now)
            with self._lock:
                if isinstance(who, Identity):
                    if len(self._cache) >= self._max_cached:
                        self._cache.pop(next(iter(self._cache)))
                    self._cache[h] = _Cached(who, wall)
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

    def revoke_token(self, appkey: str, secretkey: str, token: str, env: str) -> Denied | None:
        """Revoke ``token`` of ``appkey`` (au10002) at once; revoking twice is not an error."""
        with self._storage.unit_of_work() as uow:
            key = uow.api_keys.get(appkey)
            customer = None if key is None else uow.customers.get(key.customer_id)
        if key is None or customer is None:
            verify_secret(secretkey, self._dummy_hash)
            return Denied(DenyReason.BAD_CREDENTIALS)
        if not self._check_secret(key, secretkey):
            return Denied(DenyReason.BAD_CREDENTIALS)
        if key.env != env:
            return Denied(DenyReason.KEY_ENV)
        h = token_hash(token)
        with self._lock, self._storage.unit_of_work() as uow:
            row = uow.tokens.get(h)
            if row is None or row.appkey != appkey:
                return Denied(DenyReason.TOKEN_UNKNOWN)
            uow.tokens.revoke(h, self._clock.now())
            self._cache.pop(h, None)
            live = self._live.get(appkey)
            if live is not None and token_hash(live.token) == h:
                del self._live[appkey]
        return None

    # -- internals --

    def _fast(self, secret: str) -> bytes:
        return hmac.new(self._pepper, secret.encode(), hashlib.sha256).digest()

    def _remember(self, appkey: str, secret: str) -> None:
        with self._lock:
            self._verified[appkey] = self._fast(secret)

    def _check_secret(self, key: ApiKeyRecord, secret: str) -> bool:
        known = self._verified.get(key.appkey)
        if known is not None and hmac.compare_digest(known, self._fast(secret)):
            return True
        if not verify_secret(secret, key.secret_hash):
            return False
        self._remember(key.appkey, secret)
        return True


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
    return Identity(customer.id, key.appkey, key.env, accounts, h, row.expires_at)
