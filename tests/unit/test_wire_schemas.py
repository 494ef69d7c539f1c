"""hoga.wire.schemas: response shapes against the spec's examples; tolerant request decoding."""

from __future__ import annotations

import json

import msgspec
import pytest

from hoga.wire import envelope
from hoga.wire.errors import ApiError
from hoga.wire.schemas import (
    REQUEST_SCHEMAS,
    RESPONSE_SCHEMAS,
    Request,
    decode_request,
    decode_response,
    request_fields,
)
from hoga.wire.schemas.ordr import Kt10000Request
from hoga.wire.schemas.stkinfo import Ka10001Response

# Complete examples from the spec (§4.3, §4.5, §4.6, §4.9), compacted for comparison.
EXAMPLES = {
    "ka10003": '{"cntr_infr": [{"tm": "130429", "cur_prc": "+53500", "pred_pre": "+500", '
    '"pre_rt": "+0.94", "pri_sel_bid_unit": "+68900", "pri_buy_bid_unit": "+53500", '
    '"cntr_trde_qty": "1010", "sign": "2", "acc_trde_qty": "8735", "acc_trde_prica": '
    '"524269500", "cntr_str": "12.99", "stex_tp": "KRX"}], "return_code": 0, '
    '"return_msg": "정상적으로 처리되었습니다"}',
    "ka10080": '{"stk_cd": "005930", "stk_min_pole_chart_qry": [{"cur_prc": "-78800", '
    '"trde_qty": "7913", "cntr_tm": "20250917132000", "open_pric": "-78850", "high_pric": '
    '"-78900", "low_pric": "-78800", "acc_trde_qty": "14947571", "pred_pre": "-600", '
    '"pred_pre_sig": "5"}], "return_code": 0, "return_msg": "정상적으로 처리되었습니다"}',
    "ka10081": '{"stk_cd": "005930", "stk_dt_pole_chart_qry": [{"cur_prc": "70100", "trde_qty": '
    '"9263135", "trde_prica": "648525", "dt": "20250908", "open_pric": "69800", "high_pric": '
    '"70500", "low_pric": "69600", "pred_pre": "+600", "pred_pre_sig": "2", "trde_tern_rt": '
    '"+0.16"}], "return_code": 0, "return_msg": "정상적으로 처리되었습니다"}',
    "ka10100": '{"code": "005930", "name": "삼성전자", "listCount": "0000000026034239", '
    '"auditInfo": "정상", "regDay": "20090803", "lastPrice": "00136000", "state": '
    '"증거금20%|담보대출|신용가능", "marketCode": "0", "marketName": "거래소", "upName": "금융업", '
    '"upSizeName": "대형주", "companyClassName": "", "orderWarning": "0", "nxtEnable": "Y", '
    '"return_code": 0, "return_msg": "정상적으로 처리되었습니다"}',
    "ka10075": '{"oso": [{"acnt_no": "1234567890", "ord_no": "0000069", "mang_empno": "", '
    '"stk_cd": "005930", "tsk_tp": "", "ord_stt": "접수", "stk_nm": "삼성전자", "ord_qty": "1", '
    '"ord_pric": "0", "oso_qty": "1", "cntr_tot_amt": "0", "orig_ord_no": "0000000", '
    '"io_tp_nm": "+매수", "trde_tp": "시장가", "tm": "154113", "cntr_no": "", "cntr_pric": "0", '
    '"cntr_qty": "0", "cur_prc": "+74100", "sel_bid": "0", "buy_bid": "+74100", '
    '"unit_cntr_pric": "", "unit_cntr_qty": "", "tdy_trde_cmsn": "0", "tdy_trde_tax": "0", '
    '"ind_invsr": "", "stex_tp": "1", "stex_tp_txt": "KRX", "sor_yn": "N", "stop_pric": ""}], '
    '"return_code": 0, "return_msg": " 조회가 완료되었습니다."}',
    "ka10170": '{"tot_sell_amt": "48240", "tot_buy_amt": "48240", "tot_cmsn_tax": "174", '
    '"tot_exct_amt": "-174", "tot_pl_amt": "-174", "tot_prft_rt": "-0.36", "tdy_trde_diary": '
    '[{"stk_nm": "삼성전자", "buy_avg_pric": "16080", "buy_qty": "3", "sel_avg_pric": "16080", '
    '"sell_qty": "3", "cmsn_alm_tax": "174", "pl_amt": "-174", "sell_amt": "48240", "buy_amt": '
    '"48240", "prft_rt": "-0.36", "stk_cd": "005930"}], "return_code": 0, '
    '"return_msg": " 조회가 완료되었습니다."}',
}


@pytest.mark.parametrize("api_id", sorted(EXAMPLES))
def test_response_examples_round_trip_byte_exact(api_id: str) -> None:
    example = json.loads(EXAMPLES[api_id])
    msg = example.pop("return_msg")
    example.pop("return_code")
    resp = msgspec.convert(example, RESPONSE_SCHEMAS[api_id])
    assert envelope.ok(resp, msg) == msgspec.json.encode(json.loads(EXAMPLES[api_id]))
    assert decode_response(api_id, EXAMPLES[api_id]) == resp


