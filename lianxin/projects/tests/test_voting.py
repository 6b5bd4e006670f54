import datetime

import pytest

from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import MandateLevel
from lianxin.projects.models import Ballot, Project, Proposal, ProposalStatus, TiePolicy, Vote, Voter, VoteStatus
from lianxin.projects.services import proposal_shortlist
from lianxin.projects.tests.conftest import VOTE_DAY
from lianxin.projects.voting import (
    ballot_find,
    decide,
    paper_ballot_issue,
    paper_ballots_accept,
    teller_entry_submit,
    vote_accept,
    vote_cast,
    vote_close,
    vote_create,
    vote_open,
    vote_verify,
)

Y, N, A = "for", "against", "abstain"


@pytest.fixture
def vote(world, regions):
    vote = vote_create(
        actor=world.staff, level=MandateLevel.COUNTY, region=regions.deqing, session="第十七届人大第五次会议",
        year=2026, held_on=VOTE_DAY, seats=2,
    )  # fmt: skip
    for proposal in world.proposals[:3]:
        proposal_shortlist(actor=world.staff, proposal=proposal, vote=vote)
    return vote_open(actor=world.staff, vote=vote)


def counts(**by_number: tuple[int, int, int]) -> dict[str, dict[str, int]]:
    return {n.lstrip("c"): {Y: f, N: a, A: b} for n, (f, a, b) in by_number.items()}


# --- the counting rules -------------------------------------------------------------------------------------


def test_the_electorate_is_the_congress_serving_deputies_on_the_day(vote):
    assert vote.electorate_size == 9  # the resigned deputy is not in it
    assert Voter.objects.filter(vote=vote).count() == 9


def test_a_candidate_passes_only_with_more_than_half_of_all_deputies_not_of_those_voting():
    # 9 deputies, 6 vote: 4 "for" is a majority of those voting but not of all 9 (5 needed).
    decision = decide(
        counts=counts(c1=(5, 1, 0), c2=(4, 1, 1)), electorate_size=9, cast=6, seats=2, quorum=(2, 3),
        tie_policy=TiePolicy.RUNOFF,
    )  # fmt: skip
    assert decision.valid and decision.passed == [1] and decision.chosen == [1]
    assert any("第2号候选项目赞成4票，未过半数" in line for line in decision.explanation)


def test_without_a_quorum_nothing_is_chosen_and_the_words_say_why():
    decision = decide(
        counts=counts(c1=(5, 0, 0)), electorate_size=9, cast=5, seats=1, quorum=(2, 3), tie_policy=TiePolicy.RUNOFF
    )
    assert not decision.valid and decision.chosen == []
    assert "至少6人" in decision.explanation[0] and "无效" in decision.explanation[1]


def test_passed_candidates_are_ranked_by_for_votes_and_only_the_top_n_are_chosen():
    decision = decide(
        counts=counts(c1=(6, 3, 0), c2=(9, 0, 0), c3=(7, 2, 0)), electorate_size=9, cast=9, seats=2,
        quorum=(2, 3), tie_policy=TiePolicy.RUNOFF,
    )  # fmt: skip
    assert decision.passed == [2, 3, 1] and decision.chosen == [2, 3] and decision.tied == []
    assert "第1号虽通过但未进入前2名" in decision.explanation[-1]


def test_a_tie_for_the_last_seat_goes_to_another_vote_or_takes_all_as_configured():
    tied = counts(c1=(9, 0, 0), c2=(7, 2, 0), c3=(7, 1, 1))
    runoff = decide(counts=tied, electorate_size=9, cast=9, seats=2, quorum=(2, 3), tie_policy=TiePolicy.RUNOFF)
    assert runoff.chosen == [1] and runoff.tied == [2, 3]
    assert any("另行表决" in line for line in runoff.explanation)
    take_all = decide(counts=tied, electorate_size=9, cast=9, seats=2, quorum=(2, 3), tie_policy=TiePolicy.INCLUDE_ALL)
    assert take_all.chosen == [1, 2, 3] and take_all.tied == []
    # A tie that fits inside the seats is no tie at all.
    fits = decide(counts=tied, electorate_size=9, cast=9, seats=3, quorum=(2, 3), tie_policy=TiePolicy.RUNOFF)
    assert fits.chosen == [1, 2, 3]


def test_a_vote_from_shortlist_to_result_makes_the_years_projects(world, vote):
    for i, user in enumerate(world.users):
        vote_cast(actor=user, vote=vote, choices={1: Y, 2: Y if i < 6 else N, 3: Y if i < 4 else A})
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    assert vote.status == VoteStatus.CLOSED
    assert vote.result["chosen"] == [1, 2] and vote.result["counts"]["3"] == {Y: 4, N: 0, A: 5}
    projects = vote_accept(actor=world.staff, vote=vote)
    assert [(p.title, p.votes_for) for p in projects] == [("建议0", 9), ("建议1", 6)]
    assert Project.objects.filter(year=2026, vote=vote).count() == 2
    assert Proposal.objects.get(pk=world.proposals[2].pk).status == ProposalStatus.NOT_CHOSEN
    assert AuditEvent.objects.filter(action="projects.proposal.voted").count() == 3
    actions = set(AuditEvent.objects.filter(object_type="projects.vote").values_list("action", flat=True))
    assert {"projects.vote.open", "projects.vote.cast", "projects.vote.close", "projects.vote.accept"} <= actions


