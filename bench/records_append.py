"""Record-log append cost as the log grows: hoga's per-customer day ranges vs a per-record index.

``python -m bench.records_append [--records 1040000] [--customers 1000] [--batch 1300]
[--update-readme] [--strict]`` (about two minutes). See bench/README.md, section "Record-log
append"; results go to ``bench/results/records.json``.

Every API call leaves a record (terms art. 14), so under load the record flush appends ~13,000
records a second, from ~1,000 customers at once. Two SQLite databases are migrated alike; the
baseline gets back the ``(customer_id, at)`` index that migration 0007 replaced by
``record_customer_days``. Both get the same sealed records (api-call payloads of ``--customers``
customers in random order, 70 µs apart), appended the way the record flush appends them: one unit
of work per ``--batch`` records (a 100 ms flush at 13,000 calls/s) through hoga's SQLite adapter.
Sealing is done beforehand and not timed. Printed per segment of 1/8 of the records: CPU and wall
µs per appended record (the appending thread's CPU: the driver's work, the adapter's, SQLite's).
Then one customer's export (``by_customer`` over the whole period) is timed on both: the price
of the day ranges is a scan of the customer's days instead of an index lookup.

Target: at the end (the last segment), appending costs at most half the baseline's CPU.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hoga.adapters import open_storage
from hoga.domain.records import GENESIS, Record, canonical, seal
from hoga.ports.storage import Storage

__all__ = ["main", "render"]

HERE = Path(__file__).parent
RESULTS = HERE / "results"
README = HERE / "README.md"
START = "<!-- records-results:start -->"
END = "<!-- records-results:end -->"
T0 = 1_767_229_200_000_000  # 2026-01-01 10:00 KST
TARGET = 0.5


def chain(n: int, customers: int, seed: int = 7) -> list[Record]:
    rng = random.Random(seed)
    names = [f"C{i:07d}" for i in range(customers)]
    out: list[Record] = []
    prev = GENESIS
    for i in range(n):
        who = rng.choice(names)
        payload = canonical(
            {"api_id": "ka10001", "appkey": who * 5, "ip": "127.0.0.1", "rc": 0, "status": 200}
        )
        rec = seal(prev, i + 1, T0 + 70 * i, "api.call", who, payload, salt=rng.randbytes(16).hex())
        out.append(rec)
        prev = rec.hash
    return out


def _open(path: Path, per_record_index: bool) -> Storage:
    store = open_storage(f"sqlite:///{path}")
    if per_record_index:  # what migration 0005 had and 0007 dropped
        engine: Any = store.engine  # type: ignore[attr-defined]
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE INDEX ix_record_log_customer_id_at ON record_log (customer_id, at)"
            )
    return store


def append_all(store: Storage, records: list[Record], batch: int) -> list[dict[str, float]]:
    segment = len(records) // 8
    out: list[dict[str, float]] = []
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    for start in range(0, len(records), batch):
        with store.unit_of_work() as uow:
            uow.record_log.lock()
            uow.record_log.append(records[start : start + batch])
        done = min(start + batch, len(records))
        if done // segment > len(out) or done == len(records):
            cpu, wall = time.thread_time(), time.perf_counter()
            rows = done - (len(out) * segment)
            out.append(
                {
                    "rows_in_log": done,
                    "cpu_us": round((cpu - cpu0) / rows * 1e6, 2),
                    "wall_us": round((wall - wall0) / rows * 1e6, 2),
                }
            )
            cpu0, wall0 = cpu, wall
    return out


def export_ms(store: Storage, customer: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    with store.unit_of_work() as uow:
        rows = uow.record_log.by_customer(customer)
    return round((time.perf_counter() - t0) * 1e3, 1), len(rows)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.run import machine

    work = Path(tempfile.mkdtemp(prefix="hoga-bench-records-"))
    try:
        t0 = time.perf_counter()
        records = chain(args.records, args.customers)
        print(f"{len(records):,} records sealed in {time.perf_counter() - t0:.1f} s", flush=True)
        settings = {k: getattr(args, k) for k in ("records", "customers", "batch")}
        res: dict[str, Any] = {"machine": machine(), "settings": settings}
        for name, per_record in (("baseline", True), ("hoga", False)):
            store = _open(work / f"{name}.db", per_record)
            try:
                segs = append_all(store, records, args.batch)
                for s in segs:
                    print(
                        f"  {name}: {s['rows_in_log']:>9,} rows  {s['cpu_us']:6.2f} µs CPU"
                        f"  {s['wall_us']:6.2f} µs wall per record",
                        flush=True,
                    )
                ms, n = export_ms(store, records[-1].customer_id)
                print(f"  {name}: export of one customer ({n:,} records) {ms} ms", flush=True)
                res[name] = {"segments": segs, "export_ms": ms, "export_records": n}
            finally:
                store.close()
        last_base = res["baseline"]["segments"][-1]["cpu_us"]
        last_hoga = res["hoga"]["segments"][-1]["cpu_us"]
        res["ratio_last"] = round(last_hoga / last_base, 3)
        res["pass"] = res["ratio_last"] <= TARGET
        return res
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render(res: dict[str, Any]) -> str:
    m = res["machine"]
    s = res["settings"]
    lines = [
        f"Run {m['date']} — {m['nproc']} × {m['cpu_model']}, Python {m['python']}, repo git"
        f" {m['git']}, load average at start {' / '.join(map(str, m['loadavg_at_start']))}."
        f" {s['records']:,} records of {s['customers']:,} customers, {s['batch']:,} per unit of"
        " work, SQLite (WAL).",
        "",
        "| records in the log | per-record index: CPU µs/record (wall) |"
        " hoga, day ranges: CPU µs/record (wall) |",
        "|---|---|---|",
    ]
    for b, h in zip(res["baseline"]["segments"], res["hoga"]["segments"], strict=True):
        lines.append(
            f"| {b['rows_in_log']:,} | {b['cpu_us']} ({b['wall_us']}) |"
            f" {h['cpu_us']} ({h['wall_us']}) |"
        )
    verdict = "PASS" if res["pass"] else "FAIL"
    lines += [
        "",
        f"Last segment: hoga {res['ratio_last']}× the baseline's CPU per record (target ≤"
        f" {TARGET}×): **{verdict}**. One customer's export over the whole period:"
        f" {res['baseline']['export_ms']} ms with the per-record index,"
        f" {res['hoga']['export_ms']} ms through the day ranges"
        f" ({res['hoga']['export_records']:,} records).",
    ]
    return "\n".join(lines)


def update_readme(block: str) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text:
        raise SystemExit(f"{README} has no {START} marker")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n{block}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="record-log append cost as the log grows")
    parser.add_argument("--records", type=int, default=1_040_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=1_300)
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    res = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "records.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    block = render(res)
    print()
    print(block)
    if args.update_readme:
        update_readme(block)
    return 0 if res["pass"] or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
