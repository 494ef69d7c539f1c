"""The identity service's token cache: no storage access per call, invalidation by the change
counter that the SQL storage bumps with every write that can end a token's validity."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.engine.identity import (
    CHANGES,
    Denied,
    DenyReason,
    Identity,
    IdentityService,
    IssuedToken,
    ScryptParams,
    token_hash,
)
from hoga.ports.storage import KeyAccessRecord, Storage, UnitOfWork

T0 = 1_795_000_000_000_000
SECOND = 1_000_000
FAST = ScryptParams(n=2**10, r=8, p=1)


class Counting:
    """A storage that counts units of work (everything else is the real storage)."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.units = 0

    def unit_of_work(self, *, read_only: bool = False) -> AbstractContextManager[UnitOfWork]:
        self.units += 1
        return self.inner.unit_of_work(read_only=read_only)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    s = open_storage(f"sqlite:///{tmp_path / 'id.db'}")
    yield s
    s.close()


@pytest.fixture
def wall() -> ManualClock:
    return ManualClock(0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


def service(storage: Storage | Counting, clock: ManualClock, wall: ManualClock) -> IdentityService:
    return IdentityService(storage, clock, wall=wall, scrypt=FAST)  # type: ignore[arg-type]


def token(svc: IdentityService, name: str = "a") -> tuple[str, str, str]:
    made = svc.create_customer(name, "mock", 0)
    issued = svc.issue_token(made.appkey, made.secretkey, "mock")
    assert isinstance(issued, IssuedToken)
    return issued.token, made.appkey, made.customer_id


def ok(x: Identity | Denied) -> Identity:
    assert isinstance(x, Identity), x
    return x


def changes(storage: Storage) -> int:
    with storage.unit_of_work() as uow:
        return uow.sequences.current(CHANGES)


def test_a_cached_token_costs_no_storage_access(
    storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    counting = Counting(storage)
    svc = service(counting, clock, wall)
    t, _, _ = token(svc)
    ok(svc.authenticate(t, "mock"))  # reads the counter, then the token
    before = counting.units
    for _ in range(50):
        wall.advance(SECOND // 100)  # half a second in all: within the recheck interval
        ok(svc.authenticate(t, "mock"))
    assert counting.units == before
    wall.advance(SECOND)  # past the interval: one read of the counter, nothing else
    ok(svc.authenticate(t, "mock"))
    assert counting.units == before + 1


def test_expiry_is_checked_on_every_call_against_the_clock(
    storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    svc = service(storage, clock, wall)
    t, _, _ = token(svc)
    me = ok(svc.authenticate(t, "mock"))
    clock.set(me.expires_at - 1)
    ok(svc.authenticate(t, "mock"))
    clock.set(me.expires_at)
    assert svc.authenticate(t, "mock") == Denied(DenyReason.TOKEN_INVALID)


@pytest.mark.parametrize("change", ["revoke_token", "revoke_key", "suspend", "access"])
def test_another_process_change_applies_within_the_recheck_interval(
    storage: Storage, clock: ManualClock, wall: ManualClock, change: str
) -> None:
    svc = service(storage, clock, wall)
    t, appkey, customer_id = token(svc)
    other_t, _, _ = token(svc, "b")
    ok(svc.authenticate(t, "mock"))
    ok(svc.authenticate(other_t, "mock"))
    before = changes(storage)
    with storage.unit_of_work() as uow:  # another process, straight through the storage port
        if change == "revoke_token":
            uow.tokens.revoke(token_hash(t), T0)
        elif change == "revoke_key":
            uow.api_keys.revoke(appkey, T0)
        elif change == "suspend":
            uow.customers.set_status(customer_id, "suspended")
        else:
            uow.key_security.set_access(KeyAccessRecord(appkey, ("192.0.2.1/32",), False, T0))
    assert changes(storage) > before
    ok(svc.authenticate(t, "mock"))  # trusted from the cache until the counter is read again
    wall.advance(SECOND + 1)
    after = svc.authenticate(t, "mock")
    if change == "access":
        assert ok(after).allowed_ips == ("192.0.2.1/32",)
    elif change == "suspend":
        assert isinstance(after, Denied) and after.reason is DenyReason.CUSTOMER_INACTIVE
    else:
        assert after == Denied(DenyReason.TOKEN_INVALID)
    ok(svc.authenticate(other_t, "mock"))  # re-read, still valid


def test_a_revoke_all_that_revokes_nothing_changes_nothing(
    storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    svc = service(storage, clock, wall)
    _, appkey, _ = token(svc)
    with storage.unit_of_work() as uow:
        assert uow.tokens.revoke_all(appkey, T0) == 1
    before = changes(storage)
    with storage.unit_of_work() as uow:
        assert uow.tokens.revoke_all(appkey, T0) == 0
    assert changes(storage) == before


def test_changes_through_this_service_apply_at_once(
    storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    svc = service(storage, clock, wall)
    t, appkey, _ = token(svc)
    ok(svc.authenticate(t, "mock"))
    svc.set_access(appkey, ("192.0.2.1/32",), False)
    assert ok(svc.authenticate(t, "mock")).allowed_ips == ("192.0.2.1/32",)
    assert svc.revoke_key(appkey)
    assert svc.authenticate(t, "mock") == Denied(DenyReason.TOKEN_INVALID)


def test_entries_are_reread_after_the_reverify_interval(
    storage: Storage, clock: ManualClock, wall: ManualClock
) -> None:
    counting = Counting(storage)
    svc = IdentityService(
        counting,  # type: ignore[arg-type]
        clock,
        wall=wall,
        scrypt=FAST,
        recheck_us=10 * SECOND,
        reverify_us=5 * SECOND,
    )
    t, _, _ = token(svc)
    ok(svc.authenticate(t, "mock"))
    before = counting.units
    wall.advance(5 * SECOND)
    ok(svc.authenticate(t, "mock"))
    assert counting.units == before
    wall.advance(1)
    ok(svc.authenticate(t, "mock"))
    assert counting.units == before + 1  # the entry alone, not the counter
