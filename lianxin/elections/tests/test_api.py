"""/api/v1/elections: elections with the districts, findings and decisions the user may see. A township's staff see
their own districts of the county's election; outside is a 404; without manage_elections a 403; ID numbers are
masked for whoever may not see contacts where the finding lives; lists without N+1."""

import datetime

import pytest

from lianxin.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from lianxin.elections import services
from lianxin.elections.models import Finding, Resolution
from lianxin.elections.tests.test_services import CHENGDONG, HEADERS, JUREN, LI, ZHANG, import_rows, make_id, row
from lianxin.testing import xlsx_bytes

API = "/api/v1"
BAD_LI = LI[:17] + ("0" if LI[17] != "0" else "1")  # a wrong check digit: an error finding naming 李娜


@pytest.fixture
def county_election(regions, personas):
    """德清's election: 居仁社区 (武康) with 张伟 and 李娜 (bad check digit), 城东村 (乾元) with 王Qiang (a Latin
    letter in the name); checked, so each district has one error finding."""
    election = services.election_create(
        actor=personas.county_staff, name="德清县第十八届人大代表选举", region=regions.deqing,
        election_day=datetime.date(2026, 12, 15),
    )  # fmt: skip
    import_rows(election, [row(1, "张伟", ZHANG), row(2, "李娜", BAD_LI, "女")])
    import_rows(election, [row(1, "王Qiang", make_id("19720101", "351"), district=CHENGDONG)], district=CHENGDONG)
    services.voters_check(actor=None, election=election, as_of=datetime.date(2026, 11, 1))
    return election


@pytest.fixture
def anji_election(regions):
    return services.election_create(
        actor=None, name="安吉县人大代表选举", region=regions.anji, election_day=datetime.date(2026, 12, 15)
    )


@pytest.fixture
def get(client):
    def do(user, path: str, **params):
        client.logout()
        client.force_login(user)
        return client.get(f"{API}{path}", params)

    return do


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["code"] for item in response.json()["items"])


def test_a_township_user_sees_only_their_townships_districts_and_findings(county_election, personas, get):
    assert [e["id"] for e in get(personas.township_staff, "/elections").json()["items"]] == [county_election.pk]
    detail = get(personas.township_staff, f"/elections/{county_election.pk}").json()
    assert [(d["code"], d["voter_count"]) for d in detail["districts"]] == [(JUREN, 2)]
    assert _codes(get(personas.township_staff, f"/elections/{county_election.pk}/findings")) == ["id_checksum"]
    assert _codes(get(personas.outsider, f"/elections/{county_election.pk}/findings")) == ["name"]
    assert _codes(get(personas.county_staff, f"/elections/{county_election.pk}/findings")) == ["id_checksum", "name"]


def test_an_election_outside_the_scope_is_a_404_like_one_that_does_not_exist(
    county_election, anji_election, personas, get
):
    for path in (f"/elections/{anji_election.pk}", f"/elections/{anji_election.pk}/findings", "/elections/999999"):
        response = get(personas.township_staff, path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert anji_election.pk not in [e["id"] for e in get(personas.county_staff, "/elections").json()["items"]]


def test_without_manage_elections_the_rolls_are_refused_with_403(county_election, anji_election, personas, get):
    # The unit's handler sees 德清 (view_registry) but does not run its elections.
    for path in ("/elections", f"/elections/{county_election.pk}", f"/elections/{county_election.pk}/findings"):
        response = get(personas.unit_handler, path)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert get(personas.unit_handler, f"/elections/{anji_election.pk}").status_code == 404
    assert get(personas.deputy, "/elections").status_code == 403


def test_id_numbers_are_whole_only_for_those_who_may_see_contacts_where_the_finding_lives(
    county_election, personas, get, monkeypatch
):
    path = f"/elections/{county_election.pk}/findings"
    finding = get(personas.township_staff, path).json()["items"][0]
    assert finding["voter"]["name"] == "李娜" and finding["voter"]["id_number"] == BAD_LI
    monkeypatch.setitem(
        ROLE_PERMISSIONS, Role.TOWNSHIP_STAFF, ROLE_PERMISSIONS[Role.TOWNSHIP_STAFF] - {Perm.VIEW_CONTACTS}
    )
    text = get(personas.township_staff, path).content.decode()
    masked = get(personas.township_staff, path).json()["items"][0]["voter"]["id_number"]
    assert masked == BAD_LI[:4] + "*" * 10 + BAD_LI[-4:] and BAD_LI not in text


def test_a_findings_decision_is_shown_with_who_made_it_and_filters_by_open(county_election, personas, get):
    finding = Finding.objects.get(code="id_checksum")
    services.finding_resolve(actor=personas.township_staff, finding=finding, resolution=Resolution.KEEP, note="已核实")
    path = f"/elections/{county_election.pk}/findings"
    decided = get(personas.county_staff, path, open="false").json()["items"]
    assert [f["code"] for f in decided] == ["id_checksum"]
    decision = decided[0]["decision"]
    assert (decision["resolution"], decision["note"], decision["resolved_by"]) == ("keep", "已核实", "township_staff")
    still_open = get(personas.county_staff, path, open="true").json()["items"]
    assert [(f["code"], f["decision"]) for f in still_open] == [("name", None)]
    assert _codes(get(personas.county_staff, path, kind="duplicate")) == []


def test_the_election_and_finding_lists_take_the_same_number_of_queries_for_many_rows(
    county_election, regions, personas, client, django_assert_num_queries
):
    rows = [row(n, f"居民{n}", make_id("19800101", f"{n:03d}")[:17] + "0") for n in range(3, 12)]
    services.voters_import(
        actor=None, election=county_election, district_code=JUREN, file=xlsx_bytes(HEADERS, rows), filename="more.xlsx"
    )
    services.voters_check(actor=None, election=county_election, as_of=datetime.date(2026, 11, 1))
    for n in range(5):
        services.election_create(
            actor=None, name=f"补选{n}", region=regions.deqing, election_day=datetime.date(2027, 1, n + 1)
        )
    client.force_login(personas.county_staff)
    # The rate-limit counters, the session, the user, their grants, the page, the count.
    with django_assert_num_queries(6):
        assert len(client.get(f"{API}/elections").json()["items"]) == 6
    # … and the election itself before its findings.
    with django_assert_num_queries(7):
        items = client.get(f"{API}/elections/{county_election.pk}/findings", {"limit": 100}).json()["items"]
    assert len(items) > 5 and all(item["voter"]["id_number"] for item in items if item["voter"])
