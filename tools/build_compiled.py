"""Build the optional mypyc-compiled domain core into ``build/compiled/`` (``make compiled``).

``python tools/build_compiled.py [--out DIR] [--best-effort] [--force]``

Compiles the modules of :data:`hoga.engine.fastpath.MODULES` (the same ``src/hoga/domain/*.py``
files, as one mypyc group) with setuptools' ``build_ext`` in a scratch directory, then moves the
extension modules into ``DIR`` (default: :func:`hoga.engine.fastpath.build_dir`) and writes
``manifest.json`` last (:func:`hoga.engine.fastpath.fingerprint`), so a half-written build is never
taken for a usable one. Up to date (manifest matches): nothing to do. ``--best-effort``: a failed
build (no compiler, no headers, mypyc error) prints one line and exits 0, leaving no build, so the
service and the benchmark use the pure-Python modules. Takes about 30-60 s on the dev machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from hoga.engine.fastpath import GROUP, MODULES, build_dir, fingerprint, source_path  # noqa: E402

__all__ = ["build", "main", "up_to_date"]

# Run by a child interpreter inside the scratch directory: setuptools there reads no pyproject.
_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify

files, group, out, tmp, c_dir = sys.argv[1].split(","), *sys.argv[2:6]
setup(
    name=group,
    script_args=["build_ext", "--build-lib", out, "--build-temp", tmp],
    ext_modules=mypycify(files, opt_level="3", group_name=group, target_dir=c_dir),
)
"""


def up_to_date(out: Path) -> bool:
    """Whether ``out`` holds a complete build matching the current sources and interpreter."""
    try:
        recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(recorded == fingerprint())


def build(out: Path) -> None:
    """Compile into ``out`` (replaced whole); raises ``RuntimeError`` with the compiler's log."""
    files = [str(source_path(name)) for name in MODULES]
    with tempfile.TemporaryDirectory(prefix="hoga-mypyc-") as scratch:
        work = Path(scratch)
        stage = work / "out"
        env = {**os.environ, "MYPY_CACHE_DIR": str(work / "mypy_cache")}
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                _SETUP,
                ",".join(files),
                GROUP,
                str(stage),
                str(work / "tmp"),
                str(work / "c"),
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"mypyc build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(stage, out)
    (out / "manifest.json").write_text(json.dumps(fingerprint(), indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--best-effort", action="store_true")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    out: Path = args.out or build_dir()
    if not args.force and up_to_date(out):
        print(f"compiled domain core up to date in {out}")
        return 0
    try:
        build(out)
    except (RuntimeError, OSError) as exc:
        shutil.rmtree(out, ignore_errors=True)
        if args.best_effort:
            print(f"compiled domain core not built ({str(exc).splitlines()[0]}); using pure Python")
            return 0
        print(exc, file=sys.stderr)
        return 1
    print(f"compiled domain core built in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
