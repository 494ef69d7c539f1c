"""``hoga sim …`` drives a running server found through its database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _serverkit import Proc, start_server
from typer.testing import CliRunner

from hoga.bootstrap import select_universe
from hoga.cli.main import app as cli
from hoga.engine.universe import load_universe

#: one of the 8 most traded instruments the server trades
CODE = next(iter(select_universe(load_universe(), 8)))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Proc, str]]:
    db = f"sqlite:///{tmp_path / 'sim.db'}"
    args = ["--clock", "manual", "--universe-limit", "8", "--market", "always"]
    proc = start_server(db, tmp_path / "server.log", *args)
    try:
        yield proc, db
    finally:
        proc.stop()


def sim(db: str, *args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(cli, ["sim", *args, "--db", db])
    try:
        body = json.loads(result.stdout)
    except json.JSONDecodeError:
        body = result.stdout
    return result.exit_code, body


def test_sim_commands_reach_the_running_server(served: tuple[Proc, str]) -> None:
    _, db = served
    code, status = sim(db, "status")
    assert code == 0 and status["frozen"] is True and status["instruments"] == 8
    start = status["time_us"]

    code, moved = sim(db, "clock", "--advance", "90")
    assert code == 0 and moved["time_us"] == start + 90_000_000
    code, moved = sim(db, "clock", "--set", "2026-12-01T09:30:00")
    assert code == 0 and moved["time"].startswith("2026-12-01T09:30:00")
    code, refused = sim(db, "clock", "--set", "2026-01-01T00:00:00")
    assert code == 1 and "backwards" in refused["error"]
    code, fast = sim(db, "clock", "--speed", "60")
    assert code == 0 and fast["speed"] == "60" and fast["frozen"] is False
    sim(db, "clock", "--speed", "0")

    code, book = sim(db, "book", CODE)
    assert code == 0 and book["phase"] == "continuous"
    # up to 10 levels a side, best first (the participants traded at 60x a moment ago, so a
    # level or two may be taken and not yet quoted again)
    bids = [level[0] for level in book["bids"]]
    assert 5 <= len(bids) <= 10 and len(set(bids)) == len(bids)
    assert bids == sorted(bids, reverse=True)
    code, halted = sim(db, "halt", CODE)
    assert halted["phase"] == "halted"
    code, resumed = sim(db, "resume", CODE)
    assert resumed["phase"] == "continuous"
    code, paused = sim(db, "pause", CODE)
    assert paused["participants_paused"] is True
    code, unpaused = sim(db, "unpause", CODE)
    assert unpaused["participants_paused"] is False
    code, based = sim(db, "base-price", CODE, "70000")
    assert code == 0 and based["base_price"] == 70_000 and based["limits"]["upper"] == 91_000

    code, mode = sim(db, "mode", "calendar")
    assert code == 0 and mode["mode"] == "calendar"
    code, reset = sim(db, "reset", "--seed", "5")
    assert code == 0 and reset["seed"] == 5
    code, missing = sim(db, "book", "999999")
    assert code == 1 and "unknown" in missing["error"]


def test_sim_without_a_server_says_so(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(cli, ["sim", "status", "--db", db])
    assert result.exit_code == 2
    assert "no running server" in result.output
