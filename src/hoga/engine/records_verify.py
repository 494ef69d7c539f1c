"""Verifying the record chain (:mod:`hoga.engine.records`): the signatures of every proof, the
chain from the latest purge anchor with every checkpoint's head hash, each checkpoint's Merkle
root, and records shredded before their retention ended."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from hoga.domain.records import Anchor, ChainVerifier, Fault, Record, expires_at, merkle_root
from hoga.engine.records_checkpoint import read_hashes
from hoga.engine.records_policy import RetentionPolicy, VerifyReport
from hoga.engine.records_signing import verify_signature
from hoga.ports.storage import RecordProof, UnitOfWork

__all__ = ["purge_anchor", "stored_records", "verify_log"]

PAGE = 1_000  # records read at a time


def stored_records(uow: UnitOfWork) -> Iterator[Record]:
    """Every record in ``uow``'s log by seq, read a page at a time."""
    after = 0
    while True:
        page = uow.record_log.read(after, limit=PAGE)
        if not page:
            return
        yield from page
        after = page[-1].seq


def purge_anchor(purges: Sequence[RecordProof]) -> Anchor:
    """Where the chain starts after the latest purge (the genesis anchor when none)."""
    for proof in reversed(purges):
        body = json.loads(proof.body)
        anchor = body.get("anchor")
        if anchor:
            return Anchor(int(anchor["seq"]), str(anchor["hash"]))
    return Anchor()


def verify_log(uow: UnitOfWork, public_key: str | None = None) -> VerifyReport:
    """Check everything stored in ``uow``'s record log (``public_key``: pin the proofs' key)."""
    problems: list[str] = []
    proofs = uow.record_log.proofs()
    purges = [p for p in proofs if p.kind == "purge"]
    checkpoints = [p for p in proofs if p.kind == "checkpoint"]
    for p in proofs:
        problems.extend(_check_proof(p, public_key))
    anchor = purge_anchor(purges)
    heads: dict[int, str] = {}
    for p in checkpoints:
        body = json.loads(p.body)
        if p.last_seq > anchor.seq:
            heads[p.last_seq] = str(body.get("head_hash"))
    verifier = ChainVerifier(anchor, heads)
    faults: list[Fault] = []
    last = json.loads(purges[-1].body) if purges else {}
    last_purge = last.get("at")
    kept = dict(last.get("retention") or {"*": "10y"})  # as the last purge applied it
    policy = RetentionPolicy.parse(
        ",".join(f"{k}={v}" for k, v in kept.items() if k != "*"), kept.pop("*", "10y")
    )
    for rec in stored_records(uow):
        faults.extend(verifier.feed(rec))
        if rec.shredded and (
            last_purge is None or expires_at(rec.at, policy.period(rec.kind)) > last_purge
        ):
            problems.append(f"record {rec.seq} was shredded before its retention ended")
    faults.extend(verifier.finish())
    for p in checkpoints:
        problems.extend(_check_root(uow, p, anchor))
    return VerifyReport(
        verifier.count,
        verifier.head,
        anchor,
        tuple(faults),
        tuple(problems),
        public_key is not None,
    )


def _check_proof(p: RecordProof, public_key: str | None) -> list[str]:
    body = json.loads(p.body)
    key = public_key or str(body.get("key") or "")
    if not p.signature:
        if p.kind == "purge" or public_key is not None:
            return [f"{p.kind} proof {p.id} is not signed"]
        return []
    if not verify_signature(key, p.body, p.signature):
        return [f"{p.kind} proof {p.id} has a bad signature"]
    return []


def _check_root(uow: UnitOfWork, p: RecordProof, anchor: Anchor) -> list[str]:
    body = json.loads(p.body)
    first, last = int(body["first_seq"]), int(body["last_seq"])
    if first <= anchor.seq:
        return []  # (partly) purged: the purge proof vouches for it
    hashes = read_hashes(uow.record_log, first - 1, last)  # hashes only, paged
    if merkle_root(hashes) != body.get("merkle_root"):
        return [f"checkpoint {p.id} ({p.label}): records {first}..{last} do not match its root"]
    return []
