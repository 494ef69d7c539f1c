"""Terms versions, publication lead time and consent (Open API terms art. 6 ②, 15), as pure values.

A :class:`TermsVersion` is one text of the terms with the instant it takes effect
(``effective_at``, epoch µs; the CLI gives a KST date, i.e. that day's KST midnight).

- **Lead time (art. 15 ①).** A change is posted at least one month before it takes effect: the
  effective date must be on or after the same KST calendar day of the next month as the posting
  day (day clamped: posted 31 January → 28/29 February at the earliest). :func:`publish`
  refuses a shorter notice (``notice_too_short``) unless the version is marked ``urgent`` — a
  change forced by a new law (art. 15 ②): it may take effect at once (not before the start of
  the posting day), and stays posted at least one month from posting (:func:`posted_until`).
  The first version, and a version replacing only ``sample`` versions (hoga's demo text, which
  binds nobody), need no lead time. Versions take effect in the order they are published: a new
  one must take effect after every earlier one (``not_after_previous``); labels are unique.
- **Current version.** :func:`current` is the latest version in effect at ``now``;
  :func:`upcoming` the ones published but not yet in effect.
- **Consent (art. 15 ③ ④).** Each customer's actions on a version are :class:`Consent` values
  (``consent``, ``objection``, ``deemed``, ``termination``), kept in the order they happened. The
  last of ``consent`` / ``objection`` decides; with neither, *silence* counts as consent from the
  effective date (``deemed``; before it the customer is ``pending``). An objection is accepted
  only before the version takes effect (:func:`may_object`); consent is accepted at any time and
  withdraws an earlier objection. A customer may end the service (``termination``) at any time
  before the effective date and after it alike.
- **Objectors at the effective date.** A customer whose last word on the version in effect is an
  objection, and who did not leave, is :func:`barred`: the service refuses their calls (they are
  not served under terms they refused) until they consent or end the service.

Functions take ``now`` from the caller; refusals are :class:`Refused` values, never exceptions.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from hoga.domain.kst import at_kst, kst_date
from hoga.domain.suspension import Refused

__all__ = [
    "MAX_BODY_CHARS",
    "Action",
    "Consent",
    "Refused",
    "Standing",
    "TermsVersion",
    "add_month",
    "barred",
    "current",
    "earliest_effective",
    "may_object",
    "next_due",
    "posted",
    "posted_until",
    "publish",
    "standing",
    "upcoming",
]

MAX_BODY_CHARS = 200_000
_MAX_LABEL = 64


class Action(enum.StrEnum):
    """What a customer did about a version (``deemed``: silence at the effective date)."""

    CONSENT = "consent"
    OBJECTION = "objection"
    DEEMED = "deemed"
    TERMINATION = "termination"


class Standing(enum.StrEnum):
    """A customer's position on one version at some instant."""

    CONSENTED = "consented"
    OBJECTED = "objected"
    DEEMED = "deemed"  # silence, on or after the effective date
    PENDING = "pending"  # silence, before the effective date
    TERMINATED = "terminated"


@dataclass(frozen=True, slots=True)
class TermsVersion:
    """One published text of the terms (see the module docstring)."""

    id: int
    version: str  # label, e.g. "ko-v2"
    title: str
    body: str
    published_at: int
    effective_at: int
    urgent: bool = False
    sample: bool = False


@dataclass(frozen=True, slots=True)
class Consent:
    """One action of a customer on a version, at ``at`` (epoch µs)."""

    customer_id: str
    version_id: int
    action: Action
    at: int


