"""A clue's path: report → 信息互通 → 联合督查 → 问题移送 → the commission's feedback, or closed with a reason; every
(state, action) pair; the Chinese errors with their codes; the event and audit rows each step leaves."""

import datetime

import pytest

from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.integrity import services
from lianxin.integrity.models import Clue, ClueEvent, ClueStatus, JointCheck
from lianxin.integrity.tests.conftest import MARKER
from lianxin.integrity.workflow import TRANSITIONS, ClueAction, clue_transition

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 20)
GOOD = {
    ClueAction.SHARE: {"register_ref": "HT-2026-01"},
    ClueAction.CHECK: {"check_date": "2026-05-10", "result": "核实属实", "participants": "县纪委、监测点"},
    ClueAction.TRANSFER: {"receipt_number": "DQJW-2026-008", "transferred_on": "2026-05-12"},
    ClueAction.FEEDBACK: {"feedback": "已立案调查", "feedback_on": "2026-05-18"},
    ClueAction.CLOSE: {"reason": "经核实不属实"},
}


def act(world, action, actor=None, **params):
    return clue_transition(
        clue=world.clue, action=action, actor=actor or world.integrity, params=params or GOOD[action], today=TODAY
    )


def test_a_deputy_reports_a_clue_registered_with_a_number_an_event_and_an_audit_row_without_its_text(world):
    clue = world.clue
    assert clue.status == ClueStatus.REGISTERED
    assert clue.number.startswith("LQ") and len(clue.number) == 10
    assert clue.reporter == world.deputy_user and clue.reporter_deputy == world.deputy
    assert clue.region == world.regions.wukang
    assert list(clue.events.values_list("action", "new_status")) == [("report", "registered")]
    row = AuditEvent.objects.get(action="integrity.clue_report")
    assert row.region_path == "" and row.object_repr == f"廉情线索 {clue.number}"
    assert MARKER not in str(row.changes) + row.note + row.object_repr


def test_the_whole_path_to_the_commission_writes_each_step_and_its_check(world):
    act(world, ClueAction.SHARE)
    act(world, ClueAction.CHECK)
    act(world, ClueAction.CHECK, check_date="2026-05-11", result="第二次督查")
    act(world, ClueAction.TRANSFER)
    clue = act(world, ClueAction.FEEDBACK)
    assert clue.status == ClueStatus.TRANSFERRED
    assert clue.register_ref == "HT-2026-01"
    assert clue.receipt_number == "DQJW-2026-008" and clue.transferred_on == datetime.date(2026, 5, 12)
    assert clue.feedback == "已立案调查" and clue.feedback_on == datetime.date(2026, 5, 18)
    assert clue.version == 5
    assert list(JointCheck.objects.filter(clue=clue).values_list("check_date", "result")) == [
        (datetime.date(2026, 5, 10), "核实属实"),
        (datetime.date(2026, 5, 11), "第二次督查"),
    ]
    events = list(ClueEvent.objects.filter(clue=clue).values_list("action", "old_status", "new_status"))
    assert events == [
        ("report", "", "registered"),
        ("share", "registered", "verifying"),
        ("check", "verifying", "joint_check"),
        ("check", "joint_check", "joint_check"),
        ("transfer", "joint_check", "transferred"),
        ("feedback", "transferred", "transferred"),
    ]
    transfer = AuditEvent.objects.get(action="integrity.clue_transfer")
    assert transfer.actor == world.integrity
    assert transfer.changes["receipt_number"] == ["", "DQJW-2026-008"]
    assert transfer.changes["status"] == ["joint_check", "transferred"]


def test_a_clue_may_be_closed_with_a_reason_instead(world):
    clue = act(world, ClueAction.CLOSE)
    assert clue.status == ClueStatus.CLOSED and clue.closed_reason == "经核实不属实"


