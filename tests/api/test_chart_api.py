"""Chart api-ids (stock and sector) through HTTP: paging, live bars, indices."""

from __future__ import annotations

from typing import Any

import pytest
from _apikit import Api, Customer

from hoga.domain.events import Trade
from hoga.domain.kst import kst_date
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.indices import INDICES, scale

CHART = "/api/dostk/chart"
SAMSUNG = "005930"
TODAY = "20261126"


@pytest.fixture
def cu(api: Api) -> Customer:
    return api.customer()


def run(api: Api, seconds: int) -> None:
    for _ in range(seconds):
        api.ctx.clock.advance(1_000_000)
        api.ctx.exchange.sync()


def post(api: Api, cu: Customer, api_id: str, body: dict[str, str], **h: str) -> Any:
    r = api.post(CHART, api_id, body, token=cu.token, headers=h or None)
    assert r.status_code == 200, r.text
    return r


def walk(api: Api, cu: Customer, api_id: str, body: dict[str, str], key: str) -> list[list[Any]]:
    """Every page of a paged query, following cont-yn/next-key until cont-yn N."""
    pages: list[list[Any]] = []
    headers: dict[str, str] = {}
    for _ in range(200):
        r = post(api, cu, api_id, body, **headers)
        j = r.json()
        assert j["return_code"] == 0, j
        pages.append(j[key])
        if r.headers["cont-yn"] != "Y":
            assert r.headers["next-key"] == ""
            return pages
        headers = {"cont-yn": "Y", "next-key": r.headers["next-key"]}
    raise AssertionError("paging never ended")


def err(r: Any) -> str:
    msg: str = r.json()["return_msg"]
    return msg.split("[", 1)[1].split(":", 1)[0]


def test_daily_chart_pages_whole_history_and_ends_with_today(api: Api, cu: Customer) -> None:
    run(api, 60)
    body = {"stk_cd": SAMSUNG, "base_dt": TODAY, "upd_stkpc_tp": "1"}
    pages = walk(api, cu, "ka10081", body, "stk_dt_pole_chart_qry")
    assert [len(p) for p in pages[:-1]] == [600] * (len(pages) - 1)
    rows = [r for p in pages for r in p]
    dates = [r["dt"] for r in rows]
    assert dates == sorted(set(dates), reverse=True)
    history = api.ctx.history.daily(SAMSUNG)
    assert len(rows) == len(history) + 1  # no gaps: every synthetic day plus today
    st = api.ctx.exchange.states[SAMSUNG].board.stats
    today = rows[0]
    assert today["dt"] == TODAY and today["cur_prc"] == str(st.last)
    assert today["trde_qty"] == str(st.volume)
    assert (today["open_pric"], today["high_pric"], today["low_pric"]) == (
        str(st.open),
        str(st.high),
        str(st.low),
    )
    assert today["pred_pre"] == (
        f"{int(today['cur_prc']) - st.base_price:+d}" if st.last != st.base_price else "0"
    )
    snap = rows[1]
    assert snap["dt"] == "20260721" and snap["cur_prc"] == str(history[-1].close)
    assert int(snap["cur_prc"]) - int(rows[2]["cur_prc"]) == int(snap["pred_pre"])
    # an older base_dt starts there
    older = post(api, cu, "ka10081", {**body, "base_dt": "20250102"}).json()
    assert older["stk_dt_pole_chart_qry"][0]["dt"] <= "20250102"


def test_week_month_year_charts_roll_up_days(api: Api, cu: Customer) -> None:
    run(api, 30)
    body = {"stk_cd": SAMSUNG, "base_dt": TODAY, "upd_stkpc_tp": "0"}
    st = api.ctx.exchange.states[SAMSUNG].board.stats
    weeks = [r for p in walk(api, cu, "ka10082", body, "stk_stk_pole_chart_qry") for r in p]
    assert weeks[0]["dt"] == TODAY and weeks[0]["trde_qty"] == str(st.volume)
    months = [r for p in walk(api, cu, "ka10083", body, "stk_mth_pole_chart_qry") for r in p]
    years = [r for p in walk(api, cu, "ka10094", body, "stk_yr_pole_chart_qry") for r in p]
    history = api.ctx.history.daily(SAMSUNG)
    total = sum(b.volume for b in history) + st.volume
    for rows in (weeks, months, years):
        assert sum(int(r["trde_qty"]) for r in rows) == total
        assert [r["dt"] for r in rows] == sorted({r["dt"] for r in rows}, reverse=True)
    assert years[0]["dt"] == "20260102" and years[0]["cur_prc"] == str(st.last)
    assert "pred_pre" not in years[0]


