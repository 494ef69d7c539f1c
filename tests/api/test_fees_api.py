"""Fees published (terms art. 10) through the API and the CLI equal the ledger's FeeSchedule."""

from __future__ import annotations

import json
from datetime import date

from _apikit import Api
from typer.testing import CliRunner

from hoga.cli.admin import app as admin_app
from hoga.domain.kst import kst_date


def test_fees_api_is_the_ledgers_schedule(api: Api) -> None:
    schedule = api.ctx.services["brokerage"].ledger.fees
    doc = api.client.get("/hoga/v1/fees", params={"on": "2025-12-01"}).json()
    assert doc["commission"]["rate"] == str(schedule.commission_fee.rate)
    in_force = schedule.in_force(date(2025, 12, 1))
    assert [(r["market"], r["effective_from"], r["total_rate"]) for r in doc["taxes_in_force"]] == [
        (r.market.value, r.effective_from.isoformat(), str(r.total_rate)) for r in in_force
    ]
    upcoming = schedule.upcoming(date(2025, 12, 1))
    assert [(r["market"], r["effective_from"]) for r in doc["taxes_upcoming"]] == [
        (r.market.value, r.effective_from.isoformat()) for r in upcoming
    ]
    assert upcoming and all(r.effective_from == date(2026, 1, 1) for r in upcoming)
    today = api.client.get("/hoga/v1/fees").json()
    assert today["as_of"] == kst_date(api.ctx.clock.now()).isoformat()
    assert api.client.get("/hoga/v1/fees", params={"on": "x"}).status_code == 400
    op = api.client.get("/operator/fees", headers={"authorization": "Bearer op-secret"})
    assert op.json() == today
    assert api.client.get("/operator/fees").status_code == 401


def test_fees_cli_matches_the_api(api: Api, monkeypatch: object) -> None:
    setenv = monkeypatch.setenv  # type: ignore[attr-defined]
    setenv("HOGA_COMMISSION_RATE", api.ctx.settings.commission_rate)
    out = CliRunner().invoke(admin_app, ["fees", "--on", "2025-12-01", "--json"])
    assert out.exit_code == 0, out.output
    assert (
        json.loads(out.output)
        == api.client.get("/hoga/v1/fees", params={"on": "2025-12-01"}).json()
    )
    text = CliRunner().invoke(admin_app, ["fees", "--on", "2025-12-01"])
    assert "위탁수수료 0.015%" in text.output and "2026-01-01부터" in text.output
    bad = CliRunner().invoke(admin_app, ["fees", "--on", "soon"])
    assert bad.exit_code != 0