@pytest.mark.parametrize("status", ClueStatus.values)
@pytest.mark.parametrize("action", ClueAction.values)
def test_every_state_and_action_pair_is_allowed_exactly_as_the_table_says(world, status, action):
    Clue.objects.filter(pk=world.clue.pk).update(status=status, receipt_number="R-1")
    world.clue.refresh_from_db()
    allowed = status in TRANSITIONS[action].sources
    if allowed:
        clue = act(world, action)
        assert clue.status == (TRANSITIONS[action].target or status)
        assert ClueEvent.objects.filter(clue=clue, action=action).count() == 1
    else:
        with pytest.raises(DomainError) as caught:
            act(world, action)
        assert caught.value.code in {"clue_bad_state", "clue_not_transferred", "clue_already_transferred"}
        world.clue.refresh_from_db()
        assert world.clue.status == status
        assert not ClueEvent.objects.filter(clue=world.clue, action=action).exists()


def test_transferring_without_a_receipt_number_is_refused_in_chinese(world):
    act(world, ClueAction.SHARE)
    with pytest.raises(DomainError) as caught:
        act(world, ClueAction.TRANSFER, receipt_number="  ", transferred_on="2026-05-12")
    assert caught.value.code == "clue_receipt_required"
    assert caught.value.field == "receipt_number"
    assert "回执号" in caught.value.message
    assert Clue.objects.get(pk=world.clue.pk).status == ClueStatus.VERIFYING


def test_feedback_before_the_transfer_is_refused_in_chinese(world):
    act(world, ClueAction.SHARE)
    with pytest.raises(DomainError) as caught:
        act(world, ClueAction.FEEDBACK)
    assert caught.value.code == "clue_not_transferred"
    assert caught.value.message == "线索尚未移送纪委，不能登记纪委反馈"


@pytest.mark.parametrize(
    ("action", "params", "code", "field"),
    [
        (ClueAction.CHECK, {"check_date": "", "result": "x"}, "field_required", "check_date"),
        (ClueAction.CHECK, {"check_date": "2026-05-10", "result": " "}, "field_required", "result"),
        (ClueAction.CHECK, {"check_date": "五月十日", "result": "x"}, "field_invalid", "check_date"),
        (ClueAction.CHECK, {"check_date": "2026-06-01", "result": "x"}, "date_in_future", "check_date"),
        (ClueAction.CLOSE, {"reason": ""}, "field_required", "reason"),
    ],
)
def test_bad_inputs_name_their_field(world, action, params, code, field):
    act(world, ClueAction.SHARE)
    with pytest.raises(DomainError) as caught:
        act(world, action, **params)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_feedback_dated_before_the_transfer_is_refused(world):
    act(world, ClueAction.SHARE)
    act(world, ClueAction.TRANSFER)
    with pytest.raises(DomainError) as caught:
        act(world, ClueAction.FEEDBACK, feedback="已立案", feedback_on="2026-05-01")
    assert caught.value.code == "feedback_before_transfer_date"


def test_an_empty_clue_is_refused_with_its_field(world):
    with pytest.raises(DomainError) as caught:
        services.clue_report(actor=world.monitor, point=world.point, subject="某局", text="   ")
    assert (caught.value.code, caught.value.field) == ("field_required", "text")
    assert caught.value.message == "线索内容: 不能为空"
    with pytest.raises(DomainError) as caught:
        services.clue_report(actor=world.monitor, point=world.point, subject="", text="内容")
    assert caught.value.field == "subject"


def test_only_members_of_the_point_or_integrity_staff_report(world):
    assert (
        services.clue_report(actor=world.monitor, point=world.point, subject="某局", text="内容").reporter_deputy
        is None
    )
    with pytest.raises(PermissionDenied):
        services.clue_report(actor=world.personas.county_staff, point=world.point, subject="某局", text="内容")
    with pytest.raises(PermissionDenied):
        services.clue_report(actor=world.anji_integrity, point=world.point, subject="某局", text="内容")
    services.point_set_active(actor=world.integrity, point=world.point, active=False)
    with pytest.raises(PermissionDenied):
        services.clue_report(actor=world.monitor, point=world.point, subject="某局", text="内容")


