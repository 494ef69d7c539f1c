"""Wire structs for 계좌 (`/api/dostk/acnt`): deposits, orderable amounts, daily status.

Field names are exactly the wire names of the spec (Appendix A of kiwoom-rest.md); a name
that is not a Python identifier (a leading digit, ``list``) keeps its wire name through
``msgspec.field(name=...)``. Every request value and every response value is a string;
``return_code``/``return_msg`` are added by :mod:`hoga.wire.envelope`.

Generated from the spec by a one-off script, then reviewed; edit freely.
"""

import msgspec

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Kt00001Request",
    "Kt00001Response",
    "Kt00001StkEntrPrstRow",
    "Kt00002DalyPrsmDpstAsetAmtPrstRow",
    "Kt00002Request",
    "Kt00002Response",
    "Kt00010Request",
    "Kt00010Response",
    "Kt00011Request",
    "Kt00011Response",
    "Kt00017Request",
    "Kt00017Response",
]


class Kt00001Request(Request, kw_only=True, frozen=True):
    """kt00001 예수금상세현황요청 — request body."""

    qry_tp: str  # 조회구분 (1): 3:추정조회, 2:일반조회


class Kt00001StkEntrPrstRow(Response, kw_only=True):
    """kt00001 `stk_entr_prst` row — 종목별예수금."""

    crnc_cd: str = ""  # 통화코드
    fx_entr: str = ""  # 외화예수금
    fc_krw_repl_evlta: str = ""  # 원화대용평가금
    fc_trst_profa: str = ""  # 해외주식증거금
    pymn_alow_amt: str = ""  # 출금가능금액
    pymn_alow_amt_entr: str = ""  # 출금가능금액예수금
    ord_alow_amt_entr: str = ""
    fc_uncla: str = ""  # 외화미수(합계)
    fc_ch_uncla: str = ""  # 외화현금미수금
    dly_amt: str = ""  # 연체료
    d1_fx_entr: str = ""  # d+1외화예수금
    d2_fx_entr: str = ""  # d+2외화예수금
    d3_fx_entr: str = ""  # d+3외화예수금
    d4_fx_entr: str = ""  # d+4외화예수금


