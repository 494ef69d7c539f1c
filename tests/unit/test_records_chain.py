"""The pure record chain (hoga.domain.records): sealing, verification, Merkle roots, periods."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.records import (
    GENESIS,
    Anchor,
    ChainVerifier,
    Period,
    Record,
    canonical,
    content_digest,
    expires_at,
    link_hash,
    merkle_root,
    parse_period,
    seal,
    shred,
    verify_chain,
)

ORIGIN = Anchor()


def chain(n: int, start: Anchor = ORIGIN) -> list[Record]:
    out: list[Record] = []
    prev = start.hash
    for i in range(n):
        seq = start.seq + 1 + i
        rec = seal(prev, seq, 1_000 + i, "api.call", f"c{i % 3}", canonical({"i": i}), salt=f"s{i}")
        out.append(rec)
        prev = rec.hash
    return out


def test_canonical_is_sorted_compact_and_refuses_floats() -> None:
    assert canonical({"b": [1, "가"], "a": None, "c": True}) == '{"a":null,"b":[1,"가"],"c":true}'
    assert canonical((1, 2)) == "[1,2]"
    with pytest.raises(TypeError):
        canonical({"x": 1.5})
    with pytest.raises(TypeError):
        canonical({1: 2})
    with pytest.raises(TypeError):
        canonical({"x": object()})


_PLAIN = st.none() | st.booleans() | st.integers() | st.text()


@given(st.dictionaries(st.text(), _PLAIN | st.lists(_PLAIN, max_size=3), max_size=6))
def test_canonical_of_flat_and_nested_payloads_is_the_sorted_compact_json(
    payload: dict[str, object],
) -> None:
    import json

    want = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical(payload) == want


def _by_definition(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


_TEXT = st.text(st.characters(exclude_categories=["Cs"]))  # any text but lone surrogates


@given(salt=_TEXT, customer=_TEXT, payload=_TEXT)
def test_content_digest_is_the_hash_of_the_canonical_text(
    salt: str, customer: str, payload: str
) -> None:
    want = _by_definition(salt, canonical([customer, payload]))
    assert content_digest(salt, customer, payload) == want


@given(
    prev=_TEXT,
    seq=st.integers(),
    at=st.integers(),
    kind=_TEXT,
    ref=st.none() | st.integers(),
    digest=_TEXT,
)
def test_link_hash_is_the_hash_of_the_canonical_header(
    prev: str, seq: int, at: int, kind: str, ref: int | None, digest: str
) -> None:
    want = _by_definition(prev, canonical([seq, at, kind, ref, digest]))
    assert link_hash(prev, seq, at, kind, ref, digest) == want


def test_hashes_of_other_value_types_take_the_general_encoding() -> None:
    assert link_hash("p", True, 1, "k", None, "d") == _by_definition(  # type: ignore[arg-type]
        "p", '[true,1,"k",null,"d"]'
    )
    assert content_digest("s", None, "x") == _by_definition("s", '[null,"x"]')  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        link_hash("p", 1.5, 1, "k", None, "d")  # type: ignore[arg-type]


def test_seal_links_and_digest() -> None:
    rec = seal(GENESIS, 1, 5, "order.event", "c1", '{"a":1}', salt="ab", ref=None)
    assert rec.prev_hash == GENESIS and not rec.shredded
    assert rec.digest == content_digest("ab", "c1", '{"a":1}')
    assert rec.hash == link_hash(GENESIS, 1, 5, "order.event", None, rec.digest)
    with pytest.raises(ValueError):
        seal(GENESIS, 1, 5, "k", "c", "{}", salt="")
    corr = seal(rec.hash, 2, 6, "correction", "c1", "{}", salt="x", ref=1)
    assert corr.ref == 1 and verify_chain([rec, corr]) == []


def test_clean_chain_verifies_and_head_moves() -> None:
    recs = chain(5)
    v = ChainVerifier()
    assert all(v.feed(r) == [] for r in recs)
    assert v.head == Anchor(5, recs[-1].hash) and v.count == 5 and v.finish() == []


def test_shredded_records_still_verify_but_a_changed_digest_does_not() -> None:
    recs = chain(4)
    shredded = [shred(r) for r in recs[:2]] + recs[2:]
    assert shredded[0].shredded and shredded[0].payload == "" and shredded[0].customer_id == ""
    assert verify_chain(shredded) == []
    bad = [shredded[0]._replace(digest="0" * 64), *shredded[1:]]
    assert [f.kind for f in verify_chain(bad)] == ["edited"]


def test_anchor_after_purge_and_wrong_anchor() -> None:
    recs = chain(6)
    assert verify_chain(recs[3:], Anchor(3, recs[2].hash)) == []
    faults = verify_chain(recs[3:], Anchor(3, "f" * 64))
    assert [(f.seq, f.kind) for f in faults] == [(4, "unlinked")]


def test_checkpoints_detect_rewrites_and_truncation() -> None:
    recs = chain(5)
    assert verify_chain(recs, checkpoints={5: recs[4].hash, 2: recs[1].hash}) == []
    faults = verify_chain(recs, checkpoints={3: "e" * 64})
    assert [(f.seq, f.kind) for f in faults] == [(3, "checkpoint")]
    faults = verify_chain(recs[:3], checkpoints={5: recs[4].hash, 1: recs[0].hash})
    assert [(f.seq, f.kind, f.position) for f in faults] == [(5, "truncated", 3)]


def test_rewritten_record_with_recomputed_hash_shows_at_the_next() -> None:
    recs = chain(4)
    forged = seal(recs[0].hash, 2, recs[1].at, "api.call", "c9", "{}", salt="zz")
    faults = verify_chain([recs[0], forged, recs[2], recs[3]])
    assert [(f.seq, f.kind) for f in faults] == [(3, "unlinked")]


MUTATIONS = st.sampled_from(["payload", "customer", "at", "kind", "ref", "seqdup"])


@given(n=st.integers(2, 25), data=st.data())
def test_any_single_edit_is_found_at_its_record(n: int, data: st.DataObject) -> None:
    recs = chain(n)
    i = data.draw(st.integers(0, n - 1))
    how = data.draw(MUTATIONS)
    r = recs[i]
    changed = {
        "payload": r._replace(payload=r.payload + " "),
        "customer": r._replace(customer_id="intruder"),
        "at": r._replace(at=r.at + 1),
        "kind": r._replace(kind="x"),
        "ref": r._replace(ref=7),
        "seqdup": r._replace(seq=r.seq - 1),
    }[how]
    faults = verify_chain([*recs[:i], changed, *recs[i + 1 :]])
    assert faults and faults[0].position == i
    assert faults[0].kind == ("out_of_order" if how == "seqdup" else "edited")


@given(n=st.integers(2, 25), data=st.data())
def test_any_single_deletion_is_found_where_it_happened(n: int, data: st.DataObject) -> None:
    recs = chain(n)
    i = data.draw(st.integers(0, n - 2))  # deleting the last shows only against a checkpoint
    faults = verify_chain(recs[:i] + recs[i + 1 :])
    assert faults[0].position == i and faults[0].kind == "missing"
    assert faults[0].seq == i + 2 and f"{i + 1}..{i + 1}" in faults[0].detail
    tail = verify_chain(recs[:-1], checkpoints={n: recs[-1].hash})
    assert [(f.kind, f.seq) for f in tail] == [("truncated", n)]


@given(n=st.integers(2, 25), data=st.data())
def test_any_swap_is_found_at_the_first_swapped_place(n: int, data: st.DataObject) -> None:
    recs = chain(n)
    i = data.draw(st.integers(0, n - 2))
    j = data.draw(st.integers(i + 1, n - 1))
    swapped = list(recs)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    faults = verify_chain(swapped)
    assert faults[0].position == i and faults[0].seq == recs[j].seq
    assert {f.kind for f in faults} <= {"missing", "out_of_order", "unlinked"}
    assert any(f.kind == "out_of_order" for f in faults) or j == i + 1


def _rfc6962(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _rfc6962(leaves[:k]) + _rfc6962(leaves[k:])).digest()


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40))
def test_merkle_root_matches_the_rfc6962_definition(leaves: list[bytes]) -> None:
    assert merkle_root([x.hex() for x in leaves]) == _rfc6962(leaves).hex()


def test_merkle_root_of_nothing_and_sensitivity() -> None:
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    hashes = [r.hash for r in chain(5)]
    assert merkle_root(hashes) != merkle_root([hashes[1], hashes[0], *hashes[2:]])


def test_periods() -> None:
    assert parse_period("10y") == Period(10, 0)
    assert parse_period(" 90D ") == Period(0, 90)
    assert parse_period("1y30d") == Period(1, 30)
    assert str(Period(10)) == "10y" and str(Period(1, 30)) == "1y30d"
    for bad in ("", "y", "10", "x1y", "1yx", "-1d", "1y2"):
        with pytest.raises(ValueError):
            parse_period(bad)


def _us(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000


def test_expiry_is_on_the_kst_calendar() -> None:
    at = _us(2024, 3, 1, 0, 30) + 7  # 09:30 KST on 1 March 2024
    assert expires_at(at, Period(10)) == _us(2034, 3, 1, 0, 30) + 7
    assert expires_at(at, Period(0, 1)) == _us(2024, 3, 2, 0, 30) + 7
    late = _us(2024, 2, 28, 20, 0)  # 29 Feb 2024 05:00 KST
    assert expires_at(late, Period(1)) == _us(2025, 2, 28, 20, 0)  # 1 Mar 2025 05:00 KST
    assert expires_at(late, Period(4)) == _us(2028, 2, 28, 20, 0)
