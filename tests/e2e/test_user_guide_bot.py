"""The user guide's trading bot (examples/ma_crossover.py), run as the guide writes it against a
real ``hoga serve``, for a bounded number of steps."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest
from _serverkit import HOGA, start_server
from typer.testing import CliRunner

from hoga.bootstrap import select_universe
from hoga.cli.main import app as cli
from hoga.client import Client
from hoga.engine.universe import load_universe

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "user-guide.md"
BOT = ROOT / "examples" / "ma_crossover.py"
UNIVERSE = 10
STEP = re.compile(
    r"step (\d+) (\w+) price=(\d+) sma5=(\d+) sma20=(\d+) held=(\d+) -> (hold|buy|sell)(.*)$"
)


@dataclass
class Live:
    base: str
    appkey: str
    secretkey: str
    tmp: Path

    def client(self) -> Client:
        return Client(base_url=self.base, appkey=self.appkey, secretkey=self.secretkey)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("guide-bot")
    db = f"sqlite:///{tmp / 'hoga.db'}"
    args = ["admin", "customer", "create", "--name", "bot", "--db", db, "--json"]
    made = json.loads(
        subprocess.run(
            [*HOGA, *args], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    )
    proc = start_server(db, tmp / "serve.log", "--universe-limit", str(UNIVERSE))
    try:
        yield Live(proc.base, made["appkey"], made["secretkey"], tmp)
    finally:
        proc.stop()


def documented_command() -> list[str]:
    """The bot's command line exactly as the guide shows it (the first one with keys)."""
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("python examples/ma_crossover.py --host"):
            return shlex.split(line)
    raise AssertionError("the guide shows no bot command with --host")


def load_bot() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ma_crossover_example", BOT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rising_code(live: Live) -> str:
    """The code whose 5-day average is furthest above its 20-day one (the bot will buy it)."""
    bot = load_bot()
    best: tuple[float, str] | None = None
    today = datetime.now(bot.KST).date()
    with live.client() as c:
        for code in select_universe(load_universe(), UNIVERSE):
            closes = [*bot.history(c, code, 20, today), c.quote(code).price]
            if len(closes) <= 20 or not bot.crossed_up(closes, 5, 20):
                continue
            gap = (sum(closes[-5:]) / 5) / (sum(closes[-20:]) / 20) - 1
            if best is None or gap > best[0]:
                best = (gap, code)
    assert best is not None and best[0] > 0.005, f"no clearly rising code: {best}"
    return best[1]


def steps(stdout: str) -> list[re.Match[str]]:
    return [m for line in stdout.splitlines() if (m := STEP.search(line))]


def test_the_documented_bot_buys_on_a_rising_average_then_holds(live: Live) -> None:
    code = rising_code(live)
    cmd = documented_command()
    assert cmd[:2] == ["python", "examples/ma_crossover.py"]
    swap = {"http://127.0.0.1:8000": live.base, "APPKEY": live.appkey, "SECRETKEY": live.secretkey}
    argv = [swap.get(a, a) for a in cmd[2:]]
    argv[argv.index("--code") + 1] = code
    out = subprocess.run(
        [sys.executable, cmd[1], *argv, "--max-steps", "3", "--interval", "0"],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    found = steps(out.stdout)
    assert [int(m[1]) for m in found] == [1, 2, 3]
    assert all(m[2] == code and int(m[4]) > int(m[5]) for m in found)
    first, *rest = found
    assert first[7] == "buy" and int(first[6]) == 0
    order_no = re.search(r"order (\d+)", first[8])
    assert order_no is not None
    assert [(m[7], int(m[6])) for m in rest] == [("hold", 1), ("hold", 1)]
    with live.client() as c:
        fills = [f for f in c.fills(code) if f.order_no == order_no[1]]
        assert sum(f.fill_qty for f in fills) == 1
        assert [p.qty for p in c.balance().positions if p.code == code] == [1]


def test_the_bot_uses_the_login_profile(live: Live) -> None:
    config = live.tmp / "config"
    login = ["login", "--host", live.base, "--appkey", live.appkey, "--secretkey", live.secretkey]
    assert CliRunner().invoke(cli, [*login, "--config-dir", str(config)]).exit_code == 0
    code = min(select_universe(load_universe(), UNIVERSE))
    args = ["--code", code, "--config-dir", str(config), "--max-steps", "2", "--interval", "0"]
    out = subprocess.run(
        [sys.executable, str(BOT), *args],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    found = steps(out.stdout)
    assert [int(m[1]) for m in found] == [1, 2]
    # Whatever it decided, its log and the account agree.
    last = found[-1]
    held_after = int(last[6]) + (
        1 if last[7] == "buy" else -int(last[6]) if last[7] == "sell" else 0
    )
    with live.client() as c:
        assert sum(p.qty for p in c.balance().positions if p.code == code) == held_after


def test_the_bot_refuses_without_credentials(tmp_path: Path) -> None:
    args = ["--config-dir", str(tmp_path), "--max-steps", "1"]
    out = subprocess.run(
        [sys.executable, str(BOT), *args], check=False, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 1 and "hoga login" in out.stderr


def test_keys_that_look_like_flags_are_kept() -> None:
    bot = load_bot()
    argv = ["--appkey", "-k1", "--secretkey", "--s", "--code", "005930"]
    assert bot._keys_joined(argv) == ["--appkey=-k1", "--secretkey=--s", "--code", "005930"]
    assert bot.crossed_up([10, 10, 10, 13], 1, 4) is True
    assert bot.crossed_up([10, 10, 13, 10], 1, 4) is False  # 10 < 43/4
