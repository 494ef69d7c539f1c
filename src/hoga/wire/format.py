"""Value formatting of the wire (spec §1.7) and tolerant parsing of request values (§1.8).

Every number on the wire is a string. Integers (won, shares) and ``Decimal`` (rates) only —
this module never touches ``float``. Rounding of rates is here and nowhere else: half-up to the
displayed places (Kiwoom's own rule is undocumented).

Formatting:

* :func:`direction` — a price with its direction sign versus a base (``"-78800"`` = 78,800,
  down on the day); :func:`signed` — arithmetic sign (``"+600"``, ``"-600"``, ``"0"``).
* :func:`sign_code` — the 1–5 대비기호 (1 상한, 2 상승, 3 보합, 4 하한, 5 하락).
* :func:`padded` — fixed width, zero padded, a minus sign taking the first character
  (``"000000000017534"``, ``"-00000000000084"``); :func:`padded_rate` — the same with implied
  decimals (``"-00000130"`` = -1.30).
* :func:`rate` — two decimals, signed or not (``"+0.94"``, ``"46.25"``).
* :func:`ymd`, :func:`hms`, :func:`hms_colon`, :func:`ymdhms` — KST date/time strings from
  epoch microseconds (UTC); :func:`ord_no` — 7-digit order numbers; :func:`a_code` — the
  ``A``-prefixed stock code of account responses.

Parsing accepts what clients send: JSON numbers or strings, leading/trailing blanks, ``+``/``-``
signs, zero padding, thousands separators. Bad input raises :class:`FormatError` (a
``ValueError``) naming nothing; the caller knows the field and answers 1517.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "KST",
    "FormatError",
    "a_code",
    "change_rate",
    "direction",
    "hms",
    "hms_colon",
    "ord_no",
    "padded",
    "padded_rate",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_optional_int",
    "parse_time",
    "plain_code",
    "rate",
    "sign_code",
    "signed",
    "ymd",
    "ymdhms",
]

KST = timezone(timedelta(hours=9), "KST")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FormatError(ValueError):
    """A request value that cannot be read as the expected type."""


# --- formatting ---------------------------------------------------------------------------


def signed(n: int) -> str:
    """Arithmetic sign: ``"+600"``, ``"-600"``, ``"0"`` (전일대비)."""
    return f"+{n}" if n > 0 else str(n)


def direction(price: int, base: int) -> str:
    """``price`` (non-negative) with the sign of its direction versus ``base``."""
    if price > base:
        return f"+{price}"
    if price < base:
        return f"-{price}"
    return str(price)


def sign_code(price: int, base: int, upper: int | None = None, lower: int | None = None) -> str:
    """대비기호: ``"1"`` 상한, ``"2"`` 상승, ``"3"`` 보합, ``"4"`` 하한, ``"5"`` 하락."""
    if upper is not None and price >= upper and price > base:
        return "1"
    if lower is not None and price <= lower and price < base:
        return "4"
    if price > base:
        return "2"
    if price < base:
        return "5"
    return "3"


def padded(n: int, width: int) -> str:
    """Zero padded to ``width`` characters; a minus sign takes the first one.

    Raises ``ValueError`` when ``n`` does not fit (the wire has no overflow representation).
    """
    digits = str(abs(n))
    room = width - 1 if n < 0 else width
    if len(digits) > room:
        raise ValueError(f"{n} does not fit in {width} characters")
    return ("-" if n < 0 else "") + digits.rjust(room, "0")


def _quantize(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rate(d: Decimal, *, places: int = 2, sign: bool = True) -> str:
    """A rate with ``places`` decimals: ``"+0.94"``, ``"-0.24"``, ``"0.00"``.

    ``sign=False`` drops the ``+`` (unsigned ratios such as ``"46.25"``).
    """
    q = _quantize(d, places)
    if q == 0:
        q = abs(q)  # no "-0.00"
    text = f"{q:f}"
    return f"+{text}" if sign and q > 0 else text


def padded_rate(d: Decimal, width: int, *, places: int = 2) -> str:
    """A rate with implied decimals, zero padded: ``Decimal("-1.30")``, 9 → ``"-00000130"``."""
    return padded(int(_quantize(d, places).scaleb(places)), width)


def change_rate(price: int, base: int, *, places: int = 2) -> Decimal:
    """등락율 in percent, ``(price - base) / base * 100`` rounded half-up; 0 when ``base`` is 0."""
    if base == 0:
        return _quantize(Decimal(0), places)
    return _quantize(Decimal(price - base) * 100 / Decimal(base), places)


def _kst(us: int) -> datetime:
    return (_EPOCH + timedelta(microseconds=us)).astimezone(KST)


def ymd(us: int) -> str:
    """KST date ``YYYYMMDD`` of epoch microseconds."""
    return _kst(us).strftime("%Y%m%d")


def hms(us: int) -> str:
    """KST time ``HHMMSS``."""
    return _kst(us).strftime("%H%M%S")


def hms_colon(us: int) -> str:
    """KST time ``HH:MM:SS`` (kt00007 ``ord_tm``, kt00009 ``cntr_tm``)."""
    return _kst(us).strftime("%H:%M:%S")


def ymdhms(us: int) -> str:
    """KST ``YYYYMMDDHHMMSS`` (token ``expires_dt``, minute-bar ``cntr_tm``)."""
    return _kst(us).strftime("%Y%m%d%H%M%S")


def ord_no(n: int) -> str:
    """A 7-digit order number: ``139`` → ``"0000139"``."""
    return padded(n, 7)


def a_code(code: str) -> str:
    """``"005930"`` → ``"A005930"`` (account responses, condition search); idempotent."""
    return code if code.startswith("A") else f"A{code}"


def plain_code(code: str) -> str:
    """Strip an ``A`` prefix from a 7-character stock code (clients may echo either form)."""
    return code[1:] if len(code) == 7 and code.startswith("A") else code


# --- parsing ------------------------------------------------------------------------------

_INT = re.compile(r"[+-]?\d+")
_DEC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _clean(value: object) -> str:
    if isinstance(value, bool):
        raise FormatError(f"not a number: {value!r}")
    if isinstance(value, int | Decimal):
        return str(value)
    if not isinstance(value, str):
        raise FormatError(f"not a number: {value!r}")
    return value.strip().replace(",", "")


def parse_int(value: object) -> int:
    """An integer from ``12``, ``"12"``, ``" +000012"``, ``"-5"``, ``"1,000"`` or ``Decimal("3")``.

    A decimal string with a zero fraction (``"70000.0"``) is accepted; any other fraction is not.
    """
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise FormatError(f"not an integer: {value!r}")
        return int(value)
    text = _clean(value)
    if _INT.fullmatch(text):
        return int(text)
    if _DEC.fullmatch(text):
        d = Decimal(text)
        if d == d.to_integral_value():
            return int(d)
    raise FormatError(f"not an integer: {value!r}")


def parse_optional_int(value: object) -> int | None:
    """Like :func:`parse_int`, but ``None`` and blank strings give None (``"ord_uv": ""``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_int(value)


def parse_decimal(value: object) -> Decimal:
    """A Decimal from a number or a string (``"+0.94"``, ``"46.25"``, ``"-1.30"``)."""
    text = _clean(value)
    if not _DEC.fullmatch(text):
        raise FormatError(f"not a decimal: {value!r}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise FormatError(f"not a decimal: {value!r}") from exc


def parse_date(value: object) -> date:
    """``"20250917"`` (or the number ``20250917``) → ``date``."""
    text = _clean(value)
    if not re.fullmatch(r"\d{8}", text):
        raise FormatError(f"not a YYYYMMDD date: {value!r}")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise FormatError(f"not a YYYYMMDD date: {value!r}") from exc


def parse_time(value: object) -> time:
    """``"132000"`` or ``"13:20:00"`` → ``time``."""
    text = _clean(value).replace(":", "")
    if not re.fullmatch(r"\d{6}", text):
        raise FormatError(f"not an HHMMSS time: {value!r}")
    try:
        return time(int(text[:2]), int(text[2:4]), int(text[4:]))
    except ValueError as exc:
        raise FormatError(f"not an HHMMSS time: {value!r}") from exc
