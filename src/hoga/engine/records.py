"""The recorder (terms art. 14): every API call, order event, ledger entry, operator action and
notice in records of one hash chain (:mod:`hoga.domain.records`), with daily checkpoints,
retention, signed purge proofs, verification and the customer's export.

**API calls** are gathered per customer: one ``api.call`` record holds a customer's calls from
its first one for up to ``call_span_us`` (1 s by default) or ``calls_per_record`` calls, as
``{"calls": [{"api_id", "appkey", "at", "ip", "rc", "status"}, ...]}`` in arrival order, dated
by its first call. A call costs the request path two list appends; sealing and storing a record
per call was most of the record chain's cost and of its size (a bot at 5 queries a second left
432,000 records a day).

**Writing.** :meth:`Recorder.record` only appends to an in-memory buffer (cheap on the request
path). :meth:`Recorder.flush` writes the buffer in *one* unit of work: it takes the appenders'
lock (``record_log.lock``; SQLite units of work hold the write lock anyway), reads the chain head,
closes yesterday's checkpoint if due, pulls the new rows of the chained tables (*tails*: the
ledger journal, the security record — authentication failures and actions on keys —, incident
notices, outbox notices; each with a cursor in ``settings``), seals everything after the head and
appends it. One writer at a time makes the chain order well-defined, also across processes.
:meth:`Recorder.start` runs a background task that flushes every ``flush_interval_us`` (100 ms by
default, or sooner when ``max_batch`` records wait) and reads the tails at every tenth interval
(their rows are already durable; a direct :meth:`Recorder.flush` always reads them);
:meth:`Recorder.aclose` flushes on shutdown. The background flush reads the head and appends
in worker threads but seals on the event loop, a slice of records at a time: sealing is Python
work, and in a worker thread it took the GIL from the loop in switch-interval steps.
*Durability:* a record is durable within one flush interval, an API call within its batch's
span plus one interval (a direct :meth:`Recorder.flush` and :meth:`Recorder.aclose` write open
batches too); "acknowledged means durable" for orders is the brokerage's own journal and order
rows (which the journal tail chains anyway).

**Timing.** Records are dated by the application clock (the simulated market clock), like
orders and the ledger; tailed rows keep their own ``at``.

**Checkpoints.** At the first flush of a KST day the records since the previous checkpoint are
closed under yesterday's label: ``{first_seq, last_seq, count, head_hash, merkle_root (RFC 6962
over the record hashes), prev (the previous checkpoint's body hash)}``, signed with the
operator's Ed25519 key when one is configured. The hashes are read in a read-only unit and the
root computed outside any transaction (:mod:`hoga.engine.records_checkpoint`): the write unit
only adds it, over the head that was read, unless another writer added a proof meanwhile (then it
computes the checkpoint itself). Export the checkpoints (:meth:`Recorder.proofs`) and keep
them outside hoga: they turn "tamper-evident" into "tamper-detectable by a third party".

**Retention and purge.** Each record kind has a class (the part before the first ``.``) and a
:class:`~hoga.domain.records.Period` (:class:`RetentionPolicy`; 10 years by default; ``order``,
``trade`` and ``ledger`` never less). :meth:`Recorder.purge` (1) *shreds* every record past its
period — customer, payload and salt are blanked, the salted digest stays, so the chain still
verifies; (2) deletes the longest prefix of shredded records; (3) stores a *purge proof* signed
with Ed25519 (the key is required) that names the destroyed range, its last hash (the new
verification anchor) and the counts per kind; (4) appends a ``records.purge`` record. Anyone with
the public key can check the proof outside hoga (:func:`verify_signature`).

**Verification** (:meth:`Recorder.verify`): signatures of all proofs (against a pinned public key
when given), the chain from the latest purge anchor with every checkpoint's head hash, and each
checkpoint's Merkle root; shredding before a record's retention ended is reported too.

**Corrections** are new records (kind ``correction``) whose ``ref`` is the original's seq.

Signing lives in :mod:`hoga.engine.records_signing`, the tails in
:mod:`hoga.engine.records_sources`, verification in :mod:`hoga.engine.records_verify`, the
in-memory buffer (notes, call batches, salts) in :mod:`hoga.engine.records_buffer`.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import io
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from hoga.domain.kst import kst_date, kst_datetime
from hoga.domain.records import (
    GENESIS,
    Anchor,
    Record,
    canonical,
    expires_at,
    merkle_root,
    seal,
)
from hoga.engine.records_buffer import (
    Note,
    OpenCalls,
    Pending,
    SaltPool,
    note_values,
    payload_text,
    plain_value,
)
from hoga.engine.records_checkpoint import (
    Draft,
    checkpoint_body,
    due,
    latest_id,
    read_hashes,
    yesterday,
)
from hoga.engine.records_policy import CORE_CLASSES, PurgeResult, RetentionPolicy, VerifyReport
from hoga.engine.records_signing import Signer, verify_signature
from hoga.engine.records_sources import TAILS, Tail
from hoga.engine.records_verify import purge_anchor, stored_records, verify_log
from hoga.ports.clock import Clock
from hoga.ports.storage import RecordProof, Storage, UnitOfWork

__all__ = [
    "CORE_CLASSES",
    "PurgeResult",
    "Recorder",
    "RetentionPolicy",
    "Signer",
    "VerifyReport",
    "export_csv",
    "verify_signature",
]

log = logging.getLogger(__name__)

_SLICE = 128  # records sealed on the event loop between two yields (~0.5 ms)
_Prepared = tuple[Anchor, list[Pending], list[tuple[str, int]], list[str]]
Payload = Mapping[str, Any]


def _proof_json(p: RecordProof) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind,
        "label": p.label,
        "body": p.body,
        "signature": p.signature,
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- the recorder ----------------------------------------------------------------------------


class Recorder:
    """The record chain's single writer in this process (see the module docstring)."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        *,
        retention: RetentionPolicy | None = None,
        signer: Signer | None = None,
        flush_interval_us: int = 100_000,
        max_batch: int = 1_000,
        call_span_us: int = 1_000_000,
        calls_per_record: int = 100,
        tails: Mapping[str, Tail] | None = None,
        salt: Callable[[], str] | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.retention = retention or RetentionPolicy()
        self.signer = signer
        self.flush_interval_us = flush_interval_us
        self.max_batch = max_batch
        self._tails = dict(TAILS if tails is None else tails)
        self._salt = salt if salt is not None else SaltPool()
        self._buffer: list[Pending] = []
        self._buffer_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._owners: dict[str, str] = {}  # account -> customer
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._closed_label = ""
        self._sealing: int | None = None  # the thread whose loop seals a background flush
        self._calls = OpenCalls(call_span_us, calls_per_record)  # under the buffer lock
        self._note_fields: dict[type, tuple[tuple[str, ...], bool]] = {}  # see on_note

    # ------------------------------------------------------------------ recording (cheap)

    def record(
        self,
        kind: str,
        payload: Payload,
        *,
        customer_id: str = "",
        account: str = "",
        ref: int | None = None,
        at: int | None = None,
    ) -> None:
        """Buffer one record (written by the next flush). ``account`` names the customer when
        ``customer_id`` is empty; ``payload`` is JSON without floats (TypeError otherwise)."""
        pending = Pending(
            self.clock.now() if at is None else at,
            kind,
            customer_id,
            account,
            canonical(dict(payload)),
            ref,
        )
        with self._buffer_lock:
            self._buffer.append(pending)
            full = len(self._buffer) >= self.max_batch
        if full and self._wake is not None:
            self._wake.set()

    def api_call(
        self,
        customer_id: str,
        appkey: str,
        api_id: str,
        ip: str,
        status: int,
        return_code: int,
        *,
        at: int | None = None,
    ) -> None:
        """One API call and how it ended (HTTP status, Kiwoom ``return_code``) at ``at`` (None:
        now), added to the customer's open call batch (see the module docstring). Called on
        every REST request: the call's canonical text is remembered per distinct value set."""
        parts = self._calls.parts(appkey, api_id, ip, status, return_code)
        when = self.clock.now() if at is None else at
        full = False
        with self._buffer_lock:
            filled = self._calls.add(customer_id, when, parts)
            if filled is not None:
                self._buffer.append(filled)
                full = len(self._buffer) >= self.max_batch
        if full and self._wake is not None:
            self._wake.set()

    def operator_action(self, actor: str, action: str, detail: Payload) -> None:
        """An operator's action through the operator API (``actor``: who, e.g. ``"token"``);
        values of ``detail`` that are not JSON without floats are kept as their text."""
        self.record(
            "operator.action", {"actor": actor, "action": action, "detail": _jsonable(detail)}
        )

    def on_note(self, account: str, kind: str, note: Any) -> None:
        """Brokerage listener (its ``notify`` hook): order events and fills of ``account``.
        The payload is the note's dataclass fields (None, booleans, integers and text kept, a
        nested dataclass — a holding — as an object of its fields, anything else as its
        ``value`` or text: always a valid payload). A frozen note
        (the brokerage's) is kept as it is and turned into its canonical text by the flush,
        off the request path; the values of any other note are taken now."""
        spec = self._note_fields.get(type(note))
        if spec is None:
            params = getattr(note, "__dataclass_params__", None)
            names = tuple(getattr(note, "__dataclass_fields__", {}))
            spec = self._note_fields[type(note)] = (names, bool(params and params.frozen))
        names, frozen = spec
        status = str(plain_value(note.status)) if "status" in names else ""
        record_kind = "trade.fill" if kind == "order" and status == "체결" else f"{kind}.event"
        if kind == "balance":
            record_kind = "trade.balance"
        at = (int(plain_value(note.at)) if "at" in names else 0) or self.clock.now()
        payload = Note(note, names) if frozen else note_values(note, names)
        pending = Pending(at, record_kind, "", account, payload, None)
        with self._buffer_lock:
            self._buffer.append(pending)
            full = len(self._buffer) >= self.max_batch
        if full and self._wake is not None:
            self._wake.set()

    def correct(self, original_seq: int, reason: str, payload: Payload) -> Record:
        """Append a correction of record ``original_seq`` now (KeyError if there is none)."""
        self.flush()
        with self.storage.unit_of_work() as uow:
            original = uow.record_log.get(original_seq)
        if original is None:
            raise KeyError(original_seq)
        self.record(
            "correction",
            {"reason": reason, "correction": dict(payload), "of_kind": original.kind},
            customer_id=original.customer_id,
            ref=original_seq,
        )
        self.flush()
        with self.storage.unit_of_work() as uow:
            head = uow.record_log.last()
        assert head is not None
        return head

    def _written(self) -> None:
        """Return once this process's records so far are in storage: a flush in flight (its
        batch has left the buffer but is not committed yet) is waited for, then what is still
        buffered is written."""
        with self._write_lock:
            pass
        if self.pending:
            self.flush()

    @property
    def pending(self) -> int:
        """Records not written yet: buffered ones and open call batches."""
        with self._buffer_lock:
            return len(self._buffer) + len(self._calls)

    def _ready(self) -> int:
        """How many records the background flush would write now (due call batches closed)."""
        with self._buffer_lock:
            self._buffer += self._calls.close(self.clock.now())
            return len(self._buffer)

    # ------------------------------------------------------------------ writing

    def flush(self, *, tails: bool = True) -> int:
        """Write the buffer and (``tails``) the tails in one unit of work; return how many
        records."""
        if self._sealing == threading.get_ident():
            # the background flush seals on this thread's event loop and holds the write lock
            # between its steps: waiting for it here would never end
            raise RuntimeError("Recorder.flush on the event loop: call it from a worker thread")
        with self._write_lock:
            with self._buffer_lock:
                self._buffer += self._calls.close(None)
                batch, self._buffer = self._buffer, []
            try:
                return self._flush(batch, tails)
            except BaseException:
                self._giveback(batch)
                raise

    def _giveback(self, batch: list[Pending]) -> None:
        """Put a batch that was not written back in front of the buffer."""
        self._closed_label = ""
        with self._buffer_lock:  # keep them for the next attempt
            self._buffer[:0] = batch

    def _flush(self, batch: list[Pending], tails: bool) -> int:
        """Seal and append ``batch`` (and the tails). Usually in two steps, so that the
        database's write lock is held only for the append: the head, the tails and the owners
        are read in a read-only unit, the records sealed with no transaction open, then one
        short write unit checks that the head did not move (another process may append too)
        and appends. If something moved — or a checkpoint is due — everything
        is done again inside the write unit, as one transaction."""
        prepared = self._prepare(batch, tails)
        if prepared is None:
            return self._write_all(batch, tails)
        head, items, cursors, customers = prepared
        return self._append(head, self._seal(head, items, customers), cursors, batch, tails)

    def _prepare(self, batch: list[Pending], tails: bool) -> _Prepared | None:
        """The first step of a two-step flush (a read-only unit): the head, the items (the
        batch and the tails' new rows), the tails' cursors and each item's customer. None when
        the day's checkpoint has not been looked at yet (the one-unit path does that)."""
        label = (kst_date(self.clock.now()) - timedelta(days=1)).isoformat()
        if self._closed_label != label:
            return None
        with self.storage.unit_of_work(read_only=True) as uow:
            head = self._head(uow)
            items, cursors = self._gather(uow, batch, tails)
            customers = [i.customer_id or self._owner(uow, i.account) for i in items]
        return head, items, cursors, customers

    def _append(
        self,
        head: Anchor,
        sealed: list[Record],
        cursors: list[tuple[str, int]],
        batch: list[Pending],
        tails: bool,
    ) -> int:
        """The last step: append ``sealed`` if the head is still ``head``, else do the whole
        flush of ``batch`` again in this write unit."""
        with self.storage.unit_of_work() as uow:
            uow.record_log.lock()
            # a tail cursor only ever moves with an append, so an unmoved head means
            # unmoved cursors too
            if self._head(uow) == head:
                for key, after in cursors:
                    uow.settings.put(key, after)
                uow.record_log.append(sealed)
                return len(sealed)
            return self._write(uow, batch, tails=tails)  # moved: all in this unit

    def _write_all(self, batch: list[Pending], tails: bool) -> int:
        draft = self._draft(self.clock.now())  # a due checkpoint, read before the write lock
        with self.storage.unit_of_work() as uow:
            return self._write(uow, batch, tails=tails, draft=draft)

    def _head(self, uow: UnitOfWork) -> Anchor:
        last = uow.record_log.last()
        if last is not None:
            return Anchor(last.seq, last.hash)
        return purge_anchor(uow.record_log.proofs("purge"))

    def _gather(
        self, uow: UnitOfWork, batch: list[Pending], tails: bool
    ) -> tuple[list[Pending], list[tuple[str, int]]]:
        """The batch plus the tails' new rows, and each moved cursor (key, new value)."""
        items = list(batch)
        cursors: list[tuple[str, int]] = []
        for key, tail in self._tails.items() if tails else ():
            cursor = uow.settings.get(key)
            after = cursor if isinstance(cursor, int) else 0
            rows = tail(uow, after)
            for t in rows:
                items.append(Pending(t.at, t.kind, t.customer_id, t.account, canonical(t.payload)))
            if rows:
                cursors.append((key, rows[-1].id))
        return items, cursors

    def _seal(self, head: Anchor, items: list[Pending], customers: list[str]) -> list[Record]:
        sealed: list[Record] = []
        prev_hash, seq, salt = head.hash, head.seq, self._salt
        for item, customer in zip(items, customers, strict=True):
            seq += 1
            rec = seal(
                prev_hash,
                seq,
                item.at,
                item.kind,
                customer,
                payload_text(item.payload),
                salt=salt(),
                ref=item.ref,
            )
            sealed.append(rec)
            prev_hash = rec.hash
        return sealed

    def _write(
        self,
        uow: UnitOfWork,
        batch: list[Pending],
        *,
        tails: bool = True,
        draft: Draft | None = None,
    ) -> int:
        uow.record_log.lock()
        head = self._head(uow)
        now = self.clock.now()
        self._maybe_checkpoint(uow, head, now, draft)
        items, cursors = self._gather(uow, batch, tails)
        for key, after in cursors:
            uow.settings.put(key, after)
        customers = [i.customer_id or self._owner(uow, i.account) for i in items]
        sealed = self._seal(head, items, customers)
        uow.record_log.append(sealed)
        return len(sealed)

    def _owner(self, uow: UnitOfWork, account: str) -> str:
        if not account:
            return ""
        if account not in self._owners:
            rec = uow.accounts.get(account)
            if rec is None:
                return ""
            self._owners[account] = rec.customer_id
        return self._owners[account]

    # ------------------------------------------------------------------ checkpoints

    def _maybe_checkpoint(
        self, uow: UnitOfWork, head: Anchor, now: int, draft: Draft | None = None
    ) -> RecordProof | None:
        label = yesterday(now)
        if self._closed_label == label:  # the fast path: yesterday was already looked at
            return None
        self._closed_label = label
        return self._close(uow, label, head, now, draft, daily=True)

    def _draft(self, now: int, label: str | None = None) -> Draft | None:
        """The checkpoint due at ``now`` (``label`` None: yesterday's daily one, if not looked
        at yet; else a manual one) computed in a read-only unit and outside any transaction —
        the write unit only checks that it still holds (:mod:`hoga.engine.records_checkpoint`)."""
        tag = label if label is not None else yesterday(now)
        if label is None and self._closed_label == tag:
            return None
        with self.storage.unit_of_work(read_only=True) as uow:
            proofs = uow.record_log.proofs()
            head = self._head(uow)
            found = due(proofs, head, tag if label is None else None)
            if found is None:
                return None
            hashes = read_hashes(uow.record_log, found[0], head.seq)
        return Draft(tag, found[0], head, len(hashes), merkle_root(hashes), latest_id(proofs))

    def _close(
        self,
        uow: UnitOfWork,
        label: str,
        head: Anchor,
        now: int,
        draft: Draft | None,
        *,
        daily: bool,
    ) -> RecordProof | None:
        """Add checkpoint ``label`` if one is due: the draft when it still holds, else computed
        in this write unit (another process added a proof since the draft was read)."""
        proofs = uow.record_log.proofs()
        found = due(proofs, head, label if daily else None)
        if found is None:
            return None
        since, last = found
        if draft is not None and draft.holds(label, proofs, head):
            since, head, count, root = draft.since, draft.head, draft.count, draft.root
        else:
            hashes = read_hashes(uow.record_log, since, head.seq)
            count, root = len(hashes), merkle_root(hashes)
        body, signature = checkpoint_body(label, now, since, head, count, root, last, self.signer)
        return uow.record_log.add_proof("checkpoint", label, now, head.seq, body, signature)

    def checkpoint(self, label: str | None = None) -> RecordProof | None:
        """Close a checkpoint now over everything since the last one (``label`` defaults to
        ``"manual:<KST time>"``); None when nothing is new."""
        self.flush()
        now = self.clock.now()
        tag = label or f"manual:{kst_datetime(now).isoformat()}"
        draft = self._draft(now, tag)
        with self._write_lock, self.storage.unit_of_work() as uow:
            uow.record_log.lock()
            return self._close(uow, tag, self._head(uow), now, draft, daily=False)

    def proofs(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Checkpoints and purge proofs as exportable documents (body, signature)."""
        with self.storage.unit_of_work() as uow:
            return [_proof_json(p) for p in uow.record_log.proofs(kind)]

    # ------------------------------------------------------------------ retention

    def purge(self, now: int | None = None, *, actor: str = "") -> PurgeResult:
        """Destroy what is past retention at ``now`` (default: the clock) and leave a signed
        proof (see the module docstring). ValueError without a signing key."""
        if self.signer is None:
            raise ValueError("purging needs the operator's Ed25519 signing key (records key)")
        self.flush()
        at = self.clock.now() if now is None else now
        with self._write_lock, self.storage.unit_of_work() as uow:
            uow.record_log.lock()
            head = self._head(uow)
            purges = uow.record_log.proofs("purge")
            before = purge_anchor(purges)
            expired: list[int] = []
            by_kind: dict[str, int] = {}
            prefix_end = before.seq  # the last seq of the leading run of shredded records
            prefix_hash = before.hash
            in_prefix = True
            for rec in stored_records(uow):
                gone = rec.shredded or expires_at(rec.at, self.retention.period(rec.kind)) <= at
                if gone and not rec.shredded:
                    expired.append(rec.seq)
                    by_kind[rec.kind] = by_kind.get(rec.kind, 0) + 1
                if in_prefix and gone:
                    prefix_end, prefix_hash = rec.seq, rec.hash
                else:
                    in_prefix = False
            deleted_count = prefix_end - before.seq
            if not expired and not deleted_count:
                return PurgeResult(None, 0, 0)
            for i in range(0, len(expired), 500):
                uow.record_log.shred(expired[i : i + 500])
            deleted = uow.record_log.delete_through(prefix_end) if deleted_count else 0
            anchor = Anchor(prefix_end, prefix_hash)
            body = canonical(
                {
                    "v": 1,
                    "type": "hoga.records.purge",
                    "at": at,
                    "actor": actor,
                    "deleted": {
                        "first_seq": before.seq + 1 if deleted else None,
                        "last_seq": prefix_end if deleted else None,
                        "count": deleted,
                    },
                    "shredded": {
                        "count": len(expired),
                        "seqs_sha256": _sha(canonical(expired)),
                        "by_kind": by_kind,
                    },
                    "anchor": {"seq": anchor.seq, "hash": anchor.hash},
                    "previous_anchor": {"seq": before.seq, "hash": before.hash},
                    "head": {"seq": head.seq, "hash": head.hash},
                    "retention": self.retention.describe(),
                    "prev": _sha(purges[-1].body) if purges else GENESIS,
                    "alg": "ed25519",
                    "key": self.signer.public_hex,
                }
            )
            proof = uow.record_log.add_proof(
                "purge", "", at, prefix_end, body, self.signer.sign(body)
            )
            summary = {"proof_id": proof.id, "deleted": deleted, "shredded": len(expired)}
            rec = seal(
                head.hash,
                head.seq + 1,
                at,
                "records.purge",
                "",
                canonical({"actor": actor, **summary}),
                salt=self._salt(),
            )
            uow.record_log.append([rec])
        return PurgeResult(proof, len(expired), deleted)

    # ------------------------------------------------------------------ verification

    def verify(self, public_key: str | None = None) -> VerifyReport:
        """Check proofs, the chain and the checkpoints (:func:`verify_log`); writes only this
        process's buffered records first."""
        self._written()
        with self.storage.unit_of_work() as uow:
            return verify_log(uow, public_key)

    # ------------------------------------------------------------------ export

    def export(
        self, customer_id: str, since: int | None, until: int | None
    ) -> list[dict[str, Any]]:
        """The customer's records with ``since <= at < until`` (art. 14 ③), by seq (this
        process's buffer is written first; tailed tables are chained by the background flush)."""
        self._written()
        with self.storage.unit_of_work() as uow:
            rows = uow.record_log.by_customer(customer_id, since=since, until=until)
        return [
            {
                "seq": r.seq,
                "time": kst_datetime(r.at).isoformat(),
                "at": r.at,
                "kind": r.kind,
                "ref": r.ref,
                "payload": json.loads(r.payload) if r.payload else None,
                "hash": r.hash,
            }
            for r in rows
        ]

    # ------------------------------------------------------------------ background flushing

    def start(self) -> None:
        """Flush in the background every ``flush_interval_us`` (needs a running loop)."""
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._wake is not None
        since_tails = 0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval_us / 1_000_000)
            self._wake.clear()
            since_tails += 1
            tails = since_tails >= 10  # the tailed tables are read every 10 intervals
            if self._ready() or tails:
                if tails:
                    since_tails = 0
                try:  # shielded: a cancelled loop lets a flush in flight finish (aclose)
                    await asyncio.shield(self._flush_sliced(tails))
                except Exception:  # keep recording; the buffer is kept for the next flush
                    log.exception("record flush failed")

    async def _flush_sliced(self, tails: bool) -> int:
        """:meth:`flush` for the background task: reading the head and appending run in
        worker threads, the sealing (Python work: two hashes per record) on the event loop in
        slices of :data:`_SLICE` records. In a worker thread that work held the interpreter
        lock against the loop in switch-interval steps, which stalled requests for tens of
        milliseconds at a time; in slices it delays the loop by well under a millisecond."""
        if not self._write_lock.acquire(blocking=False):  # a flush from another thread
            return await asyncio.to_thread(partial(self.flush, tails=tails))
        self._sealing = threading.get_ident()
        try:
            with self._buffer_lock:
                self._buffer += self._calls.close(self.clock.now())
                batch, self._buffer = self._buffer, []
            try:
                prepared = await asyncio.to_thread(self._prepare, batch, tails)
                if prepared is not None:
                    head, items, cursors, customers = prepared
                    sealed: list[Record] = []
                    at = head
                    for i in range(0, len(items), _SLICE):
                        part = self._seal(at, items[i : i + _SLICE], customers[i : i + _SLICE])
                        sealed += part
                        at = Anchor(part[-1].seq, part[-1].hash)
                        await asyncio.sleep(0)
            except BaseException:
                self._giveback(batch)
                raise
            # from here the worker thread gives the batch back itself if the write fails (it
            # may still be writing when this task is cancelled)
            if prepared is None:
                write = partial(self._write_all, batch, tails)
            else:
                write = partial(self._append, head, sealed, cursors, batch, tails)
            return await asyncio.to_thread(self._or_giveback, write, batch)
        finally:
            self._sealing = None
            self._write_lock.release()

    def _or_giveback(self, write: Callable[[], int], batch: list[Pending]) -> int:
        try:
            return write()
        except BaseException:
            self._giveback(batch)
            raise

    async def aclose(self) -> None:
        """Stop the background task and flush what is left."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(self.flush)


def export_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """:meth:`Recorder.export` rows as CSV (``payload`` as canonical JSON)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["seq", "time", "at", "kind", "ref", "payload", "hash"])
    for r in rows:
        payload = "" if r["payload"] is None else canonical(r["payload"])
        ref = "" if r["ref"] is None else r["ref"]
        writer.writerow([r["seq"], r["time"], r["at"], r["kind"], ref, payload, r["hash"]])
    return out.getvalue()
