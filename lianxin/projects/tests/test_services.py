import datetime
from decimal import Decimal

import pytest

from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import MandateLevel
from lianxin.projects.models import Project, Proposal, ProposalSource, ProposalStatus, Site, SiteStatus
from lianxin.projects.selectors import rollup, weighted_progress
from lianxin.projects.services import (
    proposal_match,
    proposal_merge,
    proposal_reject,
    proposal_shortlist,
    proposal_submit,
    site_close,
    site_reject_final,
    site_report_file,
)
from lianxin.projects.tests.conftest import jpeg
from lianxin.projects.voting import vote_create
from lianxin.projects.workflow import TRANSITIONS, SiteAction, site_transition

MARCH = datetime.date(2026, 3, 1)


def test_residents_deputies_and_staff_propose_and_each_proposal_is_audited(world, regions, personas):
    by_deputy = proposal_submit(
        actor=personas.deputy, region=regions.wukang, title="加装电梯", description="老旧小区", source="deputy"
    )
    assert by_deputy.deputy == world.deputies[0] and by_deputy.proposer_name == "代表0"
    by_staff = proposal_submit(
        actor=personas.township_staff, region=regions.wukang, title="路灯", description="夜间照明", source="staff"
    )
    assert by_staff.source == ProposalSource.STAFF
    assert AuditEvent.objects.filter(action="projects.proposal.submit").count() == 6


def test_a_user_who_is_not_a_deputy_cannot_propose_as_a_deputy_and_outsiders_cannot_propose_as_staff(
    world, regions, personas
):
    with pytest.raises(PermissionDenied):
        proposal_submit(actor=personas.grid_worker, region=regions.wukang, title="x", description="y", source="deputy")
    with pytest.raises(PermissionDenied):
        proposal_submit(actor=personas.outsider, region=regions.wukang, title="x", description="y", source="staff")


def test_an_empty_title_is_refused_naming_the_field(world, regions):
    with pytest.raises(DomainError) as error:
        proposal_submit(actor=None, region=regions.wukang, title=" ", description="y", source="resident")
    assert error.value.field == "title" and "项目名称" in error.value.message


def test_staff_merge_a_duplicate_and_its_supporters_count_for_the_one_kept(world):
    dup, kept = world.proposals[1], world.proposals[0]
    proposal_merge(actor=world.staff, duplicate=dup, into=kept)
    dup.refresh_from_db()
    kept.refresh_from_db()
    assert dup.status == ProposalStatus.MERGED and dup.merged_into == kept and kept.supporters == 2
    with pytest.raises(DomainError) as error:
        proposal_merge(actor=world.staff, duplicate=dup, into=kept)
    assert error.value.code == "proposal_bad_state"


def test_staff_outside_the_region_cannot_match_or_reject(world, personas):
    with pytest.raises(PermissionDenied):
        proposal_match(actor=personas.outsider, proposal=world.proposals[0], cost_estimate=Decimal(1), unit=None)
    proposal_reject(actor=world.staff, proposal=world.proposals[3], note="不属于政府投资范围")
    assert Proposal.objects.get(pk=world.proposals[3].pk).status == ProposalStatus.REJECTED


def test_a_proposal_is_shortlisted_only_once_matched_and_only_while_the_vote_is_a_draft(world, regions):
    vote = vote_create(
        actor=world.staff, level=MandateLevel.COUNTY, region=regions.deqing, session="第十七届第五次会议",
        year=2026, held_on=datetime.date(2026, 1, 15),
    )  # fmt: skip
    unmatched = proposal_submit(actor=None, region=regions.jueren, title="新建", description="d", source="resident")
    with pytest.raises(DomainError) as error:
        proposal_shortlist(actor=world.staff, proposal=unmatched, vote=vote)
    assert error.value.code == "shortlist_unmatched"
    candidate = proposal_shortlist(actor=world.staff, proposal=world.proposals[0], vote=vote)
    assert candidate.number == 1
    assert Proposal.objects.get(pk=world.proposals[0].pk).status == ProposalStatus.SHORTLISTED


def test_only_the_lead_deputy_files_the_sites_monthly_report(world, personas):
    with pytest.raises(PermissionDenied):
        site_report_file(actor=world.users[1], site=world.site_a, month=MARCH, progress=10, done="开工")
    with pytest.raises(PermissionDenied):
        site_report_file(actor=personas.county_staff, site=world.site_a, month=MARCH, progress=10, done="开工")


def test_a_report_with_progress_starts_the_site_and_status_colours_follow(world):
    site = world.site_a
    assert site.colour == "red"
    site_report_file(actor=world.users[0], site=site, month=MARCH, progress=0, done="前期准备")
    assert Site.objects.get(pk=site.pk).status == SiteStatus.NOT_STARTED
    site_report_file(actor=world.users[0], site=site, month=datetime.date(2026, 4, 9), progress=40, done="路基")
    site.refresh_from_db()
    assert site.status == SiteStatus.IN_PROGRESS and site.progress == 40 and site.colour == "yellow"
    events = AuditEvent.objects.filter(object_type="projects.site", object_id=str(site.pk))
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "projects.site.create", "projects.site.report", "projects.site.start",
    ]  # fmt: skip