class Kt00001Response(Response, kw_only=True):
    """kt00001 예수금상세현황요청 — response body (without the envelope)."""

    entr: str = ""  # 예수금
    profa_ch: str = ""  # 주식증거금현금
    bncr_profa_ch: str = ""  # 수익증권증거금현금
    nxdy_bncr_sell_exct: str = ""  # 익일수익증권매도정산대금
    crd_grnta_ch: str = ""  # 신용보증금현금
    crd_grnt_ch: str = ""  # 신용담보금현금
    add_grnt_ch: str = ""  # 추가담보금현금
    etc_profa: str = ""  # 기타증거금
    uncl_stk_amt: str = ""  # 미수확보금
    shrts_prica: str = ""  # 공매도대금
    crd_set_grnta: str = ""  # 신용설정평가금
    chck_ina_amt: str = ""  # 수표입금액
    etc_chck_ina_amt: str = ""  # 기타수표입금액
    crd_grnt_ruse: str = ""  # 신용담보재사용
    knx_asset_evltv: str = ""  # 코넥스기본예탁금
    elwdpst_evlta: str = ""  # ELW예탁평가금
    crd_ls_rght_frcs_amt: str = ""
    lvlh_join_amt: str = ""  # 생계형가입금액
    lvlh_trns_alowa: str = ""  # 생계형입금가능금액
    repl_amt: str = ""
    remn_repl_evlta: str = ""  # 잔고대용평가금액
    trst_remn_repl_evlta: str = ""
    bncr_remn_repl_evlta: str = ""
    profa_repl: str = ""  # 위탁증거금대용
    crd_grnta_repl: str = ""  # 신용보증금대용
    crd_grnt_repl: str = ""  # 신용담보금대용
    add_grnt_repl: str = ""  # 추가담보금대용
    rght_repl_amt: str = ""  # 권리대용금
    pymn_alow_amt: str = ""  # 출금가능금액
    wrap_pymn_alow_amt: str = ""  # 랩출금가능금액
    ord_alow_amt: str = ""  # 주문가능금액
    bncr_buy_alowa: str = ""
    stk_ord_alow_amt_20: str = msgspec.field(name="20stk_ord_alow_amt", default="")
    stk_ord_alow_amt_30: str = msgspec.field(name="30stk_ord_alow_amt", default="")
    stk_ord_alow_amt_40: str = msgspec.field(name="40stk_ord_alow_amt", default="")
    ch_uncla: str = ""  # 현금미수금
    ch_uncla_dlfe: str = ""  # 현금미수연체료
    ch_uncla_tot: str = ""  # 현금미수금합계
    crd_int_npay: str = ""  # 신용이자미납
    int_npay_amt_dlfe: str = ""  # 신용이자미납연체료
    int_npay_amt_tot: str = ""  # 신용이자미납합계
    etc_loana: str = ""  # 기타대여금
    etc_loana_dlfe: str = ""  # 기타대여금연체료
    etc_loan_tot: str = ""  # 기타대여금합계
    nrpy_loan: str = ""  # 미상환융자금
    loan_sum: str = ""  # 융자금합계
    ls_sum: str = ""  # 대주금합계
    crd_grnt_rt: str = ""  # 신용담보비율
    mdstrm_usfe: str = ""  # 중도이용료
    min_ord_alow_yn: str = ""  # 최소주문가능금액
    loan_remn_evlt_amt: str = ""  # 대출총평가금액
    dpst_grntl_remn: str = ""  # 예탁담보대출잔고
    sell_grntl_remn: str = ""  # 매도담보대출잔고
    d1_entra: str = ""  # d+1추정예수금
    d1_slby_exct_amt: str = ""  # d+1매도매수정산금
    d1_buy_exct_amt: str = ""  # d+1매수정산금
    d1_out_rep_mor: str = ""  # d+1미수변제소요금
    d1_sel_exct_amt: str = ""  # d+1매도정산금
    d1_pymn_alow_amt: str = ""  # d+1출금가능금액
    d2_entra: str = ""  # d+2추정예수금
    d2_slby_exct_amt: str = ""  # d+2매도매수정산금
    d2_buy_exct_amt: str = ""  # d+2매수정산금
    d2_out_rep_mor: str = ""  # d+2미수변제소요금
    d2_sel_exct_amt: str = ""  # d+2매도정산금
    d2_pymn_alow_amt: str = ""  # d+2출금가능금액
    stk_ord_alow_amt_50: str = msgspec.field(name="50stk_ord_alow_amt", default="")
    stk_ord_alow_amt_60: str = msgspec.field(name="60stk_ord_alow_amt", default="")
    stk_entr_prst: list[Kt00001StkEntrPrstRow] = msgspec.field(default_factory=list)  # 종목별예수금
    fc_stk_krw_repl_set_amt: str = ""  # 해외주식원화대용설정금
    stk_ord_alow_amt_100: str = msgspec.field(name="100stk_ord_alow_amt", default="")


class Kt00002Request(Request, kw_only=True, frozen=True):
    """kt00002 일별추정예탁자산현황요청 — request body."""

    start_dt: str  # 시작조회기간 (8): YYYYMMDD
    end_dt: str  # 종료조회기간 (8): YYYYMMDD


class Kt00002DalyPrsmDpstAsetAmtPrstRow(Response, kw_only=True):
    """kt00002 `daly_prsm_dpst_aset_amt_prst` row — 일별추정예탁자산현황."""

    dt: str = ""  # 일자
    entr: str = ""  # 예수금
    grnt_use_amt: str = ""  # 담보대출금
    crd_loan: str = ""  # 신용융자금
    ls_grnt: str = ""  # 대주담보금
    repl_amt: str = ""  # 대용금
    prsm_dpst_aset_amt: str = ""  # 추정예탁자산
    prsm_dpst_aset_amt_bncr_skip: str = ""  # 추정예탁자산수익증권제외


