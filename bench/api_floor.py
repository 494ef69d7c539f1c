"""The floor of a durable order acknowledgement: a raw-ASGI handler that does only the part of
kt10000 no design can skip, and nothing of hoga.

Per request it reads and parses the JSON body (:func:`json.loads`), checks the bearer token
against a set, takes the next order number, stages the rows hoga writes for the simplest order
(the order row, a journal entry with two lines — the reservation — and one record-log row), and
answers only after the batch holding them committed: one SQLite transaction (WAL,
``synchronous=NORMAL``, as hoga) per loop turn, written by one thread with multi-row
``INSERT … VALUES`` statements while the loop goes on — hoga's group commit, without any of its
rules. No matching, no ledger, no audit hashing, no realtime, no rate limits.

``python -m bench.api_floor [--runs 3] [--seconds 10]`` measures it: the baseline of
:mod:`bench.api_throughput` (raw ASGI on stock uvicorn), then this app with its commits on a
thread (as hoga) and on the loop itself (``inline``: no GIL hand-over, the loop waits), each
under the same ``wrk -t1 -c32`` and Lua script as kt10000 (1,000 customers' tokens rotated).
``python -m bench.api_server --floor TOKENS.json --db sqlite:///…`` serves one. What it reaches is
the ceiling a durably acknowledged order has under one CPython interpreter on the machine:
everything hoga does for an order (checks, matching, participants, ledger, sealed records,
notes) comes on top.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hoga.engine.tuning import apply_switch_interval

__all__ = ["FloorApp", "main"]

_HEADERS = [(b"content-type", b"application/json;charset=UTF-8")]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS floor_orders (ord_no INTEGER PRIMARY KEY, token TEXT, code TEXT,
  qty INTEGER, price INTEGER, at INTEGER);
CREATE TABLE IF NOT EXISTS floor_entries (entry_id INTEGER PRIMARY KEY, account TEXT, ref TEXT);
CREATE INDEX IF NOT EXISTS ix_floor_entries_account ON floor_entries (account, entry_id);
CREATE TABLE IF NOT EXISTS floor_lines (entry_id INTEGER, line_no INTEGER, book TEXT,
  amount INTEGER, PRIMARY KEY (entry_id, line_no));
CREATE TABLE IF NOT EXISTS floor_records (seq INTEGER PRIMARY KEY, payload TEXT);
"""


def _insert(conn: sqlite3.Connection, table: str, width: int, rows: list[tuple[Any, ...]]) -> None:
    """Multi-row ``INSERT … VALUES (…), (…)`` of up to 64 rows per statement (one driver step
    per statement, as hoga's writer: ``executemany`` steps, and takes the GIL back, per row)."""
    one = "(" + ", ".join("?" * width) + ")"
    for i in range(0, len(rows), 64):
        part = rows[i : i + 64]
        sql = f"INSERT INTO {table} VALUES " + ", ".join([one] * len(part))
        conn.execute(sql, [v for row in part for v in row])


