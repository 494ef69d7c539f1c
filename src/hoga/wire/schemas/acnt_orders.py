"""Wire structs for 계좌 (`/api/dostk/acnt`): evaluation, balances, order history.

Field names are exactly the wire names of the spec (Appendix A of kiwoom-rest.md); a name
that is not a Python identifier (a leading digit, ``list``) keeps its wire name through
``msgspec.field(name=...)``. Every request value and every response value is a string;
``return_code``/``return_msg`` are added by :mod:`hoga.wire.envelope`.

Generated from the spec by a one-off script, then reviewed; edit freely.
"""

import msgspec

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Kt00004Request",
    "Kt00004Response",
    "Kt00004StkAcntEvltPrstRow",
    "Kt00005Request",
    "Kt00005Response",
    "Kt00005StkCntrRemnRow",
    "Kt00007AcntOrdCntrPrpsDtlRow",
    "Kt00007Request",
    "Kt00007Response",
    "Kt00009AcntOrdCntrPrstArrayRow",
    "Kt00009Request",
    "Kt00009Response",
    "Kt00015Request",
    "Kt00015Response",
    "Kt00015TrstOvrlTrdePrpsArrayRow",
    "Kt00018AcntEvltRemnIndvTotRow",
    "Kt00018Request",
    "Kt00018Response",
]


class Kt00004Request(Request, kw_only=True, frozen=True):
    """kt00004 계좌평가현황요청 — request body."""

    qry_tp: str  # 상장폐지조회구분 (1): 0:전체, 1:상장폐지종목제외
    dmst_stex_tp: str  # 국내거래소구분 (6): KRX:한국거래소,NXT:넥스트트레이드


class Kt00004StkAcntEvltPrstRow(Response, kw_only=True):
    """kt00004 `stk_acnt_evlt_prst` row — 종목별계좌평가현황."""

    stk_cd: str = ""  # 종목코드
    stk_nm: str = ""  # 종목명
    rmnd_qty: str = ""  # 보유수량
    avg_prc: str = ""  # 평균단가
    cur_prc: str = ""  # 현재가
    evlt_amt: str = ""  # 평가금액
    pl_amt: str = ""  # 손익금액
    pl_rt: str = ""  # 손익율
    loan_dt: str = ""  # 대출일
    pur_amt: str = ""  # 매입금액
    setl_remn: str = ""  # 결제잔고
    pred_buyq: str = ""  # 전일매수수량
    pred_sellq: str = ""  # 전일매도수량
    tdy_buyq: str = ""  # 금일매수수량
    tdy_sellq: str = ""  # 금일매도수량


class Kt00004Response(Response, kw_only=True):
    """kt00004 계좌평가현황요청 — response body (without the envelope)."""

    acnt_nm: str = ""  # 계좌명
    brch_nm: str = ""  # 지점명
    entr: str = ""  # 예수금
    d2_entra: str = ""  # D+2추정예수금
    tot_est_amt: str = ""  # 유가잔고평가액
    aset_evlt_amt: str = ""  # 예탁자산평가액
    tot_pur_amt: str = ""  # 총매입금액
    prsm_dpst_aset_amt: str = ""  # 추정예탁자산
    tot_grnt_sella: str = ""  # 매도담보대출금
    tdy_lspft_amt: str = ""  # 당일투자원금
    invt_bsamt: str = ""  # 당월투자원금
    lspft_amt: str = ""  # 누적투자원금
    tdy_lspft: str = ""  # 당일투자손익
    lspft2: str = ""  # 당월투자손익
    lspft: str = ""  # 누적투자손익
    tdy_lspft_rt: str = ""  # 당일손익율
    lspft_ratio: str = ""  # 당월손익율
    lspft_rt: str = ""  # 누적손익율
    stk_acnt_evlt_prst: list[Kt00004StkAcntEvltPrstRow] = msgspec.field(default_factory=list)


