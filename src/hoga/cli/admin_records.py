"""``hoga admin records …``: the tamper-evident record chain (terms art. 14), straight on the
database (works while a server runs; see :mod:`hoga.engine.records`).

- ``verify [--public-key HEX | --public-key-file PEM]`` — checks proofs, the chain and the
  checkpoints; prints a JSON report naming every faulty record (``seq``, ``kind``); exits 1 on
  any fault;
- ``export --customer C --from TIME --to TIME [--format csv|json] [--out FILE]`` — a customer's
  records for a period (art. 14 ③; TIME is ISO-8601, KST without an offset, or epoch µs);
- ``purge [--now TIME] [--key PEM] [--retention SPEC] [--actor NAME]`` — destroy what is past
  retention and print the signed proof;
- ``checkpoint`` (close one now), ``proofs [--kind checkpoint|purge]`` (export them);
- ``keygen FILE`` — a new Ed25519 signing key (prints the public key);
- ``correct SEQ --reason TEXT [--data JSON]`` — a correction record pointing at SEQ.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives import serialization

from hoga.bootstrap import build_records, open_storage
from hoga.clock import ManualClock, RealClock
from hoga.config import Settings
from hoga.domain.kst import KST
from hoga.engine.records import Recorder, Signer, export_csv
from hoga.ports.clock import Clock

__all__ = ["app"]

app = typer.Typer(help="Tamper-evident records: verify, export, purge.", no_args_is_help=True)

Db = Annotated[str | None, typer.Option("--db", help="storage URL (default: HOGA_DB)")]
KeyPath = Annotated[str | None, typer.Option("--key", help="Ed25519 signing key (PEM)")]


def _time(value: str) -> int:
    text = value.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO-8601 time: {value!r}") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=KST)
    return int(dt.timestamp()) * 1_000_000 + dt.microsecond


@contextlib.contextmanager
def _recorder(
    db: str | None,
    *,
    key: str | None = None,
    clock: Clock | None = None,
    retention: str | None = None,
) -> Iterator[Recorder]:
    settings = Settings.load(db=db)
    if key is not None:
        settings = settings.with_(records_signing_key=key)
    if retention is not None:
        settings = settings.with_(records_retention=retention)
    storage = open_storage(settings.db)
    try:
        yield build_records(settings, storage, clock or RealClock())
    finally:
        storage.close()


def _print(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


@app.command("verify")
def verify(
    db: Db = None,
    public_key: Annotated[str | None, typer.Option("--public-key", help="pinned key (hex)")] = None,
    public_key_file: Annotated[
        Path | None, typer.Option("--public-key-file", help="pinned key (PEM)")
    ] = None,
) -> None:
    """Verify the chain; exit 1 when anything was edited, deleted or reordered."""
    if public_key_file is not None:
        pub = serialization.load_pem_public_key(public_key_file.read_bytes())
        public_key = pub.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ).hex()
    with _recorder(db) as rec:
        report = rec.verify(public_key)
    _print(report.as_json())
    if not report.ok:
        for f in report.faults:
            typer.echo(f"record {f.seq}: {f.kind}: {f.detail}", err=True)
        for p in report.problems:
            typer.echo(p, err=True)
        raise typer.Exit(1)


@app.command("export")
def export(
    customer: Annotated[str, typer.Option("--customer", help="customer id")],
    since: Annotated[str | None, typer.Option("--from", help="from (inclusive)")] = None,
    until: Annotated[str | None, typer.Option("--to", help="to (exclusive)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv | json")] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="write to a file")] = None,
    db: Db = None,
) -> None:
    """A customer's records for a period (terms art. 14 ③)."""
    if fmt not in ("csv", "json"):
        raise typer.BadParameter("--format must be csv or json")
    with _recorder(db) as rec:
        rows = rec.export(
            customer,
            None if since is None else _time(since),
            None if until is None else _time(until),
        )
    text = export_csv(rows) if fmt == "csv" else json.dumps(rows, ensure_ascii=False, indent=2)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=fmt == "json")


@app.command("purge")
def purge(
    now: Annotated[str | None, typer.Option("--now", help="purge as of (default: now)")] = None,
    key: KeyPath = None,
    retention: Annotated[str | None, typer.Option("--retention", help="e.g. api=1y")] = None,
    actor: Annotated[str, typer.Option("--actor", help="operator name")] = "operator",
    db: Db = None,
) -> None:
    """Destroy records past retention; print the signed purge proof."""
    at = RealClock().now() if now is None else _time(now)
    try:
        with _recorder(db, key=key, clock=ManualClock(at), retention=retention) as rec:
            result = rec.purge(at, actor=actor)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    proof = result.proof
    _print(
        {
            "shredded": result.shredded,
            "deleted": result.deleted,
            "proof": None
            if proof is None
            else {"id": proof.id, "body": proof.body, "signature": proof.signature},
        }
    )


@app.command("checkpoint")
def checkpoint(key: KeyPath = None, db: Db = None) -> None:
    """Close a checkpoint now over the records since the last one."""
    with _recorder(db, key=key) as rec:
        proof = rec.checkpoint()
    _print(
        None
        if proof is None
        else {"id": proof.id, "body": proof.body, "signature": proof.signature}
    )


@app.command("proofs")
def proofs(
    kind: Annotated[str | None, typer.Option("--kind", help="checkpoint | purge")] = None,
    db: Db = None,
) -> None:
    """Export checkpoints and purge proofs (keep them outside hoga)."""
    with _recorder(db) as rec:
        _print(rec.proofs(kind))


@app.command("keygen")
def keygen(path: Path) -> None:
    """Write a new Ed25519 signing key to PATH; print its public key (hex)."""
    signer = Signer.generate(path)
    _print({"key": str(path), "public_key": signer.public_hex})


@app.command("correct")
def correct(
    seq: int,
    reason: Annotated[str, typer.Option("--reason", help="why")],
    data: Annotated[str, typer.Option("--data", help="the correction (JSON object)")] = "{}",
    db: Db = None,
) -> None:
    """Append a correction record that points at record SEQ."""
    payload = json.loads(data)
    if not isinstance(payload, dict):
        raise typer.BadParameter("--data must be a JSON object")
    with _recorder(db) as rec:
        try:
            fixed = rec.correct(seq, reason, payload)
        except KeyError as exc:
            typer.echo(f"no record {seq}", err=True)
            raise typer.Exit(1) from exc
    _print({"seq": fixed.seq, "ref": fixed.ref, "kind": fixed.kind, "hash": fixed.hash})
