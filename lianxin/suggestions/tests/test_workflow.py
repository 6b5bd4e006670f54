import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.cases.models import Status as CaseStatus
from lianxin.cases.workflow import case_transition
from lianxin.core.errors import DomainError, NotFound
from lianxin.notifications.models import Notification
from lianxin.suggestions.models import (
    CoSigner,
    Kind,
    SignStatus,
    Status,
    Suggestion,
    SuggestionEvent,
    SuggestionVersion,
    UnitAssignment,
    UnitRole,
)
from lianxin.suggestions.workflow import SuggestionConflict, available_actions, suggestion_transition

pytestmark = pytest.mark.django_db


def lead_part(s):
    return s.units.get(is_active=True, role=UnitRole.LEAD)


def test_the_whole_lifecycle_from_draft_to_closed_leaves_an_event_for_every_step(world, personas):
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    assert s.number == 1 and s.status == Status.ACCEPTED
    world.act(
        s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}, {"unit": world.housing.pk, "role": "co"}]
    )
    assert s.status == Status.ASSIGNED
    lead = lead_part(s)
    co = s.units.get(role=UnitRole.CO)
    world.act(s, "contact", personas.unit_handler, assignment=lead.pk, contacted_on=datetime.date.today().isoformat(),
              way="phone", person="张科长")  # fmt: skip
    world.act(s, "co_opinion", world.other_handler, assignment=co.pk, opinion="同意纳入城建计划。")
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A", reply_text="已列入明年计划并开工。",
              signed_by="王局长")  # fmt: skip
    assert s.status == Status.REPLIED and s.replied_at is not None
    world.act(s, "rate", personas.deputy, assignment=lead.pk, rating="satisfied")
    assert s.status == Status.RATED
    world.act(s, "close")
    s.refresh_from_db()
    assert s.status == Status.CLOSED and s.closed_at is not None
    actions = list(s.events.values_list("action", flat=True))
    assert actions == [
        "create",
        "submit",
        "pass",
        "accept",
        "assign",
        "contact",
        "co_opinion",
        "reply",
        "rate",
        "close",
    ]
    assert SuggestionVersion.objects.filter(suggestion=s).count() == 1
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"suggestion.accepted", "suggestion.assigned", "suggestion.replied"} <= kinds


def test_a_bill_needs_ten_signers_at_county_level_and_may_be_converted_with_the_lead_deputys_consent(world, personas):
    bill = world.draft(kind=Kind.BILL, draft_resolution="关于……的决议（草案）")
    world.act(bill, "invite", personas.deputy, deputies=[d.pk for d in world.others[:9]])
    assert bill.status == Status.COLLECTING
    CoSigner.objects.filter(suggestion=bill).update(status=SignStatus.SIGNED)
    CoSigner.objects.filter(suggestion=bill, deputy=world.others[8]).update(status=SignStatus.INVITED)
    with pytest.raises(DomainError) as refused:
        world.act(bill, "submit", personas.deputy)
    assert refused.value.code == "bill_too_few_signers" and "现有 9 名" in refused.value.message
    CoSigner.objects.filter(suggestion=bill, deputy=world.others[8]).update(status=SignStatus.SIGNED)
    world.act(bill, "submit", personas.deputy)
    assert bill.status == Status.SUBMITTED


def test_staff_convert_a_bill_only_when_they_confirm_the_lead_deputys_consent(world, personas):
    bill = world.draft(kind=Kind.BILL, draft_resolution="草案")
    with pytest.raises(DomainError) as refused:
        world.act(bill, "convert")
    assert refused.value.code == "deputy_consent_required"
    world.act(bill, "convert", deputy_consent=True)
    bill.refresh_from_db()
    assert bill.kind == Kind.SUGGESTION


def test_a_co_signer_who_is_no_serving_deputy_of_that_congress_is_refused_and_nothing_is_written(world, personas):
    s = world.draft()
    for outsider in (world.resigned, world.township_deputy):
        with pytest.raises(DomainError) as refused:
            world.act(s, "invite", personas.deputy, deputies=[world.others[0].pk, outsider.pk])
        assert refused.value.code == "co_signer_not_serving" and outsider.name in refused.value.message
    assert not CoSigner.objects.filter(suggestion=s).exists()
    s.refresh_from_db()
    assert s.status == Status.DRAFT


