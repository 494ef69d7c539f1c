"""The customer REST API for condition formulas, and ``hoga conditions`` through CliRunner."""

from __future__ import annotations

from typing import Any

import pytest
from _apikit import Api, Customer
from typer.testing import CliRunner

from hoga.cli import conditions as cli
from hoga.cli.main import app as hoga_cli
from hoga.engine.conditions import KEY_PREFIX, ConditionLimits, ConditionService

PATH = "/hoga/v1/conditions"


def add(api: Api, c: Customer, name: str, expr: str) -> Any:
    return api.client.post(PATH, json={"name": name, "expr": expr}, headers=c.auth)


def test_create_list_show_delete(api: Api) -> None:
    c = api.customer()
    r = add(api, c, "급등", 'rate >= 3 and market == "KOSPI"')
    assert r.status_code == 201
    made = r.json()
    assert made["seq"] == 1 and made["name"] == "급등"
    assert made["expr"] == 'rate >= 3 and market == "KOSPI"'
    assert made["created_at"] == api.ctx.clock.now()
    assert add(api, c, "거래대금", "turnover > 100억").json()["seq"] == 2
    listed = api.client.get(PATH, headers=c.auth).json()["conditions"]
    assert [(x["seq"], x["name"]) for x in listed] == [(1, "급등"), (2, "거래대금")]
    assert api.client.get(f"{PATH}/2", headers=c.auth).json()["expr"] == "turnover > 100억"
    r = api.client.delete(f"{PATH}/1", headers=c.auth)
    assert r.status_code == 200 and r.json() == {"deleted": 1}
    assert api.client.get(f"{PATH}/1", headers=c.auth).status_code == 404
    assert api.client.delete(f"{PATH}/1", headers=c.auth).status_code == 404
    # numbers are never reused
    assert add(api, c, "다시", "price > 1").json()["seq"] == 3
    # durable: stored in the settings repository under the customer's key
    with api.ctx.storage.unit_of_work() as uow:
        doc = uow.settings.get(KEY_PREFIX + c.customer_id)
    assert isinstance(doc, dict) and doc["next"] == 4
    assert [x["seq"] for x in doc["items"]] == [2, 3]  # type: ignore[index,union-attr]


def test_customers_are_isolated(api: Api) -> None:
    a, b = api.customer(), api.customer()
    assert add(api, a, "a-only", "price > 1").status_code == 201
    assert api.client.get(PATH, headers=b.auth).json() == {"conditions": []}
    assert api.client.get(f"{PATH}/1", headers=b.auth).status_code == 404
    assert api.client.delete(f"{PATH}/1", headers=b.auth).status_code == 404
    assert api.client.get(f"{PATH}/1/matches", headers=b.auth).status_code == 404
    assert add(api, b, "a-only", "price > 2").json()["seq"] == 1  # own numbering, own names
    assert api.client.get(f"{PATH}/1", headers=a.auth).json()["expr"] == "price > 1"


def test_invalid_expression_has_position_and_caret(api: Api) -> None:
    c = api.customer()
    r = add(api, c, "bad", "price > 3 and pirce < 5")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "invalid_expression"
    assert err["position"] == 14
    assert "did you mean 'price'" in err["message"]
    assert err["detail"].splitlines()[-1] == "  " + " " * 14 + "^"
    assert api.client.get(PATH, headers=c.auth).json() == {"conditions": []}


def test_check_returns_the_canonical_form(api: Api) -> None:
    c = api.customer()
    r = api.client.post(
        f"{PATH}/check", json={"expr": "VOLUME > 1만 AND not (rate<0)"}, headers=c.auth
    )
    assert r.json() == {"ok": True, "canonical": "volume > 10000 and not rate < 0"}
    r = api.client.post(f"{PATH}/check", json={"expr": "market == 'X'"}, headers=c.auth)
    assert r.status_code == 400 and r.json()["error"]["position"] == 10


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "", "expr": "price > 1"}, 400, "invalid_name"),
        ({"name": "x" * 41, "expr": "price > 1"}, 400, "invalid_name"),
        ({"name": "dup", "expr": "price > 1"}, 409, "duplicate_name"),
        ({"name": "n"}, 400, "bad_request"),
        ({"name": 3, "expr": "price > 1"}, 400, "bad_request"),
    ],
)
def test_refusals(api: Api, body: dict[str, Any], status: int, code: str) -> None:
    c = api.customer()
    assert add(api, c, "dup", "price > 0").status_code == 201
    r = api.client.post(PATH, json=body, headers=c.auth)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    assert len(api.client.get(PATH, headers=c.auth).json()["conditions"]) == 1


def test_body_must_be_a_json_object(api: Api) -> None:
    c = api.customer()
    for raw in (b"[1]", b"{nope"):
        r = api.client.post(PATH, content=raw, headers=c.auth)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"


def test_stored_limit(api: Api) -> None:
    c = api.customer()
    svc = api.ctx.services["conditions"]
    svc.store.limits = ConditionLimits(stored=2)
    assert add(api, c, "a", "price > 1").status_code == 201
    assert add(api, c, "b", "price > 1").status_code == 201
    r = add(api, c, "c", "price > 1")
    assert r.status_code == 409 and r.json()["error"]["code"] == "limit"


def test_auth_is_required(api: Api) -> None:
    api.customer()
    assert api.client.get(PATH).status_code == 401
    r = api.client.get(PATH, headers={"authorization": "Bearer nope"})
    assert r.status_code == 401 and "8005" in r.json()["error"]["message"]
    assert api.client.get(PATH, headers={"authorization": "Basic x"}).status_code == 401


