"""Volatility interruption thresholds: golden numbers, boundaries, dated rules, properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.vi import (
    RANDOM_END_MAX_US,
    STATIC_RATE,
    VI_AUCTION_US,
    VI_RULES,
    ViCheck,
    ViClass,
    ViSession,
    check,
    dynamic_band,
    dynamic_rate,
    static_band,
    vi_rule,
)

L, OTH = ViClass.LARGE, ViClass.OTHER
CONT, CLOSE, AFTER = ViSession.CONTINUOUS, ViSession.CLOSING_AUCTION, ViSession.AFTER_SINGLE
TODAY = date(2026, 3, 3)


def test_constants() -> None:
    assert Decimal("0.10") == STATIC_RATE
    assert VI_AUCTION_US == 2 * 60 * 1_000_000
    assert RANDOM_END_MAX_US == 30 * 1_000_000


@pytest.mark.parametrize(
    ("vi_class", "session", "rate"),
    [
        (L, CONT, "0.03"),
        (L, CLOSE, "0.02"),
        (L, AFTER, "0.03"),
        (OTH, CONT, "0.06"),
        (OTH, CLOSE, "0.04"),
        (OTH, AFTER, "0.06"),
    ],
)
def test_dynamic_rate_table(vi_class: ViClass, session: ViSession, rate: str) -> None:
    assert dynamic_rate(vi_class, session, on=TODAY) == Decimal(rate)
    assert dynamic_rate(vi_class, session) == Decimal(rate)  # newest rule


def test_expiry_day_closing_auction_is_one_percent_for_both_classes() -> None:
    for vi_class in (L, OTH):
        assert dynamic_rate(vi_class, CLOSE, expiry_day=True) == Decimal("0.01")
        # the flag changes only the closing auction
        assert dynamic_rate(vi_class, CONT, expiry_day=True) == dynamic_rate(vi_class, CONT)
    assert dynamic_band(10_000, L, CLOSE, expiry_day=True) == (9_901, 10_099)


@pytest.mark.parametrize(
    ("reference", "vi_class", "session", "band"),
    [
        (10_000, L, CONT, (9_701, 10_299)),  # triggers at >= 10,300 or <= 9,700
        (10_000, L, CLOSE, (9_801, 10_199)),
        (10_000, L, AFTER, (9_701, 10_299)),
        (10_000, OTH, CONT, (9_401, 10_599)),
        (10_000, OTH, CLOSE, (9_601, 10_399)),
        (50_000, OTH, CONT, (47_001, 52_999)),
        (10_050, L, CONT, (9_749, 10_351)),  # trigger prices 10,351.5 and 9,748.5
    ],
)
def test_dynamic_band_golden(
    reference: int, vi_class: ViClass, session: ViSession, band: tuple[int, int]
) -> None:
    assert dynamic_band(reference, vi_class, session) == band


def test_static_band_golden() -> None:
    assert static_band(10_000) == (9_001, 10_999)
    assert static_band(10_050, on=TODAY) == (9_046, 11_054)  # 1,005 exactly: ±10% triggers


def test_exact_three_percent_triggers_one_tick_less_does_not() -> None:
    kw = {"static_reference": None, "vi_class": L, "session": CONT}
    assert check(10_300, dynamic_reference=10_000, **kw) == ViCheck(
        False, 10_000, 10_300, 10_300, Decimal("0.03")
    )
    assert check(9_700, dynamic_reference=10_000, **kw) == ViCheck(
        False, 10_000, 9_700, 9_700, Decimal("0.03")
    )
    assert check(10_290, dynamic_reference=10_000, **kw) is None
    assert check(9_710, dynamic_reference=10_000, **kw) is None
    # beyond the trigger price: trigger_price is the trade, threshold the rule's edge
    hit = check(10_500, dynamic_reference=10_000, **kw)
    assert hit is not None
    assert (hit.trigger_price, hit.threshold) == (10_500, 10_300)


def test_fractional_trigger_price_rounds_away_from_reference() -> None:
    kw = {"static_reference": None, "vi_class": L, "session": CONT}
    assert check(10_350, dynamic_reference=10_050, **kw) is None  # below 10,351.5
    hit = check(10_360, dynamic_reference=10_050, **kw)
    assert hit is not None
    assert hit.threshold == 10_352
    assert check(9_750, dynamic_reference=10_050, **kw) is None  # above 9,748.5
    low = check(9_740, dynamic_reference=10_050, **kw)
    assert low is not None
    assert low.threshold == 9_748


def test_static_takes_precedence_over_dynamic() -> None:
    hit = check(11_000, dynamic_reference=10_800, static_reference=10_000, vi_class=L, session=CONT)
    assert hit == ViCheck(True, 10_000, 11_000, 11_000, Decimal("0.10"))
    # only the dynamic one trips
    hit = check(10_300, dynamic_reference=10_000, static_reference=10_000, vi_class=L, session=CONT)
    assert hit is not None
    assert not hit.static
    # downward static
    hit = check(8_990, dynamic_reference=None, static_reference=10_000, vi_class=OTH, session=CONT)
    assert hit == ViCheck(True, 10_000, 8_990, 9_000, Decimal("0.10"))


def test_missing_references_skip_checks() -> None:
    assert (
        check(99_999, dynamic_reference=None, static_reference=None, vi_class=L, session=CONT)
        is None
    )
    assert (
        check(10_100, dynamic_reference=None, static_reference=10_000, vi_class=L, session=CONT)
        is None
    )


def test_session_matters_for_the_same_move() -> None:
    """A 2.5% move trips LARGE in the closing auction (2%) but not in continuous trading (3%)."""
    kw = {"dynamic_reference": 10_000, "static_reference": None, "vi_class": L}
    assert check(10_250, session=CONT, **kw) is None
    hit = check(10_250, session=CLOSE, **kw)
    assert hit is not None
    assert hit.rate == Decimal("0.02")
    assert check(10_090, session=CLOSE, expiry_day=True, **kw) is None
    assert check(10_100, session=CLOSE, expiry_day=True, **kw) is not None


def test_rules_are_dated() -> None:
    assert vi_rule(date(2014, 8, 29)) is None
    first = vi_rule(date(2014, 9, 1))
    assert first is VI_RULES[0]
    assert not first.listing_day_exempt
    later = vi_rule(date(2021, 10, 18))
    assert later is VI_RULES[1]
    assert later.listing_day_exempt
    assert vi_rule() is VI_RULES[-1]
    assert [r.since for r in VI_RULES] == sorted(r.since for r in VI_RULES)


def test_before_vi_existed() -> None:
    old = date(2010, 1, 4)
    with pytest.raises(LookupError):
        dynamic_band(10_000, L, CONT, on=old)
    with pytest.raises(LookupError):
        static_band(10_000, on=old)
    assert (
        check(
            20_000,
            dynamic_reference=10_000,
            static_reference=10_000,
            vi_class=L,
            session=CONT,
            on=old,
        )
        is None
    )


def test_listing_day_exemption_since_2021_10_18() -> None:
    kw = {"dynamic_reference": 10_000, "static_reference": 10_000, "vi_class": L, "session": CONT}
    assert check(12_000, listing_day=True, on=date(2021, 10, 18), **kw) is None
    assert check(12_000, listing_day=True, on=date(2021, 10, 15), **kw) is not None
    assert check(12_000, listing_day=False, on=date(2021, 10, 18), **kw) is not None


@given(
    st.integers(1, 3_000_000),
    st.sampled_from(list(ViClass)),
    st.sampled_from(list(ViSession)),
    st.booleans(),
    st.integers(-400_000, 400_000),
)
def test_band_agrees_with_check_and_exact_arithmetic(
    reference: int, vi_class: ViClass, session: ViSession, expiry: bool, move: int
) -> None:
    price = max(1, reference + move)
    low, high = dynamic_band(reference, vi_class, session, expiry_day=expiry)
    rate = dynamic_rate(vi_class, session, expiry_day=expiry)
    hit = check(
        price,
        dynamic_reference=reference,
        static_reference=None,
        vi_class=vi_class,
        session=session,
        expiry_day=expiry,
    )
    assert (hit is None) == (low <= price <= high)
    # exact definition: |price - reference| >= reference * rate  <=>  triggers
    assert (abs(Decimal(price - reference)) >= Decimal(reference) * rate) == (hit is not None)
    if hit is not None:
        assert not hit.static
        assert hit.trigger_price == price
        assert hit.threshold in (low - 1, high + 1)
