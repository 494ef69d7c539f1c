"""ViRates.window agrees with vi.check everywhere (the matching loop relies on it)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import given
from hypothesis import strategies as st

from hoga.domain import vi
from hoga.domain.vi import ViClass, ViSession

prices = st.integers(min_value=1, max_value=5_000_000)
refs = st.none() | prices
days = st.sampled_from([date(2014, 8, 29), date(2014, 9, 1), date(2021, 10, 18), date(2026, 7, 22)])


@given(
    price=prices,
    dynamic=refs,
    static=refs,
    vi_class=st.sampled_from(ViClass),
    session=st.sampled_from(ViSession),
    on=days | st.none(),
    expiry_day=st.booleans(),
    listing_day=st.booleans(),
)
def test_window_is_exactly_where_check_finds_nothing(
    price: int,
    dynamic: int | None,
    static: int | None,
    vi_class: ViClass,
    session: ViSession,
    on: date | None,
    expiry_day: bool,
    listing_day: bool,
) -> None:
    rates = vi.rates(vi_class, session, on=on, expiry_day=expiry_day, listing_day=listing_day)
    low, high = rates.window(dynamic, static)

    def quiet(p: int) -> bool:
        hit = vi.check(
            p,
            dynamic_reference=dynamic,
            static_reference=static,
            vi_class=vi_class,
            session=session,
            on=on,
            expiry_day=expiry_day,
            listing_day=listing_day,
        )
        return hit is None

    assert quiet(price) == (low < price < high)
    for edge in (low, low + 1, high - 1, high):
        if 0 < edge < vi._FAR:  # the "no bound" sentinel is beyond any price
            assert quiet(edge) == (low < edge < high)


@given(reference=prices, rate=st.sampled_from(["0.01", "0.02", "0.03", "0.04", "0.06", "0.10"]))
def test_integer_bands_match_decimal_rounding(reference: int, rate: str) -> None:
    amount = Decimal(reference) * Decimal(rate)
    up = int((reference + amount).to_integral_value(rounding=ROUND_CEILING))
    down = int((reference - amount).to_integral_value(rounding=ROUND_FLOOR))
    band = vi._band(reference, Decimal(rate))
    assert band == (down + 1, up - 1)


def test_rates_before_vi_existed_and_on_an_exempt_listing_day_never_trigger() -> None:
    far = vi._FAR  # beyond any price (2**61)
    assert far >= 1 << 61
    assert vi.rates(ViClass.LARGE, ViSession.CONTINUOUS, on=date(2014, 8, 31)).window(
        10_000, 10_000
    ) == (-far, far)
    exempt = vi.rates(ViClass.LARGE, ViSession.CONTINUOUS, on=date(2026, 7, 22), listing_day=True)
    assert not exempt.active
    assert vi.rates(ViClass.LARGE, ViSession.CONTINUOUS, listing_day=True).window(1, 1) == (
        -far,
        far,
    )
    live = vi.rates(ViClass.LARGE, ViSession.CONTINUOUS, on=date(2026, 7, 22))
    assert live.window(None, None) == (-far, far)
    assert live.window(10_000, None) == (9_700, 10_300)
    assert live.window(None, 10_000) == (9_000, 11_000)
    assert live.window(10_000, 9_500) == (9_700, 10_300)
    assert live.window(10_000, 10_500) == (9_700, 10_300)
    assert live.window(10_000, 9_300) == (9_700, 10_230)
