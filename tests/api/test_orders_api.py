"""Orders over HTTP: kt10000–kt10003, the credit-order rejection, bad input, isolation."""

from __future__ import annotations

from typing import Any

import pytest
from _apikit import Api, Customer

from hoga.domain.model import Side
from hoga.engine.brokerage import Brokerage

ORDR = "/api/dostk/ordr"
CRD = "/api/dostk/crdordr"


def broker(api: Api) -> Brokerage:
    b = api.ctx.services["brokerage"]
    assert isinstance(b, Brokerage)
    return b


def quiet(api: Api) -> str:
    """A liquid code whose participants are paused, so the book only moves by our orders."""
    ex = api.ctx.exchange
    ranked = sorted(ex.states.values(), key=lambda s: (-s.instrument.volume, s.code))
    code = next(
        s.code
        for s in ranked
        if ex.ticks.tick(s.board.base_price, s.instrument.market, s.board.day) > 1
    )
    ex.pause_participants(code)
    return code


def best(api: Api, code: str) -> tuple[int, int]:
    depth = api.ctx.exchange.states[code].board.depth(1, public=False)
    return depth.bids[0].price, depth.asks[0].price


def down(api: Api, code: str, price: int, steps: int = 1) -> int:
    board = api.ctx.exchange.states[code].board
    return api.ctx.exchange.ticks.down(price, board.instrument.market, board.day, steps)


def order(api: Api, who: Customer, api_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"dmst_stex_tp": "KRX", "trde_tp": "0", "cond_uv": ""}
    body.update(fields)
    resp = api.post(ORDR, api_id, body, token=who.token)
    assert resp.status_code == 200
    data: dict[str, Any] = resp.json()
    return data


def snapshot(api: Api, code: str) -> tuple[int, list[Any]]:
    with api.ctx.storage.unit_of_work() as uow:
        rows = uow.sequences.current("ord_no")
    return rows, api.ctx.exchange.states[code].board.orders()


def test_buy_rests_then_fills_against_a_customer_sell(api: Api) -> None:
    code = quiet(api)
    alice, bob = api.customer(), api.customer()
    bid, _ = best(api, code)
    price = down(api, code, bid, 5)
    placed = order(api, alice, "kt10000", stk_cd=code, ord_qty="10", ord_uv=str(price))
    assert placed["return_code"] == 0
    assert placed["return_msg"] == "모의투자 매수주문완료"
    assert placed["dmst_stex_tp"] == "KRX"
    assert len(placed["ord_no"]) == 7 and placed["ord_no"].isdigit()
    ord_no = int(placed["ord_no"])
    b = broker(api)
    assert [o.ord_no for o in b.open_orders(alice.account)] == [ord_no]
    cash = b.cash(alice.account)
    assert cash.reserved == b.ledger.buy_hold(price, 10)
    # bob has no shares: selling answers 800033 and stores nothing
    before = snapshot(api, code)
    refused = order(api, bob, "kt10001", stk_cd=code, ord_qty="4", ord_uv=str(price))
    assert refused["return_code"] == 20
    assert refused["return_msg"] == "[2000](800033:모의투자 매도가능수량이 부족합니다.)"
    assert snapshot(api, code) == before
    # alice sells to herself? no: give bob shares by buying from the participants first
    _, ask = best(api, code)
    got = order(api, bob, "kt10000", stk_cd=code, ord_qty="4", ord_uv=str(ask))
    assert got["return_code"] == 0
    assert b.holding(bob.account, code) is not None
    sold = order(api, bob, "kt10001", stk_cd=code, ord_qty="4", ord_uv="", trde_tp="3")
    assert sold["return_code"] == 0, sold
    assert sold["return_msg"] == "모의투자 매도주문완료"
    fills = b.fills(bob.account)
    assert sum(f.qty for f in fills if f.side is Side.SELL) == 4
    held = b.holding(bob.account, code)
    assert held is not None and held.qty == 0


