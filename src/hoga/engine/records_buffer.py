"""The record chain's in-memory side: buffered records waiting for the flush, brokerage notes
whose payload text the flush makes, and the per-record salts (see :mod:`hoga.engine.records`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from hoga.domain.records import canonical

__all__ = [
    "CallBatch",
    "Note",
    "OpenCalls",
    "Pending",
    "SaltPool",
    "call_parts",
    "note_values",
    "payload_text",
    "plain_value",
]


def plain_value(value: Any) -> Any:
    """A note field as a record payload holds it: None, booleans, integers and text as they
    are, a dataclass (a holding, say) as an object of its fields, anything else (an enum, a
    date) as its ``value`` or its text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    names = getattr(type(value), "__dataclass_fields__", None)
    if names is not None:
        return {name: plain_value(getattr(value, name)) for name in names}
    return str(getattr(value, "value", value))


def note_values(note: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain_value(getattr(note, name)) for name in names}


class Note:
    """A frozen brokerage note waiting for the flush to make its payload text."""

    __slots__ = ("names", "note")

    def __init__(self, note: Any, names: tuple[str, ...]) -> None:
        self.note = note
        self.names = names

    def text(self) -> str:
        """``canonical(note_values(note, names))``, written directly (a property test checks
        it): the keys sorted once per field set, each value as JSON emits it."""
        layout = _LAYOUTS.get(self.names)
        if layout is None:
            layout = tuple((n, f"{encode_basestring(n)}:") for n in sorted(self.names))
            if len(_LAYOUTS) < 256:
                _LAYOUTS[self.names] = layout
        note = self.note
        parts = []
        for name, key in layout:
            v = getattr(note, name)
            if not (v is None or isinstance(v, bool | int | str)):
                v = plain_value(v)
                if type(v) is dict:  # a nested object: the general encoder
                    parts.append(key + canonical(v))
                    continue
            if v is None:
                parts.append(key + "null")
            elif v is True:
                parts.append(key + "true")
            elif v is False:
                parts.append(key + "false")
            elif isinstance(v, int):
                parts.append(key + int.__repr__(v))
            else:
                parts.append(key + encode_basestring(v))
        return "{" + ",".join(parts) + "}"


_LAYOUTS: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}


def call_parts(appkey: str, api_id: str, ip: str, status: int, return_code: int) -> tuple[str, str]:
    """One API call's canonical object, cut around the value of its ``at`` key: the text
    before the time and the text after it (``head + str(at) + tail`` is the call's canonical
    text; a property test checks it)."""
    whole = canonical(
        {"api_id": api_id, "appkey": appkey, "at": 0, "ip": ip, "rc": return_code, "status": status}
    )
    cut = whole.index(',"at":0,') + 6  # keys are sorted: "at" follows "appkey"
    return whole[:cut], whole[cut + 1 :]


class CallBatch:
    """One customer's API calls waiting to become one ``api.call`` record: the calls' times and
    their canonical texts cut around the time (:func:`call_parts`, shared between calls).
    The record's payload is ``{"calls": [call, ...]}`` in arrival order."""

    __slots__ = ("ats", "customer_id", "parts")

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id
        self.ats: list[int] = []
        self.parts: list[tuple[str, str]] = []

    def add(self, at: int, parts: tuple[str, str]) -> int:
        """Add a call; how many the batch holds now."""
        self.ats.append(at)
        self.parts.append(parts)
        return len(self.ats)

    def text(self) -> str:
        calls = [h + int.__repr__(at) + t for at, (h, t) in zip(self.ats, self.parts, strict=True)]
        return '{"calls":[' + ",".join(calls) + "]}"


class OpenCalls:
    """The API calls not written yet, gathered per customer: a customer's batch is due once its
    first call is ``span_us`` old, and becomes a record at once when it holds ``per_record``
    calls. Not thread-safe: the recorder calls :meth:`add` and :meth:`close` under its buffer
    lock (:meth:`parts` needs none)."""

    __slots__ = ("_batches", "_parts", "per_record", "span_us")

    def __init__(self, span_us: int, per_record: int) -> None:
        self.span_us = span_us
        self.per_record = per_record
        self._batches: dict[str, CallBatch] = {}  # by customer, opened oldest first
        self._parts: dict[tuple[str, str, str, int, int], tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self._batches)

    def parts(
        self, appkey: str, api_id: str, ip: str, status: int, return_code: int
    ) -> tuple[str, str]:
        """:func:`call_parts`, remembered per distinct value set (up to 10,000 of them)."""
        key = (appkey, api_id, ip, status, return_code)
        parts = self._parts.get(key)
        if parts is None:
            parts = call_parts(appkey, api_id, ip, status, return_code)
            if len(self._parts) >= 10_000:
                self._parts.clear()
            self._parts[key] = parts
        return parts

    def add(self, customer_id: str, at: int, parts: tuple[str, str]) -> Pending | None:
        """Add a call to the customer's batch; the batch's record when that filled it."""
        batches = self._batches
        batch = batches.get(customer_id)
        if batch is None:
            batch = batches[customer_id] = CallBatch(customer_id)
        if batch.add(at, parts) < self.per_record:
            return None
        del batches[customer_id]
        return _record_of(batch)

    def close(self, now: int | None) -> list[Pending]:
        """The records of the batches due at ``now`` (None: of every open batch)."""
        batches = self._batches
        if not batches:
            return []
        due = []
        cutoff = None if now is None else now - self.span_us
        for customer_id, batch in batches.items():
            if cutoff is not None and batch.ats[0] > cutoff:
                break  # opened oldest first: the rest are younger
            due.append(customer_id)
        return [_record_of(batches.pop(customer_id)) for customer_id in due]


def _record_of(batch: CallBatch) -> Pending:
    return Pending(batch.ats[0], "api.call", batch.customer_id, "", batch)


@dataclass(slots=True, init=False)  # not frozen: one per record, frozen __init__ is ~5× slower
class Pending:
    """A buffered record; ``payload`` is its canonical text, or what the flushing writer makes
    it from, off the request path: a dict of plain values, a brokerage note, a call batch.
    Its ``__init__`` is written out: compiled, it is native (mypyc does not compile the one
    ``@dataclass`` generates)."""

    at: int
    kind: str
    customer_id: str
    account: str
    payload: str | dict[str, Any] | Note | CallBatch
    ref: int | None = None

    def __init__(
        self,
        at: int,
        kind: str,
        customer_id: str,
        account: str,
        payload: str | dict[str, Any] | Note | CallBatch,
        ref: int | None = None,
    ) -> None:
        self.at = at
        self.kind = kind
        self.customer_id = customer_id
        self.account = account
        self.payload = payload
        self.ref = ref


def payload_text(payload: str | dict[str, Any] | Note | CallBatch) -> str:
    if isinstance(payload, str):
        return payload
    if isinstance(payload, Note | CallBatch):
        return payload.text()
    return canonical(payload)


class SaltPool:
    """Per-record salts: 16 random bytes as hex, like ``secrets.token_hex(16)``, drawn from a
    block of 256 at a time (one ``os.urandom`` call per block instead of per record). Only the
    flushing writer calls it (under the write lock)."""

    __slots__ = ("_block", "_next")

    def __init__(self) -> None:
        self._block = ""
        self._next = 0

    def __call__(self) -> str:
        at = self._next
        if at >= len(self._block):
            self._block, at = secrets.token_hex(16 * 256), 0
        self._next = at + 32
        return self._block[at : at + 32]
