"""docs/coverage.md is generated from the code (tools/gen_coverage.py) and kept current."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from hoga.api.dispatch import HANDLERS
from hoga.api.routes import load_all
from hoga.wire.catalog import CATALOG, WEBSOCKET

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_coverage", ROOT / "tools/gen_coverage.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rows(text: str) -> dict[str, str]:
    """api-id → status column of every api-id row of the document."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"\| `([a-z]{2}\d{5})` \| (.*) \| (.*) \| (.*) \|$", line)
        if m:
            assert m.group(1) not in out, f"{m.group(1)} listed twice"
            out[m.group(1)] = m.group(4)
    return out


def test_doc_is_current() -> None:
    tool = _tool()
    doc = ROOT / "docs/coverage.md"
    assert doc.read_text(encoding="utf-8") == tool.generate(), (
        "docs/coverage.md is out of date: run .venv/bin/python tools/gen_coverage.py"
    )
    assert tool.main(["--check"]) == 0


def test_doc_lists_every_catalogue_id_with_the_status_of_the_code() -> None:
    load_all()
    rows = _rows((ROOT / "docs/coverage.md").read_text(encoding="utf-8"))
    assert set(rows) == set(CATALOG)
    for api_id, status in rows.items():
        implemented = status.startswith("implemented")
        if CATALOG[api_id].path != WEBSOCKET:
            assert implemented == (api_id in HANDLERS), api_id
        if not implemented:
            assert status.startswith("not yet"), api_id
    assert "kt10000" in HANDLERS and rows["kt10000"] == "implemented"


def test_render_marks_condition_search_by_the_service() -> None:
    tool = _tool()
    served = frozenset({"ka10001"})
    with_service = _rows(tool.render(served, True))
    without = _rows(tool.render(served, False))
    assert with_service["ka10171"].startswith("implemented")
    assert without["ka10171"].startswith("not yet")
    assert with_service["ka10001"] == "implemented"
    assert without["kt10000"].startswith("not yet")


def test_check_fails_on_a_stale_file(tmp_path: Path, monkeypatch) -> None:
    tool = _tool()
    stale = tmp_path / "coverage.md"
    stale.write_text("# stale\n", encoding="utf-8")
    monkeypatch.setattr(tool, "DOC", stale)
    assert tool.main(["--check"]) == 1
    assert tool.main([]) == 0
    assert tool.main(["--check"]) == 0
