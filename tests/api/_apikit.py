"""Helpers for API tests: a real application over SQLite, a manual clock and a small universe.

``api.customer()`` creates a customer through the identity service and returns its credentials
and a bearer token. Until the identity service registers itself (``ctx.services["identity"]``)
it falls back to a stand-in authenticator that knows only the customers made here, so handler
tests can run before the OAuth work lands.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
from starlette.testclient import TestClient

from _sqlite_seed import seeded_sqlite_url
from hoga.api.context import AppContext, Principal
from hoga.config import Settings
from hoga.domain.kst import at_kst
from hoga.wire.errors import ApiError

#: 2026-11-26 10:00 KST, a Thursday and a trading day.
START = at_kst(date(2026, 11, 26), 10 * 3600)


@dataclass
class Customer:
    customer_id: str
    appkey: str
    secretkey: str
    account: str
    token: str
    env: str = "mock"

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


class _StandIn:
    def __init__(self) -> None:
        self.tokens: dict[str, Principal] = {}

    def authenticate(
        self, token: str, env: str, client_ip: str, **_times: int | None
    ) -> Principal | ApiError:
        who = self.tokens.get(token)
        if who is None:
            return ApiError.of(8005)
        return who


@dataclass
class Api:
    ctx: AppContext
    client: TestClient
    _n: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def post(
        self,
        path: str,
        api_id: str | None,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Any:
        h = {"content-type": "application/json;charset=UTF-8"}
        if api_id is not None:
            h["api-id"] = api_id
        if token is not None:
            h["authorization"] = f"Bearer {token}"
        h.update(headers or {})
        data = raw if raw is not None else msgspec.json.encode({} if body is None else body)
        return self.client.post(path, content=data, headers=h)

    def customer(self, *, cash: int = 100_000_000, env: str = "mock") -> Customer:
        identity = self.ctx.services.get("identity")
        if identity is not None:
            made = identity.create_customer(name=f"test{next(self._n)}", env=env, cash=cash)
            resp = self.post(
                "/oauth2/token",
                None,
                {
                    "grant_type": "client_credentials",
                    "appkey": made.appkey,
                    "secretkey": made.secretkey,
                },
            )
            token = resp.json()["token"]
            return Customer(made.customer_id, made.appkey, made.secretkey, made.account, token, env)
        n = next(self._n)
        stand_in = self.ctx.auth if isinstance(self.ctx.auth, _StandIn) else _StandIn()
        self.ctx.auth = stand_in
        account = f"5{n:07d}11"
        token = f"token-{n}"
        stand_in.tokens[token] = Principal(f"c{n}", f"app{n}", env, (account,))
        return Customer(f"c{n}", f"app{n}", "secret", account, token, env)


def make_settings(tmp_path: Path, **over: Any) -> Settings:
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
