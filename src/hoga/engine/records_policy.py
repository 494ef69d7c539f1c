"""What the recorder keeps and reports (:mod:`hoga.engine.records`): the retention policy per
record class and the results of a verification and of a purge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hoga.domain.records import Anchor, Fault, Period, expires_at, parse_period
from hoga.ports.storage import RecordProof

__all__ = ["CORE_CLASSES", "PurgeResult", "RetentionPolicy", "VerifyReport"]

#: Classes that must be kept at least 10 years (orders, trades, fees / the ledger).
CORE_CLASSES = ("order", "trade", "ledger")
_TEN_YEARS = Period(10)


# --- retention -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Retention period per record class (``kind`` up to the first ``.``), else ``default``."""

    periods: Mapping[str, Period] = field(default_factory=dict)
    default: Period = _TEN_YEARS

    @classmethod
    def parse(cls, spec: str, default: str = "10y") -> RetentionPolicy:
        """``"api=1y, notice=3y"``; ValueError for a bad entry or a core class under 10 years."""
        periods: dict[str, Period] = {}
        for item in spec.replace(";", ",").split(","):
            if not item.strip():
                continue
            name, eq, value = item.partition("=")
            if not eq or not name.strip():
                raise ValueError(f"retention entry {item.strip()!r}: use class=period")
            periods[name.strip()] = parse_period(value)
        policy = cls(periods, parse_period(default))
        for core in CORE_CLASSES:
            if expires_at(0, policy.period(core)) < expires_at(0, _TEN_YEARS):
                raise ValueError(f"{core} records must be kept at least 10 years")
        return policy

    def period(self, kind: str) -> Period:
        return self.periods.get(kind.split(".", 1)[0], self.default)

    def describe(self) -> dict[str, str]:
        return {"*": str(self.default), **{k: str(v) for k, v in sorted(self.periods.items())}}


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What :meth:`Recorder.verify` found; ``ok`` when there is no fault and no problem."""

    count: int
    head: Anchor
    anchor: Anchor
    faults: tuple[Fault, ...]
    problems: tuple[str, ...]
    pinned: bool

    @property
    def ok(self) -> bool:
        return not self.faults and not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "count": self.count,
            "head": {"seq": self.head.seq, "hash": self.head.hash},
            "anchor": {"seq": self.anchor.seq, "hash": self.anchor.hash},
            "public_key_pinned": self.pinned,
            "faults": [
                {"seq": f.seq, "position": f.position, "kind": f.kind, "detail": f.detail}
                for f in self.faults
            ],
            "problems": list(self.problems),
        }


@dataclass(frozen=True, slots=True)
class PurgeResult:
    proof: RecordProof | None  # None: nothing was past retention
    shredded: int
    deleted: int
