"""``hoga conditions …``: a customer's condition formulas (조건검색식) on a running server.

Talks to the customer REST API (:mod:`hoga.api.routes.conditions`) with the customer's access
token (``--token`` or ``HOGA_TOKEN``; get one with au10001 ``POST /oauth2/token``). The server
URL is ``--url`` / ``HOGA_URL``, else the one the server stored in its database (``--db``).
``check`` works offline: it only parses.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import httpx
import typer

from hoga.config import DEFAULT_DB
from hoga.domain.conditions import ConditionError, parse, to_text

__all__ = ["app", "make_client"]

app = typer.Typer(help="Condition formulas for condition search (조건검색).", no_args_is_help=True)

Db = Annotated[str, typer.Option(help="storage URL of the running server (to find its URL)")]
Url = Annotated[str | None, typer.Option(envvar="HOGA_URL", help="server URL")]
Token = Annotated[str | None, typer.Option(envvar="HOGA_TOKEN", help="customer access token")]
AsJson = Annotated[bool, typer.Option("--json", help="print the raw JSON answer")]
PATH = "/hoga/v1/conditions"


def make_client(base_url: str) -> httpx.Client:
    """The HTTP client for ``base_url`` (tests replace this)."""
    return httpx.Client(base_url=base_url, timeout=30)


def _base(db: str, url: str | None) -> str:
    if url:
        return url
    from hoga.bootstrap import SETTING_SERVER_URL, open_storage

    storage = open_storage(db)
    try:
        with storage.unit_of_work() as uow:
            found = str(uow.settings.get(SETTING_SERVER_URL) or "")
    finally:
        storage.close()
    if not found:
        typer.echo("no running server found in that database; give --url", err=True)
        raise typer.Exit(2)
    return found


def _call(
    db: str, url: str | None, token: str | None, method: str, path: str, body: Any = None
) -> Any:
    if not token:
        typer.echo("give the customer's access token with --token or HOGA_TOKEN", err=True)
        raise typer.Exit(2)
    base = _base(db, url)
    try:
        with make_client(base) as client:
            resp = client.request(
                method, PATH + path, json=body, headers={"authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError as exc:
        typer.echo(f"cannot reach the server at {base}: {exc}", err=True)
        raise typer.Exit(2) from exc
    data = resp.json()
    if resp.status_code >= 400:
        err = data.get("error", {}) if isinstance(data, dict) else {}
        typer.echo(err.get("detail") or err.get("message") or resp.text, err=True)
        raise typer.Exit(1)
    return data


def _out(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command("list")
def list_(
    db: Db = DEFAULT_DB, url: Url = None, token: Token = None, as_json: AsJson = False
) -> None:
    """The stored conditions: seq, name, formula."""
    data = _call(db, url, token, "GET", "")
    if as_json:
        _out(data)
        return
    for c in data["conditions"]:
        typer.echo(f"{c['seq']}\t{c['name']}\t{c['expr']}")


@app.command()
def add(
    name: Annotated[str, typer.Argument(help="a name (shown by CNSRLST)")],
    expr: Annotated[
        str, typer.Argument(help="the formula, e.g. 'rate > 3 and market == \"KOSPI\"'")
    ],
    db: Db = DEFAULT_DB,
    url: Url = None,
    token: Token = None,
) -> None:
    """Store a condition; prints its number."""
    made = _call(db, url, token, "POST", "", {"name": name, "expr": expr})
    typer.echo(f"stored condition {made['seq']} ({made['name']})")


@app.command()
def show(seq: int, db: Db = DEFAULT_DB, url: Url = None, token: Token = None) -> None:
    """One condition as JSON."""
    _out(_call(db, url, token, "GET", f"/{seq}"))


@app.command()
def delete(seq: int, db: Db = DEFAULT_DB, url: Url = None, token: Token = None) -> None:
    """Delete a condition (a running realtime search keeps going until CNSRCLR)."""
    _call(db, url, token, "DELETE", f"/{seq}")
    typer.echo(f"deleted condition {seq}")


@app.command()
def run(
    seq: int, db: Db = DEFAULT_DB, url: Url = None, token: Token = None, as_json: AsJson = False
) -> None:
    """Search now: the instruments that match, in code order."""
    data = _call(db, url, token, "GET", f"/{seq}/matches")
    if as_json:
        _out(data)
        return
    for m in data["matches"]:
        typer.echo(f"{m['code']}\t{m['name']}\t{m['price']}\t{m['rate']}%\t{m['volume']}")
    typer.echo(f"{data['count']} match(es)")


@app.command()
def check(expr: Annotated[str, typer.Argument(help="the formula to check")]) -> None:
    """Check a formula without a server: prints its canonical form, or the error."""
    parsed = parse(expr)
    if isinstance(parsed, ConditionError):
        typer.echo(parsed.render(expr), err=True)
        raise typer.Exit(1)
    typer.echo(to_text(parsed))
