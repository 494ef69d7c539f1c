"""``hoga admin records …`` on a SQLite file: tampering found and located, purge proofs that
verify with the public key alone, corrections pointing at the original."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hoga.bootstrap import build_records, open_storage
from hoga.cli.main import app as cli
from hoga.clock import ManualClock
from hoga.config import Settings
from hoga.engine.records import verify_signature

T0 = int(datetime(2024, 3, 1, 1, 0, tzinfo=UTC).timestamp()) * 1_000_000


def admin(db: str, *args: str) -> tuple[int, Any, str]:
    extra = [] if args[0] == "keygen" else ["--db", db]
    result = CliRunner().invoke(cli, ["admin", "records", *args, *extra])
    try:
        return result.exit_code, json.loads(result.stdout), result.stderr
    except json.JSONDecodeError:
        return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "rec.db"
    url = f"sqlite:///{path}"
    storage = open_storage(url)
    rec = build_records(Settings(db=url, records_retention="api=1y"), storage, ManualClock(T0))
    for i in range(6):
        rec.api_call("c1" if i % 2 else "c2", "k", f"ka1000{i}", "203.0.113.7", 200, 0)
        rec.flush()  # a record each (a flush closes the open call batches)
    rec.record("order.event", {"ord_no": 1, "qty": 10}, customer_id="c1")
    rec.flush()
    storage.close()
    return url, path


def sql(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for s in statements:
            conn.execute(s)


def test_clean_chain_verifies(db: tuple[str, Path]) -> None:
    code, report, _ = admin(db[0], "verify")
    assert code == 0 and report["ok"] and report["count"] == 7


def test_an_edited_row_is_named(db: tuple[str, Path]) -> None:
    sql(db[1], "UPDATE record_log SET payload = replace(payload, '200', '500') WHERE seq = 3")
    code, report, err = admin(db[0], "verify")
    assert code == 1 and [(f["seq"], f["kind"]) for f in report["faults"]] == [(3, "edited")]
    assert "record 3" in err


def test_a_deleted_row_is_named(db: tuple[str, Path]) -> None:
    sql(db[1], "DELETE FROM record_log WHERE seq = 4")
    code, report, _ = admin(db[0], "verify")
    assert code == 1 and [(f["seq"], f["kind"]) for f in report["faults"]] == [(5, "missing")]
    assert "4..4" in report["faults"][0]["detail"]


def test_swapped_rows_are_named(db: tuple[str, Path]) -> None:
    sql(
        db[1],
        "UPDATE record_log SET seq = -2 WHERE seq = 2",
        "UPDATE record_log SET seq = 2 WHERE seq = 5",
        "UPDATE record_log SET seq = 5 WHERE seq = -2",
    )
    code, report, _ = admin(db[0], "verify")
    assert code == 1 and report["faults"][0]["seq"] == 2
    assert {f["seq"] for f in report["faults"]} >= {2, 5}


def test_purge_on_the_manual_clock_leaves_a_verifiable_proof(
    db: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = db
    code, made, _ = admin(url, "keygen", str(tmp_path / "k.pem"))
    assert code == 0
    pub = made["public_key"]
    code, _, err = admin(url, "purge", "--now", "2026-03-02T00:00")
    assert code == 2 and "key" in err  # no signing key: refused
    later = "2026-03-02T00:00"  # two years on: the API calls (1y) go, the order (10y) stays
    code, out, _ = admin(
        url, "purge", "--now", later, "--key", str(tmp_path / "k.pem"), "--retention", "api=1y"
    )
    assert code == 0 and out["deleted"] == 6 and out["shredded"] == 6
    proof = out["proof"]
    assert verify_signature(pub, proof["body"], proof["signature"])  # outside hoga: key only
    assert json.loads(proof["body"])["anchor"]["seq"] == 6
    code, report, _ = admin(url, "verify", "--public-key", pub)
    assert code == 0 and report["ok"] and report["anchor"]["seq"] == 6, (
        report["faults"],
        report["problems"],
    )
    code, report, _ = admin(url, "verify", "--public-key", "11" * 32)
    assert code == 1 and "bad signature" in report["problems"][0]


def test_correction_points_at_the_original_and_export(db: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = db
    code, fixed, _ = admin(url, "correct", "7", "--reason", "qty was 1", "--data", '{"qty": 1}')
    assert code == 0 and fixed["ref"] == 7 and fixed["kind"] == "correction"
    code, rows, _ = admin(url, "export", "--customer", "c1", "--format", "json")
    assert code == 0 and [r["seq"] for r in rows] == [2, 4, 6, 7, 8]
    assert rows[-1]["ref"] == 7 and rows[-1]["payload"]["correction"] == {"qty": 1}
    out = tmp_path / "c2.csv"
    code, _, _ = admin(url, "export", "--customer", "c2", "--format", "csv", "--out", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert code == 0 and len(lines) == 4 and lines[0].startswith("seq,time")
    assert admin(url, "verify")[0] == 0
