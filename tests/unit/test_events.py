"""Events stay plain frozen dataclass values although they are built through ``__new__``."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import msgspec
import pytest

from hoga.domain import events as ev
from hoga.domain.model import Side

SAMPLES: list[ev.Event] = [
    ev.OrderAccepted(1, "005930", Side.BUY, "0", 70_000, 10, 5),
    ev.OrderRejected(2, "005930", ev.RejectReason.OFF_TICK, 6, "70001 is not on the tick grid"),
    ev.OrderModified(3, "005930", 70_100, 8, 8, False, 7),
    ev.OrderCancelled(4, "005930", 3, ev.CancelReason.REQUESTED, 8),
    ev.OrderTriggered(5, "005930", 0, 9),
    ev.Trade("005930", 70_000, 4, 1, 2, Side.SELL, 10),
    ev.BookChanged("005930", 11),
    ev.PhaseChanged("", "continuous", 12),
    ev.ViTriggered("005930", False, 70_000, 74_200, 120_000_013, 13),
    ev.ViReleased("005930", 14),
]


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_event_is_a_frozen_dataclass_value(event: ev.Event) -> None:
    cls = type(event)
    assert dataclasses.is_dataclass(event)
    values = dataclasses.astuple(event)
    names = [f.name for f in dataclasses.fields(event)]
    assert cls.__match_args__ == tuple(names)
    rebuilt = cls(*values)
    assert type(rebuilt) is cls
    assert rebuilt == event and hash(rebuilt) == hash(event)
    assert cls(**dict(zip(names, values, strict=True))) == event
    assert repr(event).startswith(f"{cls.__name__}({names[0]}=")
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(event, names[0], 0)
    assert copy.copy(event) == event and copy.deepcopy(event) == event
    assert pickle.loads(pickle.dumps(event)) == event
    assert msgspec.to_builtins(event) == dict(zip(names, msgspec.to_builtins(values), strict=True))


def test_replace_and_defaults() -> None:
    rejected = ev.OrderRejected(9, "005930", ev.RejectReason.HALTED, 1)
    assert rejected.detail == ""
    changed = dataclasses.replace(rejected, detail="halted")
    assert changed == ev.OrderRejected(9, "005930", ev.RejectReason.HALTED, 1, "halted")
    assert changed != rejected


def test_events_of_different_types_never_compare_equal() -> None:
    changed: object = ev.BookChanged("005930", 1)
    assert changed != ev.ViReleased("005930", 1)
    assert changed != ("005930", 1)
