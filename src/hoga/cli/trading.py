"""Orders and the account for a logged-in profile: ``hoga buy``, ``sell``, ``orders``,
``modify``, ``cancel``, ``balance``.

Orders go through :mod:`hoga.client` (kt10000–kt10003), which never doubles a new order after
a transport failure: when the outcome is unknown the command exits 3 and says to check
``hoga orders`` before sending again. ``modify`` and ``cancel`` take only the order number; the
stock code is looked up among the open orders (ka10075) unless ``--code`` is given.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hoga.cli.market import signed
from hoga.cli.profile import (
    EXIT_API,
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
from hoga.client import Client, OpenOrder

__all__ = ["register"]

Code = Annotated[str, typer.Argument(help="stock code, e.g. 005930")]
Qty = Annotated[int, typer.Argument(help="shares", min=1)]
Price = Annotated[int | None, typer.Option(help="limit price in won", min=1, show_default=False)]
Market = Annotated[bool, typer.Option("--market", help="a market order (no price)")]
OrderNo = Annotated[str, typer.Argument(help="order number, as `hoga orders` shows it")]
CodeOpt = Annotated[
    str | None, typer.Option("--code", help="stock code (default: found among open orders)")
]


def _place(
    side: str,
    code: str,
    qty: int,
    price: int | None,
    market: bool,
    profile: str,
    config: ConfigDir,
    as_json: bool,
) -> None:
    if market == (price is not None):
        fail("give either --price P (a limit order) or --market", EXIT_USAGE)
    prof = load_profile(profile, config_dir(config))
    with sdk_errors(), connect(prof) as client:
        place = client.buy if side == "buy" else client.sell
        ack = place(code, qty, price)
    kind = "market" if price is None else f"limit {price:,}"
    if as_json:
        emit_json({"side": side, "code": code, "qty": qty, "price": price, **_ack_fields(ack)})
        return
    note = " (recovered after a lost response)" if ack.recovered else ""
    typer.echo(f"order {ack.order_no}: {side} {qty:,} {code} at {kind}{note}")


def _ack_fields(ack: object) -> dict[str, object]:
    fields: dict[str, object] = jsonable(ack)
    return fields


def _find(client: Client, order_no: str) -> OpenOrder:
    found = next((o for o in client.open_orders() if o.order_no == order_no), None)
    if found is None:
        fail(f"no open order {order_no} (filled, cancelled, not yours?): see hoga orders", EXIT_API)
    return found


def register(app: typer.Typer) -> None:
    """Add the order and account commands to ``app``."""

    @app.command(rich_help_panel="Trading")
    def buy(
        code: Code,
        qty: Qty,
        price: Price = None,
        market: Market = False,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """Buy: a limit order (--price) or a market order (--market) (kt10000)."""
        _place("buy", code, qty, price, market, profile, config, as_json)

    @app.command(rich_help_panel="Trading")
    def sell(
        code: Code,
        qty: Qty,
        price: Price = None,
        market: Market = False,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """Sell: a limit order (--price) or a market order (--market) (kt10001)."""
        _place("sell", code, qty, price, market, profile, config, as_json)

    @app.command(rich_help_panel="Trading")
    def orders(
        code: Annotated[str | None, typer.Argument(help="only this stock")] = None,
        fills: Annotated[bool, typer.Option("--fills", help="today's fills instead")] = False,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """Open orders (ka10075), or today's fills with --fills (ka10076)."""
        prof = load_profile(profile, config_dir(config))
        with sdk_errors(), connect(prof) as client:
            rows = client.fills(code) if fills else client.open_orders(code)
        if as_json:
            emit_json(rows)
            return
        table = Table(title=f"{'fills' if fills else 'open orders'}: {len(rows)}")
        heads = ["order", "code", "name", "side", "qty", "price"]
        heads += ["filled", "at", "time"] if fills else ["open", "status", "time"]
        for h in heads:
            table.add_column(
                h, justify="right" if h in ("qty", "price", "filled", "at", "open") else "left"
            )
        for r in rows:
            base = [r.order_no, r.code, r.name, r.side, f"{r.qty:,}", f"{r.price:,}"]
            if fills:
                assert not isinstance(r, OpenOrder)
                base += [f"{r.fill_qty:,}", f"{r.fill_price:,}", str(r.time or "")]
            else:
                assert isinstance(r, OpenOrder)
                base += [f"{r.open_qty:,}", r.status, str(r.time or "")]
            table.add_row(*base)
        Console().print(table)

    @app.command(rich_help_panel="Trading")
    def modify(
        order_no: OrderNo,
        price: Annotated[int, typer.Option(help="the new price", min=1)],
        qty: Annotated[
            int | None, typer.Option(help="shares to modify (default: all still open)", min=1)
        ] = None,
        code: CodeOpt = None,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """Change the price of an open order (kt10002); prints the new order number."""
        prof = load_profile(profile, config_dir(config))
        with sdk_errors(), connect(prof) as client:
            if code is None or qty is None:
                found = _find(client, order_no)
                code = code or found.code
                qty = qty or found.open_qty
            ack = client.modify(order_no, code, qty, price)
        if as_json:
            emit_json({"code": code, **_ack_fields(ack)})
            return
        typer.echo(f"order {order_no} modified: now {ack.order_no}, {ack.qty:,} at {price:,}")

    @app.command(rich_help_panel="Trading")
    def cancel(
        order_no: OrderNo,
        qty: Annotated[int, typer.Option(help="shares to cancel (0 = all still open)", min=0)] = 0,
        code: CodeOpt = None,
        profile: ProfileName = "default",
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """Cancel an open order, entirely or --qty shares of it (kt10003)."""
        prof = load_profile(profile, config_dir(config))
        with sdk_errors(), connect(prof) as client:
            if code is None:
                code = _find(client, order_no).code
            ack = client.cancel(order_no, code, qty)
        if as_json:
            emit_json({"code": code, **_ack_fields(ack)})
            return
        typer.echo(f"order {order_no} cancelled: {ack.qty:,} share(s) ({ack.order_no})")

    @app.command(rich_help_panel="Trading")
    def balance(
        profile: ProfileName = "default", config: ConfigDir = None, as_json: AsJson = False
    ) -> None:
        """Cash (kt00001) and positions with profit and loss (kt00018)."""
        prof = load_profile(profile, config_dir(config))
        with sdk_errors(), connect(prof) as client:
            account = client.account_number()
            cash = client.deposit()
            bal = client.balance()
        if as_json:
            emit_json({"account": account, "deposit": cash, "balance": bal})
            return
        console = Console()
        summary = Table(title=f"account {account}", show_header=False)
        for key, value in [
            ("cash", f"{cash.cash:,}"),
            ("orderable", f"{cash.orderable:,}"),
            ("D+2 cash", f"{cash.d2_cash:,}"),
            ("holdings value", f"{bal.total_value:,}"),
            ("profit / loss", f"{signed(bal.total_pl)} ({signed(bal.total_return)}%)"),
            ("estimated assets", f"{bal.estimated_assets:,}"),
        ]:
            summary.add_row(key, value)
        console.print(summary)
        table = Table(title=f"positions: {len(bal.positions)}")
        for h in ("code", "name", "qty", "sellable", "avg price", "price", "value", "P/L", "%"):
            table.add_column(h, justify="left" if h in ("code", "name") else "right")
        for p in bal.positions:
            table.add_row(
                p.code,
                p.name,
                f"{p.qty:,}",
                f"{p.tradable_qty:,}",
                f"{p.purchase_price:,}",
                f"{p.price:,}",
                f"{p.value:,}",
                signed(p.pl),
                signed(p.return_rate),
            )
        console.print(table)
