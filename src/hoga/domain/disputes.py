"""Disputes and objections with their 15-day answer deadline (terms art. 4 ③, 18 ②), as values.

A :class:`Case` is one dispute (art. 18: complaints, claims for damages) or objection /
confirmation request (art. 4 ③) a customer filed. The operator answers it; the customer may
withdraw it while it is open.

- **Deadline.** The operator answers "within 15 days": the day of filing is not counted (Korean
  civil-law rule), so the answer is due before KST midnight ending the 15th following day
  (:func:`answer_deadline`). An answer at an instant ``< deadline`` is in time; a later answer
  is still accepted and marked late.
- **Milestones** (:class:`Milestone`, from a :class:`DeadlinePolicy`) fall at KST midnight
  starting a day counted from the filing day (day 0): a ``reminder`` to the operator (day 10 by
  default), ``escalated`` to the person responsible for disputes (day 13), a ``last_day``
  reminder (day 15, the last day) and ``overdue`` at the deadline (the start of day 16). They
  are fixed at filing (``schedule``), so a later policy change does not move an open case's
  dates. Only open cases reach milestones.
- **Time** moves only through :func:`advance` with a ``now`` the caller reads from its clock; it
  returns the case and the milestones newly reached, in order, so the caller can notify each
  exactly once. :func:`next_due` says when the next one is.

Refusals are :class:`Refused` values (a stable ``reason`` code and a Korean ``detail``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import timedelta

from hoga.domain.kst import at_kst, kst_date
from hoga.domain.suspension import Refused

__all__ = [
    "ANSWER_DAYS",
    "MAX_BODY",
    "MAX_SUBJECT",
    "Case",
    "DeadlinePolicy",
    "Kind",
    "Milestone",
    "Refused",
    "State",
    "advance",
    "answer",
    "answer_deadline",
    "file_case",
    "next_due",
    "schedule",
    "withdraw",
]

ANSWER_DAYS = 15
MAX_SUBJECT = 200
MAX_BODY = 8_000


class Kind(enum.StrEnum):
    DISPUTE = "dispute"  # art. 18
    OBJECTION = "objection"  # art. 4 ③ (objection or request for confirmation)


class State(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"


class Milestone(enum.StrEnum):
    REMINDER = "reminder"
    ESCALATED = "escalated"
    LAST_DAY = "last_day"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """Days (counted from the filing day, day 0) of the answer period and its milestones."""

    days: int = ANSWER_DAYS
    reminder_day: int = 10
    escalation_day: int = 13


@dataclass(frozen=True, slots=True)
class Case:
    """One dispute or objection (see the module docstring). ``reached`` counts the milestones
    of ``schedule`` already passed."""

    id: int
    customer_id: str
    kind: Kind
    subject: str
    body: str
    filed_at: int
    deadline: int
    schedule: tuple[tuple[int, Milestone], ...]
    state: State = State.OPEN
    reached: int = 0
    answer: str = ""
    answered_at: int | None = None
    escalated_at: int | None = None
    closed_at: int | None = None

    @property
    def escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def overdue(self) -> bool:
        """Open past its deadline (as last advanced)."""
        passed = {m for _, m in self.schedule[: self.reached]}
        return self.state is State.OPEN and Milestone.OVERDUE in passed

    @property
    def late(self) -> bool:
        """Answered at or after the deadline."""
        return self.answered_at is not None and self.answered_at >= self.deadline


def answer_deadline(filed_at: int, days: int = ANSWER_DAYS) -> int:
    """KST midnight ending the ``days``-th day after the filing day."""
    return at_kst(kst_date(filed_at) + timedelta(days=days + 1))


def schedule(filed_at: int, policy: DeadlinePolicy) -> tuple[tuple[int, Milestone], ...]:
    """The milestones of a case filed at ``filed_at``, in time order (see the docstring)."""
    day0 = kst_date(filed_at)
    marks = [
        (at_kst(day0 + timedelta(days=policy.reminder_day)), Milestone.REMINDER),
        (at_kst(day0 + timedelta(days=policy.escalation_day)), Milestone.ESCALATED),
        (at_kst(day0 + timedelta(days=policy.days)), Milestone.LAST_DAY),
        (answer_deadline(filed_at, policy.days), Milestone.OVERDUE),
    ]
    return tuple(sorted(m for m in marks if m[0] > filed_at))


def file_case(
    case_id: int,
    customer_id: str,
    kind: Kind,
    subject: str,
    body: str,
    now: int,
    policy: DeadlinePolicy = DeadlinePolicy(),
) -> Case | Refused:
    """A case filed at ``now``, or why not (empty or oversized subject / body)."""
    subject, body = subject.strip(), body.strip()
    if not subject or len(subject) > MAX_SUBJECT:
        return Refused("bad_subject", f"제목은 1~{MAX_SUBJECT}자여야 합니다")
    if not body or len(body) > MAX_BODY:
        return Refused("bad_body", f"내용은 1~{MAX_BODY:,}자여야 합니다")
    return Case(
        case_id,
        customer_id,
        kind,
        subject,
        body,
        now,
        answer_deadline(now, policy.days),
        schedule(now, policy),
    )


def advance(case: Case, now: int) -> tuple[Case, tuple[Milestone, ...]]:
    """Pass the milestones due at ``now``; the case and the ones newly reached, in order."""
    if case.state is not State.OPEN:
        return case, ()
    due = [(at, m) for at, m in case.schedule[case.reached :] if at <= now]
    if not due:
        return case, ()
    escalated = case.escalated_at
    for at, m in due:
        if m is Milestone.ESCALATED:
            escalated = at
    out = replace(case, reached=case.reached + len(due), escalated_at=escalated)
    return out, tuple(m for _, m in due)


def next_due(case: Case) -> int | None:
    """When :func:`advance` would next change ``case`` (None: never)."""
    if case.state is not State.OPEN or case.reached >= len(case.schedule):
        return None
    return case.schedule[case.reached][0]


def answer(case: Case, text: str, now: int) -> Case | Refused:
    """The operator's answer (investigation or outcome); closes the case."""
    text = text.strip()
    if not text or len(text) > MAX_BODY:
        return Refused("bad_answer", f"답변은 1~{MAX_BODY:,}자여야 합니다")
    if case.state is not State.OPEN:
        return Refused("not_open", f"답변할 수 없는 상태입니다({case.state})")
    return replace(case, state=State.ANSWERED, answer=text, answered_at=now, closed_at=now)


def withdraw(case: Case, now: int) -> Case | Refused:
    """The customer withdraws an open case."""
    if case.state is not State.OPEN:
        return Refused("not_open", f"철회할 수 없는 상태입니다({case.state})")
    return replace(case, state=State.WITHDRAWN, closed_at=now)
