"""Acceptance 2: the whole universe (4,415 instruments) with simulated participants, always mode.

Each measurement runs in a fresh child process so that its memory and start-up are its own:

- ``manual`` child — :class:`ManualClock`. Times the imports, ``load_universe()`` and the
  ``Exchange`` construction; then jumps the clock from timer to timer (no waiting) until the first
  participant trade; then simulates ``--sim-seconds`` more of market time and reads the resident
  memory (``VmRSS`` / peak ``VmHWM`` from ``/proc/self/status``) with every book and participant
  running.
- ``real`` child — :class:`RealClock` driven by a small asyncio loop (:func:`drive`) that calls
  ``exchange.sync()`` and sleeps until the next exchange timer (at most 0.25 s). Measures the real
  cold start (process start → first participant trade on the wall clock), then the CPU the
  simulated market uses while nobody trades with it: process CPU time / wall time over
  ``--seconds`` (``os.times``), and the resident memory at the end.

Cold-start times count from a wall-clock stamp the parent takes just before it spawns the child,
so they include the interpreter start-up.

Run alone: ``python -m bench.universe [--seconds S] [--sim-seconds S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_T_MODULE = time.time_ns()  # when the child reached this module (before any hoga import)

__all__ = ["main", "run"]

RESULTS = Path(__file__).parent / "results" / "universe.json"
TARGET_RSS_MIB = 1536
TARGET_COLD_START_S = 3.0
TARGET_IDLE_CPU = 0.25
INSTRUMENTS = 4_415


def _status() -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (peak) in KiB."""
    out: dict[str, int] = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


def _since(t0_ns: int) -> float:
    return round((time.time_ns() - t0_ns) / 1e9, 4)


class _FirstTrade:
    """Listener: counts events and trades, remembers when the first trade came."""

    def __init__(self) -> None:
        self.events = 0
        self.trades = 0
        self.first_ns: int | None = None

    def __call__(self, batch: list[Any]) -> None:
        from hoga.domain.events import Trade

        self.events += len(batch)
        for _, ev in batch:
            if type(ev) is Trade:
                self.trades += 1
                if self.first_ns is None:
                    self.first_ns = time.time_ns()


def _build(clock: Any, t0_ns: int) -> tuple[Any, _FirstTrade, dict[str, Any]]:
    """Import, load the universe and build the exchange, timing each step."""
    out: dict[str, Any] = {"child_started_s": round((_T_MODULE - t0_ns) / 1e9, 4)}
    t = time.perf_counter()
    from hoga.engine.calendar import AlwaysCalendar
    from hoga.engine.exchange import Exchange, MarketMode
    from hoga.engine.universe import load_universe

    out["import_s"] = round(time.perf_counter() - t, 4)
    t = time.perf_counter()
    universe = load_universe()
    out["load_universe_s"] = round(time.perf_counter() - t, 4)
    out["instruments"] = len(universe)
    t = time.perf_counter()
    exchange = Exchange(
        list(universe.values()),
        clock=clock,
        calendar=AlwaysCalendar(),
        mode=MarketMode.ALWAYS,
        participants=True,
    )
    out["exchange_construct_s"] = round(time.perf_counter() - t, 4)
    listener = _FirstTrade()
    exchange.add_listener(listener)
    out["built_since_start_s"] = _since(t0_ns)
    out["participants"] = sum(1 for s in exchange.states.values() if s.participant is not None)
    out["resting_orders_after_build"] = _resting(exchange)
    return exchange, listener, out


def _resting(exchange: Any) -> int:
    return sum(len(s.board._book) for s in exchange.states.values())


def child_manual(t0_ns: int, sim_seconds: float) -> dict[str, Any]:
    from hoga.clock import ManualClock

    clock = ManualClock()
    exchange, listener, out = _build(clock, t0_ns)
    start_sim = clock.now()
    steps = 0
    while listener.first_ns is None:
        nxt = exchange.next_timer()
        assert nxt is not None
        clock.set(nxt)
        exchange.sync()
        steps += 1
    assert listener.first_ns is not None
    out["first_trade_since_start_s"] = round((listener.first_ns - t0_ns) / 1e9, 4)
    out["first_trade_timer_steps"] = steps
    out["first_trade_sim_offset_s"] = (clock.now() - start_sim) / 1e6
    t = time.perf_counter()
    cpu = os.times()
    end_sim = clock.now() + int(sim_seconds * 1e6)
    actions = 0
    while (nxt := exchange.next_timer()) is not None and nxt <= end_sim:
        clock.set(nxt)
        exchange.sync()
        actions += 1
    clock.set(end_sim)
    exchange.sync()
    cpu2 = os.times()
    wall = time.perf_counter() - t
    used = (cpu2.user - cpu.user) + (cpu2.system - cpu.system)
    out["sim_seconds"] = sim_seconds
    out["sim_timers_run"] = actions
    out["sim_cpu_s"] = round(used, 3)
    out["sim_wall_s"] = round(wall, 3)
    out["cpu_per_sim_second"] = round(used / sim_seconds, 4)
    out["trades"] = listener.trades
    out["events"] = listener.events
    out["resting_orders"] = _resting(exchange)
    status = _status()
    out["rss_mib"] = round(status["VmRSS"] / 1024, 1)
    out["peak_rss_mib"] = round(status["VmHWM"] / 1024, 1)
    return out


