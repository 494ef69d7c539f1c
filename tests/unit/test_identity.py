"""IdentityService over real SQLite storage: customers, secrets, tokens, caches, demo key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.engine.identity import (
    DEMO_SETTING,
    INITIAL_DEPOSIT_REF,
    TOKEN_TTL_US,
    Denied,
    DenyReason,
    Identity,
    IdentityService,
    IssuedToken,
    ScryptParams,
    account_number,
    hash_secret,
    token_hash,
    verify_secret,
)
from hoga.ports.storage import JournalLine, Storage

T0 = 1_795_000_000_000_000
SECOND = 1_000_000
FAST = ScryptParams(n=2**10, r=8, p=1)  # cheap scrypt for tests that make many keys


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    s = open_storage(f"sqlite:///{tmp_path / 'id.db'}")
    yield s
    s.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def wall() -> ManualClock:
    return ManualClock(0)


@pytest.fixture
def svc(storage: Storage, clock: ManualClock, wall: ManualClock) -> IdentityService:
    return IdentityService(storage, clock, wall=wall, scrypt=FAST)


def issued(x: IssuedToken | Denied) -> IssuedToken:
    assert isinstance(x, IssuedToken), x
    return x


def who(x: Identity | Denied) -> Identity:
    assert isinstance(x, Identity), x
    return x


# --- secrets --------------------------------------------------------------------------------


def test_secret_hash_round_trip_and_format() -> None:
    stored = hash_secret("s3cret", FAST)
    assert re.fullmatch(r"scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}", stored)
    assert verify_secret("s3cret", stored)
    assert not verify_secret("s3cret ", stored)
    assert hash_secret("s3cret", FAST) != stored  # fresh salt each time
    assert verify_secret("x", hash_secret("x"))  # default parameters read back from the string
    assert hash_secret("x").startswith("scrypt$16384$8$1$")


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$n$8$1$AAAA$AAAA", "scrypt$1000$8$1$AAAA$AAAA"],
)
def test_malformed_hash_never_verifies(stored: str) -> None:
    assert not verify_secret("anything", stored)


def test_account_numbers_and_token_hash() -> None:
    assert account_number("mock", 1) == "8000000111"
    assert account_number("real", 9_999_999) == "5999999911"
    for bad in (0, 10**7):
        with pytest.raises(ValueError):
            account_number("mock", bad)
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --- customers ------------------------------------------------------------------------------


def test_create_customer_records_key_account_and_deposit(
    svc: IdentityService, storage: Storage
) -> None:
    made = svc.create_customer("kim", "mock", 50_000_000)
    assert made.customer_id == "C00000001" and made.account == "8000000111"
    assert len(made.appkey) >= 20 and len(made.secretkey) >= 40
    assert re.fullmatch(r"[A-Za-z0-9_-]+", made.appkey + made.secretkey)
    with storage.unit_of_work() as uow:
        customer = uow.customers.get(made.customer_id)
        key = uow.api_keys.get(made.appkey)
        (entry,) = uow.journal.entries(made.account)
        assert uow.journal.balance(made.account, "KRW", "cash") == 50_000_000
        assert uow.journal.balance(made.account, "KRW", "bank") == -50_000_000
        account = uow.accounts.get(made.account)
    assert customer is not None and (customer.name, customer.env, customer.status) == (
        "kim",
        "mock",
        "active",
    )
    assert key is not None and key.secret_hash.startswith("scrypt$1024$")
    assert made.secretkey not in key.secret_hash
    assert verify_secret(made.secretkey, key.secret_hash)
    assert entry.ref == INITIAL_DEPOSIT_REF and entry.at == T0
    assert entry.lines == (
        JournalLine("KRW", "cash", 50_000_000),
        JournalLine("KRW", "bank", -50_000_000),
    )
    assert account is not None and account.customer_id == made.customer_id
    second = svc.create_customer("lee", "real", 0)
    assert second.customer_id == "C00000002" and second.account == "5000000211"
    assert second.appkey != made.appkey and second.secretkey != made.secretkey
    with storage.unit_of_work() as uow:
        assert uow.journal.entries(second.account) == []


def test_create_customer_refuses_bad_input(svc: IdentityService) -> None:
    with pytest.raises(ValueError):
        svc.create_customer("x", "paper", 0)
    with pytest.raises(ValueError):
        svc.create_customer("x", "mock", -1)


def test_customers_lists_live_keys(svc: IdentityService) -> None:
    a = svc.create_customer("a", "mock", 0)
    b = svc.create_customer("b", "real", 0)
    extra, _ = svc.add_key(a.customer_id)
    assert svc.revoke_key(a.appkey)
    assert not svc.revoke_key("nope")
    rows = svc.customers()
    assert [(r.customer_id, r.name, r.env, r.status) for r in rows] == [
        (a.customer_id, "a", "mock", "active"),
        (b.customer_id, "b", "real", "active"),
    ]
    assert rows[0].appkeys == (extra,) and rows[0].accounts == (a.account,)
    assert rows[1].appkeys == (b.appkey,)
    with pytest.raises(KeyError):
        svc.add_key("C99999999")


# --- tokens ---------------------------------------------------------------------------------


def test_token_reuse_expiry_and_purge(
    svc: IdentityService, storage: Storage, clock: ManualClock
) -> None:
    c = svc.create_customer("a", "mock", 0)
    t1 = issued(svc.issue_token(c.appkey, c.secretkey, "mock"))
    assert not t1.reused and t1.expires_at == T0 + TOKEN_TTL_US and len(t1.token) == 86
    clock.advance(TOKEN_TTL_US - 1)
    t2 = issued(svc.issue_token(c.appkey, c.secretkey, "mock"))
    assert t2.reused and (t2.token, t2.expires_at) == (t1.token, t1.expires_at)
    assert who(svc.authenticate(t1.token, "mock")).expires_at == t1.expires_at
    clock.advance(1)
    assert svc.authenticate(t1.token, "mock") == Denied(DenyReason.TOKEN_INVALID)
    t3 = issued(svc.issue_token(c.appkey, c.secretkey, "mock"))
    assert not t3.reused and t3.token != t1.token
    clock.advance(8 * TOKEN_TTL_US)  # t1 is now more than a week past expiry
    issued(svc.issue_token(c.appkey, c.secretkey, "mock"))
    with storage.unit_of_work() as uow:
        assert uow.tokens.get(token_hash(t1.token)) is None
        assert uow.tokens.get(token_hash(t3.token)) is not None


def test_a_restarted_service_issues_a_new_token_and_honours_the_old(
    svc: IdentityService, storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    c = svc.create_customer("a", "mock", 0)
    old = issued(svc.issue_token(c.appkey, c.secretkey, "mock"))
    restarted = IdentityService(storage, clock, wall=wall, scrypt=FAST)
    new = issued(restarted.issue_token(c.appkey, c.secretkey, "mock"))
    assert new.token != old.token and not new.reused
    for token in (old.token, new.token):
        assert who(restarted.authenticate(token, "mock")).accounts == (c.account,)


def test_credential_refusals(svc: IdentityService, storage: Storage, wall: ManualClock) -> None:
    c = svc.create_customer("a", "mock", 0)
    bad = Denied(DenyReason.BAD_CREDENTIALS)
    assert svc.issue_token("unknown", c.secretkey, "mock") == bad
    assert svc.issue_token(c.appkey, "wrong", "mock") == bad
    t = issued(svc.issue_token(c.appkey, c.secretkey, "mock"))  # verified once (fast path now)
    assert svc.issue_token(c.appkey, c.secretkey + "x", "mock") == bad
    assert svc.issue_token(c.appkey, c.secretkey, "real") == Denied(DenyReason.KEY_ENV)
    with storage.unit_of_work() as uow:
        uow.customers.set_status(c.customer_id, "terminated")
    denied = svc.issue_token(c.appkey, c.secretkey, "mock")
    assert isinstance(denied, Denied) and denied.reason is DenyReason.CUSTOMER_INACTIVE
    assert "terminated" in denied.detail
    wall.advance(2 * SECOND)
    refused = svc.authenticate(t.token, "mock")
    assert isinstance(refused, Denied) and refused.reason is DenyReason.CUSTOMER_INACTIVE


def test_a_secret_checked_by_scrypt_alone(storage: Storage, clock: ManualClock) -> None:
    maker = IdentityService(storage, clock, scrypt=FAST)
    c = maker.create_customer("a", "mock", 0)
    other = IdentityService(storage, clock)  # knows nothing of the secret yet
    assert other.issue_token(c.appkey, "wrong", "mock") == Denied(DenyReason.BAD_CREDENTIALS)
    assert issued(other.issue_token(c.appkey, c.secretkey, "mock")).appkey == c.appkey


def test_authenticate_environment_and_unknown(svc: IdentityService) -> None:
    c = svc.create_customer("a", "real", 0)
    t = issued(svc.issue_token(c.appkey, c.secretkey, "real"))
    me = who(svc.authenticate(t.token, "real"))
    assert (me.customer_id, me.appkey, me.env, me.accounts) == (
        c.customer_id,
        c.appkey,
        "real",
        (c.account,),
    )
    assert me.token_hash == token_hash(t.token)
    assert svc.authenticate(t.token, "mock") == Denied(DenyReason.TOKEN_ENV)
    assert svc.authenticate("nope", "real") == Denied(DenyReason.TOKEN_INVALID)


def test_revoke_token(svc: IdentityService) -> None:
    a = svc.create_customer("a", "mock", 0)
    b = svc.create_customer("b", "mock", 0)
    ta = issued(svc.issue_token(a.appkey, a.secretkey, "mock"))
    tb = issued(svc.issue_token(b.appkey, b.secretkey, "mock"))
    who(svc.authenticate(ta.token, "mock"))
    assert svc.revoke_token(a.appkey, a.secretkey, tb.token, "mock") == Denied(
        DenyReason.TOKEN_UNKNOWN
    )
    assert svc.revoke_token("nope", "x", ta.token, "mock") == Denied(DenyReason.BAD_CREDENTIALS)
    assert svc.revoke_token(a.appkey, "x", ta.token, "mock") == Denied(DenyReason.BAD_CREDENTIALS)
    assert svc.revoke_token(a.appkey, a.secretkey, ta.token, "real") == Denied(DenyReason.KEY_ENV)
    assert svc.revoke_token(a.appkey, a.secretkey, ta.token, "mock") is None
    assert svc.authenticate(ta.token, "mock") == Denied(DenyReason.TOKEN_INVALID)
    assert who(svc.authenticate(tb.token, "mock")).customer_id == b.customer_id
    again = issued(svc.issue_token(a.appkey, a.secretkey, "mock"))
    assert again.token != ta.token


def test_outside_changes_apply_after_the_recheck_interval(
    svc: IdentityService, storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    a = svc.create_customer("a", "mock", 0)
    ta = issued(svc.issue_token(a.appkey, a.secretkey, "mock"))
    who(svc.authenticate(ta.token, "mock"))
    outside = IdentityService(storage, clock, wall=wall, scrypt=FAST)  # another process
    assert outside.revoke_key(a.appkey)
    wall.advance(SECOND)
    who(svc.authenticate(ta.token, "mock"))  # still within the interval
    wall.advance(1)
    assert svc.authenticate(ta.token, "mock") == Denied(DenyReason.TOKEN_INVALID)
    assert svc.issue_token(a.appkey, a.secretkey, "mock") == Denied(
        DenyReason.KEY_REVOKED, "폐기된 App Key입니다"
    )


def test_verification_cache_is_bounded(storage: Storage, clock: ManualClock) -> None:
    svc = IdentityService(storage, clock, scrypt=FAST, max_cached=1)
    made = [svc.create_customer(name, "mock", 0) for name in ("a", "b")]
    ta, tb = (issued(svc.issue_token(c.appkey, c.secretkey, "mock")).token for c in made)
    who(svc.authenticate(ta, "mock"))
    who(svc.authenticate(tb, "mock"))  # evicts ta
    with storage.unit_of_work() as uow:  # revoked behind the service's back
        for c in made:
            uow.tokens.revoke_all(c.appkey, T0)
    assert svc.authenticate(ta, "mock") == Denied(DenyReason.TOKEN_INVALID)  # read again
    who(svc.authenticate(tb, "mock"))  # still cached (wall clock did not move)


def test_revocations_through_the_service_apply_at_once(
    svc: IdentityService, storage: Storage
) -> None:
    a = svc.create_customer("a", "mock", 0)
    ta = issued(svc.issue_token(a.appkey, a.secretkey, "mock"))
    who(svc.authenticate(ta.token, "mock"))
    assert svc.revoke_key(a.appkey)
    assert svc.authenticate(ta.token, "mock") == Denied(DenyReason.TOKEN_INVALID)


def test_live_token_revoked_elsewhere_is_not_reused(
    svc: IdentityService, storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    a = svc.create_customer("a", "mock", 0)
    old = issued(svc.issue_token(a.appkey, a.secretkey, "mock"))
    with storage.unit_of_work() as uow:
        uow.tokens.revoke(token_hash(old.token), T0)
    new = issued(svc.issue_token(a.appkey, a.secretkey, "mock"))
    assert not new.reused and new.token != old.token
    # revoking a token that is not the live one leaves the live one in place
    other = IdentityService(storage, clock, wall=wall, scrypt=FAST)
    third = issued(other.issue_token(a.appkey, a.secretkey, "mock"))
    assert svc.revoke_token(a.appkey, a.secretkey, third.token, "mock") is None
    assert issued(svc.issue_token(a.appkey, a.secretkey, "mock")).token == new.token


def test_token_of_a_key_revoked_without_its_tokens_is_refused(
    svc: IdentityService, storage: Storage
) -> None:
    a = svc.create_customer("a", "mock", 0)
    ta = issued(svc.issue_token(a.appkey, a.secretkey, "mock"))
    with storage.unit_of_work() as uow:
        uow.api_keys.revoke(a.appkey, T0)
    assert svc.authenticate(ta.token, "mock") == Denied(DenyReason.TOKEN_INVALID)


# --- demo -----------------------------------------------------------------------------------


def test_demo_credentials_rotate_on_each_start(
    svc: IdentityService, storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    first = svc.demo_credentials(10_000_000)
    assert set(first) == {"demo app key", "demo secret key", "demo account"}
    t1 = issued(svc.issue_token(first["demo app key"], first["demo secret key"], "mock"))
    restarted = IdentityService(storage, clock, wall=wall, scrypt=FAST)
    second = restarted.demo_credentials(10_000_000)
    assert second["demo account"] == first["demo account"]
    assert second["demo app key"] != first["demo app key"]
    issued(restarted.issue_token(second["demo app key"], second["demo secret key"], "mock"))
    old = restarted.issue_token(first["demo app key"], first["demo secret key"], "mock")
    assert isinstance(old, Denied) and old.reason is DenyReason.KEY_REVOKED
    assert restarted.authenticate(t1.token, "mock") == Denied(DenyReason.TOKEN_INVALID)
    assert len(restarted.customers()) == 1
    with storage.unit_of_work() as uow:
        assert uow.journal.balance(first["demo account"], "KRW", "cash") == 10_000_000
        saved = uow.settings.get(DEMO_SETTING)
    assert isinstance(saved, dict) and saved["appkey"] == second["demo app key"]


def test_demo_customer_is_recreated_when_its_setting_is_stale(
    svc: IdentityService, storage: Storage
) -> None:
    with storage.unit_of_work() as uow:
        uow.settings.put(DEMO_SETTING, {"customer_id": "C404", "account": "x", "appkey": "y"})
    rows = svc.demo_credentials(0)
    assert rows["demo account"] == "8000000111"
    assert issued(svc.issue_token(rows["demo app key"], rows["demo secret key"], "mock"))
