"""The trader commands (``hoga login``, ``quote``, ``book``, ``buy``…) through typer's CliRunner
against a real ``hoga serve`` process with a small universe."""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _serverkit import HOGA, start_server
from typer.testing import CliRunner, Result

from hoga.bootstrap import select_universe
from hoga.cli.main import app as cli
from hoga.engine.universe import load_universe

pytestmark = pytest.mark.slow
UNIVERSE = 5


@dataclass
class Live:
    base: str
    appkey: str
    secretkey: str
    account: str
    config: Path
    db: str

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, [*args, "--config-dir", str(self.config)])

    def json(self, *args: str) -> Any:
        r = self.run(*args, "--json")
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("trader-cli")
    db = f"sqlite:///{tmp / 'hoga.db'}"
    args = ["admin", "customer", "create", "--name", "cli", "--db", db, "--json"]
    out = subprocess.run([*HOGA, *args], capture_output=True, text=True, timeout=60, check=True)
    made = json.loads(out.stdout)
    proc = start_server(db, tmp / "serve.log", "--universe-limit", str(UNIVERSE))
    try:
        lv = Live(proc.base, made["appkey"], made["secretkey"], made["account"], tmp / "config", db)
        r = lv.run("login", "--host", lv.base, "--appkey", lv.appkey, "--secretkey", lv.secretkey)
        assert r.exit_code == 0, r.output
        assert made["account"] in r.stdout
        yield lv
    finally:
        proc.stop()


def busiest() -> str:
    universe = select_universe(load_universe(), UNIVERSE)
    return max(universe.values(), key=lambda i: (i.volume, i.code)).code


def resting_price(live: Live, code: str) -> tuple[int, int]:
    """A buy price well below the market on the tick grid (it will rest), and the tick."""
    q = live.json("quote", code)
    book = live.json("book", code)
    prices = [lv["price"] for lv in book["bids"]]
    tick = min(a - b for a, b in itertools.pairwise(prices))
    px: int = q["lower_limit"] + (q["base_price"] - q["lower_limit"]) // 2
    return px - px % tick + tick, tick


def test_login_stored_the_profile_privately(live: Live) -> None:
    path = live.config / "config.toml"
    assert path.stat().st_mode & 0o777 == 0o600
    assert live.config.stat().st_mode & 0o777 == 0o700
    assert live.secretkey in path.read_text()
    listed = live.json("profiles")
    assert listed == [
        {"profile": "default", "host": live.base, "appkey": live.appkey, "ws_url": ""}
    ]
    assert live.secretkey not in live.run("profiles").stdout


def test_quote_and_book(live: Live) -> None:
    code = busiest()
    q = live.json("quote", code)
    assert q["code"] == code and q["lower_limit"] < q["price"] < q["upper_limit"]
    assert "raw" not in q and isinstance(q["change_rate"], str)
    table = live.run("quote", code)
    assert table.exit_code == 0 and f"{q['upper_limit']:,}" in table.stdout
    b = live.json("book", code)
    assert b["code"] == code and b["bids"] and b["asks"]
    assert b["bids"][0]["price"] < b["asks"][0]["price"]
    table = live.run("book", code)
    assert table.exit_code == 0 and "total" in table.stdout


def test_limit_order_modify_cancel(live: Live) -> None:
    code = busiest()
    px, tick = resting_price(live, code)
    ack = live.json("buy", code, "3", "--price", str(px))
    assert ack["side"] == "buy" and ack["order_no"] and ack["recovered"] is False
    (mine,) = [o for o in live.json("orders") if o["order_no"] == ack["order_no"]]
    assert (mine["code"], mine["side"], mine["qty"], mine["price"]) == (code, "buy", 3, px)
    assert ack["order_no"] in live.run("orders", code).stdout

    moved = live.json("modify", ack["order_no"], "--price", str(px + tick))
    assert moved["original_order_no"] and moved["qty"] == 3

    r = live.run("modify", moved["order_no"], "--price", str(px), "--qty", "2")
    assert r.exit_code == 0, r.output
    newest = r.stdout.split("now ")[1].split(",")[0]
    (left,) = [o for o in live.json("orders", code) if o["order_no"] == newest]
    assert left["open_qty"] == 2

    r = live.run("cancel", newest, "--qty", "1")
    assert r.exit_code == 0 and "cancelled: 1 share" in r.stdout
    rest = [o for o in live.json("orders", code) if o["order_no"] == newest]
    assert [o["open_qty"] for o in rest] == [1]
    gone = live.json("cancel", newest)
    assert gone["qty"] == 1
    assert [o for o in live.json("orders") if o["order_no"] == newest] == []