def test_minute_bars_accumulate_from_live_trades(api: Api, cu: Customer) -> None:
    run(api, 150)
    body = {"stk_cd": SAMSUNG, "tic_scope": "1", "upd_stkpc_tp": "1"}
    rows = post(api, cu, "ka10080", body).json()["stk_min_pole_chart_qry"]
    st = api.ctx.exchange.states[SAMSUNG].board.stats
    assert sum(int(r["trde_qty"]) for r in rows) == st.volume
    assert rows[0]["acc_trde_qty"] == str(st.volume)
    assert abs(int(rows[0]["cur_prc"])) == st.last
    stamps = [r["cntr_tm"] for r in rows]
    assert stamps == sorted(set(stamps), reverse=True) and stamps[0].startswith(TODAY)
    five = post(api, cu, "ka10080", {**body, "tic_scope": "5"}).json()["stk_min_pole_chart_qry"]
    assert sum(int(r["trde_qty"]) for r in five) == st.volume and len(five) < len(rows)
    run(api, 120)
    later = post(api, cu, "ka10080", body).json()["stk_min_pole_chart_qry"]
    assert len(later) > len(rows)
    assert later[0]["acc_trde_qty"] == str(api.ctx.exchange.states[SAMSUNG].board.stats.volume)
    # base_dt before the simulated market: no minute bars
    old = post(api, cu, "ka10080", {**body, "base_dt": "20260721"}).json()
    assert old["stk_min_pole_chart_qry"] == []


