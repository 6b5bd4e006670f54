"""/api/v1/projects, /api/v1/sites and /api/v1/votes: the same scope as the back office (outside is a 404), the
lead deputy's monthly report with its permission (403) and audit row, lists without N+1, and no deputy's choice
in any answer of the votes API."""

import datetime
import json
from decimal import Decimal

import pytest

from lianxin.core.models import AuditEvent
from lianxin.deputies.models import MandateLevel
from lianxin.projects.models import Ballot, ProposalSource, SiteReport, SiteStatus, Voter
from lianxin.projects.services import (
    project_create,
    proposal_match,
    proposal_shortlist,
    proposal_submit,
    site_create,
    site_report_file,
)
from lianxin.projects.tests.conftest import VOTE_DAY
from lianxin.projects.voting import vote_cast, vote_close, vote_create, vote_open

API = "/api/v1"
Y, N, A = "for", "against", "abstain"


@pytest.fixture
def as_user(client):
    def do(user, method: str, path: str, body: dict | None = None, **params):
        client.logout()
        client.force_login(user)
        if method == "get":
            return client.get(f"{API}{path}", params)
        return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")

    return do


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- projects and sites -------------------------------------------------------------------------------------


def test_a_township_user_sees_only_the_sites_of_their_township(world, personas, as_user):
    assert _ids(as_user(personas.township_staff, "get", "/sites")) == [world.site_a.pk]
    assert as_user(personas.township_staff, "get", f"/sites/{world.site_a.pk}").status_code == 200
    outside = as_user(personas.township_staff, "get", f"/sites/{world.site_b.pk}")
    assert outside.status_code == 404 and outside.json()["code"] == "not_found"
    assert as_user(personas.outsider, "get", "/sites").json()["items"][0]["id"] == world.site_b.pk


def test_a_project_is_seen_from_its_region_down_and_is_a_404_outside(world, personas, regions, as_user):
    town = project_create(actor=personas.township_staff, region=regions.wukang, year=2026, title="武康路灯")
    assert set(_ids(as_user(personas.county_staff, "get", "/projects"))) == {world.project.pk, town.pk}
    assert _ids(as_user(personas.township_staff, "get", "/projects")) == [town.pk]
    assert as_user(personas.township_staff, "get", f"/projects/{world.project.pk}").status_code == 404
    assert as_user(personas.outsider, "get", f"/projects/{town.pk}").status_code == 404


def test_a_projects_detail_carries_its_sites_and_their_monthly_reports(world, personas, as_user):
    site_report_file(
        actor=personas.deputy, site=world.site_a, month=datetime.date(2026, 3, 5), progress=20, done="完成路基"
    )
    body = as_user(personas.county_staff, "get", f"/projects/{world.project.pk}").json()
    assert body["site_count"] == 2 and body["unit"]["name"] == "县交通运输局"
    sites = {site["name"]: site for site in body["sites"]}
    assert sites["居仁路"]["status"] == SiteStatus.IN_PROGRESS and sites["居仁路"]["progress"] == 20
    assert [(r["month"], r["progress"], r["done"]) for r in sites["居仁路"]["reports"]] == [
        ("2026-03-01", 20, "完成路基")
    ]
    assert sites["城东桥"]["reports"] == [] and sites["居仁路"]["lead_deputy"]["name"] == "代表0"


def test_projects_and_sites_filter_by_year_region_and_status(world, personas, regions, as_user):
    staff = personas.county_staff
    site_report_file(actor=personas.deputy, site=world.site_a, month=VOTE_DAY, progress=10, done="开工")
    assert _ids(as_user(staff, "get", "/projects", year=2026)) == [world.project.pk]
    assert _ids(as_user(staff, "get", "/projects", year=2025)) == []
    assert _ids(as_user(staff, "get", "/projects", status="closed")) == []
    assert _ids(as_user(staff, "get", "/projects", status="in_progress")) == [world.project.pk]
    assert _ids(as_user(staff, "get", "/sites", status="not_started")) == [world.site_b.pk]
    assert _ids(as_user(staff, "get", "/sites", region=regions.chengdong.code)) == [world.site_b.pk]
    assert as_user(personas.township_staff, "get", "/sites", region=regions.qianyuan.code).status_code == 404


