"""hoga's HTTP protocol (hoga.api.http_protocol): each answer leaves in one write, and nothing
that HTTP/1.1 needs — keep-alive, pipelining, streamed bodies, ``Expect: 100-continue``,
closing — changes. A real uvicorn server on a real socket; the transport under the protocol is
counted where the number of writes is the point."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from hoga.api.http_protocol import GatheringProtocol, GatheringTransport

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

GATE = threading.Event()  # the streamed answer's second chunk waits for it


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    if path == "/stream":
        start = {"type": "http.response.start", "status": 200, "headers": []}
        await send(start)  # no content-length: chunked
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        await asyncio.to_thread(GATE.wait, 10)
        await send({"type": "http.response.body", "body": b"second"})
        return
    answer = body if path == "/echo" else path.encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(answer)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


WRITES: list[bytes] = []  # every write that reached a real socket, through Counted


class Counted:
    """The real transport, with its writes noted."""

    def __init__(self, real: asyncio.Transport) -> None:
        self._real = real

    def write(self, data: bytes) -> None:
        WRITES.append(bytes(data))
        self._real.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class CountedGathering(GatheringProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        counted: Any = Counted(transport)
        super().connection_made(counted)


class CountedStock(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        counted: Any = Counted(transport)
        super().connection_made(counted)


def serve(protocol: type) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=protocol, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def port() -> Iterator[int]:
    GATE.clear()
    WRITES.clear()
    yield from serve(CountedGathering)


@pytest.fixture
def stock_port() -> Iterator[int]:
    WRITES.clear()
    yield from serve(CountedStock)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def read_answers(conn: socket.socket, n: int) -> list[bytes]:
    """``n`` content-length answers' bodies, in order."""
    data = b""
    bodies: list[bytes] = []
    while len(bodies) < n:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            if len(rest) >= length:
                assert head.startswith(b"HTTP/1.1 200 ")
                bodies.append(rest[:length])
                data = rest[length:]
                continue
        chunk = conn.recv(65536)
        assert chunk, "connection closed early"
        data += chunk
    return bodies


def get(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nhost: t\r\n{extra}\r\n".encode()


def test_each_answer_is_one_write_where_stock_uvicorn_makes_two(
    port: int,
) -> None:
    with connect(port) as conn:
        for i in range(3):
            conn.sendall(get(f"/a{i}"))
            assert read_answers(conn, 1) == [f"/a{i}".encode()]
    assert len(WRITES) == 3
    assert all(
        w.startswith(b"HTTP/1.1 200 OK\r\n") and w.endswith(b"/a%d" % i)
        for i, w in enumerate(WRITES)
    )


def test_stock_uvicorn_writes_headers_and_body_apart(stock_port: int) -> None:
    with connect(stock_port) as conn:
        conn.sendall(get("/a"))
        assert read_answers(conn, 1) == [b"/a"]
    assert len(WRITES) == 2 and WRITES[1] == b"/a"


def test_pipelined_requests_are_answered_in_order(port: int) -> None:
    with connect(port) as conn:
        conn.sendall(get("/one") + get("/two") + get("/three"))
        assert read_answers(conn, 3) == [b"/one", b"/two", b"/three"]


def test_a_streamed_body_is_not_held_back(port: int) -> None:
    with connect(port) as conn:
        conn.sendall(get("/stream"))
        data = b""
        while b"first" not in data:  # arrives while the app still waits for the gate
            chunk = conn.recv(65536)
            assert chunk
            data += chunk
        assert b"transfer-encoding: chunked" in data and b"second" not in data
        GATE.set()
        while not data.endswith(b"0\r\n\r\n"):
            chunk = conn.recv(65536)
            assert chunk
            data += chunk
        assert b"second" in data


def test_expect_100_continue_is_answered_before_the_body_is_sent(port: int) -> None:
    with connect(port) as conn:
        conn.sendall(
            b"POST /echo HTTP/1.1\r\nhost: t\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n"
        )
        assert conn.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        conn.sendall(b"hello")
        assert read_answers(conn, 1) == [b"hello"]


def test_connection_close_sends_the_answer_then_closes(port: int) -> None:
    with connect(port) as conn:
        conn.sendall(get("/bye", "connection: close\r\n"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"/bye")


class Recording:
    """A transport double for the writer's own rules (the socket parts are tested above)."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closing = False
        self.events: list[str] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.events.append("close")
        self.closing = True

    def abort(self) -> None:
        self.events.append("abort")
        self.closing = True

    def get_write_buffer_size(self) -> int:
        return 7


def test_writes_of_one_loop_turn_leave_together_in_order() -> None:
    async def main() -> tuple[list[bytes], int]:
        real = Recording()
        t = GatheringTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        t.write(b"a")
        t.write(bytearray(b"b"))
        t.writelines([b"c", memoryview(b"d")])
        size = t.get_write_buffer_size()
        assert real.writes == []
        await asyncio.sleep(0)
        t.write(b"e")
        await asyncio.sleep(0)
        return real.writes, size

    writes, size = asyncio.run(main())
    assert writes == [b"abcd", b"e"]
    assert size == 7 + 4


def test_close_sends_what_is_kept_first_and_abort_drops_it() -> None:
    async def main() -> tuple[Recording, Recording]:
        loop = asyncio.get_running_loop()
        closed, aborted = Recording(), Recording()
        a = GatheringTransport(closed, loop)  # type: ignore[arg-type]
        a.write(b"last words")
        a.close()
        b = GatheringTransport(aborted, loop)  # type: ignore[arg-type]
        b.write(b"dropped")
        b.abort()
        await asyncio.sleep(0)  # the scheduled flushes find nothing left
        return closed, aborted

    closed, aborted = asyncio.run(main())
    assert closed.writes == [b"last words"] and closed.events == ["close"]
    assert aborted.writes == [] and aborted.events == ["abort"]


def test_nothing_is_written_to_a_socket_already_closing() -> None:
    async def main() -> Recording:
        real = Recording()
        t = GatheringTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        t.write(b"too late")
        real.closing = True  # the peer went away during the turn
        await asyncio.sleep(0)
        return real

    assert asyncio.run(main()).writes == []
