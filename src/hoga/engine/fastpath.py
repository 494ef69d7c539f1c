"""Optional mypyc-compiled build of the hot modules, with the pure-Python source as fallback.

The domain stays plain, stdlib-only Python. ``tools/build_compiled.py`` (``make compiled``) runs
mypyc over the *same* source files listed in :data:`MODULES` and puts the extension modules into a
separate directory, ``build/compiled/`` at the repository root (git-ignored), together with
``manifest.json`` (interpreter ABI, mypy version, SHA-256 of every compiled source file). Nothing
is compiled in place, so an ordinary ``import hoga.domain.board`` always gets the ``.py`` file:
``make test`` and its 100 % coverage gate (coverage cannot trace compiled code) never see the
compiled build.

Opting in is explicit: :func:`enable` must run before any module of :data:`MODULES` is imported.
It checks the build and, when it is usable, installs a ``sys.meta_path`` finder that serves those
modules (and mypyc's shared runtime module) from the build directory; everything else imports as
usual. All or nothing: if the build is missing, was made by another interpreter, or any compiled
source file changed since (hash mismatch), or one of the modules was already imported, nothing is
installed and the pure modules are used — :func:`enable` returns ``False`` with the reason in
:func:`status`. ``HOGA_PURE=1`` in the environment forces the fallback; ``HOGA_COMPILED_DIR``
points at another build directory.

Entry points that opt in: ``python -m hoga.engine.fastpath ARGS...`` runs the ``hoga`` command line
(``make run`` uses it), and ``bench.engine_throughput`` runs its compiled variant in a
child process that calls :func:`enable` first. The compiled and interpreted engines produce
identical event streams (``tests/unit/test_compiled_core.py``).

What is compiled (:data:`MODULES`): the hot domain modules — the board and its book, the
validation, tick, limit, VI and auction rules, the events and the order/instrument values
(``events.py``, ``model.py``: native classes that still behave as frozen dataclasses, see
:class:`hoga.domain.model.FrozenValue`) — and ``hoga.engine.exchange`` (the single writer's
command path); the order path behind ``kt10000``: the ledger and its fee rules, the brokerage
(checks, staging and group commit, fills, account notes), the order handlers and the simulated
participants (whose float arithmetic and ``random.Random`` draws are the same C operations
either way: the event-stream test covers them); and the
request path every REST call takes: the fast front
(:mod:`hoga.api.rest`), dispatch, the client address, token and terms checks, maintenance gate,
abnormal-load detector and incidents, the quote cache and ``ka10001``'s handler, the clocks, the
envelope, catalogue and value formats, KST dates, and the record of the call. The rest imports
them as ordinary modules.
Compiled modules must stay within what mypyc compiles: no async generators, no Starlette
endpoints (Starlette tells functions from ASGI apps by their Python type), no interpreted
subclasses of their classes. ``tests/unit/test_compiled_core.py`` runs the whole REST API suite
again on the compiled modules.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.metadata import entry_points, version
from pathlib import Path
from types import ModuleType

__all__ = [
    "GROUP",
    "MODULES",
    "build_dir",
    "enable",
    "fingerprint",
    "is_compiled",
    "main",
    "source_dir",
    "source_path",
    "status",
]

#: The modules compiled together (one mypyc group): the hot domain modules, the exchange, the
#: order path (ledger, brokerage) and the REST request path.
MODULES: tuple[str, ...] = (
    "hoga.domain.auction",
    "hoga.domain.board",
    "hoga.domain.board_core",
    "hoga.domain.board_orders",
    "hoga.domain.book",
    "hoga.domain.events",
    "hoga.domain.limits",
    "hoga.domain.model",
    "hoga.domain.ticks",
    "hoga.domain.vi",
    "hoga.engine.exchange",
    "hoga.api.rest",
    "hoga.api.dispatch",
    "hoga.api.clientip",
    "hoga.api.routes.stkinfo",
    "hoga.api.consent",
    "hoga.api.routes.oauth",
    "hoga.engine.identity",
    "hoga.engine.incidents",
    "hoga.policy.abnormal",
    "hoga.policy.maintenance",
    "hoga.engine.maintenance",
    "hoga.engine.records",
    "hoga.engine.records_buffer",
    "hoga.engine.quotes",
    "hoga.clock",
    "hoga.engine.simclock",
    "hoga.wire.envelope",
    "hoga.wire.catalog",
    "hoga.wire.schemas.registry",
    "hoga.engine.terms_service",
    "hoga.engine.disputes",
    "hoga.engine.marketdata",
    "hoga.domain.ledger",
    "hoga.domain.pmap",
    "hoga.domain.fees",
    "hoga.engine.brokerage_book",
    "hoga.engine.brokerage_commit",
    "hoga.engine.brokerage_checks",
    "hoga.engine.brokerage_queries",
    "hoga.engine.brokerage",
    "hoga.engine.account_feed",
    "hoga.api.routes.ordr",
    "hoga.engine.participants",
    "hoga.wire.format",
    "hoga.domain.kst",
)
#: mypyc group name; its shared runtime is the top-level module ``{GROUP}__mypyc``.
GROUP = "hoga_domain_compiled"

_state: dict[str, object] = {"enabled": False, "reason": "enable() not called"}


def source_dir() -> Path:
    """Directory of the pure-Python domain sources (``src/hoga/domain``)."""
    return Path(__file__).resolve().parent.parent / "domain"


def source_path(module: str) -> Path:
    """The ``.py`` file of ``module`` (a dotted name under ``hoga``)."""
    return source_dir().parent.parent.joinpath(*module.split(".")).with_suffix(".py")


def build_dir() -> Path:
    """Where the compiled build lives: ``$HOGA_COMPILED_DIR`` or ``<repo>/build/compiled``."""
    env = os.environ.get("HOGA_COMPILED_DIR")
    if env:
        return Path(env)
    return source_dir().parent.parent.parent / "build" / "compiled"


def fingerprint() -> dict[str, object]:
    """What a build must match: interpreter ABI, mypy version, SHA-256 of each source file
    (by module name)."""
    try:
        mypy_version = version("mypy")
    except Exception:
        mypy_version = "absent"
    return {
        "ext_suffix": importlib.machinery.EXTENSION_SUFFIXES[0],
        "python": sys.version,
        "mypy": mypy_version,
        "group": GROUP,
        "sources": {
            name: hashlib.sha256(source_path(name).read_bytes()).hexdigest() for name in MODULES
        },
    }


class _Finder(MetaPathFinder):
    """Serves the compiled modules from the build directory; ``None`` for everything else."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        so = self.paths.get(fullname)
        if so is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(so))
        return importlib.util.spec_from_file_location(fullname, so, loader=loader)