async def drive(exchange: Any, clock: Any, until: int, *, max_sleep_us: int = 250_000) -> int:
    """Keep ``exchange`` in step with ``clock`` until ``until`` (epoch µs); returns wake-ups."""
    wakeups = 0
    while True:
        now = exchange.sync()
        wakeups += 1
        if now >= until:
            return wakeups
        nxt = exchange.next_timer()
        deadline = min(until, now + max_sleep_us if nxt is None else min(nxt, now + max_sleep_us))
        await clock.sleep_until(deadline)


def child_real(t0_ns: int, seconds: float) -> dict[str, Any]:
    from hoga.clock import RealClock

    clock = RealClock()
    exchange, listener, out = _build(clock, t0_ns)
    cpu0 = os.times()
    wall0 = time.perf_counter()
    wakeups = asyncio.run(drive(exchange, clock, clock.now() + int(seconds * 1e6)))
    wall = time.perf_counter() - wall0
    cpu1 = os.times()
    used = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    out["first_trade_since_start_s"] = (
        None if listener.first_ns is None else round((listener.first_ns - t0_ns) / 1e9, 4)
    )
    out["run_wall_s"] = round(wall, 3)
    out["run_cpu_s"] = round(used, 3)
    out["idle_cpu_fraction"] = round(used / wall, 4)
    out["process_cpu_s"] = round(cpu1.user + cpu1.system, 3)
    out["process_wall_s"] = _since(t0_ns)
    out["wakeups"] = wakeups
    out["trades"] = listener.trades
    out["events"] = listener.events
    out["resting_orders"] = _resting(exchange)
    status = _status()
    out["rss_mib"] = round(status["VmRSS"] / 1024, 1)
    out["peak_rss_mib"] = round(status["VmHWM"] / 1024, 1)
    return out


def _spawn(args: list[str]) -> dict[str, Any]:
    t0 = time.time_ns()
    cmd = [sys.executable, "-m", "bench.universe", "--child", *args, "--t0", str(t0)]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(seconds: float = 25.0, sim_seconds: float = 120.0) -> dict[str, Any]:
    print("  universe: manual clock child ...", flush=True)
    manual = _spawn(["manual", "--sim-seconds", str(sim_seconds)])
    print(f"  universe: real clock child ({seconds:g} s) ...", flush=True)
    real = _spawn(["real", "--seconds", str(seconds)])
    rss = max(manual["peak_rss_mib"], real["peak_rss_mib"])
    cold_real = real["first_trade_since_start_s"]
    checks = {
        "rss_below_1_5_gib": {
            "value_mib": rss,
            "target_mib": TARGET_RSS_MIB,
            "pass": rss < TARGET_RSS_MIB,
        },
        "cold_start_to_first_trade_real_clock": {
            "value_s": cold_real,
            "target_s": TARGET_COLD_START_S,
            "pass": cold_real is not None and cold_real < TARGET_COLD_START_S,
        },
        "cold_start_to_first_trade_manual_clock": {
            "value_s": manual["first_trade_since_start_s"],
            "target_s": TARGET_COLD_START_S,
            "pass": manual["first_trade_since_start_s"] < TARGET_COLD_START_S,
        },
        "exchange_construction": {
            "value_s": manual["exchange_construct_s"],
            "target_s": TARGET_COLD_START_S,
            "pass": manual["exchange_construct_s"] < TARGET_COLD_START_S,
        },
        "idle_cpu_one_core": {
            "value": real["idle_cpu_fraction"],
            "target": TARGET_IDLE_CPU,
            "pass": real["idle_cpu_fraction"] < TARGET_IDLE_CPU,
        },
    }
    return {
        "benchmark": "universe",
        "mode": "always",
        "manual_clock": manual,
        "real_clock": real,
        "checks": checks,
        "pass": all(c["pass"] for c in checks.values()),
    }


def save(result: dict[str, Any], path: Path = RESULTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="full-universe memory, cold start, idle CPU")
    parser.add_argument("--child", choices=["manual", "real"])
    parser.add_argument("--t0", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--sim-seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    if args.child == "manual":
        print(json.dumps(child_manual(args.t0 or _T_MODULE, args.sim_seconds)))
        return {}
    if args.child == "real":
        print(json.dumps(child_real(args.t0 or _T_MODULE, args.seconds)))
        return {}
    result = run(args.seconds, args.sim_seconds)
    save(result)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
