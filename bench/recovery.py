"""Start-up recovery with and without account snapshots.

``.venv/bin/python -m bench.recovery [--customers 100] [--orders 400] [--runs 3] [--compiled]``
builds a SQLite database in a temporary directory (as ``bench.order_profile``: manual clock at
10:00 KST, participants on) where each of ``--customers`` accounts places ``--orders`` 1-share
limit buys (alternately at the upper limit, which takes the best ask, and at the base price,
which mostly rests), then times ``build_context`` on that database — the start-up, whose
recovery rebuilds every account's ledger state and re-enters the working orders — with the
snapshots the brokerage took while trading, and with the snapshot table emptied (every account
replayed from its first entry; the baseline, measured in the same run), alternating, ``--runs``
times each. Prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sqlite3
import statistics
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--orders", type=int, default=400, help="per customer")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--codes", type=int, default=50)
    parser.add_argument("--universe", type=int, default=None)
    parser.add_argument("--compiled", action="store_true")
    args = parser.parse_args(argv)
    if args.compiled:
        from hoga.engine import fastpath

        print("core:", "compiled" if fastpath.enable() else "pure", flush=True)
    from bench.order_profile import setup
    from hoga.bootstrap import build_context
    from hoga.domain.model import Side  # (after the compiled core is on)

    work, ctx, _tokens, codes = setup("hoga-bench-recovery-", args, cash=10**12)
    b, ex = ctx.services["brokerage"], ctx.exchange
    ex.sync()
    with ctx.storage.unit_of_work() as uow:
        accounts = [
            a.account_no for c in uow.customers.list() for a in uow.accounts.by_customer(c.id)
        ]
    t0 = time.perf_counter()
    for n in range(args.orders):
        for i, account in enumerate(accounts):
            code = codes[(n + i) % len(codes)]
            snap = ex.snapshot(ex.state(code))
            price = snap.upper if n % 2 == 0 else ex.state(code).instrument.base_price
            b.place(account, code=code, side=Side.BUY, trde_tp="0", qty=1, price=price)
        ctx.clock.advance(1000)
        ex.sync()
    b.flush()
    built = time.perf_counter() - t0
    db = work / "p.db"
    con = sqlite3.connect(db)
    entries = con.execute("SELECT COUNT(*) FROM journal_entries").fetchone()[0]
    working = con.execute("SELECT COUNT(*) FROM orders WHERE open_qty > 0").fetchone()[0]
    snaps = con.execute("SELECT COUNT(*) FROM account_snapshots").fetchone()[0]
    con.close()
    print(
        f"{len(accounts)} accounts, {entries:,} journal entries, {working:,} working orders,"
        f" {snaps} snapshots (built in {built:.1f} s)",
        flush=True,
    )
    bare = work / "bare.db"
    shutil.copy(db, bare)
    con = sqlite3.connect(bare)
    con.execute("DELETE FROM account_snapshots")
    con.commit()
    con.close()
    keep = work / "keep.db"
    times: dict[str, list[float]] = {"with snapshots": [], "without (baseline)": []}
    for _ in range(args.runs):
        for label, source in (("without (baseline)", bare), ("with snapshots", db)):
            shutil.copy(source, keep)  # each start on the same database as it was
            t0 = time.perf_counter()
            started = build_context(dataclasses.replace(ctx.settings, db=f"sqlite:///{keep}"))
            times[label].append(time.perf_counter() - t0)
            started.storage.close()
            print(f"  start-up {label}: {times[label][-1]:.2f} s", flush=True)
    base = statistics.median(times["without (baseline)"])
    snap_t = statistics.median(times["with snapshots"])
    print(
        f"median start-up: without snapshots {base:.2f} s, with {snap_t:.2f} s"
        f" ({snap_t / base:.2f}× the baseline)"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
