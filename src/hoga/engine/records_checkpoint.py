"""Checkpoints of the record chain (see :mod:`hoga.engine.records`): when one is due, its body,
and a *draft* — the record hashes read in a read-only unit of work and their Merkle root computed
with no transaction open — that a short write unit adds if nothing it was built on changed.

A day has millions of records: reading their hashes and hashing the tree inside the write unit
held the database's write lock (SQLite) for that long, and every other writer waited. Records up
to a head never change once written (a purge shreds but keeps the hash, deletes a prefix, and
adds a proof in the same unit of work), so a draft still holds when the latest proof is the one
it was read with (:meth:`Draft.holds`); otherwise the write unit computes the checkpoint itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from hoga.domain.kst import kst_date
from hoga.domain.records import GENESIS, Anchor, canonical
from hoga.engine.records_signing import Signer
from hoga.ports.storage import RecordLog, RecordProof

__all__ = ["Draft", "checkpoint_body", "due", "latest_id", "read_hashes", "yesterday"]

_PAGE = 10_000  # (seq, hash) pairs per read


def yesterday(now: int) -> str:
    """The label of the daily checkpoint due at ``now``: the previous KST date."""
    return (kst_date(now) - timedelta(days=1)).isoformat()


def latest_id(proofs: Sequence[RecordProof]) -> int:
    """The id of the latest of ``proofs`` (ordered by id; 0 when there is none)."""
    return proofs[-1].id if proofs else 0


def due(
    proofs: Sequence[RecordProof], head: Anchor, daily: str | None
) -> tuple[int, RecordProof | None] | None:
    """``(since, the last checkpoint)`` when a checkpoint over ``head`` is due: something is new
    since the last checkpoint and, for the daily one labelled ``daily``, no daily checkpoint
    with that label or a later one exists. None when nothing is due."""
    checkpoints = [p for p in proofs if p.kind == "checkpoint"]
    last = checkpoints[-1] if checkpoints else None
    if daily is not None:
        labels = [p.label for p in checkpoints if not p.label.startswith("manual")]
        if labels and labels[-1] >= daily:
            return None
    since = last.last_seq if last is not None else 0
    if head.seq <= since:
        return None
    return since, last


def read_hashes(log: RecordLog, since: int, through: int) -> list[str]:
    """The hashes of the records with ``since < seq <= through``, by seq."""
    hashes: list[str] = []
    after = since
    while True:
        page = log.hashes(after, through, _PAGE)
        if not page:
            return hashes
        hashes.extend(h for _, h in page)
        after = page[-1][0]


@dataclass(frozen=True, slots=True)
class Draft:
    """A checkpoint computed from a read-only snapshot: ``count`` records after ``since``
    through ``head``, their Merkle root, and the id of the latest proof then (``latest``)."""

    label: str
    since: int
    head: Anchor
    count: int
    root: str
    latest: int

    def holds(self, label: str, proofs: Sequence[RecordProof], head: Anchor) -> bool:
        """Whether the draft can be added as checkpoint ``label`` to a chain at ``head`` with
        ``proofs``: same label, no proof (checkpoint or purge) added since it was read."""
        return (
            self.label == label and latest_id(proofs) == self.latest and self.head.seq <= head.seq
        )


def checkpoint_body(
    label: str,
    now: int,
    since: int,
    head: Anchor,
    count: int,
    root: str,
    last: RecordProof | None,
    signer: Signer | None,
) -> tuple[str, str]:
    """The checkpoint's canonical body (format in :mod:`hoga.engine.records`) and its
    signature (empty without a signer)."""
    body = canonical(
        {
            "v": 1,
            "type": "hoga.records.checkpoint",
            "label": label,
            "at": now,
            "first_seq": since + 1,
            "last_seq": head.seq,
            "count": count,
            "head_hash": head.hash,
            "merkle_root": root,
            "prev": _sha(last.body) if last is not None else GENESIS,
            "alg": "sha256+ed25519",
            "key": signer.public_hex if signer else "",
        }
    )
    return body, signer.sign(body) if signer else ""


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
