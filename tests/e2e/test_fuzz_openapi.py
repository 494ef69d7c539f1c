"""Fuzzing the REST API: no request, valid or not, may get a 5xx or a malformed envelope.

Two fuzzers run against the in-process ASGI application (SQLite, manual clock, 40 instruments,
rate limits off, a valid bearer token so the handlers run):

1. **schemathesis** over ``GET /openapi.json`` — one POST per category path with the ``api-id``
   header enum. The document's request bodies are a ``oneOf`` over the api-ids of the path;
   many of them accept the same bodies (every field optional, or the same required fields), so
   generating bodies that match *exactly one* branch is unsatisfiable for most paths. The test
   therefore loads the document with ``oneOf`` relaxed to ``anyOf`` in request bodies (the
   generated bodies are still valid for at least one api-id), and runs both the positive and the
   negative generation modes.
2. **a hypothesis fuzzer of our own** that picks an api-id of the catalogue (served or not, plus
   unknown and mis-cased ones) at its path or a wrong path, and a body shape: random JSON of any
   type, the api-id's own fields with values of the wrong type, huge numbers, unicode, nested
   objects, missing fields, or raw bytes that are not JSON.

Both assert ``status < 500`` and a well-formed envelope: a JSON object with an integer
``return_code`` and a string ``return_msg``; success bodies decode as the api-id's response
struct. Bounded by ``max_examples`` so the module runs in well under a minute.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hoga.api.app import create_app
from hoga.api.context import AppContext
from hoga.bootstrap import build_context, select_universe
from hoga.config import Settings
from hoga.domain.kst import at_kst
from hoga.engine.universe import load_universe
from hoga.wire.catalog import CATALOG, PATHS, WEBSOCKET
from hoga.wire.schemas.registry import REQUEST_SCHEMAS, RESPONSE_SCHEMAS

pytestmark = pytest.mark.slow

#: 2026-11-26 10:00 KST, a Thursday and a trading day.
START = at_kst(datetime.date(2026, 11, 26), 10 * 3600)
EXAMPLES = 40  # per operation and generation mode (schemathesis)
OWN_EXAMPLES = 1000  # the hypothesis fuzzer


@dataclass
class Target:
    ctx: AppContext
    app: Starlette
    client: TestClient
    token: str
    account: str


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    tmp = tmp_path_factory.mktemp("fuzz")
    ctx = build_context(
        Settings(
            db=f"sqlite:///{tmp / 'hoga.db'}",
            clock="manual",
            clock_start=START,
            universe_limit=40,
            operator_token="op-secret",
            ratelimit="off",
        )
    )
    app = create_app(ctx, run_market=False)
    with TestClient(app) as client:
        made = ctx.services["identity"].create_customer(name="fuzz", env="mock", cash=10**12)
        resp = client.post(
            "/oauth2/token",
            json={
                "grant_type": "client_credentials",
                "appkey": made.appkey,
                "secretkey": made.secretkey,
            },
        )
        token = resp.json()["token"]
        yield Target(ctx, app, client, token, made.account)
    ctx.storage.close()


def check_answer(api_id: str | None, status: int, content: bytes, where: str) -> None:
    """The response is not a server error and carries a well-formed envelope."""
    assert status < 500, f"{where}: HTTP {status}: {content[:300]!r}"
    data = msgspec.json.decode(content)
    assert isinstance(data, dict), where
    assert type(data.get("return_code")) is int, f"{where}: {content[:300]!r}"
    assert isinstance(data.get("return_msg"), str), where
    if data["return_code"] == 0:
        assert status == 200, where
        assert api_id is not None and api_id in RESPONSE_SCHEMAS, where
        msgspec.json.decode(content, type=RESPONSE_SCHEMAS[api_id])
    else:
        assert data["return_msg"], where


def relaxed(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with request-body ``oneOf`` turned into ``anyOf`` (see the module docstring)."""
    out = copy.deepcopy(doc)
    for item in out["paths"].values():
        content = item["post"]["requestBody"]["content"]["application/json"]
        schema = content["schema"]
        if "oneOf" in schema:
            content["schema"] = {"anyOf": schema.pop("oneOf")}
    return out


