"""The staff pages: a table of (role, page) → status, and the actions that call the services."""

import pytest

from lianxin.projects.models import Proposal, ProposalStatus, SiteStatus, TellerEntry, VoteStatus
from lianxin.projects.services import site_report_file
from lianxin.projects.tests.conftest import VOTE_DAY, jpeg
from lianxin.projects.voting import paper_ballot_issue, vote_create, vote_open

PAGES = ["proposal", "vote", "voter", "tellerentry", "project", "site"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("county_staff", 200), ("township_staff", 200), ("deputy", 302), ("unit_handler", 403)],
)
def test_who_sees_the_project_pages(client, world, personas, page, persona, status):
    client.force_login(getattr(personas, persona))
    assert client.get(f"/admin/projects/{page}/").status_code == status


def test_a_site_outside_the_users_region_is_not_found(client, world, personas):
    client.force_login(personas.township_staff)  # 武康街道; 城东桥 is in 乾元镇
    assert client.get(f"/admin/projects/site/{world.site_b.pk}/change/").status_code == 404
    assert client.get(f"/admin/projects/site/{world.site_a.pk}/change/").status_code == 200


def test_staff_merge_duplicates_and_shortlist_with_actions(client, world, regions):
    vote = vote_create(
        actor=world.staff, level="county", region=regions.deqing, session="第五次会议", year=2026, held_on=VOTE_DAY
    )
    client.force_login(world.staff)
    ids = [world.proposals[0].pk, world.proposals[1].pk]
    client.post("/admin/projects/proposal/", {"action": "merge", "_selected_action": ids})
    assert Proposal.objects.get(pk=ids[1]).status == ProposalStatus.MERGED
    client.post(
        "/admin/projects/proposal/",
        {"action": "shortlist", "_selected_action": [ids[0], world.proposals[2].pk], "target": vote.pk},
    )
    assert list(vote.candidates.values_list("title", flat=True)) == ["建议0", "建议2"]


def test_two_tellers_type_paper_ballots_in_the_back_office_and_the_vote_action_compares_them(
    client, world, regions, make_user
):
    from lianxin.accounts.roles import Role
    from lianxin.projects.services import proposal_shortlist

    vote = vote_create(
        actor=world.staff, level="county", region=regions.deqing, session="第五次会议", year=2026, held_on=VOTE_DAY
    )
    for p in world.proposals[:2]:
        proposal_shortlist(actor=world.staff, proposal=p, vote=vote)
    vote_open(actor=world.staff, vote=vote)
    for deputy in world.deputies[:2]:
        paper_ballot_issue(actor=world.staff, vote=vote, deputy=deputy)
    teller2 = make_user("teller2", Role.COUNTY_STAFF, regions.deqing)
    for user, text in ((world.staff, "赞成 反对\n赞成，赞成"), (teller2, "赞成 赞成\n赞成 反对")):
        client.force_login(user)
        response = client.post("/admin/projects/tellerentry/add/", {"vote": vote.pk, "text": text})
        assert response.status_code == 302
    assert TellerEntry.objects.count() == 2
    client.post("/admin/projects/vote/", {"action": "accept_paper", "_selected_action": [vote.pk]})
    vote.refresh_from_db()
    assert vote.paper_accepted and vote.ballots.count() == 2
    bad = client.post("/admin/projects/tellerentry/add/", {"vote": vote.pk, "text": "同意 也许"})
    assert "看不懂“也许”" in bad.content.decode()
    client.post("/admin/projects/vote/", {"action": "close_vote", "_selected_action": [vote.pk]})
    vote.refresh_from_db()
    assert vote.status == VoteStatus.CLOSED


def test_staff_close_a_site_from_its_list_and_a_refusal_is_explained(client, world):
    client.force_login(world.staff)
    response = client.post(
        "/admin/projects/site/", {"action": "verify_close", "_selected_action": [world.site_a.pk]}, follow=True
    )
    assert "须有进度100%并附照片的完工报告" in response.content.decode()
    site_report_file(
        actor=world.users[0], site=world.site_a, month=VOTE_DAY, progress=100, done="完工", is_final=True,
        photos=[jpeg()],
    )  # fmt: skip
    client.post("/admin/projects/site/", {"action": "verify_close", "_selected_action": [world.site_a.pk]})
    world.site_a.refresh_from_db()
    assert world.site_a.status == SiteStatus.CLOSED


def test_a_teller_typing_twice_is_told_so_and_nothing_is_added(client, world, regions):
    vote = vote_create(
        actor=world.staff, level="county", region=regions.deqing, session="第五次会议", year=2026, held_on=VOTE_DAY
    )
    from lianxin.projects.services import proposal_shortlist

    proposal_shortlist(actor=world.staff, proposal=world.proposals[0], vote=vote)
    vote_open(actor=world.staff, vote=vote)
    client.force_login(world.staff)
    client.post("/admin/projects/tellerentry/add/", {"vote": vote.pk, "text": "赞成"})
    again = client.post("/admin/projects/tellerentry/add/", {"vote": vote.pk, "text": "反对"}, follow=True)
    assert "两名计票人须各自独立录入" in again.content.decode() and TellerEntry.objects.count() == 1
