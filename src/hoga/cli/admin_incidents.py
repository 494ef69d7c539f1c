"""``hoga admin incidents …``: review abnormal-load incidents, suspend, lift, terminate (art. 8, 9).

The commands drive the operator API of the running server (``/operator/incidents``, see
:mod:`hoga.api.routes.incidents`), found like ``hoga sim`` does: its URL and operator token are
read from the database it uses (``--db``), or given with ``--url`` / ``--token``. They go through
the server, not straight to the database, because the consequences live there: the application
clock that dates suspensions, the exchange that holds open orders, the WebSocket sessions to
close. Answers are printed as JSON; an HTTP error exits 1, no reachable server exits 2.

- ``list [--open] [--customer C…]``, ``show ID``, ``notices [--customer C…]``;
- ``suspend CUSTOMER --reason TEXT [--cause regulator|abnormal_load]`` and
  ``terminate CUSTOMER --reason TEXT [--cause …]`` (a regulator's recommendation by default);
- ``lift ID``, ``accept ID``, ``reject ID`` (the submitted explanation);
- ``extend ID --days N`` (from the current deadline) or ``--until TIME`` (ISO-8601, KST);
- ``sweep`` (apply due expiries and lapses now).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hoga.cli.operator_http import Target, call

__all__ = ["app"]

app = typer.Typer(
    help="Abnormal-load incidents: suspension, explanations, termination.", no_args_is_help=True
)

Db = Annotated[str | None, typer.Option("--db", help="storage URL of the running server")]
Url = Annotated[str | None, typer.Option("--url", help="server URL (default: read from --db)")]
Token = Annotated[
    str | None, typer.Option("--token", help="operator token (default: read from --db)")
]
Cause = Annotated[str, typer.Option("--cause", help="regulator | abnormal_load")]
Reason = Annotated[str, typer.Option("--reason", help="the reason (sent to the customer)")]


def _call(
    target: Target,
    method: str,
    path: str,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> None:
    call(target, method, f"/operator/incidents{path}", body, params)


@app.command("list")
def list_incidents(
    open_only: Annotated[bool, typer.Option("--open", help="only open incidents")] = False,
    customer: Annotated[str | None, typer.Option("--customer", help="one customer")] = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """List incidents (newest last)."""
    params = {"open": "1"} if open_only else {}
    if customer:
        params["customer_id"] = customer
    _call((db, url, token), "GET", "", params=params)


@app.command("show")
def show(incident: int, db: Db = None, url: Url = None, token: Token = None) -> None:
    """One incident with its evidence and the notices sent about it."""
    _call((db, url, token), "GET", f"/{incident}")


@app.command("notices")
def notices(
    customer: Annotated[str | None, typer.Option("--customer", help="one customer")] = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Notices sent to customers."""
    _call((db, url, token), "GET", "/notices", params={"customer_id": customer} if customer else {})


def _open(action: str, customer: str, reason: str, cause: str, target: Any) -> None:
    body = {"customer_id": customer, "action": action, "cause": cause, "reason": reason}
    _call(target, "POST", "", body)


@app.command("suspend")
def suspend(
    customer: str,
    reason: Reason,
    cause: Cause = "regulator",
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Suspend a customer for one month (a regulator's recommendation, or abnormal load)."""
    _open("suspend", customer, reason, cause, (db, url, token))


@app.command("terminate")
def terminate(
    customer: str,
    reason: Reason,
    cause: Cause = "regulator",
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Terminate a customer's service: keys and tokens revoked, open orders cancelled."""
    _open("terminate", customer, reason, cause, (db, url, token))


def _decision(name: str, doc: str) -> None:
    def command(incident: int, db: Db = None, url: Url = None, token: Token = None) -> None:
        _call((db, url, token), "POST", f"/{incident}/{name}")

    command.__doc__ = doc
    app.command(name)(command)


_decision("lift", "End an incident's sanction early (it still counts towards termination).")
_decision("accept", "Accept the submitted explanation: the incident is dismissed.")
_decision("reject", "Reject the submitted explanation: the sanction runs its course.")


@app.command("extend")
def extend(
    incident: int,
    days: Annotated[int | None, typer.Option("--days", help="days after the deadline")] = None,
    until: Annotated[str | None, typer.Option("--until", help="new deadline (ISO, KST)")] = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Extend the explanation deadline."""
    if (days is None) == (until is None):
        raise typer.BadParameter("give exactly one of --days and --until")
    body: dict[str, Any] = {"days": days} if days is not None else {"deadline": until}
    _call((db, url, token), "POST", f"/{incident}/extend", body)


@app.command("sweep")
def sweep(db: Db = None, url: Url = None, token: Token = None) -> None:
    """Apply due expiries and lapses now."""
    _call((db, url, token), "POST", "/sweep")
