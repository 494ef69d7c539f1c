"""``hoga watch CODE…``: a live table of last price, change, volume and best bid/ask.

Starts from a REST snapshot (ka10001 quote, ka10004 book) of each code, then follows the
WebSocket: 0B 주식체결 updates last/change/volume, 0D 주식호가잔량 the best bid and ask. The
session reconnects by itself (see :mod:`hoga.client.realtime`). ``--count N`` stops after N
updates, ``--seconds S`` after S seconds; without either it runs until Ctrl-C. With ``--json`` it
prints one JSON object per line: each code's snapshot (``"event": "snapshot"``) and then the
updated row after every update (``"event": "0B"`` or ``"0D"``).
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from hoga.cli.market import signed
from hoga.cli.profile import (
    EXIT_USAGE,
    AsJson,
    ConfigDir,
    ProfileName,
    config_dir,
    connect,
    fail,
    jsonable,
    load_profile,
    sdk_errors,
)
from hoga.client import RealBook, RealMessage, RealTrade, SyncRealtime

__all__ = ["Row", "apply", "register"]


@dataclass(slots=True)
class Row:
    """The state of one watched code."""

    code: str
    name: str
    last: int
    change: int
    change_rate: Decimal
    volume: int
    bid: int | None
    ask: int | None
    updated: str = ""


def apply(row: Row, msg: RealMessage) -> bool:
    """Update ``row`` from a realtime message; True when it changed something."""
    if isinstance(msg, RealTrade):
        row.last, row.change, row.change_rate = msg.price, msg.change, msg.change_rate
        if msg.volume:
            row.volume = msg.volume
        row.updated = str(msg.time or "")
        return True
    if isinstance(msg, RealBook):
        row.bid = msg.bids[0].price if msg.bids else None
        row.ask = msg.asks[0].price if msg.asks else None
        row.updated = str(msg.time or row.updated)
        return True
    return False


def _table(rows: dict[str, Row], updates: int) -> Table:
    table = Table(title=f"hoga watch — {updates} update(s)")
    for h in ("code", "name", "last", "change", "%", "volume", "bid", "ask", "time"):
        table.add_column(h, justify="left" if h in ("code", "name") else "right")
    for r in rows.values():
        style = "red" if r.change > 0 else "blue" if r.change < 0 else ""
        table.add_row(
            r.code,
            r.name,
            f"{r.last:,}",
            signed(r.change),
            signed(r.change_rate),
            f"{r.volume:,}",
            "" if r.bid is None else f"{r.bid:,}",
            "" if r.ask is None else f"{r.ask:,}",
            r.updated,
            style=style,
        )
    return table


def _line(row: Row, event: str) -> None:
    typer.echo(json.dumps({"event": event, **jsonable(row)}, ensure_ascii=False), nl=True)


def register(app: typer.Typer) -> None:
    """Add ``watch`` to ``app``."""

    @app.command(rich_help_panel="Trading")
    def watch(
        codes: Annotated[list[str], typer.Argument(help="stock codes")],
        count: Annotated[int, typer.Option(help="stop after N updates (0 = no limit)", min=0)] = 0,
        seconds: Annotated[
            float, typer.Option(help="stop after S seconds (0 = no limit)", min=0)
        ] = 0,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """Follow stocks live over the WebSocket (0B trades, 0D book)."""
        if len(set(codes)) != len(codes):
            fail("a code is given twice", EXIT_USAGE)
        prof = load_profile(profile, config_dir(config))
        deadline = time.monotonic() + seconds if seconds else None
        with sdk_errors(), connect(prof) as client:
            rows: dict[str, Row] = {}
            for code in codes:
                q, b = client.quote(code), client.order_book(code)
                rows[code] = Row(
                    code, q.name, q.price, q.change, q.change_rate, q.volume, b.best_bid, b.best_ask
                )
                if as_json:
                    _line(rows[code], "snapshot")
            live_view: contextlib.AbstractContextManager[Live | None] = (
                contextlib.nullcontext(None)
                if as_json
                else Live(_table(rows, 0), console=Console(), refresh_per_second=4)
            )
            with client.realtime() as rt, live_view as live:
                rt.register(codes, ["0B", "0D"])
                with contextlib.suppress(KeyboardInterrupt):
                    _follow(rt, rows, live, count, deadline)


def _follow(
    rt: SyncRealtime, rows: dict[str, Row], live: Live | None, count: int, deadline: float | None
) -> int:
    """Apply realtime messages until ``count`` updates or the deadline; returns the count."""
    updates = 0
    while count == 0 or updates < count:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            break
        try:
            msg = rt.next(timeout=left)
        except TimeoutError:
            break
        row = rows.get(msg.item)
        if row is None or not apply(row, msg):
            continue
        updates += 1
        if live is None:
            _line(row, msg.type)
        else:
            live.update(_table(rows, updates))
    return updates
