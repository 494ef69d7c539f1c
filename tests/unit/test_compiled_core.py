"""The mypyc-compiled core (``hoga.engine.fastpath``) behaves exactly like the pure one: the
market's event streams and values, and the REST API suite on the compiled request path.

The test process itself always runs the pure-Python domain (``make test`` measures its coverage);
the compiled side runs in a child interpreter that calls ``fastpath.enable()`` before importing
anything else. If ``build/compiled`` is missing or stale, the session builds it once with
``tools/build_compiled.py`` (about 20 s of CPU); a failed build fails the test, never skips it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _exchange_kit import BUY, MINUTE, SELL, US, Recorder, at, busiest, make, order, pick, step

from hoga.engine import fastpath
from hoga.engine.exchange import MarketMode

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
_TYPES = ["0", "0", "0", "0", "3", "10", "13", "20", "23", "5", "6", "7", "16", "29", "28", "61"]
_TYPES += ["81", "62", "30", "31", "26"]
_VI_CODE = "005930"  # as in test_exchange.py

# Child: compiled core first, then this module (whose imports now get the compiled modules).
_CHILD = """
import importlib.util, json, sys
from hoga.engine import fastpath
ok = fastpath.enable()
sys.path.insert(0, {here!r})
spec = importlib.util.spec_from_file_location("_compiled_core_child", {path!r})
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
streams = mod.{function}()
print(json.dumps({{"enabled": ok, "compiled": fastpath.is_compiled(),
                   "status": fastpath.status(), "streams": streams}}))
