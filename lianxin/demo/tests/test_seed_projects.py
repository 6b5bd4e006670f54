"""The demo county's livelihood projects: this year's 10 projects from a verified vote, about 200 sites in
every state, reports, and next year's vote open for the demo deputy."""

from collections import Counter

from lianxin.projects.models import Project, Proposal, ProposalStatus, Site, SiteReport, SiteStatus, Vote, VoteStatus
from lianxin.projects.voting import vote_verify


def test_ten_projects_from_a_vote_that_recounts_to_its_published_result(county):
    accepted = Vote.objects.get(status=VoteStatus.ACCEPTED)
    assert Project.objects.filter(vote=accepted).count() == 10
    assert vote_verify(accepted).problems == []
    assert accepted.result["valid"] and len(accepted.result["chosen"]) == 10
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert {
        ProposalStatus.MERGED,
        ProposalStatus.REJECTED,
        ProposalStatus.CHOSEN,
        ProposalStatus.NOT_CHOSEN,
    } <= statuses


def test_about_200_sites_in_every_state_with_reports_and_photos_on_closed_ones(county):
    states = Counter(Site.objects.values_list("status", flat=True))
    assert 180 <= sum(states.values()) <= 220
    assert all(states[s] >= 10 for s in SiteStatus.values), states
    closed = Site.objects.filter(status=SiteStatus.CLOSED)
    assert not closed.filter(reports__is_final=True, reports__photos__isnull=True).exists()
    assert SiteReport.objects.count() > 150
    assert Site.objects.filter(lead_deputy__user__username="deputy").count() == 3


def test_next_years_vote_is_open_for_the_demo_deputy(county):
    upcoming = Vote.objects.get(status=VoteStatus.OPEN)
    assert upcoming.voters.filter(deputy__user__username="deputy", has_voted=False).exists()
