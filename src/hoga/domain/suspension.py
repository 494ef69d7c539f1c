"""The suspension and termination workflow of the Open API terms (art. 8 and 9), as pure values.

An :class:`Incident` is one sanction against one customer with its explanation process:

- **Opening.** An incident has a :class:`Cause` — abnormal query load (found by the detectors of
  :mod:`hoga.policy.abnormal` or seen by the operator) or a regulator's recommendation — and a
  :class:`Sanction`. Abnormal load suspends for one month, except that the ``threshold``-th
  (default third) abnormal-load incident that still counts terminates (art. 9 ① 2). A regulator's
  recommendation suspends or terminates as the operator records it (art. 8 ① 1, 9 ① 1) and
  never counts towards the threshold. An incident *counts* unless its explanation was accepted.
- **Dates.** A suspension runs from the notice for one calendar month: the same KST wall time on
  the same day of the next month, or on that month's last day when it is shorter (31 January →
  28/29 February). The explanation is due "within 10 days of the notice" (art. 8 ②): the day of
  the notice is not counted (Korean civil-law rule), so the deadline is KST midnight at the end of
  the 10th following day; a submission at an instant ``< deadline`` is in time. A termination
  has no end.
- **Review** (:class:`Review`): ``awaiting`` → ``submitted`` (customer, before the deadline) →
  ``accepted`` | ``rejected`` (operator). ``awaiting`` → ``lapsed`` when the deadline passes
  unanswered. The operator may extend the deadline to a later instant while ``awaiting`` or
  ``lapsed``; a lapsed review reopens.
- **Phase** of the sanction (:class:`Phase`): ``in_force`` → ``expired`` (a suspension reaching
  its end; time only), ``lifted`` (operator, early; the incident still counts) or ``dismissed``
  (explanation accepted; it no longer counts). A rejected explanation leaves the sanction in
  force until it ends by itself (art. 8 ③).
- **Customer status** (:func:`customer_status`) follows from the incidents: ``terminated`` while
  any termination is in force, else ``suspended`` while any suspension is, else ``active``.

Time moves only through :func:`advance` (deadline lapses, expiry) with a ``now`` the caller reads
from its clock; :func:`next_due` says when the next time-driven change is. Every operation returns
the new incident or a :class:`Refused` value naming why not; nothing here raises for a refusal.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from hoga.domain.kst import KST_OFFSET_US, US_PER_DAY, at_kst, kst_date, kst_datetime

__all__ = [
    "EXPLANATION_DAYS",
    "TERMINATION_THRESHOLD",
    "Cause",
    "Evidence",
    "Incident",
    "Phase",
    "Refused",
    "Review",
    "Sanction",
    "Status",
    "accept",
    "advance",
    "counting",
    "customer_status",
    "explanation_deadline",
    "extend",
    "lift",
    "next_due",
    "open_incident",
    "reject",
    "submit",
    "suspension_end",
]

EXPLANATION_DAYS = 10
TERMINATION_THRESHOLD = 3


class Status(enum.StrEnum):
    """A customer's service status (stored in ``customers.status``)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class Cause(enum.StrEnum):
    ABNORMAL_LOAD = "abnormal_load"
    REGULATOR = "regulator"


class Sanction(enum.StrEnum):
    SUSPEND = "suspend"
    TERMINATE = "terminate"


class Review(enum.StrEnum):
    AWAITING = "awaiting"
    SUBMITTED = "submitted"
    LAPSED = "lapsed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Phase(enum.StrEnum):
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    LIFTED = "lifted"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a detection saw: the rule, the time range ``[since, until]`` (epoch µs), counters
    by name, and sample request ids (the last few counted, in arrival order)."""

    rule: str
    since: int
    until: int
    counters: tuple[tuple[str, int], ...] = ()
    samples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Incident:
    """One sanction and its explanation process (see the module docstring)."""

    id: int
    customer_id: str
    cause: Cause
    sanction: Sanction
    opened_at: int
    ends_at: int | None  # suspension end (exclusive); None for a termination
    deadline: int  # explanation due before this instant
    review: Review = Review.AWAITING
    phase: Phase = Phase.IN_FORCE
    reason: str = ""
    evidence: Evidence | None = None
    explanation: str = ""
    explained_at: int | None = None
    decided_at: int | None = None
    ended_at: int | None = None

    @property
    def in_force(self) -> bool:
        return self.phase is Phase.IN_FORCE

    @property
    def counts(self) -> bool:
        """Whether it counts towards the termination threshold."""
        return self.cause is Cause.ABNORMAL_LOAD and self.phase is not Phase.DISMISSED


@dataclass(frozen=True, slots=True)
class Refused:
    """Why an operation does not apply (``reason`` is a stable code, ``detail`` for people)."""

    reason: str
    detail: str = ""


def suspension_end(start: int) -> int:
    """One calendar month after ``start`` at the same KST wall time (day clamped)."""
    local = kst_datetime(start)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    within = (start + KST_OFFSET_US) % US_PER_DAY
    return at_kst(local.date().replace(year=year, month=month, day=day)) + within


def explanation_deadline(notified_at: int, days: int = EXPLANATION_DAYS) -> int:
    """KST midnight ending the ``days``-th day after the day of ``notified_at``."""
    return at_kst(kst_date(notified_at) + timedelta(days=days + 1))


def counting(incidents: Iterable[Incident]) -> int:
    """How many of ``incidents`` count towards termination."""
    return sum(1 for i in incidents if i.counts)


def open_incident(
    incident_id: int,
    customer_id: str,
    cause: Cause,
    at: int,
    prior: Iterable[Incident] = (),
    *,
    sanction: Sanction = Sanction.SUSPEND,
    reason: str = "",
    evidence: Evidence | None = None,
    threshold: int = TERMINATION_THRESHOLD,
    explanation_days: int = EXPLANATION_DAYS,
) -> Incident:
    """A new incident noticed at ``at``. For abnormal load ``sanction`` is decided here from the
    customer's ``prior`` incidents (the ``threshold``-th counting one terminates); for a
    regulator's recommendation it is taken as given."""
    if cause is Cause.ABNORMAL_LOAD:
        terminate = counting(i for i in prior if i.customer_id == customer_id) + 1 >= threshold
        sanction = Sanction.TERMINATE if terminate else Sanction.SUSPEND
    ends = None if sanction is Sanction.TERMINATE else suspension_end(at)
    return Incident(
        incident_id,
        customer_id,
        cause,
        sanction,
        at,
        ends,
        explanation_deadline(at, explanation_days),
        reason=reason,
        evidence=evidence,
    )