def test_the_lead_deputy_files_a_monthly_report_through_the_api_and_it_is_audited(world, personas, as_user):
    body = {"month": "2026-04-17", "progress": 35, "done": "铺设沥青", "problems": "雨天较多"}
    response = as_user(personas.deputy, "post", f"/sites/{world.site_a.pk}/reports", body)
    assert response.status_code == 201, response.content
    assert response.json()["month"] == "2026-04-01" and response.json()["progress"] == 35
    report = SiteReport.objects.get(site=world.site_a)
    assert (report.progress, report.done, report.author) == (35, "铺设沥青", personas.deputy)
    world.site_a.refresh_from_db()
    assert world.site_a.status == SiteStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="projects.site.start", object_id=str(world.site_a.pk))
    assert event.actor == personas.deputy and event.changes["progress"] == [0, 35]


def test_staff_who_are_not_the_lead_deputy_are_refused_a_report_with_403_and_nothing_is_written(
    world, personas, as_user
):
    body = {"month": "2026-04-01", "progress": 35, "done": "铺设沥青"}
    refused = as_user(personas.township_staff, "post", f"/sites/{world.site_a.pk}/reports", body)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    outside = as_user(personas.deputy, "post", f"/sites/{world.site_b.pk}/reports", body)
    assert outside.status_code == 404
    assert not SiteReport.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["projects.site.start", "projects.site.report"]).exists()
    on_behalf = as_user(
        personas.township_staff, "post", f"/sites/{world.site_a.pk}/reports", {**body, "on_behalf": True}
    )
    assert on_behalf.status_code == 201
    assert AuditEvent.objects.get(action="projects.site.start").actor == personas.township_staff


def test_a_report_the_domain_refuses_answers_400_with_its_code(world, personas, as_user):
    path = f"/sites/{world.site_a.pk}/reports"
    assert (
        as_user(personas.deputy, "post", path, {"month": "2026-04-01", "progress": 50, "done": "过半"}).status_code
        == 201
    )
    backwards = as_user(personas.deputy, "post", path, {"month": "2026-05-01", "progress": 40, "done": "返工"})
    assert backwards.status_code == 400 and backwards.json()["code"] == "progress_backwards"
    assert backwards.json()["field"] == "progress"


def test_the_project_and_site_lists_take_the_same_number_of_queries_for_many_rows(
    world, personas, regions, client, django_assert_num_queries
):
    staff = personas.county_staff
    for number in range(6):
        project = project_create(actor=staff, region=regions.deqing, year=2027, title=f"项目{number}", unit=world.unit)
        site_create(
            actor=staff, project=project, region=regions.jueren, name=f"点位{number}",
            planned_start=datetime.date(2027, 3, 1), planned_end=datetime.date(2027, 9, 30),
            lead_deputy=world.deputies[2],
        )  # fmt: skip
    client.force_login(staff)
    # The rate-limit counters (one statement), the session, the user, their role grants, the page, the count.
    with django_assert_num_queries(6):
        assert len(client.get(f"{API}/projects", {"limit": 50}).json()["items"]) == 7
    with django_assert_num_queries(6):
        assert len(client.get(f"{API}/sites", {"limit": 50}).json()["items"]) == 8


# --- votes ----------------------------------------------------------------------------------------------------


@pytest.fixture
def counted(world, regions):
    """A vote cast by all nine deputies and closed: its result and digest are published."""
    vote = vote_create(
        actor=world.staff, level=MandateLevel.COUNTY, region=regions.deqing, session="第十七届人大第五次会议",
        year=2026, held_on=VOTE_DAY, seats=2,
    )  # fmt: skip
    for proposal in world.proposals[:3]:
        proposal_shortlist(actor=world.staff, proposal=proposal, vote=vote)
    vote_open(actor=world.staff, vote=vote)
    for i, user in enumerate(world.users):
        vote_cast(actor=user, vote=vote, choices={1: Y, 2: Y if i < 6 else N, 3: Y if i < 4 else A})
    vote.refresh_from_db()
    return vote_close(actor=world.staff, vote=vote)


