"""``hoga admin ledger …``: the brokerage ledger, straight on the database (works while a server
runs: it only reads).

- ``check [--account A]… [--json]`` — replays every account's whole journal (or the named
  ones), never starting from a snapshot, and reports entries that do not balance, entries the
  ledger does not reproduce, and snapshots that differ from the journal up to their entry
  (:func:`hoga.engine.brokerage_snapshot.check_account`); exits 1 on any problem. A snapshot
  it names can be deleted (``DELETE FROM account_snapshots WHERE account = …``): the next start
  replays that account from its first entry.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from hoga.bootstrap import fee_schedule, open_storage
from hoga.config import Settings
from hoga.domain.ledger import Ledger
from hoga.engine.brokerage_snapshot import check_account

__all__ = ["app"]

app = typer.Typer(help="The brokerage ledger: check the journal.", no_args_is_help=True)

Db = Annotated[str | None, typer.Option("--db", help="storage URL (default: HOGA_DB)")]


@app.command("check")
def check(
    db: Db = None,
    account: Annotated[
        list[str] | None, typer.Option("--account", help="only this account (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Replay whole journals; report unbalanced or unreproducible entries and bad snapshots."""
    settings = Settings.load(db=db)
    storage = open_storage(settings.db)
    ledger = Ledger(fee_schedule(settings))
    try:
        with storage.unit_of_work() as uow:
            if account:
                accounts = list(account)
            else:
                accounts = [
                    a.account_no
                    for c in uow.customers.list()
                    for a in uow.accounts.by_customer(c.id)
                ]
            results = [check_account(ledger, uow.journal, a) for a in accounts]
    finally:
        storage.close()
    bad = [r for r in results if r.problems]
    report = {
        "accounts": len(results),
        "entries": sum(r.entries for r in results),
        "snapshots": sum(1 for r in results if r.snapshot_entry_id is not None),
        "problems": [{"account": r.account, "problems": r.problems} for r in bad],
    }
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(
            f"{report['accounts']} accounts, {report['entries']} journal entries,"
            f" {report['snapshots']} snapshots: "
            + ("no problems" if not bad else f"{sum(len(r.problems) for r in bad)} problems")
        )
        for r in bad:
            for problem in r.problems:
                typer.echo(f"  {r.account}: {problem}")
    if bad:
        raise typer.Exit(1)
