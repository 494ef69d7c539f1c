"""The security record and the brute-force throttle policy (hoga.engine.security_log)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.engine.security_log import (
    ANONYMOUS,
    OK,
    REFUSED,
    Action,
    Actor,
    SecurityLog,
    ThrottlePolicy,
    address_scope,
    key_scope,
    record,
)
from hoga.ports.storage import AuthThrottleRecord, SecurityRecord, Storage

MIN = 60_000_000


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    s = open_storage(f"sqlite:///{tmp_path / 'sec.db'}")
    yield s
    s.close()


def test_actors() -> None:
    assert Actor.customer("C1", "1.2.3.4") == Actor("customer", "C1", "1.2.3.4")
    assert Actor.operator("root") == Actor("operator", "root", "")
    assert Actor.anonymous("::1") == Actor("anonymous", "", "::1")
    assert Actor("anonymous") == ANONYMOUS
    assert (key_scope("k"), address_scope("1.2.3.4"), address_scope("")) == (
        "appkey:k",
        "ip:1.2.3.4",
        "ip:?",
    )


def test_records_are_appended_with_wall_time_and_read_back(storage: Storage) -> None:
    wall = ManualClock(1_000)
    log = SecurityLog(storage, wall)
    a = log.record(Actor.operator("root"), Action.KEY_REVOKE, OK, appkey="k1", detail="x")
    wall.advance(5)
    b = log.record(Actor.anonymous("203.0.113.9"), Action.TOKEN_ISSUE, REFUSED, appkey="k2")
    with storage.unit_of_work() as uow:
        c = record(uow, 2_000, Actor.customer("C1", "::1"), Action.KEY_ADD, OK, appkey="k1")
    assert a == SecurityRecord(1, 1_000, "operator", "root", "k1", "", "key.revoke", "ok", "x")
    assert b == SecurityRecord(
        2, 1_005, "anonymous", "", "k2", "203.0.113.9", "token.issue", "refused", ""
    )
    assert c.seq == 3 and c.actor_id == "C1" and c.client_ip == "::1"
    assert log.read() == [a, b, c]
    assert log.read(appkey="k1") == [a, c]
    assert log.read(actor_id="C1") == [c]
    assert log.read(1, limit=1) == [b]


def test_throttle_counts_then_locks_with_growing_delay() -> None:
    p = ThrottlePolicy(max_failures=3, window_us=10 * MIN, base_lock_us=MIN, max_lock_us=3 * MIN)
    s = None
    for i in range(2):
        s = p.after_failure("ip:x", s, i)
        assert s.failures == i + 1 and s.locked_until == 0 and p.locked_for(s, i) == 0
    s = p.after_failure("ip:x", s, 2)
    assert (s.failures, s.level, s.locked_until) == (0, 1, 2 + MIN)
    assert p.locked_for(s, 2) == MIN and p.locked_for(s, 2 + MIN) == 0
    t = 2 + MIN
    for _ in range(3):
        s = p.after_failure("ip:x", s, t)
    assert (s.level, s.locked_until - t) == (2, 2 * MIN)  # doubled
    for level, expected in ((3, 3 * MIN), (4, 3 * MIN)):  # capped at max_lock_us
        t = s.locked_until
        for _ in range(3):
            s = p.after_failure("ip:x", s, t)
        assert (s.level, s.locked_until - t) == (level, expected)


def test_throttle_window_and_forgetting() -> None:
    p = ThrottlePolicy(max_failures=3, window_us=MIN, forget_us=10 * MIN)
    s = p.after_failure("k", None, 0)
    s = p.after_failure("k", s, 1)
    s = p.after_failure("k", s, MIN + 1)  # the window moved on: counting starts again
    assert (s.failures, s.window_start, s.locked_until) == (1, MIN + 1, 0)
    old = AuthThrottleRecord("k", 2, 0, 5, 4, 0)
    fresh = p.after_failure("k", old, 10 * MIN)  # untouched for forget_us: level forgotten
    assert (fresh.failures, fresh.level, fresh.window_start) == (1, 0, 10 * MIN)


def test_throttle_can_be_switched_off() -> None:
    p = ThrottlePolicy(max_failures=0)
    s = None
    for i in range(50):
        s = p.after_failure("k", s, i)
    assert s is not None and s.locked_until == 0 and p.locked_for(s, 50) == 0
    assert p.locked_for(AuthThrottleRecord("k", 0, 0, 99, 1, 0), 0) == 0
