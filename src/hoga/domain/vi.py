"""Volatility interruption (변동성완화장치, VI) thresholds as dated rules.

KRX (global.krx.co.kr …/GLB0602010204T9.jsp, …/GLB0602020204T7.jsp):

- **Dynamic VI** compares a would-be trade with the *last execution price*. Rates by class and
  session: KOSPI200 constituents and similar (:attr:`ViClass.LARGE`) 3% continuous, 2% in the
  closing auction, 3% in the off-hours single-price session; everything else
  (:attr:`ViClass.OTHER`) 6% / 4% / 6%. On a derivatives-expiry day the closing-auction rate of the
  underlying stocks is 1% (``expiry_day=True``).
- **Static VI** compares with the price of the most recent single-price auction (the base price
  before the open): 10% for every class and session.
- When triggered: a 2-minute single-price auction (:data:`VI_AUCTION_US`), then a random end of up
  to 30 s (:data:`RANDOM_END_MAX_US`); during an auction, the auction is extended. No daily cap.
  Since 2021-10-18 VI does not apply on a new listing's first day.

**Boundary (our reading of "trigger price = reference ± reference × rate"):** the trigger price is
computed exactly (integer arithmetic on the rate's exact ratio, no rounding to ticks); a trade that
*reaches or passes* it
triggers. So a move of exactly 3% triggers: reference 10,000, 3% → a trade at 10,300 or above, or
at 9,700 or below, triggers; 10,290 and 9,710 do not. When the trigger price is fractional
(10,050 × 1.03 = 10,351.5) the first integer price at or beyond it triggers (10,352 up; 9,748
down from 9,748.5). Bands are returned as the inclusive range ``(low, high)`` of prices that do
**not** trigger.

Speed: :func:`rates` turns the rule for one board-day into :class:`ViRates`, whose
:meth:`ViRates.window` gives the open interval of prices that trigger nothing, so matching checks
each price level with two integer comparisons and calls :func:`check` only on a hit.

Invariants: integers and Decimal only; the rule in force is looked up by date (:data:`VI_RULES`,
oldest first); static VI takes precedence when one price trips both; ``rates(...).window(d, s)``
agrees with ``check(p, dynamic_reference=d, static_reference=s, ...)`` for every price.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

__all__ = [
    "RANDOM_END_MAX_US",
    "STATIC_RATE",
    "VI_AUCTION_US",
    "VI_RULES",
    "ViCheck",
    "ViClass",
    "ViRates",
    "ViRule",
    "ViSession",
    "check",
    "dynamic_band",
    "dynamic_rate",
    "rates",
    "static_band",
    "vi_rule",
]

#: Static VI rate (all classes and sessions) in the current rule.
STATIC_RATE = Decimal("0.10")
#: Length of the single-price auction a VI starts (2 minutes), before the random end.
VI_AUCTION_US = 120_000_000
#: The random end of a VI auction falls within this many microseconds after its scheduled end.
RANDOM_END_MAX_US = 30_000_000


class ViClass(enum.StrEnum):
    """Which dynamic-VI rate table an instrument follows."""

    LARGE = "large"  # KOSPI200 constituents (and KOSPI100/50, KRX100, inverse and bond ETFs)
    OTHER = "other"  # other KOSPI, all KOSDAQ, leveraged/sector/foreign-index ETFs, …


class ViSession(enum.StrEnum):
    """The trading session a would-be trade happens in."""

    CONTINUOUS = "continuous"  # 09:00–15:20
    CLOSING_AUCTION = "closing_auction"  # 15:20–15:30
    AFTER_SINGLE = "after_single"  # 16:00–18:00 off-hours single price


@dataclass(frozen=True, slots=True)
class ViRule:
    """The VI rates in force from ``since`` until the next rule.

    ``dynamic`` maps (class, session) to the dynamic rate; ``expiry_closing`` replaces the
    closing-auction rate on a derivatives-expiry day; ``listing_day_exempt`` says whether VI is
    off on a new listing's first trading day.
    """

    since: date
    static: Decimal
    dynamic: tuple[tuple[ViClass, ViSession, Decimal], ...]
    expiry_closing: Decimal
    listing_day_exempt: bool

    def dynamic_rate(self, vi_class: ViClass, session: ViSession, *, expiry_day: bool) -> Decimal:
        """The dynamic rate for ``vi_class`` in ``session``."""
        if expiry_day and session is ViSession.CLOSING_AUCTION:
            return self.expiry_closing
        return next(r for c, s, r in self.dynamic if c is vi_class and s is session)


_L, _O = ViClass.LARGE, ViClass.OTHER
_C, _A, _H = ViSession.CONTINUOUS, ViSession.CLOSING_AUCTION, ViSession.AFTER_SINGLE
_DYNAMIC_2014 = (
    (_L, _C, Decimal("0.03")),
    (_L, _A, Decimal("0.02")),
    (_L, _H, Decimal("0.03")),
    (_O, _C, Decimal("0.06")),
    (_O, _A, Decimal("0.04")),
    (_O, _H, Decimal("0.06")),
)

#: VI rules, oldest first. VI started on KRX on 2014-09-01; the listing-day exemption on
#: 2021-10-18. The 1% expiry-day closing rate is carried in both rows (its start date is not in
#: the sources reviewed).
VI_RULES: tuple[ViRule, ...] = (
    ViRule(date(2014, 9, 1), STATIC_RATE, _DYNAMIC_2014, Decimal("0.01"), False),
    ViRule(date(2021, 10, 18), STATIC_RATE, _DYNAMIC_2014, Decimal("0.01"), True),
)


def vi_rule(on: date | None = None) -> ViRule | None:
    """The rule in force on ``on`` (None = the newest rule); None before VI existed."""
    if on is None:
        return VI_RULES[-1]
    found: ViRule | None = None
    for rule in VI_RULES:
        if on >= rule.since:
            found = rule
    return found


def _rule(on: date | None) -> ViRule:
    rule = vi_rule(on)
    if rule is None:
        raise LookupError(f"no VI rule in force on {on}")
    return rule


_RATIOS: dict[Decimal, tuple[int, int]] = {}


def _ratio(rate: Decimal) -> tuple[int, int]:
    """``rate`` as an exact (numerator, denominator) pair of ints (memoised; rates are few)."""
    found = _RATIOS.get(rate)
    if found is None:
        found = _RATIOS[rate] = rate.as_integer_ratio()
    return found


def _triggers_int(reference: int, num: int, den: int) -> tuple[int, int]:
    """(down, up) for the rate ``num / den``, in exact integer arithmetic.

    ``up = ceil(ref + ref × rate) = ref + ceil(ref × rate)`` and ``down = floor(ref − ref × rate)
    = ref − ceil(ref × rate)``, so one ceiling division gives both.
    """
    amount = -(-reference * num // den)
    return reference - amount, reference + amount


def _triggers(reference: int, rate: Decimal) -> tuple[int, int]:
    """(down, up): the nearest integer prices that trigger, at or beyond ref ∓ ref × rate."""
    num, den = _ratio(rate)
    return _triggers_int(reference, num, den)


def _band(reference: int, rate: Decimal) -> tuple[int, int]:
    down, up = _triggers(reference, rate)
    return down + 1, up - 1


def dynamic_rate(
    vi_class: ViClass,
    session: ViSession,
    *,
    on: date | None = None,
    expiry_day: bool = False,
) -> Decimal:
    """The dynamic VI rate for the class and session under the rule in force on ``on``.

    Raises LookupError for a date before VI existed.
    """
    return _rule(on).dynamic_rate(vi_class, session, expiry_day=expiry_day)


def dynamic_band(
    reference: int,
    vi_class: ViClass,
    session: ViSession,
    *,
    on: date | None = None,
    expiry_day: bool = False,
) -> tuple[int, int]:
    """``(low, high)``: a trade price outside ``[low, high]`` triggers a dynamic VI.

    ``reference`` is the last execution price. Example: 10,000, LARGE, CONTINUOUS → (9,701,
    10,299). Raises LookupError for a date before VI existed.
    """
    return _band(reference, dynamic_rate(vi_class, session, on=on, expiry_day=expiry_day))


def static_band(reference: int, *, on: date | None = None) -> tuple[int, int]:
    """``(low, high)``: a trade price outside ``[low, high]`` triggers a static VI.

    ``reference`` is the price of the most recent single-price auction (the base price before
    the open). Example: 10,000 → (9,001, 10,999). Raises LookupError before VI existed.
    """
    return _band(reference, _rule(on).static)


@dataclass(frozen=True, slots=True)
class ViCheck:
    """A VI a trade would trigger.

    ``trigger_price`` is the price of the would-be trade (KRX's 발동가격); ``threshold`` is the
    nearest price that triggers on that side (``reference ± reference × rate``, rounded away from
    the reference to an integer); ``rate`` the rate applied.
    """

    static: bool
    reference: int
    trigger_price: int
    threshold: int
    rate: Decimal


def _hit(static: bool, reference: int, rate: Decimal, price: int) -> ViCheck | None:
    down, up = _triggers(reference, rate)
    if price >= up:
        return ViCheck(static, reference, price, up, rate)
    if price <= down:
        return ViCheck(static, reference, price, down, rate)
    return None


def check(
    price: int,
    *,
    dynamic_reference: int | None,
    static_reference: int | None,
    vi_class: ViClass,
    session: ViSession,
    on: date | None = None,
    expiry_day: bool = False,
    listing_day: bool = False,
) -> ViCheck | None:
    """Which VI a trade at ``price`` would trigger, or None.

    A None reference skips that check (no trade yet, or no auction price yet). Static takes
    precedence when both trip. ``listing_day`` exempts a new listing's first day where the rule
    says so; a date before VI existed never triggers.
    """
    rule = vi_rule(on)
    if rule is None or (listing_day and rule.listing_day_exempt):
        return None
    if static_reference is not None:
        hit = _hit(True, static_reference, rule.static, price)
        if hit is not None:
            return hit
    if dynamic_reference is None:
        return None
    rate = rule.dynamic_rate(vi_class, session, expiry_day=expiry_day)
    return _hit(False, dynamic_reference, rate, price)


#: Beyond any price: the window bound used when a check is skipped (prices are far below 2**61;
#: kept inside mypyc's unboxed integer range, so comparing a price with it stays cheap).
_FAR: Final = 1 << 61


@dataclass(frozen=True, slots=True)
class ViRates:
    """The VI rule for one (class, session, date) in integer form, for matching loops.

    ``static`` and ``dynamic`` are the rates as exact ``(numerator, denominator)`` pairs;
    ``active`` is False when :func:`check` would never trigger (before VI existed, or an exempt
    listing day). Build it with :func:`rates` once per board and day.
    """

    active: bool
    static: tuple[int, int]
    dynamic: tuple[int, int]

    def window(
        self, dynamic_reference: int | None, static_reference: int | None
    ) -> tuple[int, int]:
        """``(low, high)`` such that :func:`check` (same arguments) is None iff low < price < high.

        So a matching loop computes the window once per incoming order and then spends two
        integer comparisons per price level; it calls :func:`check` only for a price outside
        the window, to build the :class:`ViCheck`.
        """
        low, high = -_FAR, _FAR
        if not self.active:
            return low, high
        if static_reference is not None:
            num, den = self.static
            low, high = _triggers_int(static_reference, num, den)
        if dynamic_reference is not None:
            num, den = self.dynamic
            down, up = _triggers_int(dynamic_reference, num, den)
            low = down if down > low else low
            high = up if up < high else high
        return low, high


def rates(
    vi_class: ViClass,
    session: ViSession,
    *,
    on: date | None = None,
    expiry_day: bool = False,
    listing_day: bool = False,
) -> ViRates:
    """The :class:`ViRates` matching :func:`check` with the same keyword arguments."""
    rule = vi_rule(on)
    if rule is None or (listing_day and rule.listing_day_exempt):
        return ViRates(False, (0, 1), (0, 1))
    dynamic = rule.dynamic_rate(vi_class, session, expiry_day=expiry_day)
    return ViRates(True, _ratio(rule.static), _ratio(dynamic))
