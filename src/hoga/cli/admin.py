"""``hoga admin …``: operations on the database a server uses (works while it runs).

- ``hoga admin customer create --name NAME [--env mock|real] [--cash KRW] [--db URL] [--json]``
  creates a customer with one app key and one account and prints the credentials once (the
  secret key is stored only as a scrypt hash);
- ``hoga admin customer list [--db URL] [--json]``;
- ``hoga admin key revoke APPKEY [--db URL]`` revokes a key and its tokens (a running server
  notices within a second);
- ``hoga admin key add CUSTOMER_ID`` adds a key (the secret is printed once), ``key list
  CUSTOMER_ID``, ``key rotate APPKEY [--revoke-tokens]`` (new secret; the old fails at once),
  ``key access APPKEY [--allow IP/NET …] [--clear] [--bind/--no-bind]`` (IP allow-list, at most
  10 entries, and token binding), ``key log [--appkey K] [--actor ID] [--after SEQ] [--limit N]``
  (the security record: authentication failures and actions on keys).

Every change made here is recorded as an operator action (``--actor``, default: the OS user).

SQLite runs in WAL mode with a busy timeout, so these commands can write while a server runs.
Record times come from the wall clock (the server's simulated clock is not visible here).
"""

from __future__ import annotations

import contextlib
import getpass
import json
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hoga.bootstrap import open_storage
from hoga.cli import admin_compliance, admin_incidents, admin_ledger, admin_ops, admin_records
from hoga.clock import RealClock
from hoga.config import Settings
from hoga.engine.identity import ENVIRONMENTS, Denied, IdentityService, KeyInfo
from hoga.engine.security_log import Actor, SecurityLog
from hoga.policy.access import normalize_allow_list

__all__ = ["app"]

app = typer.Typer(
    help="Operate a hoga deployment (customers, keys, records).", no_args_is_help=True
)
customer_app = typer.Typer(help="Customers (account holders).", no_args_is_help=True)
key_app = typer.Typer(help="App keys.", no_args_is_help=True)
app.add_typer(customer_app, name="customer")
app.add_typer(key_app, name="key")
app.add_typer(admin_incidents.app, name="incidents")
admin_compliance.register(app)  # terms, disputes, onboarding, assistant, compliance
app.add_typer(admin_records.app, name="records")
app.add_typer(admin_ledger.app, name="ledger")
admin_ops.register(app)  # fees, maintenance, changes, notices

DbOption = Annotated[
    str | None, typer.Option("--db", help="storage URL (default: HOGA_DB or sqlite:///hoga.db)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
ActorOption = Annotated[
    str | None, typer.Option("--actor", help="operator name for the record (default: OS user)")
]


def _operator(name: str | None) -> Actor:
    if name is None:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry / no login name
            name = "unknown"
    return Actor.operator(name)


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
    actor: ActorOption = None,
) -> None:
    """Create a customer with an app key and an account; print the credentials once."""
    if env not in ENVIRONMENTS:
        raise typer.BadParameter("must be 'mock' or 'real'", param_hint="--env")
    amount = Settings.load().default_cash if cash is None else cash
    if amount < 0:
        raise typer.BadParameter("must not be negative", param_hint="--cash")
    with _identity(db) as identity:
        made = identity.create_customer(name=name, env=env, cash=amount, actor=_operator(actor))
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
    actor: ActorOption = None,
) -> None:
    """Revoke an app key and every token issued to it."""
    with _identity(db) as identity:
        found = identity.revoke_key(appkey, actor=_operator(actor))
    if not found:
        typer.echo(f"no such app key: {appkey}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {appkey}")


def _key_row(k: KeyInfo) -> dict[str, object]:
    return {
        "appkey": k.appkey,
        "customer_id": k.customer_id,
        "env": k.env,
        "created_at": k.created_at,
        "revoked_at": k.revoked_at,
        "allowed_ips": list(k.allowed_ips),
        "bind_token_ip": k.bind_token_ip,
    }


def _no_key(appkey: str) -> typer.Exit:
    typer.echo(f"no such app key: {appkey}", err=True)
    return typer.Exit(1)