def test_immediate_fill_books_the_ledger(api: Api) -> None:
    code = quiet(api)
    alice = api.customer()
    _, ask = best(api, code)
    placed = order(api, alice, "kt10000", stk_cd=code, ord_qty="3", ord_uv=str(ask))
    ord_no = int(placed["ord_no"])
    b = broker(api)
    row = b.order(alice.account, ord_no)
    assert row is not None and row.status == "filled" and row.filled_qty == 3
    [fill] = b.fills(alice.account)
    assert (fill.ord_no, fill.qty, fill.price) == (ord_no, 3, ask)
    held = b.holding(alice.account, code)
    assert held is not None and held.qty == 3 and held.avg_price == ask
    cash = b.cash(alice.account)
    assert cash.entr == 100_000_000  # nothing settled yet
    assert cash.d2 == 100_000_000 - 3 * ask - b.ledger.fees.commission(3 * ask)


def test_modify_and_cancel_chain(api: Api) -> None:
    code = quiet(api)
    alice = api.customer()
    bid, _ = best(api, code)
    p1, p2 = down(api, code, bid, 6), down(api, code, bid, 4)
    first = int(order(api, alice, "kt10000", stk_cd=code, ord_qty="10", ord_uv=str(p1))["ord_no"])
    body = {"orig_ord_no": f"{first:07d}", "stk_cd": code, "mdfy_qty": "8", "mdfy_uv": str(p2)}
    mod = order(api, alice, "kt10002", **body)
    assert mod["return_code"] == 0, mod
    assert mod["base_orig_ord_no"] == f"{first:07d}"
    assert mod["mdfy_qty"] == "000000000008"
    assert mod["return_msg"] == "모의투자 매수정정 주문입력이 완료되었습니다"
    second = int(mod["ord_no"])
    assert second > first
    b = broker(api)
    assert [(o.ord_no, o.price, o.open_qty) for o in b.open_orders(alice.account)] == [
        (second, p2, 8)
    ]
    assert b.cash(alice.account).reserved == b.ledger.buy_hold(p2, 8)
    # the old number is no longer working
    again = order(api, alice, "kt10002", **body)
    assert again["return_code"] == 20 and "RC4907" in again["return_msg"]
    cancel = order(api, alice, "kt10003", orig_ord_no=str(second), stk_cd=code, cncl_qty="3")
    assert cancel["return_code"] == 0, cancel
    assert cancel["base_orig_ord_no"] == f"{first:07d}"
    assert cancel["cncl_qty"] == "000000000003"
    assert b.cash(alice.account).reserved == b.ledger.buy_hold(p2, 5)
    rest = order(api, alice, "kt10003", orig_ord_no=str(second), stk_cd=code, cncl_qty="0")
    assert rest["cncl_qty"] == "000000000005"
    assert b.open_orders(alice.account) == []
    assert b.cash(alice.account).reserved == 0
    assert b.cash(alice.account).orderable == 100_000_000
    assert api.ctx.exchange.states[code].board.orders() == [
        o for o in api.ctx.exchange.states[code].board.orders() if o.order_id != first
    ]
    statuses = [(o.ord_no, o.status) for o in b.orders(alice.account)]
    assert statuses == [
        (first, "modified"),
        (second, "cancelled"),
        (int(cancel["ord_no"]), "cancel"),
        (int(rest["ord_no"]), "cancel"),
    ]


def test_other_customers_orders_are_untouchable(api: Api) -> None:
    code = quiet(api)
    alice, mallory = api.customer(), api.customer()
    bid, _ = best(api, code)
    price = down(api, code, bid, 5)
    mine = order(api, alice, "kt10000", stk_cd=code, ord_qty="10", ord_uv=str(price))["ord_no"]
    before = snapshot(api, code)
    for api_id, extra in (
        ("kt10002", {"mdfy_qty": "1", "mdfy_uv": str(bid)}),
        ("kt10003", {"cncl_qty": "0"}),
    ):
        for ord_no in (mine, "0999999"):
            got = order(api, mallory, api_id, orig_ord_no=ord_no, stk_cd=code, **extra)
            assert got["return_code"] == 20
            assert got["return_msg"] == "[2000](RC4906:모의투자 원주문번호를 확인하세요.)"
    assert snapshot(api, code) == before
    b = broker(api)
    assert b.open_orders(mallory.account) == []
    assert b.order(mallory.account, int(mine)) is None
    assert [o.ord_no for o in b.open_orders(alice.account)] == [int(mine)]


