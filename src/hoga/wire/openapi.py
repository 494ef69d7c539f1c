"""An OpenAPI 3.1 document generated from the request/response structs.

Kiwoom multiplexes many operations on one path: ``POST /api/dostk/stkinfo`` with header
``api-id: ka10001`` … OpenAPI keys operations by (path, method), so this document has **one POST
operation per category path** and models the api-id as a **required header parameter** whose
``enum`` lists the api-ids served there. The request body is a ``oneOf`` over those api-ids'
request schemas and the 200 response a ``oneOf`` over their response schemas (each an
``allOf`` of the envelope and the business fields). Because a header cannot act as a
``discriminator``, each operation also carries ``x-api-ids``: api-id → ``{summary, request,
response}`` references, which tools (and hoga's portal) use to show one entry per api-id. This
keeps the document valid OpenAPI 3.1 — unlike path keys with ``#api-id`` fragments.

Only api-ids with schemas appear (the first batch); the catalogue covers the rest.
"""

from __future__ import annotations

from typing import Any

import msgspec

from hoga.wire.catalog import CATALOG
from hoga.wire.envelope import EXPOSE_HEADERS, H_API_ID, H_CONT_YN, H_NEXT_KEY, Envelope
from hoga.wire.errors import ERRORS
from hoga.wire.schemas import REQUEST_SCHEMAS, RESPONSE_SCHEMAS

__all__ = ["openapi_document"]

_REF = "#/components/schemas/{name}"


def _ref(tp: type) -> dict[str, str]:
    return {"$ref": _REF.format(name=tp.__name__)}


def _header(name: str, description: str, *, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


def _operation(path: str, ids: list[str]) -> dict[str, Any]:
    oauth = path.startswith("/oauth2/")
    api_header = _header(H_API_ID, "TR code selecting the operation at this path", required=True)
    api_header["schema"] = {"type": "string", "enum": ids}
    if oauth:  # the OAuth paths do not need the api-id header (§1.3)
        api_header["required"] = False
    params = [api_header]
    if not oauth:
        params += [
            _header(H_CONT_YN, "Y on a continuation call"),
            _header(H_NEXT_KEY, "next-key of the previous page"),
        ]
    responses = [{"allOf": [_ref(Envelope), _ref(RESPONSE_SCHEMAS[i])]} for i in ids]
    resp_headers = {h: {"schema": {"type": "string"}} for h in (H_API_ID, H_CONT_YN, H_NEXT_KEY)}
    op: dict[str, Any] = {
        "operationId": "post_" + path.strip("/").replace("/", "_"),
        "summary": ", ".join(f"{i} {CATALOG[i].name}" for i in ids),
        "parameters": params,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"oneOf": [_ref(REQUEST_SCHEMAS[i]) for i in ids]}}
            },
        },
        "responses": {
            "200": {
                "description": "return_code 0 on success; errors carry a category (§6.1)",
                "headers": resp_headers,
                "content": {"application/json": {"schema": {"oneOf": responses}}},
            },
            "429": {
                "description": "rate limited: return_code 5, [1700:…]",
                "content": {"application/json": {"schema": _ref(Envelope)}},
            },
        },
        "x-api-ids": {
            i: {
                "summary": CATALOG[i].name,
                "request": _ref(REQUEST_SCHEMAS[i]),
                "response": _ref(RESPONSE_SCHEMAS[i]),
            }
            for i in ids
        },
    }
    op["security"] = [] if oauth else [{"bearer": []}]
    return op


def openapi_document(*, server_url: str = "http://localhost:8000") -> dict[str, Any]:
    """The OpenAPI 3.1 document (a plain dict, JSON-serialisable)."""
    by_path: dict[str, list[str]] = {}
    for api_id in sorted(REQUEST_SCHEMAS):
        by_path.setdefault(CATALOG[api_id].path, []).append(api_id)
    types: list[type] = [Envelope, *REQUEST_SCHEMAS.values(), *RESPONSE_SCHEMAS.values()]
    _, components = msgspec.json.schema_components(types, ref_template=_REF)
    paths = {
        path: {"post": _operation(path, ids)}
        for path, ids in sorted(
            by_path.items(), key=lambda kv: (not kv[0].startswith("/oauth2/"), kv[0])
        )
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hoga — Kiwoom-compatible REST API",
            "version": "1",
            "description": (
                "Every call is POST with a JSON body; the api-id header selects the operation. "
                f"Responses expose {EXPOSE_HEADERS}. Error codes: "
                + ", ".join(str(c) for c in sorted(ERRORS))
            ),
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
