"""Abnormal-load detection (terms art. 8 ① 2, 9 ① 2): activity over minutes, beyond rate limits.

The rate limiter (:mod:`hoga.policy.ratelimit`) refuses single requests over 5/s. This module
watches what a customer keeps doing over a longer ``window`` (default 5 minutes) and reports an
:class:`~hoga.domain.suspension.Evidence` when one rule trips; the incident service
(:mod:`hoga.engine.incidents`) turns it into an incident. Rules (thresholds in
:class:`AbnormalThresholds`, from ``Settings.abnormal_*``; 0 switches a rule off):

- ``sustained_refusals`` — at least ``refusals`` rate-limit refusals (1700) within the window,
  the first and last at least ``refusal_span_us`` apart (a single burst is not "sustained");
- ``identical_queries`` — at least ``identical`` admitted query calls with the same api-id and
  the same request body (the body itself up to 128 bytes, a BLAKE2 digest of a longer one)
  within the window;
- ``order_storm`` — at least ``orders`` order calls (place, modify, cancel) within the window;
- ``cancel_storm`` — at least ``cancels`` modify / cancel calls within the window;
- ``condition_churn`` — at least ``conditions`` real-time condition-search events (register,
  clear; reported through :meth:`AbnormalLoadDetector.observe_condition`) within the window.

Evidence carries the rule, the time range of the counted activity, counters and up to
``samples`` request ids (the last ones counted, ending with the call that tripped the rule).
After a rule trips, that customer's counters start over, so one storm gives one detection.
Memory per customer is bounded by the thresholds (8 bytes per counted event; request ids only
while a counter is within ``samples`` of its threshold); identical-query tracking keeps at most
``max_digests`` distinct bodies per customer (least recently seen dropped).

Times are the caller's (epoch µs; the wall clock, like the rate limiter). Not thread-safe: call
from the event loop.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field

from hoga.domain.suspension import Evidence

__all__ = [
    "CANCEL_API_IDS",
    "RULES",
    "AbnormalLoadDetector",
    "AbnormalThresholds",
]

US_PER_SECOND = 1_000_000
CANCEL_API_IDS = frozenset({"kt10002", "kt10003", "kt10008", "kt10009"})
RULES = (
    "sustained_refusals",
    "identical_queries",
    "order_storm",
    "cancel_storm",
    "condition_churn",
)


@dataclass(frozen=True, slots=True)
class AbnormalThresholds:
    """Detection thresholds (see the module docstring); a count of 0 switches a rule off."""

    window_us: int = 300 * US_PER_SECOND
    refusals: int = 300
    refusal_span_us: int = 120 * US_PER_SECOND
    identical: int = 900
    orders: int = 1_200
    cancels: int = 600
    conditions: int = 60
    samples: int = 5
    max_digests: int = 256


_SHORT_BODY = 128  # bytes: up to this, a query body is kept as it is (no digest to compute)


class _Counter:
    """The times of recent events, oldest first (at most ``limit`` kept), and the request ids
    of the last few.

    Times are machine integers in an ``array`` (8 bytes each, no object per event, nothing for
    the garbage collector to look at), read from ``start`` on; the dead prefix is cut off once
    it is the larger part. (A deque of boxed times and request-id strings per counter held 166
    bytes per event in the unit test that measures it, 28 now; under the API benchmark's
    ka10001 load, a counter per customer and body, the server's memory after 35 s was 562 MB
    with it, 388 MB now and 300 MB with the rule switched off.)
    """

    __slots__ = ("limit", "recent", "start", "times")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.times = array("q")
        self.start = 0
        self.recent: list[str] = []  # request ids of the last events (see add)

    def add(self, at: int, request_id: str, window_us: int, samples: int) -> None:
        times = self.times
        times.append(at)
        start, n = self.start, len(times)
        oldest, limit = at - window_us, self.limit
        while start < n and (times[start] <= oldest or n - start > limit):
            start += 1
        count = n - start
        if start > 32 and start > count:
            del times[:start]
            start = 0
        self.start = start
        # The count grows by at most one per event, so the last ``samples`` events before it
        # reaches ``limit`` were each added at a count above ``limit - samples``: only those
        # need their request id kept.
        if request_id and samples and count > limit - samples:
            recent = self.recent
            recent.append(request_id)
            if len(recent) > samples:
                del recent[0]

    def count(self) -> int:
        return len(self.times) - self.start

    def first(self) -> int:
        return self.times[self.start]

    def full(self) -> bool:
        return len(self.times) - self.start >= self.limit


@dataclass(slots=True)
class _Customer:
    counters: dict[str, _Counter] = field(default_factory=dict)
    digests: OrderedDict[tuple[str, bytes], _Counter] = field(default_factory=OrderedDict)


class AbnormalLoadDetector:
    """Per-customer sliding counters over a window; reports the first rule that trips."""

    def __init__(self, thresholds: AbnormalThresholds | None = None) -> None:
        self.thresholds = thresholds or AbnormalThresholds()
        self._customers: dict[str, _Customer] = {}

    def observe_call(
        self,
        customer_id: str,
        api_id: str,
        kind: str,
        allowed: bool,
        at: int,
        request_id: str = "",
        body: bytes = b"",
    ) -> Evidence | None:
        """Count one authenticated call (``allowed``: admitted by the rate limiter)."""
        t = self.thresholds
        c = self._customers.get(customer_id)
        if c is None:
            c = self._customers[customer_id] = _Customer()
        if not allowed:
            return self._count(c, customer_id, "sustained_refusals", t.refusals, at, request_id)
        if kind == "order":
            found = self._count(c, customer_id, "order_storm", t.orders, at, request_id)
            if found is None and api_id in CANCEL_API_IDS:
                found = self._count(c, customer_id, "cancel_storm", t.cancels, at, request_id)
            return found
        if kind != "query" or not t.identical:
            return None
        # a short body is its own key; a long one is kept as its BLAKE2 digest
        digest = (
            (api_id, body)
            if len(body) <= _SHORT_BODY
            else (api_id + "\0", hashlib.blake2b(body, digest_size=16).digest())  # apart
        )
        counter = c.digests.get(digest)
        if counter is None:
            counter = c.digests[digest] = _Counter(t.identical)
            if len(c.digests) > t.max_digests:
                c.digests.popitem(last=False)
        else:
            c.digests.move_to_end(digest)
        counter.add(at, request_id, t.window_us, t.samples)
        if not counter.full():
            return None
        extra = (("api_id_calls", counter.count()),)
        return self._trip(customer_id, "identical_queries", counter, at, extra, api_id)

    def observe_condition(
        self, customer_id: str, event: str, at: int, request_id: str = ""
    ) -> Evidence | None:
        """Count one condition-search event (``event``: e.g. ``"register"``, ``"clear"``)."""
        c = self._customers.setdefault(customer_id, _Customer())
        limit = self.thresholds.conditions
        return self._count(c, customer_id, "condition_churn", limit, at, request_id or event)

    def forget(self, customer_id: str) -> None:
        """Drop a customer's counters (e.g. once suspended)."""
        self._customers.pop(customer_id, None)

    def tracked(self) -> int:
        """How many customers have counters (for tests and metrics)."""
        return len(self._customers)

    def _count(
        self, c: _Customer, customer_id: str, rule: str, limit: int, at: int, request_id: str
    ) -> Evidence | None:
        if not limit:
            return None
        counter = c.counters.get(rule)
        if counter is None:
            counter = c.counters[rule] = _Counter(limit)
        counter.add(at, request_id, self.thresholds.window_us, self.thresholds.samples)
        if not counter.full():
            return None
        span = at - counter.first()
        if rule == "sustained_refusals":
            if span < self.thresholds.refusal_span_us:
                return None
            return self._trip(customer_id, rule, counter, at, (("span_s", span // US_PER_SECOND),))
        return self._trip(customer_id, rule, counter, at, ())

    def _trip(
        self,
        customer_id: str,
        rule: str,
        counter: _Counter,
        at: int,
        extra: tuple[tuple[str, int], ...],
        api_id: str = "",
    ) -> Evidence:
        t = self.thresholds
        samples = tuple(counter.recent[-counter.count() :])  # none from before the window
        counters = (
            ("count", counter.count()),
            ("threshold", counter.limit),
            ("window_s", t.window_us // US_PER_SECOND),
            *extra,
        )
        named = f"{rule}:{api_id}" if api_id else rule
        self.forget(customer_id)
        return Evidence(named, counter.first(), at, counters, samples)
