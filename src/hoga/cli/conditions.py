"""``hoga conditions …``: a customer's condition formulas (조건검색식) on a running server.

Talks to the customer REST API (:mod:`hoga.api.routes.conditions`) as the logged-in profile
(``hoga login``; ``--profile`` / ``--config-dir`` pick it): the token is issued with the profile's
keys and the server is the profile's host. An explicit access token (``--token`` or
``HOGA_TOKEN``; au10001 ``POST /oauth2/token``) takes precedence, with the server URL from
``--url`` / ``HOGA_URL``, else the one the server stored in its database (``--db``). ``--url``
also overrides the profile's host. ``check`` works offline: it only parses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from hoga.cli.profile import (
    DEFAULT_PROFILE,
    ConfigDir,
    ProfileName,
    config_dir,
    connect,
    load_profiles,
    sdk_errors,
)
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


def _auth(
    db: str, url: str | None, token: str | None, profile: str, config: Path | None
) -> tuple[str, str]:
    """The server URL and the access token: ``--token``, else the login profile's."""
    if token:
        return _base(db, url), token
    prof = load_profiles(config_dir(config)).get(profile)
    if prof is None:
        typer.echo(
            "give the customer's access token with --token or HOGA_TOKEN, "
            f"or log in first (hoga login; no profile {profile!r})",
            err=True,
        )
        raise typer.Exit(2)
    with sdk_errors(), connect(prof) as client:
        issued = client.token()
    return url or prof.host, issued


def _call(
    db: str,
    url: str | None,
    token: str | None,
    method: str,
    path: str,
    body: Any = None,
    *,
    profile: str = DEFAULT_PROFILE,
    config: Path | None = None,
) -> Any:
    base, token = _auth(db, url, token, profile, config)
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
    db: Db = DEFAULT_DB,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
    profile: ProfileName = DEFAULT_PROFILE,
    config: ConfigDir = None,
) -> None:
    """The stored conditions: seq, name, formula."""
    data = _call(db, url, token, "GET", "", profile=profile, config=config)
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
    profile: ProfileName = DEFAULT_PROFILE,
    config: ConfigDir = None,
) -> None:
    """Store a condition; prints its number."""
    body = {"name": name, "expr": expr}
    made = _call(db, url, token, "POST", "", body, profile=profile, config=config)
    typer.echo(f"stored condition {made['seq']} ({made['name']})")


@app.command()
def show(
    seq: int,
    db: Db = DEFAULT_DB,
    url: Url = None,
    token: Token = None,
    profile: ProfileName = DEFAULT_PROFILE,
    config: ConfigDir = None,
) -> None:
    """One condition as JSON."""
    _out(_call(db, url, token, "GET", f"/{seq}", profile=profile, config=config))


@app.command()
def delete(
    seq: int,
    db: Db = DEFAULT_DB,
    url: Url = None,
    token: Token = None,
    profile: ProfileName = DEFAULT_PROFILE,
    config: ConfigDir = None,
) -> None:
    """Delete a condition (a running realtime search keeps going until CNSRCLR)."""
    _call(db, url, token, "DELETE", f"/{seq}", profile=profile, config=config)
    typer.echo(f"deleted condition {seq}")


@app.command()
def run(
    seq: int,
    db: Db = DEFAULT_DB,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
    profile: ProfileName = DEFAULT_PROFILE,
    config: ConfigDir = None,
) -> None:
    """Search now: the instruments that match, in code order."""
    data = _call(db, url, token, "GET", f"/{seq}/matches", profile=profile, config=config)
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
