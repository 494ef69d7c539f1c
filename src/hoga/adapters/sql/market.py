"""Market data: ticks, minute and daily bars, per-day instrument state."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict
from operator import attrgetter
from typing import Any

from sqlalchemy import and_, select

from hoga.adapters.sql.schema import daily_bars, instrument_days, minute_bars, ticks
from hoga.adapters.sql.tx import Tx
from hoga.ports.storage import DailyBar, InstrumentDay, MinuteBar, TradeTick

__all__ = ["SqlBarRepository", "SqlInstrumentDayRepository", "SqlTickRepository"]


# Market data is written once a second in bulk (a second's ticks and bars of the universe),
# straight to the driver rather than through SQLAlchemy's per-row parameter processing, which
# cost more than the rows themselves: ticks as multi-row INSERTs (Tx.insert_rows), the bar
# upserts through the driver's executemany (Tx.many; a multi-row upsert may not touch one key
# twice on PostgreSQL).
_BAR = ("open", "high", "low", "close", "volume", "turnover")


def _insert_sql(table: str, cols: tuple[str, ...], keys: tuple[str, ...] = ()) -> str:
    """``INSERT`` of ``cols`` (``?`` placeholders); with ``keys``, an upsert on them (last write
    wins) in the syntax SQLite and PostgreSQL share."""
    names = ", ".join(f'"{c}"' for c in cols)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
    if keys:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c not in keys)
        sql += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    return sql


_TICK_COLS = ("code", "seq", "at", "price", "qty")
_TICK_HEAD = f"INSERT INTO ticks ({', '.join(_TICK_COLS)})"
_TICK_ROW = attrgetter(*_TICK_COLS)
_MINUTE_COLS = ("code", "start", *_BAR)
_MINUTE_SQL = _insert_sql("minute_bars", _MINUTE_COLS, ("code", "start"))
_MINUTE_ROW = attrgetter(*_MINUTE_COLS)
_DAILY_COLS = ("code", "day", *_BAR)
_DAILY_SQL = _insert_sql("daily_bars", _DAILY_COLS, ("code", "day"))
_DAILY_ROW = attrgetter(*_DAILY_COLS)


def _tick(row: Any) -> TradeTick:
    return TradeTick(row.code, row.seq, row.at, row.price, row.qty)


def _day(row: Any) -> InstrumentDay:
    return InstrumentDay(row.code, row.day, row.base_price, row.close, bool(row.halted))


class SqlTickRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add_many(self, ticks_: Iterable[TradeTick]) -> None:
        rows = [_TICK_ROW(t) for t in ticks_]
        self._tx.insert_rows(_TICK_HEAD, len(_TICK_COLS), rows)  # many rows per statement

    def range(
        self, code: str, since: int, until: int, *, limit: int | None = None
    ) -> list[TradeTick]:
        c = ticks.c
        stmt = (
            select(ticks)
            .where(and_(c.code == code, c.at >= since, c.at < until))
            .order_by(c.seq)
            .limit(limit)
        )
        return [_tick(r) for r in self._tx.execute(stmt)]

    def last(self, code: str) -> TradeTick | None:
        stmt = select(ticks).where(ticks.c.code == code).order_by(ticks.c.seq.desc()).limit(1)
        row = self._tx.execute(stmt).first()
        return None if row is None else _tick(row)


class SqlBarRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def upsert_minutes(self, bars: Iterable[MinuteBar]) -> None:
        rows = [_MINUTE_ROW(b) for b in bars]
        if rows:
            self._tx.many(_MINUTE_SQL, rows)

    def minutes(self, code: str, since: int, until: int) -> list[MinuteBar]:
        c = minute_bars.c
        stmt = (
            select(minute_bars)
            .where(and_(c.code == code, c.start >= since, c.start < until))
            .order_by(c.start)
        )
        return [MinuteBar(**r._asdict()) for r in self._tx.execute(stmt)]

    def upsert_daily(self, bars: Iterable[DailyBar]) -> None:
        rows = [_DAILY_ROW(b) for b in bars]
        if rows and self._tx.dialect == "sqlite":  # stored as SQLAlchemy stores a Date there
            rows = [(r[0], r[1].isoformat(), *r[2:]) for r in rows]
        if rows:
            self._tx.many(_DAILY_SQL, rows)

    def daily(self, code: str, first: datetime.date, last: datetime.date) -> list[DailyBar]:
        c = daily_bars.c
        stmt = (
            select(daily_bars)
            .where(and_(c.code == code, c.day >= first, c.day <= last))
            .order_by(c.day)
        )
        return [DailyBar(**r._asdict()) for r in self._tx.execute(stmt)]


class SqlInstrumentDayRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def upsert(self, state: InstrumentDay) -> None:
        self._tx.upsert(instrument_days, [asdict(state)], ("code", "day"))

    def get(self, code: str, day: datetime.date) -> InstrumentDay | None:
        c = instrument_days.c
        stmt = select(instrument_days).where(and_(c.code == code, c.day == day))
        row = self._tx.execute(stmt).first()
        return None if row is None else _day(row)

    def for_day(self, day: datetime.date) -> list[InstrumentDay]:
        c = instrument_days.c
        stmt = select(instrument_days).where(c.day == day).order_by(c.code)
        return [_day(r) for r in self._tx.execute(stmt)]

    def latest_before(self, code: str, day: datetime.date) -> InstrumentDay | None:
        c = instrument_days.c
        stmt = (
            select(instrument_days)
            .where(and_(c.code == code, c.day < day))
            .order_by(c.day.desc())
            .limit(1)
        )
        row = self._tx.execute(stmt).first()
        return None if row is None else _day(row)
