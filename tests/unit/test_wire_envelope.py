"""hoga.wire.envelope / errors / rejects: bodies byte-exact against the spec's examples."""

from __future__ import annotations

import json

import msgspec
import pytest

from hoga.domain.events import RejectReason
from hoga.wire import envelope
from hoga.wire.errors import ERRORS, ApiError, error_body
from hoga.wire.rejects import BUSINESS, REJECT_REASONS, business_error, reject_order
from hoga.wire.schemas import acnt, oauth, ordr, stkinfo


def compact(text: str) -> bytes:
    """The spec example re-encoded compactly, keys in the example's order."""
    return msgspec.json.encode(json.loads(text))


def test_envelope_only_success() -> None:
    expected = compact('{"return_code": 0, "return_msg": "정상적으로 처리되었습니다"}')
    assert envelope.ok() == expected
    assert envelope.ok(oauth.Au10002Response()) == expected


def test_token_response() -> None:
    resp = oauth.Au10001Response(
        expires_dt="20241107083713", token_type="bearer", token="WQJCwyqInphKnR3bSRtB9NE1lv..."
    )
    assert envelope.ok(resp) == compact(
        '{"expires_dt": "20241107083713", "token_type": "bearer", "token": '
        '"WQJCwyqInphKnR3bSRtB9NE1lv...", "return_code": 0, '
        '"return_msg": "정상적으로 처리되었습니다"}'
    )


def test_account_number() -> None:
    body = envelope.ok(acnt.Ka00001Response(acctNo="0123456789"))
    assert body == compact(
        '{"acctNo": "0123456789", "return_code": 0, "return_msg": "정상적으로 처리되었습니다"}'
    )


def test_order_acknowledgements() -> None:
    sell = ordr.Kt10001Response(ord_no="0000138", dmst_stex_tp="KRX")
    assert envelope.ok(sell, envelope.success_message("kt10001")) == compact(
        '{"ord_no": "0000138", "dmst_stex_tp": "KRX", "return_code": 0, '
        '"return_msg": "매도주문이 완료되었습니다."}'
    )
    modify = ordr.Kt10002Response(
        ord_no="0000140", base_orig_ord_no="0000139", mdfy_qty="000000000001", dmst_stex_tp="KRX"
    )
    assert envelope.ok(modify, envelope.success_message("kt10002")) == compact(
        '{"ord_no": "0000140", "base_orig_ord_no": "0000139", "mdfy_qty": "000000000001", '
        '"dmst_stex_tp": "KRX", "return_code": 0, '
        '"return_msg": "매수정정 주문입력이 완료되었습니다"}'
    )
    cancel = ordr.Kt10003Response(
        ord_no="0000141", base_orig_ord_no="0000139", cncl_qty="000000000001"
    )
    assert envelope.ok(cancel, envelope.success_message("kt10003")) == compact(
        '{"ord_no": "0000141", "base_orig_ord_no": "0000139", "cncl_qty": "000000000001", '
        '"return_code": 0, "return_msg": "매수취소 주문입력이 완료되었습니다"}'
    )


@pytest.mark.parametrize(
    ("api_id", "mock", "buy", "msg"),
    [
        ("kt10000", False, True, "정상적으로 처리되었습니다"),
        ("kt10000", True, True, "모의투자 매수주문완료"),
        ("kt10001", True, False, "모의투자 매도주문완료"),
        ("kt10003", False, False, "매도취소 주문입력이 완료되었습니다"),
        ("kt10008", True, True, "모의투자 매수정정 주문입력이 완료되었습니다"),
        ("kt00018", False, True, "조회가 완료되었습니다"),
        ("kt00001", True, True, "조회가 완료되었습니다."),
        ("ka10075", False, True, " 조회가 완료되었습니다."),
        ("ka10001", False, True, "정상적으로 처리되었습니다"),
    ],
)
def test_success_messages(api_id: str, mock: bool, buy: bool, msg: str) -> None:
    assert envelope.success_message(api_id, mock=mock, buy=buy) == msg


def test_mock_text_does_not_double_prefix() -> None:
    assert envelope.mock_text("장종료", mock=True) == "모의투자 장종료"
    assert envelope.mock_text("모의투자 장종료", mock=True) == "모의투자 장종료"
    assert envelope.mock_text("장종료", mock=False) == "장종료"


def test_response_headers() -> None:
    headers = dict(envelope.response_headers("ka10081", cont_yn=True, next_key="k1"))
    assert headers["api-id"] == "ka10081"
    assert headers["cont-yn"] == "Y"
    assert headers["next-key"] == "k1"
    assert headers["access-control-expose-headers"] == "api-id,cont-yn,next-key"
    last = dict(envelope.response_headers("ka10081", next_key="ignored"))
    assert (last["cont-yn"], last["next-key"]) == ("N", "")
    assert all(name == name.lower() for name, _ in envelope.response_headers("x"))