@pytest.mark.parametrize("who", ["county_staff", "admin_outside", "anji_integrity", "monitor", "deputy_user"])
def test_anyone_but_integrity_staff_of_the_region_acting_gets_not_found_and_the_attempt_is_audited(world, who):
    actors = {
        "county_staff": world.personas.county_staff,
        "admin_outside": world.personas.outsider,
        "anji_integrity": world.anji_integrity,
        "monitor": world.monitor,
        "deputy_user": world.deputy_user,
    }
    with pytest.raises(NotFound):
        act(world, ClueAction.SHARE, actor=actors[who])
    assert Clue.objects.get(pk=world.clue.pk).status == ClueStatus.REGISTERED
    denied = AuditEvent.objects.get(action="integrity.clue_denied")
    assert denied.actor == actors[who] and denied.object_id == str(world.clue.pk)


def test_clue_numbers_run_through_the_year(world):
    second = services.clue_report(actor=world.monitor, point=world.point, subject="某局", text="内容")
    assert int(second.number[-4:]) == int(world.clue.number[-4:]) + 1


def test_a_point_is_set_up_in_a_township_or_village_of_the_scope_only(world):
    with pytest.raises(DomainError) as caught:
        services.point_create(actor=world.integrity, name="县级点", region=world.regions.deqing)
    assert caught.value.code == "point_region_level"
    with pytest.raises(NotFound):
        services.point_create(actor=world.anji_integrity, name="越界点", region=world.regions.qianyuan)
    with pytest.raises(DomainError) as caught:
        services.point_create(actor=world.integrity, name="武康街道廉情监测点", region=world.regions.wukang)
    assert caught.value.code == "point_name_taken"


def test_integrity_staff_of_the_region_hear_of_a_new_clue_and_the_reporter_of_each_change_without_its_content(world):
    from lianxin.notifications.models import Notification

    reported = Notification.objects.filter(kind="integrity.clue_reported")
    assert [n.user for n in reported] == [world.integrity]  # not 安吉's integrity staff
    assert world.clue.number in reported.get().body
    act(world, ClueAction.SHARE)
    act(world, ClueAction.CHECK)
    act(world, ClueAction.CHECK, check_date="2026-05-11", result="再查")  # no change of status: no message
    changes = Notification.objects.filter(kind="integrity.clue_status").order_by("id")
    assert [n.user for n in changes] == [world.deputy_user, world.deputy_user]
    assert [n.subject.split("：")[1] for n in changes] == ["信息互通", "联合督查"]
    for notification in Notification.objects.filter(kind__startswith="integrity."):
        assert notification.region_path == ""
        assert MARKER not in notification.subject + notification.body and "礼品" not in notification.body


def test_integrity_staff_of_a_township_see_its_clues_only(world, make_user):
    from lianxin.accounts.roles import Role
    from lianxin.integrity import selectors

    qianyuan = make_user("qianyuan_integrity", Role.INTEGRITY_STAFF, world.regions.qianyuan)
    wukang = make_user("wukang_integrity", Role.INTEGRITY_STAFF, world.regions.wukang)
    assert list(selectors.clues_managed_by(wukang)) == [world.clue]
    assert list(selectors.clues_managed_by(qianyuan)) == []
    with pytest.raises(NotFound):
        selectors.clue_get_for_staff(user=qianyuan, pk=world.clue.pk)
    assert AuditEvent.objects.filter(action="integrity.clue_denied", actor=qianyuan).count() == 1


def test_attachments_of_an_unknown_type_or_too_many_are_refused_and_nothing_is_written(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(DomainError) as caught:
        services.clue_report(
            actor=world.monitor,
            point=world.point,
            subject="某局",
            text="内容",
            files=[SimpleUploadedFile("run.exe", b"MZ")],
        )
    assert (caught.value.code, caught.value.field) == ("clue_file_type", "files")
    six = [SimpleUploadedFile(f"p{n}.jpg", b"x") for n in range(6)]
    with pytest.raises(DomainError) as caught:
        services.clue_attach(actor=world.integrity, clue=world.clue, files=six)
    assert caught.value.code == "clue_too_many_files"
    assert Clue.objects.count() == 1 and not world.clue.attachments.exists()
