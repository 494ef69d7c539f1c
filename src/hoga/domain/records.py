"""Tamper-evident records (terms art. 14): canonical encoding, the hash chain, Merkle roots,
retention periods. Pure: standard library only (``hashlib``, ``json``), no clock, no I/O.

**Record.** One fact (an API call, an order event, a ledger entry, an operator action, a
notice, …) numbered by a gap-free ``seq``. It is sealed in two steps so that its *content* can be
destroyed after its retention period without breaking the chain:

- ``digest = SHA-256(salt ‖ 0x0A ‖ canonical([customer_id, payload]))`` — a salted commitment to
  the content (the customer and the canonical JSON payload text). The salt is random (drawn by
  the engine), so a destroyed record cannot be confirmed by guessing its content.
- ``hash = SHA-256(prev_hash ‖ 0x0A ‖ canonical([seq, at, kind, ref, digest]))`` — the link:
  each record commits to the one before it (``prev_hash``; the first record of a chain points at
  :data:`GENESIS`) and to its own header and digest.

**Shredding** (retention ran out) blanks ``customer_id``, ``payload`` and ``salt`` and keeps
``digest``; the link still verifies, only the content check is skipped (``shredded``).
**Purging** then deletes a prefix of shredded records; verification starts from an
:class:`Anchor` (the last destroyed ``seq`` and its hash, taken from a signed purge proof).

**Verification** (:class:`ChainVerifier`, streaming, in ``seq`` order as stored) reports every
:class:`Fault` with the record where it shows, and re-synchronises on the stored values so that
later independent faults are found too:

- ``out_of_order`` — a seq not greater than the one before (a swap or a duplicate);
- ``missing`` — a seq jump (records deleted, or moved further down);
- ``edited`` — the content does not match the digest, or the header/digest not the hash;
- ``unlinked`` — ``prev_hash`` is not the hash of the record before (a record before it was
  replaced with a recomputed hash, or this one was moved here);
- ``checkpoint`` — a checkpoint's hash for this seq differs from the record's;
- ``truncated`` — a checkpoint names a seq past the end of the chain (the tail was deleted).

A single edit, deletion (not of the last record: only a checkpoint or the exported head shows
that) or swap is always reported first at the record where it happened.

**Merkle roots** (:func:`merkle_root`) follow RFC 6962: leaves ``SHA-256(0x00 ‖ leaf)``, nodes
``SHA-256(0x01 ‖ left ‖ right)``, split at the largest power of two below the leaf count; the
root of no leaves is ``SHA-256("")``.

**Retention** periods are whole years (calendar, on KST dates) or days: :func:`parse_period`,
:func:`expires_at`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from json.encoder import encode_basestring
from typing import NamedTuple

__all__ = [
    "GENESIS",
    "Anchor",
    "ChainVerifier",
    "Fault",
    "Period",
    "Record",
    "canonical",
    "content_digest",
    "expires_at",
    "link_hash",
    "merkle_root",
    "parse_period",
    "seal",
    "shred",
    "verify_chain",
]

#: The ``prev_hash`` of the first record of a chain (64 zeros).
GENESIS = "0" * 64
_SEP = b"\n"
_US_PER_DAY = 86_400_000_000
_KST_US = 9 * 3_600_000_000
_EPOCH = date(1970, 1, 1)


def _plain(value: object) -> object:
    """``value`` if it is JSON without floats; TypeError otherwise."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("record payload keys must be strings")
        return {k: _plain(v) for k, v in value.items()}
    raise TypeError(f"not allowed in a record payload: {type(value).__name__}")


_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


_FLAT = frozenset({str, int, bool, type(None)})


def canonical(value: object) -> str:
    """Canonical JSON text: sorted keys, no spaces, UTF-8 characters kept, integers only (a
    float, a non-string key or any other type raises TypeError)."""
    if (  # the usual payload: a flat dict of plain values, nothing to convert
        type(value) is dict
        and all(type(k) is str for k in value)
        and all(type(v) in _FLAT for v in value.values())
    ):
        return _ENCODE(value)
    return _ENCODE(_plain(value))


def _sha(*parts: str) -> str:
    return hashlib.sha256(_SEP.join(p.encode() for p in parts)).hexdigest()


