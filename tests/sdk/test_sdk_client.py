"""The sync Client against the real app in-process: typed results, paging, orders, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from _sdkkit import CODE, Served, raw_post

from hoga.client import APIError, Client, RejectedError, ws_url_for


@pytest.fixture
def client(served: Served) -> Client:
    with served.client() as c:
        yield c


def test_ws_url_is_derived_from_the_base_url() -> None:
    assert ws_url_for("http://h:8000") == "ws://h:8000/api/dostk/websocket"
    assert ws_url_for("https://api.x.com/") == "wss://api.x.com/api/dostk/websocket"


def test_quote_has_real_numbers(client: Client) -> None:
    q = client.quote(CODE)
    assert q.code == CODE and q.name == "삼성전자"
    assert isinstance(q.price, int) and q.price > 0
    assert q.lower_limit < q.base_price < q.upper_limit
    assert isinstance(q.change_rate, Decimal)
    assert q.raw.cur_prc.lstrip("+-") == str(q.price)


def test_order_book_levels_are_sorted_best_first(client: Client) -> None:
    book = client.order_book(CODE)
    assert book.asks and book.bids
    assert [lv.price for lv in book.asks] == sorted(lv.price for lv in book.asks)
    assert [lv.price for lv in book.bids] == sorted((lv.price for lv in book.bids), reverse=True)
    assert book.best_bid is not None and book.best_ask is not None
    assert book.best_bid < book.best_ask


def test_daily_chart_pages_over_a_date_range_with_progress(client: Client) -> None:
    seen: list[tuple[int, int]] = []
    bars = client.chart(
        CODE,
        "day",
        start=date(2024, 1, 1),
        end=date(2026, 11, 26),
        progress=lambda p, n: seen.append((p, n)),
    )
    assert len(seen) >= 2, "600 rows a page: two years and more need a second page"
    assert [p for p, _ in seen] == list(range(1, len(seen) + 1))
    assert seen[-1][1] == len(bars)
    assert bars[0].date >= date(2024, 1, 1)
    assert bars[0].date <= date(2024, 1, 5)
    days = [b.date for b in bars]
    assert days == sorted(set(days))
    assert all(b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in bars)


def test_pages_iterator_follows_next_key(client: Client) -> None:
    body = {"stk_cd": CODE, "base_dt": "20261126", "upd_stkpc_tp": "1"}
    assert [p.cont for p in client.pages("ka10081", body, max_pages=1)] == [True]
    pages = list(client.pages("ka10081", body))
    assert len(pages) >= 2
    assert all(p.cont for p in pages[:-1]) and not pages[-1].cont
    dates = [r.dt for p in pages for r in p.data.stk_dt_pole_chart_qry]
    assert dates == sorted(set(dates), reverse=True)


def test_account_and_cash(client: Client) -> None:
    assert len(client.account_number()) == 10
    d = client.deposit()
    assert d.cash == 100_000_000 and d.orderable > 0


def test_order_lifecycle_with_typed_open_orders(client: Client) -> None:
    q = client.quote(CODE)
    px = q.lower_limit + 10_000 - (q.lower_limit + 10_000) % 500
    ack = client.buy(CODE, 3, px)
    assert len(ack.order_no) == 7 and not ack.recovered
    (oo,) = client.open_orders(CODE)
    assert (oo.order_no, oo.side, oo.qty, oo.price, oo.open_qty) == (ack.order_no, "buy", 3, px, 3)
    m = client.modify(ack.order_no, CODE, 3, px + 500)
    assert m.original_order_no == ack.order_no
    (oo,) = client.open_orders(CODE, side="buy")
    assert oo.price == px + 500 and oo.order_no == m.order_no
    c = client.cancel(m.order_no, CODE)
    assert c.original_order_no == ack.order_no
    assert client.open_orders(CODE) == []


def test_a_market_buy_fills_and_shows_in_balance(client: Client) -> None:
    ack = client.buy(CODE, 2)
    fills = client.fills(CODE)
    assert any(f.order_no == ack.order_no and f.fill_qty == 2 for f in fills)
    bal = client.balance()
    (pos,) = [p for p in bal.positions if p.code == CODE]
    assert pos.qty == 2 and pos.purchase_price > 0
    ev = client.evaluation()
    assert [h.qty for h in ev.holdings if h.code == CODE] == [2]


def test_generic_call_returns_the_decoded_struct(client: Client) -> None:
    data = client.call("ka10001", stk_cd=CODE)
    assert data.stk_cd == CODE


def test_errors_carry_the_bracketed_code(client: Client) -> None:
    with pytest.raises(APIError) as e:
        client.call("ka10001")
    assert e.value.return_code == 2 and e.value.code == "1511"
    q = client.quote(CODE)
    with pytest.raises(RejectedError) as r:
        client.buy(CODE, 1, q.lower_limit - 1000)
    assert r.value.return_code == 20 and r.value.code is not None
    assert r.value.code.startswith("RC")
    assert client.open_orders() == []


def test_token_is_issued_once_reused_and_revoked_on_close(served: Served) -> None:
    c = served.client()
    for _ in range(3):
        c.quote(CODE)
    assert c.stats.tokens_issued == 1
    token = c.token()
    c.close()
    resp = raw_post(served, "ka10001", {"stk_cd": CODE}, token)
    assert resp["return_code"] == 3 and "8005" in resp["return_msg"]
