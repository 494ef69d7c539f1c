"""The condition language: parsing, checking with positions, printing, evaluation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoga.domain.conditions import (
    MAX_DEPTH,
    MAX_LENGTH,
    Arith,
    Call,
    Compare,
    ConditionError,
    Expr,
    Field,
    Logic,
    Neg,
    Not,
    Num,
    Text,
    children,
    is_static,
    parse,
    split_static,
    to_text,
    uses_daily,
)
from hoga.domain.conditions_eval import DailyStats, Facts, daily_stats, evaluate


def ok(source: str) -> Expr:
    e = parse(source)
    assert not isinstance(e, ConditionError), e.render(source)
    return e


def err(source: str) -> ConditionError:
    e = parse(source)
    assert isinstance(e, ConditionError), f"{source!r} parsed"
    return e


FACTS = Facts(
    code="005930",
    name="삼성전자",
    market="KOSPI",
    sector="반도체 제조업",
    kind="stock",
    shares=1_000,
    price=110,
    base=100,
    open=101,
    high=115,
    low=99,
    volume=5_000,
    turnover=550_000,
    upper=130,
    lower=70,
)
QUIET = Facts(
    code="000020",
    name="동화약품",
    market="KOSDAQ",
    sector="의약품 제조업",
    kind="preferred",
    shares=10,
    price=100,
    base=100,
    open=None,
    high=None,
    low=None,
    volume=0,
    turnover=0,
    upper=130,
    lower=70,
)
TODAY = date(2026, 11, 26)
# 30 completed days: closes 1..30, volumes 10..300, highs close+5, lows close-5.
ROWS = [(TODAY - timedelta(days=31 - i), i + 5, i - 5, i, 10 * i) for i in range(1, 31)]
DAILY = daily_stats(ROWS, TODAY)


def run(source: str, facts: Facts = FACTS, daily: DailyStats | None = DAILY) -> bool | None:
    return evaluate(ok(source), facts, (lambda: daily) if daily is not None else None)


# ------------------------------------------------------------------ parsing and printing


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ('market == "KOSPI" and rate >= 3', 'market == "KOSPI" and rate >= 3'),
        ("PRICE > 1만", "price > 10000"),
        (
            "turnover > 100억 OR volume >= 1.5조",
            "turnover > 10000000000 or volume >= 1500000000000",
        ),
        ("price > 1e3", "price > 1000"),
        ("price >= .5", "price >= 0.5"),
        ("price = 3", "price == 3"),
        ("not not price < 3", "not not price < 3"),
        ("not (price < 3 or price > 5)", "not (price < 3 or price > 5)"),
        ("(price < 3 or price > 5) and volume > 1", "(price < 3 or price > 5) and volume > 1"),
        ("price < 3 or (price > 5 and volume > 1)", "price < 3 or price > 5 and volume > 1"),
        ("price - (1 - 2) > 0", "price - (1 - 2) > 0"),
        ("(price - 1) - 2 > 0", "price - 1 - 2 > 0"),
        ("price * (1 + 2) / 3 > - -1", "price * (1 + 2) / 3 > --1"),
        ("-(price + 1) < 0", "-(price + 1) < 0"),
        ("ma( 5 ) > ma(20)*1.05", "ma(5) > ma(20) * 1.05"),
        ("contains(sector, '반도체')", 'contains(sector, "반도체")'),
        ("name == 'a\"b'", "name == 'a\"b'"),
        ("abs(rate) <= 2.50", "abs(rate) <= 2.5"),
        ('sector != ""', 'sector != ""'),
    ],
)
def test_canonical_text(source: str, canonical: str) -> None:
    e = ok(source)
    assert to_text(e) == canonical
    assert ok(canonical) == e


def test_tree_shape_and_positions() -> None:
    e = ok("price > 1 and not volume < 2")
    assert e == Logic(
        "and",
        Compare(">", Field("price"), Num(Decimal(1))),
        Not(Compare("<", Field("volume"), Num(Decimal(2)))),
    )
    assert isinstance(e, Logic) and e.pos == 10
    assert isinstance(e.right, Not) and e.right.pos == 14


@pytest.mark.parametrize(
    ("source", "pos", "message"),
    [
        ("", 0, "the condition is empty"),
        ("   ", 0, "the condition is empty"),
        ("price >", 7, "expected a value, found the end"),
        ("price > 3 3", 10, "unexpected '3': expected and/or"),
        ("price > 'x' 'y'", 12, "unexpected text: expected and/or"),
        ("price > )", 8, "expected a value, found ')'"),
        ("price > and", 8, "expected a value, found 'and'"),
        ("price # 3", 6, "unexpected character '#'"),
        ("가격 > 3", 0, "unexpected character '가'"),
        ("name == 'abc", 8, "text is not closed"),
        ("(price > 3", 10, "expected ')' to close the '(' at column 1, found the end"),
        ("ma(5 3) > 3", 5, "expected ')' to close the '(' at column 1, found '3'"),
        ("1 < price < 3", 10, "comparisons cannot be chained"),
        ("price > 1e21", 8, "number too large"),
        ("price > 1000000000조", 8, "number too large"),
        ("pirce > 3", 0, "unknown field 'pirce'; did you mean 'price'?"),
        ("zzz > 3", 0, "unknown field 'zzz'"),
        ("ma > 3", 0, "'ma' is a function"),
        ("price(3) > 3", 0, "'price' is a field, not a function"),
        ("mma(3) > 3", 0, "unknown function 'mma'; did you mean 'ma'?"),
        ("qqq(3) > 3", 0, "unknown function 'qqq'"),
        ("ma() > 3", 0, "ma() takes 1 argument(s), got 0"),
        ("contains(sector) ", 0, "contains() takes 2 argument(s), got 1"),
        ("ma(0) > 3", 3, "ma() needs a whole number of days from 1 to 250"),
        ("vma(251) > 3", 4, "vma() needs a whole number of days"),
        ("ma(2.5) > 3", 3, "ma() needs a whole number of days"),
        ("ma(price) > 3", 3, "ma() needs a whole number of days"),
        ("abs(name) > 3", 4, "abs() needs a number here, not text"),
        ("contains(price, 'x')", 9, "contains() needs text here, not a number"),
        ("price + 1", 0, "a condition must be true/false, but this is a number"),
        ("name", 0, "a condition must be true/false, but this is text"),
        ("-name == 'a'", 1, "'-' needs a number here, not text"),
        ("price + name > 1", 8, "'+' needs a number here, not text"),
        ("name * 2 > 1", 0, "'*' needs a number here, not text"),
        ("price > 1 and volume", 14, "'and' needs true/false here, not a number"),
        ("volume or price > 1", 0, "'or' needs true/false here, not a number"),
        ("not price", 4, "'not' needs true/false here, not a number"),
        ("(price > 1) == (volume > 2)", 1, "'==' compares values, not true/false"),
        ("price == (volume > 2)", 10, "'==' compares values, not true/false"),
        ("price == 'x'", 6, "cannot compare a number with text"),
        ("name < 'x'", 5, "text can only be compared with == or !="),
        ("market == 'kospi'", 10, "market is one of KOSPI, KOSDAQ, KONEX, ETF, ETN"),
        ("'stocks' != kind", 0, "kind is one of etf, etn"),
        ("(" * (MAX_DEPTH + 1) + "price > 1" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, "nested"),
        ("-" * (MAX_DEPTH + 1) + "price > 1", MAX_DEPTH, "nested too deeply"),
        ("not " * (MAX_DEPTH + 1) + "price > 1", 4 * MAX_DEPTH, "nested too deeply"),
        ("price > 1 and " * 40 + "price > 1", MAX_LENGTH, "at most 500 characters"),
    ],
)
def test_errors_have_positions(source: str, pos: int, message: str) -> None:
    e = err(source)
    assert message in e.message
    assert e.pos == pos


def test_error_rendering_points_at_the_column() -> None:
    source = "price > 3 and pirce < 5"
    e = err(source)
    assert e.render(source).splitlines() == [
        "unknown field 'pirce'; did you mean 'price'? (column 15)",
        "  price > 3 and pirce < 5",
        "                ^",
    ]


def test_markets_and_kinds_accept_their_values() -> None:
    ok('market == "ETF" or kind == "preferred" or "spac" == kind')
    ok('market != "KONEX" and code == "005930" and name != "x"')  # other text is free


# ------------------------------------------------------------------ analysis


def test_daily_usage_and_static_parts() -> None:
    assert uses_daily(ok("ma(5) > 1")) and uses_daily(ok("vma(5) > 1"))
    assert uses_daily(ok("not prev_close > 1")) and uses_daily(ok("high52 > price"))
    assert not uses_daily(ok("price > 1 and abs(change) > 2 and market == 'KOSPI'"))
    assert is_static(ok("market == 'KOSPI' and contains(sector, '반') and shares > 1"))
    assert not is_static(ok("market == 'KOSPI' and price > 1"))
    assert not is_static(ok("abs(shares) > 1"))
    assert children(ok("price > 1")) == (Field("price"), Num(Decimal(1)))
    assert children(Field("price")) == ()


def test_split_static() -> None:
    e = ok("market == 'KOSPI' and price > 1 and kind == 'stock' and (volume > 2 or code == 'a')")
    static, live = split_static(e)
    assert static is not None and live is not None
    assert to_text(static) == 'market == "KOSPI" and kind == "stock"'
    assert to_text(live) == 'price > 1 and (volume > 2 or code == "a")'
    assert split_static(ok("price > 1")) == (None, ok("price > 1"))
    assert split_static(ok("kind == 'etf'")) == (ok("kind == 'etf'"), None)


# ------------------------------------------------------------------ evaluation


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('market == "KOSPI" and kind == "stock"', True),
        ('code == "005930" and name == "삼성전자"', True),
        ("contains(sector, '반도체')", True),
        ("contains(sector, '의약')", False),
        ("price == 110 and base == 100 and change == 10 and rate == 10", True),
        ("open == 101 and high == 115 and low == 99", True),
        ("volume == 5000 and turnover == 550000 and upper == 130 and lower == 70", True),
        ("shares == 1000 and market_cap == 110000", True),
        ("market_cap >= 11만", True),
        ("prev_close == 30", True),
        ("high52 == 115 and low52 == -4", True),  # today's high beats the past; past low wins
        ("ma(1) == 110", True),
        ("ma(2) == (30 + 110) / 2", True),
        ("ma(5) == (27 + 28 + 29 + 30 + 110) / 5", True),
        ("ma(31) == (465 + 110) / 31", True),
        ("ma(32) > 0", None),  # needs 31 earlier closes
        ("vma(3) == 290", True),
        ("vma(30) == 155", True),
        ("vma(31) > 0", None),
        ("price - 10 == base", True),
        ("price * 2 == 220 and price / 4 == 27.5", True),
        ("price / 0 > 1", None),
        ("-price == -110 and abs(-price) == 110 and abs(change) == 10", True),
        ("price > 100 and price < 200", True),
        ("price >= 110 and price <= 110", True),
        ("price != 110", False),
        ("price < 100", False),
        ("price <= 109", False),
        ("price > 110", False),
        ("price >= 111", False),
        ("price > 200 or price < 100", False),
        ("price > 200 or volume > 1", True),
        ("price < 200 or ma(40) > 1", True),  # decided before the unknown side
        ("price > 200 and ma(40) > 1", False),
        ("ma(40) > 1 and price > 200", False),  # false decides an 'and' either way
        ("ma(40) > 1 or price < 200", True),
        ("ma(40) > 1 and price < 200", None),
        ("ma(40) > 1 or price > 200", None),
        ("not ma(40) > 1", None),
        ("not price > 200", True),
        ("-ma(40) < 0", None),
        ("abs(ma(40)) > 0", None),
        ("ma(40) + 1 > 0", None),
    ],
)
def test_evaluation_golden(source: str, expected: bool | None) -> None:
    assert run(source) is expected


def test_unknowns_before_the_first_trade() -> None:
    assert run("open > 0", QUIET) is None
    assert run("high52 == 35 and low52 == -4", QUIET) is True  # only the past counts
    assert run("rate == 0 and change == 0", QUIET) is True
    zero = Facts(**{**{f: getattr(QUIET, f) for f in QUIET.__slots__}, "base": 0})
    assert run("rate > 0", zero) is None


def test_no_daily_data_means_unknown_daily_figures() -> None:
    assert run("prev_close > 0", FACTS, None) is None
    assert run("ma(1) == 110", FACTS, None) is True  # ma(1) is today's price alone
    assert run("ma(2) > 0", FACTS, None) is None
    assert run("high52 == 115 and low52 == 99", FACTS, None) is True
    assert run("high52 > 0", QUIET, None) is None
    empty = daily_stats([], TODAY)
    assert empty.prev_close is None and empty.closes == (0,)


def test_daily_loader_runs_once_and_only_when_needed() -> None:
    calls: list[int] = []

    def load() -> DailyStats:
        calls.append(1)
        return DAILY

    assert evaluate(ok("price > 200 and ma(5) > 1"), FACTS, load) is False
    assert calls == []
    assert evaluate(ok("ma(5) > 1 and prev_close > 1 and vma(2) > 1"), FACTS, load) is True
    assert calls == [1]


def test_daily_stats_window() -> None:
    rows = [(TODAY - timedelta(days=400), 999, 1, 5, 7), *ROWS, (TODAY, 10**6, 0, 0, 0)]
    s = daily_stats(rows, TODAY)
    assert s.high52 == 35 and s.low52 == -4  # the 400-day-old row is outside 52 weeks
    assert s.prev_close == 30  # today's row is ignored
    assert len(s.closes) == 32
    long = [(TODAY - timedelta(days=300 - i), 1, 1, 1, 1) for i in range(300)]
    assert len(daily_stats(long, TODAY).closes) == 251  # the last 250 days


def test_arithmetic_ignores_the_callers_context() -> None:
    with localcontext() as c:
        c.prec = 2
        assert run("price * 1000 + 1 == 110001") is True
        assert run("-(price * 1000 + 1) == -110001") is True
        assert run("abs(-(price * 1000 + 1)) == 110001") is True
        assert run("price > 0.000000001만") is True


# ------------------------------------------------------------------ properties

_NUM_FIELDS = st.sampled_from(["price", "volume", "rate", "high52", "market_cap", "open"])
_TEXT_FIELDS = st.sampled_from(["name", "sector", "code"])
_DECIMALS = st.decimals(min_value=0, max_value=10**12, allow_nan=False, places=3)
_TEXTS = st.text(alphabet="ab '\"반도체", max_size=5).filter(lambda s: not ('"' in s and "'" in s))


def _numbers() -> st.SearchStrategy[Expr]:
    leaves = st.one_of(
        _DECIMALS.map(Num),
        _NUM_FIELDS.map(Field),
        st.integers(1, 250).map(lambda n: Call("ma", (Num(Decimal(n)),))),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(Neg, inner),
            st.builds(lambda x: Call("abs", (x,)), inner),
            st.builds(Arith, st.sampled_from("+-*/"), inner, inner),
        ),
        max_leaves=5,
    )


def _conditions() -> st.SearchStrategy[Expr]:
    num_cmp = st.builds(
        Compare, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), _numbers(), _numbers()
    )
    text_cmp = st.builds(
        Compare, st.sampled_from(["==", "!="]), _TEXT_FIELDS.map(Field), _TEXTS.map(Text)
    )
    has = st.builds(lambda f, t: Call("contains", (Field(f), Text(t))), _TEXT_FIELDS, _TEXTS)
    return st.recursive(
        st.one_of(num_cmp, text_cmp, has),
        lambda inner: st.one_of(
            st.builds(Not, inner), st.builds(Logic, st.sampled_from(["and", "or"]), inner, inner)
        ),
        max_leaves=6,
    )


@settings(max_examples=300, deadline=None)
@given(_conditions())
def test_print_then_parse_round_trips(e: Expr) -> None:
    text = to_text(e)
    if len(text) > MAX_LENGTH:
        return
    again = parse(text)
    assert again == e, text
    assert not isinstance(again, ConditionError)
    assert to_text(again) == text
    assert evaluate(again, FACTS, lambda: DAILY) is evaluate(e, FACTS, lambda: DAILY)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="pricevolumaktndo ()<>=!-+*/.'\"0123456789억,#", max_size=40))
def test_parse_never_raises(source: str) -> None:
    e = parse(source)
    if isinstance(e, ConditionError):
        assert 0 <= e.pos <= len(source)
    else:
        assert parse(to_text(e)) == e