# The two texts every record hashes have fixed shapes, so they are written directly: a JSON
# string is exactly what ``encode_basestring`` (the json module's own, ensure_ascii off) makes of
# it, an int its decimal text. The result equals ``canonical`` of the same list (a property test
# checks it); anything outside these types takes the general path.


def content_digest(salt: str, customer_id: str, payload: str) -> str:
    """The salted commitment to a record's content (``payload`` is canonical JSON text)."""
    if type(customer_id) is str and type(payload) is str:
        text = f"{salt}\n[{encode_basestring(customer_id)},{encode_basestring(payload)}]"
        return hashlib.sha256(text.encode()).hexdigest()
    return _sha(salt, canonical([customer_id, payload]))


def link_hash(prev_hash: str, seq: int, at: int, kind: str, ref: int | None, digest: str) -> str:
    """The chain hash of a record's header and digest after ``prev_hash``."""
    if (
        type(seq) is int  # exactly int: a bool would encode as true/false
        and type(at) is int
        and type(kind) is str
        and (ref is None or type(ref) is int)
        and type(digest) is str
    ):
        ref_text = "null" if ref is None else str(ref)
        head = f"[{seq},{at},{encode_basestring(kind)},{ref_text},{encode_basestring(digest)}]"
        return hashlib.sha256(f"{prev_hash}\n{head}".encode()).hexdigest()
    return _sha(prev_hash, canonical([seq, at, kind, ref, digest]))


class Record(NamedTuple):
    """One sealed record as stored. ``ref`` is the seq a correction refers to (else None);
    ``salt`` is empty once shredded. Times are epoch µs (UTC). A named tuple: it is made for
    every record written, and storage takes it as the row it is (fields in column order)."""

    seq: int
    at: int
    kind: str
    customer_id: str
    payload: str
    ref: int | None
    salt: str
    digest: str
    prev_hash: str
    hash: str

    @property
    def shredded(self) -> bool:
        return self.salt == ""


def seal(
    prev_hash: str,
    seq: int,
    at: int,
    kind: str,
    customer_id: str,
    payload: str,
    *,
    salt: str,
    ref: int | None = None,
) -> Record:
    """The record ``seq`` after the record whose hash is ``prev_hash`` (``salt`` non-empty)."""
    if not salt:
        raise ValueError("a record needs a non-empty salt")
    digest = content_digest(salt, customer_id, payload)
    return Record(
        seq,
        at,
        kind,
        customer_id,
        payload,
        ref,
        salt,
        digest,
        prev_hash,
        link_hash(prev_hash, seq, at, kind, ref, digest),
    )


