"""The verification port of onboarding (terms art. 6 ②, 7 ①): who the applicant is, and whether
they hold the brokerage account they name.

Signing up for the Open API needs an account at the operator (art. 6 ①), then consent to the
terms, identity verification (본인인증) and account verification (계좌인증) (art. 6 ②). A
:class:`Verifier` answers the three checks for one :class:`Applicant`, each as a
:class:`Verdict`; a failed verdict names a stable ``reason`` code and a Korean ``detail`` shown
to the applicant:

- ``no_account`` — no account at the operator under that number (art. 6 ①);
- ``borrowed_name`` — the account or the identity belongs to someone else (art. 7 ① 1);
- ``false_data`` — the application states false particulars (art. 7 ① 2);
- ``identity_failed`` / ``account_unverified`` — the verification could not be completed.

Checks are synchronous and may block (a real verifier calls a provider over the network): the
API runs them in a worker thread. A verifier must not raise for an applicant who fails a check;
exceptions mean the verifier itself is broken.

Adapters: ``hoga.adapters.verifier_sim`` (deterministic patterns, the default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Applicant", "Verdict", "Verifier"]


@dataclass(frozen=True, slots=True)
class Applicant:
    """What the application states: ``birth_date`` is ``YYYYMMDD``, ``phone`` digits only,
    ``account_no`` the 10-digit account the applicant holds at the operator."""

    name: str
    birth_date: str
    phone: str
    account_no: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one check (``reason`` and ``detail`` empty when ``ok``)."""

    ok: bool
    reason: str = ""
    detail: str = ""


class Verifier(Protocol):
    """Runs the onboarding checks (see the module docstring)."""

    def account_holder(self, applicant: Applicant) -> Verdict:
        """Does the applicant hold ``account_no`` at the operator, in their own name?"""
        ...

    def identity(self, applicant: Applicant) -> Verdict:
        """Is the applicant who they say they are (name, birth date, phone)?"""
        ...

    def account(self, applicant: Applicant) -> Verdict:
        """Does the applicant control the account (e.g. a one-won transfer code)?"""
        ...
