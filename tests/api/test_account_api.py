"""Account api-ids over HTTP (``/api/dostk/acnt``): shape, figures against the ledger and live
prices, filters, paging, isolation and bad input, after a scripted sequence of orders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from _apikit import Api, Customer

from hoga.domain.model import Market, Side
from hoga.engine.brokerage import Brokerage
from hoga.wire import format as fmt
from hoga.wire.schemas.registry import RESPONSE_SCHEMAS

ACNT = "/api/dostk/acnt"
ORDR = "/api/dostk/ordr"
DAY = 24 * 3_600 * 1_000_000
CASH = 50_000_000_000
TODAY = "20261126"


def broker(api: Api) -> Brokerage:
    b = api.ctx.services["brokerage"]
    assert isinstance(b, Brokerage)
    return b


def quiet_stock(api: Api) -> str:
    """A liquid KOSPI stock (taxed on sale) whose participants are paused."""
    ex = api.ctx.exchange
    ranked = sorted(ex.states.values(), key=lambda s: (-s.instrument.volume, s.code))
    code = next(
        s.code
        for s in ranked
        if s.instrument.market is Market.KOSPI
        and not s.instrument.is_fund
        and ex.ticks.tick(s.board.base_price, s.instrument.market, s.board.day) > 1
        and s.board.stats.best_bid is not None
        and s.board.stats.best_ask is not None
    )
    ex.pause_participants(code)
    return code


def order(api: Api, who: Customer, api_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"dmst_stex_tp": "KRX", "trde_tp": "0", "cond_uv": ""}
    body.update(fields)
    data: dict[str, Any] = api.post(ORDR, api_id, body, token=who.token).json()
    assert data["return_code"] == 0, data
    return data


def q(api: Api, who: Customer, api_id: str, body: dict[str, Any], **headers: str) -> Any:
    resp = api.post(ACNT, api_id, body, token=who.token, headers=headers)
    assert resp.status_code == 200
    return resp


def ok(api: Api, who: Customer, api_id: str, body: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = q(api, who, api_id, body).json()
    assert data["return_code"] == 0, data
    return data


def refresh(api: Api, who: Customer) -> None:
    """A new token after the manual clock moved past the old one's 24 hours."""
    resp = api.post(
        "/oauth2/token",
        None,
        {"grant_type": "client_credentials", "appkey": who.appkey, "secretkey": who.secretkey},
    )
    who.token = resp.json()["token"]


def days(api: Api, n: int, *who: Customer) -> None:
    api.ctx.clock.advance(n * DAY)
    api.ctx.exchange.sync()
    for c in who:
        refresh(api, c)


@dataclass
class World:
    api: Api
    alice: Customer
    code: str
    ask: int
    bought: int  # filled on the first buy
    first: int  # the partly filled buy's order number
    modified: int  # its modification's order number
    cancel: int  # the cancel's order number
    sold: int  # order number of the market sale


def scripted(api: Api) -> World:
    """Deposit → buy (partly filled, the rest rests) → modify → cancel part → sell at market."""
    code = quiet_stock(api)
    alice = api.customer(cash=CASH)
    board = api.ctx.exchange.states[code].board
    depth = board.depth(1, public=False)
    ask, ask_qty = depth.asks[0].price, depth.asks[0].qty
    first = int(
        order(api, alice, "kt10000", stk_cd=code, ord_qty=str(ask_qty + 5), ord_uv=str(ask))[
            "ord_no"
        ]
    )
    low = api.ctx.exchange.ticks.down(depth.bids[0].price, board.instrument.market, board.day, 3)
    mod = order(
        api, alice, "kt10002", orig_ord_no=str(first), stk_cd=code, mdfy_qty="5", mdfy_uv=str(low)
    )
    modified = int(mod["ord_no"])
    cancel = int(
        order(api, alice, "kt10003", orig_ord_no=str(modified), stk_cd=code, cncl_qty="2")["ord_no"]
    )
    sold = int(
        order(api, alice, "kt10001", stk_cd=code, ord_qty="3", ord_uv="", trde_tp="3")["ord_no"]
    )
    return World(api, alice, code, ask, ask_qty, first, modified, cancel, sold)


@pytest.fixture
def world(api: Api) -> World:
    return scripted(api)


# --- shape ---

