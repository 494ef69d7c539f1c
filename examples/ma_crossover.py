"""A minimal moving-average crossover bot for hoga — and, unchanged, for Kiwoom's REST API.

Rule: hold ``--qty`` shares of ``--code`` while the short moving average of daily closes is above
the long one (today's close is the live price), hold nothing otherwise. Each step it reads the
price (ka10001) and its position (kt00018), logs its decision, and buys or sells at market when
the averages have crossed. Averages are compared in whole won arithmetic (no floats).

    python examples/ma_crossover.py --host http://127.0.0.1:8000 --appkey KEY --secretkey SECRET
    python examples/ma_crossover.py                    # the keys stored by `hoga login`

``--max-steps N`` stops after N steps (0 = run until Ctrl-C); ``--interval S`` waits S seconds
between steps. This is an example, not investment advice: it ignores costs, partial fills and
the trading calendar.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hoga.client import Client, HogaError

KST = timezone(timedelta(hours=9))

log = logging.getLogger("ma_crossover")


def crossed_up(closes: list[int], short: int, long: int) -> bool:
    """True when the ``short``-day average is above the ``long``-day one (exactly, in integers)."""
    fast, slow = sum(closes[-short:]), sum(closes[-long:])
    return fast * long > slow * short


def position(client: Client, code: str) -> int:
    return sum(p.qty for p in client.balance().positions if p.code == code)


def history(client: Client, code: str, days: int, today: date) -> list[int]:
    """The last ``days`` daily closes before ``today``, oldest first (one page: 600 bars)."""
    bars = client.chart(code, "day", end=today, max_pages=1)
    return [b.close for b in bars if b.date < today][-days:]


def run(client: Client, args: argparse.Namespace) -> int:
    today = datetime.now(KST).date()
    closes = history(client, args.code, args.long, today)
    if len(closes) < args.long:
        log.error("only %d daily closes for %s; need %d", len(closes), args.code, args.long)
        return 1
    step = 0
    while args.max_steps == 0 or step < args.max_steps:
        step += 1
        price = client.quote(args.code).price
        series = [*closes, price]
        held = position(client, args.code)
        want = crossed_up(series, args.short, args.long)
        fast = sum(series[-args.short :]) // args.short
        slow = sum(series[-args.long :]) // args.long
        action = "hold"
        if want and held == 0:
            ack = client.buy(args.code, args.qty)  # no price: a market order
            action = f"buy {args.qty} (order {ack.order_no})"
        elif not want and held > 0:
            ack = client.sell(args.code, held)
            action = f"sell {held} (order {ack.order_no})"
        log.info(
            "step %d %s price=%d sma%d=%d sma%d=%d held=%d -> %s",
            step, args.code, price, args.short, fast, args.long, slow, held, action,
        )  # fmt: skip
        if args.max_steps == 0 or step < args.max_steps:
            time.sleep(args.interval)
    return 0


def credentials(args: argparse.Namespace) -> tuple[str, str, str, str]:
    """(host, appkey, secretkey, ws_url) from the options, else from the `hoga login` profile."""
    if args.host and args.appkey and args.secretkey:
        return args.host, args.appkey, args.secretkey, ""
    from hoga.cli.profile import config_dir, kiwoom_ws_url, load_profiles

    found = load_profiles(config_dir(args.config_dir)).get(args.profile)
    if found is None:
        sys.exit(f"give --host, --appkey and --secretkey, or run `hoga login` ({args.profile!r})")
    host = args.host or found.host
    return host, found.appkey, found.secretkey, found.ws_url or kiwoom_ws_url(host)


def _keys_joined(argv: list[str]) -> list[str]:
    """``--appkey X`` → ``--appkey=X``: keys may start with "-", which argparse takes for a flag."""
    out: list[str] = []
    rest = iter(argv)
    for arg in rest:
        out.append(f"{arg}={next(rest, '')}" if arg in ("--appkey", "--secretkey") else arg)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="moving-average crossover bot")
    p.add_argument("--host", help="REST base URL (default: the login profile's)")
    p.add_argument("--appkey")
    p.add_argument("--secretkey")
    p.add_argument("--profile", default="default", help="`hoga login` profile")
    p.add_argument("--config-dir", type=Path, default=None, help="where `hoga login` stored it")
    p.add_argument("--code", default="005930")
    p.add_argument("--qty", type=int, default=1)
    p.add_argument("--short", type=int, default=5, help="days in the short average")
    p.add_argument("--long", type=int, default=20, help="days in the long average")
    p.add_argument("--interval", type=float, default=10.0, help="seconds between steps")
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (0 = never)")
    args = p.parse_args(_keys_joined(sys.argv[1:] if argv is None else argv))
    if not 0 < args.short < args.long:
        p.error("need 0 < --short < --long")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    host, appkey, secretkey, ws_url = credentials(args)
    try:
        with Client(base_url=host, appkey=appkey, secretkey=secretkey, ws_url=ws_url or None) as c:
            return run(c, args)
    except HogaError as exc:
        log.error("stopped: %s", exc)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
