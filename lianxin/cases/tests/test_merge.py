"""Merging into a common problem (并入普遍问题): a merged case must always be able to follow its master."""

import pytest

from lianxin.cases.deadline_jobs import cases_repair_stranded_merges
from lianxin.cases.models import Case, CaseEvent, Scope, Status
from lianxin.cases.workflow import Action, CaseConflict, case_transition
from lianxin.core.errors import DomainError


def act(case, action, actor, **params):
    return case_transition(case=case, action=action, actor=actor, params=params)


@pytest.fixture
def master_and_child(loop, personas):
    master = loop.register(title="居仁路路灯不亮（多人反映）")
    child = loop.register(person_phone="13957211230")
    act(master, Action.ACCEPT, personas.township_staff, category="transport")
    act(child, Action.ACCEPT, personas.township_staff, category="transport")
    act(master, Action.TRANSFER, personas.township_staff, unit=loop.unit.pk)
    act(master, Action.REPLY, personas.unit_handler, reply="整条路的路灯已更换。")
    return master, child


def test_a_case_cannot_be_merged_into_a_master_that_was_already_fed_back(master_and_child, personas):
    master, child = master_and_child
    act(master, Action.FEED_BACK, personas.township_staff)

    with pytest.raises(DomainError) as info:
        act(child, Action.MERGE, personas.township_staff, master=master.pk)

    assert info.value.code == "master_invalid"
    child.refresh_from_db()
    assert (child.status, child.master_id) == (Status.ACCEPTED, None)


def test_a_merge_racing_the_masters_feed_back_is_refused_whole(master_and_child, personas):
    master, child = master_and_child
    seen_before_feed_back = Case.objects.get(pk=master.pk)  # what the merging clerk's page had loaded
    act(master, Action.FEED_BACK, personas.township_staff)
    master_events = CaseEvent.objects.filter(case=master).count()

    with pytest.raises(DomainError) as info:
        act(child, Action.MERGE, personas.township_staff, master=seen_before_feed_back)

    assert info.value.code == "master_invalid"
    child.refresh_from_db()
    master.refresh_from_db()
    assert (child.status, child.master_id) == (Status.ACCEPTED, None)
    assert master.scope == Scope.INDIVIDUAL
    assert CaseEvent.objects.filter(case=master).count() == master_events


def test_a_merge_that_loses_its_race_leaves_the_master_unchanged(master_and_child, personas):
    master, child = master_and_child
    stale = Case.objects.get(pk=child.pk)
    act(child, Action.DECLINE, personas.county_staff, reason="重复反映")
    master_events = CaseEvent.objects.filter(case=master).count()

    with pytest.raises(CaseConflict):
        case_transition(
            case=stale,
            action=Action.MERGE,
            actor=personas.township_staff,
            params={"master": master.pk},
            expected_version=stale.version,
        )

    master.refresh_from_db()
    assert master.scope == Scope.INDIVIDUAL
    assert CaseEvent.objects.filter(case=master).count() == master_events


def test_a_merge_marks_the_master_a_common_problem_with_an_event_and_the_child_follows_it(master_and_child, personas):
    master, child = master_and_child

    act(child, Action.MERGE, personas.township_staff, master=master.pk)

    master.refresh_from_db()
    assert master.scope == Scope.COMMON
    event = CaseEvent.objects.filter(case=master).last()
    assert (event.action, event.from_status, event.to_status) == ("common", Status.REPLIED, Status.REPLIED)
    assert child.receipt_code in event.note and event.is_public is False
    act(master, Action.FEED_BACK, personas.township_staff)
    child.refresh_from_db()
    assert (child.status, child.reply) == (Status.FED_BACK, "整条路的路灯已更换。")


def test_a_master_with_merged_cases_cannot_be_converted_or_declined(loop, personas):
    master = loop.register(title="主件")
    child = loop.register(person_phone="13957211230")
    act(master, Action.ACCEPT, personas.township_staff, category="transport")
    act(child, Action.ACCEPT, personas.township_staff, category="transport")
    act(child, Action.MERGE, personas.township_staff, master=master.pk)

    for action, params in ((Action.CONVERT, {}), (Action.DECLINE, {"reason": "不属实"})):
        with pytest.raises(DomainError) as info:
            act(master, action, personas.admin, **params)
        assert info.value.code == "has_merged_cases"
    master.refresh_from_db()
    assert master.status == Status.ACCEPTED


def test_the_repair_job_moves_on_cases_stranded_behind_a_fed_back_master(master_and_child, personas):
    master, child = master_and_child
    act(master, Action.FEED_BACK, personas.township_staff)
    # A merge written before merges were refused: the child points at a master that has already been fed back.
    Case.objects.filter(pk=child.pk).update(status=Status.MERGED, master=master)

    assert cases_repair_stranded_merges() == 1
    assert cases_repair_stranded_merges() == 0

    child.refresh_from_db()
    assert (child.status, child.reply) == (Status.FED_BACK, "整条路的路灯已更换。")
    event = CaseEvent.objects.filter(case=child).last()
    assert event.action == Action.FOLLOW_MASTER and master.receipt_code in event.note