def test_an_invited_deputy_signs_on_their_own_account_and_an_uninvited_one_may_not(world, personas):
    s = world.draft()
    world.act(s, "invite", personas.deputy, deputies=[world.others[0].pk])
    world.act(s, "sign", world.co_user)
    assert CoSigner.objects.get(suggestion=s, deputy=world.others[0]).status == SignStatus.SIGNED
    with pytest.raises(NotFound):  # not invited: the draft does not exist for them
        world.act(s, "sign", world.co_user2)


def test_a_returned_suggestion_is_revised_and_resubmitted_and_every_version_is_kept(world, personas):
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    with pytest.raises(DomainError):
        world.act(s, "return")  # a reason is required
    world.act(s, "return", reason="请补充具体路段")
    assert s.status == Status.RETURNED and s.review_note == "请补充具体路段"
    world.act(s, "edit", personas.deputy, content="建议改造城东片区的东风路、城东路两条主干道。")
    world.act(s, "resubmit", personas.deputy)
    versions = list(s.versions.values_list("content", flat=True))
    assert len(versions) == 2 and "东风路" in versions[1] and "东风路" not in versions[0]
    assert Notification.objects.filter(kind="suggestion.returned", user=personas.deputy).exists()


def test_two_staff_assigning_at_once_one_wins_and_the_other_gets_a_conflict(world, personas):
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    stale = Suggestion.objects.get(pk=s.pk)
    world.act(s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}])
    with pytest.raises(SuggestionConflict):
        suggestion_transition(
            suggestion=stale,
            action="assign",
            actor=personas.admin,
            params={"units": [{"unit": world.water.pk, "role": "lead"}]},
            expected_version=stale.version,
        )
    assert list(s.units.values_list("unit__name", flat=True)) == ["县交通运输局"]


def test_a_unit_acting_on_a_suggestion_not_assigned_to_it_gets_not_found(world, personas):
    s = world.assigned()
    other = world.assigned(title="关于增设公交站的建议")
    with pytest.raises(NotFound):
        world.act(other, "reply", world.other_handler, assignment=lead_part(s).pk, reply_class="A", reply_text="x",
                  signed_by="x")  # fmt: skip
    s2 = world.draft(title="第三件")
    world.act(s2, "submit", personas.deputy)
    world.act(s2, "pass")
    world.act(s2, "accept")
    world.act(s2, "assign", units=[{"unit": world.water.pk, "role": "lead"}])
    with pytest.raises(NotFound):
        world.act(s2, "reply", personas.unit_handler, assignment=lead_part(s2).pk, reply_class="A", reply_text="已办",
                  signed_by="王局长")  # fmt: skip
    assert not Suggestion.objects.visible_to(personas.unit_handler).filter(pk=s2.pk).exists()


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"reply_text": "已办", "signed_by": "王局长"}, "field_required", "reply_class"),
        ({"reply_class": "B", "reply_text": "正在办", "signed_by": "王局长"}, "field_required", "promised_on"),
        ({"reply_class": "A", "reply_text": "已办"}, "field_required", "signed_by"),
        ({"reply_class": "C", "reply_text": "不行", "signed_by": "王局长"}, "field_required", "reply_text"),
        # The letter's type is the service's rule, not only the office form's: the API and the phone obey it too.
        (
            {"reply_class": "A", "signed_by": "王局长", "reply_file": SimpleUploadedFile("答复函.exe", b"MZ")},
            "file_type",
            "reply_file",
        ),
        (
            {
                "reply_class": "A",
                "signed_by": "王局长",
                "reply_file": SimpleUploadedFile("答复函.pdf", b"%PDF" * 5_300_000),
            },
            "file_too_large",
            "reply_file",
        ),
    ],
)
def test_a_bad_reply_is_refused_with_its_field_and_nothing_is_written(world, personas, params, code, field):
    s = world.assigned()
    lead = lead_part(s)
    with pytest.raises(DomainError) as refused:
        world.act(s, "reply", personas.unit_handler, assignment=lead.pk, **params)
    assert (refused.value.code, refused.value.field) == (code, field)
    lead.refresh_from_db()
    assert lead.replied_at is None and lead.reply_class == ""
    assert not s.events.filter(action="reply").exists()