@pytest.mark.parametrize(
    ("code", "params", "status", "text"),
    [
        (
            8005,
            {},
            200,
            '{"return_code": 3, "return_msg": '
            '"인증에 실패했습니다[8005:Token이 유효하지 않습니다]"}',
        ),
        (
            1700,
            {"api_id": "kt00001"},
            429,
            '{"return_code": 5, "return_msg": '
            '"허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 '
            '초과하였습니다. API ID=kt00001]"}',
        ),
        (
            1504,
            {"api_id": "usa10099", "uri": "/api/us/mrkcond"},
            200,
            '{"return_code": 1, "return_msg": '
            '"잘못된 요청입니다[1504:해당 URI에서는 지원하는 API ID가 '
            '아닙니다. API ID=usa10099, URI=/api/us/mrkcond]"}',
        ),
        (
            1511,
            {"param": "cycle_tp"},
            200,
            '{"return_code": 2, "return_msg": '
            '"입력 값 오류입니다[1511:필수 입력 값에 값이 존재하지 '
            '않습니다. 필수입력 파라미터=cycle_tp]"}',
        ),
        (
            1634,
            {},
            200,
            '{"return_code": 5, "return_msg": "허용된 요청 개수를 초과하였습니다[1634]"}',
        ),
        (
            8050,
            {},
            200,
            '{"return_code": 3, "return_msg": '
            '"인증에 실패했습니다[8050:지정단말기 인증에 실패했습니다]"}',
        ),
    ],
)
def test_error_bodies(code: int, params: dict[str, str], status: int, text: str) -> None:
    assert error_body(code, **params) == (status, compact(text))


def test_error_table_covers_the_documented_codes() -> None:
    documented = {1501, 1504, 1505, 1511, 1512, 1513, 1514, 1515, 1516, 1517, 1687, 1700}
    documented |= {1901, 1902, 1999, 8001, 8002, 8003, 8005, 8006, 8009, 8010, 8011, 8012}
    documented |= {8015, 8016, 8020, 8030, 8031, 8040, 8050, 8103, 1634}
    assert set(ERRORS) == documented
    assert ERRORS[1504].params == ("api_id", "uri")
    assert ERRORS[1517].params == ("param", "reason")
    assert ERRORS[8005].params == ()
    assert ERRORS[1634].params == ()
    assert {e.status for e in ERRORS.values()} == {200, 429, 500}


def test_api_error_value_semantics() -> None:
    err = ApiError.of(1517, param="ord_qty", reason="숫자가 아닙니다")
    assert err.code == "1517"
    assert err.return_msg.endswith(
        "[1517:입력 값 형식이 올바르지 않습니다. 파라미터=ord_qty 실패사유= 숫자가 아닙니다]"
    )
    assert err == ApiError.of(1517, param="ord_qty", reason="숫자가 아닙니다")
    assert err != ApiError.of(1517, param="ord_uv", reason="숫자가 아닙니다")
    assert err != "1517"
    assert hash(err) == hash(ApiError.of(1517, param="ord_qty", reason="숫자가 아닙니다"))
    assert "1517" in repr(err)
    with pytest.raises(ApiError):
        raise err
    # a missing parameter renders empty rather than failing
    assert (
        ApiError.of(1505).return_msg
        == "잘못된 요청입니다[1505:해당 API ID는 존재하지 않습니다. API ID=]"
    )


@pytest.mark.parametrize(
    ("code", "mock", "msg"),
    [
        ("RC4058", True, "[2000](RC4058:모의투자 장종료)"),
        ("RC4003", True, "[2000](RC4003:모의투자 호가단위 오류입니다.)"),
        ("RC9000", True, "[2000](RC9000:모의투자에서는 해당업무가 제공되지 않습니다.)"),
        ("800033", True, "[2000](800033:모의투자 매도가능수량이 부족합니다.)"),
        ("RC4025", False, "[2000](RC4025:주문가능금액을 확인하세요.)"),
    ],
)
def test_business_errors(code: str, mock: bool, msg: str) -> None:
    err = business_error(code, mock=mock)
    assert (err.status, err.return_code, err.return_msg) == (200, 20, msg)
    assert err.body() == msgspec.json.encode({"return_code": 20, "return_msg": msg})


def test_every_domain_reject_reason_is_mapped() -> None:
    assert {r.value for r in RejectReason} == set(REJECT_REASONS)
    for reason in RejectReason:
        err = reject_order(reason.value, mock=True, stk_cd="005930")
        assert err.return_code in (2, 20)
        target = REJECT_REASONS[reason.value]
        if isinstance(target, str):
            assert target in BUSINESS


def test_reject_order_variants() -> None:
    assert (
        reject_order("off_tick", mock=True).return_msg
        == "[2000](RC4003:모의투자 호가단위 오류입니다.)"
    )
    assert reject_order("session_closed", mock=True).code == "RC4058"
    assert reject_order("session_closed", mock=True, before_open=True).return_msg == (
        "[2000](RC4057:모의투자 장시작전)"
    )
    assert reject_order("unknown_instrument", mock=False, stk_cd="999999").return_msg.endswith(
        "종목코드=999999]"
    )
    qty = reject_order("invalid_quantity", mock=False, param="mdfy_qty")
    assert "파라미터=mdfy_qty" in qty.return_msg
    assert "파라미터=trde_tp" in reject_order("unknown_order_type", mock=False).return_msg
    with pytest.raises(KeyError):
        reject_order("no_such_reason", mock=False)


@pytest.mark.parametrize(
    ("msg", "code"),
    [
        ("인증에 실패했습니다[8005:Token이 유효하지 않습니다]", "8005"),
        ("허용된 요청 개수를 초과하였습니다[1634]", "1634"),
        ("[2000](RC4058:모의투자 장종료)", "RC4058"),
        ("[2000](800033:모의투자 매도가능수량이 부족합니다.)", "800033"),
        ("정상적으로 처리되었습니다", None),
    ],
)
def test_parse_code(msg: str, code: str | None) -> None:
    assert envelope.parse_code(msg) == code


def test_envelope_decodes_from_a_whole_body() -> None:
    body = envelope.ok(stkinfo.Ka10100Response(code="005930"))
    env = msgspec.json.decode(body, type=envelope.Envelope)
    assert (env.return_code, env.return_msg) == (0, envelope.MSG_OK)
