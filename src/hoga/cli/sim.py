"""``hoga sim …``: drive the simulated market of a running server (operator API over HTTP).

The server's URL and operator token are read from the database the server uses (``--db``), or
given with ``--url`` / ``--token``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hoga.cli.operator_http import call
from hoga.config import DEFAULT_DB

__all__ = ["app"]

app = typer.Typer(help="Control the simulated market of a running server.", no_args_is_help=True)

Db = Annotated[str, typer.Option(help="storage URL of the running server")]
Url = Annotated[str | None, typer.Option(help="server URL (default: read from --db)")]
Token = Annotated[str | None, typer.Option(help="operator token (default: read from --db)")]


def _call(
    db: str, url: str | None, token: str | None, method: str, path: str, body: Any = None
) -> None:
    call((db, url, token), method, f"/operator/sim{path}", body, timeout=30)


@app.command()
def status(db: Db = DEFAULT_DB, url: Url = None, token: Token = None) -> None:
    """Clock, speed, market mode, seed and trading day."""
    _call(db, url, token, "GET", "/status")


@app.command()
def clock(
    set_to: Annotated[str | None, typer.Option("--set", help="ISO time (KST if no offset)")] = None,
    advance: Annotated[float | None, typer.Option(help="seconds to move forward")] = None,
    speed: Annotated[str | None, typer.Option(help="speed factor; 0 freezes")] = None,
    db: Db = DEFAULT_DB,
    url: Url = None,
    token: Token = None,
) -> None:
    """Set, advance or pace the simulation clock."""
    body: dict[str, Any] = {}
    if set_to is not None:
        body["set"] = set_to
    if advance is not None:
        body["advance"] = str(advance)
    if speed is not None:
        body["speed"] = speed
    _call(db, url, token, "POST", "/clock", body)


@app.command()
def mode(
    value: Annotated[str, typer.Argument(help="always | calendar")],
    db: Db = DEFAULT_DB,
    url: Url = None,
    token: Token = None,
) -> None:
    """Switch the market mode."""
    _call(db, url, token, "POST", "/mode", {"mode": value})


@app.command()
def reset(
    seed: Annotated[int, typer.Option(help="the new seed")],
    db: Db = DEFAULT_DB,
    url: Url = None,
    token: Token = None,
) -> None:
    """Rebuild every book from the snapshot with a seed."""
    _call(db, url, token, "POST", "/reset", {"seed": seed})


@app.command()
def book(code: str, db: Db = DEFAULT_DB, url: Url = None, token: Token = None) -> None:
    """An instrument's phase, statistics and depth."""
    _call(db, url, token, "GET", f"/instruments/{code}")


@app.command()
def pause(code: str, db: Db = DEFAULT_DB, url: Url = None, token: Token = None) -> None:
    """Pause an instrument's simulated participants."""
    _call(db, url, token, "POST", f"/instruments/{code}/participants", {"paused": True})


@app.command()
def unpause(code: str, db: Db = DEFAULT_DB, url: Url = None, token: Token = None) -> None:
    """Resume an instrument's simulated participants."""
    _call(db, url, token, "POST", f"/instruments/{code}/participants", {"paused": False})


@app.command("base-price")
def base_price(
    code: str, price: int, db: Db = DEFAULT_DB, url: Url = None, token: Token = None
) -> None:
    """Restart an instrument's day at a new base price."""
    _call(db, url, token, "POST", f"/instruments/{code}/base-price", {"price": price})


@app.command()
def halt(code: str, db: Db = DEFAULT_DB, url: Url = None, token: Token = None) -> None:
    """Halt trading in an instrument."""
    _call(db, url, token, "POST", f"/instruments/{code}/halt")


@app.command()
def resume(code: str, db: Db = DEFAULT_DB, url: Url = None, token: Token = None) -> None:
    """Resume trading in a halted instrument."""
    _call(db, url, token, "POST", f"/instruments/{code}/resume")