def test_market_buy_fills_and_shows_in_the_balance(live: Live) -> None:
    code = busiest()
    before = live.json("balance")
    held = {p["code"]: p["qty"] for p in before["balance"]["positions"]}.get(code, 0)
    r = live.run("buy", code, "2", "--market")
    assert r.exit_code == 0, r.output
    order_no = r.stdout.split()[1].rstrip(":")
    fills = live.json("orders", "--fills")
    assert sum(f["fill_qty"] for f in fills if f["order_no"] == order_no) == 2
    after = live.json("balance")
    assert after["account"] == live.account
    assert {p["code"]: p["qty"] for p in after["balance"]["positions"]}[code] == held + 2
    assert after["deposit"]["d2_cash"] < before["deposit"]["d2_cash"]  # settles T+2
    table = live.run("balance")
    assert table.exit_code == 0 and code in table.stdout and live.account in table.stdout
    sold = live.json("sell", code, "1", "--market")
    assert sold["side"] == "sell" and sold["price"] is None


def test_watch_is_bounded(live: Live) -> None:
    code = busiest()
    r = live.run("watch", code, "--count", "3", "--seconds", "60", "--json")
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines[0]["event"] == "snapshot" and lines[0]["code"] == code
    updates = lines[1:]
    assert len(updates) == 3, "the market is busy: three updates arrive within a minute"
    assert {u["event"] for u in updates} <= {"0B", "0D"}
    for u in updates:
        assert u["last"] > 0 and (u["bid"] is None or u["ask"] is None or u["bid"] < u["ask"])
    table = live.run("watch", code, "--count", "1", "--seconds", "60")
    assert table.exit_code == 0 and "1 update(s)" in table.stdout


def test_chart_json_covers_the_requested_range(live: Live) -> None:
    code = busiest()
    out = live.json("chart", code, "--period", "day", "--from", "2025-01-01", "--to", "2025-03-31")
    bars = out["bars"]
    days = [date.fromisoformat(b["at"][:10]) for b in bars]
    assert days == sorted(days) and len(set(days)) == len(days)
    assert days[0] == date(2025, 1, 2)  # the first KRX session of 2025
    assert days[-1] == date(2025, 3, 31)
    assert all(b["low"] <= min(b["open"], b["close"]) <= b["high"] for b in bars)
    table = live.run("chart", code, "--from", "2025-03-01", "--to", "2025-03-31", "--tail", "0")
    assert table.exit_code == 0 and "2025-03-31" in table.stdout


def test_errors_and_exit_codes(live: Live, tmp_path: Path) -> None:
    code = busiest()
    r = live.run("buy", code, "1", "--price", "1")  # below the lower price limit
    assert r.exit_code == 1
    assert "kt10000 refused" in r.stderr and "return_code=20" in r.stderr and "[" in r.stderr
    r = live.run("buy", code, "1")
    assert r.exit_code == 2 and "--price" in r.stderr
    r = live.run("buy", code, "1", "--price", "100", "--market")
    assert r.exit_code == 2
    r = live.run("cancel", "9999999")
    assert r.exit_code == 1 and "no open order 9999999" in r.stderr
    r = live.run("chart", code, "--period", "fortnight")
    assert r.exit_code == 2 and "--period" in r.stderr
    r = live.run("quote", code, "--profile", "nobody")
    assert r.exit_code == 2 and "hoga login" in r.stderr

    other = ["--config-dir", str(tmp_path / "cfg")]
    bad = ["login", "--host", live.base, "--appkey", live.appkey, "--secretkey", "wrong", *other]
    r = CliRunner().invoke(cli, bad)
    assert r.exit_code == 1 and "au10001 refused" in r.stderr and "[8" in r.stderr
    assert not (tmp_path / "cfg" / "config.toml").exists()

    dead = ["login", "--host", "http://127.0.0.1:9", "--appkey", "k", "--secretkey", "s", *other]
    r = CliRunner().invoke(cli, dead)
    assert r.exit_code == 3 and "cannot reach the server" in r.stderr


def test_conditions_use_the_login_profile(live: Live) -> None:
    r = live.run("conditions", "add", "busy", "volume > 0")
    assert r.exit_code == 0, r.output
    seq = r.stdout.split()[2]
    listed = live.json("conditions", "list")
    assert [c["name"] for c in listed["conditions"]] == ["busy"]
    matches = live.json("conditions", "run", seq)
    assert matches["count"] > 0
    assert live.run("conditions", "delete", seq).exit_code == 0