def advance(incident: Incident, now: int) -> Incident:
    """Apply the passage of time up to ``now``: an unanswered review lapses at its deadline, a
    suspension in force expires at its end. Returns ``incident`` itself when nothing changes."""
    out = incident
    if out.review is Review.AWAITING and now >= out.deadline:
        out = replace(out, review=Review.LAPSED)
    if out.in_force and out.ends_at is not None and now >= out.ends_at:
        out = replace(out, phase=Phase.EXPIRED, ended_at=out.ends_at)
    return out


def next_due(incident: Incident) -> int | None:
    """The earliest instant at which :func:`advance` would change ``incident`` (None: never)."""
    due = [incident.deadline] if incident.review is Review.AWAITING else []
    if incident.in_force and incident.ends_at is not None:
        due.append(incident.ends_at)
    return min(due, default=None)


def submit(incident: Incident, text: str, now: int) -> Incident | Refused:
    """The customer's explanation, in time and while the review awaits one."""
    if not text.strip():
        return Refused("empty_explanation", "소명 내용이 비어 있습니다")
    if incident.review is not Review.AWAITING:
        return Refused("not_awaiting", f"소명을 받을 수 없는 상태입니다({incident.review})")
    if now >= incident.deadline:
        return Refused("deadline_passed", "소명 제출 기한이 지났습니다")
    return replace(incident, review=Review.SUBMITTED, explanation=text.strip(), explained_at=now)


def extend(incident: Incident, deadline: int, now: int) -> Incident | Refused:
    """Move the explanation deadline later (art. 8 ② proviso); reopens a lapsed review."""
    if incident.review not in (Review.AWAITING, Review.LAPSED):
        return Refused("not_awaiting", f"기한을 연장할 수 없는 상태입니다({incident.review})")
    if deadline <= max(incident.deadline, now):
        return Refused("deadline_not_later", "새 기한은 현재 기한과 지금보다 늦어야 합니다")
    return replace(incident, deadline=deadline, review=Review.AWAITING)


def accept(incident: Incident, now: int) -> Incident | Refused:
    """Accept the submitted explanation: the incident is dismissed and stops counting."""
    if incident.review is not Review.SUBMITTED:
        return Refused("not_submitted", "심사할 소명이 없습니다")
    ended = now if incident.in_force else incident.ended_at
    return replace(
        incident,
        review=Review.ACCEPTED,
        phase=Phase.DISMISSED,
        decided_at=now,
        ended_at=ended,
    )


def reject(incident: Incident, now: int) -> Incident | Refused:
    """Reject the submitted explanation: the sanction runs its course."""
    if incident.review is not Review.SUBMITTED:
        return Refused("not_submitted", "심사할 소명이 없습니다")
    return replace(incident, review=Review.REJECTED, decided_at=now)


def lift(incident: Incident, now: int) -> Incident | Refused:
    """End the sanction early by the operator's decision (the incident still counts)."""
    if not incident.in_force:
        return Refused("not_in_force", f"효력 중인 조치가 아닙니다({incident.phase})")
    return replace(incident, phase=Phase.LIFTED, ended_at=now)


def customer_status(incidents: Iterable[Incident]) -> Status:
    """The status the customer's incidents in force imply."""
    status = Status.ACTIVE
    for i in incidents:
        if not i.in_force:
            continue
        if i.sanction is Sanction.TERMINATE:
            return Status.TERMINATED
        status = Status.SUSPENDED
    return status
