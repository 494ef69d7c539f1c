"""Crash recovery with a real server process: ``kill -9`` after acknowledged orders, restart on
the same SQLite file, and every acknowledged order, fill and balance is still there.

The only waiting here is for the child process to open its port (polled, bounded).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hoga.bootstrap import open_storage, select_universe
from hoga.domain.ledger import Ledger
from hoga.engine.brokerage_book import replay
from hoga.engine.universe import load_universe

pytestmark = pytest.mark.slow

OP = "op-secret"
HOGA = [str(Path(sys.executable).with_name("hoga"))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str

    def post(self, api_id: str, body: dict[str, str], token: str) -> Any:
        resp = httpx.post(
            f"{self.base}/api/dostk/ordr",
            json=body,
            headers={"api-id": api_id, "authorization": f"Bearer {token}"},
            timeout=10,
        )
        return resp.json()

    def board(self, code: str) -> Any:
        resp = httpx.get(
            f"{self.base}/operator/sim/instruments/{code}",
            headers={"authorization": f"Bearer {OP}"},
            timeout=10,
        )
        return resp.json()

    def token(self, appkey: str, secretkey: str) -> str:
        body = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey}
        resp = httpx.post(f"{self.base}/oauth2/token", json=body, timeout=10)
        token: str = resp.json()["token"]
        return token


def env() -> dict[str, str]:
    return {**os.environ, "HOGA_OPERATOR_TOKEN": OP, "HOGA_RATELIMIT": "off"}


def start(db: str, log: Path) -> Server:
    port = free_port()
    args = [
        *HOGA, "serve", "--port", str(port), "--db", db, "--clock", "real",
        "--universe-limit", "5", "--market", "always", "--participants",
    ]  # fmt: skip
    with log.open("ab") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env())
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return Server(proc, base)
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"server did not start: {log.read_text()}")


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def test_kill_9_loses_no_acknowledged_order(workdir: Path) -> None:
    db = f"sqlite:///{workdir / 'crash.db'}"
    log = workdir / "server.log"
    made = subprocess.run(
        [*HOGA, "admin", "customer", "create", "--name", "crash", "--db", db, "--json",
         "--cash", "50000000"],
        check=True, capture_output=True, env=env(),
    )  # fmt: skip
    cust = json.loads(made.stdout)
    account = cust["account"]
    code = next(iter(select_universe(load_universe(), 5)))
    server = start(db, log)
    try:
        token = server.token(cust["appkey"], cust["secretkey"])
        board = server.board(code)
        lower, upper = board["limits"]["lower"], board["limits"]["upper"]
        base = {"dmst_stex_tp": "KRX", "stk_cd": code, "cond_uv": ""}
        bought = server.post(
            "kt10000", {**base, "ord_qty": "3", "ord_uv": "", "trde_tp": "3"}, token
        )
        assert bought["return_code"] == 0, bought
        resting_buy = server.post(
            "kt10000", {**base, "ord_qty": "5", "ord_uv": str(lower), "trde_tp": "0"}, token
        )
        assert resting_buy["return_code"] == 0, resting_buy
        resting_sell = server.post(
            "kt10001", {**base, "ord_qty": "2", "ord_uv": str(upper), "trde_tp": "0"}, token
        )
        assert resting_sell["return_code"] == 0, resting_sell
        acked = [int(x["ord_no"]) for x in (bought, resting_buy, resting_sell)]
    finally:
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=30)

    server = start(db, log)
    try:
        token = server.token(cust["appkey"], cust["secretkey"])
        # both resting orders are back in the book: cancelling part of each works
        for ord_no, qty in ((acked[1], "2"), (acked[2], "1")):
            got = server.post(
                "kt10003", {**base, "orig_ord_no": f"{ord_no:07d}", "cncl_qty": qty}, token
            )
            assert got["return_code"] == 0, got
            assert got["base_orig_ord_no"] == f"{ord_no:07d}"
    finally:
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=30)

    storage = open_storage(db)
    try:
        with storage.unit_of_work() as uow:
            rows = {o.ord_no: o for o in uow.orders.by_account(account)}
            fills = uow.fills.by_account(account)
            entries = uow.journal.entries(account)
            lines = [ln for e in entries for ln in e.lines]
        assert set(acked) <= set(rows)
        market = rows[acked[0]]
        assert market.filled_qty == 3 and sum(f.qty for f in fills if f.ord_no == acked[0]) == 3
        assert (rows[acked[1]].open_qty, rows[acked[2]].open_qty) == (3, 1)
        totals: dict[str, int] = {}
        for ln in lines:
            totals[ln.asset] = totals.get(ln.asset, 0) + ln.amount
        assert set(totals.values()) == {0}
        state, problems = replay(Ledger(), account, entries)
        assert problems == []
        assert {r.order_id: r.qty for r in state.reservations.values()} == {
            acked[1]: 3,
            acked[2]: 1,
        }
        assert Ledger().position_qty(state, code) == 3
    finally:
        storage.close()
