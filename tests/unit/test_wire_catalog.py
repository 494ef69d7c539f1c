"""hoga.wire.catalog: every api-id of spec §3.2 with its category path."""

from __future__ import annotations

import pytest

from hoga.wire import catalog
from hoga.wire.schemas import REQUEST_SCHEMAS, RESPONSE_SCHEMAS

# The 190 api-ids of the §3.2 table, copied from the spec as an independent check.
_SPEC_TABLE = """
ka00001 ka01300 ka01301 au10001 au10002 ka00198 ka01690 ka10001 ka10002 ka10003 ka10004
ka10005 ka10006 ka10007 ka10008 ka10009 ka10010 ka10011 ka10013 ka10014 ka10015 ka10016
ka10017 ka10018 ka10019 ka10020 ka10021 ka10022 ka10023 ka10024 ka10025 ka10026 ka10027
ka10028 ka10029 ka10030 ka10031 ka10032 ka10033 ka10034 ka10035 ka10036 ka10037 ka10038
ka10039 ka10040 ka10042 ka10043 ka10044 ka10045 ka10046 ka10047 ka10048 ka10050 ka10051
ka10052 ka10053 ka10054 ka10055 ka10058 ka10059 ka10060 ka10061 ka10062 ka10063 ka10064
ka10065 ka10066 ka10068 ka10069 ka10072 ka10073 ka10074 ka10075 ka10076 ka10077 ka10078
ka10079 ka10080 ka10081 ka10082 ka10083 ka10084 ka10085 ka10086 ka10087 ka10088 ka10094
ka10095 ka10098 ka10099 ka10100 ka10101 ka10102 ka10131 ka10170 ka10171 ka10172 ka10173
ka10174 ka20001 ka20002 ka20003 ka20004 ka20005 ka20006 ka20007 ka20008 ka20009 ka20019
ka20068 ka30001 ka30002 ka30003 ka30004 ka30005 ka30009 ka30010 ka30011 ka30012 ka40001
ka40002 ka40003 ka40004 ka40006 ka40007 ka40008 ka40009 ka40010 ka50010 ka50012 ka50079
ka50080 ka50081 ka50082 ka50083 ka50087 ka50091 ka50092 ka50100 ka50101 ka52301 ka90001
ka90002 ka90003 ka90004 ka90005 ka90006 ka90007 ka90008 ka90009 ka90010 ka90012 ka90013
kt00001 kt00002 kt00003 kt00004 kt00005 kt00007 kt00008 kt00009 kt00010 kt00011 kt00012
kt00013 kt00015 kt00016 kt00017 kt00018 kt10000 kt10001 kt10002 kt10003 kt10006 kt10007
kt10008 kt10009 kt20016 kt20017 kt50000 kt50001 kt50002 kt50003 kt50020 kt50021 kt50030
kt50031 kt50032 kt50075
"""
SPEC_IDS = _SPEC_TABLE.split()


def test_every_spec_id_is_catalogued_with_a_path() -> None:
    assert len(SPEC_IDS) == 190
    assert set(SPEC_IDS) == set(catalog.CATALOG)
    for api_id in SPEC_IDS:
        path = catalog.path_for(api_id)
        assert path is not None
        assert path in catalog.PATHS
        assert api_id in catalog.ids_for(path)
        assert catalog.CATALOG[api_id].name


@pytest.mark.parametrize(
    ("api_id", "path"),
    [
        ("au10001", "/oauth2/token"),
        ("au10002", "/oauth2/revoke"),
        ("ka10001", "/api/dostk/stkinfo"),
        ("ka10004", "/api/dostk/mrkcond"),
        ("ka10081", "/api/dostk/chart"),
        ("kt00018", "/api/dostk/acnt"),
        ("ka00001", "/api/dostk/acnt"),
        ("kt10000", "/api/dostk/ordr"),
        ("kt10007", "/api/dostk/crdordr"),
        ("ka10171", "/api/dostk/websocket"),
        ("ka01301", "/api/dostk/watchlist"),
        ("ka90001", "/api/dostk/thme"),
    ],
)
def test_path_for(api_id: str, path: str) -> None:
    assert catalog.path_for(api_id) == path


def test_unknown_ids_and_paths() -> None:
    assert catalog.path_for("ka99999") is None
    assert catalog.spec_for("KA10001") is None  # case-sensitive, like the real router
    assert catalog.ids_for("/api/dostk/nope") == frozenset()
    assert catalog.ids_for("/api/dostk/crdordr/") == {"kt10006", "kt10007", "kt10008", "kt10009"}


def test_websocket_ids_are_not_rest() -> None:
    assert not catalog.is_rest("ka10172")
    assert catalog.is_rest("ka10001")
    assert not catalog.is_rest("ka99999")
    ws = {a for a, s in catalog.CATALOG.items() if not s.is_rest}
    assert ws == {"ka10171", "ka10172", "ka10173", "ka10174"}


def test_paging_facts() -> None:
    spec = catalog.CATALOG["ka10081"]
    assert spec.list_keys == ("stk_dt_pole_chart_qry",)
    assert spec.page_size == 600
    assert catalog.CATALOG["ka10086"].page_size == 20
    assert catalog.CATALOG["ka10079"].page_size == 900
    assert catalog.CATALOG["ka10095"].single_page
    assert catalog.CATALOG["kt00018"].list_keys == ("acnt_evlt_remn_indv_tot",)
    assert catalog.CATALOG["ka01300"].list_keys == ("nofi",)


def test_schema_ids_are_catalogued_at_their_module_path() -> None:
    assert set(REQUEST_SCHEMAS) == set(RESPONSE_SCHEMAS)
    assert len(REQUEST_SCHEMAS) == 57
    for api_id, cls in REQUEST_SCHEMAS.items():
        path = catalog.path_for(api_id)
        assert path is not None
        segment = cls.__module__.rsplit(".", 1)[1].split("_")[0]
        expected = "oauth2" if segment == "oauth" else segment
        assert expected in path, (api_id, path, cls.__module__)


def test_list_keys_match_response_schemas() -> None:
    import msgspec

    for api_id, cls in RESPONSE_SCHEMAS.items():
        lists = tuple(
            f.encode_name
            for f in msgspec.structs.fields(cls)
            if getattr(f.type, "__origin__", None) is list
        )
        assert lists == catalog.CATALOG[api_id].list_keys, api_id
