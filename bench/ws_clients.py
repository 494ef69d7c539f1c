"""The WebSocket client process of :mod:`bench.ws_fanout`: raw TCP connections on uvloop.

``python -m bench.ws_clients --url ws://… --mode hoga|baseline --tokens FILE --codes A,B,…``
opens ``--n`` connections (hoga: LOGIN with one token each, then one REG of 0B for every code),
prints ``READY <n>`` and then obeys stdin lines ``WINDOW <t0> <t1>`` (``time.monotonic()``
seconds, shared by every process of the host): after ``t1`` it prints one ``RESULT {json}`` line
with what arrived in ``[t0, t1)``. ``QUIT`` (or EOF) ends it.

Like the clients of perf-ceilings §5 the connections are plain asyncio protocols that do the
HTTP upgrade themselves and stay far cheaper than the server: each splits the byte stream into
frames with a few slice operations (no ``websockets`` connection object, no coroutine per
message) and counts rows with ``bytearray.count`` (hoga: ``"type":"0B"`` per REAL row; baseline:
one message per frame). They answer hoga's ``PING`` (echo) and protocol pings (pong), as a bot
would. Only the first ``--parse`` connections decode frames (msgspec) to time each row: hoga rows
give (code, FID 13 cumulative volume, receipt time), baseline messages carry their send time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import msgspec

__all__ = ["main"]

ROW = b'"type":"0B"'
PING = b'{"trnm":"PING"'
SYSTEM = b'{"trnm":"SYSTEM"'
_DEC = msgspec.json.Decoder()


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


def client_frame(payload: bytes, opcode: int = 1) -> bytes:
    """A masked client frame (mask key zero: the payload is sent as it is)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload


class Conn(asyncio.Protocol):
    """One raw WebSocket connection (see the module docstring)."""

    def __init__(
        self, i: int, args: argparse.Namespace, st: Stats, login: list[bytes], done: asyncio.Event
    ) -> None:
        self.i, self.st, self.login, self.done = i, st, login, done
        self.hoga = args.mode == "hoga"
        self.parse = i < args.parse
        self.host, self.path = args.host, args.path
        self.buf = bytearray()
        self.open = False
        self.upgraded = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self.st.closed.append(f"{self.i}: lost {exc!r}"[:200])

    def _next_setup(self) -> None:
        assert self.transport is not None
        if self.login:
            self.transport.write(client_frame(self.login.pop(0)))
        elif not self.open:
            self.open = True
            self.st.connected += 1
            self.done.set()

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if self.transport is None:
            return
        pos = 0
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")  # the upgrade response
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.st.closed.append(f"{self.i}: {bytes(buf[:80])!r}")
                self.transport.close()
                return
            pos = end + 4
            self.upgraded = True
            self._next_setup()
        n = len(buf)
        st = self.st
        while n - pos >= 2:
            ln = buf[pos + 1] & 0x7F
            hl = 2
            if ln == 126:
                if n - pos < 4:
                    break
                ln, hl = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif ln == 127:
                if n - pos < 10:
                    break
                ln, hl = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            start, end = pos + hl, pos + hl + ln
            if end > n:
                break
            opcode = buf[pos] & 0x0F
            pos = end
            if opcode == 1:
                self._text(buf, start, end, st)
            elif opcode == 9:  # protocol ping
                self.transport.write(client_frame(bytes(buf[start:end]), 0xA))
            elif opcode == 8:
                st.closed.append(f"{self.i}: close {bytes(buf[start:end])!r}"[:200])
        del buf[:pos]

    def _text(self, buf: bytearray, start: int, end: int, st: Stats) -> None:
        t = time.monotonic()
        assert self.transport is not None
        if not self.open:  # LOGIN / REG acks
            ack = json.loads(bytes(buf[start:end]))
            if ack.get("trnm") == "PING":
                return
            if ack.get("return_code") not in (0, "0"):
                st.closed.append(f"{self.i}: refused {ack}"[:200])
                self.transport.close()
                return
            self._next_setup()
            return
        if self.hoga:
            if buf.startswith(PING, start):
                self.transport.write(client_frame(bytes(buf[start:end])))
                return
            if buf.startswith(SYSTEM, start):
                st.system.append(bytes(buf[start:end])[:200].decode(errors="replace"))
                return
        t0, t1 = st.window
        if not t0 <= t < t1:
            return
        st.frames[self.i] += 1
        st.bytes += end - start
        if not self.hoga:
            st.rows[self.i] += 1
            if self.parse:
                st.lat.append(t - float(buf[start + 5 : buf.index(b",", start)]))
            return
        st.rows[self.i] += buf.count(ROW, start, end)
        if self.parse:
            for row in _DEC.decode(bytes(buf[start:end])).get("data", ()):
                if row.get("type") == "0B":
                    st.samples.append((row["item"], int(row["values"]["13"]), t))


async def _run(args: argparse.Namespace) -> None:
    tokens = json.loads(Path(args.tokens).read_text("utf-8")) if args.tokens else [""] * args.n
    codes = args.codes.split(",") if args.codes else []
    url = urlsplit(args.url)
    args.host = url.netloc
    args.path = url.path or "/"
    st = Stats(args.n)
    loop = asyncio.get_running_loop()
    conns: list[Conn] = []
    for i in range(args.n):
        login: list[bytes] = []
        if args.mode == "hoga":
            reg = {"trnm": "REG", "grp_no": "1", "refresh": "1"}
            reg["data"] = [{"item": codes, "type": ["0B"]}]  # type: ignore[assignment]
            login = [json.dumps({"trnm": "LOGIN", "token": tokens[i]}).encode()]
            login.append(json.dumps(reg).encode())
        done = asyncio.Event()
        conn = Conn(i, args, st, login, done)
        await loop.create_connection(lambda c=conn: c, url.hostname, url.port)  # type: ignore[misc]
        conns.append(conn)
        if i % 50 == 49:  # a few logins at a time
            await asyncio.wait_for(done.wait(), 60)
        if st.closed:
            print(f"FAILED {st.closed[:3]}", flush=True)
            return
    while st.connected < args.n:
        await asyncio.sleep(0.05)
        if st.closed:
            print(f"FAILED {st.closed[:3]}", flush=True)
            return
    print(f"READY {st.connected}", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().split():
        if line[0] != "WINDOW":
            break
        t0, t1 = float(line[1]), float(line[2])
        st.rows, st.frames, st.bytes = [0] * args.n, [0] * args.n, 0
        st.samples, st.lat, st.system = [], [], []
        st.window = (t0, t1)
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
    for c in conns:
        if c.transport is not None:
            c.transport.close()


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
