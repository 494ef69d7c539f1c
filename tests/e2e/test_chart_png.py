"""``hoga chart --png``: a candlestick PNG of the requested range, from a real server."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from _serverkit import HOGA, start_server
from PIL import Image
from typer.testing import CliRunner, Result

from hoga.bootstrap import select_universe
from hoga.cli.main import app as cli
from hoga.engine.universe import load_universe

pytestmark = pytest.mark.slow
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Live:
    config: Path

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, [*args, "--config-dir", str(self.config)])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("chart-png")
    db = f"sqlite:///{tmp / 'hoga.db'}"
    args = ["admin", "customer", "create", "--name", "png", "--db", db, "--json"]
    made = json.loads(
        subprocess.run(
            [*HOGA, *args], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    )
    proc = start_server(db, tmp / "serve.log", "--universe-limit", "3")
    try:
        lv = Live(tmp / "config")
        keys = ["--appkey", made["appkey"], "--secretkey", made["secretkey"]]
        assert lv.run("login", "--host", proc.base, *keys).exit_code == 0
        yield lv
    finally:
        proc.stop()


def code() -> str:
    return min(select_universe(load_universe(), 3))


def test_png_of_a_quarter(live: Live, tmp_path: Path) -> None:
    png = tmp_path / "q1.png"
    span = ["--period", "day", "--from", "2025-01-01", "--to", "2025-03-31"]
    data = live.run("chart", code(), *span, "--json")
    assert data.exit_code == 0, data.output
    bars = json.loads(data.stdout)["bars"]

    r = live.run("chart", code(), *span, "--png", str(png), "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)["png"]
    assert summary["path"] == str(png)

    raw = png.read_bytes()
    assert raw[:8] == PNG_SIGNATURE
    with Image.open(png) as image:
        image.load()
        assert image.format == "PNG"
        assert image.size == (summary["width"], summary["height"])
        assert image.width >= 600 and image.height >= 400
        meta = dict(image.text)
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
    # What was drawn: one candle body per trading day of the range, first and last as asked.
    assert int(meta["hoga:bars"]) == len(bars) == summary["bars"] > 50
    assert meta["hoga:first"] == "2025-01-02" == bars[0]["at"][:10]
    assert meta["hoga:last"] == "2025-03-31" == bars[-1]["at"][:10]
    assert f"{code()} day 2025-01-02 – 2025-03-31" == meta["Title"]
    # Not a blank canvas: rising candles are red and falling ones blue (Korean convention).
    assert len(colours) > 20
    reddish = sum(n for n, (r_, g, b) in colours if r_ > 200 and g < 80 and b < 80)
    bluish = sum(n for n, (r_, g, b) in colours if b > 200 and r_ < 80 and g < 80)
    assert reddish > 100 and bluish > 100


def test_png_of_weekly_bars_and_the_table_line(live: Live, tmp_path: Path) -> None:
    png = tmp_path / "weeks.png"
    r = live.run(
        "chart", code(), "--period", "week", "--from", "2025-01-01", "--to", "2025-06-30",
        "--png", str(png),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    with Image.open(png) as image:
        meta = dict(image.text)
    weeks = int(meta["hoga:bars"])
    assert 24 <= weeks <= 27
    first = date.fromisoformat(meta["hoga:first"])
    last = date.fromisoformat(meta["hoga:last"])
    assert date(2024, 12, 30) <= first <= date(2025, 1, 10) and last <= date(2025, 6, 30)
    assert f"wrote {png}" in r.stdout and f"{weeks} bars" in r.stdout


def test_nothing_to_draw_is_an_error(live: Live, tmp_path: Path) -> None:
    png = tmp_path / "none.png"
    span = ["--from", "1990-01-01", "--to", "1990-01-31"]
    r = live.run("chart", code(), *span, "--png", str(png))
    assert r.exit_code == 1 and "nothing to draw" in r.stderr
    assert not png.exists()
