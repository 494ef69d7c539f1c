"""The operator's token check and action record, shared by every operator route module.

Operator actions go into the tamper-evident records (terms art. 14).

Every operator route module calls :func:`record_operator_post` after answering a POST, so each
operator action — allowed or refused — lands in the hash chain with its body, HTTP status and
the caller's address (the operator is whoever holds the operator token).
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.requests import Request

from hoga.api.context import AppContext

__all__ = ["is_operator", "record_operator_post"]


def record_operator_post(
    ctx: AppContext, request: Request, body: dict[str, Any], status: int
) -> None:
    """Record a POST under ``/operator/`` (does nothing for other requests or without records)."""
    records = ctx.services.get("records")
    if records is None or request.method != "POST" or not request.url.path.startswith("/operator/"):
        return
    ip = request.client.host if request.client else ""
    detail = {"body": body, "status": status, "ip": ip}
    records.operator_action("token", request.url.path, detail)


def is_operator(ctx: AppContext, request: Request) -> bool:
    """True when the request carries ``Authorization: Bearer <operator token>`` (constant-time)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    return bool(token) and hmac.compare_digest(token, ctx.operator_token)
