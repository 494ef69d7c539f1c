"""Condition formulas (조건검색식): a small expression language over one instrument's figures.

A condition is a true/false expression a customer stores and the condition search (ka10171–
ka10174) runs against every instrument. Example::

    market == "KOSPI" and rate >= 3 and turnover > 100억 and ma(5) > ma(20)

Grammar (keywords and names are case-insensitive; whitespace is free)::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | compare
    compare    := sum (("<" | "<=" | ">" | ">=" | "==" | "=" | "!=") sum)?   -- no chains
    sum        := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-" unary | atom
    atom       := number | text | name | name "(" args ")" | "(" condition ")"
    number     := digits ["." digits] [("e" | "E") ["+" | "-"] digits] ["만" | "억" | "조"]
    text       := '"' chars '"' | "'" chars "'"                       -- no escapes

Fields (numbers are won, shares or percent; ``today`` = the board's trading day):

- ``price`` 현재가 (the last trade today, else the base price), ``base`` 기준가, ``change``
  전일대비 (price − base), ``rate`` 등락률 in percent, ``open`` / ``high`` / ``low`` (today's;
  unknown before the first trade), ``volume`` 거래량, ``turnover`` 거래대금 (won), ``upper`` /
  ``lower`` 상한가/하한가, ``shares`` 상장주식수, ``market_cap`` 시가총액 (price × shares).
- From daily bars before today: ``prev_close`` 전일종가, ``high52`` / ``low52`` (the highest
  high / lowest low of the 52 weeks before today and today so far).
- Text: ``code``, ``name``, ``market`` (one of :data:`MARKETS`), ``sector``, ``kind`` (one of
  :data:`KINDS`).

Functions: ``ma(n)`` the n-day moving average of closes, today's price standing in for today's
close (1 ≤ n ≤ :data:`MAX_PERIOD`); ``vma(n)`` the average volume of the n days before today;
``abs(x)``; ``contains(text, part)`` (true/false).

Semantics and invariants:

- Numbers are ``Decimal`` (no floats); literals above 10**20 are refused.
- Types are checked before anything runs: arithmetic and ``<``/``>`` need numbers, text
  compares only with ``==``/``!=``, ``and``/``or``/``not`` need true/false, and the whole
  condition must be true/false. Comparing ``market`` or ``kind`` with a literal that can never
  match is an error.
- Evaluation (three-valued, over one instrument's figures) lives in
  :mod:`hoga.domain.conditions_eval`.
- Errors are values (:class:`ConditionError`: a 0-based character position and a message),
  never exceptions; :func:`parse` never raises on any input string.
- :func:`to_text` prints the canonical form: ``parse(to_text(e)) == e`` for every checked
  expression (positions do not take part in equality).
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal
from types import MappingProxyType

from hoga.domain.model import Market

__all__ = [
    "DAILY_FIELDS",
    "FIELDS",
    "FUNCTIONS",
    "KINDS",
    "MARKETS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_PERIOD",
    "PERIOD_FUNCTIONS",
    "Arith",
    "Call",
    "Compare",
    "ConditionError",
    "Expr",
    "Field",
    "Logic",
    "Neg",
    "Not",
    "Num",
    "Text",
    "Type",
    "children",
    "is_static",
    "parse",
    "split_static",
    "to_text",
    "uses_daily",
]

MAX_LENGTH = 500
MAX_DEPTH = 32
MAX_PERIOD = 250
_MAX_LITERAL = Decimal(10) ** 20
_UNITS = {"만": Decimal(10) ** 4, "억": Decimal(10) ** 8, "조": Decimal(10) ** 12}
_CTX = Context(prec=34)
MARKETS: tuple[str, ...] = tuple(m.value for m in Market)
#: The ``kind`` values of the instrument universe (``hoga/data``).
KINDS: tuple[str, ...] = ("etf", "etn", "other", "preferred", "reit", "spac", "stock")


class Type(enum.StrEnum):
    NUMBER = "a number"
    TEXT = "text"
    BOOL = "true/false"


# ------------------------------------------------------------------ the syntax tree


@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Text:
    value: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # + - * /
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # < <= > >= == !=
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # and / or
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    pos: int = field(default=0, compare=False)


Expr = Num | Text | Field | Call | Neg | Arith | Compare | Logic | Not


@dataclass(frozen=True, slots=True)
class ConditionError:
    """Why a condition was refused: ``pos`` is the 0-based character offset in the source."""

    pos: int
    message: str

    def render(self, source: str) -> str:
        """``message (column n)`` and the source line with a caret under the position."""
        return f"{self.message} (column {self.pos + 1})\n  {source}\n  {' ' * self.pos}^"


# ------------------------------------------------------------------ names

#: Field name → type.
_NUMBER_FIELDS = (
    ("price", "base", "change", "rate", "open", "high", "low", "volume", "turnover", "upper"),
    ("lower", "shares", "market_cap", "prev_close", "high52", "low52"),
)
FIELDS: Mapping[str, Type] = MappingProxyType(
    dict.fromkeys(_NUMBER_FIELDS[0] + _NUMBER_FIELDS[1], Type.NUMBER)
    | dict.fromkeys(("code", "name", "market", "sector", "kind"), Type.TEXT)
)
#: Function name → (argument types, result type); ``ma``/``vma`` take an integer literal.
FUNCTIONS: Mapping[str, tuple[tuple[Type, ...], Type]] = MappingProxyType(
    {
        "ma": ((Type.NUMBER,), Type.NUMBER),
        "vma": ((Type.NUMBER,), Type.NUMBER),
        "abs": ((Type.NUMBER,), Type.NUMBER),
        "contains": ((Type.TEXT, Type.TEXT), Type.BOOL),
    }
)
PERIOD_FUNCTIONS = frozenset({"ma", "vma"})
DAILY_FIELDS = frozenset({"prev_close", "high52", "low52"})
_STATIC_FIELDS = frozenset({"code", "name", "market", "sector", "kind", "shares"})
_CHOICES = {"market": MARKETS, "kind": KINDS}
_KEYWORDS = frozenset({"and", "or", "not"})
_CMP = frozenset({"<", "<=", ">", ">=", "==", "=", "!="})

# ------------------------------------------------------------------ lexing

_TOKEN = re.compile(
    r"(?P<num>(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[만억조]?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><=|>=|==|!=|[<>=+\-*/(),])"
)
_SPACE = frozenset(" \t\r\n")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # num, str, name, op, end
    text: str
    pos: int


class _Fail(Exception):
    def __init__(self, pos: int, message: str) -> None:
        self.error = ConditionError(pos, message)


def _lex(source: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in _SPACE:
            i += 1
            continue
        if ch in "\"'":
            end = source.find(ch, i + 1)
            if end < 0:
                raise _Fail(i, "text is not closed: add the closing quote")
            out.append(_Tok("str", source[i + 1 : end], i))
            i = end + 1
            continue
        m = _TOKEN.match(source, i)
        if m is None:
            raise _Fail(i, f"unexpected character {ch!r}")
        kind = m.lastgroup
        assert kind is not None
        out.append(_Tok(kind, m.group(), i))
        i = m.end()
    out.append(_Tok("end", "", n))
    return out


def _describe(tok: _Tok) -> str:
    if tok.kind == "end":
        return "the end"
    if tok.kind == "str":
        return "text"
    return repr(tok.text)


# ------------------------------------------------------------------ parsing


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.toks = tokens
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def _take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def _keyword(self, word: str) -> int | None:
        tok = self.tok
        if tok.kind == "name" and tok.text.lower() == word:
            self.i += 1
            return tok.pos
        return None

    def _op(self, *ops: str) -> _Tok | None:
        tok = self.tok
        if tok.kind == "op" and tok.text in ops:
            self.i += 1
            return tok
        return None

    def _nest(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Fail(pos, f"nested too deeply (at most {MAX_DEPTH} levels)")

    def condition(self) -> Expr:
        expr = self._or()
        if self.tok.kind != "end":
            raise _Fail(self.tok.pos, f"unexpected {_describe(self.tok)}: expected and/or")
        return expr

    def _or(self) -> Expr:
        left = self._and()
        while (pos := self._keyword("or")) is not None:
            left = Logic("or", left, self._and(), pos)
        return left

    def _and(self) -> Expr:
        left = self._not()
        while (pos := self._keyword("and")) is not None:
            left = Logic("and", left, self._not(), pos)
        return left

    def _not(self) -> Expr:
        pos = self._keyword("not")
        if pos is None:
            return self._compare()
        self._nest(pos)
        operand = self._not()
        self.depth -= 1
        return Not(operand, pos)

    def _compare(self) -> Expr:
        left = self._sum()
        tok = self._op(*_CMP)
        if tok is None:
            return left
        right = self._sum()
        nxt = self.tok
        if nxt.kind == "op" and nxt.text in _CMP:
            raise _Fail(nxt.pos, "comparisons cannot be chained: join them with 'and'")
        return Compare("==" if tok.text == "=" else tok.text, left, right, tok.pos)

    def _sum(self) -> Expr:
        left = self._term()
        while (tok := self._op("+", "-")) is not None:
            left = Arith(tok.text, left, self._term(), tok.pos)
        return left

    def _term(self) -> Expr:
        left = self._unary()
        while (tok := self._op("*", "/")) is not None:
            left = Arith(tok.text, left, self._unary(), tok.pos)
        return left

    def _unary(self) -> Expr:
        tok = self._op("-")
        if tok is None:
            return self._atom()
        self._nest(tok.pos)
        operand = self._unary()
        self.depth -= 1
        return Neg(operand, tok.pos)

    def _atom(self) -> Expr:
        tok = self._take()
        if tok.kind == "num":
            return Num(_number(tok), tok.pos)
        if tok.kind == "str":
            return Text(tok.text, tok.pos)
        if tok.kind == "name" and tok.text.lower() not in _KEYWORDS:
            name = tok.text.lower()
            if self._op("(") is None:
                return Field(name, tok.pos)
            self._nest(tok.pos)
            args: list[Expr] = []
            if self._op(")") is None:
                args.append(self._or())
                while self._op(",") is not None:
                    args.append(self._or())
                self._close(tok.pos)
            self.depth -= 1
            return Call(name, tuple(args), tok.pos)
        if tok.kind == "op" and tok.text == "(":
            self._nest(tok.pos)
            inner = self._or()
            self._close(tok.pos)
            self.depth -= 1
            return inner
        raise _Fail(tok.pos, f"expected a value, found {_describe(tok)}")

    def _close(self, opened: int) -> None:
        if self._op(")") is None:
            tok = self.tok
            raise _Fail(
                tok.pos,
                f"expected ')' to close the '(' at column {opened + 1}, found {_describe(tok)}",
            )


def _number(tok: _Tok) -> Decimal:
    text = tok.text
    unit = _UNITS.get(text[-1])
    value = Decimal(text) if unit is None else _CTX.multiply(Decimal(text[:-1]), unit)
    if value > _MAX_LITERAL:
        raise _Fail(tok.pos, "number too large (at most 10^20)")
    return value


# ------------------------------------------------------------------ checking


def _check(e: Expr) -> Type:
    if isinstance(e, Num):
        return Type.NUMBER
    if isinstance(e, Text):
        return Type.TEXT
    if isinstance(e, Field):
        kind = FIELDS.get(e.name)
        if kind is not None:
            return kind
        if e.name in FUNCTIONS:
            raise _Fail(e.pos, f"{e.name!r} is a function: write it with parentheses")
        raise _Fail(e.pos, f"unknown field {e.name!r}{_hint(e.name, FIELDS)}")
    if isinstance(e, Call):
        return _check_call(e)
    if isinstance(e, Neg):
        _expect(e.operand, Type.NUMBER, "'-'")
        return Type.NUMBER
    if isinstance(e, Arith):
        _expect(e.left, Type.NUMBER, repr(e.op))
        _expect(e.right, Type.NUMBER, repr(e.op))
        return Type.NUMBER
    if isinstance(e, Compare):
        _check_compare(e)
        return Type.BOOL
    if isinstance(e, Logic):
        _expect(e.left, Type.BOOL, repr(e.op))
        _expect(e.right, Type.BOOL, repr(e.op))
        return Type.BOOL
    _expect(e.operand, Type.BOOL, "'not'")
    return Type.BOOL


def _expect(e: Expr, want: Type, what: str) -> None:
    got = _check(e)
    if got is not want:
        raise _Fail(_start(e), f"{what} needs {want.value} here, not {got.value}")


def _start(e: Expr) -> int:
    """The leftmost position of ``e`` (binary nodes keep their operator's position)."""
    while isinstance(e, Arith | Compare | Logic):
        e = e.left
    return e.pos


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _check_call(e: Call) -> Type:
    spec = FUNCTIONS.get(e.name)
    if spec is None:
        if e.name in FIELDS:
            raise _Fail(e.pos, f"{e.name!r} is a field, not a function: drop the parentheses")
        raise _Fail(e.pos, f"unknown function {e.name!r}{_hint(e.name, FUNCTIONS)}")
    params, result = spec
    if len(e.args) != len(params):
        raise _Fail(e.pos, f"{e.name}() takes {len(params)} argument(s), got {len(e.args)}")
    if e.name in PERIOD_FUNCTIONS:
        arg = e.args[0]
        if not (
            isinstance(arg, Num)
            and arg.value == arg.value.to_integral_value()
            and 1 <= arg.value <= MAX_PERIOD
        ):
            raise _Fail(
                _start(arg), f"{e.name}() needs a whole number of days from 1 to {MAX_PERIOD}"
            )
        return result
    for arg, want in zip(e.args, params, strict=True):
        _expect(arg, want, f"{e.name}()")
    return result


def _check_compare(e: Compare) -> None:
    left, right = _check(e.left), _check(e.right)
    if left is Type.BOOL or right is Type.BOOL:
        bad = e.left if left is Type.BOOL else e.right
        raise _Fail(_start(bad), f"{e.op!r} compares values, not true/false: use and/or/not")
    if left is not right:
        raise _Fail(e.pos, f"cannot compare {left.value} with {right.value}")
    if left is Type.TEXT:
        if e.op not in ("==", "!="):
            raise _Fail(e.pos, f"text can only be compared with == or !=, not {e.op!r}")
        for f, lit in ((e.left, e.right), (e.right, e.left)):
            if isinstance(f, Field) and isinstance(lit, Text):
                choices = _CHOICES.get(f.name)
                if choices is not None and lit.value not in choices:
                    allowed = ", ".join(choices)
                    raise _Fail(lit.pos, f"{f.name} is one of {allowed}; not {lit.value!r}")


def parse(source: str) -> Expr | ConditionError:
    """The checked syntax tree of ``source``, or the first error (never raises)."""
    if len(source) > MAX_LENGTH:
        return ConditionError(MAX_LENGTH, f"a condition is at most {MAX_LENGTH} characters")
    try:
        tokens = _lex(source)
        if tokens[0].kind == "end":
            raise _Fail(0, "the condition is empty")
        expr = _Parser(tokens).condition()
        kind = _check(expr)
        if kind is not Type.BOOL:
            raise _Fail(0, f"a condition must be true/false, but this is {kind.value}")
    except _Fail as fail:
        return fail.error
    return expr


# ------------------------------------------------------------------ analysis


def children(e: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``e``."""
    if isinstance(e, Arith | Compare | Logic):
        return (e.left, e.right)
    if isinstance(e, Neg | Not):
        return (e.operand,)
    if isinstance(e, Call):
        return e.args
    return ()


def _any(e: Expr, test: Callable[[Expr], bool]) -> bool:
    return test(e) or any(_any(c, test) for c in children(e))


def uses_daily(e: Expr) -> bool:
    """Whether ``e`` reads daily bars (``ma``, ``vma``, ``prev_close``, ``high52``, ``low52``)."""
    return _any(
        e,
        lambda x: (
            (isinstance(x, Field) and x.name in DAILY_FIELDS)
            or (isinstance(x, Call) and x.name in PERIOD_FUNCTIONS)
        ),
    )


def is_static(e: Expr) -> bool:
    """Whether ``e`` reads only figures that never change while the market runs (code, name,
    market, sector, kind, shares)."""
    return not _any(
        e,
        lambda x: (
            (isinstance(x, Field) and x.name not in _STATIC_FIELDS)
            or (isinstance(x, Call) and x.name != "contains")
        ),
    )


def split_static(e: Expr) -> tuple[Expr | None, Expr | None]:
    """``e`` as (static part, live part) of its top-level ``and`` chain; either may be None.

    ``e`` holds exactly when both parts hold (a missing part holds)."""
    parts: list[Expr] = []
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Logic) and x.op == "and":
            stack += [x.right, x.left]
        else:
            parts.append(x)
    static = [p for p in parts if is_static(p)]
    live = [p for p in parts if not is_static(p)]

    def join(items: list[Expr]) -> Expr | None:
        if not items:
            return None
        out = items[0]
        for p in items[1:]:
            out = Logic("and", out, p)
        return out

    return join(static), join(live)


# ------------------------------------------------------------------ printing

_PREC = {"or": 1, "and": 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4}
_PREC.update({"+": 5, "-": 5, "*": 6, "/": 6})


def _prec(e: Expr) -> int:
    if isinstance(e, Arith | Compare | Logic):
        return _PREC[e.op]
    if isinstance(e, Not):
        return 3
    if isinstance(e, Neg):
        return 7
    return 8


def _wrap(e: Expr, least: int) -> str:
    text = to_text(e)
    return f"({text})" if _prec(e) < least else text


def _num(v: Decimal) -> str:
    if v == v.to_integral_value():
        return str(int(v))
    return format(v.normalize(), "f")


def to_text(e: Expr) -> str:
    """The canonical text of ``e`` (minimal parentheses, ``==`` for ``=``, units spelled out)."""
    if isinstance(e, Num):
        return _num(e.value)
    if isinstance(e, Text):
        quote = "'" if '"' in e.value else '"'
        return f"{quote}{e.value}{quote}"
    if isinstance(e, Field):
        return e.name
    if isinstance(e, Call):
        return f"{e.name}({', '.join(to_text(a) for a in e.args)})"
    if isinstance(e, Neg):
        return "-" + _wrap(e.operand, 7)
    if isinstance(e, Not):
        return "not " + _wrap(e.operand, 3)
    p = _PREC[e.op]
    left = _wrap(e.left, 5 if isinstance(e, Compare) else p)
    return f"{left} {e.op} {_wrap(e.right, p + 1)}"
