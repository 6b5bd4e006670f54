import datetime

import pytest
import time_machine
from django.core.management import call_command

from lianxin.cases import permissions as p
from lianxin.cases.management.commands.workflow_diagram import workflow_markdown
from lianxin.cases.models import Case, CaseEvent, Handling, Rating, Scope, Status
from lianxin.cases.services import case_rate_as_citizen
from lianxin.cases.workflow import TRANSITIONS, Action, CaseConflict, case_transition
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.notifications.models import Notification

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def act(case, action, actor, **params):
    note = params.pop("note", "")
    return case_transition(case=case, action=action, actor=actor, note=note, params=params)


def valid_params(action, loop, master=None):
    return {
        Action.ACCEPT: {"category": "transport"},
        Action.ANSWER: {"reply": "已联系供电所，今晚修复"},
        Action.TRANSFER: {"unit": loop.unit.pk},
        Action.MERGE: {"master": master.pk if master else None},
        Action.DECLINE: {"reason": "不属于人大代表联系群众事项，已告知向法院起诉"},
        Action.REPLY: {"reply": "已完成维修"},
        Action.RATE: {"rating": Rating.SATISFIED},
        Action.CLOSE: {"note": "多次电话联系未评价"},
    }.get(action, {})


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", [a for a in Action.values])
def test_every_state_action_pair_either_moves_to_the_target_or_is_refused(loop, personas, status, action):
    case = loop.register()
    Case.objects.filter(pk=case.pk).update(status=status, unit=loop.unit, category=loop.category)
    master = loop.register(title="主件")
    Case.objects.filter(pk=master.pk).update(status=Status.ACCEPTED, category=loop.category)
    if action == Action.FOLLOW_MASTER:
        Case.objects.filter(pk=case.pk).update(master=master)
    case.refresh_from_db()
    transition = TRANSITIONS[action]
    actor = p.SYSTEM if action == Action.FOLLOW_MASTER else personas.admin
    events_before = CaseEvent.objects.filter(case=case).count()

    if status in transition.sources:
        act(case, action, actor, **valid_params(action, loop, master))
        case.refresh_from_db()
        assert case.status == transition.target
        assert CaseEvent.objects.filter(case=case).count() == events_before + 1
        event = CaseEvent.objects.filter(case=case).last()
        assert (event.action, event.from_status, event.to_status) == (action, status, transition.target)
    else:
        with pytest.raises(DomainError) as info:
            act(case, action, actor, **valid_params(action, loop, master))
        assert info.value.code in ("invalid_transition", "permission_denied")
        case.refresh_from_db()
        assert case.status == status
        assert CaseEvent.objects.filter(case=case).count() == events_before


def test_the_whole_loop_from_a_qr_code_to_a_published_result(loop, personas):
    case = loop.register()
    assert case.status == Status.REGISTERED and len(case.receipt_code) == 8

    act(case, Action.ACCEPT, personas.deputy, category="transport", urgency="normal")
    act(case, Action.TRANSFER, personas.township_staff, unit=loop.unit.pk)
    act(case, Action.REPLY, personas.unit_handler, reply="路灯已于11月25日修复。")
    act(case, Action.FEED_BACK, personas.deputy, note="电话告知王女士")
    case_rate_as_citizen(receipt_code=case.receipt_code.lower(), rating=Rating.SATISFIED, comment="很快")
    case.refresh_from_db()
    act(case, Action.CLOSE, personas.township_staff)
    act(case, Action.PUBLISH, personas.county_staff)

    case.refresh_from_db()
    assert case.status == Status.PUBLISHED
    assert case.handling == Handling.TRANSFERRED
    assert case.rating == Rating.SATISFIED
    assert list(case.events.values_list("action", "actor_label")) == [
        ("register", "群众"),
        ("accept", "deputy"),
        ("transfer", "township_staff"),
        ("reply", "县交通运输局"),
        ("feed_back", "deputy"),
        ("rate", "群众"),
        ("close", "township_staff"),
        ("publish", "county_staff"),
    ]
    # Published without personal data.
    assert "13957211234" not in case.public_text and "王秀英" not in case.public_text
    assert "路灯已于11月25日修复" in case.public_text
    # The unit heard of the transfer, the deputy of the reply, the person by SMS at registration and feedback.
    kinds = sorted(Notification.objects.values_list("kind", "recipient"))
    assert ("case.transferred", "unit_handler") in kinds
    assert ("case.replied", "deputy") in kinds
    assert [k for k in kinds if k[1] == "13957211234"] == [
        ("case.fed_back", "13957211234"),
        ("case.registered", "13957211234"),
    ]


