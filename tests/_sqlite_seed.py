"""A migrated SQLite database made once per test process and copied where a test needs a fresh one.

Running the migrations costs a few hundred milliseconds per database; tests that only need *a
fresh, migrated, empty* SQLite file get a copy of one migrated at first use instead. The copy is
byte for byte what the migrations produce (they are pure DDL), and opening it still runs
``migrate()`` (then a no-op), so the storage code under test is the same. Tests of the migrations
themselves open their own files and never use this.

``seeded_sqlite_url(path)`` copies the template to ``path`` unless ``path`` already exists (a
test reopening its database after a restart keeps its data) and returns the ``sqlite:///`` URL.
The template lives in a private temporary directory of this process (each pytest-xdist worker
has its own) and is removed when the process exits.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["manual_context", "seeded_sqlite_url"]


@functools.cache
def _migrated_template() -> Path:
    from hoga.bootstrap import open_storage

    folder = Path(tempfile.mkdtemp(prefix=f"hoga-schema-{os.getpid()}-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "migrated.db"
    open_storage(f"sqlite:///{path}").close()  # closing checkpoints the WAL into the file
    for suffix in ("-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            raise RuntimeError(f"the migrated template left {path}{suffix} behind")
    return path


def seeded_sqlite_url(path: Path) -> str:
    """``sqlite:///path``, with ``path`` a copy of the migrated template if it did not exist."""
    if not path.exists():
        shutil.copyfile(_migrated_template(), path)
    return f"sqlite:///{path}"


@contextmanager
def manual_context(tmp_path: Path, start: int, universe_limit: int) -> Iterator[Any]:
    """A whole application context on a copy of the migrated database, with the manual clock at
    ``start`` and the first ``universe_limit`` instruments (closed afterwards)."""
    from hoga.bootstrap import build_context
    from hoga.config import Settings

    settings = Settings(
        db=seeded_sqlite_url(tmp_path / "h.db"),
        clock="manual",
        clock_start=start,
        universe_limit=universe_limit,
    )
    ctx = build_context(settings)
    try:
        yield ctx
    finally:
        ctx.storage.close()
