"""The byte encoding of sequenced events on the bus (msgspec JSON).

One message per batch: ``[{"seq": n, "type": "Trade", ...fields}, ...]``. The same encoding is
used by the determinism check, so two runs are equal exactly when their bus traffic is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from hoga.domain.events import Event

__all__ = ["decode_batch", "encode_batch", "event_dict"]

_ENC = msgspec.json.Encoder()


def event_dict(seq: int, ev: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"seq": seq, "type": type(ev).__name__}
    out.update(msgspec.to_builtins(ev))
    return out


def encode_batch(batch: Iterable[tuple[int, Event]]) -> bytes:
    return _ENC.encode([event_dict(seq, ev) for seq, ev in batch])


def decode_batch(data: bytes) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = msgspec.json.decode(data)
    return out
