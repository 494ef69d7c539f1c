"""``hoga admin …``: operations on the database a server uses (works while it runs)."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Operate a hoga deployment (customers, keys, records).", no_args_is_help=True
)
