"""A simulated verifier (the default): deterministic answers from documented patterns.

Every applicant passes except these (checked in this order: account holder, identity, account):

========================================  ==========================  ==========================
pattern                                   check                       reason
========================================  ==========================  ==========================
account number starting with ``0``        account holder              ``no_account``
name starting with ``타인``               account holder              ``borrowed_name``
name starting with ``허위``               identity                    ``false_data``
phone number ending in ``0000``           identity                    ``identity_failed``
account number ending in ``00``           account                     ``account_unverified``
========================================  ==========================  ==========================
"""

from __future__ import annotations

from hoga.ports.verifier import Applicant, Verdict

__all__ = ["SimVerifier"]

_OK = Verdict(True)


class SimVerifier:
    """See the module docstring."""

    def account_holder(self, applicant: Applicant) -> Verdict:
        if applicant.account_no.startswith("0"):
            return Verdict(False, "no_account", "회사에 개설된 해당 계좌가 없습니다")
        if applicant.name.startswith("타인"):
            return Verdict(
                False, "borrowed_name", "계좌 명의인과 신청인이 다릅니다(타인 명의 신청)"
            )
        return _OK

    def identity(self, applicant: Applicant) -> Verdict:
        if applicant.name.startswith("허위"):
            return Verdict(False, "false_data", "신청 내용이 본인 확인 정보와 다릅니다(허위 기재)")
        if applicant.phone.endswith("0000"):
            return Verdict(False, "identity_failed", "휴대전화 본인인증에 실패했습니다")
        return _OK

    def account(self, applicant: Applicant) -> Verdict:
        if applicant.account_no.endswith("00"):
            return Verdict(False, "account_unverified", "계좌 인증에 실패했습니다")
        return _OK
