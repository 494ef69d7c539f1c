"""The instrument universe: every listed code the simulated exchange trades.

Loaded from the package data ``hoga/data/krx_instruments.csv`` (one snapshot: the close of
2026-07-21, KONEX 2026-03-20) joined on ``code`` with ``krx_instruments_extra.csv`` (par value,
lot size, halt flag). See ``hoga/data`` and the data README for sources and caveats.

How :class:`~hoga.domain.model.Instrument` fields are filled:

- ``base_price`` is the snapshot ``close``. Three suspended issues have no close (their base
  price was 0); their base price falls back to the par value when it is positive, else
  :data:`SUSPENDED_FALLBACK_PRICE` (1,000 won), with ``halted=True`` and ``close_date=None``.
- ``halted``, ``lot_size`` and ``par_value`` come from the extra file (KONEX rows have none
  there: not halted, lot 1, par 0).
- ``large_cap`` is True for the :data:`LARGE_CAP_COUNT` largest KOSPI common stocks
  (``kind == "stock"``) by market cap, ``close × listed_shares`` (ties by code). The snapshot has
  no index membership, so this stands in for the KOSPI200 constituents.

Codes stay 6-character strings (leading zeros, letter codes such as ``0126Z0``).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date
from importlib import resources
from types import MappingProxyType

from hoga.domain.model import Instrument, Market

__all__ = [
    "LARGE_CAP_COUNT",
    "SUSPENDED_FALLBACK_PRICE",
    "Universe",
    "load_universe",
    "parse_universe",
]

#: How many KOSPI stocks count as large caps (the KOSPI200 stand-in).
LARGE_CAP_COUNT = 200
#: Base price of a suspended issue with no close and no par value.
SUSPENDED_FALLBACK_PRICE = 1_000

_MAIN = "krx_instruments.csv"
_EXTRA = "krx_instruments_extra.csv"


class Universe(Mapping[str, Instrument]):
    """An immutable mapping ``code → Instrument`` in code order, with lookups by market."""

    __slots__ = ("_by_code", "_by_isin", "_by_market")

    def __init__(self, instruments: Mapping[str, Instrument] | list[Instrument]) -> None:
        items = instruments.values() if isinstance(instruments, Mapping) else instruments
        ordered = sorted(items, key=lambda i: i.code)
        by_code = {i.code: i for i in ordered}
        if len(by_code) != len(ordered):
            raise ValueError("duplicate instrument codes")
        self._by_code: Mapping[str, Instrument] = MappingProxyType(by_code)
        self._by_isin: Mapping[str, Instrument] = MappingProxyType({i.isin: i for i in ordered})
        self._by_market: Mapping[Market, tuple[Instrument, ...]] = MappingProxyType(
            {m: tuple(i for i in ordered if i.market is m) for m in Market}
        )

    def __getitem__(self, code: str) -> Instrument:
        return self._by_code[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def __repr__(self) -> str:
        counts = ", ".join(f"{m.value}={len(v)}" for m, v in self._by_market.items())
        return f"Universe({len(self)} instruments: {counts})"

    def by_market(self, market: Market) -> tuple[Instrument, ...]:
        """The instruments listed on ``market``, in code order."""
        return self._by_market[market]

    def by_isin(self, isin: str) -> Instrument | None:
        """The instrument with ISIN ``isin``, or None."""
        return self._by_isin.get(isin)

    def counts(self) -> dict[Market, int]:
        """Number of instruments per market."""
        return {m: len(v) for m, v in self._by_market.items()}

    def large_caps(self) -> tuple[Instrument, ...]:
        """The instruments flagged ``large_cap``, in code order."""
        return tuple(i for i in self._by_code.values() if i.large_cap)


def _int(text: str, default: int = 0) -> int:
    text = text.strip()
    return int(text) if text else default


def parse_universe(
    main_csv: str, extra_csv: str = "", *, large_cap_count: int = LARGE_CAP_COUNT
) -> Universe:
    """Build a universe from the text of the main CSV and (optionally) the extra CSV."""
    extra = {row["code"]: row for row in csv.DictReader(io.StringIO(extra_csv))}
    out: list[Instrument] = []
    for row in csv.DictReader(io.StringIO(main_csv)):
        code = row["code"].strip()
        ext = extra.get(code, {})
        par = _int(ext.get("par_value", ""))
        close_text = row["close"].strip()
        suspended = not close_text
        fallback = par if par > 0 else SUSPENDED_FALLBACK_PRICE
        base = fallback if suspended else int(close_text)
        close_date = row["close_date"].strip()
        out.append(
            Instrument(
                code=code,
                isin=row["isin"].strip(),
                name=row["name"].strip(),
                market=Market(row["market"].strip()),
                kind=row["kind"].strip(),
                base_price=base,
                listed_shares=_int(row["listed_shares"]),
                volume=_int(row["volume"]),
                sector=row["sector"].strip(),
                halted=suspended or ext.get("halted", "").strip() == "Y",
                lot_size=_int(ext.get("lot_size", ""), 1),
                par_value=par,
                close_date=date.fromisoformat(close_date) if close_date else None,
            )
        )
    return Universe(_mark_large_caps(out, large_cap_count))


def _mark_large_caps(instruments: list[Instrument], count: int) -> list[Instrument]:
    stocks = [i for i in instruments if i.market is Market.KOSPI and i.kind == "stock"]
    stocks.sort(key=lambda i: (-i.base_price * i.listed_shares, i.code))
    large = {i.code for i in stocks[:count]}
    return [replace(i, large_cap=True) if i.code in large else i for i in instruments]


@functools.cache
def load_universe(*, large_cap_count: int = LARGE_CAP_COUNT) -> Universe:
    """The packaged KRX universe (4,415 instruments), parsed once per process and cached."""
    data = resources.files("hoga") / "data"
    main = (data / _MAIN).read_text(encoding="utf-8")
    extra = (data / _EXTRA).read_text(encoding="utf-8")
    return parse_universe(main, extra, large_cap_count=large_cap_count)