def test_an_unsatisfied_rating_sends_the_reply_back_once_for_a_second_reply(world, personas):
    s = world.assigned()
    lead = lead_part(s)
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="C",
              reply_text="因资金所限，今年暂不能安排改造。", signed_by="王局长")  # fmt: skip
    with pytest.raises(DomainError):
        world.act(s, "rate", personas.deputy, assignment=lead.pk, rating="unsatisfied")  # a comment is required
    world.act(s, "rate", personas.deputy, assignment=lead.pk, rating="unsatisfied", comment="理由不充分")
    assert s.status == Status.ASSIGNED
    lead.refresh_from_db()
    assert lead.rehandle_count == 1 and lead.replied_at is None and lead.history[0]["reply_class"] == "C"
    assert Notification.objects.filter(kind="suggestion.rehandle", user=personas.unit_handler).exists()
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="B", reply_text="调整预算，明年上半年完成。",
              signed_by="王局长", promised_on="2099-06-30")  # fmt: skip
    world.act(s, "rate", personas.deputy, assignment=lead.pk, rating="unsatisfied", comment="仍不满意")
    assert s.status == Status.RATED  # the second rating stands: no third round
    lead.refresh_from_db()
    assert lead.rating == "unsatisfied" and lead.rehandle_count == 1


def test_with_two_lead_units_the_suggestion_is_replied_only_when_both_replied(world, personas):
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(
        s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}, {"unit": world.housing.pk, "role": "lead"}]
    )
    first, second = s.units.order_by("id")
    world.act(
        s, "reply", personas.unit_handler, assignment=first.pk, reply_class="A", reply_text="已办", signed_by="甲"
    )
    assert s.status == Status.ASSIGNED
    world.act(s, "reply", world.other_handler, assignment=second.pk, reply_class="A", reply_text="已办", signed_by="乙")
    assert s.status == Status.REPLIED


def test_a_unit_may_ask_to_be_reassigned_within_five_working_days_and_staff_decide(world, personas):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)):
        s = world.assigned()
    lead = lead_part(s)
    assert lead.reassign_until == datetime.date(2026, 3, 9)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC)):
        with pytest.raises(DomainError) as late:
            world.act(s, "request_reassign", personas.unit_handler, assignment=lead.pk, reason="不属我局职责")
        assert late.value.code == "reassign_too_late"
    with time_machine.travel(datetime.datetime(2026, 3, 6, 9, tzinfo=datetime.UTC)):
        world.act(s, "request_reassign", personas.unit_handler, assignment=lead.pk, reason="不属我局职责")
        world.act(s, "reassign", assignment=lead.pk, unit=world.water.pk)
    lead.refresh_from_db()
    assert not lead.is_active
    assert lead_part(s).unit == world.water


def test_the_reply_deadline_is_three_months_and_an_extension_at_most_six(world, personas):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)):
        s = world.assigned()
        lead = lead_part(s)
        assert lead.due_date == datetime.date(2026, 6, 2)
        with pytest.raises(DomainError) as too_far:
            world.act(s, "extend", assignment=lead.pk, due_date="2026-09-30", reason="需列入预算")
        assert too_far.value.code == "extension_invalid"
        world.act(s, "extend", assignment=lead.pk, due_date="2026-08-31", reason="需列入预算")
    lead.refresh_from_db()
    assert lead.due_date == datetime.date(2026, 8, 31)


def test_drafting_from_citizens_cases_links_both_ways_and_submitting_closes_the_accepted_case_into_it(world, personas):
    case = world.case()
    case_transition(case=case, action="accept", actor=personas.county_staff, params={"category": "transport"})
    s = world.draft(case_ids=[case.pk])
    assert list(s.cases.all()) == [case]
    world.act(s, "submit", personas.deputy)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONVERTED and "代表建议" in case.suggestion_ref
    assert list(case.suggestions.all()) == [s]


def test_a_deputy_cannot_draft_from_a_case_they_cannot_see(world, personas, regions):
    case = world.case(deputy=None, region=regions.qianyuan)
    with pytest.raises(DomainError) as refused:
        world.draft(case_ids=[case.pk])
    assert refused.value.code == "case_unknown"
    assert not Suggestion.objects.exists()


def test_a_duplicate_submit_of_the_same_draft_makes_one_suggestion(world, personas):
    first = world.draft(client_key="form-123")
    second = world.draft(client_key="form-123")
    assert first.pk == second.pk and Suggestion.objects.count() == 1
    world.act(first, "submit", personas.deputy)
    with pytest.raises(SuggestionConflict):  # the second click's copy is stale
        world.act(second, "submit", personas.deputy)
    with pytest.raises(DomainError) as again:
        world.act(Suggestion.objects.get(pk=first.pk), "submit", personas.deputy)
    assert again.value.code == "invalid_transition"
    assert SuggestionEvent.objects.filter(action="submit").count() == 1