def add_month(day: date) -> date:
    """The same day of the next month (clamped to that month's last day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def earliest_effective(now: int) -> int:
    """The earliest effective instant of a non-urgent change posted at ``now``: KST midnight
    starting the same day of the next month."""
    return at_kst(add_month(kst_date(now)))


def posted_until(v: TermsVersion) -> int:
    """Until when the change stays on the notice board: its effective instant, and for an
    urgent change at least one month after posting."""
    if v.urgent:
        return max(v.effective_at, at_kst(add_month(kst_date(v.published_at))))
    return v.effective_at


def publish(
    version_id: int,
    label: str,
    title: str,
    body: str,
    effective_at: int,
    now: int,
    prior: Sequence[TermsVersion] = (),
    *,
    urgent: bool = False,
    sample: bool = False,
) -> TermsVersion | Refused:
    """A new version posted at ``now``, or why it cannot be (see the module docstring)."""
    label = label.strip()
    if not label or len(label) > _MAX_LABEL or not label.isprintable() or " " in label:
        return Refused("bad_label", "버전 이름은 공백 없이 1~64자여야 합니다")
    if not body.strip() or len(body) > MAX_BODY_CHARS:
        return Refused("bad_body", f"약관 본문은 1~{MAX_BODY_CHARS:,}자여야 합니다")
    if any(p.version == label for p in prior):
        return Refused("duplicate_version", f"이미 게시된 버전입니다({label})")
    if effective_at < at_kst(kst_date(now)):
        return Refused("effective_in_past", "시행일이 게시일보다 이릅니다")
    if prior and effective_at <= max(p.effective_at for p in prior):
        return Refused("not_after_previous", "시행일은 이전 버전들의 시행일보다 늦어야 합니다")
    binding = [p for p in prior if not p.sample]
    earliest = earliest_effective(now)
    if binding and not urgent and effective_at < earliest:
        return Refused(
            "notice_too_short",
            "약관 변경은 시행일 1개월 전에 게시해야 합니다"
            f"(가장 빠른 시행일 {kst_date(earliest).isoformat()}; 법령 개정에 따른 긴급 변경은 "
            "urgent로 표시)",
        )
    return TermsVersion(
        version_id,
        label,
        title.strip() or label,
        body,
        now,
        effective_at,
        urgent=urgent,
        sample=sample,
    )


def current(versions: Iterable[TermsVersion], now: int) -> TermsVersion | None:
    """The version in effect at ``now`` (the latest effective one), if any."""
    live = [v for v in versions if v.effective_at <= now]
    return max(live, key=lambda v: v.effective_at, default=None)


def upcoming(versions: Iterable[TermsVersion], now: int) -> list[TermsVersion]:
    """Published versions not yet in effect at ``now``, by effective instant."""
    return sorted((v for v in versions if v.effective_at > now), key=lambda v: v.effective_at)


def posted(versions: Iterable[TermsVersion], now: int) -> list[TermsVersion]:
    """Changes on the notice board at ``now`` (see :func:`posted_until`), by effective instant."""
    on = (v for v in versions if v.published_at <= now < posted_until(v))
    return sorted(on, key=lambda v: v.effective_at)


def next_due(versions: Iterable[TermsVersion], now: int) -> int | None:
    """The next effective instant after ``now`` (None: nothing pending)."""
    return min((v.effective_at for v in versions if v.effective_at > now), default=None)


def standing(v: TermsVersion, actions: Iterable[Consent], now: int) -> Standing:
    """A customer's standing on ``v`` at ``now`` from their ``actions`` (in the order they
    happened; actions on other versions are ignored)."""
    said: Action | None = None
    for a in actions:
        if a.version_id != v.id or a.at > now:
            continue
        if a.action is Action.TERMINATION:
            return Standing.TERMINATED
        if a.action is not Action.DEEMED or said is None:
            said = a.action
    if said is Action.CONSENT:
        return Standing.CONSENTED
    if said is Action.OBJECTION:
        return Standing.OBJECTED
    return Standing.DEEMED if now >= v.effective_at else Standing.PENDING


def may_object(v: TermsVersion, now: int) -> Refused | None:
    """Whether an objection to ``v`` is accepted at ``now`` (only before it takes effect)."""
    if now >= v.effective_at:
        return Refused(
            "already_effective",
            f"시행일이 지나 변경에 동의한 것으로 봅니다({v.version}); 서비스 해지는 가능합니다",
        )
    return None


def barred(v: TermsVersion | None, actions: Iterable[Consent], now: int) -> bool:
    """Whether a customer who objected to the version in effect (``v``) is refused service."""
    if v is None or now < v.effective_at:
        return False
    return standing(v, actions, now) is Standing.OBJECTED
