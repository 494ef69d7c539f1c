"""Start a real ``hoga serve`` process on a free port for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

OP = "op-secret"
HOGA = [str(Path(sys.executable).with_name("hoga"))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "HOGA_OPERATOR_TOKEN": OP, "HOGA_RATELIMIT": "off", **extra}


@dataclass
class Proc:
    proc: subprocess.Popen[bytes]
    base: str
    port: int

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_server(db: str, log: Path, *args: str, timeout: float = 60) -> Proc:
    """Run ``hoga serve --db db <args>`` and wait until ``/health`` answers."""
    port = free_port()
    cmd = [*HOGA, "serve", "--port", str(port), "--db", db, *args]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=server_env())
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return Proc(proc, base, port)
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    proc.wait(timeout=10)
    raise AssertionError(f"server did not start: {log.read_text()}")
