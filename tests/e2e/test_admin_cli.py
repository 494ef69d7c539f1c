"""``hoga admin`` against the database a running app uses: create, list, revoke."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from hoga.api.app import create_app
from hoga.api.context import AppContext
from hoga.bootstrap import build_context
from hoga.cli.main import app as cli
from hoga.clock import ManualClock
from hoga.config import Settings
from hoga.domain.kst import at_kst

START = at_kst(date(2026, 11, 26), 10 * 3600)


class Server:
    def __init__(self, ctx: AppContext, client: TestClient, wall: ManualClock) -> None:
        self.ctx, self.client, self.wall = ctx, client, wall

    def post(self, path: str, body: dict[str, str], **headers: str) -> Any:
        return self.client.post(path, json=body, headers=headers).json()

    def token(self, appkey: str, secretkey: str) -> Any:
        body = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey}
        return self.post("/oauth2/token", body)

    def account(self, token: str) -> Any:
        return self.post(
            "/api/dostk/acnt", {}, **{"api-id": "ka00001", "authorization": f"Bearer {token}"}
        )


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shared.db'}"


@pytest.fixture
def server(db: str) -> Iterator[Server]:
    wall = ManualClock(START)
    settings = Settings(
        db=db, clock="manual", clock_start=START, universe_limit=10, operator_token="op"
    )
    ctx = build_context(settings, base_clock=wall)
    with TestClient(create_app(ctx, run_market=False)) as client:
        yield Server(ctx, client, wall)
    ctx.storage.close()


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_customer_created_by_another_process_gets_a_token(server: Server, db: str) -> None:
    hoga = Path(sys.executable).with_name("hoga")
    args = ["admin", "customer", "create", "--name", "park", "--cash", "7000000", "--db", db]
    out = subprocess.run(
        [str(hoga), *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    made = json.loads(out.stdout)
    assert set(made) == {"customer_id", "appkey", "secretkey", "account", "env"}
    assert made["env"] == "mock" and len(made["secretkey"]) >= 40
    issued = server.token(made["appkey"], made["secretkey"])
    assert issued["return_code"] == 0
    assert server.account(issued["token"])["acctNo"] == made["account"]
    with server.ctx.storage.unit_of_work() as uow:
        assert uow.journal.balance(made["account"], "KRW", "cash") == 7_000_000


def test_list_and_revoke_while_the_server_runs(server: Server, db: str) -> None:
    r = run("admin", "customer", "create", "--name", "choi", "--env", "mock", "--db", db)
    assert r.exit_code == 0, r.output
    assert "secret key is not shown again" in r.output
    r = run("admin", "customer", "create", "--name", "han", "--cash", "0", "--db", db, "--json")
    made = json.loads(r.output)
    token = server.token(made["appkey"], made["secretkey"])["token"]
    assert server.account(token)["return_code"] == 0

    listed = json.loads(run("admin", "customer", "list", "--db", db, "--json").output)
    assert [(c["name"], c["status"]) for c in listed] == [("choi", "active"), ("han", "active")]
    assert listed[1]["appkeys"] == [made["appkey"]]
    assert listed[1]["accounts"] == [made["account"]]
    table = run("admin", "customer", "list", "--db", db)
    assert table.exit_code == 0 and "han" in table.output and "2 customer(s)" in table.output

    r = run("admin", "key", "revoke", made["appkey"], "--db", db)
    assert r.exit_code == 0 and made["appkey"] in r.output
    server.wall.advance(1_000_001)  # the server re-reads a cached token after 1 s of wall time
    assert "[8005:" in server.account(token)["return_msg"]
    assert "[8002:" in server.token(made["appkey"], made["secretkey"])["return_msg"]
    listed = json.loads(run("admin", "customer", "list", "--db", db, "--json").output)
    assert listed[1]["appkeys"] == []


def test_bad_input_exits_non_zero(db: str) -> None:
    assert run("admin", "key", "revoke", "nope", "--db", db).exit_code == 1
    r = run("admin", "customer", "create", "--name", "x", "--env", "paper", "--db", db)
    assert r.exit_code == 2
    r = run("admin", "customer", "create", "--name", "x", "--cash", "-5", "--db", db)
    assert r.exit_code == 2
    assert json.loads(run("admin", "customer", "list", "--db", db, "--json").output) == []
