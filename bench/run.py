"""Run every engine benchmark (``make bench``) and write ``bench/results/*.json``.

- :mod:`bench.engine_throughput` — real engine vs the naive book on one op stream (ratio);
- :mod:`bench.universe` — full universe: resident memory, cold start, idle CPU.

``python -m bench.run [--ops N] [--rounds R] [--seconds S] [--update-readme] [--strict]``; the
whole run takes about two minutes on the development machine. ``--update-readme`` rewrites the
results block of ``bench/README.md`` from this run; ``--strict`` exits 1 when a target fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import engine_throughput, universe

__all__ = ["machine", "main", "render"]

HERE = Path(__file__).parent
RESULTS = HERE / "results"
README = HERE / "README.md"
START = "<!-- results:start -->"
END = "<!-- results:end -->"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE.parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' (src/ has uncommitted changes)' if dirty else ''}"


def machine() -> dict[str, Any]:
    import hoga

    with open("/proc/meminfo", encoding="ascii") as f:
        mem_kib = int(f.readline().split()[1])
    return {
        "hoga_source": str(Path(hoga.__file__).parent),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "mem_gib": round(mem_kib / 2**20, 1),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "kernel": platform.release(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "git": _git(),
    }


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render(info: dict[str, Any], thr: dict[str, Any], uni: dict[str, Any]) -> str:
    """The markdown results block for the README."""
    n, e, b = thr["naive"], thr["engine"], thr["board_alone"]
    m, r, c = uni["manual_clock"], uni["real_clock"], uni["checks"]
    cold_real = c["cold_start_to_first_trade_real_clock"]
    lines = [
        f"Run {info['date']} — {info['nproc']} × {info['cpu_model']}, {info['mem_gib']} GiB,"
        f" Python {info['python']}, repo git {info['git']}, hoga from `{info['hoga_source']}`,"
        " load average at start"
        f" {' / '.join(str(x) for x in info['loadavg_at_start'])}.",
        "",
        "| # | measure | result | target | verdict |",
        "|---|---|---|---|---|",
        f"| 1 | naive book ({thr['ops']:,} ops, median of {thr['rounds']})"
        f" | {n['ops_per_s_median']:,} ops/s, {n['us_per_op']} µs/op"
        f" (range {n['ops_per_s_range'][0]:,}–{n['ops_per_s_range'][1]:,}) | baseline | — |",
        f"| 1 | real engine (Exchange + KRX rules + events + listener)"
        f" | {e['ops_per_s_median']:,} ops/s, {e['us_per_op']} µs/op"
        f" (range {e['ops_per_s_range'][0]:,}–{e['ops_per_s_range'][1]:,}) | — | — |",
        f"| 1 | domain Board alone (no Exchange, listener, bus)"
        f" | {b['ops_per_s_median']:,} ops/s, {b['us_per_op']} µs/op"
        f" ({b['ratio_to_naive']}× naive) | — | — |",
        f"| 1 | engine / naive | **{thr['ratio_median']}×** ({thr.get('core', 'pure')} core,"
        f" CPU time; per round {', '.join(str(x) for x in thr['ratio_per_round'])})"
        f" | ≥ {thr['target_ratio']}× | **{_mark(thr['pass'])}** |",
        *_other_cores(thr),
        f"| 2 | resident memory, 4,415 books + {m['participants']:,} participants"
        f" | {c['rss_below_1_5_gib']['value_mib']} MiB peak (manual {m['peak_rss_mib']},"
        f" real {r['peak_rss_mib']}; {m['resting_orders']:,} resting orders)"
        f" | < 1,536 MiB | **{_mark(c['rss_below_1_5_gib']['pass'])}** |",
        f"| 2 | cold start → first participant trade, real clock"
        f" | {cold_real['value_s']} s | < 3 s | **{_mark(cold_real['pass'])}** |",
        f"| 2 | cold start → first participant trade, manual clock"
        f" | {m['first_trade_since_start_s']} s (imports {m['import_s']} s, universe"
        f" {m['load_universe_s']} s) | < 3 s"
        f" | **{_mark(c['cold_start_to_first_trade_manual_clock']['pass'])}** |",
        f"| 2 | Exchange construction alone (manual / real child)"
        f" | {m['exchange_construct_s']} s / {r['exchange_construct_s']} s | < 3 s"
        f" | **{_mark(c['exchange_construction']['pass'])}** |",
        f"| 2 | idle market CPU, real clock, {r['run_wall_s']} s"
        f" | {100 * r['idle_cpu_fraction']:.1f} % of one core ({r['run_cpu_s']} s CPU,"
        f" {r['trades']:,} participant trades) | < 25 %"
        f" | **{_mark(c['idle_cpu_one_core']['pass'])}** |",
    ]
    return "\n".join(lines)


def _other_cores(thr: dict[str, Any]) -> list[str]:
    """A row per core variant that is not the headline (the pure-Python core, as a rule)."""
    rows = []
    for name, v in thr.get("variants", {}).items():
        if name == thr.get("core"):
            continue
        e, b = v["engine"], v["board_alone"]
        rows.append(
            f"| 1 | {name} core (engine / naive, own rounds) | {v['ratio_median']}×"
            f" ({e['us_per_op']} µs/op against {v['naive']['us_per_op']}; board alone"
            f" {b['ratio_to_naive']}×) | — | — |"
        )
    return rows


def update_readme(block: str) -> None:
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n{block}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="run all engine benchmarks")
    parser.add_argument("--ops", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=25.0, help="real-clock idle run")
    parser.add_argument("--sim-seconds", type=float, default=120.0)
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    info = machine()
    (RESULTS / "machine.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(f"engine throughput ({args.ops:,} ops × {args.rounds} rounds)", flush=True)
    thr = engine_throughput.run(args.ops, args.rounds)
    engine_throughput.save(thr)
    print("full universe", flush=True)
    uni = universe.run(args.seconds, args.sim_seconds)
    universe.save(uni)
    block = render(info, thr, uni)
    print()
    print(block)
    if "profile_top" in thr:
        print()
        print(thr["profile_top"])
    if args.update_readme:
        update_readme(block)
    ok = thr["pass"] and uni["pass"]
    print(f"\nall targets met: {ok}")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
