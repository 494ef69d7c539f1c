"""``hoga admin ledger check`` on a SQLite file: a clean journal passes; an unbalanced entry, a
snapshot that differs from the journal and one that does not decode are each found and named."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from _exchange_kit import at
from test_brokerage import World, build
from test_brokerage_snapshot import _trade
from typer.testing import CliRunner

from hoga.bootstrap import open_storage
from hoga.cli.main import app as cli
from hoga.clock import ManualClock
from hoga.engine.exchange import MarketMode
from hoga.ports.storage import AccountRecord, CustomerRecord

CASH = 10_000_000


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Alice and bob traded over four days; snapshots every 5 entries."""
    path = tmp_path / "ledger.db"
    storage = open_storage(f"sqlite:///{path}")
    with storage.unit_of_work() as uow:
        for who in ("alice", "bob"):
            uow.customers.add(CustomerRecord(who, who, "mock", "active", 0))
            uow.accounts.add(AccountRecord(f"acct-{who}", who, "mock", 0))
    clock = ManualClock(at(10))
    ex, b = build(storage, clock, MarketMode.ALWAYS)
    b._group.snapshot_every = 5
    for who in ("alice", "bob"):
        b.deposit(f"acct-{who}", CASH, "test")
    w = World(storage, clock, ex, b, "")
    w.code = next(iter(ex.states))
    _trade(w, rounds=4)
    b.flush()
    storage.close()
    return path


def check(path: Path, *args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(
        cli, ["admin", "ledger", "check", "--db", f"sqlite:///{path}", "--json", *args]
    )
    return result.exit_code, json.loads(result.stdout)


def test_a_clean_journal_passes(db: Path) -> None:
    code, report = check(db)
    assert code == 0, report
    assert report["accounts"] == 2 and report["snapshots"] == 2
    assert report["entries"] > 20 and report["problems"] == []
    code, one = check(db, "--account", "acct-bob")
    assert code == 0 and one["accounts"] == 1 and one["entries"] < report["entries"]
    text = CliRunner().invoke(cli, ["admin", "ledger", "check", "--db", f"sqlite:///{db}"])
    assert text.exit_code == 0 and "2 accounts" in text.stdout and "no problems" in text.stdout


def test_a_changed_snapshot_is_found(db: Path) -> None:
    con = sqlite3.connect(db)
    (state,) = con.execute(
        "SELECT state FROM account_snapshots WHERE account = 'acct-bob'"
    ).fetchone()
    body = json.loads(state)
    body["positions"][0][3] += 1  # one won of realized P&L more than the journal says
    con.execute(
        "UPDATE account_snapshots SET state = ? WHERE account = 'acct-bob'", (json.dumps(body),)
    )
    con.commit()
    con.close()
    code, report = check(db)
    assert code == 1
    [bad] = report["problems"]
    assert bad["account"] == "acct-bob"
    assert any("differs from the journal" in p for p in bad["problems"])


def test_an_unbalanced_entry_and_an_undecodable_snapshot_are_found(db: Path) -> None:
    con = sqlite3.connect(db)
    (entry_id,) = con.execute(
        "SELECT MIN(entry_id) FROM journal_entries WHERE account = 'acct-alice'"
        " AND ref LIKE 'reserve:%'"
    ).fetchone()
    con.execute(
        "UPDATE journal_lines SET amount = amount + 1 WHERE entry_id = ? AND line_no = 0",
        (entry_id,),
    )
    con.execute("UPDATE account_snapshots SET state = 'x' WHERE account = 'acct-bob'")
    con.commit()
    con.close()
    code, report = check(db)
    assert code == 1
    found = {p["account"]: p["problems"] for p in report["problems"]}
    assert any(f"entry {entry_id}" in p and "does not balance" in p for p in found["acct-alice"])
    assert any("does not decode" in p for p in found["acct-bob"])
