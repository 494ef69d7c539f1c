"""``hoga admin terms|disputes|onboarding|assistant|compliance …`` over the operator API.

Like ``hoga admin incidents``, these drive the running server (``/operator/compliance``, see
:mod:`hoga.api.routes.compliance`): its application clock dates publications and deadlines, and
it sends the notices. The server is found from the database (``--db``) or given with ``--url`` /
``--token``. Answers print as JSON; an HTTP error exits 1, no reachable server exits 2.

- ``terms list``, ``terms show VERSION`` (with consents), ``terms publish FILE --effective DATE
  [--urgent] [--version LABEL] [--title TEXT]`` — the label defaults to the file name without
  its extension, the title to the file's first ``# `` heading; a change needs a month's notice
  unless ``--urgent`` (a change forced by law);
- ``disputes list [--open] [--customer C…]``, ``disputes show ID``, ``disputes answer ID --text
  TEXT`` (or ``--file PATH``);
- ``onboarding list [--status S]``, ``onboarding show ID``, ``onboarding decide ID
  --approve|--reject --note TEXT`` (an appeal);
- ``assistant show CUSTOMER``, ``assistant set CUSTOMER --on|--off`` (the AI-assistant opt-in);
- ``compliance sweep`` (pass due deadlines and effective dates now), ``compliance log [--topic
  T] [--ref R] [--customer C…]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from hoga.cli.operator_http import Target, call

__all__ = ["register"]

Db = Annotated[str | None, typer.Option("--db", help="storage URL of the running server")]
Url = Annotated[str | None, typer.Option("--url", help="server URL (default: read from --db)")]
Token = Annotated[
    str | None, typer.Option("--token", help="operator token (default: read from --db)")
]
Customer = Annotated[str | None, typer.Option("--customer", help="one customer")]

terms_app = typer.Typer(help="Terms versions and consent (art. 15).", no_args_is_help=True)
disputes_app = typer.Typer(help="Disputes and objections (art. 4 ③, 18).", no_args_is_help=True)
onboarding_app = typer.Typer(
    help="Applications, refusals, appeals (art. 6, 7).", no_args_is_help=True
)
assistant_app = typer.Typer(help="The AI coding assistant opt-in (art. 6 ③).", no_args_is_help=True)
compliance_app = typer.Typer(help="Compliance deadlines and log.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the compliance command groups to ``hoga admin``."""
    app.add_typer(terms_app, name="terms")
    app.add_typer(disputes_app, name="disputes")
    app.add_typer(onboarding_app, name="onboarding")
    app.add_typer(assistant_app, name="assistant")
    app.add_typer(compliance_app, name="compliance")


def _call(
    target: Target,
    method: str,
    path: str,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> None:
    call(target, method, f"/operator/compliance{path}", body, params)


# -- terms --------------------------------------------------------------------------------


@terms_app.command("list")
def terms_list(db: Db = None, url: Url = None, token: Token = None) -> None:
    """Published versions (the current one named)."""
    _call((db, url, token), "GET", "/terms")


@terms_app.command("show")
def terms_show(version: str, db: Db = None, url: Url = None, token: Token = None) -> None:
    """One version with its text and every customer's consent, objection or termination."""
    _call((db, url, token), "GET", f"/terms/{version}")


@terms_app.command("publish")
def terms_publish(
    file: Annotated[Path, typer.Argument(help="the terms text (Markdown, UTF-8)")],
    effective: Annotated[str, typer.Option("--effective", help="effective date (KST), ISO")],
    urgent: Annotated[
        bool, typer.Option("--urgent", help="a change forced by law (no month's notice)")
    ] = False,
    version: Annotated[
        str | None, typer.Option("--version", help="label (default: file stem)")
    ] = None,
    title: Annotated[str, typer.Option("--title", help="title (default: first # heading)")] = "",
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Post a new terms version; every customer is notified."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(str(exc), param_hint="FILE") from exc
    body = {
        "version": version or file.stem,
        "title": title,
        "body": text,
        "effective": effective,
        "urgent": urgent,
    }
    _call((db, url, token), "POST", "/terms", body)


# -- disputes -----------------------------------------------------------------------------


@disputes_app.command("list")
def disputes_list(
    open_only: Annotated[bool, typer.Option("--open", help="only open cases")] = False,
    customer: Customer = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Disputes and objections, oldest first."""
    params = {"open": "1"} if open_only else {}
    if customer:
        params["customer_id"] = customer
    _call((db, url, token), "GET", "/disputes", params=params)


@disputes_app.command("show")
def disputes_show(case: int, db: Db = None, url: Url = None, token: Token = None) -> None:
    """One case with every recorded step and notice."""
    _call((db, url, token), "GET", f"/disputes/{case}")


@disputes_app.command("answer")
def disputes_answer(
    case: int,
    text: Annotated[str | None, typer.Option("--text", help="the answer (sent)")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="read the answer from a file")] = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Answer a case (the customer is notified; the case closes)."""
    if (text is None) == (file is None):
        raise typer.BadParameter("give exactly one of --text and --file")
    answer = text if text is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    _call((db, url, token), "POST", f"/disputes/{case}/answer", {"answer": answer})


# -- onboarding ---------------------------------------------------------------------------


@onboarding_app.command("list")
def onboarding_list(
    status: Annotated[str | None, typer.Option("--status", help="e.g. appealed")] = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Applications, oldest first."""
    _call((db, url, token), "GET", "/applications", params={"status": status} if status else {})


@onboarding_app.command("show")
def onboarding_show(application: int, db: Db = None, url: Url = None, token: Token = None) -> None:
    """One application with its recorded steps."""
    _call((db, url, token), "GET", f"/applications/{application}")


@onboarding_app.command("decide")
def onboarding_decide(
    application: int,
    approve: Annotated[
        bool, typer.Option("--approve/--reject", help="approve or reject the appeal")
    ],
    note: Annotated[str, typer.Option("--note", help="the reason (told to the applicant)")],
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Decide an appeal against a refused application."""
    body = {"approve": approve, "note": note}
    _call((db, url, token), "POST", f"/applications/{application}/decide", body)


# -- assistant and the rest ---------------------------------------------------------------


@assistant_app.command("show")
def assistant_show(customer: str, db: Db = None, url: Url = None, token: Token = None) -> None:
    """Whether the customer opted in to the AI coding assistant."""
    _call((db, url, token), "GET", f"/customers/{customer}/assistant")


@assistant_app.command("set")
def assistant_set(
    customer: str,
    enabled: Annotated[bool, typer.Option("--on/--off", help="opt in or out")],
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Record the customer's AI coding assistant opt-in."""
    _call((db, url, token), "POST", f"/customers/{customer}/assistant", {"enabled": enabled})


@compliance_app.command("sweep")
def sweep(db: Db = None, url: Url = None, token: Token = None) -> None:
    """Pass due dispute milestones and terms effective dates now."""
    _call((db, url, token), "POST", "/sweep")


@compliance_app.command("log")
def show_log(
    topic: Annotated[
        str | None, typer.Option("--topic", help="terms|case|application|assistant")
    ] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="version label or id")] = None,
    customer: Customer = None,
    db: Db = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Recorded steps and notices."""
    params = {k: v for k, v in (("topic", topic), ("ref", ref), ("customer_id", customer)) if v}
    _call((db, url, token), "GET", "/log", params=params)
