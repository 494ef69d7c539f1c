"""The persistent collections behind the ledger's state: a PMap reads like the dict it stands
for after any sequence of changes, a PVec like the tuple, and no change shows in a collection it
was made from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.pmap import CHUNK, FANOUT, PMap, PVec, appended, assoc, dissoc

_ops = st.lists(
    st.tuples(st.booleans(), st.integers(-3 * FANOUT, 3 * FANOUT), st.integers()), max_size=300
)


@given(_ops)
def test_reads_like_the_dict_after_every_change(ops: list[tuple[bool, int, int]]) -> None:
    model: dict[int, int] = {}
    pm: Mapping[int, int] = {}
    history: list[tuple[Mapping[int, int], dict[int, int]]] = []
    for put, key, value in ops:
        if put:
            pm = assoc(pm, key, value)
            model[key] = value
        elif key in model:
            pm = dissoc(pm, key)
            del model[key]
        else:
            continue
        history.append((pm, dict(model)))
        assert isinstance(pm, PMap)
        assert pm == model and model == pm
        assert len(pm) == len(model)
        assert sorted(pm) == sorted(model)
        assert sorted(pm.items()) == sorted(model.items())
        assert sorted(pm.values()) == sorted(model.values())
        assert all(pm[k] == v and k in pm and pm.get(k) == v for k, v in model.items())
    for older, was in history:  # later changes never show in an earlier map
        assert older == was and dict(older.items()) == was


def test_mapping_protocol_and_misses() -> None:
    pm: PMap[str, int] = PMap({"a": 1, "b": 2})
    assert isinstance(pm, Mapping)
    assert pm.get("zz") is None and pm.get("zz", 7) == 7
    assert "zz" not in pm and 5 not in pm
    with pytest.raises(KeyError):
        pm["zz"]
    with pytest.raises(KeyError):
        pm.without("zz")
    with pytest.raises(KeyError):
        dissoc({"a": 1}, "b")
    assert pm.set("a", 1) == pm and len(pm.set("a", 5)) == 2  # an overwrite adds nothing
    assert pm != {"a": 1} and pm != {"a": 1, "b": 3} and pm != {"a": 1, "c": 2}
    assert pm != [("a", 1), ("b", 2)]  # not a mapping: never equal
    assert PMap() == {} and not PMap() and len(PMap()) == 0
    assert pm.without("a").without("b") == PMap()
    assert repr(PMap({"a": 1})) == "PMap({'a': 1})"
    with pytest.raises(TypeError):
        hash(pm)


def test_a_change_copies_one_bucket_and_shares_the_rest() -> None:
    pm: Mapping[int, int] = PMap({k: k for k in range(FANOUT * 8)})
    changed = assoc(pm, 3, -3)
    assert isinstance(pm, PMap) and isinstance(changed, PMap)
    shared = sum(a is b for a, b in zip(pm._buckets, changed._buckets, strict=True))
    assert shared == FANOUT - 1
    assert pm[3] == 3 and changed[3] == -3
    emptied = PMap({1: 1}).without(1)
    assert all(len(b) == 0 for b in emptied._buckets)  # an emptied bucket is the shared one
    assert len({id(b) for b in emptied._buckets}) == 1


@given(st.lists(st.integers(), max_size=4 * CHUNK + 3), st.integers(0, 4 * CHUNK + 3))
def test_pvec_reads_like_the_tuple_as_it_grows(items: list[int], start: int) -> None:
    seq: Sequence[int] = tuple(items[:start])
    history: list[tuple[Sequence[int], tuple[int, ...]]] = [(seq, tuple(seq))]
    for item in items[start:]:
        seq = appended(seq, item)
        history.append((seq, tuple(items[: len(seq)])))
    for older, was in history:  # every earlier vector still holds what it held
        assert older == was and was == older and (older != was) is False
        assert len(older) == len(was) and list(older) == list(was)
        assert all(older[i] == was[i] and older[-i - 1] == was[-i - 1] for i in range(len(was)))
        assert older[1:-1] == was[1:-1] and older[::-1] == was[::-1]
        assert hash(older) == hash(was)


def test_pvec_edges() -> None:
    v = PVec([1, 2, 3])
    assert isinstance(v, Sequence) and v == [1, 2, 3] and v == PVec((1, 2, 3))
    assert v != (1, 2) and v != (1, 2, 4) and v != "abc" and v != {1: 1}
    assert PVec() == () and not PVec() and len(PVec()) == 0
    for bad in (3, -4):
        with pytest.raises(IndexError):
            v[bad]
    assert repr(v) == "PVec([1, 2, 3])"
    full = PVec(range(CHUNK))
    grown = full.append(-1)
    assert len(grown._chunks) == 2 and grown._chunks[0] is full._chunks[0]  # shared, not copied
    assert grown[CHUNK] == -1 and len(full) == CHUNK