def test_a_counted_vote_shows_its_rules_status_result_and_ballots_digest(counted, personas, as_user):
    body = as_user(personas.county_staff, "get", f"/votes/{counted.pk}").json()
    assert (body["status"], body["seats"], body["quorum_num"], body["quorum_den"]) == ("closed", 2, 2, 3)
    assert [c["number"] for c in body["candidates"]] == [1, 2, 3]
    assert body["result"]["chosen"] == [1, 2] and body["result"]["counts"]["3"] == {Y: 4, N: 0, A: 5}
    assert body["ballots_digest"] == counted.ballots_digest and len(body["ballots_digest"]) == 64


def test_an_open_vote_publishes_neither_result_nor_digest(world, regions, personas, as_user):
    vote = vote_create(
        actor=world.staff, level=MandateLevel.COUNTY, region=regions.deqing, session="第十七届人大第六次会议",
        year=2027, held_on=VOTE_DAY, seats=1,
    )  # fmt: skip
    proposal_shortlist(actor=world.staff, proposal=world.proposals[3], vote=vote)
    vote_open(actor=world.staff, vote=vote)
    vote_cast(actor=world.users[0], vote=vote, choices={1: Y})
    body = as_user(personas.county_staff, "get", f"/votes/{vote.pk}").json()
    assert body["status"] == "open" and body["result"] is None and body["ballots_digest"] is None


def test_no_answer_of_the_votes_api_contains_a_deputys_choice(counted, world, personas, as_user):
    answers = [
        as_user(user, "get", path).content.decode()
        for user in (personas.county_staff, personas.deputy, personas.admin)
        for path in ("/votes", f"/votes/{counted.pk}")
    ]
    ballot_ids = [str(b.pk) for b in Ballot.objects.filter(vote=counted)]
    assert len(ballot_ids) == 9 and Voter.objects.filter(vote=counted, has_voted=True).count() == 9
    for text in answers:
        for deputy in world.deputies:
            assert deputy.name not in text and f'"deputy": {deputy.pk}' not in text
        assert not any(ballot_id in text for ballot_id in ballot_ids)
        assert "receipt" not in text and "has_voted" not in text and "voters" not in text


def test_a_vote_outside_the_scope_is_a_404_and_absent_from_the_list(counted, personas, as_user):
    assert as_user(personas.outsider, "get", f"/votes/{counted.pk}").status_code == 404
    assert _ids(as_user(personas.outsider, "get", "/votes")) == []
    assert _ids(as_user(personas.county_staff, "get", "/votes")) == [counted.pk]


def test_the_vote_list_takes_the_same_number_of_queries_for_many_votes(
    world, regions, personas, client, django_assert_num_queries
):
    for year in range(2030, 2036):
        proposal = proposal_submit(
            actor=None, region=regions.jueren, title=f"建议{year}", description="内容", source=ProposalSource.RESIDENT
        )
        proposal_match(actor=world.staff, proposal=proposal, cost_estimate=Decimal(100), unit=world.unit)
        vote = vote_create(
            actor=world.staff, level=MandateLevel.COUNTY, region=regions.deqing, session=f"{year}年会议",
            year=year, held_on=VOTE_DAY, seats=1,
        )  # fmt: skip
        proposal_shortlist(actor=world.staff, proposal=proposal, vote=vote)
    client.force_login(personas.county_staff)
    # The rate-limit counters, the session, the user, their grants, the page, its candidates, the count.
    with django_assert_num_queries(7):
        items = client.get(f"{API}/votes").json()["items"]
    assert len(items) == 6 and all(len(item["candidates"]) == 1 for item in items)
