"""``hoga admin fees | maintenance | changes | notices``: operations (terms art. 4, 10, 12, 16).

- ``fees [--on DATE] [--json]`` — the commission and seller's-tax schedule in force on a day
  (default: today, KST) and the scheduled changes, from the same schedule the ledger charges
  with (:func:`hoga.bootstrap.fee_schedule` over the settings, ``HOGA_COMMISSION_RATE``); with
  ``--url`` it asks a running server instead (``GET /hoga/v1/fees``).
- ``maintenance list [--current]``, ``maintenance schedule --scope S … --start T --end T
  --reason R``, ``maintenance emergency --scope S … (--minutes N | --end T) --reason R``,
  ``maintenance end ID``, ``maintenance cancel ID``;
- ``changes list``, ``changes announce --kind K --title T [--api ID …] --effective T
  [--detail D]``;
- ``notices list [--customer C] [--ref R]``, ``notices flush``, ``notices retry DELIVERY_ID``.

All but ``fees`` drive the running server's operator API (``/operator/…``, see
:mod:`hoga.api.routes.operations`), found through ``--db`` like ``hoga admin incidents``: the
windows and notices live on the application clock and the server's outbox. JSON is printed; an
HTTP error exits 1, no reachable server exits 2.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import httpx
import typer

from hoga.cli.operator_http import Target, call
from hoga.config import Settings

__all__ = ["app", "register"]

app = typer.Typer(help="Operations: fees, maintenance, service changes, notices.")
maintenance_app = typer.Typer(help="Maintenance windows (art. 4 ④, 12).", no_args_is_help=True)
changes_app = typer.Typer(help="Service-change announcements (art. 16).", no_args_is_help=True)
notices_app = typer.Typer(help="The notice outbox.", no_args_is_help=True)

Db = Annotated[str | None, typer.Option("--db", help="storage URL of the running server")]
Url = Annotated[str | None, typer.Option("--url", help="server URL (default: read from --db)")]
Token = Annotated[
    str | None, typer.Option("--token", help="operator token (default: read from --db)")
]


def register(admin: typer.Typer) -> None:
    """Add ``fees``, ``maintenance``, ``changes`` and ``notices`` to ``hoga admin``."""
    admin.command("fees")(fees)
    admin.add_typer(maintenance_app, name="maintenance")
    admin.add_typer(changes_app, name="changes")
    admin.add_typer(notices_app, name="notices")


def _print(doc: Any) -> None:
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def _call(
    where: Target,
    method: str,
    path: str,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> None:
    call(where, method, path, body, params, timeout=30)


def fees(
    on: Annotated[str | None, typer.Option("--on", help="date (YYYY-MM-DD), default today")] = None,
    url: Annotated[str | None, typer.Option("--url", help="ask this running server")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The commission and tax schedule in force, and the upcoming changes."""
    from hoga.bootstrap import fee_schedule
    from hoga.clock import RealClock
    from hoga.domain.kst import kst_date
    from hoga.engine.fees_published import published_fees

    try:
        day = date.fromisoformat(on) if on else kst_date(RealClock().now())
    except ValueError as exc:
        raise typer.BadParameter("must be YYYY-MM-DD", param_hint="--on") from exc
    if url is not None:
        try:
            doc = httpx.get(
                f"{url}/hoga/v1/fees", params={"on": day.isoformat()}, timeout=30
            ).json()
        except httpx.HTTPError as exc:
            typer.echo(f"cannot reach the server at {url}: {exc}", err=True)
            raise typer.Exit(2) from exc
    else:
        doc = published_fees(fee_schedule(Settings.load()), day)
    if as_json:
        _print(doc)
        return
    c = doc["commission"]
    typer.echo(f"수수료 기준일 {doc['as_of']}")
    typer.echo(f"위탁수수료 {c['percent']} (매수·매도, 체결별 {c['rounding']} {c['unit_won']}원)")
    for title, rows in (
        ("시행 중 매도 세금", doc["taxes_in_force"]),
        ("예정된 변경", doc["taxes_upcoming"]),
    ):
        typer.echo(title + ("" if rows else ": 없음"))
        for r in rows:
            typer.echo(
                f"  {r['market']:<7} {r['effective_from']}부터  거래세 "
                f"{r['securities_tax']['percent']} + 농특세 {r['rural_tax']['percent']} = "
                f"{r['total_percent']}"
            )