def test_a_deputy_votes_once_and_must_take_a_position_on_every_candidate(world, vote, personas):
    with pytest.raises(DomainError) as error:
        vote_cast(actor=world.users[0], vote=vote, choices={1: Y, 2: Y})
    assert error.value.code == "ballot_incomplete" and "第3号" in error.value.message
    vote_cast(actor=world.users[0], vote=vote, choices={1: Y, 2: Y, 3: N})
    with pytest.raises(DomainError) as error:
        vote_cast(actor=world.users[0], vote=vote, choices={1: Y, 2: Y, 3: N})
    assert error.value.code == "already_voted"
    with pytest.raises(PermissionDenied):
        vote_cast(actor=personas.county_staff, vote=vote, choices={1: Y, 2: Y, 3: N})
    assert Ballot.objects.filter(vote=vote).count() == 1


# --- secrecy and verification ---------------------------------------------------------------------------------


def test_a_ballot_carries_no_voter_identity_and_the_register_carries_no_choices(world, vote):
    vote_cast(actor=world.users[0], vote=vote, choices={1: Y, 2: N, 3: A})
    ballot_fields = {f.name for f in Ballot._meta.get_fields()}
    assert ballot_fields == {"id", "vote", "method", "choices", "receipt_hash"}  # no deputy, no user, no time
    voter_fields = {f.name for f in Voter._meta.get_fields()}
    assert voter_fields == {"id", "vote", "deputy", "method", "has_voted"}  # no choices, no time
    cast = AuditEvent.objects.get(action="projects.vote.cast")
    assert cast.changes == {} and "for" not in str(cast.__dict__)


def test_a_deputy_finds_their_own_ballot_by_the_receipt_and_a_wrong_receipt_finds_nothing(world, vote):
    receipt = vote_cast(actor=world.users[0], vote=vote, choices={1: Y, 2: N, 3: A})
    vote_cast(actor=world.users[1], vote=vote, choices={1: N, 2: N, 3: N})
    found = ballot_find(vote=vote, receipt=receipt.lower())
    assert found is not None and found.choices == {"1": Y, "2": N, "3": A}
    assert ballot_find(vote=vote, receipt="0000-0000-0000-0000") is None
    assert Ballot.objects.filter(receipt_hash__contains=receipt).count() == 0  # never stored in clear


def test_anyone_can_recompute_the_tally_and_it_matches_the_published_result(world, vote):
    for user in world.users:
        vote_cast(actor=user, vote=vote, choices={1: Y, 2: N, 3: A})
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    check = vote_verify(vote)
    assert check.problems == [] and check.ballots == check.voted == 9
    assert check.counts == vote.result["counts"] and check.digest == vote.ballots_digest


# --- tamper attempts ------------------------------------------------------------------------------------------


def test_a_ballot_edited_after_the_close_is_detected_and_the_result_cannot_be_accepted(world, vote):
    for user in world.users:
        vote_cast(actor=user, vote=vote, choices={1: Y, 2: Y, 3: A})
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    ballot = Ballot.objects.filter(vote=vote).first()
    assert ballot is not None
    Ballot.objects.filter(pk=ballot.pk).update(choices={"1": N, "2": Y, "3": A})
    problems = vote_verify(vote).problems
    assert any("选票摘要" in p for p in problems) and any("重新计票" in p for p in problems)
    with pytest.raises(DomainError) as error:
        vote_accept(actor=world.staff, vote=vote)
    assert error.value.code == "vote_tampered"


def test_a_ballot_deleted_or_stuffed_after_the_close_is_detected(world, vote):
    for user in world.users[:7]:
        vote_cast(actor=user, vote=vote, choices={1: Y, 2: Y, 3: A})
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    Ballot.objects.create(vote=vote, method="paper", choices={"1": N, "2": N, "3": N})
    assert len(vote_verify(vote).problems) == 3  # digest, recount, more ballots than voters
    Ballot.objects.filter(vote=vote, method="paper").delete()
    assert vote_verify(vote).problems == []
    Ballot.objects.filter(pk=Ballot.objects.filter(vote=vote).first().pk).delete()  # type: ignore[union-attr]
    assert vote_verify(vote).problems


def test_a_closed_vote_refuses_ballots_and_a_stale_close_is_refused(world, vote):
    vote_cast(actor=world.users[0], vote=vote, choices={1: Y, 2: Y, 3: A})
    stale = Vote.objects.get(pk=vote.pk)
    stale.version -= 1
    with pytest.raises(DomainError) as error:
        vote_close(actor=world.staff, vote=stale)
    assert error.value.code == "vote_conflict"
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    with pytest.raises(DomainError) as error:
        vote_cast(actor=world.users[1], vote=vote, choices={1: Y, 2: Y, 3: A})
    assert error.value.code == "vote_bad_state"
    with pytest.raises(DomainError):
        vote_close(actor=world.staff, vote=vote)
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_an_outsider_cannot_open_close_or_enter_paper_ballots(world, vote, personas):
    vote.refresh_from_db()
    with pytest.raises(PermissionDenied):
        vote_close(actor=personas.outsider, vote=vote)
    with pytest.raises(PermissionDenied):
        teller_entry_submit(actor=personas.outsider, vote=vote, ballots=[])


