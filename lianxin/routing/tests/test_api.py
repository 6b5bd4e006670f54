"""/api/v1/routing (read-only): router versions with their figures, proposals in the handler's scope (404 outside),
candidate common problems; those who do not handle cases are refused with 403; lists without N+1."""

import pytest

from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Category
from lianxin.cases.services import case_register
from lianxin.routing.models import Proposal
from lianxin.routing.services import case_propose, router_train_from_cases

API = "/api/v1"


@pytest.fixture
def get(client):
    def do(user, path: str, **params):
        client.logout()
        client.force_login(user)
        return client.get(f"{API}{path}", params)

    return do


@pytest.fixture
def routed(history, regions):
    """A router trained on the history, and its proposals for two new cases in 居仁社区 and one in 城东村."""
    version = router_train_from_cases(actor=None, min_samples=20, threshold=0.0)
    jueren = [case_propose(case=history.register(row)) for row in history.fresh[:2]]
    chengdong = case_propose(case=history.register(history.fresh[2], region=regions.chengdong))
    return type("Routed", (), {"version": version, "jueren": jueren, "chengdong": chengdong})


def test_router_versions_are_listed_with_their_figures_for_those_who_handle_cases(routed, personas, get):
    body = get(personas.county_staff, "/routing/routers").json()
    assert body["count"] == 1
    version = body["items"][0]
    assert (version["number"], version["is_active"]) == (routed.version.number, True)
    assert version["samples"] == routed.version.samples and version["metrics"] == routed.version.metrics
    assert sorted(version["classes"]) == sorted(routed.version.classes)


def test_those_who_do_not_handle_cases_are_refused_every_routing_read_with_403(routed, personas, get):
    for user in (personas.deputy, personas.grid_worker, personas.unit_handler):
        for path in (
            "/routing/routers",
            "/routing/proposals",
            f"/routing/proposals/{routed.jueren[0].pk}",
            "/routing/hotspots",
        ):
            response = get(user, path)
            assert response.status_code == 403 and response.json()["code"] == "permission_denied", (user, path)


def test_a_township_handler_sees_only_their_townships_proposals_and_outside_is_a_404(routed, personas, get):
    listed = get(personas.township_staff, "/routing/proposals").json()["items"]
    assert sorted(item["id"] for item in listed) == sorted(p.pk for p in routed.jueren)
    assert get(personas.outsider, "/routing/proposals").json()["items"][0]["id"] == routed.chengdong.pk
    outside = get(personas.township_staff, f"/routing/proposals/{routed.chengdong.pk}")
    assert outside.status_code == 404 and outside.json()["code"] == "not_found"
    detail = get(personas.township_staff, f"/routing/proposals/{routed.jueren[0].pk}").json()
    proposal = Proposal.objects.get(pk=routed.jueren[0].pk)
    assert detail["router_version"] == routed.version.number and detail["case"]["id"] == proposal.case_id
    assert detail["category"]["code"] == proposal.category.code and detail["confidence"] == proposal.confidence
    assert [r["category"] for r in detail["ranking"]] == [str(r[0]) for r in proposal.ranking]


def test_hotspot_candidates_are_the_handlers_own_regions(personas, regions, get):
    category = Category.objects.get(code="urban-construction")

    def register(title, body, region=regions.jueren):
        case_register(
            actor=None, draft=CaseDraft(channel="online", title=title, body=body, region=region, category=category)
        )

    register("居仁社区三号楼门口停车难", "居仁社区三号楼门口车辆乱停，消防通道被堵，停车非常困难。")
    register("反映居仁社区三号楼停车难", "居仁社区三号楼门口每天晚上车辆乱停乱放，消防通道堵死，停车难。")
    register("居仁社区三号楼门口停车难问题", "居仁社区三号楼门口停车难，车辆乱停，消防通道被占。")
    register("城东村路灯不亮", "城东村村口三盏路灯坏了一个月。", region=regions.chengdong)
    spots = get(personas.township_staff, "/routing/hotspots").json()
    assert len(spots) == 1 and spots[0]["messages"] == 3 and len(spots[0]["cases"]) == 3
    assert {case["region"]["code"] for case in spots[0]["cases"]} == {regions.jueren.code}
    assert get(personas.outsider, "/routing/hotspots").json() == []


def test_the_proposal_list_takes_the_same_number_of_queries_for_many_rows(
    routed, history, personas, client, django_assert_num_queries
):
    for row in history.fresh[3:9]:
        case_propose(case=history.register(row))
    client.force_login(personas.county_staff)
    # The rate-limit counters, the session, the user, their grants, the page, the count.
    with django_assert_num_queries(6):
        assert client.get(f"{API}/routing/proposals", {"limit": 100}).json()["count"] == 9