def test_tick_chart_groups_today_trades(api: Api, cu: Customer) -> None:
    run(api, 60)
    body = {"stk_cd": SAMSUNG, "tic_scope": "1", "upd_stkpc_tp": "0"}
    ones = [r for p in walk(api, cu, "ka10079", body, "stk_tic_chart_qry") for r in p]
    st = api.ctx.exchange.states[SAMSUNG].board.stats
    assert len(ones) == st.trades
    assert sum(int(r["trde_qty"]) for r in ones) == st.volume
    assert abs(int(ones[0]["cur_prc"])) == st.last
    tens = post(api, cu, "ka10079", {**body, "tic_scope": "10"}).json()
    assert len(tens["stk_tic_chart_qry"]) == -(-st.trades // 10)
    assert tens["last_tic_cnt"] == str(st.trades % 10 or 10)


def sweep(api: Api, code: str) -> None:
    """A buy that takes the best three ask levels: the last price rises above the old ask."""
    depth = api.ctx.exchange.states[code].board.depth(3, public=False)
    qty = sum(x.qty for x in depth.asks)
    order = NewOrder(999_000_001, code, Side.BUY, TRDE_TP["0"], qty, price=depth.asks[-1].price)
    events = api.ctx.exchange.submit(order)
    assert any(isinstance(e, Trade) and e.price == depth.asks[-1].price for e in events)


def _expected_index(api: Api, code: str) -> int:
    d = INDICES[code]
    members = [i for i in api.ctx.universe.values() if d.member(i)]
    base = sum(i.base_price * i.listed_shares for i in members)
    cap = 0
    for i in members:
        s = api.ctx.exchange.states[i.code].board.stats
        cap += (s.last if s.last is not None else s.base_price) * i.listed_shares
    return scale(d.base_x100, cap, base)


@pytest.mark.parametrize("code", ["001", "101", "201"])
def test_index_equals_its_base_level_at_the_snapshot(api: Api, cu: Customer, code: str) -> None:
    body = {"inds_cd": code, "base_dt": "20260721"}
    rows = post(api, cu, "ka20006", body).json()["inds_dt_pole_qry"]
    assert rows[0]["dt"] == "20260721"
    assert rows[0]["cur_prc"] == str(INDICES[code].base_x100)


def test_index_follows_its_constituents(api: Api, cu: Customer) -> None:
    run(api, 5)
    body = {"inds_cd": "001", "base_dt": TODAY}
    first = post(api, cu, "ka20006", body).json()["inds_dt_pole_qry"][0]
    assert first["dt"] == TODAY and first["cur_prc"] == str(_expected_index(api, "001"))
    run(api, 240)
    sweep(api, SAMSUNG)  # lift three ask levels of the heaviest constituent
    now = post(api, cu, "ka20006", body).json()["inds_dt_pole_qry"][0]
    expected = _expected_index(api, "001")
    assert now["cur_prc"] == str(expected)
    assert int(now["cur_prc"]) > int(first["cur_prc"])
    minute = post(api, cu, "ka20005", {"inds_cd": "001", "tic_scope": "1"}).json()
    assert minute["inds_min_pole_qry"][0]["cur_prc"] == str(expected)
    tick = post(api, cu, "ka20004", {"inds_cd": "001", "tic_scope": "1"})
    ticks = [
        r
        for p in walk(
            api, cu, "ka20004", {"inds_cd": "001", "tic_scope": "1"}, "inds_tic_chart_qry"
        )
        for r in p
    ]
    assert tick.json()["inds_tic_chart_qry"][0]["cur_prc"] == str(expected)
    members = [i.code for i in api.ctx.universe.values() if INDICES["001"].member(i)]
    volume = sum(api.ctx.exchange.states[c].board.stats.volume for c in members)
    assert sum(int(r["trde_qty"]) for r in ticks) == volume
    assert now["trde_qty"] == str(volume)
    prev = scale(INDICES["001"].base_x100, 1, 1)  # day 1 after the snapshot: base == snapshot
    assert minute["inds_min_pole_qry"][0]["pred_pre"] == f"{expected - prev:+d}".replace("+0", "0")
    weeks = post(api, cu, "ka20007", body).json()["inds_stk_pole_qry"]
    years = [r for p in walk(api, cu, "ka20019", body, "inds_yr_pole_qry") for r in p]
    assert weeks[0]["cur_prc"] == years[0]["cur_prc"] == str(expected)
    assert kst_date(api.ctx.clock.now()).year == int(years[0]["dt"][:4])


def test_sector_daily_pages(api: Api, cu: Customer) -> None:
    pages = walk(api, cu, "ka20006", {"inds_cd": "101", "base_dt": TODAY}, "inds_dt_pole_qry")
    rows = [r for p in pages for r in p]
    assert len(pages[0]) == 600 and len(pages) > 1
    dates = [r["dt"] for r in rows]
    assert dates == sorted(set(dates), reverse=True)


def test_chart_input_errors(api: Api, cu: Customer) -> None:
    body = {"stk_cd": SAMSUNG, "base_dt": TODAY, "upd_stkpc_tp": "1"}
    assert err(post(api, cu, "ka10081", {**body, "stk_cd": "000000"})) == "1902"
    r = post(api, cu, "ka10081", {**body, "base_dt": "20261345"})
    assert err(r) == "1517" and "base_dt" in r.json()["return_msg"]
    r = post(api, cu, "ka10081", {**body, "upd_stkpc_tp": "2"})
    assert err(r) == "1517" and "upd_stkpc_tp" in r.json()["return_msg"]
    r = post(api, cu, "ka10080", {"stk_cd": SAMSUNG, "tic_scope": "2", "upd_stkpc_tp": "1"})
    assert err(r) == "1517" and "tic_scope" in r.json()["return_msg"]
    r = post(api, cu, "ka20006", {"inds_cd": "999", "base_dt": TODAY})
    assert err(r) == "1517" and "inds_cd" in r.json()["return_msg"]
    first = post(api, cu, "ka10081", body)
    assert first.headers["cont-yn"] == "Y"
    # a next-key belongs to its api-id
    r = post(api, cu, "ka10082", body, **{"cont-yn": "Y", "next-key": first.headers["next-key"]})
    assert err(r) == "1517"
