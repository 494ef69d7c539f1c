"""Helpers for SDK tests: the real application over SQLite on a manual wall clock.

``Served.client()`` / ``Served.aclient()`` build SDK clients that reach the app in-process
(``httpx.ASGITransport`` + :func:`hoga.client.asgi_websocket`). Pacing in these clients runs on
virtual time: the pacer reads the same manual wall clock as the server's rate limiter, and its
sleep moves that clock forward (never back), so pacing tests need no real sleeping.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from _sqlite_seed import seeded_sqlite_url
from hoga.api.app import create_app
from hoga.bootstrap import build_context
from hoga.client import AsyncClient, Client, Pacing, asgi_websocket
from hoga.clock import ManualClock
from hoga.config import Settings
from hoga.domain.kst import at_kst

#: 2026-11-26 10:00 KST, a Thursday and a trading day.
START = at_kst(date(2026, 11, 26), 10 * 3600)
BASE = "http://hoga.test"
CODE = "005930"
HOUR = 3_600_000_000


def settings(tmp_path: Path, **over: Any) -> Settings:
    values: dict[str, Any] = {
        "db": over.pop("db", None) or seeded_sqlite_url(tmp_path / "hoga.db"),
        "clock": "manual",
        "clock_start": START,
        "universe_limit": 40,
        "operator_token": "op-secret",
        "ratelimit": "off",
    }
    values.update(over)
    return Settings(**values)


class VirtualTime:
    """Seconds on the manual wall clock; ``sleep`` advances it (to the latest target asked)."""

    def __init__(self, wall: ManualClock) -> None:
        self.wall = wall

    def now(self) -> float:
        return self.wall.now() / 1e6

    async def sleep(self, seconds: float) -> None:
        target = self.wall.now() + max(1, math.ceil(seconds * 1e6))
        if target > self.wall.now():
            self.wall.advance(target - self.wall.now())
        await asyncio.sleep(0)

    def pacing(self, **kw: Any) -> Pacing:
        return Pacing(clock=self.now, sleep=self.sleep, **kw)


@dataclass
class Served:
    ctx: Any
    app: Any
    wall: ManualClock
    time: VirtualTime

    def customer(self, cash: int = 100_000_000) -> tuple[str, str]:
        made = self.ctx.services["identity"].create_customer(name="sdk", env="mock", cash=cash)
        return made.appkey, made.secretkey

    def kwargs(self, appkey: str, secretkey: str, **over: Any) -> dict[str, Any]:
        kw: dict[str, Any] = {
            "base_url": BASE,
            "appkey": appkey,
            "secretkey": secretkey,
            "transport": httpx.ASGITransport(app=self.app),
            "ws_connect": asgi_websocket(self.app),
            "pacing": self.time.pacing(),
        }
        kw.update(over)
        return kw

    def client(self, creds: tuple[str, str] | None = None, **over: Any) -> Client:
        appkey, secretkey = creds or self.customer()
        return Client(**self.kwargs(appkey, secretkey, **over))

    def aclient(self, creds: tuple[str, str] | None = None, **over: Any) -> AsyncClient:
        appkey, secretkey = creds or self.customer()
        return AsyncClient(**self.kwargs(appkey, secretkey, **over))


def raw_post(served: Served, api_id: str, body: dict[str, str], token: str) -> Any:
    """One REST call without the SDK (starlette's test client)."""
    from starlette.testclient import TestClient

    from hoga.wire.catalog import path_for

    with TestClient(served.app, base_url=BASE) as tc:
        headers = {"api-id": api_id, "authorization": f"Bearer {token}"}
        return tc.post(str(path_for(api_id)), json=body, headers=headers).json()


def serve(tmp_path: Path, **over: Any) -> Served:
    wall = ManualClock(START)
    ctx = build_context(settings(tmp_path, **over), base_clock=wall)
    app = create_app(ctx, run_market=False)
    return Served(ctx, app, wall, VirtualTime(wall))