class Kt00005Request(Request, kw_only=True, frozen=True):
    """kt00005 체결잔고요청 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (6): KRX:한국거래소,NXT:넥스트트레이드


class Kt00005StkCntrRemnRow(Response, kw_only=True):
    """kt00005 `stk_cntr_remn` row — 종목별체결잔고."""

    crd_tp: str = ""  # 신용구분
    loan_dt: str = ""  # 대출일
    expr_dt: str = ""  # 만기일
    stk_cd: str = ""  # 종목번호
    stk_nm: str = ""  # 종목명
    setl_remn: str = ""  # 결제잔고
    cur_qty: str = ""  # 현재잔고
    cur_prc: str = ""  # 현재가
    buy_uv: str = ""  # 매입단가
    pur_amt: str = ""  # 매입금액
    evlt_amt: str = ""  # 평가금액
    evltv_prft: str = ""  # 평가손익
    pl_rt: str = ""  # 손익률


class Kt00005Response(Response, kw_only=True):
    """kt00005 체결잔고요청 — response body (without the envelope)."""

    entr: str = ""  # 예수금
    entr_d1: str = ""  # 예수금D+1
    entr_d2: str = ""  # 예수금D+2
    pymn_alow_amt: str = ""  # 출금가능금액
    uncl_stk_amt: str = ""  # 미수확보금
    repl_amt: str = ""  # 대용금
    rght_repl_amt: str = ""  # 권리대용금
    ord_alowa: str = ""  # 주문가능현금
    ch_uncla: str = ""  # 현금미수금
    crd_int_npay_gold: str = ""  # 신용이자미납금
    etc_loana: str = ""  # 기타대여금
    nrpy_loan: str = ""  # 미상환융자금
    profa_ch: str = ""  # 증거금현금
    repl_profa: str = ""  # 증거금대용
    stk_buy_tot_amt: str = ""  # 주식매수총액
    evlt_amt_tot: str = ""  # 평가금액합계
    tot_pl_tot: str = ""  # 총손익합계
    tot_pl_rt: str = ""  # 총손익률
    tot_re_buy_alowa: str = ""  # 총재매수가능금액
    ord_alow_amt_20: str = msgspec.field(name="20ord_alow_amt", default="")  # 20%주문가능금액
    ord_alow_amt_30: str = msgspec.field(name="30ord_alow_amt", default="")  # 30%주문가능금액
    ord_alow_amt_40: str = msgspec.field(name="40ord_alow_amt", default="")  # 40%주문가능금액
    ord_alow_amt_50: str = msgspec.field(name="50ord_alow_amt", default="")  # 50%주문가능금액
    ord_alow_amt_60: str = msgspec.field(name="60ord_alow_amt", default="")  # 60%주문가능금액
    ord_alow_amt_100: str = msgspec.field(name="100ord_alow_amt", default="")  # 100%주문가능금액
    crd_loan_tot: str = ""  # 신용융자합계
    crd_loan_ls_tot: str = ""  # 신용융자대주합계
    crd_grnt_rt: str = ""  # 신용담보비율
    dpst_grnt_use_amt_amt: str = ""  # 예탁담보대출금액
    grnt_loan_amt: str = ""  # 매도담보대출금액
    stk_cntr_remn: list[Kt00005StkCntrRemnRow] = msgspec.field(default_factory=list)  # 종목별체결…


class Kt00007Request(Request, kw_only=True, frozen=True):
    """kt00007 계좌별주문체결내역상세요청 — request body."""

    ord_dt: str = ""  # 주문일자 (8): YYYYMMDD
    qry_tp: str  # 조회구분 (1): 1:주문순, 2:역순, 3:미체결, 4:체결내역만
    stk_bond_tp: str  # 주식채권구분 (1): 0:전체, 1:주식, 2:채권
    sell_tp: str  # 매도수구분 (1): 0:전체, 1:매도, 2:매수
    stk_cd: str = ""  # 종목코드 (12): 공백허용 (공백일때 전체종목)
    fr_ord_no: str = ""  # 시작주문번호 (7): 공백허용 (공백일때 전체주문)
    dmst_stex_tp: str  # 국내거래소구분 (6): %:(전체),KRX:한국거래소,NXT:넥스트트레이드,SOR:최선주…


class Kt00007AcntOrdCntrPrpsDtlRow(Response, kw_only=True):
    """kt00007 `acnt_ord_cntr_prps_dtl` row — 계좌별주문체결내역상세."""

    ord_no: str = ""  # 주문번호
    stk_cd: str = ""  # 종목번호
    trde_tp: str = ""  # 매매구분
    crd_tp: str = ""  # 신용구분
    ord_qty: str = ""  # 주문수량
    ord_uv: str = ""  # 주문단가
    cnfm_qty: str = ""  # 확인수량
    acpt_tp: str = ""  # 접수구분
    rsrv_tp: str = ""  # 반대여부
    ord_tm: str = ""  # 주문시간
    ori_ord: str = ""  # 원주문
    stk_nm: str = ""  # 종목명
    io_tp_nm: str = ""  # 주문구분
    loan_dt: str = ""  # 대출일
    cntr_qty: str = ""  # 체결수량
    cntr_uv: str = ""  # 체결단가
    ord_remnq: str = ""  # 주문잔량
    comm_ord_tp: str = ""  # 통신구분
    mdfy_cncl: str = ""  # 정정취소
    cnfm_tm: str = ""  # 확인시간
    dmst_stex_tp: str = ""  # 국내거래소구분
    cond_uv: str = ""  # 스톱가


class Kt00007Response(Response, kw_only=True):
    """kt00007 계좌별주문체결내역상세요청 — response body (without the envelope)."""

    acnt_ord_cntr_prps_dtl: list[Kt00007AcntOrdCntrPrpsDtlRow] = msgspec.field(default_factory=list)


class Kt00009Request(Request, kw_only=True, frozen=True):
    """kt00009 계좌별주문체결현황요청 — request body."""

    ord_dt: str = ""  # 주문일자 (8): YYYYMMDD
    stk_bond_tp: str  # 주식채권구분 (1): 0:전체, 1:주식, 2:채권
    mrkt_tp: str  # 시장구분 (1): 0:전체, 1:코스피, 2:코스닥, 3:OTCBB, 4:ECN
    sell_tp: str  # 매도수구분 (1): 0:전체, 1:매도, 2:매수
    qry_tp: str  # 조회구분 (1): 0:전체, 1:체결
    stk_cd: str = ""  # 종목코드 (12): 전문 조회할 종목코드
    fr_ord_no: str = ""  # 시작주문번호 (7)
    dmst_stex_tp: str  # 국내거래소구분 (6): %:(전체),KRX:한국거래소,NXT:넥스트트레이드,SOR:최선주…


class Kt00009AcntOrdCntrPrstArrayRow(Response, kw_only=True):
    """kt00009 `acnt_ord_cntr_prst_array` row — 계좌별주문체결현황."""

    stk_bond_tp: str = ""  # 주식채권구분
    ord_no: str = ""  # 주문번호
    stk_cd: str = ""  # 종목번호
    trde_tp: str = ""  # 매매구분
    io_tp_nm: str = ""  # 주문유형구분
    ord_qty: str = ""  # 주문수량
    ord_uv: str = ""  # 주문단가
    cnfm_qty: str = ""  # 확인수량
    rsrv_oppo: str = ""  # 예약/반대
    cntr_no: str = ""  # 체결번호
    acpt_tp: str = ""  # 접수구분
    orig_ord_no: str = ""  # 원주문번호
    stk_nm: str = ""  # 종목명
    setl_tp: str = ""  # 결제구분
    crd_deal_tp: str = ""  # 신용거래구분
    cntr_qty: str = ""  # 체결수량
    cntr_uv: str = ""  # 체결단가
    comm_ord_tp: str = ""  # 통신구분
    mdfy_cncl_tp: str = ""  # 정정/취소구분
    cntr_tm: str = ""  # 체결시간
    dmst_stex_tp: str = ""  # 국내거래소구분
    cond_uv: str = ""  # 스톱가


class Kt00009Response(Response, kw_only=True):
    """kt00009 계좌별주문체결현황요청 — response body (without the envelope)."""

    sell_grntl_engg_amt: str = ""  # 매도약정금액
    buy_engg_amt: str = ""  # 매수약정금액
    engg_amt: str = ""  # 약정금액
    acnt_ord_cntr_prst_array: list[Kt00009AcntOrdCntrPrstArrayRow] = msgspec.field(
        default_factory=list
    )


class Kt00015Request(Request, kw_only=True, frozen=True):
    """kt00015 위탁종합거래내역요청 — request body."""

    strt_dt: str  # 시작일자 (8)
    end_dt: str  # 종료일자 (8)
    tp: str  # 구분 (1): 0:전체,1:입출금,2:입출고,3:매매,4:매수,5:매도,6:입금,7:출금,A: 예탁담보대…
    stk_cd: str = ""  # 종목코드 (12)
    crnc_cd: str = ""  # 통화코드 (3)
    gds_tp: str  # 상품구분 (1): 0:전체, 1:국내주식, 2:수익증권, 3:해외주식, 4:금융상품
    frgn_stex_code: str = ""  # 해외거래소코드 (10)
    dmst_stex_tp: str  # 국내거래소구분 (6): %:(전체),KRX:한국거래소,NXT:넥스트트레이드


class Kt00015TrstOvrlTrdePrpsArrayRow(Response, kw_only=True):
    """kt00015 `trst_ovrl_trde_prps_array` row — 위탁종합거래내역배열."""

    trde_dt: str = ""  # 거래일자
    trde_no: str = ""  # 거래번호
    rmrk_nm: str = ""  # 적요명
    crd_deal_tp_nm: str = ""  # 신용거래구분명
    exct_amt: str = ""  # 정산금액
    loan_amt_rpya: str = ""  # 대출금상환
    fc_trde_amt: str = ""  # 거래금액(외)
    fc_exct_amt: str = ""  # 정산금액(외)
    entra_remn: str = ""  # 예수금잔고
    crnc_cd: str = ""  # 통화코드
    trde_ocr_tp: str = ""  # 거래종류구분 (1:입출금, 2:펀드, 3:ELS, 4:채권, 5:해외채권, 6:외화RP, 7…
    trde_kind_nm: str = ""  # 거래종류명
    stk_nm: str = ""  # 종목명
    trde_amt: str = ""  # 거래금액
    trde_agri_tax: str = ""  # 거래및농특세
    rpy_diffa: str = ""  # 상환차금
    fc_trde_tax: str = ""  # 거래세(외)
    dly_sum: str = ""  # 연체합
    fc_entra: str = ""  # 외화예수금잔고
    mdia_tp_nm: str = ""  # 매체구분명
    io_tp: str = ""  # 입출구분
    io_tp_nm: str = ""  # 입출구분명
    orig_deal_no: str = ""  # 원거래번호
    stk_cd: str = ""  # 종목코드
    trde_qty_jwa_cnt: str = ""  # 거래수량/좌수
    cmsn: str = ""  # 수수료
    int_ls_usfe: str = ""  # 이자/대주이용
    fc_cmsn: str = ""  # 수수료(외)
    fc_dly_sum: str = ""  # 연체합(외)
    vlbl_nowrm: str = ""  # 유가금잔
    proc_tm: str = ""  # 처리시간
    isin_cd: str = ""  # ISIN코드
    stex_cd: str = ""  # 거래소코드
    stex_nm: str = ""  # 거래소명
    trde_unit: str = ""  # 거래단가/환율
    incm_resi_tax: str = ""  # 소득/주민세
    loan_dt: str = ""  # 대출일
    uncl_ocr: str = ""  # 미수(원/주)
    rpym_sum: str = ""  # 변제합
    cntr_dt: str = ""  # 체결일
    rcpy_no: str = ""  # 출납번호
    prcsr: str = ""  # 처리자
    proc_brch: str = ""  # 처리점
    trde_stle: str = ""  # 매매형태
    txon_base_pric: str = ""  # 과세기준가
    tax_sum_cmsn: str = ""  # 세금수수료합
    frgn_pay_txam: str = ""  # 외국납부세액(외)
    fc_uncl_ocr: str = ""  # 미수(외)
    rpym_sum_fr: str = ""  # 변제합(외)
    rcpmnyer: str = ""  # 입금자
    trde_prtc_tp: str = ""  # 거래내역구분


class Kt00015Response(Response, kw_only=True):
    """kt00015 위탁종합거래내역요청 — response body (without the envelope)."""

    acnt_no: str = ""
    trst_ovrl_trde_prps_array: list[Kt00015TrstOvrlTrdePrpsArrayRow] = msgspec.field(
        default_factory=list
    )


class Kt00018Request(Request, kw_only=True, frozen=True):
    """kt00018 계좌평가잔고내역요청 — request body."""

    qry_tp: str  # 조회구분 (1): 1:합산, 2:개별
    dmst_stex_tp: str  # 국내거래소구분 (6): KRX:한국거래소,NXT:넥스트트레이드


class Kt00018AcntEvltRemnIndvTotRow(Response, kw_only=True):
    """kt00018 `acnt_evlt_remn_indv_tot` row — 계좌평가잔고개별합산."""

    stk_cd: str = ""  # 종목번호
    stk_nm: str = ""  # 종목명
    evltv_prft: str = ""  # 평가손익
    prft_rt: str = ""  # 수익률(%)
    pur_pric: str = ""  # 매입가
    pred_close_pric: str = ""  # 전일종가
    rmnd_qty: str = ""  # 보유수량
    trde_able_qty: str = ""  # 매매가능수량
    cur_prc: str = ""  # 현재가
    pred_buyq: str = ""  # 전일매수수량
    pred_sellq: str = ""  # 전일매도수량
    tdy_buyq: str = ""  # 금일매수수량
    tdy_sellq: str = ""  # 금일매도수량
    pur_amt: str = ""  # 매입금액
    pur_cmsn: str = ""  # 매입수수료
    evlt_amt: str = ""  # 평가금액
    sell_cmsn: str = ""  # 평가수수료
    tax: str = ""  # 세금
    sum_cmsn: str = ""  # 수수료합
    poss_rt: str = ""  # 보유비중(%)
    crd_tp: str = ""  # 신용구분
    crd_tp_nm: str = ""  # 신용구분명
    crd_loan_dt: str = ""  # 대출일


class Kt00018Response(Response, kw_only=True):
    """kt00018 계좌평가잔고내역요청 — response body (without the envelope)."""

    tot_pur_amt: str = ""  # 총매입금액
    tot_evlt_amt: str = ""  # 총평가금액
    tot_evlt_pl: str = ""  # 총평가손익금액
    tot_prft_rt: str = ""  # 총수익률(%)
    prsm_dpst_aset_amt: str = ""  # 추정예탁자산
    tot_loan_amt: str = ""  # 총대출금
    tot_crd_loan_amt: str = ""  # 총융자금액
    tot_crd_ls_amt: str = ""  # 총대주금액
    acnt_evlt_remn_indv_tot: list[Kt00018AcntEvltRemnIndvTotRow] = msgspec.field(
        default_factory=list
    )


REQUESTS: dict[str, type[Request]] = {
    "kt00004": Kt00004Request,
    "kt00005": Kt00005Request,
    "kt00007": Kt00007Request,
    "kt00009": Kt00009Request,
    "kt00015": Kt00015Request,
    "kt00018": Kt00018Request,
}
RESPONSES: dict[str, type[Response]] = {
    "kt00004": Kt00004Response,
    "kt00005": Kt00005Response,
    "kt00007": Kt00007Response,
    "kt00009": Kt00009Response,
    "kt00015": Kt00015Response,
    "kt00018": Kt00018Response,
}