BODIES: dict[str, dict[str, str]] = {
    "kt00001": {"qry_tp": "3"},
    "kt00002": {"start_dt": "20261120", "end_dt": TODAY},
    "kt00004": {"qry_tp": "0", "dmst_stex_tp": "KRX"},
    "kt00005": {"dmst_stex_tp": "KRX"},
    "kt00007": {"qry_tp": "1", "stk_bond_tp": "0", "sell_tp": "0", "dmst_stex_tp": "%"},
    "kt00009": {
        "stk_bond_tp": "0",
        "mrkt_tp": "0",
        "sell_tp": "0",
        "qry_tp": "0",
        "dmst_stex_tp": "%",
    },
    "kt00010": {"stk_cd": "CODE", "trde_tp": "2", "uv": "PRICE", "trde_qty": "1"},
    "kt00011": {"stk_cd": "CODE"},
    "kt00015": {
        "strt_dt": "20261120",
        "end_dt": TODAY,
        "tp": "0",
        "gds_tp": "0",
        "dmst_stex_tp": "%",
    },
    "kt00017": {},
    "kt00018": {"qry_tp": "1", "dmst_stex_tp": "KRX"},
    "ka01690": {"qry_dt": TODAY},
    "ka10072": {"strt_dt": TODAY},
    "ka10073": {"strt_dt": TODAY, "end_dt": TODAY},
    "ka10074": {"strt_dt": TODAY, "end_dt": TODAY},
    "ka10075": {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"},
    "ka10076": {"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"},
    "ka10077": {"stk_cd": "CODE"},
    "ka10085": {"stex_tp": "0"},
    "ka10088": {"ord_no": "MOD"},
    "ka10170": {"ottks_tp": "1", "ch_crd_tp": "0"},
}


def body_for(w: World, api_id: str) -> dict[str, str]:
    subs = {"CODE": w.code, "PRICE": str(w.ask), "MOD": str(w.modified)}
    return {k: subs.get(v, v) for k, v in BODIES[api_id].items()}


def wire_names(cls: type[msgspec.Struct]) -> list[str]:
    return [f.encode_name for f in msgspec.structs.fields(cls)]


def list_type(cls: type[msgspec.Struct], name: str) -> type[msgspec.Struct]:
    field = next(f for f in msgspec.structs.fields(cls) if f.encode_name == name)
    row: type[msgspec.Struct] = field.type.__args__[0]
    return row


@pytest.mark.parametrize("api_id", sorted(BODIES))
def test_every_api_id_answers_its_documented_shape(world: World, api_id: str) -> None:
    resp = q(world.api, world.alice, api_id, body_for(world, api_id))
    data = resp.json()
    assert data["return_code"] == 0, data
    cls = RESPONSE_SCHEMAS[api_id]
    assert list(data) == [*wire_names(cls), "return_code", "return_msg"]
    for name, value in data.items():
        if isinstance(value, list):
            row_names = wire_names(list_type(cls, name))
            for row in value:
                assert list(row) == row_names
                assert all(isinstance(v, str) for v in row.values())
        elif name != "return_code":
            assert isinstance(value, str), (name, value)
    assert resp.headers["api-id"] == api_id
    assert resp.headers["cont-yn"] == "N"


# --- balances and evaluation ---


def test_kt00018_values_holdings_at_live_prices(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)
    data = ok(api, alice, "kt00018", {"qry_tp": "2", "dmst_stex_tp": "KRX"})
    [row] = data["acnt_evlt_remn_indv_tot"]
    held = b.holding(alice.account, world.code)
    assert held is not None and held.qty == world.bought - 3
    stats = api.ctx.exchange.states[world.code].board.stats
    price = stats.last if stats.last is not None else stats.base_price
    fees = b.ledger.fees
    value = held.qty * price
    settles = b.settlement_date(api.ctx.exchange.day)
    tax = fees.sell_taxes(value, Market.KOSPI, settles).total
    assert tax > 0
    net = value - held.cost - fees.commission(held.cost) - fees.commission(value) - tax
    assert row["stk_cd"] == f"A{world.code}"
    assert row["rmnd_qty"] == fmt.padded(held.qty, 15)
    assert row["trde_able_qty"] == fmt.padded(held.orderable_qty, 15)
    assert row["cur_prc"] == fmt.padded(price, 12) and len(row["pred_close_pric"]) == 12
    assert row["pur_amt"] == fmt.padded(held.cost, 15)
    assert row["pur_pric"] == fmt.padded(held.avg_price, 15)
    assert row["evlt_amt"] == fmt.padded(value, 15)
    assert row["evltv_prft"] == fmt.padded(net, 15)
    assert row["tax"] == fmt.padded(tax, 15)
    assert int(row["sum_cmsn"]) == int(row["pur_cmsn"]) + int(row["sell_cmsn"])
    rate = Decimal(net) * 100 / Decimal(held.cost)
    assert row["prft_rt"] == fmt.rate(rate, sign=False)
    assert row["tdy_buyq"] == fmt.padded(world.bought, 15)
    assert row["tdy_sellq"] == fmt.padded(3, 15)
    assert row["poss_rt"] == "100.00"
    assert data["tot_evlt_amt"] == row["evlt_amt"] and data["tot_pur_amt"] == row["pur_amt"]
    assert data["tot_evlt_pl"] == row["evltv_prft"]
    cash = b.cash(alice.account)
    assert data["prsm_dpst_aset_amt"] == fmt.padded(cash.d2 + value, 15)
    assert data["tot_loan_amt"] == "0" * 15


def test_kt00001_cash_equals_the_ledger_before_and_after_settlement(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)

    def check() -> dict[str, Any]:
        data = ok(api, alice, "kt00001", {"qry_tp": "3"})
        cash = b.cash(alice.account)
        assert data["entr"] == fmt.padded(cash.entr, 15)
        assert data["d1_entra"] == fmt.padded(cash.d1, 15)
        assert data["d2_entra"] == fmt.padded(cash.d2, 15)
        assert data["ord_alow_amt"] == fmt.padded(cash.orderable, 15)
        assert data["pymn_alow_amt"] == fmt.padded(cash.withdrawable, 15)
        assert data["profa_ch"] == fmt.padded(cash.reserved, 15)
        assert data["100stk_ord_alow_amt"] == data["ord_alow_amt"]
        assert data["crd_grnt_rt"] == "0.00" and data["stk_entr_prst"] == []
        assert all(len(v) == 15 for k, v in data.items() if k.endswith("_amt"))
        return data

    before = check()
    assert before["entr"] == fmt.padded(CASH, 15)  # nothing settled yet
    buys = sum(f.price * f.qty for f in b.fills(alice.account) if f.side is Side.BUY)
    sells = sum(f.price * f.qty for f in b.fills(alice.account) if f.side is Side.SELL)
    assert before["d2_buy_exct_amt"] == fmt.padded(buys, 15)
    assert before["d2_sel_exct_amt"] == fmt.padded(sells, 15)
    assert before["d2_slby_exct_amt"] == fmt.padded(sells - buys, 15)
    assert before["d1_buy_exct_amt"] == fmt.padded(0, 15)  # T+2: nothing settles tomorrow
    # general query (2) answers the same figures
    assert ok(api, alice, "kt00001", {"qry_tp": "2"})["entr"] == before["entr"]
    days(api, 2, alice)
    after = check()
    fee, tax = b.costs(alice.account)
    assert after["entr"] == fmt.padded(CASH - buys + sells - fee - tax, 15)
    assert after["d2_entra"] == after["entr"]


def test_kt00004_and_kt00005_agree_with_kt00018(world: World) -> None:
    api, alice = world.api, world.alice
    k18 = ok(api, alice, "kt00018", {"qry_tp": "1", "dmst_stex_tp": "KRX"})
    k04 = ok(api, alice, "kt00004", {"qry_tp": "1", "dmst_stex_tp": "NXT"})
    k05 = ok(api, alice, "kt00005", {"dmst_stex_tp": "KRX"})
    total = int(k18["tot_evlt_amt"])
    cost = int(k18["tot_pur_amt"])
    assert int(k04["tot_est_amt"]) == total and len(k04["tot_est_amt"]) == 12
    assert int(k04["tot_pur_amt"]) == cost
    assert int(k04["prsm_dpst_aset_amt"]) == int(k18["prsm_dpst_aset_amt"])
    assert k04["acnt_nm"] and k04["brch_nm"] == "hoga"
    [r4] = k04["stk_acnt_evlt_prst"]
    assert int(r4["pl_amt"]) == total - cost
    assert r4["pl_rt"] == fmt.rate(Decimal(total - cost) * 100 / cost, places=4, sign=False)
    assert r4["setl_remn"] == "0" * 12  # bought today: nothing settled
    # 투자원금: the deposit; 손익 = assets − deposit
    assert int(k04["lspft_amt"]) == CASH
    assert int(k04["lspft"]) == int(k04["prsm_dpst_aset_amt"]) - CASH
    assert int(k05["evlt_amt_tot"]) == total and int(k05["stk_buy_tot_amt"]) == cost
    assert int(k05["tot_pl_tot"]) == total - cost
    assert k05["entr_d2"] == fmt.padded(int(k04["d2_entra"]), 15)
    [r5] = k05["stk_cntr_remn"]
    assert int(r5["cur_qty"]) == int(r4["rmnd_qty"]) and r5["crd_tp"] == "00"


def test_orderable_quantities_fit_the_cash(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)
    orderable = b.cash(alice.account).orderable
    price = world.ask
    k10 = ok(
        api,
        alice,
        "kt00010",
        {"stk_cd": world.code, "trde_tp": "2", "uv": str(price), "trde_qty": "10"},
    )
    qty = int(k10["profa_100ord_alowq"])
    fees = b.ledger.fees
    assert qty * price + fees.commission(qty * price) <= orderable
    assert (qty + 1) * price + fees.commission((qty + 1) * price) > orderable
    assert int(k10["pur_amt"]) == 10 * price
    assert int(k10["pur_exct_amt"]) == 10 * price + fees.commission(10 * price)
    sell = ok(api, alice, "kt00010", {"stk_cd": world.code, "trde_tp": "1", "uv": str(price)})
    held = b.holding(alice.account, world.code)
    assert held is not None and int(sell["profa_100ord_alowq"]) == held.orderable_qty
    k11 = ok(api, alice, "kt00011", {"stk_cd": world.code, "uv": str(price)})
    assert int(k11["profa_20ord_alowq"]) == qty and int(k11["ord_alowa"]) == orderable


def test_kt00017_today(world: World) -> None:
    api, alice = world.api, world.alice
    fills = broker(api).fills(alice.account)
    data = ok(api, alice, "kt00017", {})
    assert int(data["ina_amt"]) == CASH and int(data["outa"]) == 0
    assert int(data["buy_amt"]) == sum(f.price * f.qty for f in fills if f.side is Side.BUY)
    assert int(data["sell_amt"]) == sum(f.price * f.qty for f in fills if f.side is Side.SELL)
    assert int(data["cmsn"]) == sum(f.fee for f in fills)
    assert int(data["tax"]) == sum(f.tax for f in fills) > 0


# --- open orders, fills, history ---


def test_ka10075_lists_exactly_the_open_orders(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)
    data = ok(api, alice, "ka10075", {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"})
    assert data["return_msg"] == " 조회가 완료되었습니다."
    expected = [o.ord_no for o in b.open_orders(alice.account)]
    assert expected == [world.modified]
    [row] = data["oso"]
    assert row["ord_no"] == f"{world.modified:07d}"
    assert row["orig_ord_no"] == f"{world.first:07d}"
    assert row["acnt_no"] == alice.account
    assert row["io_tp_nm"] == "+매수정정" and row["trde_tp"] == "보통"
    assert row["ord_qty"] == "5" and row["oso_qty"] == "3"
    assert row["stk_cd"] == world.code and row["stex_tp_txt"] == "KRX"
    assert row["cur_prc"][0] in "+-" or row["cur_prc"].isdigit()
    for body, n in (
        ({"all_stk_tp": "0", "trde_tp": "1", "stex_tp": "0"}, 0),  # sells only
        ({"all_stk_tp": "0", "trde_tp": "2", "stex_tp": "1"}, 1),
        ({"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "2"}, 0),  # NXT: none here
        ({"all_stk_tp": "1", "trde_tp": "0", "stex_tp": "0", "stk_cd": world.code}, 1),
    ):
        assert len(ok(api, alice, "ka10075", body)["oso"]) == n, body
    other = next(c for c in api.ctx.exchange.states if c != world.code)
    body = {"all_stk_tp": "1", "trde_tp": "0", "stex_tp": "0", "stk_cd": other}
    assert ok(api, alice, "ka10075", body)["oso"] == []


def test_ka10076_one_row_per_filled_order(world: World) -> None:
    api, alice = world.api, world.alice
    fills = broker(api).fills(alice.account)
    data = ok(api, alice, "ka10076", {"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"})
    rows = data["cntr"]
    assert [r["ord_no"] for r in rows] == [f"{world.sold:07d}", f"{world.first:07d}"]
    for r in rows:
        mine = [f for f in fills if f.ord_no == int(r["ord_no"])]
        assert int(r["cntr_qty"]) == sum(f.qty for f in mine)
        assert int(r["tdy_trde_cmsn"]) == sum(f.fee for f in mine)
        assert int(r["tdy_trde_tax"]) == sum(f.tax for f in mine)
        assert r["ord_stt"] == "체결"
    assert rows[0]["io_tp_nm"] == "-매도" and rows[0]["trde_tp"] == "시장가"
    assert int(rows[0]["tdy_trde_tax"]) > 0
    sells = ok(api, alice, "ka10076", {"qry_tp": "0", "sell_tp": "1", "stex_tp": "0"})["cntr"]
    assert [r["ord_no"] for r in sells] == [f"{world.sold:07d}"]
    older = {"qry_tp": "0", "sell_tp": "0", "stex_tp": "0", "ord_no": str(world.sold)}
    assert [r["ord_no"] for r in ok(api, alice, "ka10076", older)["cntr"]] == [f"{world.first:07d}"]


def test_kt00007_history_with_order_chains(world: World) -> None:
    api, alice = world.api, world.alice
    base = {"stk_bond_tp": "0", "sell_tp": "0", "dmst_stex_tp": "%", "ord_dt": TODAY}
    rows = ok(api, alice, "kt00007", {**base, "qry_tp": "1"})["acnt_ord_cntr_prps_dtl"]
    by_no = {int(r["ord_no"]): r for r in rows}
    assert list(by_no) == sorted(by_no) == [world.first, world.modified, world.cancel, world.sold]
    first, mod, cancel = by_no[world.first], by_no[world.modified], by_no[world.cancel]
    assert first["ori_ord"] == "0000000" and first["mdfy_cncl"] == ""
    assert first["cntr_qty"] == fmt.padded(world.bought, 10)
    assert first["ord_qty"] == fmt.padded(world.bought + 5, 10)
    assert mod["ori_ord"] == f"{world.first:07d}" and mod["mdfy_cncl"] == "정정"
    assert mod["io_tp_nm"] == "매수정정" and mod["acpt_tp"] == "확인"
    assert cancel["ori_ord"] == f"{world.modified:07d}" and cancel["mdfy_cncl"] == "취소"
    assert cancel["cnfm_qty"] == fmt.padded(2, 10) and cancel["io_tp_nm"] == "매수취소"
    assert by_no[world.sold]["io_tp_nm"] == "현금매도"
    assert all(len(r["ord_tm"]) == 8 and r["ord_tm"][2] == ":" for r in rows)
    reverse = ok(api, alice, "kt00007", {**base, "qry_tp": "2"})["acnt_ord_cntr_prps_dtl"]
    assert [r["ord_no"] for r in reverse] == [r["ord_no"] for r in rows][::-1]
    still_open = ok(api, alice, "kt00007", {**base, "qry_tp": "3"})["acnt_ord_cntr_prps_dtl"]
    assert [int(r["ord_no"]) for r in still_open] == [world.modified]
    filled = ok(api, alice, "kt00007", {**base, "qry_tp": "4"})["acnt_ord_cntr_prps_dtl"]
    assert [int(r["ord_no"]) for r in filled] == [world.first, world.sold]
    sells = ok(api, alice, "kt00007", {**base, "qry_tp": "1", "sell_tp": "1"})
    assert [int(r["ord_no"]) for r in sells["acnt_ord_cntr_prps_dtl"]] == [world.sold]
    start = ok(api, alice, "kt00007", {**base, "qry_tp": "1", "fr_ord_no": str(world.cancel)})
    assert [int(r["ord_no"]) for r in start["acnt_ord_cntr_prps_dtl"]] == [world.cancel, world.sold]
    for venue in ("NXT", "SOR"):
        assert (
            ok(api, alice, "kt00007", {**base, "qry_tp": "1", "dmst_stex_tp": venue})[
                "acnt_ord_cntr_prps_dtl"
            ]
            == []
        )
    yesterday = ok(api, alice, "kt00007", {**base, "qry_tp": "1", "ord_dt": "20261125"})
    assert yesterday["acnt_ord_cntr_prps_dtl"] == []


def test_kt00009_fill_rows_and_amounts(world: World) -> None:
    api, alice = world.api, world.alice
    fills = broker(api).fills(alice.account)
    body = {"stk_bond_tp": "0", "mrkt_tp": "0", "sell_tp": "0", "qry_tp": "1", "dmst_stex_tp": "%"}
    data = ok(api, alice, "kt00009", body)
    rows = data["acnt_ord_cntr_prst_array"]
    assert [int(r["cntr_no"]) for r in rows] == [f.exec_id for f in fills]
    assert [int(r["cntr_qty"]) for r in rows] == [f.qty for f in fills]
    buys = sum(f.price * f.qty for f in fills if f.side is Side.BUY)
    sells = sum(f.price * f.qty for f in fills if f.side is Side.SELL)
    assert data["buy_engg_amt"] == fmt.padded(buys, 15)
    assert data["sell_grntl_engg_amt"] == fmt.padded(sells, 15)
    assert data["engg_amt"] == fmt.padded(buys + sells, 15)
    every = ok(api, alice, "kt00009", {**body, "qry_tp": "0"})["acnt_ord_cntr_prst_array"]
    assert {int(r["ord_no"]) for r in every} == {
        world.first,
        world.modified,
        world.cancel,
        world.sold,
    }
    assert ok(api, alice, "kt00009", {**body, "mrkt_tp": "2"})["acnt_ord_cntr_prst_array"] == []
    assert len(
        ok(api, alice, "kt00009", {**body, "mrkt_tp": "1"})["acnt_ord_cntr_prst_array"]
    ) == len(rows)


def test_ka10088_is_the_order_itself(world: World) -> None:
    api, alice = world.api, world.alice
    [row] = ok(api, alice, "ka10088", {"ord_no": str(world.modified)})["osop"]
    assert row["osop_qty"] == "3" and row["sell_tp"] == "2" and row["acnt_no"] == alice.account
    assert ok(api, alice, "ka10088", {"ord_no": str(world.sold)})["osop"] == []  # filled
    assert ok(api, alice, "ka10088", {"ord_no": "9999999"})["osop"] == []


# --- realized P&L ---


def test_realized_pnl_agrees_with_the_ledger(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)
    # a second day: sell more at market (the modified buy expired at midnight)
    days(api, 1, alice)
    bob = api.customer(cash=CASH)  # the book is empty on day 2 (paused): bob bids
    base = api.ctx.exchange.states[world.code].board.base_price
    order(api, bob, "kt10000", stk_cd=world.code, ord_qty="4", ord_uv=str(base))
    second = int(
        order(api, alice, "kt10001", stk_cd=world.code, ord_qty="4", ord_uv="", trde_tp="3")[
            "ord_no"
        ]
    )
    fills = b.fills(alice.account)
    period = ok(api, alice, "ka10074", {"strt_dt": TODAY, "end_dt": "20261127"})
    assert [r["dt"] for r in period["dt_rlzt_pl"]] == ["20261127", TODAY]
    assert int(period["rlzt_pl"]) == b.realized_pnl(alice.account)
    assert int(period["tot_buy_amt"]) == sum(f.price * f.qty for f in fills if f.side is Side.BUY)
    assert int(period["trde_cmsn"]) == sum(f.fee for f in fills)
    assert int(period["trde_tax"]) == sum(f.tax for f in fills)
    assert sum(int(r["tdy_sel_pl"]) for r in period["dt_rlzt_pl"]) == int(period["rlzt_pl"])
    by_day = ok(api, alice, "ka10073", {"strt_dt": TODAY, "end_dt": "20261127"})["dt_stk_rlzt_pl"]
    assert [(r["dt"], r["cntr_qty"]) for r in by_day] == [("20261127", "4"), (TODAY, "3")]
    held = b.holding(alice.account, world.code)
    assert held is not None
    avg = int(by_day[0]["buy_uv"])
    sale = next(f for f in fills if f.ord_no == second)
    assert int(by_day[0]["tdy_sel_pl"]) == sale.price * 4 - avg * 4
    one = ok(api, alice, "ka10072", {"strt_dt": "20261127", "stk_cd": world.code})
    assert one["dt_stk_div_rlzt_pl"][0]["tdy_sel_pl"] == by_day[0]["tdy_sel_pl"]
    today = ok(api, alice, "ka10077", {"stk_cd": world.code})
    assert today["tdy_rlzt_pl"] == by_day[0]["tdy_sel_pl"]
    assert [r["cntr_qty"] for r in today["tdy_rlzt_pl_dtl"]] == [
        str(f.qty) for f in fills if f.ord_no == second
    ]


def test_ka10170_trade_journal(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)
    data = ok(api, alice, "ka10170", {"base_dt": "", "ottks_tp": "1", "ch_crd_tp": "0"})
    assert data["return_msg"] == " 조회가 완료되었습니다."
    [row] = data["tdy_trde_diary"]
    fills = b.fills(alice.account)
    sale = [f for f in fills if f.side is Side.SELL]
    assert row["stk_cd"] == world.code and row["sell_qty"] == "3"
    assert int(row["sell_amt"]) == sum(f.price * f.qty for f in sale)
    assert row["buy_qty"] == str(world.bought)
    cost_out = sum(f.price * f.qty for f in fills if f.side is Side.BUY) * 3 // world.bought
    costs = sum(f.fee + f.tax for f in sale) + b.ledger.fees.commission(cost_out)
    assert int(row["cmsn_alm_tax"]) == costs
    assert int(row["pl_amt"]) == b.realized_pnl(alice.account) - costs
    assert row["prft_rt"] == fmt.rate(Decimal(int(row["pl_amt"])) * 100 / cost_out, sign=False)
    assert int(data["tot_exct_amt"]) == int(data["tot_sell_amt"]) - int(data["tot_buy_amt"]) - costs
    every = ok(api, alice, "ka10170", {"ottks_tp": "2", "ch_crd_tp": "1"})["tdy_trde_diary"]
    assert every[0]["buy_amt"] == str(cost_out) and every[0]["buy_qty"] == "3"
    assert ok(api, alice, "ka10170", {"ottks_tp": "1", "ch_crd_tp": "2"})["tdy_trde_diary"] == []
    assert (
        ok(api, alice, "ka10170", {"base_dt": "20261125", "ottks_tp": "2", "ch_crd_tp": "0"})[
            "tdy_trde_diary"
        ]
        == []
    )


def test_ka10085_account_returns(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)
    [row] = ok(api, alice, "ka10085", {"stex_tp": "0"})["acnt_prft_rt"]
    held = b.holding(alice.account, world.code)
    assert held is not None
    assert row["rmnd_qty"] == str(held.qty) and row["pur_amt"] == str(held.cost)
    assert row["tdy_sel_pl"] == str(b.realized_pnl(alice.account))
    assert row["dt"] == TODAY and row["clrn_alow_qty"] == str(held.orderable_qty)


# --- history over days ---


def test_settlement_and_daily_history(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)
    day1 = ok(api, alice, "ka01690", {"qry_dt": TODAY})
    days(api, 2, alice)  # T+2: the first day's trades settle
    cash = b.cash(alice.account)
    held = b.holding(alice.account, world.code)
    assert held is not None and held.settled_qty == held.qty
    k01 = ok(api, alice, "kt00001", {"qry_tp": "3"})
    assert k01["entr"] == fmt.padded(cash.entr, 15) and cash.entr < CASH
    past = ok(api, alice, "ka01690", {"qry_dt": TODAY})
    # the first day, as it ended: nothing had settled, the position at that day's close
    assert past["dbst_bal"] == str(CASH)
    assert past["tot_buy_amt"] == day1["tot_buy_amt"]
    [prow] = past["day_bal_rt"]
    assert prow["rmnd_qty"] == day1["day_bal_rt"][0]["rmnd_qty"]
    assert int(prow["evlt_amt"]) == int(prow["rmnd_qty"]) * int(prow["cur_prc"])
    rows = ok(api, alice, "kt00002", {"start_dt": "20261101", "end_dt": "20261231"})[
        "daly_prsm_dpst_aset_amt_prst"
    ]
    assert [r["dt"] for r in rows] == ["20261128", "20261127", TODAY]  # opened on the 26th
    assert rows[0]["entr"] == fmt.padded(cash.entr, 15)
    assert rows[-1]["entr"] == fmt.padded(CASH, 15)
    assert int(rows[-1]["prsm_dpst_aset_amt"]) == int(past["day_stk_asst"])
    k04 = ok(api, alice, "kt00004", {"qry_tp": "0", "dmst_stex_tp": "KRX"})
    [r4] = k04["stk_acnt_evlt_prst"]
    assert int(r4["setl_remn"]) == held.qty


def test_kt00015_statement(world: World) -> None:
    api, alice = world.api, world.alice
    b = broker(api)
    body = {"strt_dt": TODAY, "end_dt": TODAY, "tp": "0", "gds_tp": "0", "dmst_stex_tp": "%"}
    data = ok(api, alice, "kt00015", body)
    assert data["acnt_no"] == alice.account
    rows = data["trst_ovrl_trde_prps_array"]
    fills = b.fills(alice.account)
    assert [r["rmrk_nm"] for r in rows] == ["입금"] + [
        "장내매수" if f.side is Side.BUY else "장내매도" for f in fills
    ]
    assert rows[0]["exct_amt"] == fmt.padded(CASH, 15) and rows[0]["entra_remn"] == fmt.padded(
        CASH, 15
    )
    for r, f in zip(rows[1:], fills, strict=True):
        assert int(r["trde_amt"]) == f.price * f.qty and int(r["cmsn"]) == f.fee
        assert int(r["trde_agri_tax"]) == f.tax and r["stk_cd"] == f"A{world.code}"

    def kinds(tp: str) -> list[str]:
        got = ok(api, alice, "kt00015", {**body, "tp": tp})["trst_ovrl_trde_prps_array"]
        return [r["rmrk_nm"] for r in got]

    assert kinds("1") == kinds("6") == ["입금"]
    assert kinds("7") == [] and kinds("2") == []
    assert set(kinds("5")) == {"장내매도"} and set(kinds("4")) == {"장내매수"}
    assert len(kinds("3")) == len(fills)
    other = ok(api, alice, "kt00015", {**body, "strt_dt": "20261101", "end_dt": "20261125"})
    assert other["trst_ovrl_trde_prps_array"] == []


# --- paging ---


def test_long_lists_page_with_identical_bodies(api: Api) -> None:
    code = quiet_stock(api)
    alice = api.customer(cash=CASH)
    b = broker(api)
    board = api.ctx.exchange.states[code].board
    low = api.ctx.exchange.ticks.down(
        board.depth(1, public=False).bids[0].price, board.instrument.market, board.day, 10
    )
    for _ in range(130):
        placed = b.place(alice.account, code=code, side=Side.BUY, trde_tp="0", qty=1, price=low)
        assert not hasattr(placed, "reason")
    for api_id, body, key, n in (
        ("ka10075", {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"}, "oso", 130),
        (
            "kt00007",
            {"qry_tp": "2", "stk_bond_tp": "0", "sell_tp": "0", "dmst_stex_tp": "%"},
            "acnt_ord_cntr_prps_dtl",
            130,
        ),
        (
            "kt00009",
            {
                "stk_bond_tp": "0",
                "mrkt_tp": "0",
                "sell_tp": "0",
                "qry_tp": "0",
                "dmst_stex_tp": "%",
            },
            "acnt_ord_cntr_prst_array",
            130,
        ),
    ):
        first = q(api, alice, api_id, body)
        assert first.headers["cont-yn"] == "Y" and first.headers["next-key"]
        rows = first.json()[key]
        assert len(rows) == 100
        nxt = q(api, alice, api_id, body, **{"cont-yn": "Y", "next-key": first.headers["next-key"]})
        assert nxt.headers["cont-yn"] == "N" and nxt.headers["next-key"] == ""
        rows += nxt.json()[key]
        assert len({r["ord_no"] for r in rows}) == n
        changed = {**body, "sell_tp": "2"} if "sell_tp" in body else {**body, "trde_tp": "2"}
        bad = q(
            api, alice, api_id, changed, **{"cont-yn": "Y", "next-key": first.headers["next-key"]}
        ).json()
        assert bad["return_code"] == 2 and "next-key" in bad["return_msg"]
    newest_first = [
        int(r["ord_no"])
        for r in ok(api, alice, "ka10075", {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"})[
            "oso"
        ]
    ]
    assert newest_first == sorted(newest_first, reverse=True)


# --- isolation and bad input ---


def test_another_customer_sees_nothing(world: World) -> None:
    api, alice = world.api, world.alice
    mallory = api.customer()
    before = {
        api_id: ok(api, alice, api_id, body_for(world, api_id)) for api_id in ("ka10075", "kt00018")
    }
    for api_id in sorted(BODIES):
        data = ok(api, mallory, api_id, body_for(world, api_id))
        assert alice.account not in msgspec.json.encode(data).decode()
        lists = [v for v in data.values() if isinstance(v, list)]
        if api_id not in ("kt00015", "kt00002", "ka10085"):
            assert all(v == [] for v in lists), api_id
    assert ok(api, mallory, "ka10088", {"ord_no": str(world.modified)})["osop"] == []
    k01 = ok(api, mallory, "kt00001", {"qry_tp": "3"})
    assert k01["entr"] == fmt.padded(100_000_000, 15)
    # an acnt_no in the body is not a way in: the token's account answers
    spoof = ok(
        api,
        mallory,
        "ka10075",
        {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0", "acnt_no": alice.account},
    )
    assert spoof["oso"] == []
    for api_id, data in before.items():
        assert ok(api, alice, api_id, body_for(world, api_id)) == data


BAD: list[tuple[str, dict[str, str], str, str]] = [
    ("kt00001", {"qry_tp": "9"}, "1517", "qry_tp"),
    ("kt00001", {}, "1511", "qry_tp"),
    ("kt00004", {"qry_tp": "0", "dmst_stex_tp": "XXX"}, "1517", "dmst_stex_tp"),
    ("kt00018", {"qry_tp": "3", "dmst_stex_tp": "KRX"}, "1517", "qry_tp"),
    ("kt00005", {"dmst_stex_tp": "SOR"}, "1517", "dmst_stex_tp"),
    ("kt00010", {"stk_cd": "CODE", "trde_tp": "3", "uv": "100"}, "1517", "trde_tp"),
    ("kt00010", {"stk_cd": "CODE", "trde_tp": "2", "uv": "abc"}, "1517", "uv"),
    ("kt00010", {"stk_cd": "999999", "trde_tp": "2", "uv": "100"}, "1902", "999999"),
    ("kt00011", {"stk_cd": "CODE", "uv": "-5"}, "1517", "uv"),
    ("ka10075", {"all_stk_tp": "2", "trde_tp": "0", "stex_tp": "0"}, "1517", "all_stk_tp"),
    ("ka10075", {"all_stk_tp": "0", "trde_tp": "3", "stex_tp": "0"}, "1517", "trde_tp"),
    ("ka10075", {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "3"}, "1517", "stex_tp"),
    ("ka10075", {"all_stk_tp": "1", "trde_tp": "0", "stex_tp": "0"}, "1511", "stk_cd"),
    ("ka10076", {"qry_tp": "0", "sell_tp": "4", "stex_tp": "0"}, "1517", "sell_tp"),
    ("ka10076", {"qry_tp": "0", "sell_tp": "0", "stex_tp": "0", "ord_no": "x"}, "1517", "ord_no"),
    (
        "kt00007",
        {"qry_tp": "5", "stk_bond_tp": "0", "sell_tp": "0", "dmst_stex_tp": "%"},
        "1517",
        "qry_tp",
    ),
    (
        "kt00007",
        {
            "qry_tp": "1",
            "stk_bond_tp": "0",
            "sell_tp": "0",
            "dmst_stex_tp": "%",
            "ord_dt": "2026-11-26",
        },
        "1517",
        "ord_dt",
    ),
    (
        "kt00007",
        {
            "qry_tp": "1",
            "stk_bond_tp": "0",
            "sell_tp": "0",
            "dmst_stex_tp": "%",
            "fr_ord_no": "abc",
        },
        "1517",
        "fr_ord_no",
    ),
    (
        "kt00009",
        {"stk_bond_tp": "0", "mrkt_tp": "9", "sell_tp": "0", "qry_tp": "0", "dmst_stex_tp": "%"},
        "1517",
        "mrkt_tp",
    ),
    (
        "kt00015",
        {"strt_dt": TODAY, "end_dt": "20261101", "tp": "0", "gds_tp": "0", "dmst_stex_tp": "%"},
        "1517",
        "end_dt",
    ),
    (
        "kt00015",
        {"strt_dt": TODAY, "end_dt": TODAY, "tp": "Z", "gds_tp": "0", "dmst_stex_tp": "%"},
        "1517",
        "tp",
    ),
    ("kt00002", {"start_dt": "20261301", "end_dt": TODAY}, "1517", "start_dt"),
    ("ka01690", {"qry_dt": "20261231"}, "1517", "qry_dt"),
    ("ka01690", {"qry_dt": ""}, "1511", "qry_dt"),
    ("ka10072", {"strt_dt": "yesterday"}, "1517", "strt_dt"),
    ("ka10073", {"strt_dt": TODAY, "end_dt": "20261125"}, "1517", "end_dt"),
    ("ka10074", {"strt_dt": TODAY}, "1511", "end_dt"),
    ("ka10077", {"stk_cd": "ZZZZZZ"}, "1902", "ZZZZZZ"),
    ("ka10085", {"stex_tp": "5"}, "1517", "stex_tp"),
    ("ka10088", {"ord_no": "-1"}, "1517", "ord_no"),
    ("ka10170", {"ottks_tp": "3", "ch_crd_tp": "0"}, "1517", "ottks_tp"),
    ("ka10170", {"ottks_tp": "1", "ch_crd_tp": "0", "base_dt": "20261232"}, "1517", "base_dt"),
]


@pytest.mark.parametrize(("api_id", "body", "code", "mention"), BAD)
def test_bad_values_name_the_parameter(
    api: Api, api_id: str, body: dict[str, str], code: str, mention: str
) -> None:
    stock = quiet_stock(api)
    alice = api.customer()
    sent = {k: stock if v == "CODE" else v for k, v in body.items()}
    data = q(api, alice, api_id, sent).json()
    assert data["return_code"] != 0
    assert code in data["return_msg"] and mention in data["return_msg"], data
    assert broker(api).orders(alice.account) == []


def test_account_queries_need_a_token(api: Api) -> None:
    data = api.post(ACNT, "kt00018", {"qry_tp": "1", "dmst_stex_tp": "KRX"}, token="nope").json()
    assert data["return_code"] == 3 and "acnt_evlt_remn_indv_tot" not in data
