"""Abnormal-load detectors over synthetic request streams (hoga.policy.abnormal)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hoga.domain.suspension import Evidence
from hoga.policy.abnormal import AbnormalLoadDetector, AbnormalThresholds

S = 1_000_000
T0 = 1_800_000_000 * S


def small(**over: int) -> AbnormalThresholds:
    values = {
        "window_us": 60 * S,
        "refusals": 10,
        "refusal_span_us": 20 * S,
        "identical": 8,
        "orders": 12,
        "cancels": 6,
        "conditions": 5,
        "samples": 3,
    }
    values.update(over)
    return AbnormalThresholds(**values)


def feed(
    det: AbnormalLoadDetector, calls: list[tuple[int, str, str, bool, bytes]]
) -> list[Evidence]:
    found = []
    for n, (at, api_id, kind, allowed, body) in enumerate(calls):
        ev = det.observe_call("C1", api_id, kind, allowed, at, f"r{n}", body)
        if ev is not None:
            found.append(ev)
    return found


def test_sustained_refusals_need_count_and_span() -> None:
    det = AbnormalLoadDetector(small())
    burst = [(T0 + i * 1000, "ka10001", "query", False, b"") for i in range(30)]
    assert feed(det, burst) == []  # one burst, however large, is not sustained
    det = AbnormalLoadDetector(small())
    spread = [(T0 + i * 3 * S, "ka10001", "query", False, b"") for i in range(10)]
    (ev,) = feed(det, spread)
    assert ev.rule == "sustained_refusals" and ev.since == T0 and ev.until == T0 + 27 * S
    assert dict(ev.counters) == {"count": 10, "threshold": 10, "window_s": 60, "span_s": 27}
    assert ev.samples == ("r7", "r8", "r9")  # the last ones, ending with the one that tripped


def test_refusals_outside_the_window_fall_off() -> None:
    det = AbnormalLoadDetector(small())
    slow = [(T0 + i * 7 * S, "ka10001", "query", False, b"") for i in range(40)]
    assert feed(det, slow) == []  # never 10 within 60 s


def test_identical_queries_by_api_id_and_body() -> None:
    det = AbnormalLoadDetector(small())
    mixed = []
    for i in range(7):
        mixed.append((T0 + i * S, "ka10001", "query", True, b'{"stk_cd":"005930"}'))
        mixed.append((T0 + i * S, "ka10001", "query", True, b'{"stk_cd":"000660"}'))
        mixed.append((T0 + i * S, "ka10002", "query", True, b'{"stk_cd":"005930"}'))
    assert feed(det, mixed) == []
    ev = det.observe_call(
        "C1", "ka10001", "query", True, T0 + 9 * S, "last", b'{"stk_cd":"005930"}'
    )
    assert ev is not None and ev.rule == "identical_queries:ka10001"
    assert dict(ev.counters)["api_id_calls"] == 8 and ev.samples == ("r15", "r18", "last")
    assert det.tracked() == 0  # counters start over after a detection


def test_order_and_cancel_storms() -> None:
    det = AbnormalLoadDetector(small())
    cancels = [(T0 + i * S, "kt10003", "order", True, b"") for i in range(6)]
    (ev,) = feed(det, cancels)
    assert ev.rule == "cancel_storm"
    det = AbnormalLoadDetector(small())
    orders = [(T0 + i * S, "kt10000", "order", True, b"") for i in range(12)]
    (ev,) = feed(det, orders)
    assert ev.rule == "order_storm" and dict(ev.counters)["count"] == 12


def test_condition_churn_and_switches() -> None:
    det = AbnormalLoadDetector(small())
    got = [det.observe_condition("C1", "register", T0 + i * S) for i in range(5)]
    assert got[:4] == [None] * 4 and got[4] is not None
    assert got[4].rule == "condition_churn" and got[4].samples == ("register",) * 3
    off = AbnormalLoadDetector(small(conditions=0, identical=0, refusals=0, orders=0, cancels=0))
    for i in range(50):
        assert off.observe_condition("C1", "clear", T0 + i) is None
        assert off.observe_call("C1", "ka10001", "query", True, T0 + i) is None
        assert off.observe_call("C1", "ka10001", "query", False, T0 + i) is None
        assert off.observe_call("C1", "kt10003", "order", True, T0 + i) is None
    det.forget("nobody")
    assert det.observe_call("C1", "au10001", "token", True, T0) is None


def test_customers_are_counted_apart_and_digests_are_bounded() -> None:
    det = AbnormalLoadDetector(small(max_digests=4))
    for i in range(7):
        for who in ("A", "B"):
            assert det.observe_call(who, "ka10001", "query", True, T0 + i, body=b"x") is None
    for i in range(10):  # many distinct bodies evict the oldest digests
        det.observe_call("A", "ka10001", "query", True, T0 + 10 + i, body=str(i).encode())
    assert det.observe_call("A", "ka10001", "query", True, T0 + 30, body=b"x") is None
    assert det.observe_call("B", "ka10001", "query", True, T0 + 30, body=b"x") is not None


@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=0, max_value=20 * S), min_size=1, max_size=120),
    threshold=st.integers(min_value=1, max_value=15),
    samples=st.integers(min_value=0, max_value=6),
)
def test_order_storm_fires_exactly_when_a_window_holds_the_threshold(
    gaps: list[int], threshold: int, samples: int
) -> None:
    window = 30 * S
    limits = small(orders=threshold, window_us=window, cancels=0, samples=samples)
    det = AbnormalLoadDetector(limits)
    times, t = [], T0
    for g in gaps:
        t += g
        times.append(t)
    fired: list[int] = []
    since = 0  # counting restarts after each detection
    for n, at in enumerate(times):
        ev = det.observe_call("C1", "kt10000", "order", True, at, f"r{n}")
        recent = [x for x in times[since : n + 1] if x > at - window]
        expected = len(recent) >= threshold
        assert (ev is not None) == expected
        if ev is not None:
            assert ev.since == recent[-threshold] and ev.until == at
            last = min(samples, threshold)  # the last ones counted, ending with this one
            assert ev.samples == tuple(f"r{k}" for k in range(n - last + 1, n + 1))
            fired.append(n)
            since = n + 1
    assert len(fired) <= len(times) // threshold


def test_long_bodies_are_compared_whole_by_digest() -> None:
    det = AbnormalLoadDetector(small())
    long_a = b'{"stk_cd":"005930","pad":"' + b"a" * 300 + b'"}'
    long_b = long_a.replace(b"a" * 300, b"a" * 299 + b"b")  # differs in one byte near the end
    mixed = [(T0 + i * S, "ka10001", "query", True, long_a if i % 2 else long_b) for i in range(14)]
    assert feed(det, mixed) == []  # 7 of each: neither reaches 8
    (ev,) = feed(det, [(T0 + 20 * S, "ka10001", "query", True, long_a)])
    assert ev.rule == "identical_queries:ka10001"
    short = long_a[:16]  # a short body never shares a counter with a long body's digest
    det = AbnormalLoadDetector(small())
    calls = [(T0 + i * S, "ka10001", "query", True, long_a if i % 2 else short) for i in range(14)]
    assert feed(det, calls) == []


def test_a_full_window_costs_bytes_per_event_not_an_object_each() -> None:
    """200k counted queries over 10k counters (200 customers × 50 bodies) under the default
    thresholds: the detector holds them in under 60 bytes each (28 measured; a deque of boxed
    times and request-id strings per counter held 166 here)."""
    import tracemalloc

    det = AbnormalLoadDetector()
    bodies = [b'{"stk_cd":"%06d"}' % i for i in range(50)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        n = 0
        for _ in range(20):
            for who in range(200):
                for body in bodies:
                    det.observe_call(f"C{who}", "ka10001", "query", True, T0 + n, f"r{n}", body)
                    n += 1
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert det.tracked() == 200 and n == 200_000
    assert held / n < 60, f"{held / n:.0f} bytes per event"


def test_a_long_quiet_stream_keeps_counting_right_after_old_times_are_cut() -> None:
    """300 refusals 7 s apart never make 10 within 60 s (the counter drops what fell out of
    the window and cuts its storage as it goes); then 3 s apart they do, from the right one."""
    det = AbnormalLoadDetector(small())
    at = T0
    for i in range(300):
        at = T0 + i * 7 * S
        assert det.observe_call("C1", "ka10001", "query", False, at, f"q{i}") is None
    found = None
    n = 0
    while found is None:
        n += 1
        found = det.observe_call("C1", "ka10001", "query", False, at + n * 3 * S, f"f{n}")
    # in the window at the trip: the last quiet ones within 60 s, then the fast ones
    trip = at + n * 3 * S
    events = [(T0 + i * 7 * S, f"q{i}") for i in range(300)]
    events += [(at + k * 3 * S, f"f{k}") for k in range(1, n + 1)]
    window = [e for e in events if e[0] > trip - 60 * S][-10:]
    assert len(window) == 10 and found.since == window[0][0] and found.until == trip
    assert found.samples == tuple(name for _, name in window[-3:])
