"""The baseline server of :mod:`bench.ws_fanout`: plain ``websockets`` + ``broadcast()``.

``python -m bench.ws_baseline --port P`` (uvloop) accepts any number of clients and reads stdin
lines ``RUN <t0> <t1>`` (``time.monotonic()`` seconds): from ``t0`` to ``t1`` a producer builds
a new 200-byte JSON text message each round (its first field is the send time,
``time.monotonic()``) and hands it to ``websockets.broadcast`` for every client, as fast as it
can (perf-ceilings §5). Buffer guard as there: the producer waits while the total write buffer
exceeds 32 MB (checked every 50 messages). After each run it prints
``SENT <messages>``; ``QUIT`` or EOF ends the server.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from websockets.asyncio.server import ServerConnection, broadcast, serve

__all__ = ["main", "message"]

SIZE = 200
GUARD = 32 * 2**20


def message(seq: int) -> str:
    """A 200-byte JSON object: ``{"t":<monotonic>,"seq":<n>,"pad":"xxx…"}``."""
    head = f'{{"t":{time.monotonic():.6f},"seq":{seq},"pad":"'
    return head + "x" * (SIZE - len(head) - 2) + '"}'


async def _produce(clients: set[ServerConnection], t0: float, t1: float) -> int:
    await asyncio.sleep(max(0.0, t0 - time.monotonic()))
    seq = 0
    while time.monotonic() < t1 and clients:
        broadcast(clients, message(seq))
        seq += 1
        if seq % 50 == 0:
            while sum(c.transport.get_write_buffer_size() for c in clients) > GUARD:
                await asyncio.sleep(0.001)
        await asyncio.sleep(0)
    return seq * len(clients)


async def _run(port: int) -> None:
    clients: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None):
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        print("LISTENING", flush=True)
        while line := (await reader.readline()).decode().split():
            if line[0] != "RUN":
                break
            sent = await _produce(clients, float(line[1]), float(line[2]))
            print(f"SENT {sent}", flush=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="websockets broadcast() baseline")
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args(argv)
    import uvloop

    uvloop.run(_run(args.port))


if __name__ == "__main__":
    main()
