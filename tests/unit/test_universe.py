import time
from datetime import date

import pytest

from hoga.domain.model import Instrument, Market
from hoga.engine.universe import (
    LARGE_CAP_COUNT,
    SUSPENDED_FALLBACK_PRICE,
    Universe,
    load_universe,
    parse_universe,
)

U = load_universe()


def test_size_and_counts_per_market() -> None:
    assert len(U) == 4_415
    assert U.counts() == {
        Market.KOSPI: 947,
        Market.KOSDAQ: 1_821,
        Market.KONEX: 110,
        Market.ETF: 1_151,
        Market.ETN: 386,
    }
    assert all(i.market is Market.ETF for i in U.by_market(Market.ETF))
    assert sum(len(U.by_market(m)) for m in Market) == len(U)


def test_samsung_electronics() -> None:
    s = U["005930"]
    assert s.name == "삼성전자"
    assert s.isin == "KR7005930003"
    assert s.market is Market.KOSPI
    assert s.kind == "stock"
    assert s.base_price == 259_000
    assert s.listed_shares == 5_846_278_608
    assert s.close_date == date(2026, 7, 21)
    assert s.par_value == 100
    assert s.lot_size == 1
    assert s.large_cap
    assert not s.halted
    assert U.by_isin("KR7005930003") is s
    assert U.by_isin("KR0000000000") is None


def test_codes_stay_text() -> None:
    assert "000020" in U  # leading zeros kept
    assert U["0126Z0"].name == "삼성에피스홀딩스"  # letter code
    assert U["00088K"].kind == "preferred"
    assert all(len(code) == 6 for code in U)
    assert all(isinstance(i.base_price, int) and i.base_price > 0 for i in U.values())


def test_code_order() -> None:
    codes = list(U)
    assert codes == sorted(codes)
    assert [i.code for i in U.by_market(Market.KONEX)] == sorted(
        i.code for i in U.by_market(Market.KONEX)
    )


def test_konex_has_its_own_close_date() -> None:
    konex = U.by_market(Market.KONEX)
    assert {i.close_date for i in konex} == {date(2026, 3, 20)}
    assert all(i.lot_size == 1 and i.par_value == 0 for i in konex)


def test_suspended_issues_without_close() -> None:
    assert U["012510"].base_price == 500  # par value
    assert U["057050"].base_price == 5_000  # par value
    assert U["424460"].base_price == SUSPENDED_FALLBACK_PRICE  # ETF, no par value
    for code in ("012510", "057050", "424460"):
        assert U[code].halted
        assert U[code].close_date is None
    assert sum(i.halted for i in U.values()) == 118


def test_large_caps_are_the_top_kospi_stocks_by_market_cap() -> None:
    large = U.large_caps()
    assert len(large) == LARGE_CAP_COUNT
    assert all(i.market is Market.KOSPI and i.kind == "stock" for i in large)
    smallest = min(i.base_price * i.listed_shares for i in large)
    others = [i for i in U.by_market(Market.KOSPI) if i.kind == "stock" and not i.large_cap]
    assert all(i.base_price * i.listed_shares <= smallest for i in others)
    assert not U["005935"].large_cap  # Samsung preferred: not a common stock
    assert not any(i.large_cap for i in U.by_market(Market.KOSDAQ))


def test_immutable() -> None:
    with pytest.raises(TypeError):
        U["005930"] = U["000020"]  # type: ignore[index]
    assert load_universe() is load_universe()  # cached


def test_loading_is_quick() -> None:
    # Informational only: a fresh parse takes well under a second.
    load_universe.cache_clear()
    t = time.perf_counter()
    fresh = load_universe()
    elapsed = time.perf_counter() - t
    assert fresh == U
    print(f"universe parsed in {elapsed * 1000:.0f} ms")


MAIN = """code,isin,name,market,kind,close,close_date,listed_shares,volume,sector
000002,KR0000000002,Small,KOSPI,stock,1000,2026-07-21,100,5,x
000001,KR0000000001,Big,KOSPI,stock,50000,2026-07-21,100,7,x
000003,KR0000000003,Pref,KOSPI,preferred,90000,2026-07-21,100,0,x
000004,KR0000000004,Gone,KOSDAQ,stock,,,100,0,
"""
EXTRA = """code,par_value,lot_size,halted
000001,500,1,N
000002,100,10,Y
"""


def test_parse_universe_small() -> None:
    u = parse_universe(MAIN, EXTRA, large_cap_count=1)
    assert list(u) == ["000001", "000002", "000003", "000004"]
    assert u["000001"].large_cap
    assert not u["000002"].large_cap
    assert not u["000003"].large_cap  # preferred never counts
    assert u["000002"].halted and u["000002"].lot_size == 10 and u["000002"].par_value == 100
    gone = u["000004"]
    assert gone.halted and gone.base_price == SUSPENDED_FALLBACK_PRICE and gone.close_date is None
    assert gone.lot_size == 1 and gone.par_value == 0
    assert repr(u) == "Universe(4 instruments: KOSPI=3, KOSDAQ=1, KONEX=0, ETF=0, ETN=0)"


def test_parse_without_extra_file() -> None:
    u = parse_universe(MAIN, large_cap_count=0)
    assert not u.large_caps()
    assert not u["000002"].halted
    assert u["000004"].halted


def test_universe_from_mapping_and_duplicates() -> None:
    a = Instrument("A00001", "I1", "a", Market.ETF, "etf", 1_000, 1, 0, "")
    b = Instrument("A00000", "I2", "b", Market.ETF, "etf", 1_000, 1, 0, "")
    assert list(Universe({"x": a, "y": b})) == ["A00000", "A00001"]
    with pytest.raises(ValueError, match="duplicate"):
        Universe([a, a])
