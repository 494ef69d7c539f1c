"""Market-data api-ids (stkinfo, mrkcond) through HTTP, checked against the live engine state."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from _apikit import Api, Customer

from hoga.api.routes import stkinfo
from hoga.domain.model import Market
from hoga.wire.format import direction, sign_code, signed

STK = "/api/dostk/stkinfo"
MRK = "/api/dostk/mrkcond"
SAMSUNG = "005930"


@pytest.fixture
def cu(api: Api) -> Customer:
    return api.customer()


def run(api: Api, seconds: int) -> None:
    for _ in range(seconds):
        api.ctx.clock.advance(1_000_000)
        api.ctx.exchange.sync()


def call(api: Api, cu: Customer, path: str, api_id: str, body: dict[str, str], **h: str) -> Any:
    r = api.post(path, api_id, body, token=cu.token, headers=h or None)
    assert r.status_code == 200, r.text
    return r


def ok(api: Api, cu: Customer, path: str, api_id: str, body: dict[str, str]) -> dict[str, Any]:
    j: dict[str, Any] = call(api, cu, path, api_id, body).json()
    assert j["return_code"] == 0, j
    return j


def error_code(r: Any) -> str:
    msg: str = r.json()["return_msg"]
    return msg.split("[", 1)[1].split(":", 1)[0].split("]", 1)[0]


def test_ka10001_is_the_live_quote_and_moves_with_the_market(api: Api, cu: Customer) -> None:
    run(api, 60)
    j = ok(api, cu, STK, "ka10001", {"stk_cd": SAMSUNG})
    board = api.ctx.exchange.states[SAMSUNG].board
    st = board.stats
    assert st.last is not None and st.volume > 0
    assert j["stk_cd"] == SAMSUNG and j["stk_nm"] == "삼성전자"
    assert j["cur_prc"] == direction(st.last, st.base_price)
    assert j["base_pric"] == str(st.base_price)
    assert j["pred_pre"] == signed(st.last - st.base_price)
    assert int(j["base_pric"]) + int(j["pred_pre"]) == abs(int(j["cur_prc"]))
    assert j["pre_sig"] == sign_code(st.last, st.base_price, st.limits.upper, st.limits.lower)
    assert j["trde_qty"] == str(st.volume)
    assert abs(int(j["high_pric"])) == st.high and abs(int(j["low_pric"])) == st.low
    assert j["upl_pric"] == f"+{st.limits.upper}" and j["lst_pric"] == f"-{st.limits.lower}"
    inst = api.ctx.universe[SAMSUNG]
    assert j["flo_stk"] == str(inst.listed_shares // 1000)
    assert j["mac"] == str(st.last * inst.listed_shares // 100_000_000)
    hi, lo = abs(int(j["250hgst"])), abs(int(j["250lwst"]))
    assert lo <= st.low <= st.high <= hi and len(j["250hgst_pric_dt"]) == 8
    assert j["per"] == "0" and j["exp_cntr_pric"] == "0"  # continuous trading: no auction
    before = j["trde_qty"]
    run(api, 120)
    again = ok(api, cu, STK, "ka10001", {"stk_cd": SAMSUNG + "_AL"})
    assert again["stk_cd"] == SAMSUNG + "_AL"
    assert int(again["trde_qty"]) > int(before)
    assert again["trde_qty"] == str(board.stats.volume)


def test_ka10004_book_is_the_board_depth_with_changes(api: Api, cu: Customer) -> None:
    run(api, 30)
    j = ok(api, cu, MRK, "ka10004", {"stk_cd": SAMSUNG})
    board = api.ctx.exchange.states[SAMSUNG].board
    depth = board.depth(10)
    base = board.base_price
    assert depth.asks and depth.bids
    assert j["sel_fpr_bid"] == direction(depth.asks[0].price, base)
    assert j["sel_fpr_req"] == str(depth.asks[0].qty)
    assert j["buy_fpr_bid"] == direction(depth.bids[0].price, base)
    for n in range(2, 11):
        ask = depth.asks[n - 1] if len(depth.asks) >= n else None
        bid = depth.bids[n - 1] if len(depth.bids) >= n else None
        assert j[f"sel_{n}th_pre_req"] == (str(ask.qty) if ask else "0")
        assert j[f"buy_{n}th_pre_bid"] == (direction(bid.price, base) if bid else "0")
    assert j["tot_sel_req"] == str(sum(x.qty for x in depth.asks))
    assert j["tot_buy_req"] == str(sum(x.qty for x in depth.bids))
    assert j["sel_1th_pre_req_pre"] == "0" and j["tot_buy_req_jub_pre"] == "0"  # first answer
    assert len(j["bid_req_base_tm"]) == 6
    first = {x.price: x.qty for x in depth.bids}
    run(api, 20)
    j2 = ok(api, cu, MRK, "ka10004", {"stk_cd": SAMSUNG})
    d2 = api.ctx.exchange.states[SAMSUNG].board.depth(10)
    best = d2.bids[0]
    assert j2["buy_1th_pre_req_pre"] == signed(best.qty - first.get(best.price, best.qty))
    total_before = sum(first.values())
    assert j2["tot_buy_req_jub_pre"] == signed(sum(x.qty for x in d2.bids) - total_before)


def test_ka10003_tape_newest_first_with_running_totals(api: Api, cu: Customer) -> None:
    run(api, 45)
    rows = ok(api, cu, STK, "ka10003", {"stk_cd": SAMSUNG})["cntr_infr"]
    st = api.ctx.exchange.states[SAMSUNG].board.stats
    assert rows and rows[0]["acc_trde_qty"] == str(st.volume)
    assert rows[0]["cur_prc"] == direction(st.last or 0, st.base_price)
    assert rows[0]["acc_trde_prica"] == str(st.turnover)
    times = [r["tm"] for r in rows]
    assert times == sorted(times, reverse=True)
    for newer, older in itertools.pairwise(rows):
        assert int(newer["acc_trde_qty"]) - int(older["acc_trde_qty"]) == abs(
            int(newer["cntr_trde_qty"])
        )
    assert all(r["stex_tp"] == "KRX" for r in rows)


def test_ka10095_watchlist_rows_in_request_order(api: Api, cu: Customer) -> None:
    run(api, 10)
    codes = list(api.ctx.exchange.states)[:3]
    j = ok(api, cu, STK, "ka10095", {"stk_cd": "|".join([*codes, "999999"])})
    rows = j["atn_stk_infr"]
    assert [r["stk_cd"] for r in rows] == [*codes, "999999"]
    for code, row in zip(codes, rows, strict=False):
        st = api.ctx.exchange.states[code].board.stats
        price = st.last if st.last is not None else st.base_price
        assert row["cur_prc"] == direction(price, st.base_price)
        assert row["trde_qty"] == str(st.volume)
    assert rows[3]["stk_nm"] == "" and rows[3]["cur_prc"] == ""
    r = call(api, cu, STK, "ka10095", {"stk_cd": "|".join([SAMSUNG] * 101)})
    assert error_code(r) == "1634"


def test_ka10099_lists_a_market_and_pages(
    api: Api, cu: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    kosdaq = [i.code for i in api.ctx.universe.by_market(Market.KOSDAQ)]
    j = ok(api, cu, STK, "ka10099", {"mrkt_tp": "10"})
    assert [r["code"] for r in j["list"]] == kosdaq
    row = j["list"][0]
    inst = api.ctx.universe[row["code"]]
    assert row["listCount"] == str(inst.listed_shares).rjust(16, "0")
    assert len(row["lastPrice"]) == 8 and int(row["lastPrice"]) == inst.base_price
    assert row["marketCode"] == "10" and row["marketName"] == "코스닥"
    assert row["upSizeName"] in ("대형주", "중형주", "소형주")
    monkeypatch.setattr(stkinfo, "LIST_PAGE", 3)
    seen: list[str] = []
    headers: dict[str, str] = {}
    for _ in range(10):
        r = call(api, cu, STK, "ka10099", {"mrkt_tp": "10"}, **headers)
        seen += [x["code"] for x in r.json()["list"]]
        if r.headers["cont-yn"] != "Y":
            break
        headers = {"cont-yn": "Y", "next-key": r.headers["next-key"]}
    assert seen == kosdaq and r.headers["next-key"] == ""
    assert ok(api, cu, STK, "ka10099", {"mrkt_tp": "3"})["list"] == []  # ELW: none here
    assert error_code(call(api, cu, STK, "ka10099", {"mrkt_tp": "zz"})) == "1517"


def test_ka10100_and_ka10101(api: Api, cu: Customer) -> None:
    j = ok(api, cu, STK, "ka10100", {"stk_cd": SAMSUNG})
    assert j["code"] == SAMSUNG and j["marketName"] == "거래소" and j["upSizeName"] == "대형주"
    assert int(j["lastPrice"]) == api.ctx.exchange.states[SAMSUNG].board.base_price
    assert ok(api, cu, STK, "ka10101", {"mrkt_tp": "0"})["list"] == [
        {"marketCode": "0", "code": "001", "name": "종합(KOSPI)", "group": "1"}
    ]
    assert [x["code"] for x in ok(api, cu, STK, "ka10101", {"mrkt_tp": "2"})["list"]] == ["201"]
    assert error_code(call(api, cu, STK, "ka10101", {"mrkt_tp": "9"})) == "1517"


def test_ka10002_ka10006_ka10007(api: Api, cu: Customer) -> None:
    run(api, 30)
    st = api.ctx.exchange.states[SAMSUNG].board.stats
    j = ok(api, cu, STK, "ka10002", {"stk_cd": SAMSUNG})
    assert j["sel_trde_qty_1"] == j["buy_trde_qty_1"] == str(st.volume)
    j = ok(api, cu, MRK, "ka10006", {"stk_cd": SAMSUNG})
    assert j["trde_qty"] == str(st.volume) and j["date"] == "20261126"
    assert j["close_pric"] == direction(st.last or 0, st.base_price)
    assert j["trde_prica"] == str(st.turnover // 1_000_000)
    j = ok(api, cu, MRK, "ka10007", {"stk_cd": SAMSUNG})
    depth = api.ctx.exchange.states[SAMSUNG].board.depth(10)
    assert abs(int(j["sel_1bid"])) == depth.asks[0].price
    assert j["buy_1bid_req"] == str(depth.bids[0].qty)
    assert j["buy_1bid_cnt"] == str(depth.bids[0].count)
    assert j["pred_close_pric"] == str(st.base_price) and j["lpsel_1bid_req"] == "0"
    assert j["tot_sel_req"] == str(sum(x.qty for x in depth.asks))


def test_ka10005_and_ka10087(api: Api, cu: Customer) -> None:
    run(api, 30)
    rows = ok(api, cu, MRK, "ka10005", {"stk_cd": SAMSUNG})["stk_ddwkmm"]
    st = api.ctx.exchange.states[SAMSUNG].board.stats
    assert rows[0]["date"] == "20261126" and rows[0]["trde_qty"] == str(st.volume)
    assert rows[1]["date"] == "20260721"  # the snapshot close, then the synthetic history
    assert abs(int(rows[1]["close_pric"])) == api.ctx.universe[SAMSUNG].base_price
    j = ok(api, cu, MRK, "ka10087", {"stk_cd": SAMSUNG})
    assert j["ovt_sigpric_sel_bid_1"] == "0"  # no single-price session at 10:00
    assert j["sel_bid_tot_req"] == str(
        sum(x.qty for x in api.ctx.exchange.states[SAMSUNG].board.depth(10).asks)
    )
    shell = ok(api, cu, MRK, "ka10087", {"stk_cd": SAMSUNG + "_AL"})
    assert shell["ovt_sigpric_cur_prc"] == ""


def test_ka10086_pages_back_through_history(api: Api, cu: Customer) -> None:
    run(api, 20)
    body = {"stk_cd": SAMSUNG, "qry_dt": "20261126", "indc_tp": "0"}
    dates: list[str] = []
    headers: dict[str, str] = {}
    pages = 0
    while True:
        r = call(api, cu, MRK, "ka10086", body, **headers)
        rows = r.json()["daly_stkpc"]
        assert len(rows) == 20 or r.headers["cont-yn"] == "N"
        dates += [x["date"] for x in rows]
        pages += 1
        if r.headers["cont-yn"] != "Y":
            break
        headers = {"cont-yn": "Y", "next-key": r.headers["next-key"]}
    history = api.ctx.history.daily(SAMSUNG)
    assert dates == sorted(set(dates), reverse=True)  # newest first, no duplicates
    assert len(dates) == len(history) + 1  # every synthetic day plus today, no gaps
    assert dates[0] == "20261126" and dates[-1] == history[0].date.strftime("%Y%m%d")
    assert pages == -(-len(dates) // 20)
    first = call(api, cu, MRK, "ka10086", body).json()["daly_stkpc"][1]
    bar = history[-1]
    assert first["date"] == "20260721" and abs(int(first["close_pric"])) == bar.close
    assert first["trde_qty"] == str(bar.volume)


def test_bad_input_answers_documented_errors(api: Api, cu: Customer) -> None:
    r = call(api, cu, STK, "ka10001", {"stk_cd": "999999"})
    assert error_code(r) == "1902" and "999999" in r.json()["return_msg"]
    assert error_code(call(api, cu, MRK, "ka10004", {"stk_cd": "ABCDEF"})) == "1902"
    body = {"stk_cd": SAMSUNG, "qry_dt": "2026-11-26", "indc_tp": "0"}
    r = call(api, cu, MRK, "ka10086", body)
    assert error_code(r) == "1517" and "qry_dt" in r.json()["return_msg"]
    r = call(api, cu, MRK, "ka10086", {**body, "qry_dt": "20261126", "indc_tp": "7"})
    assert error_code(r) == "1517" and "indc_tp" in r.json()["return_msg"]
    r = call(
        api,
        cu,
        MRK,
        "ka10086",
        {**body, "qry_dt": "20261126"},
        **{"cont-yn": "Y", "next-key": "garbage!"},
    )
    assert error_code(r) == "1517" and "next-key" in r.json()["return_msg"]
    assert error_code(call(api, cu, STK, "ka10001", {"stk_cd": ""})) == "1511"