def shred(record: Record) -> Record:
    """``record`` with its content destroyed (digest, header and links kept)."""
    return Record(
        record.seq,
        record.at,
        record.kind,
        "",
        "",
        record.ref,
        "",
        record.digest,
        record.prev_hash,
        record.hash,
    )


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where verification starts: the last seq before the first record and its hash
    (``Anchor()``: the genesis; after a purge: the proof's last destroyed record)."""

    seq: int = 0
    hash: str = GENESIS


@dataclass(frozen=True, slots=True)
class Fault:
    """A verification failure at record ``seq`` (the stored seq; for ``truncated`` the
    checkpointed seq that is gone), ``position`` its 0-based place in the verified stream."""

    seq: int
    position: int
    kind: str
    detail: str


class ChainVerifier:
    """Streaming verification (see the module docstring). ``checkpoints`` maps a seq to the
    hash an external checkpoint recorded for it."""

    def __init__(self, anchor: Anchor = Anchor(), checkpoints: Mapping[int, str] | None = None):
        self._seq = anchor.seq
        self._hash = anchor.hash
        self._checkpoints = dict(checkpoints or {})
        self.position = 0
        self.count = 0

    @property
    def head(self) -> Anchor:
        """The last record verified (its stored seq and hash)."""
        return Anchor(self._seq, self._hash)

    def feed(self, rec: Record) -> list[Fault]:
        """Check the next stored record; return its faults (empty when it verifies)."""
        faults: list[Fault] = []

        def fault(kind: str, detail: str) -> None:
            faults.append(Fault(rec.seq, self.position, kind, detail))

        expected = self._seq + 1
        if rec.seq < expected:
            fault("out_of_order", f"seq {rec.seq} comes after seq {self._seq}")
        elif rec.seq > expected:
            fault(
                "missing",
                f"seq jumps from {self._seq} to {rec.seq}: records {expected}..{rec.seq - 1} "
                "were deleted or moved",
            )
        if not rec.shredded and content_digest(rec.salt, rec.customer_id, rec.payload) != (
            rec.digest
        ):
            fault("edited", "its content does not match its digest")
        if link_hash(rec.prev_hash, rec.seq, rec.at, rec.kind, rec.ref, rec.digest) != rec.hash:
            fault("edited", "its header or digest does not match its hash")
        if not faults and rec.prev_hash != self._hash:
            fault("unlinked", f"it does not link to the record before it (seq {self._seq})")
        want = self._checkpoints.pop(rec.seq, None)
        if want is not None and want != rec.hash:
            fault("checkpoint", "its hash differs from the checkpoint's")
        self._seq, self._hash = rec.seq, rec.hash
        self.position += 1
        self.count += 1
        return faults

    def finish(self) -> list[Fault]:
        """Faults that show only at the end: checkpointed seqs never seen."""
        return [
            Fault(seq, self.position, "truncated", f"checkpointed record {seq} is gone")
            for seq in sorted(self._checkpoints)
            if seq > self._seq
        ]


def verify_chain(
    records: Iterable[Record],
    anchor: Anchor = Anchor(),
    checkpoints: Mapping[int, str] | None = None,
) -> list[Fault]:
    """Every fault of ``records`` (in stored order) after ``anchor``."""
    verifier = ChainVerifier(anchor, checkpoints)
    faults: list[Fault] = []
    for rec in records:
        faults.extend(verifier.feed(rec))
    return faults + verifier.finish()


def merkle_root(leaves: Sequence[str]) -> str:
    """The RFC 6962 Merkle tree hash (hex) over ``leaves`` (hex record hashes, in seq order)."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = [hashlib.sha256(b"\x00" + bytes.fromhex(x)).digest() for x in leaves]
    return _subtree(level).hex()


def _subtree(nodes: list[bytes]) -> bytes:
    if len(nodes) == 1:
        return nodes[0]
    split = 1 << ((len(nodes) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _subtree(nodes[:split]) + _subtree(nodes[split:])).digest()


@dataclass(frozen=True, slots=True)
class Period:
    """A retention period: ``years`` calendar years plus ``days`` days."""

    years: int = 0
    days: int = 0

    def __str__(self) -> str:
        return f"{self.years}y" if not self.days else f"{self.years}y{self.days}d"


def parse_period(text: str) -> Period:
    """``"10y"``, ``"90d"`` or ``"1y30d"`` (non-negative); ValueError otherwise."""
    raw = text.strip().lower()
    if not raw:
        raise ValueError("an empty retention period")
    years = days = 0
    if "y" in raw:
        head, _, raw = raw.partition("y")
        years = _count(head, text)
    if raw:
        if not raw.endswith("d"):
            raise ValueError(f"not a retention period: {text!r} (use e.g. 10y or 90d)")
        days = _count(raw[:-1], text)
    return Period(years, days)


def _count(digits: str, text: str) -> int:
    if not digits.isdigit():
        raise ValueError(f"not a retention period: {text!r} (use e.g. 10y or 90d)")
    return int(digits)


def expires_at(at: int, period: Period) -> int:
    """The first instant (epoch µs) a record made at ``at`` is past ``period``: the KST date of
    ``at`` plus the period (29 February becomes 1 March in a common year), at the same KST time
    of day."""
    local = at + _KST_US
    day = _EPOCH + timedelta(days=local // _US_PER_DAY)
    year = day.year + period.years
    try:
        moved = day.replace(year=year)
    except ValueError:  # 29 February into a common year
        moved = date(year, 3, 1)
    moved += timedelta(days=period.days)
    return (moved - _EPOCH).days * _US_PER_DAY + local % _US_PER_DAY - _KST_US