def test_unavailable_without_the_service(api: Api) -> None:
    c = api.customer()
    svc = api.ctx.services.pop("conditions")
    try:
        assert api.client.get(PATH, headers=c.auth).status_code == 503
    finally:
        api.ctx.services["conditions"] = svc


def test_matches_run_a_search_now(api: Api) -> None:
    c = api.customer()
    states = api.ctx.exchange.states
    kospi = sorted(code for code, s in states.items() if s.instrument.market.value == "KOSPI")
    add(api, c, "kospi", 'market == "KOSPI"')
    r = api.client.get(f"{PATH}/1/matches", headers=c.auth).json()
    assert r["count"] == len(kospi) > 0
    assert [m["code"] for m in r["matches"]] == kospi
    first = states[kospi[0]]
    assert r["matches"][0]["price"] == first.board.stats.base_price
    assert r["matches"][0]["rate"] == "0.00"
    assert api.client.get(f"{PATH}/x/matches", headers=c.auth).status_code == 404


def test_a_stored_formula_that_no_longer_parses(api: Api) -> None:
    c = api.customer()
    with api.ctx.storage.unit_of_work() as uow:
        item = {"seq": 1, "name": "old", "expr": "price >>> 1", "at": 0}
        uow.settings.put(KEY_PREFIX + c.customer_id, {"next": 2, "items": [item]})
    r = api.client.get(f"{PATH}/1/matches", headers=c.auth)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_expression"


# ------------------------------------------------------------------ CLI


@pytest.fixture
def runner(api: Api, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    class _Client:
        def __init__(self, base_url: str) -> None:
            assert base_url == "http://hoga.test"

        def __enter__(self) -> Any:
            return api.client

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(cli, "make_client", _Client)
    return CliRunner()


def test_cli_add_list_run_show_delete(api: Api, runner: CliRunner) -> None:
    c = api.customer()
    env = {"HOGA_URL": "http://hoga.test", "HOGA_TOKEN": c.token}
    r = runner.invoke(hoga_cli, ["conditions", "add", "코스피", 'market == "KOSPI"'], env=env)
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "stored condition 1 (코스피)"
    r = runner.invoke(hoga_cli, ["conditions", "list"], env=env)
    assert r.output.splitlines() == ['1\t코스피\tmarket == "KOSPI"']
    r = runner.invoke(hoga_cli, ["conditions", "list", "--json"], env=env)
    assert '"name": "코스피"' in r.output
    r = runner.invoke(hoga_cli, ["conditions", "run", "1"], env=env)
    assert r.exit_code == 0 and r.output.splitlines()[-1].endswith("match(es)")
    count = int(r.output.splitlines()[-1].split()[0])
    assert count == len(r.output.splitlines()) - 1 > 0
    r = runner.invoke(hoga_cli, ["conditions", "run", "1", "--json"], env=env)
    assert f'"count": {count}' in r.output
    r = runner.invoke(hoga_cli, ["conditions", "show", "1"], env=env)
    assert '"seq": 1' in r.output
    r = runner.invoke(hoga_cli, ["conditions", "delete", "1"], env=env)
    assert r.output.strip() == "deleted condition 1"
    assert runner.invoke(hoga_cli, ["conditions", "list"], env=env).output == ""


def test_cli_errors(api: Api, runner: CliRunner) -> None:
    c = api.customer()
    env = {"HOGA_URL": "http://hoga.test", "HOGA_TOKEN": c.token}
    r = runner.invoke(hoga_cli, ["conditions", "add", "x", "price >"], env=env)
    assert r.exit_code == 1 and "expected a value, found the end (column 8)" in r.output
    r = runner.invoke(hoga_cli, ["conditions", "show", "9"], env=env)
    assert r.exit_code == 1 and "no condition 9" in r.output
    r = runner.invoke(hoga_cli, ["conditions", "list"], env={"HOGA_URL": "http://hoga.test"})
    assert r.exit_code == 2 and "access token" in r.output


def test_cli_finds_the_server_url_in_the_database(api: Api, runner: CliRunner) -> None:
    c = api.customer()
    with api.ctx.storage.unit_of_work() as uow:
        uow.settings.put("server.url", "http://hoga.test")
    db = api.ctx.settings.db
    r = runner.invoke(hoga_cli, ["conditions", "list", "--db", db, "--token", c.token])
    assert r.exit_code == 0, r.output
    with api.ctx.storage.unit_of_work() as uow:
        uow.settings.delete("server.url")
    r = runner.invoke(hoga_cli, ["conditions", "list", "--db", db, "--token", c.token])
    assert r.exit_code == 2 and "give --url" in r.output


def test_cli_reports_an_unreachable_server(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    monkeypatch.setattr(
        cli,
        "make_client",
        lambda base: httpx.Client(base_url=base, transport=httpx.MockTransport(refuse)),
    )
    args = ["conditions", "list", "--url", "http://x.test", "--token", "t"]
    r = CliRunner().invoke(hoga_cli, args)
    assert r.exit_code == 2 and "cannot reach the server" in r.output


def test_cli_check_is_offline() -> None:
    r = CliRunner().invoke(hoga_cli, ["conditions", "check", "ma(5) > ma(20) AND rate>1"])
    assert r.exit_code == 0 and r.output.strip() == "ma(5) > ma(20) and rate > 1"
    r = CliRunner().invoke(hoga_cli, ["conditions", "check", "ma(0) > 1"])
    assert r.exit_code == 1 and "ma() needs a whole number of days" in r.output


def test_service_is_registered(api: Api) -> None:
    assert isinstance(api.ctx.services["conditions"], ConditionService)
