from hoga.domain import events as ev
from hoga.domain.model import (
    TRDE_TP,
    Board,
    Instrument,
    Market,
    NewOrder,
    OrderKind,
    Side,
    TimeInForce,
    order_type_for,
)


def test_every_documented_trde_tp_code_maps_to_a_krx_order_type() -> None:
    codes = {
        "0",
        "3",
        "5",
        "6",
        "7",
        "10",
        "13",
        "16",
        "20",
        "23",
        "26",
        "28",
        "29",
        "30",
        "31",
        "61",
        "62",
        "81",
    }
    assert set(TRDE_TP) == codes
    assert order_type_for(" 3 ") is not None
    assert order_type_for("99") is None
    best_fok = order_type_for("26")
    assert best_fok is not None
    assert (best_fok.kind, best_fok.tif) == (OrderKind.BEST, TimeInForce.FOK)


def test_price_requirements_and_boards() -> None:
    assert TRDE_TP["0"].needs_price and TRDE_TP["62"].needs_price and TRDE_TP["28"].needs_price
    assert not TRDE_TP["3"].needs_price and not TRDE_TP["6"].needs_price
    assert TRDE_TP["61"].board is Board.PRE_CLOSE
    assert TRDE_TP["81"].board is Board.POST_CLOSE
    assert TRDE_TP["62"].board is Board.AFTER_SINGLE
    assert TRDE_TP["5"].board is Board.REGULAR


def test_side_and_instrument() -> None:
    assert Side.BUY.opposite is Side.SELL and Side.SELL.opposite is Side.BUY
    etf = Instrument("069500", "KR7069500007", "KODEX 200", Market.ETF, "etf", 40_000, 1, 0, "")
    stock = Instrument(
        "005930", "KR7005930003", "삼성전자", Market.KOSPI, "stock", 259_000, 1, 0, ""
    )
    assert etf.is_fund and not stock.is_fund


def test_events_are_values() -> None:
    a = ev.Trade("005930", 259_000, 10, 1, 2, Side.BUY, 5)
    assert a == ev.Trade("005930", 259_000, 10, 1, 2, Side.BUY, 5)
    assert ev.RejectReason.OFF_TICK.value == "off_tick"


def test_new_order_defaults() -> None:
    o = NewOrder(1, "005930", Side.BUY, TRDE_TP["3"], 10)
    assert (o.price, o.stop_price) == (0, 0)
