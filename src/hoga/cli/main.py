"""The ``hoga`` command: server (``serve``), simulation control (``sim``), operations (``admin``).

Each group lives in its own module; this one only assembles them.
"""

from __future__ import annotations

import typer

from hoga.cli import admin, conditions, serve, sim

__all__ = ["app", "main"]

app = typer.Typer(
    name="hoga",
    help="hoga: a self-hostable securities Open API over a simulated KRX exchange.",
    no_args_is_help=True,
    add_completion=False,
)
serve.register(app)
app.add_typer(sim.app, name="sim")
app.add_typer(admin.app, name="admin")
app.add_typer(conditions.app, name="conditions")


def main() -> None:
    app()
