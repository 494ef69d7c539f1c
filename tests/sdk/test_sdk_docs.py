"""Every ```python block of docs/sdk.md runs against the in-process app with a `client` given."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _sdkkit import Served

DOC = Path(__file__).resolve().parents[2] / "docs" / "sdk.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_doc_has_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("n", range(len(BLOCKS)))
def test_doc_block_runs(served: Served, n: int) -> None:
    with served.client() as client:
        exec(compile(BLOCKS[n], f"docs/sdk.md block {n + 1}", "exec"), {"client": client})
