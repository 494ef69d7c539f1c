"""Disputes and objections: the 15-day deadline, reminders, escalation on day 13, answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hoga.domain.disputes import (
    Case,
    DeadlinePolicy,
    Kind,
    Milestone,
    Refused,
    State,
    advance,
    answer,
    answer_deadline,
    file_case,
    next_due,
    schedule,
    withdraw,
)
from hoga.domain.kst import at_kst

DAY = 86_400_000_000
NOW = at_kst(date(2026, 11, 26), 10 * 3600)  # filed 2026-11-26 10:00 KST (day 0)


def filed(**kw: object) -> Case:
    out = file_case(7, "C1", Kind.DISPUTE, " 체결 지연 ", " 주문이 늦게 체결됨 ", NOW, **kw)  # type: ignore[arg-type]
    assert isinstance(out, Case)
    return out


def test_deadline_is_the_end_of_the_fifteenth_day_after_filing() -> None:
    assert answer_deadline(NOW) == at_kst(date(2026, 12, 12))
    c = filed()
    assert (c.subject, c.body, c.state) == ("체결 지연", "주문이 늦게 체결됨", State.OPEN)
    assert c.deadline == at_kst(date(2026, 12, 12))
    assert c.schedule == (
        (at_kst(date(2026, 12, 6)), Milestone.REMINDER),
        (at_kst(date(2026, 12, 9)), Milestone.ESCALATED),
        (at_kst(date(2026, 12, 11)), Milestone.LAST_DAY),
        (at_kst(date(2026, 12, 12)), Milestone.OVERDUE),
    )


def test_milestones_on_days_10_13_15_and_the_deadline() -> None:
    c = filed()
    assert next_due(c) == at_kst(date(2026, 12, 6))
    same, none = advance(c, NOW + 9 * DAY)
    assert same is c and none == ()
    c, got = advance(c, NOW + 10 * DAY)
    assert got == (Milestone.REMINDER,) and not c.escalated
    c, got = advance(c, NOW + 13 * DAY)
    assert got == (Milestone.ESCALATED,) and c.escalated
    assert c.escalated_at == at_kst(date(2026, 12, 9))
    c, got = advance(c, at_kst(date(2026, 12, 11)) + DAY - 1)  # day 15, last instant
    assert got == (Milestone.LAST_DAY,) and not c.overdue
    c, got = advance(c, at_kst(date(2026, 12, 12)))
    assert got == (Milestone.OVERDUE,) and c.overdue
    assert next_due(c) is None
    assert advance(c, NOW + 99 * DAY) == (c, ())


def test_advance_jumps_several_milestones_at_once() -> None:
    c, got = advance(filed(), NOW + 14 * DAY)
    assert got == (Milestone.REMINDER, Milestone.ESCALATED) and c.reached == 2


def test_answer_closes_and_stops_milestones() -> None:
    c = filed()
    done = answer(c, " 조사 결과 정상 체결 ", NOW + DAY)
    assert isinstance(done, Case)
    assert (done.state, done.answer, done.answered_at, done.closed_at) == (
        State.ANSWERED,
        "조사 결과 정상 체결",
        NOW + DAY,
        NOW + DAY,
    )
    assert not done.late and not done.overdue
    assert next_due(done) is None and advance(done, NOW + 20 * DAY) == (done, ())
    again = answer(done, "x", NOW + 2 * DAY)
    assert isinstance(again, Refused) and again.reason == "not_open"
    empty = answer(c, "  ", NOW)
    assert isinstance(empty, Refused) and empty.reason == "bad_answer"
    late = answer(c, "늦은 답변", c.deadline)
    assert isinstance(late, Case) and late.late


def test_withdraw() -> None:
    c = filed()
    out = withdraw(c, NOW + 1)
    assert isinstance(out, Case) and out.state is State.WITHDRAWN and out.closed_at == NOW + 1
    twice = withdraw(out, NOW + 2)
    assert isinstance(twice, Refused) and twice.reason == "not_open"


def test_bad_filings() -> None:
    for subject, body, reason in (
        ("", "b", "bad_subject"),
        ("s" * 201, "b", "bad_subject"),
        ("s", " ", "bad_body"),
        ("s", "b" * 8001, "bad_body"),
    ):
        out = file_case(1, "C1", Kind.OBJECTION, subject, body, NOW)
        assert isinstance(out, Refused) and out.reason == reason


def test_schedule_drops_marks_not_after_filing_and_policy_is_fixed_at_filing() -> None:
    marks = schedule(NOW, DeadlinePolicy(days=3, reminder_day=0, escalation_day=2))
    assert [m for _, m in marks] == [Milestone.ESCALATED, Milestone.LAST_DAY, Milestone.OVERDUE]
    assert replace(filed(), reached=4).overdue
    assert not replace(filed(), reached=4, state=State.ANSWERED).overdue
    assert filed(policy=DeadlinePolicy(days=20)).deadline == at_kst(date(2026, 12, 17))
