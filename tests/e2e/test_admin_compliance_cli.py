"""``hoga admin terms|disputes|onboarding|assistant|compliance`` against a running server on the
manual clock: a terms change effective after 31 days, a dispute escalated on day 13 and overdue
after day 15, an application refused, appealed, approved and claimed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from _serverkit import Proc, start_server
from typer.testing import CliRunner

from hoga.bootstrap import SETTING_OPERATOR_TOKEN, open_storage
from hoga.cli.main import app as cli
from hoga.domain.kst import at_kst, kst_date

DAY_S = 86_400


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Proc, str]]:
    db = f"sqlite:///{tmp_path / 'compliance.db'}"
    args = ("--clock", "manual", "--universe-limit", "2", "--market", "always")
    proc = start_server(db, tmp_path / "server.log", *args)
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


class Server:
    def __init__(self, proc: Proc, db: str) -> None:
        self.base = proc.base
        storage = open_storage(db)
        with storage.unit_of_work() as uow:
            self.op = {"authorization": f"Bearer {uow.settings.get(SETTING_OPERATOR_TOKEN)}"}
        storage.close()

    def now(self) -> int:
        return int(httpx.get(f"{self.base}/operator/sim/status", headers=self.op).json()["time_us"])

    def clock(self, body: dict[str, Any]) -> None:
        resp = httpx.post(
            f"{self.base}/operator/sim/clock", json=body, headers=self.op, timeout=120
        )
        assert resp.status_code == 200, resp.text

    def token(self, appkey: str, secretkey: str) -> dict[str, str]:
        creds = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey}
        token = httpx.post(f"{self.base}/oauth2/token", json=creds).json()["token"]
        return {"authorization": f"Bearer {token}"}

    def kiwoom(self, auth: dict[str, str]) -> Any:
        headers = {**auth, "api-id": "ka00001"}
        return httpx.post(f"{self.base}/api/dostk/acnt", json={}, headers=headers).json()


def test_compliance_workflows_through_the_cli(served: tuple[Proc, str], tmp_path: Path) -> None:
    proc, db = served
    srv = Server(proc, db)
    code, made = admin(db, "customer", "create", "--name", "kim", "--json")
    assert code == 0
    cid, creds = made["customer_id"], (made["appkey"], made["secretkey"])
    auth = srv.token(*creds)

    start = srv.now()
    day0 = kst_date(start)
    text = tmp_path / "ko-v2.md"
    text.write_text("# 오픈 API 이용약관 제2판\n\n제1조 바뀐 내용", encoding="utf-8")
    effective = (day0 + timedelta(days=31)).isoformat()
    code, v2 = admin(db, "terms", "publish", str(text), "--effective", effective)
    assert code == 0 and v2["version"] == "ko-v2" and v2["title"] == "오픈 API 이용약관 제2판"
    code, bad = admin(db, "terms", "publish", str(text), "--effective", effective)
    assert code == 1 and bad["reason"] == "duplicate_version"
    objected = httpx.post(f"{srv.base}/hoga/v1/terms/ko-v2/objection", headers=auth)
    assert objected.status_code == 200

    filed = httpx.post(
        f"{srv.base}/hoga/v1/disputes",
        json={"subject": "주문 체결 오류", "body": "체결 내역 확인 요청"},
        headers=auth,
    ).json()
    case = str(filed["id"])

    srv.clock({"set": at_kst(day0 + timedelta(days=13), 9 * 3600)})  # day 13, 09:00 KST
    code, shown = admin(db, "disputes", "show", case)
    assert code == 0 and shown["escalated"] and not shown["overdue"]
    assert shown["reached"] == ["reminder", "escalated"]
    srv.clock({"set": at_kst(day0 + timedelta(days=16))})  # the end of day 15
    code, shown = admin(db, "disputes", "show", case)
    assert code == 0 and shown["overdue"]
    code, answered = admin(db, "disputes", "answer", case, "--text", "정상 체결로 확인되었습니다")
    assert code == 0 and answered["state"] == "answered" and answered["late"]
    code, listed = admin(db, "disputes", "list", "--open")
    assert code == 0 and listed == []

    srv.clock({"set": at_kst(day0 + timedelta(days=31), 9 * 3600)})  # ko-v2 in effect
    auth = srv.token(*creds)
    refused = srv.kiwoom(auth)
    assert refused["return_code"] != 0 and "8103" in refused["return_msg"]
    code, terms = admin(db, "terms", "list")
    assert code == 0 and terms["current"] == "ko-v2"
    code, shown = admin(db, "terms", "show", "ko-v2")
    assert code == 0 and [c["action"] for c in shown["consents"]] == ["objection"]
    assert httpx.post(f"{srv.base}/hoga/v1/terms/ko-v2/consent", headers=auth).status_code == 200
    assert srv.kiwoom(auth)["return_code"] == 0

    form = {
        "name": "타인명의",
        "birth_date": "19850505",
        "phone": "01055556666",
        "account_no": "5111111111",
        "env": "mock",
        "terms_version": "ko-v2",
        "consent": True,
    }
    apps = f"{srv.base}/hoga/v1/onboarding/applications"
    doc = httpx.post(apps, json=form, timeout=30).json()
    assert doc["status"] == "refused" and doc["reason"] == "borrowed_name"
    app_token = {"x-application-token": doc["application_token"]}
    appeal = {"appeal": "본인 명의 계좌입니다"}
    assert httpx.post(f"{apps}/{doc['id']}/appeal", json=appeal, headers=app_token).is_success
    code, waiting = admin(db, "onboarding", "list", "--status", "appealed")
    assert code == 0 and [a["id"] for a in waiting] == [doc["id"]]
    code, ok = admin(db, "onboarding", "decide", str(doc["id"]), "--approve", "--note", "확인")
    assert code == 0 and ok["status"] == "approved"
    keys = httpx.post(f"{apps}/{doc['id']}/keys", headers=app_token, timeout=30).json()
    new = keys["credentials"]
    assert srv.kiwoom(srv.token(new["appkey"], new["secretkey"]))["return_code"] == 0

    code, on = admin(db, "assistant", "set", new["customer_id"], "--on")
    assert code == 0 and on["ai_assistant"] is True
    code, shown = admin(db, "assistant", "show", cid)
    assert code == 0 and shown["ai_assistant"] is False
    code, log = admin(db, "compliance", "log", "--customer", cid)
    events = [r["event"] for r in log]
    for event in ("objection", "filed", "escalated", "overdue", "answered", "consent"):
        assert event in events
    code, _ = admin(db, "compliance", "sweep")
    assert code == 0
