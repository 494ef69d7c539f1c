"""Terms versions and consent, disputes, onboarding over HTTP, on the manual clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _apikit import START, Api, Customer

from hoga.domain.kst import at_kst, kst_date

OP = {"authorization": "Bearer op-secret"}
DAY = 86_400_000_000
ACNT = "/api/dostk/acnt"


def op(api: Api, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    resp = api.client.request(method, f"/operator/compliance{path}", json=body, headers=OP)
    return resp.status_code, resp.json()


def call(api: Api, who: Customer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    resp = api.client.request(method, f"/hoga/v1{path}", json=body, headers=who.auth)
    return resp.status_code, resp.json()


def kiwoom(api: Api, who: Customer) -> Any:
    return api.post(ACNT, "ka00001", {}, token=who.token).json()


def retoken(api: Api, *who: Customer) -> None:
    """Tokens live 24 h of simulated time: issue fresh ones after the clock moved days."""
    for w in who:
        body = {"grant_type": "client_credentials", "appkey": w.appkey, "secretkey": w.secretkey}
        w.token = api.post("/oauth2/token", None, body).json()["token"]


def log(api: Api, **q: str) -> list[dict[str, Any]]:
    code, rows = op(api, "GET", "/log?" + "&".join(f"{k}={v}" for k, v in q.items()))
    assert code == 200
    return list(rows)


def publish(api: Api, label: str, days: int, urgent: bool = False) -> tuple[int, Any]:
    day = (kst_date(START) + timedelta(days=days)).isoformat()
    body = {"version": label, "body": f"# {label}\n\n변경된 약관", "effective": day}
    return op(api, "POST", "/terms", {**body, "urgent": urgent})


def test_terms_change_takes_effect_after_31_days_and_bars_objectors(api: Api) -> None:
    a, b, c = api.customer(), api.customer(), api.customer()
    public = api.client.get("/hoga/v1/terms").json()
    assert public["current"]["version"] == "ko-v1" and public["current"]["sample"]
    assert "견본" in api.client.get("/hoga/v1/terms/ko-v1").json()["body"]
    code, first = publish(api, "ko-v2", 31)  # replacing the sample needs no lead time
    assert code == 200 and first["effective_at"].startswith("2026-12-27")
    code, ok = publish(api, "ko-v3", 61)
    assert code == 200 and not ok["urgent"]
    posted = log(api, topic="terms", ref="ko-v3")
    notices = [r for r in posted if r["event"] == "notice:terms_posted"]
    assert {r["customer_id"] for r in notices} >= {a.customer_id, b.customer_id, c.customer_id}
    assert all(r["channel"] for r in notices)

    assert call(api, a, "POST", "/terms/ko-v2/objection")[0] == 200
    assert call(api, b, "POST", "/terms/ko-v2/consent")[0] == 200
    code, mine = call(api, a, "GET", "/terms")
    assert mine["standing"]["ko-v2"] == "objected" and mine["refusal"] is None
    assert kiwoom(api, a)["return_code"] == 0  # not yet in effect

    api.ctx.clock.advance(30 * DAY)
    retoken(api, a, b, c)
    assert kiwoom(api, a)["return_code"] == 0  # day 30: still the sample terms
    api.ctx.clock.advance(DAY)  # day 31 10:00 → ko-v2 in effect since midnight
    retoken(api, a, b, c)
    refused = kiwoom(api, a)
    assert refused["return_code"] != 0 and "8103" in refused["return_msg"]
    assert "ko-v2" in refused["return_msg"]
    assert kiwoom(api, b)["return_code"] == 0 and kiwoom(api, c)["return_code"] == 0
    code, shown = op(api, "GET", "/terms/ko-v2")
    actions = {(r["customer_id"], r["action"]) for r in shown["consents"]}
    assert (c.customer_id, "deemed") in actions and (a.customer_id, "objection") in actions
    assert (a.customer_id, "deemed") not in actions
    barred = [r for r in log(api, customer_id=a.customer_id) if r["event"] == "notice:terms_barred"]
    assert len(barred) == 1
    code, late = call(api, c, "POST", "/terms/ko-v2/objection")
    assert code == 409 and late["reason"] == "already_effective"

    code, back = call(api, a, "POST", "/terms/ko-v2/consent")
    assert code == 200 and back["refusal"] is None
    assert kiwoom(api, a)["return_code"] == 0


def test_lead_time_urgent_change_and_bad_publications(api: Api) -> None:
    assert publish(api, "ko-v2", 3)[0] == 200  # replacing the sample needs no lead time
    api.ctx.clock.advance(3 * DAY)
    code, short = publish(api, "ko-v3", 32)
    assert code == 409 and short["reason"] == "notice_too_short"
    assert "2026-12-29" in short["error"]  # one month after the posting day (11-29)
    code, urgent = publish(api, "ko-v3", 32, urgent=True)
    assert code == 200 and urgent["urgent"]
    assert urgent["posted_until"].startswith("2026-12-29")  # posted a month at least
    assert publish(api, "ko-v3", 90)[1]["reason"] == "duplicate_version"
    assert publish(api, "ko-v4", 31, urgent=True)[1]["reason"] == "not_after_previous"
    assert op(api, "POST", "/terms", {"version": "x", "body": "b"})[0] == 400
    code, listed = op(api, "GET", "/terms")
    assert listed["current"] == "ko-v2" and [v["version"] for v in listed["versions"]] == [
        "ko-v1",
        "ko-v2",
        "ko-v3",
    ]
    assert api.client.post("/operator/compliance/terms", json={}).status_code == 401


def test_customer_ends_the_service_before_the_effective_date(api: Api) -> None:
    a = api.customer()
    assert publish(api, "ko-v2", 31)[0] == 200
    assert call(api, a, "POST", "/terms/terminate", {})[0] == 400
    code, done = call(api, a, "POST", "/terms/terminate", {"confirm": True})
    assert code == 200 and "폐기" in done["done"][0]
    assert kiwoom(api, a)["return_code"] != 0
    issue = {"grant_type": "client_credentials", "appkey": a.appkey, "secretkey": a.secretkey}
    assert api.post("/oauth2/token", None, issue).json()["return_code"] != 0
    assert "standing" not in call(api, a, "GET", "/terms")[1]  # the token died with the keys
    assert call(api, a, "GET", "/disputes")[0] == 401
    shown = op(api, "GET", "/terms/ko-v2")[1]["consents"]
    assert [(r["customer_id"], r["action"]) for r in shown] == [(a.customer_id, "termination")]


def test_dispute_escalates_on_day_13_and_passes_its_deadline_after_day_15(api: Api) -> None:
    a, other = api.customer(), api.customer()
    code, case = call(api, a, "POST", "/disputes", {"subject": "체결 지연", "body": "주문 지연"})
    assert code == 200 and case["state"] == "open" and case["kind"] == "dispute"
    assert case["deadline"].startswith("2026-12-12T00:00:00")  # end of day 15
    cid = case["id"]
    assert call(api, other, "GET", f"/disputes/{cid}")[0] == 404
    assert call(api, a, "POST", "/disputes", {"subject": "", "body": "x"})[0] == 400
    assert call(api, a, "POST", "/disputes", {"kind": "x", "subject": "s", "body": "x"})[0] == 400

    api.ctx.clock.advance(12 * DAY)
    shown = op(api, "GET", f"/disputes/{cid}")[1]
    assert shown["reached"] == ["reminder"] and not shown["escalated"]
    api.ctx.clock.advance(DAY)  # day 13
    shown = op(api, "GET", f"/disputes/{cid}")[1]
    assert shown["escalated"] and shown["reached"] == ["reminder", "escalated"]
    events = [r["event"] for r in shown["log"]]
    assert events.count("notice:case_escalated") == 2  # the operator and the customer
    assert [r["channel"] for r in shown["log"] if r["event"] == "notice:case_reminder"] == [
        "operator"
    ]
    api.ctx.clock.set(at_kst(kst_date(START) + timedelta(days=16)) - 1)  # day 15, last µs
    retoken(api, a)
    shown = op(api, "GET", f"/disputes/{cid}")[1]
    assert shown["reached"][-1] == "last_day" and not shown["overdue"]
    api.ctx.clock.advance(1)  # the deadline
    code, mine = call(api, a, "GET", f"/disputes/{cid}")
    assert code == 200 and mine["overdue"]
    customer_notices = [
        r["event"]
        for r in log(api, customer_id=a.customer_id)
        if r["channel"] not in ("", "operator")
    ]
    assert customer_notices == ["notice:case_filed", "notice:case_escalated", "notice:case_overdue"]
    code, done = op(api, "POST", f"/disputes/{cid}/answer", {"answer": "조사 결과 정상 체결"})
    assert code == 200 and done["state"] == "answered" and done["late"]
    assert op(api, "POST", f"/disputes/{cid}/answer", {"answer": "x"})[1]["reason"] == "not_open"
    assert op(api, "GET", "/disputes?open=1")[1] == []


def test_objection_is_answered_in_time_and_can_be_withdrawn(api: Api) -> None:
    a = api.customer()
    body = {"kind": "objection", "subject": "잔고 확인", "body": "잔고 확인 요청"}
    first = call(api, a, "POST", "/disputes", body)[1]
    second = call(api, a, "POST", "/disputes", body)[1]
    api.ctx.clock.advance(2 * DAY)
    retoken(api, a)
    done = op(api, "POST", f"/disputes/{first['id']}/answer", {"answer": "확인했습니다"})[1]
    assert done["state"] == "answered" and not done["late"]
    code, gone = call(api, a, "POST", f"/disputes/{second['id']}/withdraw")
    assert code == 200 and gone["state"] == "withdrawn"
    assert call(api, a, "POST", f"/disputes/{second['id']}/withdraw")[0] == 409
    assert [c["id"] for c in call(api, a, "GET", "/disputes")[1]] == [first["id"], second["id"]]
    api.ctx.clock.advance(20 * DAY)
    assert op(api, "POST", "/sweep")[1]["cases"] == []


FORM = {
    "name": "김하나",
    "birth_date": "19900101",
    "phone": "010-1234-5678",
    "account_no": "5123456711",
    "env": "mock",
    "terms_version": "ko-v1",
    "consent": True,
    "ai_assistant": True,
}
APPS = "/hoga/v1/onboarding/applications"


def test_onboarding_issues_working_keys(api: Api) -> None:
    resp = api.client.post(APPS, json=FORM)
    assert resp.status_code == 200, resp.json()
    doc = resp.json()
    assert doc["status"] == "issued" and doc["application_token"]
    creds = doc["credentials"]
    issue = {"grant_type": "client_credentials", **{k: creds[k] for k in ("appkey", "secretkey")}}
    token = api.post("/oauth2/token", None, issue).json()
    assert token["return_code"] == 0
    who = Customer(
        creds["customer_id"], creds["appkey"], creds["secretkey"], creds["account"], token["token"]
    )
    assert kiwoom(api, who)["return_code"] == 0
    assert call(api, who, "GET", "/assistant")[1]["ai_assistant"] is True
    assert call(api, who, "POST", "/assistant", {"enabled": False})[1]["ai_assistant"] is False
    code, on = op(api, "POST", f"/customers/{who.customer_id}/assistant", {"enabled": True})
    assert code == 200 and on["ai_assistant"] is True
    assert op(api, "POST", "/customers/C99999999/assistant", {"enabled": True})[0] == 404
    standing = call(api, who, "GET", "/terms")[1]["standing"]
    assert standing == {"ko-v1": "consented"}
    headers = {"x-application-token": doc["application_token"]}
    shown = api.client.get(f"{APPS}/{doc['id']}", headers=headers).json()
    assert shown["customer_id"] == who.customer_id and "credentials" not in shown


def test_refusal_states_the_reason_and_the_appeal_is_decided(api: Api) -> None:
    resp = api.client.post(APPS, json={**FORM, "name": "타인명의"})
    doc = resp.json()
    assert resp.status_code == 200 and doc["status"] == "refused"
    assert doc["reason"] == "borrowed_name" and "credentials" not in doc
    assert f"{APPS}/{doc['id']}/appeal" in doc["refusal"]
    token = {"x-application-token": doc["application_token"]}
    wrong = {"x-application-token": "not-the-token"}
    assert api.client.get(f"{APPS}/{doc['id']}", headers=wrong).status_code == 404
    assert api.client.get(f"{APPS}/{doc['id']}").status_code == 401
    assert (
        api.client.post(f"{APPS}/{doc['id']}/keys", headers=token).json()["reason"]
        == "not_approved"
    )
    sent = api.client.post(
        f"{APPS}/{doc['id']}/appeal", json={"appeal": "본인 계좌입니다"}, headers=token
    )
    assert sent.status_code == 200 and sent.json()["status"] == "appealed"
    again = api.client.post(f"{APPS}/{doc['id']}/appeal", json={"appeal": "x"}, headers=token)
    assert again.status_code == 409
    assert op(api, "POST", f"/applications/{doc['id']}/decide", {"approve": True})[0] == 409
    code, ok = op(
        api, "POST", f"/applications/{doc['id']}/decide", {"approve": True, "note": "확인됨"}
    )
    assert code == 200 and ok["status"] == "approved"
    claimed = api.client.post(f"{APPS}/{doc['id']}/keys", headers=token).json()
    assert claimed["status"] == "issued" and claimed["credentials"]["appkey"]
    twice = api.client.post(f"{APPS}/{doc['id']}/keys", headers=token)
    assert twice.status_code == 409
    events = [r["event"] for r in op(api, "GET", f"/applications/{doc['id']}")[1]["log"]]
    assert events[:5] == [
        "submitted",
        "refused",
        "appealed",
        "notice:application_appealed",
        "approved",
    ]
    assert "issued" in events


def test_each_documented_pattern_refuses(api: Api) -> None:
    cases = {
        "no_account": {"account_no": "0123456711"},
        "false_data": {"name": "허위기재"},
        "identity_failed": {"phone": "01012340000"},
        "account_unverified": {"account_no": "5123456700"},
    }
    for reason, over in cases.items():
        doc = api.client.post(
            APPS, json={**FORM, **over}, headers={"x-forwarded-for": reason}
        ).json()
        assert doc["reason"] == reason, doc
    code, refused = op(api, "GET", "/applications?status=refused")
    assert code == 200 and len(refused) == 4
    doc = api.client.post(APPS, json={**FORM, "name": "타인"}).json()
    decided = op(api, "POST", f"/applications/{doc['id']}/decide", {"approve": False, "note": "x"})
    assert decided[1]["reason"] == "not_appealed"


def test_bad_forms_stale_terms_and_the_daily_limit(api: Api) -> None:
    for over, reason in (
        ({"consent": False}, "consent_required"),
        ({"birth_date": "19901301"}, "bad_birth_date"),
        ({"birth_date": "1990"}, "bad_birth_date"),
        ({"phone": "12345"}, "bad_phone"),
        ({"account_no": "12"}, "bad_account"),
        ({"env": "prod"}, "bad_env"),
        ({"name": " "}, "bad_name"),
    ):
        resp = api.client.post(APPS, json={**FORM, **over})
        assert resp.status_code == 400 and resp.json()["reason"] == reason
    assert api.client.post(APPS, json={**FORM, "consent": "yes"}).status_code == 400
    assert api.client.post(APPS, content=b"[1]").status_code == 400
    assert api.client.post(APPS, content=b"x" * 70_000).status_code == 413
    stale = api.client.post(APPS, json={**FORM, "terms_version": "ko-v0"})
    assert stale.status_code == 409 and stale.json()["reason"] == "terms_outdated"
    for _ in range(4):
        assert api.client.post(APPS, json={**FORM, "name": "타인"}).status_code == 200
    assert api.client.post(APPS, json=FORM).status_code == 200  # the fifth today
    limited = api.client.post(APPS, json=FORM)
    assert limited.status_code == 429 and limited.json()["reason"] == "too_many"
    api.ctx.clock.advance(DAY + 1)
    assert api.client.post(APPS, json=FORM).status_code == 200