def test_unsatisfied_goes_back_to_the_same_unit_once_then_to_supervision(loop, personas):
    case = loop.register()
    act(case, Action.ACCEPT, personas.township_staff, category="transport")
    act(case, Action.TRANSFER, personas.township_staff, unit=loop.unit.pk)
    for round_ in range(2):
        act(case, Action.REPLY, personas.unit_handler, reply=f"第{round_ + 1}次答复")
        act(case, Action.FEED_BACK, personas.township_staff)
        case = case_rate_as_citizen(receipt_code=case.receipt_code, rating=Rating.UNSATISFIED, comment="没修好")
        if round_ == 0:
            assert (case.status, case.unit, case.reopen_count) == (Status.TRANSFERRED, loop.unit, 1)

    assert case.status == Status.SUPERVISING and case.is_supervised
    assert Notification.objects.filter(kind="case.escalated", user=personas.county_staff).exists()
    act(case, Action.TRANSFER, personas.county_staff, unit=loop.other_unit.pk, note="改由住建局办理")
    case.refresh_from_db()
    assert (case.status, case.unit, case.is_supervised) == (Status.TRANSFERRED, loop.other_unit, True)


def test_a_common_problem_is_answered_together_and_each_person_rates_it(loop, personas):
    master = loop.register(title="居仁路路灯不亮（多人反映）")
    children = [loop.register(person_phone=f"1395721123{i}") for i in range(2)]
    act(master, Action.ACCEPT, personas.township_staff, category="transport", scope=Scope.COMMON)
    for child in children:
        act(child, Action.ACCEPT, personas.township_staff, category="transport")
        act(child, Action.MERGE, personas.township_staff, master=master.pk)
    act(master, Action.TRANSFER, personas.township_staff, unit=loop.unit.pk)
    act(master, Action.REPLY, personas.unit_handler, reply="整条路的路灯已更换。")

    act(master, Action.FEED_BACK, personas.township_staff)

    for child in children:
        child.refresh_from_db()
        assert (child.status, child.reply, child.unit) == (Status.FED_BACK, "整条路的路灯已更换。", loop.unit)
        assert child.events.last().actor_label == "系统"
        case_rate_as_citizen(receipt_code=child.receipt_code, rating=Rating.BASICALLY)
    assert Notification.objects.filter(kind="case.fed_back").count() == 3


def test_of_two_people_acting_at_once_one_wins_and_the_other_gets_a_conflict(loop, personas):
    case = loop.register()
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)

    act(first, Action.ACCEPT, personas.township_staff, category="transport")
    with pytest.raises(CaseConflict) as info:
        act(second, Action.DECLINE, personas.county_staff, reason="重复")

    assert info.value.status == 409
    assert info.value.message == "该意见建议刚刚已被他人处理（当前状态：已受理），请刷新后重试"
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    assert list(case.events.values_list("action", flat=True)) == ["register", "accept"]


def test_a_stale_version_loses_even_when_the_state_still_allows_the_action(loop, personas):
    case = loop.register()
    act(case, Action.ACCEPT, personas.township_staff, category="transport")
    stale_version = case.version - 1

    with pytest.raises(CaseConflict):
        case_transition(
            case=case,
            action=Action.DECLINE,
            actor=personas.township_staff,
            params={"reason": "x"},
            expected_version=stale_version,
        )


