"""A real ``hoga serve`` process and the ``websockets`` client: login, REG, REAL, pings."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from hoga.bootstrap import select_universe
from hoga.engine.universe import load_universe


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Served:
    def __init__(self, port: int, appkey: str, secretkey: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}/api/dostk/websocket"
        self.appkey, self.secretkey = appkey, secretkey


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    hoga = str(Path(sys.executable).with_name("hoga"))
    db = f"sqlite:///{tmp_path / 'hoga.db'}"
    made = json.loads(
        subprocess.run(
            [hoga, "admin", "customer", "create", "--name", "ws", "--db", db, "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    )
    port = free_port()
    args = ["serve", "--port", str(port), "--db", db, "--universe-limit", "20"]
    proc = subprocess.Popen(
        [hoga, *args, "--clock", "fast:10"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # a real process: poll until it listens
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield Served(port, made["appkey"], made["secretkey"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()


def busiest() -> str:
    universe = select_universe(load_universe(), 20)
    return max(universe.values(), key=lambda i: (i.volume, i.code)).code


async def session(served: Served, code: str) -> dict[str, object]:
    async with httpx.AsyncClient() as http:
        body = {"grant_type": "client_credentials", "appkey": served.appkey}
        body["secretkey"] = served.secretkey
        token = (await http.post(f"{served.base}/oauth2/token", json=body)).json()["token"]
    seen: dict[str, object] = {}
    async with websockets.connect(served.ws, ping_interval=None) as ws:
        await ws.send(json.dumps({"trnm": "LOGIN", "token": token}))
        seen["login"] = json.loads(await ws.recv())
        pong = await ws.ping()  # a protocol-level ping: the ASGI server answers it
        await asyncio.wait_for(pong, 10)
        seen["pong"] = True
        reg = {"trnm": "REG", "grp_no": "1", "refresh": "1"}
        reg["data"] = [{"item": [code], "type": ["0B", "0D"]}]  # type: ignore[assignment]
        await ws.send(json.dumps(reg))
        sizes: list[int] = []
        types: set[str] = set()
        async with asyncio.timeout(90):
            while not {"0B", "0D"} <= types:
                text = await ws.recv()
                assert isinstance(text, str)
                frame = json.loads(text)
                if frame["trnm"] == "PING":
                    seen["ping"] = True
                    await ws.send(text)
                elif frame["trnm"] == "REG":
                    seen["reg"] = frame
                elif frame["trnm"] == "REAL":
                    sizes.append(len(text.encode()))
                    for row in frame["data"]:
                        assert row["item"] == code
                        types.add(row["type"])
        seen["types"] = types
        seen["sizes"] = sizes
    return seen


def test_login_register_and_receive(served: Served) -> None:
    code = busiest()
    seen = asyncio.run(session(served, code))
    assert seen["login"] == {"trnm": "LOGIN", "return_code": 0, "return_msg": ""}
    assert seen["pong"] is True
    assert seen["reg"] == {"trnm": "REG", "return_code": 0, "return_msg": ""}
    assert seen["types"] == {"0B", "0D"}
    sizes = seen["sizes"]
    assert isinstance(sizes, list) and all(s <= 4096 for s in sizes)