# --- paper and the two tellers ---------------------------------------------------------------------------------


def test_paper_ballots_count_only_when_two_tellers_typing_independently_agree(
    world, vote, personas, make_user, regions
):
    from lianxin.accounts.roles import Role

    teller2 = make_user("teller2", Role.COUNTY_STAFF, regions.deqing)
    for deputy in world.deputies[:3]:
        paper_ballot_issue(actor=world.staff, vote=vote, deputy=deputy)
    with pytest.raises(DomainError) as error:
        vote_cast(actor=world.users[0], vote=vote, choices={1: Y, 2: Y, 3: Y})
    assert error.value.code == "already_voted"  # collected a paper ballot: cannot also vote on the device
    for user in world.users[3:]:
        vote_cast(actor=user, vote=vote, choices={1: Y, 2: Y, 3: A})
    papers = [{1: Y, 2: N, 3: A}, {1: Y, 2: Y, 3: A}, {1: N, 2: Y, 3: Y}]
    teller_entry_submit(actor=world.staff, vote=vote, ballots=papers)
    vote.refresh_from_db()
    with pytest.raises(DomainError) as error:
        vote_close(actor=world.staff, vote=vote)
    assert error.value.code == "paper_pending"
    with pytest.raises(DomainError) as error:
        paper_ballots_accept(actor=world.staff, vote=vote)
    assert error.value.code == "tellers_missing"
    with pytest.raises(DomainError) as error:
        teller_entry_submit(actor=world.staff, vote=vote, ballots=papers)
    assert error.value.code == "teller_twice"
    # The second teller misreads one paper: the counts differ and nothing is stored.
    teller_entry_submit(actor=teller2, vote=vote, ballots=[papers[0], papers[1], {1: N, 2: Y, 3: A}])
    with pytest.raises(DomainError) as error:
        paper_ballots_accept(actor=world.staff, vote=vote)
    assert error.value.code == "tellers_disagree"
    assert "第3号赞成：1票与0票" in error.value.message and "第3号弃权：2票与3票" in error.value.message
    assert Ballot.objects.filter(vote=vote, method="paper").count() == 0
    # Staff look at the papers again; the wrong entry is removed and typed again (in the back office).
    vote.teller_entries.filter(teller=teller2).delete()
    teller_entry_submit(actor=teller2, vote=vote, ballots=list(reversed(papers)))  # order does not matter
    assert paper_ballots_accept(actor=world.staff, vote=vote) == 3
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    assert vote.result["counts"]["1"] == {Y: 8, N: 1, A: 0} and vote_verify(vote).problems == []


def test_more_paper_ballots_than_were_issued_are_refused(world, vote, make_user, regions):
    from lianxin.accounts.roles import Role

    teller2 = make_user("teller2", Role.COUNTY_STAFF, regions.deqing)
    paper_ballot_issue(actor=world.staff, vote=vote, deputy=world.deputies[0])
    papers = [{1: Y, 2: Y, 3: Y}, {1: Y, 2: Y, 3: Y}]
    teller_entry_submit(actor=world.staff, vote=vote, ballots=papers)
    teller_entry_submit(actor=teller2, vote=vote, ballots=papers)
    with pytest.raises(DomainError) as error:
        paper_ballots_accept(actor=world.staff, vote=vote)
    assert error.value.code == "paper_too_many"


def test_a_tied_result_cannot_be_accepted_until_a_runoff(world, vote):
    for i, user in enumerate(world.users):
        vote_cast(actor=user, vote=vote, choices={1: Y, 2: Y if i < 7 else N, 3: Y if i < 7 else A})
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    assert vote.result["tied"] == [2, 3]
    with pytest.raises(DomainError) as error:
        vote_accept(actor=world.staff, vote=vote)
    assert error.value.code == "vote_tied"
    _ = datetime  # keep the import for readers of VOTE_DAY


def test_the_verify_command_recounts_and_fails_loudly_on_a_tampered_vote(world, vote):
    from io import StringIO

    from django.core.management import CommandError, call_command

    for user in world.users:
        vote_cast(actor=user, vote=vote, choices={1: Y, 2: N, 3: A})
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    out = StringIO()
    call_command("vote_verify", str(vote.pk), stdout=out)
    assert "第1号：赞成9，反对0，弃权0" in out.getvalue() and "核对无误" in out.getvalue()
    Ballot.objects.filter(vote=vote).update(choices={"1": N, "2": N, "3": A})
    with pytest.raises(CommandError, match="选票摘要"):
        call_command("vote_verify", str(vote.pk), stdout=StringIO())
