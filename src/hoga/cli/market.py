"""Market data for a logged-in profile: ``hoga quote``, ``hoga book``, ``hoga chart``.

Everything goes through :mod:`hoga.client` (ka10001, ka10004, ka10079–ka10083/ka10094), so the
commands work against hoga and against Kiwoom alike. Tables by default, ``--json`` for scripts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from hoga.cli.profile import (
    EXIT_USAGE,
    AsJson,
    ConfigDir,
    ProfileName,
    config_dir,
    connect,
    emit_json,
    fail,
    jsonable,
    load_profile,
    sdk_errors,
)
from hoga.client import CHART_IDS, Bar

__all__ = ["register", "signed"]

Code = Annotated[str, typer.Argument(help="stock code, e.g. 005930")]


def signed(n: int | Decimal) -> str:
    """``+1,200`` / ``-300`` / ``0`` / ``+0.03`` with thousands separators."""
    text = f"{n:,}"
    return f"+{text}" if n > 0 else text


def _colour(change: int, text: str) -> str:
    return f"[red]{text}[/]" if change > 0 else f"[blue]{text}[/]" if change < 0 else text


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} wants a date like 2025-01-31, got {text!r}", EXIT_USAGE)


def register(app: typer.Typer) -> None:
    """Add ``quote``, ``book`` and ``chart`` to ``app``."""

    @app.command(rich_help_panel="Trading")
    def quote(
        code: Code,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """The current price, change, volume and price limits of a stock (ka10001)."""
        prof = load_profile(profile, config_dir(config))
        with sdk_errors(), connect(prof) as client:
            q = client.quote(code)
        if as_json:
            emit_json(q)
            return
        table = Table(title=f"{q.name} ({q.code})", show_header=False)
        change = _colour(q.change, f"{signed(q.change)} ({signed(q.change_rate)}%)")
        for key, value in [
            ("price", f"{q.price:,}"),
            ("change", change),
            ("volume", f"{q.volume:,}"),
            ("open / high / low", f"{q.open:,} / {q.high:,} / {q.low:,}"),
            ("base price", f"{q.base_price:,}"),
            ("limits", f"{q.lower_limit:,} – {q.upper_limit:,}"),
        ]:
            table.add_row(key, value)
        Console().print(table)

    @app.command(rich_help_panel="Trading")
    def book(
        code: Code,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """The order book: ten levels a side (ka10004)."""
        prof = load_profile(profile, config_dir(config))
        with sdk_errors(), connect(prof) as client:
            b = client.order_book(code)
        if as_json:
            emit_json({"code": code, **jsonable(b)})
            return
        table = Table(title=f"order book {code}" + (f" at {b.time}" if b.time else ""))
        table.add_column("ask qty", justify="right", style="blue")
        table.add_column("price", justify="right")
        table.add_column("bid qty", justify="right", style="red")
        for lv in reversed(b.asks):
            table.add_row(f"{lv.qty:,}", f"{lv.price:,}", "")
        for lv in b.bids:
            table.add_row("", f"{lv.price:,}", f"{lv.qty:,}")
        table.add_row(f"{b.total_ask_qty:,}", "total", f"{b.total_bid_qty:,}", style="bold")
        Console().print(table)

    @app.command(rich_help_panel="Trading")
    def chart(
        code: Code,
        period: Annotated[
            str, typer.Option(help="tick | minute | day | week | month | year")
        ] = "day",
        start: Annotated[
            str | None, typer.Option("--from", help="first date, YYYY-MM-DD", show_default=False)
        ] = None,
        end: Annotated[
            str | None, typer.Option("--to", help="last date (default today)", show_default=False)
        ] = None,
        scope: Annotated[int, typer.Option(help="ticks or minutes per bar (tick/minute)")] = 1,
        png: Annotated[
            Path | None, typer.Option(help="draw candlesticks with volume into this PNG")
        ] = None,
        tail: Annotated[int, typer.Option(help="table: show only the last N bars (0 = all)")] = 30,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """Bars over a date range, oldest first, paging as needed; optionally a PNG."""
        if period not in CHART_IDS:
            fail(f"--period must be one of {', '.join(CHART_IDS)}, got {period!r}", EXIT_USAGE)
        lo, hi = _day(start, "--from"), _day(end, "--to")
        if lo is not None and hi is not None and lo > hi:
            fail("--from is after --to", EXIT_USAGE)
        prof = load_profile(profile, config_dir(config))
        err = Console(stderr=True)
        with (
            sdk_errors(),
            connect(prof) as client,
            Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[rows]} bars, {task.completed} page(s)"),
                console=err,
                transient=True,
                disable=as_json or not err.is_terminal,
            ) as progress,
        ):
            task = progress.add_task(f"{code} {period}", total=None, rows=0)
            bars = client.chart(
                code,
                period,
                start=lo,
                end=hi,
                scope=scope,
                progress=lambda pages, rows: progress.update(task, completed=pages, rows=rows),
            )
        intraday = period in ("tick", "minute")
        drawn = None
        if png is not None:
            if not bars:
                fail(f"no {period} bars for {code} in that range; nothing to draw", 1)
            from hoga.cli.plot import ChartsMissingError, render_png

            span = f"{_when(bars[0], intraday)} – {_when(bars[-1], intraday)}"
            try:
                drawn = render_png(bars, png, title=f"{code} {period} {span}", intraday=intraday)
            except ChartsMissingError as exc:
                fail(str(exc), EXIT_USAGE)
        if as_json:
            out: dict[str, object] = {"code": code, "period": period, "bars": jsonable(bars)}
            if drawn is not None:
                out["png"] = jsonable(drawn)
            emit_json(out)
            return
        _bar_table(code, period, bars, tail, intraday)
        if drawn is not None:
            typer.echo(
                f"wrote {drawn.path} ({drawn.width}x{drawn.height}): {drawn.bars} bars, "
                f"{drawn.first} – {drawn.last}"
            )


def _when(bar: Bar, intraday: bool) -> str:
    at: datetime = bar.at
    return at.strftime("%Y-%m-%d %H:%M") if intraday else at.date().isoformat()


def _bar_table(code: str, period: str, bars: list[Bar], tail: int, intraday: bool) -> None:
    shown = bars[-tail:] if tail > 0 else bars
    table = Table(
        title=f"{code} {period}: {len(bars)} bars"
        + (f" (last {len(shown)})" if len(shown) < len(bars) else "")
    )
    for name in ("time" if intraday else "date", "open", "high", "low", "close", "volume"):
        table.add_column(name, justify="left" if name in ("date", "time") else "right")
    for b in shown:
        table.add_row(
            _when(b, intraday),
            f"{b.open:,}",
            f"{b.high:,}",
            f"{b.low:,}",
            f"{b.close:,}",
            f"{b.volume:,}",
        )
    Console().print(table)