def test_progress_cannot_go_backwards_and_a_final_report_needs_100_percent_and_photos(world):
    site = world.site_a
    site_report_file(actor=world.users[0], site=site, month=MARCH, progress=50, done="一半")
    with pytest.raises(DomainError) as error:
        site_report_file(actor=world.users[0], site=site, month=datetime.date(2026, 4, 1), progress=30, done="x")
    assert error.value.code == "progress_backwards"
    with pytest.raises(DomainError) as error:
        site_report_file(
            actor=world.users[0], site=site, month=datetime.date(2026, 4, 1), progress=90, done="x", is_final=True
        )
    assert error.value.code == "final_not_done"
    with pytest.raises(DomainError) as error:
        site_report_file(
            actor=world.users[0], site=site, month=datetime.date(2026, 4, 1), progress=100, done="x", is_final=True
        )
    assert error.value.code == "final_needs_photos"


def test_a_site_is_closed_only_after_staff_verify_a_final_report_with_photos(world, personas):
    site = world.site_a
    with pytest.raises(DomainError) as error:
        site_close(actor=world.staff, site=site)
    assert error.value.code == "close_needs_final"
    site_report_file(
        actor=world.users[0], site=site, month=MARCH, progress=100, done="完工", is_final=True, photos=[jpeg()]
    )
    site.refresh_from_db()
    assert site.status == SiteStatus.FINISHED and site.colour == "yellow"
    with pytest.raises(PermissionDenied):
        site_close(actor=personas.outsider, site=site)
    with pytest.raises(PermissionDenied):
        site_close(actor=world.users[0], site=site)
    site_close(actor=world.staff, site=site)
    site.refresh_from_db()
    assert site.status == SiteStatus.CLOSED and site.colour == "blue" and site.closed_at is not None
    assert site.reports.get().verified_by == world.staff
    assert AuditEvent.objects.filter(action="projects.site.verify", object_id=str(site.pk)).count() == 1


def test_staff_can_send_a_final_report_back_and_the_site_is_in_progress_again(world):
    site = world.site_a
    site_report_file(
        actor=world.users[0], site=site, month=MARCH, progress=100, done="完工", is_final=True, photos=[jpeg()]
    )
    site_reject_final(actor=world.staff, site=site, note="照片看不出路面")
    site.refresh_from_db()
    assert site.status == SiteStatus.IN_PROGRESS
    with pytest.raises(DomainError):
        site_close(actor=world.staff, site=site)


@pytest.mark.parametrize("status", SiteStatus.values)
@pytest.mark.parametrize("action", SiteAction.values)
def test_every_state_and_action_pair_either_moves_as_the_table_says_or_is_refused(world, status, action):
    site = world.site_a
    Site.objects.filter(pk=site.pk).update(status=status)
    site.refresh_from_db()
    actor = world.staff if TRANSITIONS[action].by == "staff" else world.users[0]
    rule = TRANSITIONS[action]
    if status in rule.sources:
        site_transition(site=site, action=action, actor=actor)
        assert site.status == (rule.target or status)
    else:
        with pytest.raises(DomainError) as error:
            site_transition(site=site, action=action, actor=actor)
        assert error.value.code == "site_bad_state"


def test_progress_rolls_up_weighted_by_planned_cost_and_unknown_costs_count_as_the_average(world):
    a, b = world.site_a, world.site_b
    a.progress, b.progress = 100, 0
    a.status = b.status = SiteStatus.IN_PROGRESS
    assert weighted_progress([a, b]) == 75.0  # 300 and 100 万元
    b.planned_cost = None
    assert weighted_progress([a, b]) == 50.0  # the unknown one weighs as much as the known average
    a.planned_cost = None
    assert weighted_progress([a, b]) == 50.0
    summary = rollup([a, b], today=datetime.date(2026, 11, 30))
    assert (summary.red, summary.yellow, summary.blue, summary.late) == (0, 2, 0, 2)
    assert Project.objects.get().sites.count() == 2


def test_staff_may_enter_a_lead_deputys_paper_report_for_them_and_the_audit_names_the_staff(world, personas):
    with pytest.raises(PermissionDenied):
        site_report_file(actor=personas.outsider, site=world.site_a, month=MARCH, progress=10, done="x", on_behalf=True)
    site_report_file(actor=world.staff, site=world.site_a, month=MARCH, progress=10, done="纸质月报", on_behalf=True)
    event = AuditEvent.objects.get(action="projects.site.start")
    assert event.actor == world.staff and "代领办代表填报" in event.note
