"""How server-side commands reach a running server: its URL and operator token, then one call.

``hoga sim`` and the ``hoga admin`` groups that act through the server (incidents, maintenance,
service changes, notices, compliance) share this: the URL and token come from ``--url`` /
``--token`` or from the database the server uses (``--db``), where ``hoga serve`` stores them.
Answers are printed as JSON; an HTTP error exits 1, an unreachable server exits 2.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import typer

from hoga.config import Settings

__all__ = ["Target", "call", "server_target"]

Target = tuple[str | None, str | None, str | None]  # (db, url, token) as given on the command


def server_target(db: str | None, url: str | None, token: str | None) -> tuple[str, str]:
    """The server's base URL and operator token (exit 2 when no running server is known)."""
    if url is None or token is None:
        from hoga.bootstrap import SETTING_OPERATOR_TOKEN, SETTING_SERVER_URL, open_storage

        storage = open_storage(db or Settings.load().db)
        try:
            with storage.unit_of_work() as uow:
                url = url or str(uow.settings.get(SETTING_SERVER_URL) or "")
                token = token or str(uow.settings.get(SETTING_OPERATOR_TOKEN) or "")
        finally:
            storage.close()
    if not url or not token:
        typer.echo("no running server found in that database; give --url and --token", err=True)
        raise typer.Exit(2)
    return url, token


def call(
    target: Target,
    method: str,
    path: str,
    body: Any = None,
    params: dict[str, str] | None = None,
    *,
    timeout: float = 60,
) -> None:
    """``method path`` on the server with the operator token; print the JSON answer."""
    base, secret = server_target(*target)
    try:
        resp = httpx.request(
            method,
            f"{base}{path}",
            json=body,
            params=params,
            headers={"authorization": f"Bearer {secret}"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        typer.echo(f"cannot reach the server at {base}: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(resp.json(), ensure_ascii=False, indent=2))
    if resp.status_code >= 400:
        raise typer.Exit(1)
