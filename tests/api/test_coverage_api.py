"""Every documented api-id hoga does not serve answers the clear 1505 error, never a 5xx."""

from __future__ import annotations

from _apikit import Api

from hoga.api.dispatch import HANDLERS, not_served
from hoga.api.routes import load_all
from hoga.wire.catalog import CATALOG

load_all()
UNSERVED = sorted(i for i, s in CATALOG.items() if s.is_rest and i not in HANDLERS)


def test_there_are_unserved_ids() -> None:
    assert len(UNSERVED) > 50
    assert "ka10010" in UNSERVED


def test_every_unserved_id_answers_the_documented_error(api: Api) -> None:
    who = api.customer()
    for api_id in UNSERVED:
        expected = not_served(api_id)
        for body in ({}, {"stk_cd": "005930"}):
            resp = api.post(CATALOG[api_id].path, api_id, body, token=who.token)
            assert resp.status_code == expected.status < 500, api_id
            data = resp.json()
            assert data["return_code"] == expected.return_code != 0, api_id
            assert data["return_msg"] == expected.return_msg, api_id
            assert "hoga에서 아직 지원하지 않습니다" in data["return_msg"]
            assert api_id in data["return_msg"]
            assert resp.headers["api-id"] == api_id


def test_unserved_ids_answer_the_same_without_a_token(api: Api) -> None:
    # the check happens before authorization: an unserved id never reaches a handler
    for api_id in UNSERVED[:10]:
        resp = api.post(CATALOG[api_id].path, api_id, {})
        assert resp.status_code < 500
        assert "아직 지원하지 않습니다" in resp.json()["return_msg"]
