"""Storage contract for the access-security repositories (key access, rotation, token origins,
throttle state, the security record); runs on every backend of conftest.py."""

from __future__ import annotations

import pytest

from hoga.errors import NotFoundError, StorageError
from hoga.ports.storage import (
    ApiKeyRecord,
    AuthThrottleRecord,
    CustomerRecord,
    KeyAccessRecord,
    Storage,
    TokenRecord,
)


def _key(storage: Storage, appkey: str = "k1") -> None:
    with storage.unit_of_work() as uow:
        if uow.customers.get("c1") is None:
            uow.customers.add(CustomerRecord("c1", "n", "mock", "active", 1))
        uow.api_keys.add(ApiKeyRecord(appkey, "h0", "c1", "mock", 2))


def test_key_access_round_trip_and_replace(storage: Storage) -> None:
    _key(storage)
    with storage.unit_of_work() as uow:
        assert uow.key_security.access("k1") is None
        first = KeyAccessRecord("k1", ("203.0.113.0/24", "2001:db8::/48"), True, 5)
        uow.key_security.set_access(first)
    with storage.unit_of_work() as uow:
        assert uow.key_security.access("k1") == first
        uow.key_security.set_access(KeyAccessRecord("k1", (), False, 6))
    with storage.unit_of_work() as uow:
        assert uow.key_security.access("k1") == KeyAccessRecord("k1", (), False, 6)


def test_key_access_needs_an_existing_key(storage: Storage) -> None:
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.key_security.set_access(KeyAccessRecord("nope", (), True, 1))


def test_secret_rotation(storage: Storage) -> None:
    _key(storage)
    with storage.unit_of_work() as uow:
        rotated = uow.key_security.set_secret_hash("k1", "h1")
        assert rotated == ApiKeyRecord("k1", "h1", "c1", "mock", 2)
    with storage.unit_of_work() as uow:
        assert uow.api_keys.get("k1") == rotated
    with pytest.raises(NotFoundError), storage.unit_of_work() as uow:
        uow.key_security.set_secret_hash("nope", "h")


def test_token_origins(storage: Storage) -> None:
    _key(storage)
    with storage.unit_of_work() as uow:
        uow.tokens.add(TokenRecord("t1", "k1", 1, 100))
        uow.key_security.bind_token("t1", "203.0.113.7", 100)
        uow.key_security.bind_token("t2", "2001:db8::1", 300)
        assert uow.key_security.token_ip("t1") == "203.0.113.7"
        assert uow.key_security.token_ip("zz") is None
        uow.key_security.bind_token("t1", "198.51.100.1", 100)  # replace
    with storage.unit_of_work() as uow:
        assert uow.key_security.token_ip("t1") == "198.51.100.1"
        assert uow.key_security.delete_bindings(200) == 1
        assert uow.key_security.token_ip("t1") is None
        assert uow.key_security.token_ip("t2") == "2001:db8::1"


def test_throttle_state(storage: Storage) -> None:
    a = AuthThrottleRecord("ip:203.0.113.7", 3, 10, 0, 0, 12)
    with storage.unit_of_work() as uow:
        assert uow.key_security.throttle(a.scope) is None
        uow.key_security.put_throttle(a)
        uow.key_security.put_throttle(AuthThrottleRecord("appkey:k1", 1, 1, 0, 0, 1))
    with storage.unit_of_work() as uow:
        assert uow.key_security.throttle(a.scope) == a
        locked = AuthThrottleRecord(a.scope, 0, 20, 99, 1, 20)
        uow.key_security.put_throttle(locked)
    with storage.unit_of_work() as uow:
        assert uow.key_security.throttle(a.scope) == locked
        assert uow.key_security.clear_throttle(a.scope) is True
        assert uow.key_security.clear_throttle(a.scope) is False
        assert uow.key_security.throttle("appkey:k1") is not None


def test_security_log_appends_in_order_and_filters(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        r1 = uow.security_log.append(5, "anonymous", "", "k1", "::1", "token.issue", "refused", "x")
        r2 = uow.security_log.append(6, "operator", "root", "k2", "", "key.revoke", "ok", "")
        r3 = uow.security_log.append(7, "customer", "C1", "k1", "10.0.0.1", "key.add", "ok", "")
    assert (r1.seq, r2.seq, r3.seq) == (1, 2, 3)
    with storage.unit_of_work() as uow:
        assert uow.security_log.read() == [r1, r2, r3]
        assert uow.security_log.read(1) == [r2, r3]
        assert uow.security_log.read(limit=1) == [r1]
        assert uow.security_log.read(appkey="k1") == [r1, r3]
        assert uow.security_log.read(actor_id="root") == [r2]
        assert uow.security_log.read(appkey="k1", actor_id="C1") == [r3]


def test_security_log_refuses_an_unknown_actor_kind(storage: Storage) -> None:
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.security_log.append(1, "robot", "", "", "", "x", "ok", "")


def test_a_rolled_back_record_leaves_no_gap(storage: Storage) -> None:
    with pytest.raises(RuntimeError), storage.unit_of_work() as uow:
        uow.security_log.append(1, "operator", "a", "", "", "x", "ok", "")
        raise RuntimeError
    with storage.unit_of_work() as uow:
        again = uow.security_log.append(2, "operator", "b", "", "", "y", "ok", "")
    assert again.seq == 1
