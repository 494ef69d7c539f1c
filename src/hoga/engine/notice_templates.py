"""Korean notice templates, by notice kind (the outbox renders them; AlimTalk maps each kind to
a template code registered with Kakao, whose text must match the text here).

A template is a subject and a body with ``{name}`` variables; :func:`render` fills them from the
notice's params (a missing variable renders as ``-``). Kinds not listed here (e.g. the incident
service's ``"suspended"``) carry their own subject and body through
:meth:`hoga.engine.outbox.Outbox.send`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["TEMPLATES", "Template", "render"]


@dataclass(frozen=True, slots=True)
class Template:
    subject: str
    body: str


_FOOTER = "\n\n본 안내는 Open API 서비스 이용약관에 따라 발송되었습니다. 문의: 고객센터"

TEMPLATES: Mapping[str, Template] = MappingProxyType(
    {
        "maintenance_scheduled": Template(
            "[hoga] 서비스 점검 안내 ({starts_at} ~ {ends_at})",
            "안녕하세요, {customer} 고객님.\n"
            "아래와 같이 Open API 서비스 점검이 예정되어 있어 미리 알려드립니다.\n\n"
            "- 점검 일시: {starts_at} ~ {ends_at}\n"
            "- 점검 대상: {scope}\n"
            "- 점검 사유: {reason}\n\n"
            "점검 중 대상 서비스 호출은 오류코드 1800으로 거절되며, 거래내역·잔고 조회는 "
            "실제와 다를 수 있습니다(응답 헤더 hoga-stale: 1)." + _FOOTER,
        ),
        "maintenance_reminder": Template(
            "[hoga] 서비스 점검 예정 재안내 ({starts_at} 시작)",
            "안녕하세요, {customer} 고객님.\n"
            "예정된 Open API 서비스 점검이 곧 시작됩니다.\n\n"
            "- 점검 일시: {starts_at} ~ {ends_at}\n"
            "- 점검 대상: {scope}\n"
            "- 점검 사유: {reason}" + _FOOTER,
        ),
        "maintenance_cancelled": Template(
            "[hoga] 서비스 점검 취소 안내",
            "안녕하세요, {customer} 고객님.\n"
            "{starts_at} ~ {ends_at}로 안내드린 서비스 점검({scope})이 취소되었습니다.\n"
            "서비스는 정상적으로 제공됩니다." + _FOOTER,
        ),
        "maintenance_emergency": Template(
            "[hoga] 긴급 점검 실시 결과 안내",
            "안녕하세요, {customer} 고객님.\n"
            "예측할 수 없는 사유로 사전 안내 없이 긴급 점검을 실시하였기에 사후 안내드립니다.\n\n"
            "- 점검 일시: {starts_at} ~ {ends_at}\n"
            "- 점검 대상: {scope}\n"
            "- 점검 사유: {reason}\n\n"
            "점검 중 대상 서비스 호출은 오류코드 1800으로 거절되었으며, 해당 시간의 "
            "거래내역·잔고 조회 결과는 지연 반영되었을 수 있습니다. 불편을 드려 죄송합니다."
            + _FOOTER,
        ),
        "service_change": Template(
            "[hoga] 서비스 변경 안내: {title} ({effective_at} 시행)",
            "안녕하세요, {customer} 고객님.\n"
            "Open API 서비스가 아래와 같이 변경됨을 미리 알려드립니다.\n\n"
            "- 변경 내용: {title}\n"
            "- 구분: {kind_text}\n"
            "- 대상 API: {api_ids}\n"
            "- 시행 일시: {effective_at}\n\n"
            "{detail}" + _FOOTER,
        ),
    }
)


class _Lenient(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "-"


def render(kind: str, params: Mapping[str, str]) -> tuple[str, str]:
    """Subject and body of ``kind`` filled from ``params`` (KeyError for an unknown kind)."""
    template = TEMPLATES[kind]
    values = _Lenient(params)
    fmt = string.Formatter()
    return fmt.vformat(template.subject, (), values), fmt.vformat(template.body, (), values)