"""


def _customers(ex: object, clock: object, until: int, every: int, seed: int) -> None:
    """Customer flow over every order type, off-grid and out-of-limit prices, modifies, cancels."""
    from hoga.clock import ManualClock
    from hoga.engine.exchange import Exchange

    assert isinstance(ex, Exchange) and isinstance(clock, ManualClock)
    rng = random.Random(seed)
    codes = sorted(ex.states)
    live: list[tuple[str, int]] = []
    oid = 10_000_000
    while clock.now() < until:
        clock.set(min(until, clock.now() + every))
        for _ in range(rng.randrange(4)):
            code = rng.choice(codes)
            board = ex.states[code].board
            ref = board.stats.last or board.base_price
            lo, hi = board.limits.lower, board.limits.upper
            tp = rng.choice(_TYPES)
            roll = rng.random()
            if roll < 0.05:
                price = hi + 10 * rng.randrange(1, 5)  # outside the limits
            elif roll < 0.10:
                price = ref + 1  # most likely off the tick grid
            elif roll < 0.20:
                price = rng.choice([lo, hi])  # can sweep the book and fire a VI
            else:
                steps = rng.randrange(-8, 9)
                on = board.day
                move = ex.ticks.up if steps >= 0 else ex.ticks.down
                price = max(lo, min(hi, move(ref, board.instrument.market, on, abs(steps))))
            stop = price + rng.choice([-1, 1]) * (price - lo) // 20 if tp == "28" else 0
            oid += 1
            side = rng.choice([BUY, SELL])
            qty = 50_000 if rng.random() < 0.03 else rng.randrange(1, 400)  # big ones sweep: VI
            events = ex.submit(order(oid, code, side, tp, qty, price, stop))
            if events and type(events[0]).__name__ == "OrderAccepted":
                live.append((code, oid))
        if live and rng.random() < 0.4:
            code, target = live.pop(rng.randrange(len(live)))
            what = rng.random()
            if what < 0.3:
                ex.modify(code, target, qty=rng.randrange(1, 50))
            elif what < 0.5:
                ref = ex.states[code].board.stats.last or ex.states[code].board.base_price
                ex.modify(code, target, price=ref)
            elif what < 0.6:
                ex.cancel(code, target, qty=1)
            else:
                ex.cancel(code, target)
        ex.sync()


def _digest(rec: Recorder) -> dict[str, object]:
    return {
        "events": len(rec.items),
        "kinds": sorted({type(ev).__name__ for ev in rec.events}),
        "sha256": hashlib.sha256(rec.blob).hexdigest(),
    }


def streams() -> dict[str, dict[str, object]]:
    """Event streams (msgspec JSON of every (seq, event), hashed) of two deterministic runs."""
    out: dict[str, dict[str, object]] = {}
    # Continuous trading with participants and customers on every order type.
    ex, clock, rec = make(busiest(12, offset=40), mode=MarketMode.ALWAYS, start=at(10), seed=3)
    _customers(ex, clock, at(10, 2), US // 4, seed=17)
    out["always"] = _digest(rec)
    # A real trading day's edges: opening auction, continuous, closing auction, after-hours.
    ex, clock, rec = make(busiest(6), mode=MarketMode.CALENDAR, start=at(8, 29), seed=9)
    _customers(ex, clock, at(9, 1), 2 * US, seed=4)
    clock.set(at(15, 19))
    _customers(ex, clock, at(16, 5), 4 * US, seed=5)
    out["calendar"] = _digest(rec)
    # VIs: a dynamic one in continuous trading, then a static one in the closing auction.
    ex, clock, rec = make(
        pick(_VI_CODE), mode=MarketMode.CALENDAR, start=at(10), participants=False
    )
    for oid, side, qty, price in ((1, SELL, 1, 259_000), (2, BUY, 1, 259_000)):
        ex.submit(order(oid, _VI_CODE, side, "0", qty, price))
    ex.submit(order(3, _VI_CODE, SELL, "0", 5, 270_000))  # +4.2 %: beyond the dynamic band
    ex.submit(order(4, _VI_CODE, BUY, "13", 5))
    step(ex, clock, at(10, 5), US)
    clock.set(at(15))
    ex.sync()
    ex.submit(order(5, _VI_CODE, SELL, "0", 1, 259_000))
    ex.submit(order(6, _VI_CODE, BUY, "0", 1, 259_000))
    step(ex, clock, at(15, 21), MINUTE)
    ex.submit(order(7, _VI_CODE, BUY, "0", 10, 266_000))  # beyond the closing band
    ex.submit(order(8, _VI_CODE, SELL, "0", 5, 266_000))
    step(ex, clock, at(15, 45), US * 10)
    out["vi"] = _digest(rec)
    return out


def values() -> dict[str, dict[str, object]]:
    """How the per-order values behave (in whichever build this process runs)."""
    import copy
    import dataclasses
    import pickle
    from datetime import date

    import msgspec

    from hoga.domain import events as ev
    from hoga.domain import ledger as led
    from hoga.domain.board_orders import BoardPhase
    from hoga.domain.fees import FeeBasis
    from hoga.domain.model import TRDE_TP, Instrument, Market, NewOrder, Side
    from hoga.engine import brokerage_book as book
    from hoga.engine import exchange
    from hoga.engine import participants as part
    from hoga.engine.marketdata import TapeEntry

    cash = led.LedgerAccount(led.AccountKind.CASH_RECEIVABLE, date(2026, 11, 27))
    holding = led.Holding("005930", Market.KOSPI, 10, 10, 9, 70_000, 700_000, 0)
    day = date(2026, 11, 27)
    reservation = led.Reservation(7, Side.BUY, "005930", Market.KOSPI, 70_000, 3, 210_000)
    fill = led.PendingFill(7, Side.BUY, "005930", Market.KOSPI, 1, 70_000, day, date(2026, 12, 1))
    moved = (
        led.Posting(cash, "KRW", -5_000),
        led.Posting(led.LedgerAccount(led.AccountKind.CASH), "KRW", 5_000),
    )

    samples: list[object] = [
        ev.OrderAccepted(1, "005930", Side.BUY, "0", 70_000, 10, 5),
        ev.OrderRejected(2, "005930", ev.RejectReason.OFF_TICK, 6, "70001 is off the grid"),
        ev.OrderRejected(2, "005930", ev.RejectReason.HALTED, 6),
        ev.OrderModified(3, "005930", 70_100, 8, 8, False, 7),
        ev.OrderCancelled(4, "005930", 3, ev.CancelReason.REQUESTED, 8),
        ev.OrderTriggered(5, "005930", 0, 9),
        ev.Trade("005930", 70_000, 4, 1, 2, Side.SELL, 10),
        ev.Trade("005930", 70_000, 4, 1, 2, None, 10),
        ev.BookChanged("005930", 11),
        ev.PhaseChanged("", "continuous", 12),
        ev.ViTriggered("005930", False, 70_000, 74_200, 120_000_013, 13),
        ev.ViReleased("005930", 14),
        NewOrder(7, "005930", Side.SELL, TRDE_TP["28"], 3, price=69_000, stop_price=69_500),
        NewOrder(8, "005930", Side.BUY, TRDE_TP["3"], 1),
        TRDE_TP["0"],
        Instrument("069500", "KR7069500007", "KODEX 200", Market.ETF, "etf", 40_000, 1, 0, ""),
        # the order path's values (ledger, brokerage)
        cash,
        led.LedgerAccount(led.AccountKind.CASH),
        led.Posting(cash, "KRW", -5_000),
        book.LiveOrder(
            7, 7, "5000000001", "005930", Market.KOSPI, Side.BUY, "0", 70_000, 0, 3, 1, 2, 9
        ),
        book.OrderNote(
            "체결", "new", "5000000001", 7, 0, "005930", Side.BUY, "0", 3, 70_000, 2, 1, 9
        ),
        book.OrderNote(
            "거부", "new", "5000000001", 8, 0, "005930", Side.SELL, "3", 1, 0, 0, 0, 9, reason="x"
        ),
        book.BalanceNote("5000000001", "005930", Side.BUY, 1, 70_000, 9, holding, 0, 5, 6),
        book.BalanceNote("5000000001", "005930", Side.SELL, 1, 70_000, 9, None, -3, 5, 6),
        TapeEntry(9, 70_000, 3, Side.BUY, 120),
        led.JournalEntry(led.EntryKind.RESERVE, moved, 7),
        led.JournalEntry(led.EntryKind.SETTLEMENT, (), settles=day),
        reservation,
        fill,
        led.Position("005930", Market.KOSPI),
        led.Position("005930", Market.KOSPI, 700_000, -3),
        FeeBasis(7, day, 70_000),
        book.Placed(5_000_000_001, Side.SELL, 3, "KRX"),
        book.Placed(5_000_000_002, Side.BUY, 1, "KRX", 5_000_000_001),
        part.Snapshot(day, BoardPhase.CONTINUOUS, 49_000, 91_000, 69_900, None),
        part.Place(NewOrder(8, "005930", Side.BUY, TRDE_TP["10"], 1, price=70_100)),
        part.Cancel(8),
    ]
    out: dict[str, dict[str, object]] = {}
    for i, value in enumerate(samples):
        cls = type(value)
        assert dataclasses.is_dataclass(value) and not isinstance(value, type)
        names = [f.name for f in dataclasses.fields(value)]
        fields = {name: getattr(value, name) for name in names}
        frozen = False
        try:
            setattr(value, names[0], 0)
        except dataclasses.FrozenInstanceError:
            frozen = True
        out[f"{i}:{cls.__name__}"] = {
            "repr": repr(value),
            "builtins": msgspec.to_builtins(value),
            "match_args": list(cls.__match_args__),  # type: ignore[attr-defined]
            "fields": names,
            "frozen": frozen,
            "rebuilt": cls(*fields.values()) == value and cls(**fields) == value,
            "hash": hash(cls(*fields.values())) == hash(value),
            "copies": copy.copy(value) == value and copy.deepcopy(value) == value,
            "pickle": pickle.loads(pickle.dumps(value)) == value,
            "replace": dataclasses.replace(value) == value,
            "not_equal_to_tuple": value != tuple(fields.values()),
        }
    out["modules"] = {"exchange_compiled": not str(exchange.__file__).endswith(".py")}
    return out


@pytest.fixture(scope="session")
def compiled_build() -> Iterator[Path]:
    """The compiled build, made once if missing or stale; a failed build fails the test."""
    out = fastpath.build_dir()
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_compiled
    finally:
        sys.path.remove(str(ROOT / "tools"))
    if not build_compiled.up_to_date(out):
        try:
            build_compiled.build(out)
        except (RuntimeError, OSError) as exc:
            pytest.fail(
                f"cannot build the compiled domain core (gcc, Python headers, mypyc?): {exc}"
            )
    yield out


def _child(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_compiled_and_pure_engines_emit_identical_event_streams(compiled_build: Path) -> None:
    proc = _child(_CHILD.format(here=str(HERE), path=__file__, function="streams"))
    assert proc.returncode == 0, proc.stderr
    child = json.loads(proc.stdout.splitlines()[-1])
    assert child["enabled"] is True and child["compiled"] is True, child["status"]
    assert not fastpath.is_compiled()  # this process: the pure modules
    pure = streams()
    assert child["streams"] == pure
    assert pure["always"]["events"] > 3_000  # type: ignore[operator]
    for kind in ("Trade", "OrderRejected", "OrderModified", "OrderCancelled", "OrderTriggered"):
        assert kind in pure["always"]["kinds"]  # type: ignore[operator]
    assert "PhaseChanged" in pure["calendar"]["kinds"]  # type: ignore[operator]
    assert {"ViTriggered", "ViReleased"} <= set(pure["vi"]["kinds"])  # type: ignore[call-overload]


def test_compiled_values_behave_like_the_interpreted_frozen_dataclasses(
    compiled_build: Path,
) -> None:
    proc = _child(_CHILD.format(here=str(HERE), path=__file__, function="values"))
    assert proc.returncode == 0, proc.stderr
    child = json.loads(proc.stdout.splitlines()[-1])
    assert child["compiled"] is True, child["status"]
    compiled = child["streams"]
    pure = values()
    assert compiled.pop("modules") == {"exchange_compiled": True}
    assert pure.pop("modules") == {"exchange_compiled": False}
    assert compiled == json.loads(json.dumps(pure, default=str))
    for name, checks in pure.items():
        failed = [
            k
            for k in ("frozen", "rebuilt", "hash", "copies", "pickle", "replace")
            if checks[k] is not True
        ]
        assert not failed, (name, failed)
        assert checks["match_args"] == checks["fields"], name


def test_cli_wrapper_runs_the_compiled_core(compiled_build: Path) -> None:
    proc = _child("from hoga.engine.fastpath import main; main(['--help'])")
    assert proc.returncode == 0, proc.stderr
    assert "hoga: domain core compiled (mypyc)" in proc.stderr
    assert "serve" in proc.stdout


def test_pure_override_and_late_enable_fall_back_to_pure(compiled_build: Path) -> None:
    code = "from hoga.engine import fastpath; print(fastpath.enable(), fastpath.status()['reason'])"
    assert _child(code, {"HOGA_PURE": "1"}).stdout.strip() == "False HOGA_PURE=1"
    late = "import hoga.domain.book; " + code
    assert "imported before enable()" in _child(late).stdout
    # In this process the pure modules are already loaded: enable() refuses and changes nothing.
    assert fastpath.enable() is False and not fastpath.is_compiled()


def test_missing_or_stale_build_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled_build: Path
) -> None:
    code = "from hoga.engine import fastpath; print(fastpath.enable(), fastpath.status()['reason'])"
    empty = _child(code, {"HOGA_COMPILED_DIR": str(tmp_path)}).stdout
    assert empty.startswith("False no compiled build")
    manifest = json.loads((compiled_build / "manifest.json").read_text(encoding="utf-8"))
    manifest["sources"]["hoga.domain.board"] = "0" * 64  # as if board.py changed after the build
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    stale = _child(code, {"HOGA_COMPILED_DIR": str(tmp_path)}).stdout
    assert stale.startswith("False compiled build is stale (sources differs")
    manifest["sources"] = fastpath.fingerprint()["sources"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    incomplete = _child(code, {"HOGA_COMPILED_DIR": str(tmp_path)}).stdout
    assert incomplete.startswith("False compiled build incomplete")
    monkeypatch.setenv("HOGA_COMPILED_DIR", str(tmp_path))
    assert fastpath.build_dir() == tmp_path


# The unit tests of the compiled order path (ledger, fees, brokerage, account notes, the
# simulated participants, the wire's value formats), run in the child after the REST suite.
_ORDER_PATH_TESTS = sorted(
    str(p.relative_to(ROOT))
    for pattern in (
        *("test_ledger*.py", "test_fees.py", "test_brokerage*.py", "test_account*.py"),
        *("test_participants.py", "test_wire_format.py", "test_kst.py", "test_pmap.py"),
    )
    for p in HERE.glob(pattern)
)

# Child: compiled modules first, then the REST API suite and the order path's unit tests in this
# interpreter (no xdist, no coverage), then proof that the modules it ran were the compiled ones.
_API_SUITE = """
import sys
from hoga.engine import fastpath
assert fastpath.enable(), fastpath.status()
import pytest
args = ["-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:cov", "tests/api"]
args += {order_path!r}
args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]  # anyio came with the app
rc = pytest.main(args)
print("compiled after the suite:", fastpath.is_compiled())
sys.exit(int(rc))
"""


def test_the_rest_api_suite_passes_on_the_compiled_request_path(compiled_build: Path) -> None:
    """The request path (front, dispatch, auth, terms and abnormal-load checks, quotes, records)
    and the order path (ledger, brokerage) are compiled too: mypyc checks annotated types at run
    time and native classes refuse what interpreted ones allow, so the whole REST suite and the
    order path's unit tests run again on the compiled modules."""
    assert {"hoga.api.rest", "hoga.api.dispatch", "hoga.engine.records"} <= set(fastpath.MODULES)
    assert {"hoga.domain.ledger", "hoga.engine.brokerage"} <= set(fastpath.MODULES)
    assert len(_ORDER_PATH_TESTS) >= 8, _ORDER_PATH_TESTS
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE")}
    proc = subprocess.run(
        [sys.executable, "-c", _API_SUITE.format(order_path=_ORDER_PATH_TESTS)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
        timeout=900,
    )
    tail = proc.stdout[-3000:]
    assert proc.returncode == 0, tail + proc.stderr[-2000:]
    assert "compiled after the suite: True" in proc.stdout, tail
    assert " passed" in tail and "failed" not in tail, tail
