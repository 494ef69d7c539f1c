"""The WebSocket client process of :mod:`bench.ws_fanout` (asyncio + uvloop + ``websockets``).

``python -m bench.ws_clients --url ws://… --mode hoga|baseline --tokens FILE --codes A,B,…``
opens ``--n`` connections (hoga: LOGIN with one token each, then one REG of 0B for every code),
prints ``READY <n>`` and then obeys stdin lines ``WINDOW <t0> <t1>`` (``time.monotonic()``
seconds, shared by every process of the host): after ``t1`` it prints one ``RESULT {json}`` line
with what arrived in ``[t0, t1)``. ``QUIT`` (or EOF) ends it.

Counting is cheap on purpose: a frame's rows are counted with ``bytes.count`` (hoga: ``"type":"0B"``
per REAL row; baseline: one message per frame). Only the first ``--parse`` connections decode
frames (msgspec) to time each row: hoga rows give (code, FID 13 cumulative volume, receipt time),
baseline messages carry their send time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection, connect

__all__ = ["main"]

ROW = b'"type":"0B"'


class Stats:
    def __init__(self, n: int) -> None:
        self.rows = [0] * n  # per connection, inside the window
        self.frames = [0] * n
        self.bytes = 0
        self.window = (float("inf"), float("inf"))
        self.samples: list[tuple[str, int, float]] = []  # hoga: (code, volume, t)
        self.lat: list[float] = []  # baseline: receipt - send (s)
        self.closed: list[str] = []
        self.system: list[str] = []
        self.connected = 0


async def _hoga_login(ws: ClientConnection, token: str, codes: list[str]) -> None:
    await ws.send(json.dumps({"trnm": "LOGIN", "token": token}))
    ack = json.loads(await ws.recv())
    if ack.get("return_code") != 0:
        raise RuntimeError(f"LOGIN refused: {ack}")
    reg = {"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": codes, "type": ["0B"]}]}
    await ws.send(json.dumps(reg))
    while True:
        msg = json.loads(await ws.recv())
        if msg.get("trnm") == "REG":
            if msg.get("return_code") not in (0, "0"):
                raise RuntimeError(f"REG refused: {msg}")
            return


async def _client(
    i: int, args: argparse.Namespace, token: str, codes: list[str], st: Stats, ready: asyncio.Event
) -> None:
    hoga = args.mode == "hoga"
    parse = i < args.parse
    dec = msgspec.json.Decoder()
    async with connect(
        args.url,
        compression=None,
        ping_interval=None,
        max_size=2**22,
        max_queue=None,
        open_timeout=120,
    ) as ws:
        if hoga:
            await _hoga_login(ws, token, codes)
        st.connected += 1
        if st.connected == args.n:
            ready.set()
        try:
            async for frame in ws:
                t = time.monotonic()
                data = frame.encode() if isinstance(frame, str) else frame
                t0, t1 = st.window
                inside = t0 <= t < t1
                if hoga:
                    if data.startswith(b'{"trnm":"PING"'):
                        await ws.send(data.decode())
                        continue
                    if data.startswith(b'{"trnm":"SYSTEM"'):
                        st.system.append(data.decode()[:200])
                        continue
                    if inside:
                        st.rows[i] += data.count(ROW)
                        st.frames[i] += 1
                        st.bytes += len(data)
                    if parse and inside:
                        for row in dec.decode(data).get("data", ()):
                            if row.get("type") == "0B":
                                st.samples.append((row["item"], int(row["values"]["13"]), t))
                elif inside:
                    st.rows[i] += 1
                    st.frames[i] += 1
                    st.bytes += len(data)
                    if parse:
                        st.lat.append(t - float(data[5 : data.index(b",")]))
        except Exception as exc:
            st.closed.append(repr(exc)[:120])
            return
        st.closed.append(f"closed {ws.close_code}")


async def _run(args: argparse.Namespace) -> None:
    tokens = json.loads(Path(args.tokens).read_text("utf-8")) if args.tokens else [""] * args.n
    codes = args.codes.split(",") if args.codes else []
    st = Stats(args.n)
    ready = asyncio.Event()

    async def one(i: int) -> None:
        await asyncio.sleep(i * 0.004)  # stagger the connects (about 250 per second)
        try:
            await _client(i, args, tokens[i], codes, st, ready)
        except Exception as exc:  # a failed connect or LOGIN: reported
            st.closed.append(f"{i}: {exc!r}"[:200])

    tasks = [asyncio.create_task(one(i)) for i in range(args.n)]
    waiter = asyncio.create_task(ready.wait())
    while not waiter.done():
        await asyncio.sleep(0.1)
        if st.closed:
            print(f"FAILED {st.closed[:3]}", flush=True)
            return
    print(f"READY {st.connected}", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().split():
        if line[0] != "WINDOW":
            break
        t0, t1 = float(line[1]), float(line[2])
        st.window = (t0, t1)
        st.rows, st.frames, st.bytes = [0] * args.n, [0] * args.n, 0
        st.samples, st.lat = [], []
        cpu0 = time.process_time()
        await asyncio.sleep(max(0.0, t1 - time.monotonic()) + 0.5)
        cpu = time.process_time() - cpu0
        out: dict[str, Any] = {
            "rows": sum(st.rows),
            "frames": sum(st.frames),
            "bytes": st.bytes,
            "min_rows": min(st.rows),
            "max_rows": max(st.rows),
            "client_cpu_pct": round(100 * cpu / (t1 - t0 + 0.5), 1),
            "open": args.n - len(st.closed),
            "closed": st.closed[:5],
            "system": st.system[:5],
            "samples": st.samples,
            "lat": st.lat,
        }
        print("RESULT " + json.dumps(out), flush=True)
    for t in tasks:
        t.cancel()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="WebSocket clients for bench.ws_fanout")
    p.add_argument("--url", required=True)
    p.add_argument("--mode", choices=["hoga", "baseline"], required=True)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--tokens", default="")
    p.add_argument("--codes", default="")
    p.add_argument("--parse", type=int, default=20)
    args = p.parse_args(argv)
    import uvloop

    uvloop.run(_run(args))


if __name__ == "__main__":
    main()
