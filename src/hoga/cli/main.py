"""The ``hoga`` command: server (``serve``), simulation control (``sim``), operations (``admin``),
and the trader commands over the SDK (``login``, ``quote``, ``book``, ``chart``, ``buy``, ``sell``,
``orders``, ``modify``, ``cancel``, ``balance``, ``watch``, ``conditions``).

Each group lives in its own module; this one only assembles them. Exit codes of the trader
commands: 0 ok, 1 the API refused, 2 usage or configuration, 3 transport (see docs/user-guide.md).
"""

from __future__ import annotations

import typer

from hoga.cli import admin, conditions, market, profile, serve, sim, trading, watch

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
profile.register(app)
market.register(app)
trading.register(app)
watch.register(app)


def main() -> None:
    app()
