"""``hoga admin incidents …`` against a running server: suspend, explain, accept, terminate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _serverkit import Proc, start_server
from typer.testing import CliRunner

from hoga.cli.main import app as cli


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Proc, str]]:
    db = f"sqlite:///{tmp_path / 'inc.db'}"
    proc = start_server(db, tmp_path / "server.log", "--clock", "manual", "--universe-limit", "4")
    try:
        yield proc, db
    finally:
        proc.stop()


def admin(db: str, *args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(cli, ["admin", *args, "--db", db])
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.exit_code, result.stdout + result.stderr


def test_incident_workflow_through_the_cli(served: tuple[Proc, str]) -> None:
    proc, db = served
    code, made = admin(db, "customer", "create", "--name", "kim", "--json")
    assert code == 0
    cid = made["customer_id"]
    creds = {
        "grant_type": "client_credentials",
        "appkey": made["appkey"],
        "secretkey": made["secretkey"],
    }
    token = httpx.post(f"{proc.base}/oauth2/token", json=creds).json()["token"]
    bearer = {"authorization": f"Bearer {token}", "api-id": "ka00001"}

    def account() -> Any:
        return httpx.post(f"{proc.base}/api/dostk/acnt", json={}, headers=bearer).json()

    assert account()["return_code"] == 0
    code, inc = admin(db, "incidents", "suspend", cid, "--reason", "감독당국 중지 권고")
    assert code == 0 and inc["sanction"] == "suspend" and inc["customer_id"] == cid
    refused = account()
    assert refused["return_code"] != 0 and "8103" in refused["return_msg"]

    code, ext = admin(db, "incidents", "extend", str(inc["id"]), "--days", "5")
    assert code == 0 and ext["deadline_us"] == inc["deadline_us"] + 5 * 86_400_000_000
    code, _ = admin(db, "incidents", "extend", str(inc["id"]))
    assert code != 0  # neither --days nor --until
    code, err = admin(db, "incidents", "accept", str(inc["id"]))
    assert code == 1 and "not_submitted" in err["error"]

    path = f"{proc.base}/hoga/v1/incidents/{inc['id']}/explanation"
    sent = httpx.post(path, json={"explanation": "주문 프로그램 오류"}, headers=bearer)
    assert sent.status_code == 200 and sent.json()["review"] == "submitted"
    code, shown = admin(db, "incidents", "show", str(inc["id"]))
    assert code == 0 and shown["explanation"] == "주문 프로그램 오류"
    assert [n["kind"] for n in shown["notices"]] == ["opened", "extended", "explained"]
    code, ok = admin(db, "incidents", "accept", str(inc["id"]))
    assert code == 0 and ok["phase"] == "dismissed"
    assert account()["return_code"] == 0

    code, term = admin(db, "incidents", "terminate", cid, "--reason", "해지 권고")
    assert code == 0 and term["sanction"] == "terminate"
    assert httpx.post(f"{proc.base}/oauth2/token", json=creds).json()["return_code"] != 0
    code, listed = admin(db, "incidents", "list", "--open", "--customer", cid)
    assert code == 0 and [i["id"] for i in listed] == [term["id"]]
    code, notices = admin(db, "incidents", "notices", "--customer", cid)
    assert code == 0 and notices[-1]["subject"] == "오픈 API 서비스 이용 해지"
    code, lifted = admin(db, "incidents", "lift", str(term["id"]))
    assert code == 0 and lifted["phase"] == "lifted"
    code, _ = admin(db, "incidents", "reject", str(term["id"]))
    assert code == 1
    code, swept = admin(db, "incidents", "sweep")
    assert code == 0 and swept == []
    code, _ = admin(db, "incidents", "suspend", "C99999999", "--reason", "x")
    assert code == 1


def test_incidents_without_a_server_say_so(tmp_path: Path) -> None:
    code, out = admin(f"sqlite:///{tmp_path / 'none.db'}", "incidents", "list")
    assert code == 2 and "no running server" in out
