"""Key management, access settings, brute-force throttle and security records of the identity
service (hoga.engine.identity) over real SQLite storage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import hoga.engine.identity as identity_mod
from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.engine.identity import (
    MAX_LIVE_KEYS,
    Denied,
    DenyReason,
    Identity,
    IdentityService,
    IssuedToken,
    ScryptParams,
)
from hoga.engine.security_log import Actor, ThrottlePolicy
from hoga.policy.access import ip_allowed
from hoga.ports.storage import SecurityRecord, Storage

T0 = 1_795_000_000_000_000
SECOND = 1_000_000
MINUTE = 60 * SECOND
FAST = ScryptParams(n=2**10, r=8, p=1)
IP = "203.0.113.7"


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    s = open_storage(f"sqlite:///{tmp_path / 'keys.db'}")
    yield s
    s.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def wall() -> ManualClock:
    return ManualClock(10 * SECOND)


@pytest.fixture
def svc(storage: Storage, clock: ManualClock, wall: ManualClock) -> IdentityService:
    return IdentityService(storage, clock, wall=wall, scrypt=FAST)


@pytest.fixture
def scrypt_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts scrypt verifications (each call of the module's scrypt)."""
    runs: list[int] = []
    real = identity_mod._scrypt

    def counting(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        runs.append(1)
        return real(secret, salt, n, r, p)

    monkeypatch.setattr(identity_mod, "_scrypt", counting)
    return runs


def issued(x: IssuedToken | Denied) -> IssuedToken:
    assert isinstance(x, IssuedToken), x
    return x


def who(x: Identity | Denied) -> Identity:
    assert isinstance(x, Identity), x
    return x


def records(storage: Storage, **kw: str) -> list[SecurityRecord]:
    with storage.unit_of_work() as uow:
        return uow.security_log.read(**kw)  # type: ignore[arg-type]


OP = Actor.operator("root")


def test_two_keys_both_work_then_rotate_and_revoke(svc: IdentityService, storage: Storage) -> None:
    made = svc.create_customer("kim", "mock", 0, actor=OP)
    k2, s2 = svc.add_key(made.customer_id, actor=Actor.customer(made.customer_id, IP))
    t1 = issued(svc.issue_token(made.appkey, made.secretkey, "mock", IP))
    t2 = issued(svc.issue_token(k2, s2, "mock", IP))
    assert t1.token != t2.token
    assert who(svc.authenticate(t1.token, "mock")).customer_id == made.customer_id
    assert who(svc.authenticate(t2.token, "mock")).appkey == k2
    assert {k.appkey for k in svc.keys(made.customer_id)} == {made.appkey, k2}

    new_secret = svc.rotate_secret(k2, actor=OP)
    assert isinstance(new_secret, str) and new_secret != s2
    assert svc.issue_token(k2, s2, "mock", IP) == Denied(DenyReason.BAD_CREDENTIALS)
    assert issued(svc.issue_token(k2, new_secret, "mock", IP)).token == t2.token  # tokens live on
    assert who(svc.authenticate(t2.token, "mock")).appkey == k2

    assert svc.revoke_key(k2, actor=OP) is True
    assert svc.authenticate(t2.token, "mock") == Denied(DenyReason.TOKEN_INVALID)  # at once
    assert who(svc.authenticate(t1.token, "mock")).appkey == made.appkey  # the other key lives
    assert svc.rotate_secret(k2) == Denied(DenyReason.KEY_REVOKED, "폐기된 App Key입니다")
    assert svc.rotate_secret("nope") is None

    actions = [(r.actor_kind, r.action, r.outcome) for r in records(storage)]
    assert actions == [
        ("operator", "customer.create", "ok"),
        ("customer", "key.add", "ok"),
        ("operator", "key.rotate", "ok"),
        ("anonymous", "token.issue", "refused"),  # the old secret
        ("operator", "key.revoke", "ok"),
    ]
    refused = records(storage)[3]
    assert (refused.appkey, refused.client_ip, refused.detail) == (k2, IP, "wrong secret")
    assert made.secretkey not in repr(records(storage)) and new_secret not in repr(records(storage))


def test_rotation_with_revoke_tokens_ends_them_at_once(svc: IdentityService) -> None:
    made = svc.create_customer("kim")
    token = issued(svc.issue_token(made.appkey, made.secretkey, "mock")).token
    who(svc.authenticate(token, "mock"))
    secret = svc.rotate_secret(made.appkey, revoke_tokens=True)
    assert isinstance(secret, str)
    assert svc.authenticate(token, "mock") == Denied(DenyReason.TOKEN_INVALID)
    fresh = issued(svc.issue_token(made.appkey, secret, "mock"))
    assert fresh.token != token and not fresh.reused


def test_rotation_in_another_process_stops_the_old_secret_here(
    svc: IdentityService, storage: Storage, clock: ManualClock, scrypt_runs: list[int]
) -> None:
    made = svc.create_customer("kim")
    issued(svc.issue_token(made.appkey, made.secretkey, "mock"))
    before = len(scrypt_runs)
    issued(svc.issue_token(made.appkey, made.secretkey, "mock"))
    assert len(scrypt_runs) == before  # remembered: no scrypt run
    other = IdentityService(storage, clock, scrypt=FAST)  # e.g. `hoga admin key rotate`
    secret = other.rotate_secret(made.appkey)
    assert isinstance(secret, str)
    assert svc.issue_token(made.appkey, made.secretkey, "mock") == Denied(
        DenyReason.BAD_CREDENTIALS
    )
    issued(svc.issue_token(made.appkey, secret, "mock"))


def test_live_key_limit(svc: IdentityService) -> None:
    made = svc.create_customer("kim")
    for _ in range(MAX_LIVE_KEYS - 1):
        assert not isinstance(svc.new_key(made.customer_id, actor=OP), Denied)
    refused = svc.new_key(made.customer_id, actor=OP)
    assert isinstance(refused, Denied) and refused.reason is DenyReason.KEY_LIMIT
    svc.revoke_key(made.appkey)
    assert not isinstance(svc.new_key(made.customer_id, actor=OP), Denied)
    with pytest.raises(KeyError):
        svc.new_key("C99999999", actor=OP)


def test_allow_list_is_checked_before_the_secret(
    svc: IdentityService, storage: Storage, scrypt_runs: list[int]
) -> None:
    made = svc.create_customer("kim")
    info = svc.set_access(made.appkey, ("198.51.100.0/24", "2001:db8::/48"), False, actor=OP)
    assert info is not None and info.allowed_ips == ("198.51.100.0/24", "2001:db8::/48")
    assert svc.set_access("nope", (), False) is None
    before = len(scrypt_runs)
    out = svc.issue_token(made.appkey, "wrong", "mock", IP, admit_ip=ip_allowed)
    assert out == Denied(DenyReason.IP_NOT_ALLOWED)
    assert len(scrypt_runs) == before  # no scrypt for a stranger
    # without a decider a fenced key admits nobody
    no_decider = svc.issue_token(made.appkey, made.secretkey, "mock", "198.51.100.1")
    assert no_decider == Denied(DenyReason.IP_NOT_ALLOWED)
    for ip in ("198.51.100.1", "2001:db8::5"):
        issued(svc.issue_token(made.appkey, made.secretkey, "mock", ip, admit_ip=ip_allowed))
    key = svc.key(made.appkey)
    assert key is not None and key.allowed_ips == ("198.51.100.0/24", "2001:db8::/48")
    last = records(storage, appkey=made.appkey)[-2:]
    assert [(r.action, r.detail, r.client_ip) for r in last] == [
        ("token.issue", "address not allowed", IP),
        ("token.issue", "address not allowed", "198.51.100.1"),
    ]


def test_identity_carries_access_settings_and_bound_ip(svc: IdentityService) -> None:
    made = svc.create_customer("kim")
    early = issued(svc.issue_token(made.appkey, made.secretkey, "mock", IP)).token
    svc.set_access(made.appkey, ("203.0.113.0/24",), True)
    me = who(svc.authenticate(early, "mock"))  # the cache was dropped: settings apply at once
    assert me.allowed_ips == ("203.0.113.0/24",) and me.bound_ip is None  # issued unbound
    bound = issued(svc.issue_token(made.appkey, made.secretkey, "mock", IP, admit_ip=ip_allowed))
    assert bound.token != early  # the unbound live token is not reused once binding is on
    assert who(svc.authenticate(bound.token, "mock")).bound_ip == IP
    again = svc.issue_token(made.appkey, made.secretkey, "mock", IP, admit_ip=ip_allowed)
    assert issued(again).token == bound.token and issued(again).reused
    elsewhere = svc.issue_token(
        made.appkey, made.secretkey, "mock", "203.0.113.8", admit_ip=ip_allowed
    )
    assert issued(elsewhere).token != bound.token
    assert who(svc.authenticate(elsewhere.token, "mock")).bound_ip == "203.0.113.8"  # type: ignore[union-attr]
    svc.set_access(made.appkey, (), False)  # binding off: every token is released
    assert who(svc.authenticate(bound.token, "mock")).bound_ip is None


def test_brute_force_locks_without_scrypt_and_records(
    storage: Storage, clock: ManualClock, wall: ManualClock, scrypt_runs: list[int]
) -> None:
    policy = ThrottlePolicy(max_failures=3, window_us=10 * MINUTE, base_lock_us=MINUTE)
    svc = IdentityService(storage, clock, wall=wall, scrypt=FAST, throttle=policy)
    made = svc.create_customer("kim")
    attacker = "192.0.2.66"
    for _ in range(3):
        assert svc.issue_token(made.appkey, "guess", "mock", attacker) == Denied(
            DenyReason.BAD_CREDENTIALS
        )
    runs = len(scrypt_runs)
    for _ in range(5):  # locked: refused without checking, even the right secret
        out = svc.issue_token(made.appkey, made.secretkey, "mock", "198.51.100.1")
        assert isinstance(out, Denied) and out.reason is DenyReason.THROTTLED
        assert "60초" in out.detail
    assert len(scrypt_runs) == runs
    wall.advance(MINUTE)
    issued(svc.issue_token(made.appkey, made.secretkey, "mock", "198.51.100.1"))
    # the attacker's address is still counted: its next failures lock it for longer
    for _ in range(2):
        svc.issue_token(made.appkey, "guess", "mock", attacker)
    third = svc.issue_token("unknown-key", "guess", "mock", attacker)  # unknown keys count too
    assert third == Denied(DenyReason.BAD_CREDENTIALS)
    locked = svc.issue_token(made.appkey, "guess", "mock", attacker)
    assert isinstance(locked, Denied) and "120초" in locked.detail  # doubled
    rows = records(storage)
    assert [r.detail.split(";")[0] for r in rows] == [
        "wrong secret",
        "wrong secret",
        "wrong secret",
        *["locked for 60s"] * 5,
        "wrong secret",
        "wrong secret",
        "unknown app key",
        "locked for 120s",
    ]
    assert "appkey:" in rows[2].detail and "ip:192.0.2.66" in rows[2].detail  # lockouts noted
    assert all(r.outcome == "refused" and r.actor_kind == "anonymous" for r in rows)
    assert {r.client_ip for r in rows[3:8]} == {"198.51.100.1"}


def test_a_correct_secret_clears_the_key_count_not_the_address(
    storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    policy = ThrottlePolicy(max_failures=3)
    svc = IdentityService(storage, clock, wall=wall, scrypt=FAST, throttle=policy)
    made = svc.create_customer("kim")
    for _ in range(2):
        svc.issue_token(made.appkey, "guess", "mock", IP)
    issued(svc.issue_token(made.appkey, made.secretkey, "mock", "198.51.100.1"))
    with storage.unit_of_work() as uow:
        assert uow.key_security.throttle(f"appkey:{made.appkey}") is None
        state = uow.key_security.throttle(f"ip:{IP}")
    assert state is not None and state.failures == 2


def test_revoke_token_refusals_are_recorded_and_throttled(
    svc: IdentityService, storage: Storage
) -> None:
    made = svc.create_customer("kim")
    token = issued(svc.issue_token(made.appkey, made.secretkey, "mock", IP)).token
    assert svc.revoke_token(made.appkey, "bad", token, "mock", IP) == Denied(
        DenyReason.BAD_CREDENTIALS
    )
    assert svc.revoke_token(made.appkey, made.secretkey, token, "real", IP) == Denied(
        DenyReason.KEY_ENV
    )
    assert svc.revoke_token(made.appkey, made.secretkey, token, "mock", IP) is None
    rows = records(storage)
    assert [(r.action, r.detail) for r in rows] == [
        ("token.revoke", "wrong secret"),
        ("token.revoke", "key_env"),
    ]
    assert rows[1].actor_kind == "customer" and rows[1].actor_id == made.customer_id


def test_record_refusal(svc: IdentityService, storage: Storage) -> None:
    svc.record_refusal(identity_mod.Action.TOKEN_USE, "", IP, "token_invalid")
    svc.record_refusal(identity_mod.Action.TOKEN_USE, "k", IP, "moved", "C00000001")
    rows = records(storage)
    assert [(r.actor_kind, r.actor_id, r.appkey, r.detail) for r in rows] == [
        ("anonymous", "", "", "token_invalid"),
        ("customer", "C00000001", "k", "moved"),
    ]