class Kt00002Response(Response, kw_only=True):
    """kt00002 일별추정예탁자산현황요청 — response body (without the envelope)."""

    daly_prsm_dpst_aset_amt_prst: list[Kt00002DalyPrsmDpstAsetAmtPrstRow] = msgspec.field(
        default_factory=list
    )


class Kt00010Request(Request, kw_only=True, frozen=True):
    """kt00010 주문인출가능금액요청 — request body."""

    io_amt: str = ""  # 입출금액 (12)
    stk_cd: str  # 종목번호 (12)
    trde_tp: str  # 매매구분 (1): 1:매도, 2:매수
    trde_qty: str = ""  # 매매수량 (10)
    uv: str  # 매수가격 (10)
    exp_buy_unp: str = ""  # 예상매수단가 (10)


class Kt00010Response(Response, kw_only=True):
    """kt00010 주문인출가능금액요청 — response body (without the envelope)."""

    profa_20ord_alow_amt: str = ""  # 증거금20%주문가능금액
    profa_20ord_alowq: str = ""  # 증거금20%주문가능수량
    profa_30ord_alow_amt: str = ""  # 증거금30%주문가능금액
    profa_30ord_alowq: str = ""  # 증거금30%주문가능수량
    profa_40ord_alow_amt: str = ""  # 증거금40%주문가능금액
    profa_40ord_alowq: str = ""  # 증거금40%주문가능수량
    profa_50ord_alow_amt: str = ""  # 증거금50%주문가능금액
    profa_50ord_alowq: str = ""  # 증거금50%주문가능수량
    profa_60ord_alow_amt: str = ""  # 증거금60%주문가능금액
    profa_60ord_alowq: str = ""  # 증거금60%주문가능수량
    profa_rdex_60ord_alow_amt: str = ""  # 증거금감면60%주문가능금
    profa_rdex_60ord_alowq: str = ""  # 증거금감면60%주문가능수
    profa_100ord_alow_amt: str = ""  # 증거금100%주문가능금액
    profa_100ord_alowq: str = ""  # 증거금100%주문가능수량
    pred_reu_alowa: str = ""  # 전일재사용가능금액
    tdy_reu_alowa: str = ""  # 금일재사용가능금액
    entr: str = ""  # 예수금
    repl_amt: str = ""  # 대용금
    uncla: str = ""  # 미수금
    ord_pos_repl: str = ""  # 주문가능대용
    ord_alowa: str = ""  # 주문가능현금
    wthd_alowa: str = ""  # 인출가능금액
    nxdy_wthd_alowa: str = ""  # 익일인출가능금액
    pur_amt: str = ""  # 매입금액
    cmsn: str = ""  # 수수료
    pur_exct_amt: str = ""  # 매입정산금
    d2entra: str = ""  # D2추정예수금
    profa_rdex_aplc_tp: str = ""  # 증거금감면적용구분


class Kt00011Request(Request, kw_only=True, frozen=True):
    """kt00011 증거금율별주문가능수량조회요청 — request body."""

    stk_cd: str  # 종목번호 (12)
    uv: str = ""  # 매수가격 (10)