def test_every_action_of_the_table_has_an_applier_and_a_chinese_label():
    from lianxin.suggestions.steps import APPLIERS
    from lianxin.suggestions.workflow import TRANSITIONS, Action

    assert set(APPLIERS) == set(TRANSITIONS) == set(Action.values)


def test_numbers_run_per_session_and_kind(world, personas):
    numbers = []
    for title in ("甲", "乙"):
        s = world.draft(title=title)
        world.act(s, "submit", personas.deputy)
        world.act(s, "pass")
        world.act(s, "accept")
        numbers.append(s.number)
    assert numbers == [1, 2]


def test_the_buttons_each_role_sees_follow_the_table(world, personas):
    s = world.assigned()
    lead = lead_part(s)
    assert available_actions(suggestion=s, actor=personas.unit_handler) == [
        "request_reassign", "contact", "reply",
    ]  # fmt: skip
    assert "reply" not in available_actions(suggestion=s, actor=world.other_handler)
    assert "co_opinion" in available_actions(suggestion=s, actor=world.other_handler)
    assert available_actions(suggestion=s, actor=personas.deputy) == []
    assert "extend" in available_actions(suggestion=s, actor=personas.county_staff, assignment=lead)
    assert available_actions(suggestion=s, actor=personas.outsider) == []


def test_outside_staff_and_other_deputies_do_not_see_a_suggestion(world, personas):
    s = world.draft()
    assert Suggestion.objects.visible_to(personas.county_staff).filter(pk=s.pk).exists()
    assert Suggestion.objects.visible_to(personas.deputy).filter(pk=s.pk).exists()
    assert not Suggestion.objects.visible_to(personas.outsider).filter(pk=s.pk).exists()
    assert not Suggestion.objects.visible_to(world.co_user).filter(pk=s.pk).exists()
    assert not Suggestion.objects.visible_to(personas.unit_handler).filter(pk=s.pk).exists()


def test_a_b_class_promise_stays_open_until_the_unit_records_it_kept(world, personas):
    s = world.assigned()
    lead = lead_part(s)
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="B", reply_text="明年完成",
              signed_by="王局长", promised_on="2099-01-31")  # fmt: skip
    world.act(s, "rate", personas.deputy, assignment=lead.pk, rating="basic")
    world.act(s, "close")
    from lianxin.suggestions.selectors import open_promises

    assert [a.pk for a in open_promises(user=personas.county_staff)] == [lead.pk]
    world.act(s, "fulfil", personas.unit_handler, assignment=lead.pk, note="已完工")
    assert not open_promises(user=personas.county_staff).exists()


def test_key_suggestions_have_a_leader_who_sees_them_and_adds_progress(world, personas, make_user):
    leader = make_user("leader")
    s = world.assigned()
    world.act(s, "mark_key", leader_name="县人大常委会主任", leader=leader.pk)
    assert Suggestion.objects.visible_to(leader).filter(pk=s.pk).exists()
    world.act(s, "key_note", leader, text="召开督办会，要求三月底前拿出方案", met_on="2026-03-01")
    assert s.events.filter(action="key_note", actor=leader).exists()


def test_publishing_needs_the_deputys_consent_and_removes_personal_data(world, personas):
    case = world.case()  # 王秀英's case: her name is removed wherever the suggestion repeats it
    s = world.assigned(content="建议修复城东路，王秀英反映多次，电话13957211234。", case_ids=[case.pk])
    lead = lead_part(s)
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A", reply_text="已修复",
              signed_by="王局长")  # fmt: skip
    with pytest.raises(DomainError) as refused:
        world.act(s, "publish")
    assert refused.value.code == "no_consent"
    Suggestion.objects.filter(pk=s.pk).update(public_consent=True)
    s.refresh_from_db()
    world.act(s, "publish")
    assert s.published_at is not None
    assert "13957211234" not in s.public_text and "王秀英" not in s.public_text and "已修复" in s.public_text
    assert UnitAssignment.objects.filter(pk=lead.pk, replied_at__isnull=False).exists()