@key_app.command("add")
def add_key(
    customer_id: Annotated[str, typer.Argument(help="the customer (C########)")],
    db: DbOption = None,
    as_json: JsonOption = False,
    actor: ActorOption = None,
) -> None:
    """Add an app key to a customer; print the secret once."""
    with _identity(db) as identity:
        try:
            out = identity.new_key(customer_id, actor=_operator(actor))
        except KeyError:
            typer.echo(f"no such customer: {customer_id}", err=True)
            raise typer.Exit(1) from None
    if isinstance(out, Denied):
        typer.echo(f"refused: {out.detail}", err=True)
        raise typer.Exit(1)
    appkey, secretkey = out
    if as_json:
        typer.echo(json.dumps({"appkey": appkey, "secretkey": secretkey}))
        return
    _table(
        "key added (the secret key is not shown again)",
        [("appkey", appkey), ("secretkey", secretkey)],
    )


@key_app.command("list")
def list_keys(
    customer_id: Annotated[str, typer.Argument(help="the customer (C########)")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a customer's app keys (revoked ones too) with their access settings."""
    with _identity(db) as identity:
        keys = identity.keys(customer_id)
    if as_json:
        typer.echo(json.dumps([_key_row(k) for k in keys]))
        return
    table = Table(title=f"{len(keys)} key(s) of {customer_id}")
    for column in ("app key", "env", "revoked", "allowed IPs", "bind"):
        table.add_column(column, overflow="fold")
    for k in keys:
        revoked = "-" if k.revoked_at is None else str(k.revoked_at)
        ips = " ".join(k.allowed_ips) or "*"
        table.add_row(k.appkey, k.env, revoked, ips, "yes" if k.bind_token_ip else "no")
    Console().print(table)


@key_app.command("rotate")
def rotate(
    appkey: Annotated[str, typer.Argument(help="the app key")],
    revoke_tokens: Annotated[
        bool, typer.Option("--revoke-tokens", help="also end the key's tokens")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
    actor: ActorOption = None,
) -> None:
    """Give a key a new secret (the old one stops working at once); print it once."""
    with _identity(db) as identity:
        out = identity.rotate_secret(appkey, actor=_operator(actor), revoke_tokens=revoke_tokens)
    if out is None:
        raise _no_key(appkey)
    if isinstance(out, Denied):
        typer.echo(f"refused: {out.detail}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps({"appkey": appkey, "secretkey": out}))
        return
    _table("secret rotated (not shown again)", [("appkey", appkey), ("secretkey", out)])


@key_app.command("access")
def access(
    appkey: Annotated[str, typer.Argument(help="the app key")],
    allow: Annotated[
        list[str] | None,
        typer.Option("--allow", help="allowed address or network (repeat; replaces the list)"),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="allow every address")] = False,
    bind: Annotated[
        bool | None, typer.Option("--bind/--no-bind", help="bind tokens to their issuing IP")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    actor: ActorOption = None,
) -> None:
    """Set a key's IP allow-list and token binding (unchanged parts are kept)."""
    with _identity(db) as identity:
        current = identity.key(appkey)
        if current is None:
            raise _no_key(appkey)
        entries = () if clear else tuple(allow) if allow else current.allowed_ips
        allowed = normalize_allow_list(entries)
        if isinstance(allowed, str):
            raise typer.BadParameter(allowed, param_hint="--allow")
        binding = current.bind_token_ip if bind is None else bind
        identity.set_access(appkey, allowed, binding, actor=_operator(actor))
        updated = identity.key(appkey)
    assert updated is not None
    if as_json:
        typer.echo(json.dumps(_key_row(updated)))
        return
    rows = [("appkey", appkey), ("allowed IPs", " ".join(updated.allowed_ips) or "*")]
    _table("access updated", [*rows, ("bind tokens", "yes" if updated.bind_token_ip else "no")])


@key_app.command("log")
def log(
    appkey: Annotated[str | None, typer.Option("--appkey", help="only this app key")] = None,
    actor_id: Annotated[
        str | None, typer.Option("--actor", help="only this actor (customer id / operator)")
    ] = None,
    after: Annotated[int, typer.Option("--after", help="records after this seq")] = 0,
    limit: Annotated[int, typer.Option("--limit", help="at most this many")] = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the security record: authentication failures and actions on access media."""
    storage = open_storage(db or Settings.load().db)
    try:
        rows = SecurityLog(storage, RealClock()).read(
            after, limit=limit, appkey=appkey, actor_id=actor_id
        )
    finally:
        storage.close()
    fields = ("seq", "at", "actor_kind", "actor_id", "appkey", "client_ip", "action", "outcome")
    if as_json:
        out = [{f: getattr(r, f) for f in (*fields, "detail")} for r in rows]
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} security record(s)")
    for column in (*fields, "detail"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(*(str(getattr(r, f)) for f in (*fields, "detail")))
    Console().print(table)