class Kt00011Response(Response, kw_only=True):
    """kt00011 증거금율별주문가능수량조회요청 — response body (without the envelope)."""

    stk_profa_rt: str = ""  # 종목증거금율
    profa_rt: str = ""  # 계좌증거금율
    aplc_rt: str = ""  # 적용증거금율
    profa_20ord_alow_amt: str = ""  # 증거금20%주문가능금액
    profa_20ord_alowq: str = ""  # 증거금20%주문가능수량
    profa_20pred_reu_amt: str = ""  # 증거금20%전일재사용금액
    profa_20tdy_reu_amt: str = ""  # 증거금20%금일재사용금액
    profa_30ord_alow_amt: str = ""  # 증거금30%주문가능금액
    profa_30ord_alowq: str = ""  # 증거금30%주문가능수량
    profa_30pred_reu_amt: str = ""  # 증거금30%전일재사용금액
    profa_30tdy_reu_amt: str = ""  # 증거금30%금일재사용금액
    profa_40ord_alow_amt: str = ""  # 증거금40%주문가능금액
    profa_40ord_alowq: str = ""  # 증거금40%주문가능수량
    profa_40pred_reu_amt: str = ""  # 증거금40전일재사용금액
    profa_40tdy_reu_amt: str = ""  # 증거금40%금일재사용금액
    profa_50ord_alow_amt: str = ""  # 증거금50%주문가능금액
    profa_50ord_alowq: str = ""  # 증거금50%주문가능수량
    profa_50pred_reu_amt: str = ""
    profa_50tdy_reu_amt: str = ""
    profa_60ord_alow_amt: str = ""
    profa_60ord_alowq: str = ""
    profa_60pred_reu_amt: str = ""
    profa_60tdy_reu_amt: str = ""
    profa_100ord_alow_amt: str = ""
    profa_100ord_alowq: str = ""
    profa_100pred_reu_amt: str = ""
    profa_100tdy_reu_amt: str = ""
    min_ord_alow_amt: str = ""
    min_ord_alowq: str = ""
    min_pred_reu_amt: str = ""
    min_tdy_reu_amt: str = ""
    entr: str = ""  # 예수금
    repl_amt: str = ""  # 대용금
    uncla: str = ""  # 미수금
    ord_pos_repl: str = ""  # 주문가능대용
    ord_alowa: str = ""  # 주문가능현금


class Kt00017Request(Request, kw_only=True, frozen=True):
    """kt00017 계좌별당일현황요청 — request body."""


class Kt00017Response(Response, kw_only=True):
    """kt00017 계좌별당일현황요청 — response body (without the envelope)."""

    d2_entra: str = ""  # D+2추정예수금
    crd_int_npay_gold: str = ""  # 신용이자미납금
    etc_loana: str = ""  # 기타대여금
    gnrl_stk_evlt_amt_d2: str = ""  # 일반주식평가금액D+2
    dpst_grnt_use_amt_d2: str = ""  # 예탁담보대출금D+2
    crd_stk_evlt_amt_d2: str = ""  # 예탁담보주식평가금액D+2
    crd_loan_d2: str = ""  # 신용융자금D+2
    crd_loan_evlta_d2: str = ""  # 신용융자평가금D+2
    crd_ls_grnt_d2: str = ""  # 신용대주담보금D+2
    crd_ls_evlta_d2: str = ""  # 신용대주평가금D+2
    ina_amt: str = ""  # 입금금액
    outa: str = ""  # 출금금액
    inq_amt: str = ""  # 입고금액
    outq_amt: str = ""  # 출고금액
    sell_amt: str = ""  # 매도금액
    buy_amt: str = ""  # 매수금액
    cmsn: str = ""  # 수수료
    tax: str = ""  # 세금
    stk_pur_cptal_loan_amt: str = ""  # 주식매입자금대출금
    rp_evlt_amt: str = ""  # RP평가금액
    bd_evlt_amt: str = ""  # 채권평가금액
    elsevlt_amt: str = ""  # ELS평가금액
    crd_int_amt: str = ""  # 신용이자금액
    sel_prica_grnt_loan_int_amt_amt: str = ""
    dvida_amt: str = ""  # 배당금액


REQUESTS: dict[str, type[Request]] = {
    "kt00001": Kt00001Request,
    "kt00002": Kt00002Request,
    "kt00010": Kt00010Request,
    "kt00011": Kt00011Request,
    "kt00017": Kt00017Request,
}
RESPONSES: dict[str, type[Response]] = {
    "kt00001": Kt00001Response,
    "kt00002": Kt00002Response,
    "kt00010": Kt00010Response,
    "kt00011": Kt00011Response,
    "kt00017": Kt00017Response,
}