def _check(root: Path) -> tuple[dict[str, Path] | None, str]:
    manifest = root / "manifest.json"
    if not manifest.is_file():
        return None, f"no compiled build at {root} (run `make compiled`)"
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, f"unreadable {manifest}: {exc}"
    current = fingerprint()
    for key, value in current.items():
        if recorded.get(key) != value:
            return None, f"compiled build is stale ({key} differs; run `make compiled`)"
    suffix = str(current["ext_suffix"])
    paths = {f"{GROUP}__mypyc": root / f"{GROUP}__mypyc{suffix}"}
    for name in MODULES:
        paths[name] = root.joinpath(*name.split(".")).with_name(name.rsplit(".", 1)[-1] + suffix)
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        return None, f"compiled build incomplete: {missing[0]} missing"
    return paths, "ok"


def enable() -> bool:
    """Use the compiled domain modules from now on if the build is usable; ``True`` if so.

    Call before anything imports the modules of :data:`MODULES`; never raises.
    """
    if _state["enabled"]:
        return True
    if os.environ.get("HOGA_PURE") == "1":
        _state["reason"] = "HOGA_PURE=1"
        return False
    loaded = [m for m in MODULES if m in sys.modules]
    if loaded:
        _state["reason"] = f"{loaded[0]} was imported before enable()"
        return False
    root = build_dir()
    paths, reason = _check(root)
    _state["reason"] = reason
    if paths is None:
        return False
    finder = _Finder(paths)
    sys.meta_path.insert(0, finder)
    try:
        for name in MODULES:
            importlib.import_module(name)
    except Exception as exc:
        sys.meta_path.remove(finder)
        for name in (*paths, *MODULES):
            sys.modules.pop(name, None)
        _state["reason"] = f"compiled build failed to load: {exc!r}"
        return False
    _state["enabled"] = True
    _state["dir"] = str(root)
    return True


def is_compiled() -> bool:
    """Whether the domain modules in use are the compiled ones (checks the loaded modules)."""
    return all(
        n in sys.modules and not str(getattr(sys.modules[n], "__file__", "")).endswith(".py")
        for n in MODULES
    )


def status() -> dict[str, object]:
    """``enabled``, ``reason`` (why not, or ``"ok"``) and the build ``dir`` when enabled."""
    return dict(_state)


def main(argv: list[str] | None = None) -> None:
    """``python -m hoga.engine.fastpath ARGS``: :func:`enable`, then the ``hoga`` CLI with ARGS."""
    args = sys.argv[1:] if argv is None else argv
    enabled = enable()
    if os.environ.get("HOGA_FASTPATH_QUIET") != "1":
        what = "compiled (mypyc)" if enabled else f"pure Python ({_state['reason']})"
        print(f"hoga: domain core {what}", file=sys.stderr)
    # The installed ``hoga`` console script (the CLI sits above the engine layer).
    (script,) = entry_points(group="console_scripts", name="hoga")
    sys.argv = ["hoga", *args]
    script.load()()


if __name__ == "__main__":
    __package__ = ""  # so the CLI's usage lines name "hoga", not "python -m hoga.engine.hoga"
    main()
