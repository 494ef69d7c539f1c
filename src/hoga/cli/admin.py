"""``hoga admin …``: operations on the database a server uses (works while it runs).

- ``hoga admin customer create --name NAME [--env mock|real] [--cash KRW] [--db URL] [--json]``
  creates a customer with one app key and one account and prints the credentials once (the
  secret key is stored only as a scrypt hash);
- ``hoga admin customer list [--db URL] [--json]``;
- ``hoga admin key revoke APPKEY [--db URL]`` revokes a key and its tokens (a running server
  notices within a second).

SQLite runs in WAL mode with a busy timeout, so these commands can write while a server runs.
Record times come from the wall clock (the server's simulated clock is not visible here).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hoga.bootstrap import open_storage
from hoga.cli import admin_incidents
from hoga.clock import RealClock
from hoga.config import Settings
from hoga.engine.identity import ENVIRONMENTS, IdentityService

__all__ = ["app"]

app = typer.Typer(
    help="Operate a hoga deployment (customers, keys, records).", no_args_is_help=True
)
customer_app = typer.Typer(help="Customers (account holders).", no_args_is_help=True)
key_app = typer.Typer(help="App keys.", no_args_is_help=True)
app.add_typer(customer_app, name="customer")
app.add_typer(key_app, name="key")
app.add_typer(admin_incidents.app, name="incidents")

DbOption = Annotated[
    str | None, typer.Option("--db", help="storage URL (default: HOGA_DB or sqlite:///hoga.db)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


@contextlib.contextmanager
def _identity(db: str | None) -> Iterator[IdentityService]:
    storage = open_storage(db or Settings.load().db)
    try:
        yield IdentityService(storage, RealClock())
    finally:
        storage.close()


def _table(title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title, show_header=False)
    for key, value in rows:
        table.add_row(key, value)
    Console().print(table)


@customer_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="customer name")],
    env: Annotated[str, typer.Option("--env", help="mock | real")] = "mock",
    cash: Annotated[
        int | None, typer.Option("--cash", help="starting cash in won (default: HOGA_DEFAULT_CASH)")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a customer with an app key and an account; print the credentials once."""
    if env not in ENVIRONMENTS:
        raise typer.BadParameter("must be 'mock' or 'real'", param_hint="--env")
    amount = Settings.load().default_cash if cash is None else cash
    if amount < 0:
        raise typer.BadParameter("must not be negative", param_hint="--cash")
    with _identity(db) as identity:
        made = identity.create_customer(name=name, env=env, cash=amount)
    out = {
        "customer_id": made.customer_id,
        "appkey": made.appkey,
        "secretkey": made.secretkey,
        "account": made.account,
        "env": made.env,
    }
    if as_json:
        typer.echo(json.dumps(out))
        return
    rows = [*out.items(), ("cash", f"{amount:,} KRW")]
    _table("customer created (the secret key is not shown again)", rows)


@customer_app.command("list")
def list_customers(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List customers with their accounts and live app keys."""
    with _identity(db) as identity:
        customers = identity.customers()
    if as_json:
        rows = [
            {
                "customer_id": c.customer_id,
                "name": c.name,
                "env": c.env,
                "status": c.status,
                "accounts": list(c.accounts),
                "appkeys": list(c.appkeys),
            }
            for c in customers
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=f"{len(customers)} customer(s)")
    for column in ("id", "name", "env", "status", "accounts", "app keys"):
        table.add_column(column, overflow="fold")
    for c in customers:
        table.add_row(
            c.customer_id, c.name, c.env, c.status, " ".join(c.accounts), " ".join(c.appkeys)
        )
    Console().print(table)


@key_app.command("revoke")
def revoke(
    appkey: Annotated[str, typer.Argument(help="the app key to revoke")],
    db: DbOption = None,
) -> None:
    """Revoke an app key and every token issued to it."""
    with _identity(db) as identity:
        found = identity.revoke_key(appkey)
    if not found:
        typer.echo(f"no such app key: {appkey}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {appkey}")