BAD = [
    ({"ord_qty": "0"}, "1517", "ord_qty"),
    ({"ord_qty": "-5"}, "1517", "ord_qty"),
    ({"ord_qty": "99999999999999"}, "1517", "ord_qty"),
    ({"ord_qty": "ten"}, "1517", "ord_qty"),
    ({"ord_qty": 1.5}, "1517", "ord_qty"),
    ({"ord_uv": "abc"}, "1517", "ord_uv"),
    ({"ord_uv": "0"}, "1517", "ord_uv"),
    ({"ord_uv": ""}, "1517", "ord_uv"),
    ({"ord_uv": "OFFTICK"}, "RC4003", ""),
    ({"ord_uv": "FAR"}, "RC4901", ""),
    ({"stk_cd": "999999"}, "1902", "999999"),
    ({"trde_tp": "99"}, "1517", "trde_tp"),
    ({"trde_tp": ""}, "1511", "trde_tp"),
    ({"dmst_stex_tp": "NXT"}, "RC9000", ""),
    ({"dmst_stex_tp": "SOR"}, "RC9000", ""),
    ({"dmst_stex_tp": "XXX"}, "1517", "dmst_stex_tp"),
    ({"ord_qty": "100000000"}, "RC4025", ""),
    ({"trde_tp": "28", "cond_uv": ""}, "1517", "cond_uv"),
]


@pytest.mark.parametrize(("change", "code", "mention"), BAD)
def test_bad_orders_change_nothing(
    api: Api, change: dict[str, Any], code: str, mention: str
) -> None:
    stk = quiet(api)
    alice = api.customer()
    bid, _ = best(api, stk)
    board = api.ctx.exchange.states[stk].board
    fields: dict[str, Any] = {"stk_cd": stk, "ord_qty": "1", "ord_uv": str(bid)}
    for k, given in change.items():
        v = given
        if v == "OFFTICK":
            v = str(bid + 1)
        elif v == "FAR":
            v = str(
                api.ctx.exchange.ticks.up(board.limits.upper, board.instrument.market, board.day)
            )
        fields[k] = v
    before = snapshot(api, stk)
    got = order(api, alice, "kt10000", **fields)
    assert got["return_code"] != 0
    assert code in got["return_msg"] and mention in got["return_msg"], got
    assert "ord_no" not in got
    assert snapshot(api, stk) == before
    assert broker(api).cash(alice.account).reserved == 0


def test_malformed_bodies(api: Api) -> None:
    alice = api.customer()
    for raw, code in ((b"{not json", "1517"), (b"[1,2]", "1517"), (b"{}", "1511")):
        before = snapshot(api, next(iter(api.ctx.exchange.states)))
        resp = api.post(ORDR, "kt10000", raw=raw, token=alice.token)
        assert code in resp.json()["return_msg"]
        assert snapshot(api, next(iter(api.ctx.exchange.states))) == before


