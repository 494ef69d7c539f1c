"""시가총액비중 (ka10001 ``mac_wght``) in integer arithmetic equals the decimal definition."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from hoga.api.routes.stkinfo import _weight


def by_definition(cap: int, total: int) -> str:
    with localcontext() as c:
        c.prec = 80  # exact enough for any cap / total here
        value = Decimal(cap) * 100 / Decimal(total)
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


@given(st.integers(1, 10**18), st.integers(1, 10**18))
def test_weight_is_the_half_up_percentage(cap: int, extra: int) -> None:
    total = cap + extra  # an instrument's cap is part of its market's total
    assert _weight(cap, total) == by_definition(cap, total)


def test_edges() -> None:
    assert _weight(0, 100) == "0.00"
    assert _weight(5, 0) == "0.00"
    assert _weight(1, 1) == "100.00"
    assert _weight(1, 200) == "0.50"
    assert _weight(1, 20_000) == "0.01"  # 0.005 rounds half up
    assert _weight(1, 20_001) == "0.00"