@maintenance_app.command("list")
def maintenance_list(
    current: Annotated[bool, typer.Option("--current", help="only windows not over")] = False,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Maintenance windows."""
    _call(
        (db, url, token),
        "GET",
        "/operator/maintenance",
        params={"current": "1"} if current else None,
    )


Scope = Annotated[
    list[str], typer.Option("--scope", help="all | orders | oauth | websocket | path:… | api:…")
]
Reason = Annotated[str, typer.Option("--reason", help="the reason (sent to customers)")]


@maintenance_app.command("schedule")
def maintenance_schedule(
    scope: Scope,
    start: Annotated[str, typer.Option("--start", help="ISO-8601 (KST without offset)")],
    end: Annotated[str, typer.Option("--end", help="ISO-8601 (KST without offset)")],
    reason: Reason,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Schedule a window (announced to every customer now, reminded before it starts)."""
    body = {
        "kind": "scheduled",
        "scope": scope,
        "starts_at": start,
        "ends_at": end,
        "reason": reason,
    }
    _call((db, url, token), "POST", "/operator/maintenance", body)


@maintenance_app.command("emergency")
def maintenance_emergency(
    scope: Scope,
    reason: Reason,
    minutes: Annotated[int | None, typer.Option("--minutes", help="length from now")] = None,
    end: Annotated[str | None, typer.Option("--end", help="end time instead")] = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Start an emergency window now (reported to customers after it ends)."""
    body: dict[str, Any] = {"kind": "emergency", "scope": scope, "reason": reason}
    if end is not None:
        body["ends_at"] = end
    else:
        body["minutes"] = minutes or 60
    _call((db, url, token), "POST", "/operator/maintenance", body)


@maintenance_app.command("end")
def maintenance_end(window_id: int, db: Db = None, url: Url = None, token: Token = None) -> None:
    """End a window in force now."""
    _call((db, url, token), "POST", f"/operator/maintenance/{window_id}/end")


@maintenance_app.command("cancel")
def maintenance_cancel(window_id: int, db: Db = None, url: Url = None, token: Token = None) -> None:
    """Call off a window that has not started."""
    _call((db, url, token), "POST", f"/operator/maintenance/{window_id}/cancel")


@changes_app.command("list")
def changes_list(db: Db = None, url: Url = None, token: Token = None) -> None:
    """Service-change announcements."""
    _call((db, url, token), "GET", "/operator/service-changes")


@changes_app.command("announce")
def changes_announce(
    kind: Annotated[
        str, typer.Option("--kind", help="api_added | api_retired | limit_changed | other")
    ],
    title: Annotated[str, typer.Option("--title", help="what changes (sent to customers)")],
    effective: Annotated[str, typer.Option("--effective", help="when it takes effect")],
    api: Annotated[list[str] | None, typer.Option("--api", help="api-id concerned")] = None,
    detail: Annotated[str, typer.Option("--detail", help="more text")] = "",
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Publish a service change and send it to every customer."""
    body = {
        "kind": kind,
        "title": title,
        "detail": detail,
        "api_ids": api or [],
        "effective_at": effective,
    }
    _call((db, url, token), "POST", "/operator/service-changes", body)


@notices_app.command("list")
def notices_list(
    customer: Annotated[str | None, typer.Option("--customer", help="one customer")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="e.g. maintenance:3")] = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Notices with their deliveries and every attempt."""
    params = {k: v for k, v in (("customer_id", customer), ("ref", ref)) if v}
    _call((db, url, token), "GET", "/operator/notices", params=params)


@notices_app.command("flush")
def notices_flush(db: Db = None, url: Url = None, token: Token = None) -> None:
    """Deliver everything due now."""
    _call((db, url, token), "POST", "/operator/notices/flush")


@notices_app.command("retry")
def notices_retry(delivery_id: int, db: Db = None, url: Url = None, token: Token = None) -> None:
    """Make a (failed) delivery due again now."""
    _call((db, url, token), "POST", f"/operator/notices/deliveries/{delivery_id}/retry")
