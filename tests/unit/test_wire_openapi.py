"""hoga.wire.openapi: the generated document is structurally valid OpenAPI 3.1."""

from __future__ import annotations

import json

from hoga.wire.catalog import CATALOG
from hoga.wire.openapi import openapi_document
from hoga.wire.schemas import REQUEST_SCHEMAS


def _resolve(doc: dict[str, object], ref: str) -> object:
    assert ref.startswith("#/")
    node: object = doc
    for part in ref[2:].split("/"):
        assert isinstance(node, dict)
        node = node[part]
    return node


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_document_structure() -> None:
    doc = openapi_document()
    assert doc["openapi"] == "3.1.0"
    assert json.loads(json.dumps(doc)) == doc  # JSON-serialisable
    paths = doc["paths"]
    covered: set[str] = set()
    for path, item in paths.items():
        assert path.startswith("/")
        assert set(item) == {"post"}
        op = item["post"]
        header = next(p for p in op["parameters"] if p["name"] == "api-id")
        ids = header["schema"]["enum"]
        assert all(CATALOG[i].path == path for i in ids)
        assert header["required"] is not path.startswith("/oauth2/")
        body = op["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"]
        assert len(body) == len(ok) == len(ids) == len(op["x-api-ids"])
        assert {"api-id", "cont-yn", "next-key"} <= set(op["responses"]["200"]["headers"])
        covered |= set(ids)
    assert covered == set(REQUEST_SCHEMAS)
    ops = [item["post"]["operationId"] for item in paths.values()]
    assert len(set(ops)) == len(ops)


def test_every_reference_resolves() -> None:
    doc = openapi_document()
    refs = _refs(doc["paths"])
    assert refs
    for ref in refs:
        target = _resolve(doc, ref)
        assert isinstance(target, dict)
        assert target.get("type") == "object"
    for ref in _refs(doc["components"]):
        _resolve(doc, ref)


def test_wire_names_and_required_fields_in_schemas() -> None:
    schemas = openapi_document()["components"]["schemas"]
    order = schemas["Kt10000Request"]
    assert order["required"] == ["dmst_stex_tp", "stk_cd", "ord_qty", "trde_tp"]
    assert "250hgst" in schemas["Ka10001Response"]["properties"]
    assert schemas["Envelope"]["properties"]["return_code"]["type"] == "integer"