@pytest.mark.parametrize(
    ("persona", "action", "allowed"),
    [
        ("township_staff", Action.ACCEPT, True),
        ("outsider", Action.ACCEPT, False),
        ("deputy", Action.ACCEPT, True),  # the case came to this deputy
        ("grid_worker", Action.ACCEPT, False),
        ("unit_handler", Action.ACCEPT, False),
        ("place_staff", Action.ACCEPT, True),
        ("no_role", Action.ACCEPT, False),
    ],
)
def test_who_may_accept(loop, personas, persona, action, allowed):
    case = loop.register()
    if allowed:
        act(case, action, getattr(personas, persona), category="transport")
        assert case.status == Status.ACCEPTED
    else:
        with pytest.raises(PermissionDenied):
            act(case, action, getattr(personas, persona), category="transport")


def test_only_the_assigned_units_handlers_reply_and_deputies_cannot_transfer(loop, personas, make_user):
    case = loop.register()
    act(case, Action.ACCEPT, personas.township_staff, category="transport")
    with pytest.raises(PermissionDenied):
        act(case, Action.TRANSFER, personas.deputy, unit=loop.unit.pk)
    act(case, Action.TRANSFER, personas.township_staff, unit=loop.other_unit.pk)

    with pytest.raises(PermissionDenied):
        act(case, Action.REPLY, personas.unit_handler, reply="不是我们单位的件")


def test_an_action_checks_its_inputs_and_writes_nothing_when_they_are_bad(loop, personas):
    case = loop.register()
    with pytest.raises(DomainError) as info:
        act(case, Action.ACCEPT, personas.township_staff, category="no-such-thing")
    assert (info.value.code, info.value.field) == ("category_unknown", "category")
    act(case, Action.ACCEPT, personas.township_staff, category="transport")
    with pytest.raises(DomainError, match="答复内容: 不能超过5000字"):
        act(case, Action.ANSWER, personas.township_staff, reply="长" * 5001)
    with pytest.raises(DomainError, match="承办单位: 请选择一个有效的承办单位"):
        act(case, Action.TRANSFER, personas.township_staff, unit=999999)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.events.count() == 2


@time_machine.travel(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_a_transfer_on_the_eve_of_national_day_counts_working_days_only(loop, personas):
    case = loop.register()
    assert case.accept_due == datetime.datetime(2026, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)
    act(case, Action.ACCEPT, personas.township_staff, category="transport", urgency="urgent")

    act(case, Action.TRANSFER, personas.township_staff, unit=loop.unit.pk)

    # National Day runs 10-01..10-07; 5 working days: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13.
    assert case.reply_due == datetime.datetime(2026, 10, 13, 23, 59, 59, tzinfo=SHANGHAI)


def test_the_checked_in_workflow_document_matches_the_table(tmp_path):
    from pathlib import Path

    docs = Path(__file__).resolve().parents[3] / "docs" / "workflow.md"
    assert docs.read_text(encoding="utf-8") == workflow_markdown(), "run `make docs` and commit docs/workflow.md"
    call_command("workflow_diagram")  # prints without error


def test_receipt_codes_are_eight_letters_from_the_unambiguous_alphabet_shown_in_two_groups_and_do_not_repeat():
    from lianxin.cases.receipts import new_receipt_code, normalize_receipt, receipt_display
    from lianxin.core.codes import ALPHABET

    codes = [new_receipt_code() for _ in range(3000)]
    assert len(set(codes)) == 3000
    assert all(len(code) == 8 and set(code) <= set(ALPHABET.upper()) for code in codes)
    # Every letter turns up in every position: the base-31 spelling uses the whole alphabet.
    assert all({code[i] for code in codes} == set(ALPHABET.upper()) for i in range(8))
    assert receipt_display("3F7K92QX") == "3F7K-92QX"
    for typed in ("3f7k-92qx", " 3F7K 92QX ", "３F7K－92QX"):
        assert normalize_receipt(typed) == "3F7K92QX"
    # A code handed out before (12 characters) is still read and shown in groups.
    assert receipt_display("abcd-efgh-jkmn") == "ABCD-EFGH-JKMN"
