"""Terms versions: publication lead time, urgent changes, current version, consent and silence."""

from __future__ import annotations

from datetime import date

import pytest

from hoga.domain.kst import at_kst
from hoga.domain.terms import (
    Action,
    Consent,
    Refused,
    Standing,
    TermsVersion,
    add_month,
    barred,
    current,
    earliest_effective,
    may_object,
    next_due,
    posted,
    posted_until,
    publish,
    standing,
    upcoming,
)

DAY = 86_400_000_000
NOW = at_kst(date(2026, 11, 26), 10 * 3600)  # 2026-11-26 10:00 KST
V1 = TermsVersion(1, "ko-v1", "약관", "본문", 0, 0)


def ok(out: TermsVersion | Refused) -> TermsVersion:
    assert isinstance(out, TermsVersion), out
    return out


def refused(out: TermsVersion | Refused) -> str:
    assert isinstance(out, Refused), out
    return out.reason


@pytest.mark.parametrize(
    ("day", "month_later"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 11, 26), date(2026, 12, 26)),
    ],
)
def test_add_month_clamps_and_wraps(day: date, month_later: date) -> None:
    assert add_month(day) == month_later


def test_lead_time_is_one_calendar_month_from_the_posting_day() -> None:
    earliest = earliest_effective(NOW)
    assert earliest == at_kst(date(2026, 12, 26))
    v2 = ok(publish(2, " ko-v2 ", "", "새 본문", earliest, NOW, [V1]))
    assert (v2.version, v2.title, v2.published_at, v2.urgent) == ("ko-v2", "ko-v2", NOW, False)
    assert refused(publish(2, "ko-v2", "t", "b", earliest - 1, NOW, [V1])) == "notice_too_short"
    short = publish(2, "ko-v2", "t", "b", earliest - DAY, NOW, [V1])
    assert isinstance(short, Refused) and "2026-12-26" in short.detail


def test_urgent_change_may_take_effect_today_and_stays_posted_a_month() -> None:
    today = at_kst(date(2026, 11, 26))
    v2 = ok(publish(2, "ko-v2", "법령 개정", "b", today, NOW, [V1], urgent=True))
    assert v2.urgent and posted_until(v2) == at_kst(date(2026, 12, 26))
    late = ok(publish(3, "ko-v3", "t", "b", at_kst(date(2027, 3, 1)), NOW, [V1], urgent=True))
    assert posted_until(late) == late.effective_at
    assert refused(publish(2, "x", "t", "b", today - 1, NOW, [V1], urgent=True)) == (
        "effective_in_past"
    )


def test_first_version_and_sample_replacement_need_no_lead_time() -> None:
    assert ok(publish(1, "ko-v1", "t", "b", NOW, NOW, [])).effective_at == NOW
    sample = TermsVersion(1, "sample", "t", "b", 0, 0, sample=True)
    assert ok(publish(2, "mine", "t", "b", NOW + 1, NOW, [sample])).version == "mine"


@pytest.mark.parametrize(
    ("label", "body", "reason"),
    [
        ("", "b", "bad_label"),
        ("two words", "b", "bad_label"),
        ("x" * 65, "b", "bad_label"),
        ("bad\tlabel", "b", "bad_label"),
        ("ok", "   ", "bad_body"),
        ("ok", "x" * 200_001, "bad_body"),
        ("ko-v1", "b", "duplicate_version"),
    ],
)
def test_bad_publications(label: str, body: str, reason: str) -> None:
    far = NOW + 90 * DAY
    assert refused(publish(2, label, "t", body, far, NOW, [V1])) == reason


def test_versions_take_effect_in_publication_order() -> None:
    v2 = TermsVersion(2, "ko-v2", "t", "b", NOW, NOW + 60 * DAY)
    assert refused(publish(3, "ko-v3", "t", "b", NOW + 45 * DAY, NOW, [V1, v2])) == (
        "not_after_previous"
    )


def test_current_upcoming_posted_and_next_due() -> None:
    v2 = TermsVersion(2, "ko-v2", "t", "b", NOW, NOW + 31 * DAY)
    v3 = TermsVersion(3, "ko-v3", "t", "b", NOW + DAY, NOW + 62 * DAY, urgent=True)
    vs = [V1, v3, v2]
    assert current(vs, NOW) == V1
    assert current(vs, NOW + 31 * DAY) == v2
    assert current([v2], NOW) is None
    assert upcoming(vs, NOW) == [v2, v3]
    assert posted(vs, NOW) == [v2]
    assert posted(vs, NOW + DAY) == [v2, v3]
    assert posted(vs, NOW + 31 * DAY) == [v3]
    assert next_due(vs, NOW) == v2.effective_at
    assert next_due(vs, NOW + 62 * DAY) is None


def test_silence_is_consent_from_the_effective_date() -> None:
    v2 = TermsVersion(2, "ko-v2", "t", "b", NOW, NOW + 31 * DAY)
    assert standing(v2, [], NOW) is Standing.PENDING
    assert standing(v2, [], v2.effective_at) is Standing.DEEMED
    other = Consent("c", 1, Action.OBJECTION, NOW)
    assert standing(v2, [other], v2.effective_at) is Standing.DEEMED


def test_last_word_decides_and_deemed_never_overrides() -> None:
    v2 = TermsVersion(2, "ko-v2", "t", "b", NOW, NOW + 31 * DAY)
    obj = Consent("c", 2, Action.OBJECTION, NOW + DAY)
    yes = Consent("c", 2, Action.CONSENT, NOW + 2 * DAY)
    deemed = Consent("c", 2, Action.DEEMED, v2.effective_at)
    assert standing(v2, [obj], NOW + DAY) is Standing.OBJECTED
    assert standing(v2, [obj], NOW) is Standing.PENDING  # not yet said at that instant
    assert standing(v2, [obj, yes], NOW + 3 * DAY) is Standing.CONSENTED
    assert standing(v2, [obj, deemed], v2.effective_at) is Standing.OBJECTED
    assert standing(v2, [deemed], v2.effective_at) is Standing.DEEMED
    assert standing(v2, [deemed, obj], v2.effective_at + DAY) is Standing.OBJECTED
    gone = Consent("c", 2, Action.TERMINATION, NOW + 4 * DAY)
    assert standing(v2, [obj, gone], NOW + 5 * DAY) is Standing.TERMINATED


def test_objection_window_and_barring() -> None:
    v2 = TermsVersion(2, "ko-v2", "t", "b", NOW, NOW + 31 * DAY)
    assert may_object(v2, v2.effective_at - 1) is None
    late = may_object(v2, v2.effective_at)
    assert isinstance(late, Refused) and late.reason == "already_effective"
    obj = [Consent("c", 2, Action.OBJECTION, NOW)]
    assert not barred(v2, obj, v2.effective_at - 1)
    assert barred(v2, obj, v2.effective_at)
    assert not barred(v2, [*obj, Consent("c", 2, Action.CONSENT, NOW + DAY)], v2.effective_at)
    assert not barred(v2, [], v2.effective_at)
    assert not barred(None, obj, v2.effective_at)