class FloorApp:
    """The ASGI app (see the module docstring); ``tokens`` are the accepted bearer tokens."""

    def __init__(self, path: str, tokens: set[str], *, inline: bool = False) -> None:
        self.path = path
        self.inline = inline  # commit on the loop itself (it waits) instead of a thread
        self.tokens = tokens
        self.next_no = 1
        self.pending: list[tuple[Any, ...]] = []
        self.waiters: list[asyncio.Future[None]] = []
        self.inflight = False
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="floor-commit")
        self.local = threading.local()
        apply_switch_interval()  # as hoga's server: the commit thread gets the GIL back sooner

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self.local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            self.local.conn = conn
        return conn

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        _insert(conn, "floor_orders", 6, [r[:6] for r in rows])
        _insert(conn, "floor_entries", 3, [(r[0], r[1], f"reserve:{r[0]}") for r in rows])
        lines = [(r[0], n, book, amt) for r in rows for n, (book, amt) in enumerate(r[6])]
        _insert(conn, "floor_lines", 4, lines)
        _insert(conn, "floor_records", 2, [(r[0], r[7]) for r in rows])
        conn.execute("COMMIT")

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.inflight or not self.pending:
            return
        rows, self.pending = self.pending, []
        waiters, self.waiters = self.waiters, []
        self.inflight = True
        if self.inline:
            job: asyncio.Future[None] = loop.create_future()
            try:
                self._write(rows)
                job.set_result(None)
            except Exception as exc:
                job.set_exception(exc)
        else:
            job = loop.run_in_executor(self.pool, self._write, rows)

        def done(f: asyncio.Future[None]) -> None:
            self.inflight = False
            for w in waiters:
                if f.exception() is not None:
                    w.set_exception(f.exception())  # type: ignore[arg-type]
                else:
                    w.set_result(None)
            self._start(loop)

        job.add_done_callback(done)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        token = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value[7:]
        body: dict[str, Any] = {"return_code": 3, "return_msg": "bad request"}
        try:
            req = json.loads(b"".join(chunks))
            qty, price = int(req["ord_qty"]), int(req["ord_uv"])
            ok = token.decode() in self.tokens and qty > 0
        except (ValueError, KeyError, TypeError):
            ok = False
        if ok:
            no, self.next_no = self.next_no, self.next_no + 1
            hold = qty * price
            lines = (("cash", -hold), ("cash_reserved", hold))
            record = json.dumps({"ord_no": no, "code": req["stk_cd"], "qty": qty, "price": price})
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[None] = loop.create_future()
            self.pending.append((no, token.decode(), req["stk_cd"], qty, price, 0, lines, record))
            self.waiters.append(waiter)
            if not self.inflight:
                loop.call_soon(self._start, loop)
            await waiter
            body = {"ord_no": f"{no:07d}", "dmst_stex_tp": "KRX", "return_code": 0}
            body["return_msg"] = "매수주문이 완료되었습니다"
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = [*_HEADERS, (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})


def main(argv: list[str] | None = None) -> None:
    import argparse
    import tempfile
    from pathlib import Path

    from bench import api_throughput as at
    from hoga.bootstrap import select_universe
    from hoga.engine.universe import load_universe

    parser = argparse.ArgumentParser(description="the durable-acknowledgement floor")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--customers", type=int, default=1000)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="hoga-bench-floor-"))
    tokens = [f"floor-token-{i:04d}" for i in range(args.customers)]
    (work / "tokens.json").write_text(json.dumps(tokens), encoding="utf-8")
    codes = sorted(select_universe(select_universe(load_universe(), None), at.CODES))
    orders = [
        json.dumps(
            {"dmst_stex_tp": "KRX", "stk_cd": c, "ord_qty": "1", "ord_uv": str(1000 + n)}
            | {"trde_tp": "0", "cond_uv": ""},
            separators=(",", ":"),
        )
        for n, c in enumerate(codes)
    ]
    queries = [json.dumps({"stk_cd": c}) for c in codes]
    medians: dict[str, int] = {}
    floor = ["--floor", str(work / "tokens.json")]
    setups = (
        ("baseline (raw ASGI, ka10001 script)", ["--baseline"], at.STKINFO, "ka10001", queries),
        (
            "floor, commit thread",
            floor,
            at.ORDR,
            "kt10000",
            orders,
        ),
        (
            "floor, inline commit",
            [*floor, "--floor-inline"],
            at.ORDR,
            "kt10000",
            orders,
        ),
    )
    for n, (label, server_args, path, api, bodies) in enumerate(setups):
        db = work / f"floor{n}.db"
        extra = [] if "--baseline" in server_args else ["--db", f"sqlite:///{db}"]
        server = at.Server([*server_args, *extra], work / "server.log")
        try:
            server.wait("/")
            script = at.lua_script(path, api, tokens, bodies, 0)
            got = at.series(server, script, work, args.runs, args.seconds, label)
        finally:
            server.stop()
        medians[label] = got["rps_median"]
    base = next(iter(medians.values()))
    for label, rps in medians.items():
        print(f"{label}: {rps:,} req/s median = {rps / base:.3f}× the baseline")
    print(f"(runs {args.runs} × {args.seconds} s; the kt10000 target is 0.35×)")


if __name__ == "__main__":
    main()