def test_modify_and_cancel_input_errors(api: Api) -> None:
    code = quiet(api)
    alice = api.customer()
    bid, _ = best(api, code)
    price = down(api, code, bid, 5)
    mine = order(api, alice, "kt10000", stk_cd=code, ord_qty="10", ord_uv=str(price))["ord_no"]
    before = snapshot(api, code)
    cases = [
        ("kt10002", {"mdfy_qty": "11", "mdfy_uv": str(price)}, "mdfy_qty"),
        ("kt10002", {"mdfy_qty": "5", "mdfy_uv": str(price + 1)}, "RC4003"),
        ("kt10002", {"mdfy_qty": "x", "mdfy_uv": str(price)}, "mdfy_qty"),
        ("kt10002", {"mdfy_qty": "10", "mdfy_uv": str(price)}, "RC4907"),
        ("kt10003", {"cncl_qty": "11"}, "cncl_qty"),
        ("kt10003", {"cncl_qty": "-1"}, "cncl_qty"),
    ]
    for api_id, extra, mention in cases:
        got = order(api, alice, api_id, orig_ord_no=mine, stk_cd=code, **extra)
        assert got["return_code"] != 0 and mention in got["return_msg"], (api_id, extra, got)
    other = next(c for c in api.ctx.exchange.states if c != code)
    got = order(api, alice, "kt10003", orig_ord_no=mine, stk_cd=other, cncl_qty="0")
    assert "RC4906" in got["return_msg"]
    got = order(api, alice, "kt10003", orig_ord_no="abc", stk_cd=code, cncl_qty="0")
    assert "orig_ord_no" in got["return_msg"]
    assert snapshot(api, code) == before


def test_exchange_rejection_after_storing_releases(api: Api) -> None:
    code = quiet(api)
    alice = api.customer()
    bid, _ = best(api, code)
    api.ctx.exchange.halt(code)
    got = order(api, alice, "kt10000", stk_cd=code, ord_qty="10", ord_uv=str(bid))
    assert got["return_msg"] == "[2000](RC4007:모의투자 매매제한 종목입니다.)"
    b = broker(api)
    [row] = b.orders(alice.account)
    assert (row.status, row.open_qty) == ("rejected", 0)
    assert b.cash(alice.account).reserved == 0
    assert b.cash(alice.account).orderable == 100_000_000


def test_credit_orders_are_not_offered(api: Api) -> None:
    alice = api.customer()
    body = {"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": "", "trde_tp": "3"}
    for api_id in ("kt10006",):
        got = api.post(CRD, api_id, body, token=alice.token).json()
        assert got["return_msg"] == "[2000](RC9000:모의투자에서는 해당업무가 제공되지 않습니다.)"
    got = api.post(
        CRD,
        "kt10009",
        {"dmst_stex_tp": "KRX", "orig_ord_no": "1", "stk_cd": "005930", "cncl_qty": "0"},
        token=alice.token,
    ).json()
    assert got["return_code"] == 20
    assert broker(api).orders(alice.account) == []


def test_orders_need_a_token(api: Api) -> None:
    resp = api.post(ORDR, "kt10000", {"dmst_stex_tp": "KRX"}, token="nope")
    assert resp.json()["return_code"] == 3


def test_day_roll_settles_t_plus_2(api: Api) -> None:
    code = quiet(api)
    alice = api.customer()
    _, ask = best(api, code)
    order(api, alice, "kt10000", stk_cd=code, ord_qty="2", ord_uv=str(ask))
    bid, _ = best(api, code)
    resting = order(
        api, alice, "kt10000", stk_cd=code, ord_qty="1", ord_uv=str(down(api, code, bid, 8))
    )
    b = broker(api)
    cost = 2 * ask
    fee = b.ledger.fees.commission(cost)
    day = 24 * 3_600 * 1_000_000
    api.ctx.clock.advance(day)
    api.ctx.exchange.sync()
    # the resting order expired at midnight and released its cash
    row = b.order(alice.account, int(resting["ord_no"]))
    assert row is not None and row.status == "expired"
    assert b.cash(alice.account).reserved == 0
    assert b.cash(alice.account).entr == 100_000_000  # T+1: not settled yet
    api.ctx.clock.advance(day)
    api.ctx.exchange.sync()
    cash = b.cash(alice.account)
    assert cash.entr == 100_000_000 - cost - fee
    assert b.costs(alice.account) == (fee, 0)
    held = b.holding(alice.account, code)
    assert held is not None and held.settled_qty == 2
