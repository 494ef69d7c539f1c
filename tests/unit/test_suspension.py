"""The suspension / termination state machine (terms art. 8, 9) on explicit instants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.kst import at_kst, kst_date, kst_datetime
from hoga.domain.suspension import (
    Cause,
    Evidence,
    Incident,
    Phase,
    Refused,
    Review,
    Sanction,
    Status,
    accept,
    advance,
    counting,
    customer_status,
    explanation_deadline,
    extend,
    lift,
    next_due,
    open_incident,
    reject,
    submit,
    suspension_end,
)

H = 3_600_000_000
DAY = 24 * H
T0 = at_kst(date(2026, 11, 26), 10 * 3600)  # 2026-11-26 10:00 KST


def _open(prior: tuple[Incident, ...] = (), at: int = T0, **kw: object) -> Incident:
    return open_incident(len(prior) + 1, "C1", Cause.ABNORMAL_LOAD, at, prior, **kw)  # type: ignore[arg-type]


def _ok(x: Incident | Refused) -> Incident:
    assert isinstance(x, Incident), x
    return x


def _no(x: Incident | Refused, reason: str) -> None:
    assert isinstance(x, Refused) and x.reason == reason, x


def test_dates_one_month_and_ten_days() -> None:
    assert suspension_end(T0) == at_kst(date(2026, 12, 26), 10 * 3600)
    jan31 = at_kst(date(2027, 1, 31), 15 * 3600 + 7)
    assert suspension_end(jan31) == at_kst(date(2027, 2, 28), 15 * 3600 + 7)
    dec = at_kst(date(2026, 12, 31), 0)
    assert suspension_end(dec) == at_kst(date(2027, 1, 31), 0)
    # the notice day is not counted: due at the end of 2026-12-06 (KST midnight of the 7th)
    assert explanation_deadline(T0) == at_kst(date(2026, 12, 7))
    assert explanation_deadline(T0, 3) == at_kst(date(2026, 11, 30))


@given(st.integers(min_value=0, max_value=4_000_000_000).map(lambda s: s * 1_000_000 + 17))
def test_suspension_is_one_calendar_month(start: int) -> None:
    end = suspension_end(start)
    a, b = kst_datetime(start), kst_datetime(end)
    assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
    assert b.time() == a.time() and b.day <= a.day
    assert 28 * DAY <= end - start <= 31 * DAY


def test_first_incident_suspends_for_a_month_with_a_ten_day_deadline() -> None:
    ev = Evidence("sustained_rejections", T0 - H, T0, (("refused", 900),), ("r1", "r2"))
    inc = _open(reason="1700 storm", evidence=ev)
    assert inc.sanction is Sanction.SUSPEND and inc.in_force and inc.counts
    assert inc.ends_at == suspension_end(T0) and inc.deadline == explanation_deadline(T0)
    assert inc.review is Review.AWAITING and inc.evidence == ev
    assert customer_status([inc]) is Status.SUSPENDED
    assert next_due(inc) == inc.deadline


def test_deadline_lapses_then_extension_reopens_and_suspension_expires() -> None:
    inc = _open()
    assert advance(inc, inc.deadline - 1) is inc
    lapsed = advance(inc, inc.deadline)
    assert lapsed.review is Review.LAPSED and lapsed.in_force
    assert next_due(lapsed) == inc.ends_at
    _no(submit(lapsed, "늦은 소명", inc.deadline), "not_awaiting")
    _no(extend(lapsed, inc.deadline, inc.deadline + 1), "deadline_not_later")
    later = _ok(extend(lapsed, inc.deadline + 5 * DAY, inc.deadline + 1))
    assert later.review is Review.AWAITING and later.deadline == inc.deadline + 5 * DAY
    sent = _ok(submit(later, "  설명  ", inc.deadline + 2))
    assert sent.review is Review.SUBMITTED and sent.explanation == "설명"
    assert sent.explained_at == inc.deadline + 2
    assert next_due(sent) == inc.ends_at
    _no(extend(sent, inc.deadline + 9 * DAY, inc.deadline + 3), "not_awaiting")
    assert inc.ends_at is not None
    ended = advance(sent, inc.ends_at)
    assert ended.phase is Phase.EXPIRED and ended.ended_at == inc.ends_at
    assert customer_status([ended]) is Status.ACTIVE
    assert next_due(ended) is None and ended.counts


def test_submit_refusals() -> None:
    inc = _open()
    _no(submit(inc, "   ", T0), "empty_explanation")
    _no(submit(inc, "x", inc.deadline), "deadline_passed")
    sent = _ok(submit(inc, "x", inc.deadline - 1))
    _no(submit(sent, "y", T0), "not_awaiting")


def test_accept_lifts_and_dismisses() -> None:
    inc = _ok(submit(_open(), "정상 매매 프로그램 오류", T0 + H))
    done = _ok(accept(inc, T0 + 2 * H))
    assert done.review is Review.ACCEPTED and done.phase is Phase.DISMISSED
    assert done.ended_at == T0 + 2 * H and done.decided_at == T0 + 2 * H
    assert not done.counts and customer_status([done]) is Status.ACTIVE
    _no(accept(done, T0 + 3 * H), "not_submitted")
    _no(reject(done, T0 + 3 * H), "not_submitted")
    # accepted after the suspension already expired: the end stays where it was
    assert inc.ends_at is not None
    expired = advance(inc, inc.ends_at)
    late = _ok(accept(expired, inc.ends_at + H))
    assert late.ended_at == inc.ends_at and late.phase is Phase.DISMISSED


def test_reject_keeps_the_suspension_until_it_ends() -> None:
    inc = _ok(submit(_open(), "x", T0 + H))
    no = _ok(reject(inc, T0 + 2 * H))
    assert no.review is Review.REJECTED and no.in_force and no.decided_at == T0 + 2 * H
    assert customer_status([no]) is Status.SUSPENDED and no.counts
    assert no.ends_at is not None
    assert advance(no, no.ends_at).phase is Phase.EXPIRED


def test_operator_lift_ends_early_but_still_counts() -> None:
    inc = _open()
    lifted = _ok(lift(inc, T0 + DAY))
    assert lifted.phase is Phase.LIFTED and lifted.ended_at == T0 + DAY and lifted.counts
    assert customer_status([lifted]) is Status.ACTIVE
    _no(lift(lifted, T0 + 2 * DAY), "not_in_force")
    # the explanation process goes on independently of the sanction
    assert next_due(lifted) == lifted.deadline


def test_third_counting_incident_terminates() -> None:
    first = _open()
    second = _open((first,), at=T0 + 40 * DAY)
    assert second.sanction is Sanction.SUSPEND
    third = _open((first, second), at=T0 + 80 * DAY)
    assert third.sanction is Sanction.TERMINATE and third.ends_at is None
    assert customer_status([first, second, third]) is Status.TERMINATED
    assert next_due(third) == third.deadline
    assert advance(third, T0 + 10_000 * DAY).in_force  # a termination never expires
    # an accepted explanation takes an incident out of the count
    dismissed = _ok(accept(_ok(submit(first, "x", T0 + 1)), T0 + 2))
    again = _open((dismissed, second), at=T0 + 80 * DAY)
    assert again.sanction is Sanction.SUSPEND
    assert counting([dismissed, second, again]) == 2
    # other customers' incidents do not count for this one
    other = replace(first, customer_id="C2")
    assert _open((other, second)).sanction is Sanction.SUSPEND
    # a termination whose explanation is accepted reinstates the customer
    back = _ok(accept(_ok(submit(third, "x", third.opened_at + 1)), third.opened_at + 2))
    later = T0 + 90 * DAY
    assert customer_status([advance(first, later), advance(second, later), back]) is Status.ACTIVE


def test_threshold_is_configurable_and_regulator_orders_are_taken_as_given() -> None:
    assert _open(threshold=1).sanction is Sanction.TERMINATE
    reg = open_incident(1, "C1", Cause.REGULATOR, T0, sanction=Sanction.TERMINATE)
    assert reg.sanction is Sanction.TERMINATE and not reg.counts
    reg_s = open_incident(2, "C1", Cause.REGULATOR, T0, (reg,), sanction=Sanction.SUSPEND)
    assert reg_s.sanction is Sanction.SUSPEND and reg_s.ends_at == suspension_end(T0)
    assert counting([reg, reg_s]) == 0
    short = open_incident(3, "C1", Cause.REGULATOR, T0, explanation_days=1)
    assert kst_date(short.deadline) == date(2026, 11, 28)


def test_status_prefers_termination_over_suspension() -> None:
    s = _open()
    t = open_incident(2, "C1", Cause.REGULATOR, T0, sanction=Sanction.TERMINATE)
    assert customer_status([s, t]) is Status.TERMINATED
    assert customer_status([t, s]) is Status.TERMINATED
    assert customer_status([]) is Status.ACTIVE
