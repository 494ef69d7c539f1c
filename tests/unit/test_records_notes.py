"""Brokerage notes in the record chain: the flush writes exactly the canonical text of the
note's values (made off the request path now), kind and time as before."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.ledger import Holding
from hoga.domain.model import Market, Side
from hoga.domain.records import canonical
from hoga.engine.brokerage_book import BalanceNote, OrderNote
from hoga.engine.records import Recorder
from hoga.engine.records_buffer import Note, note_values
from hoga.ports.storage import AccountRecord, CustomerRecord, Storage

T0 = 1_709_254_800_000_000
ACCOUNT = "5000000001"


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = open_storage(f"sqlite:///{tmp_path / 'notes.db'}")
    with store.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("c1", "c1", "mock", "active", 1))
        uow.accounts.add(AccountRecord(ACCOUNT, "c1", "mock", 1))
    yield store
    store.close()


def test_notes_are_written_as_the_canonical_text_of_their_values(storage: Storage) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock)
    order = OrderNote("체결", "new", ACCOUNT, 7, 7, "005930", Side.BUY, "0", 3, 7_000, 1, 2, T0 - 5)
    held = Holding("005930", Market.KOSPI, 2, 0, 2, 70_000, 140_000, 0)
    balance = BalanceNote(ACCOUNT, "005930", Side.BUY, 2, 70_000, T0 - 5, held, 0, 9, 10)
    undated = OrderNote("접수", "new", ACCOUNT, 8, 8, "005930", Side.SELL, "3", 1, 0, 1, 0, 0)
    rec.on_note(ACCOUNT, "order", order)
    rec.on_note(ACCOUNT, "balance", balance)
    clock.advance(1_000)
    rec.on_note(ACCOUNT, "order", undated)
    assert rec.flush() == 3
    with storage.unit_of_work() as uow:
        rows = uow.record_log.read()
    assert [(r.kind, r.customer_id, r.at) for r in rows] == [
        ("trade.fill", "c1", T0 - 5),
        ("trade.balance", "c1", T0 - 5),
        ("order.event", "c1", T0 + 1_000),  # no time on the note: the clock when recorded
    ]

    def text(note: OrderNote | BalanceNote) -> str:
        values = {}
        for name in note.__dataclass_fields__:
            value = getattr(note, name)
            plain = value is None or isinstance(value, bool | int | str)
            if isinstance(value, Holding):  # a nested dataclass: an object of its fields
                value = {**dataclasses.asdict(value), "market": value.market.value}
                plain = True
            values[name] = value if plain else str(getattr(value, "value", value))
        return canonical(values)

    assert [r.payload for r in rows] == [text(order), text(balance), text(undated)]
    assert '"side":"buy"' in rows[0].payload
    assert json.loads(rows[1].payload)["holding"] == {
        "code": "005930",
        "market": "KOSPI",
        "qty": 2,
        "settled_qty": 0,
        "orderable_qty": 2,
        "avg_price": 70_000,
        "cost": 140_000,
        "realized_pnl": 0,
    }


@dataclass
class _Mutable:
    status: str
    items: list[int]
    at: int = 0


def test_a_mutable_note_is_recorded_as_it_was_when_noted(storage: Storage) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock)
    note = _Mutable("접수", [1, 2])
    rec.on_note(ACCOUNT, "order", note)
    note.status, note.items = "체결", [3]  # changed after the fact: not what was recorded
    rec.flush()
    with storage.unit_of_work() as uow:
        (row,) = uow.record_log.read()
    assert (row.kind, row.at) == ("order.event", T0)
    assert row.payload == canonical({"at": 0, "items": "[1, 2]", "status": "접수"})


@dataclass(frozen=True)
class _Inner:
    """A nested value (like a balance note's holding)."""

    name: str
    amount: int
    side: object


class _Shade(StrEnum):
    DARK = "어두움"


class _Level(IntEnum):
    HIGH = 3


@dataclass(frozen=True)
class _Odd:
    """Every kind of value a note field may hold."""

    z_text: str
    a_int: int
    m_none: object
    b_flag: bool
    k_shade: object
    c_level: object
    d_other: object


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(),
    st.sampled_from([_Shade.DARK, _Level.HIGH, Side.BUY, Market.KOSPI]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.builds(_Inner, st.text(), st.integers(), st.sampled_from([Side.SELL, None])),
)


@given(
    st.text(),
    st.integers(min_value=-(2**64), max_value=2**64),
    _values,
    st.booleans(),
    _values,
    _values,
    _values,
)
def test_note_text_is_the_canonical_text_of_the_note_values(
    z: str, a: int, m: object, b: bool, k: object, c: object, d: object
) -> None:
    note = _Odd(z, a, m, b, k, c, d)
    names = tuple(f.name for f in dataclasses.fields(note))
    assert Note(note, names).text() == canonical(note_values(note, names))


def test_note_text_of_the_brokerage_notes_is_canonical() -> None:
    order = OrderNote("접수", "new", ACCOUNT, 7, 0, "005930", Side.SELL, "3", 3, 0, 0, 3, T0)
    for note in (order,):
        names = tuple(f.name for f in dataclasses.fields(note))
        assert Note(note, names).text() == canonical(note_values(note, names))