def test_openapi_document_lists_every_served_api_id(target: Target) -> None:
    doc = target.client.get("/openapi.json").json()
    listed = set()
    for path, item in doc["paths"].items():
        op = item["post"]
        ids = op["parameters"][0]["schema"]["enum"]
        assert all(CATALOG[i].path == path for i in ids)
        listed.update(ids)
    assert listed == set(REQUEST_SCHEMAS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_finds_no_server_error(target: Target, mode: GenerationMode) -> None:
    doc = target.client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(relaxed(doc))
    schema.app = target.app
    auth = {"authorization": f"Bearer {target.token}"}
    statuses: dict[int, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(doc["paths"])
    for op in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(op.as_strategy(generation_mode=mode))
        def run(case: schemathesis.Case) -> None:
            headers = {str(k): str(v) for k, v in (case.headers or {}).items()}
            if "authorization" not in {k.lower() for k in headers}:
                headers.update(auth)
            case.headers = headers
            body = case.body if isinstance(case.body, dict | list | str | int | float) else {}
            raw = {k: v.encode("utf-8", "surrogatepass") for k, v in headers.items()}
            resp = target.client.post(
                case.formatted_path,
                content=msgspec.json.encode(body),
                headers={**raw, "content-type": b"application/json"},
            )
            statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
            api_id = headers.get("api-id") or (
                "au10001" if case.formatted_path == "/oauth2/token" else None
            )
            where = f"{case.formatted_path} {case.body!r}"
            check_answer(api_id, resp.status_code, resp.content, where)

        run()
    assert statuses and max(statuses) < 500


# --- the hypothesis fuzzer ------------------------------------------------------------------

REST_IDS = sorted(i for i, s in CATALOG.items() if s.is_rest)
REST_PATHS = sorted(p for p in PATHS if p != WEBSOCKET)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["", " ", "005930", "A005930", "KRX:005930", "0", "-1", "1e400", "Y", "N"]),
    st.sampled_from(["9" * 40, "１２３", "삼성전자", "\x00", "' OR 1=1 --", "20261126"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


CODES = sorted(select_universe(load_universe(), 40))
plausible = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(["0", "1", "2", "3", "5", "00", "01", "61", "62", "81", "KRX", "NXT", "SOR"]),
    st.sampled_from(["Y", "N", "001", "101", "20261126", "20261125", "20251126", "20260101"]),
    st.integers(min_value=1, max_value=2_000_000).map(str),
    st.integers(min_value=1, max_value=60).map(lambda n: f"{n:07d}"),
)


@st.composite
def bodies(draw: st.DrawFn, api_id: str) -> bytes:
    """A request body for ``api_id``: plausible fields with some broken, random JSON, or bytes
    that are not JSON at all."""
    kind = draw(st.sampled_from(["fields", "fields", "fields", "fields", "json", "raw"]))
    if kind == "raw":
        return draw(st.binary(max_size=60))
    if kind == "json":
        return msgspec.json.encode(draw(json_values))
    schema = REQUEST_SCHEMAS.get(api_id)
    names = [f.encode_name for f in msgspec.structs.fields(schema)] if schema else []
    names += draw(st.lists(st.text(max_size=8), max_size=2))
    broken = draw(st.booleans())  # else every field gets a plausible value
    body: dict[str, Any] = {}
    for name in names:
        roll = draw(st.integers(0, 9)) if broken else 9
        if roll == 0:
            continue  # a missing field
        body[name] = draw(json_values if roll == 1 else plausible)
    return msgspec.json.encode(body)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str | None, bytes, str | None]:
    api_id: str | None = draw(
        st.one_of(
            st.sampled_from(REST_IDS),
            st.sampled_from(sorted(REQUEST_SCHEMAS)),
            st.sampled_from(sorted(REQUEST_SCHEMAS)),
            st.sampled_from(sorted(REQUEST_SCHEMAS)),
            st.sampled_from(sorted(REQUEST_SCHEMAS)).map(str.upper),
            st.sampled_from(["", " ", "ka99999", "KT10000 ", "ka10171", "x" * 300, None]),
        )
    )
    spec = CATALOG.get((api_id or "").strip().lower())
    right = spec.path if spec is not None else "/api/dostk/stkinfo"
    wrong = draw(st.integers(0, 9)) == 0
    path = draw(st.sampled_from(REST_PATHS)) if wrong else right
    body = draw(bodies((api_id or "").strip().lower()))
    auth = draw(st.sampled_from(["valid"] * 8 + ["none", "junk"]))
    return path, api_id, body, auth


@settings(max_examples=OWN_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(req=requests(), cont=st.sampled_from([None, "Y", "N", "?"]), key=st.text(max_size=20))
def test_own_fuzzer_finds_no_server_error(
    target: Target, req: tuple[str, str | None, bytes, str | None], cont: str | None, key: str
) -> None:
    path, api_id, body, auth = req
    headers = {"content-type": "application/json;charset=UTF-8"}
    if api_id is not None:
        headers["api-id"] = api_id
    if auth == "valid":
        headers["authorization"] = f"Bearer {target.token}"
    elif auth == "junk":
        headers["authorization"] = "Bearer not-a-token"
    if cont is not None:
        headers["cont-yn"] = cont
        headers["next-key"] = key.encode("ascii", "replace").decode()
    resp = target.client.post(path, content=body, headers=headers)
    served = (api_id or "").strip().lower()
    if path.startswith("/oauth2/"):
        served = "au10001" if path.endswith("token") else "au10002"
    check_answer(served, resp.status_code, resp.content, f"{path} {api_id!r} {body[:200]!r}")
