"""Evaluating condition formulas (:mod:`hoga.domain.conditions`) over one instrument.

:class:`Facts` are the live figures of an instrument (from its board); :class:`DailyStats` are
what the daily bars before the trading day contribute (prefix sums of closes and volumes for
``ma``/``vma``, the previous close, the 52-week extremes), built once per instrument and day by
:func:`daily_stats` and handed to :func:`evaluate` through a loader that runs only when a daily
figure is actually needed.

Invariants:

- Arithmetic runs in a fixed 34-digit decimal context: results never depend on the caller's
  context. No floats.
- Three-valued: an unknown figure (``open`` before the first trade, ``ma(20)`` without 19
  earlier closes, ``rate`` with a zero base, a division by zero) makes what uses it unknown
  (None); ``and``/``or``/``not`` follow Kleene logic (false decides an ``and``, true an ``or``,
  and the right side is not evaluated once the left decides). An instrument matches a condition
  only when it evaluates to True.
- ``ma(n)`` = (the last n−1 closes before today + today's price) / n; ``vma(n)`` = the mean
  volume of the n days before today; ``high52``/``low52`` include today's high/low.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Context, Decimal

from hoga.domain.conditions import (
    MAX_PERIOD,
    PERIOD_FUNCTIONS,
    Arith,
    Call,
    Expr,
    Field,
    Logic,
    Neg,
    Not,
    Num,
    Text,
)

__all__ = ["DailyStats", "DayRow", "Facts", "daily_stats", "evaluate"]

_CTX = Context(prec=34)
_WEEKS52 = timedelta(weeks=52)
_TEXT_FIELDS = frozenset({"code", "name", "market", "sector", "kind"})


@dataclass(frozen=True, slots=True)
class Facts:
    """The live figures of one instrument (``open``/``high``/``low`` None before a trade)."""

    code: str
    name: str
    market: str
    sector: str
    kind: str
    shares: int
    price: int
    base: int
    open: int | None
    high: int | None
    low: int | None
    volume: int
    turnover: int
    upper: int
    lower: int


#: One completed trading day: (day, high, low, close, volume).
DayRow = tuple[date, int, int, int, int]


@dataclass(frozen=True, slots=True)
class DailyStats:
    """What the daily bars before one day contribute (prefix sums of the last
    :data:`MAX_PERIOD` closes and volumes, the previous close, the 52-week extremes)."""

    closes: tuple[int, ...]
    volumes: tuple[int, ...]
    prev_close: int | None
    high52: int | None
    low52: int | None


def daily_stats(rows: Sequence[DayRow], today: date) -> DailyStats:
    """The :class:`DailyStats` serving ``today`` from completed days (oldest first); rows on or
    after ``today`` are ignored."""
    past = [r for r in rows if r[0] < today]
    recent = past[-MAX_PERIOD:]
    closes, volumes = [0], [0]
    for r in recent:
        closes.append(closes[-1] + r[3])
        volumes.append(volumes[-1] + r[4])
    year = [r for r in past if r[0] >= today - _WEEKS52]
    return DailyStats(
        closes=tuple(closes),
        volumes=tuple(volumes),
        prev_close=past[-1][3] if past else None,
        high52=max((r[1] for r in year), default=None),
        low52=min((r[2] for r in year), default=None),
    )


_EMPTY = daily_stats((), date.min)

Value = Decimal | str | bool | None


class _Env:
    __slots__ = ("daily", "facts", "load")

    def __init__(self, facts: Facts, load: Callable[[], DailyStats] | None) -> None:
        self.facts = facts
        self.load = load
        self.daily: DailyStats | None = None

    def stats(self) -> DailyStats:
        if self.daily is None:
            self.daily = self.load() if self.load is not None else _EMPTY
        return self.daily


def _opt(n: int | None) -> Decimal | None:
    return None if n is None else Decimal(n)


def _extreme(pick: Callable[[int, int], int], past: int | None, today: int | None) -> int | None:
    if past is None or today is None:
        return past if today is None else today
    return pick(past, today)


def _field(name: str, env: _Env) -> Value:
    f = env.facts
    if name in _TEXT_FIELDS:
        text: str = getattr(f, name)
        return text
    if name == "change":
        return Decimal(f.price - f.base)
    if name == "rate":
        return _CTX.divide(Decimal((f.price - f.base) * 100), Decimal(f.base)) if f.base else None
    if name == "market_cap":
        return Decimal(f.price * f.shares)
    if name == "prev_close":
        return _opt(env.stats().prev_close)
    if name == "high52":
        return _opt(_extreme(max, env.stats().high52, f.high))
    if name == "low52":
        return _opt(_extreme(min, env.stats().low52, f.low))
    value: int | None = getattr(f, name)
    return _opt(value)


def _call(e: Call, env: _Env) -> Value:
    if e.name in PERIOD_FUNCTIONS:
        n = int(_num_arg(e.args[0]))
        s = env.stats()
        if e.name == "ma":
            sums, k = s.closes, n - 1
            if k >= len(sums):
                return None
            total = sums[-1] - sums[-1 - k] + env.facts.price
        else:
            sums, k = s.volumes, n
            if k >= len(sums):
                return None
            total = sums[-1] - sums[-1 - k]
        return _CTX.divide(Decimal(total), Decimal(n))
    args = [_eval(a, env) for a in e.args]
    if any(a is None for a in args):
        return None
    if e.name == "abs":
        return _CTX.abs(_dec(args[0]))
    return str(args[1]) in str(args[0])


def _num_arg(e: Expr) -> Decimal:
    assert isinstance(e, Num)
    return e.value


def _dec(v: Value) -> Decimal:
    assert isinstance(v, Decimal)
    return v


def _arith(op: str, a: Decimal, b: Decimal) -> Decimal | None:
    if op == "+":
        return _CTX.add(a, b)
    if op == "-":
        return _CTX.subtract(a, b)
    if op == "*":
        return _CTX.multiply(a, b)
    return _CTX.divide(a, b) if b else None


def _compare(op: str, a: Decimal | str, b: Decimal | str) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    x, y = _dec(a), _dec(b)  # text compares only with == / != (checked)
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def _eval(e: Expr, env: _Env) -> Value:
    if isinstance(e, Num | Text):
        return e.value
    if isinstance(e, Field):
        return _field(e.name, env)
    if isinstance(e, Call):
        return _call(e, env)
    if isinstance(e, Logic):
        return _logic(e, env)
    if isinstance(e, Not):
        v = _eval(e.operand, env)
        return None if v is None else not v
    if isinstance(e, Neg):
        v = _eval(e.operand, env)
        return None if v is None else _CTX.minus(_dec(v))
    a = _eval(e.left, env)
    b = _eval(e.right, env)
    if a is None or b is None:
        return None
    if isinstance(e, Arith):
        return _arith(e.op, _dec(a), _dec(b))
    assert not isinstance(a, bool) and not isinstance(b, bool)
    return _compare(e.op, a, b)


def _logic(e: Logic, env: _Env) -> Value:
    decisive = e.op == "or"  # true decides an 'or', false decides an 'and'
    a = _eval(e.left, env)
    if a is decisive:
        return decisive
    b = _eval(e.right, env)
    if b is decisive:
        return decisive
    return None if a is None or b is None else not decisive


def evaluate(e: Expr, facts: Facts, daily: Callable[[], DailyStats] | None = None) -> bool | None:
    """The value of the checked condition ``e`` for ``facts``: True, False or None (unknown).

    ``daily`` is called at most once, and only if a daily figure is actually needed (an
    ``and`` that is already false does not look further); without it daily figures are
    unknown."""
    v = _eval(e, _Env(facts, daily))
    assert v is None or isinstance(v, bool)
    return v
