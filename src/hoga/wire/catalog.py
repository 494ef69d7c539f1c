"""The domestic api-id catalogue (spec §3.2): api-id → category path, Korean name, paging.

Every REST call is ``POST <category path>`` with the operation chosen by the ``api-id`` header
(§1.2). This module is the one table of which api-id lives at which path; the router answers an
unknown api-id with 1505 and an api-id at the wrong path with 1504 by asking :func:`path_for`.

``list_keys`` names the response list field(s) of each api-id (Appendix A) — the rows a paged
response slices. ``page_size`` is the observed rows-per-page of §1.5 where one was measured
(``None`` = not observed; the server chooses), and ``single_page`` marks api-ids observed to
answer in one page (``cont-yn: N``). ka10171–ka10174 are WebSocket messages, not HTTP
endpoints (§5.6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "ACNT",
    "CATALOG",
    "CHART",
    "CRDORDR",
    "ELW",
    "ETF",
    "FRGNISTT",
    "MRKCOND",
    "ORDR",
    "PATHS",
    "REVOKE",
    "RKINFO",
    "SECT",
    "SHSA",
    "SLB",
    "STKINFO",
    "THME",
    "TOKEN",
    "WATCHLIST",
    "WEBSOCKET",
    "ApiSpec",
    "ids_for",
    "is_rest",
    "path_for",
    "spec_for",
]

TOKEN = "/oauth2/token"
REVOKE = "/oauth2/revoke"
STKINFO = "/api/dostk/stkinfo"
MRKCOND = "/api/dostk/mrkcond"
CHART = "/api/dostk/chart"
RKINFO = "/api/dostk/rkinfo"
ACNT = "/api/dostk/acnt"
ORDR = "/api/dostk/ordr"
CRDORDR = "/api/dostk/crdordr"
SECT = "/api/dostk/sect"
FRGNISTT = "/api/dostk/frgnistt"
ELW = "/api/dostk/elw"
ETF = "/api/dostk/etf"
SLB = "/api/dostk/slb"
SHSA = "/api/dostk/shsa"
THME = "/api/dostk/thme"
WATCHLIST = "/api/dostk/watchlist"
WEBSOCKET = "/api/dostk/websocket"


@dataclass(frozen=True, slots=True)
class ApiSpec:
    """One catalogue row."""

    api_id: str
    name: str  # 한글명 (API 명)
    path: str
    group: str  # 중분류 (menu group)
    list_keys: tuple[str, ...] = ()
    page_size: int | None = None
    single_page: bool = False

    @property
    def is_rest(self) -> bool:
        """False for the condition-search ids that travel over the WebSocket."""
        return self.path != WEBSOCKET


def _e(
    api_id: str,
    name: str,
    path: str,
    group: str,
    list_keys: tuple[str, ...] = (),
    *,
    page_size: int | None = None,
    single_page: bool = False,
) -> ApiSpec:
    return ApiSpec(api_id, name, path, group, list_keys, page_size, single_page)


_ENTRIES: tuple[ApiSpec, ...] = (
    _e("ka00001", "계좌번호조회", ACNT, "계좌"),
    _e("ka01300", "관심종목 그룹 리스트 조회", WATCHLIST, "관심종목", ("nofi",)),
    _e("ka01301", "관심종목 그룹 상세 조회", WATCHLIST, "관심종목", ("nofj",)),
    _e("au10001", "접근토큰 발급", TOKEN, "접근토큰발급"),
    _e("au10002", "접근토큰폐기", REVOKE, "접근토큰폐기"),
    _e("ka00198", "실시간종목조회순위", STKINFO, "종목정보", ("item_inq_rank",)),
    _e("ka01690", "일별잔고수익률", ACNT, "계좌", ("day_bal_rt",)),
    _e("ka10001", "주식기본정보요청", STKINFO, "종목정보"),
    _e("ka10002", "주식거래원요청", STKINFO, "종목정보"),
    _e("ka10003", "체결정보요청", STKINFO, "종목정보", ("cntr_infr",)),
    _e("ka10004", "주식호가요청", MRKCOND, "시세"),
    _e("ka10005", "주식일주월시분요청", MRKCOND, "시세", ("stk_ddwkmm",)),
    _e("ka10006", "주식시분요청", MRKCOND, "시세"),
    _e("ka10007", "시세표성정보요청", MRKCOND, "시세"),
    _e("ka10008", "주식외국인종목별매매동향", FRGNISTT, "기관/외국인", ("stk_frgnr",)),
    _e("ka10009", "주식기관요청", FRGNISTT, "기관/외국인"),
    _e("ka10010", "업종프로그램요청", SECT, "업종"),
    _e("ka10011", "신주인수권전체시세요청", MRKCOND, "시세", ("newstk_recvrht_mrpr",)),
    _e("ka10013", "신용매매동향요청", STKINFO, "종목정보", ("crd_trde_trend",), page_size=100),
    _e("ka10014", "공매도추이요청", SHSA, "공매도", ("shrts_trnsn",)),
    _e("ka10015", "일별거래상세요청", STKINFO, "종목정보", ("daly_trde_dtl",), page_size=100),
    _e("ka10016", "신고저가요청", STKINFO, "종목정보", ("ntl_pric",)),
    _e("ka10017", "상하한가요청", STKINFO, "종목정보", ("updown_pric",)),
    _e("ka10018", "고저가근접요청", STKINFO, "종목정보", ("high_low_pric_alacc",)),
    _e("ka10019", "가격급등락요청", STKINFO, "종목정보", ("pric_jmpflu",)),
    _e("ka10020", "호가잔량상위요청", RKINFO, "순위정보", ("bid_req_upper",), page_size=200),
    _e("ka10021", "호가잔량급증요청", RKINFO, "순위정보", ("bid_req_sdnin",)),
    _e("ka10022", "잔량율급증요청", RKINFO, "순위정보", ("req_rt_sdnin",)),
    _e("ka10023", "거래량급증요청", RKINFO, "순위정보", ("trde_qty_sdnin",), page_size=200),
    _e("ka10024", "거래량갱신요청", STKINFO, "종목정보", ("trde_qty_updt",)),
    _e("ka10025", "매물대집중요청", STKINFO, "종목정보", ("prps_cnctr",)),
    _e("ka10026", "고저PER요청", STKINFO, "종목정보", ("high_low_per",), page_size=100),
    _e("ka10027", "전일대비등락률상위요청", RKINFO, "순위정보", ("pred_pre_flu_rt_upper",)),
    _e("ka10028", "시가대비등락률요청", STKINFO, "종목정보", ("open_pric_pre_flu_rt",)),
    _e("ka10029", "예상체결등락률상위요청", RKINFO, "순위정보", ("exp_cntr_flu_rt_upper",)),
    _e("ka10030", "당일거래량상위요청", RKINFO, "순위정보", ("tdy_trde_qty_upper",)),
    _e("ka10031", "전일거래량상위요청", RKINFO, "순위정보", ("pred_trde_qty_upper",)),
    _e("ka10032", "거래대금상위요청", RKINFO, "순위정보", ("trde_prica_upper",)),
    _e("ka10033", "신용비율상위요청", RKINFO, "순위정보", ("crd_rt_upper",)),
    _e("ka10034", "외인기간별매매상위요청", RKINFO, "순위정보", ("for_dt_trde_upper",)),
    _e("ka10035", "외인연속순매매상위요청", RKINFO, "순위정보", ("for_cont_nettrde_upper",)),
    _e("ka10036", "외인한도소진율증가상위", RKINFO, "순위정보", ("for_limit_exh_rt_incrs_upper",)),
    _e("ka10037", "외국계창구매매상위요청", RKINFO, "순위정보", ("frgn_wicket_trde_upper",)),
    _e("ka10038", "종목별증권사순위요청", RKINFO, "순위정보", ("stk_sec_rank",)),
    _e("ka10039", "증권사별매매상위요청", RKINFO, "순위정보", ("sec_trde_upper",)),
    _e("ka10040", "당일주요거래원요청", RKINFO, "순위정보", ("tdy_main_trde_ori",)),
    _e("ka10042", "순매수거래원순위요청", RKINFO, "순위정보", ("netprps_trde_ori_rank",)),
    _e("ka10043", "거래원매물대분석요청", STKINFO, "종목정보", ("trde_ori_prps_anly",)),
    _e("ka10044", "일별기관매매종목요청", MRKCOND, "시세", ("daly_orgn_trde_stk",)),
    _e("ka10045", "종목별기관매매추이요청", MRKCOND, "시세", ("stk_orgn_trde_trnsn",)),
    _e("ka10046", "체결강도추이시간별요청", MRKCOND, "시세", ("cntr_str_tm",)),
    _e("ka10047", "체결강도추이일별요청", MRKCOND, "시세", ("cntr_str_daly",)),
    _e("ka10048", "ELW일별민감도지표요청", ELW, "ELW", ("elwdaly_snst_ix",)),
    _e("ka10050", "ELW민감도지표요청", ELW, "ELW", ("elwsnst_ix_array",)),
    _e("ka10051", "업종별투자자순매수요청", SECT, "업종", ("inds_netprps",), single_page=True),
    _e("ka10052", "거래원순간거래량요청", STKINFO, "종목정보", ("trde_ori_mont_trde_qty",)),
    _e("ka10053", "당일상위이탈원요청", RKINFO, "순위정보", ("tdy_upper_scesn_ori",)),
    _e("ka10054", "변동성완화장치발동종목요청", STKINFO, "종목정보", ("motn_stk",)),
    _e("ka10055", "당일전일체결량요청", STKINFO, "종목정보", ("tdy_pred_cntr_qty",)),
    _e("ka10058", "투자자별일별매매종목요청", STKINFO, "종목정보", ("invsr_daly_trde_stk",)),
    _e("ka10059", "종목별투자자기관별요청", STKINFO, "종목정보", ("stk_invsr_orgn",)),
    _e("ka10060", "종목별투자자기관별차트요청", CHART, "차트", ("stk_invsr_orgn_chart",)),
    _e("ka10061", "종목별투자자기관별합계요청", STKINFO, "종목정보", ("stk_invsr_orgn_tot",)),
    _e("ka10062", "동일순매매순위요청", RKINFO, "순위정보", ("eql_nettrde_rank",)),
    _e("ka10063", "장중투자자별매매요청", MRKCOND, "시세", ("opmr_invsr_trde",), page_size=800),
    _e("ka10064", "장중투자자별매매차트요청", CHART, "차트", ("opmr_invsr_trde_chart",)),
    _e("ka10065", "장중투자자별매매상위요청", RKINFO, "순위정보", ("opmr_invsr_trde_upper",)),
    _e("ka10066", "장마감후투자자별매매요청", MRKCOND, "시세", ("opaf_invsr_trde",), page_size=100),
    _e("ka10068", "대차거래추이요청", SLB, "대차거래", ("dbrt_trde_trnsn",)),
    _e("ka10069", "대차거래상위10종목요청", SLB, "대차거래", ("dbrt_trde_upper_10stk",)),
    _e("ka10072", "일자별종목별실현손익요청_일자", ACNT, "계좌", ("dt_stk_div_rlzt_pl",)),
    _e("ka10073", "일자별종목별실현손익요청_기간", ACNT, "계좌", ("dt_stk_rlzt_pl",)),
    _e("ka10074", "일자별실현손익요청", ACNT, "계좌", ("dt_rlzt_pl",)),
    _e("ka10075", "미체결요청", ACNT, "계좌", ("oso",)),
    _e("ka10076", "체결요청", ACNT, "계좌", ("cntr",), single_page=True),
    _e("ka10077", "당일실현손익상세요청", ACNT, "계좌", ("tdy_rlzt_pl_dtl",)),
    _e("ka10078", "증권사별종목매매동향요청", MRKCOND, "시세", ("sec_stk_trde_trend",)),
    _e("ka10079", "주식틱차트조회요청", CHART, "차트", ("stk_tic_chart_qry",), page_size=900),
    _e("ka10080", "주식분봉차트조회요청", CHART, "차트", ("stk_min_pole_chart_qry",)),
    _e("ka10081", "주식일봉차트조회요청", CHART, "차트", ("stk_dt_pole_chart_qry",), page_size=600),
    _e(
        "ka10082", "주식주봉차트조회요청", CHART, "차트", ("stk_stk_pole_chart_qry",), page_size=300
    ),
    _e(
        "ka10083", "주식월봉차트조회요청", CHART, "차트", ("stk_mth_pole_chart_qry",), page_size=240
    ),
    _e("ka10084", "당일전일체결요청", STKINFO, "종목정보", ("tdy_pred_cntr",)),
    _e("ka10085", "계좌수익률요청", ACNT, "계좌", ("acnt_prft_rt",)),
    _e("ka10086", "일별주가요청", MRKCOND, "시세", ("daly_stkpc",), page_size=20),
    _e("ka10087", "시간외단일가요청", MRKCOND, "시세"),
    _e("ka10088", "미체결 분할주문 상세", ACNT, "계좌", ("osop",)),
    _e("ka10094", "주식년봉차트조회요청", CHART, "차트", ("stk_yr_pole_chart_qry",), page_size=30),
    _e("ka10095", "관심종목정보요청", STKINFO, "종목정보", ("atn_stk_infr",), single_page=True),
    _e("ka10098", "시간외단일가등락율순위요청", RKINFO, "순위정보", ("ovt_sigpric_flu_rt_rank",)),
    _e("ka10099", "종목정보 리스트", STKINFO, "종목정보", ("list",)),
    _e("ka10100", "종목정보 조회", STKINFO, "종목정보"),
    _e("ka10101", "업종코드 리스트", STKINFO, "종목정보", ("list",), single_page=True),
    _e("ka10102", "회원사 리스트", STKINFO, "종목정보", ("list",)),
    _e(
        "ka10131",
        "기관외국인연속매매현황요청",
        FRGNISTT,
        "기관/외국인",
        ("orgn_frgnr_cont_trde_prst",),
        page_size=100,
    ),
    _e("ka10170", "당일매매일지요청", ACNT, "계좌", ("tdy_trde_diary",)),
    _e("ka10171", "조건검색 목록조회", WEBSOCKET, "조건검색"),
    _e("ka10172", "조건검색 요청 일반", WEBSOCKET, "조건검색"),
    _e("ka10173", "조건검색 요청 실시간", WEBSOCKET, "조건검색"),
    _e("ka10174", "조건검색 실시간 해제", WEBSOCKET, "조건검색"),
    _e("ka20001", "업종현재가요청", SECT, "업종", ("inds_cur_prc_tm",)),
    _e("ka20002", "업종별주가요청", SECT, "업종", ("inds_stkpc",), page_size=100),
    _e("ka20003", "전업종지수요청", SECT, "업종", ("all_inds_idex",)),
    _e("ka20004", "업종틱차트조회요청", CHART, "차트", ("inds_tic_chart_qry",)),
    _e("ka20005", "업종분봉조회요청", CHART, "차트", ("inds_min_pole_qry",)),
    _e("ka20006", "업종일봉조회요청", CHART, "차트", ("inds_dt_pole_qry",), page_size=600),
    _e("ka20007", "업종주봉조회요청", CHART, "차트", ("inds_stk_pole_qry",), page_size=300),
    _e("ka20008", "업종월봉조회요청", CHART, "차트", ("inds_mth_pole_qry",), page_size=240),
    _e("ka20009", "업종현재가일별요청", SECT, "업종", ("inds_cur_prc_daly_rept",)),
    _e("ka20019", "업종년봉조회요청", CHART, "차트", ("inds_yr_pole_qry",), page_size=40),
    _e("ka20068", "대차거래추이요청(종목별)", SLB, "대차거래", ("dbrt_trde_trnsn",)),
    _e("ka30001", "ELW가격급등락요청", ELW, "ELW", ("elwpric_jmpflu",)),
    _e("ka30002", "거래원별ELW순매매상위요청", ELW, "ELW", ("trde_ori_elwnettrde_upper",)),
    _e("ka30003", "ELWLP보유일별추이요청", ELW, "ELW", ("elwlpposs_daly_trnsn",)),
    _e("ka30004", "ELW괴리율요청", ELW, "ELW", ("elwdispty_rt",)),
    _e("ka30005", "ELW조건검색요청", ELW, "ELW", ("elwcnd_qry",)),
    _e("ka30009", "ELW등락율순위요청", ELW, "ELW", ("elwflu_rt_rank",)),
    _e("ka30010", "ELW잔량순위요청", ELW, "ELW", ("elwreq_rank",)),
    _e("ka30011", "ELW근접율요청", ELW, "ELW", ("elwalacc_rt",)),
    _e("ka30012", "ELW종목상세정보요청", ELW, "ELW"),
    _e("ka40001", "ETF수익율요청", ETF, "ETF", ("etfprft_rt_lst",)),
    _e("ka40002", "ETF종목정보요청", ETF, "ETF"),
    _e("ka40003", "ETF일별추이요청", ETF, "ETF", ("etfdaly_trnsn",)),
    _e("ka40004", "ETF전체시세요청", ETF, "ETF", ("etfall_mrpr",), page_size=100),
    _e("ka40006", "ETF시간대별추이요청", ETF, "ETF", ("etftisl_trnsn",)),
    _e("ka40007", "ETF시간대별체결요청", ETF, "ETF", ("etftisl_cntr_array",)),
    _e("ka40008", "ETF일자별체결요청", ETF, "ETF", ("etfnetprps_qty_array",)),
    _e("ka40009", "ETF시간대별체결요청", ETF, "ETF", ("etfnavarray",)),
    _e("ka40010", "ETF시간대별추이요청", ETF, "ETF", ("etftisl_trnsn",)),
    _e("ka50010", "금현물체결추이", MRKCOND, "시세", ("gold_cntr",)),
    _e("ka50012", "금현물일별추이", MRKCOND, "시세", ("gold_daly_trnsn",)),
    _e("ka50079", "금현물틱차트조회요청", CHART, "차트", ("gds_tic_chart_qry",)),
    _e("ka50080", "금현물분봉차트조회요청", CHART, "차트", ("gds_min_chart_qry",)),
    _e("ka50081", "금현물일봉차트조회요청", CHART, "차트", ("gds_day_chart_qry",)),
    _e("ka50082", "금현물주봉차트조회요청", CHART, "차트", ("gds_week_chart_qry",)),
    _e("ka50083", "금현물월봉차트조회요청", CHART, "차트", ("gds_month_chart_qry",)),
    _e("ka50087", "금현물예상체결", MRKCOND, "시세", ("gold_expt_exec",)),
    _e("ka50091", "금현물당일틱차트조회요청", CHART, "차트", ("gds_tic_chart_qry",)),
    _e("ka50092", "금현물당일분봉차트조회요청", CHART, "차트", ("gds_min_chart_qry",)),
    _e("ka50100", "금현물 시세정보", MRKCOND, "시세"),
    _e("ka50101", "금현물 호가", MRKCOND, "시세", ("gold_bid",)),
    _e("ka52301", "금현물투자자현황", FRGNISTT, "기관/외국인", ("inve_trad_stat",)),
    _e("ka90001", "테마그룹별요청", THME, "테마", ("thema_grp",), page_size=100),
    _e("ka90002", "테마구성종목요청", THME, "테마", ("thema_comp_stk",)),
    _e("ka90003", "프로그램순매수상위50요청", STKINFO, "종목정보", ("prm_trde_trnsn",)),
    _e("ka90004", "종목별프로그램매매현황요청", STKINFO, "종목정보", ("stk_prm_trde_prst",)),
    _e("ka90005", "프로그램매매추이요청 시간대별", MRKCOND, "시세", ("prm_trde_trnsn",)),
    _e("ka90006", "프로그램매매차익잔고추이요청", MRKCOND, "시세", ("prm_trde_dfrt_remn_trnsn",)),
    _e("ka90007", "프로그램매매누적추이요청", MRKCOND, "시세", ("prm_trde_acc_trnsn",)),
    _e("ka90008", "종목시간별프로그램매매추이요청", MRKCOND, "시세", ("stk_tm_prm_trde_trnsn",)),
    _e("ka90009", "외국인기관매매상위요청", RKINFO, "순위정보", ("frgnr_orgn_trde_upper",)),
    _e(
        "ka90010",
        "프로그램매매추이요청 일자별",
        MRKCOND,
        "시세",
        ("prm_trde_trnsn",),
        page_size=100,
    ),
    _e("ka90012", "대차거래내역요청", SLB, "대차거래", ("dbrt_trde_prps",)),
    _e("ka90013", "종목일별프로그램매매추이요청", MRKCOND, "시세", ("stk_daly_prm_trde_trnsn",)),
    _e("kt00001", "예수금상세현황요청", ACNT, "계좌", ("stk_entr_prst",)),
    _e("kt00002", "일별추정예탁자산현황요청", ACNT, "계좌", ("daly_prsm_dpst_aset_amt_prst",)),
    _e("kt00003", "추정자산조회요청", ACNT, "계좌"),
    _e("kt00004", "계좌평가현황요청", ACNT, "계좌", ("stk_acnt_evlt_prst",)),
    _e("kt00005", "체결잔고요청", ACNT, "계좌", ("stk_cntr_remn",)),
    _e("kt00007", "계좌별주문체결내역상세요청", ACNT, "계좌", ("acnt_ord_cntr_prps_dtl",)),
    _e("kt00008", "계좌별익일결제예정내역요청", ACNT, "계좌", ("acnt_nxdy_setl_frcs_prps_array",)),
    _e("kt00009", "계좌별주문체결현황요청", ACNT, "계좌", ("acnt_ord_cntr_prst_array",)),
    _e("kt00010", "주문인출가능금액요청", ACNT, "계좌"),
    _e("kt00011", "증거금율별주문가능수량조회요청", ACNT, "계좌"),
    _e("kt00012", "신용보증금율별주문가능수량조회요청", ACNT, "계좌"),
    _e("kt00013", "증거금세부내역조회요청", ACNT, "계좌"),
    _e("kt00015", "위탁종합거래내역요청", ACNT, "계좌", ("trst_ovrl_trde_prps_array",)),
    _e("kt00016", "일별계좌수익률상세현황요청", ACNT, "계좌"),
    _e("kt00017", "계좌별당일현황요청", ACNT, "계좌"),
    _e("kt00018", "계좌평가잔고내역요청", ACNT, "계좌", ("acnt_evlt_remn_indv_tot",)),
    _e("kt10000", "주식 매수주문", ORDR, "주문"),
    _e("kt10001", "주식 매도주문", ORDR, "주문"),
    _e("kt10002", "주식 정정주문", ORDR, "주문"),
    _e("kt10003", "주식 취소주문", ORDR, "주문"),
    _e("kt10006", "신용 매수주문", CRDORDR, "신용주문"),
    _e("kt10007", "신용 매도주문", CRDORDR, "신용주문"),
    _e("kt10008", "신용 정정주문", CRDORDR, "신용주문"),
    _e("kt10009", "신용 취소주문", CRDORDR, "신용주문"),
    _e("kt20016", "신용융자 가능종목요청", STKINFO, "종목정보", ("crd_loan_pos_stk",)),
    _e("kt20017", "신용융자 가능문의", STKINFO, "종목정보"),
    _e("kt50000", "금현물 매수주문", ORDR, "주문"),
    _e("kt50001", "금현물 매도주문", ORDR, "주문"),
    _e("kt50002", "금현물 정정주문", ORDR, "주문"),
    _e("kt50003", "금현물 취소주문", ORDR, "주문"),
    _e("kt50020", "금현물 잔고확인", ACNT, "계좌", ("gold_acnt_evlt_prst",)),
    _e("kt50021", "금현물 예수금", ACNT, "계좌"),
    _e("kt50030", "금현물 주문체결전체조회", ACNT, "계좌", ("acnt_ord_cntr_prst",)),
    _e("kt50031", "금현물 주문체결조회", ACNT, "계좌", ("acnt_ord_cntr_prps_dtl",)),
    _e("kt50032", "금현물 거래내역조회", ACNT, "계좌", ("gold_trde_hist",)),
    _e("kt50075", "금현물 미체결조회", ACNT, "계좌", ("acnt_ord_oso_prst",)),
)

CATALOG: Mapping[str, ApiSpec] = MappingProxyType({e.api_id: e for e in _ENTRIES})
"""Every domestic api-id of §3.2, keyed by api-id."""

PATHS: frozenset[str] = frozenset(e.path for e in _ENTRIES)
"""Every category path (including the OAuth paths and the WebSocket path)."""

_BY_PATH: Mapping[str, frozenset[str]] = MappingProxyType(
    {p: frozenset(e.api_id for e in _ENTRIES if e.path == p) for p in PATHS}
)


def spec_for(api_id: str) -> ApiSpec | None:
    """The catalogue row of ``api_id`` (case-sensitive, as clients send it), or None."""
    return CATALOG.get(api_id)


def path_for(api_id: str) -> str | None:
    """The category path serving ``api_id``, or None when the api-id does not exist (1505)."""
    spec = CATALOG.get(api_id)
    return spec.path if spec is not None else None


def ids_for(path: str) -> frozenset[str]:
    """Every api-id served at ``path`` (empty for an unknown path)."""
    return _BY_PATH.get(path.rstrip("/") or path, frozenset())


def is_rest(api_id: str) -> bool:
    """True when ``api_id`` exists and is an HTTP endpoint (not a WebSocket message)."""
    spec = CATALOG.get(api_id)
    return spec is not None and spec.is_rest