def test_non_identifier_wire_names_are_kept() -> None:
    resp = Ka10001Response(hgst_250="+91900", hgst_pric_dt_250="20250101")
    data = json.loads(msgspec.json.encode(resp))
    assert data["250hgst"] == "+91900"
    assert data["250hgst_pric_dt"] == "20250101"
    assert next(iter(data)) == "stk_cd"
    ka10099 = RESPONSE_SCHEMAS["ka10099"]
    assert "list" in json.loads(msgspec.json.encode(ka10099()))


def test_every_response_field_is_a_string_or_a_list_of_string_rows() -> None:
    def check(tp: type) -> None:
        for f in msgspec.structs.fields(tp):
            if getattr(f.type, "__origin__", None) is list:
                check(f.type.__args__[0])
            else:
                assert f.type is str, (tp, f.name)
                assert f.default == "" or (f.name, f.default) == ("token_type", "bearer")

    for tp in RESPONSE_SCHEMAS.values():
        check(tp)


def test_request_fields_are_strings_with_documented_requiredness() -> None:
    for tp in REQUEST_SCHEMAS.values():
        for f in msgspec.structs.fields(tp):
            assert f.type is str
            assert f.required or f.default == ""
    assert request_fields("kt10000") == (
        ("dmst_stex_tp", True),
        ("stk_cd", True),
        ("ord_qty", True),
        ("ord_uv", False),
        ("trde_tp", True),
        ("cond_uv", False),
    )
    assert request_fields("ka00001") == ()
    assert ("base_dt", False) in request_fields("ka10080")


ORDER = {"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": "", "trde_tp": "3"}


def _order(**changes: object) -> bytes:
    body = dict(ORDER) | changes
    return json.dumps(body).encode()


def test_decode_documented_strings() -> None:
    req = decode_request("kt10000", _order())
    assert req == Kt10000Request(
        dmst_stex_tp="KRX", stk_cd="005930", ord_qty="1", ord_uv="", trde_tp="3", cond_uv=""
    )


def test_decode_accepts_numbers_where_strings_are_documented() -> None:
    req = decode_request(
        "kt10000",
        b'{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":10,"ord_uv":70000.50,"trde_tp":0}',
    )
    assert isinstance(req, Kt10000Request)
    assert (req.ord_qty, req.ord_uv, req.trde_tp) == ("10", "70000.50", "0")


def test_decode_ignores_unknown_fields_and_nulls() -> None:
    req = decode_request("kt10000", _order(acnt_no="123", ord_unpr="5", cond_uv=None))
    assert isinstance(req, Kt10000Request)
    assert req.cond_uv == ""
    assert not hasattr(req, "acnt_no")


@pytest.mark.parametrize("body", [b"", b"  ", b"{}"])
def test_empty_body_is_an_empty_object(body: bytes) -> None:
    assert isinstance(decode_request("ka00001", body), Request)
    err = decode_request("ka10001", body)
    assert isinstance(err, ApiError)
    assert err.return_msg.endswith("필수입력 파라미터=stk_cd]")


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (_order(stk_cd=None), "stk_cd"),
        (_order(ord_qty=""), "ord_qty"),
        (_order(trde_tp="   "), "trde_tp"),
        (b'{"dmst_stex_tp":"KRX"}', "stk_cd"),
    ],
)
def test_missing_required_field_names_the_parameter(body: bytes, param: str) -> None:
    err = decode_request("kt10000", body)
    assert isinstance(err, ApiError)
    assert (err.code, err.status, err.return_code) == ("1511", 200, 2)
    assert err.return_msg == (
        f"입력 값 오류입니다[1511:필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터={param}]"
    )


@pytest.mark.parametrize("value", [[1], {"a": 1}, True])
def test_wrong_json_type_is_1517_naming_the_field(value: object) -> None:
    err = decode_request("kt10000", _order(ord_qty=value))
    assert isinstance(err, ApiError)
    assert err.code == "1517"
    assert "파라미터=ord_qty" in err.return_msg


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"x"'])
def test_body_that_is_not_an_object(body: bytes) -> None:
    err = decode_request("ka10001", body)
    assert isinstance(err, ApiError)
    assert err.code == "1517"
    assert "파라미터=body" in err.return_msg


@pytest.mark.parametrize(
    ("api_id", "body", "code"),
    [
        ("au10001", b'{"appkey":"a","secretkey":"s"}', "8011"),
        ("au10001", b'{"grant_type":"client_credentials","secretkey":"s"}', "8020"),
        ("au10002", b'{"appkey":"a","secretkey":"s"}', "8016"),
    ],
)
def test_oauth_missing_fields_use_their_documented_codes(
    api_id: str, body: bytes, code: str
) -> None:
    err = decode_request(api_id, body)
    assert isinstance(err, ApiError)
    assert err.code == code
    assert err.return_code == 3


def test_decode_accepts_str_bodies_and_rejects_unknown_ids() -> None:
    assert isinstance(decode_request("ka10001", '{"stk_cd": "005930_AL"}'), Request)
    with pytest.raises(KeyError):
        decode_request("ka99999", b"{}")
