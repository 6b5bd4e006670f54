"""The loop through the back office: register on a person's behalf in the admin, then act from the office's case
page (the admin's case page is read-only and links there: lianxin/office/tests/test_case_page.py)."""

import pytest
from django.urls import reverse

from lianxin.cases.models import Case, Status
from lianxin.cases.workflow import Action, case_transition


def post_action(client, case, action, **fields):
    case.refresh_from_db()
    data = {"version": case.version, "note": fields.pop("note", "")}
    data.update(fields)
    return client.post(reverse("office:case_act", args=[case.pk, action]), data)


def test_township_staff_register_a_walk_in_and_follow_it_to_the_end(client, personas, loop, regions):
    client.force_login(personas.township_staff)
    response = client.post(
        reverse("admin:cases_case_add"),
        {
            "channel": "station",
            "region": regions.jueren.pk,
            "deputy": loop.deputy.pk,
            "title": "居仁路积水",
            "body": "下雨后居仁路口积水严重",
            "person_name": "李大爷",
            "person_phone": "13800001111",
            "reply_via": "phone",
            "people_count": 2,
            "urgency": "normal",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.created_by, case.people_count) == ("station", personas.township_staff, 2)
    assert list(case.events.values_list("action", flat=True)) == ["register"]

    assert post_action(client, case, Action.ACCEPT, category=loop.category.pk).status_code == 302
    assert post_action(client, case, Action.TRANSFER, unit=loop.unit.pk).status_code == 302
    client.force_login(personas.unit_handler)
    page = client.get(reverse("office:case", args=[case.pk]))
    assert reverse("office:case_act", args=[case.pk, "reply"]) in page.content.decode()
    assert post_action(client, case, Action.REPLY, reply="已疏通排水管").status_code == 302
    client.force_login(personas.township_staff)
    assert post_action(client, case, Action.FEED_BACK, note="电话告知").status_code == 302
    assert post_action(client, case, Action.RATE, rating="satisfied").status_code == 302
    assert post_action(client, case, Action.CLOSE).status_code == 302

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert [e.actor_label for e in case.events.all()][-4:] == [
        "县交通运输局",
        "township_staff",
        "township_staff",
        "township_staff",
    ]


def test_an_action_that_lost_a_race_shows_the_conflict_and_changes_nothing(client, personas, loop):
    case = loop.register()
    client.force_login(personas.township_staff)
    stale_version = case.version
    case_transition(case=case, action=Action.ACCEPT, actor=personas.county_staff, params={"category": "transport"})

    response = client.post(
        reverse("office:case_act", args=[case.pk, "decline"]), {"version": stale_version, "reason": "重复"}
    )

    assert "该意见建议刚刚已被他人处理" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


@pytest.mark.parametrize(
    ("persona", "inside", "outside"),
    [
        ("county_staff", 200, 200),
        ("township_staff", 200, 404),
        ("place_staff", 200, 404),
        ("outsider", 404, 200),
        ("unit_handler", 404, 404),  # no case is assigned to their unit yet
    ],
)
def test_case_pages_are_scoped_like_everything_else(client, personas, loop, regions, persona, inside, outside):
    mine = loop.register()
    theirs = loop.register(region=regions.chengdong, deputy=None, title="城东村道路破损")
    client.force_login(getattr(personas, persona))

    assert client.get(reverse("admin:cases_case_change", args=[mine.pk])).status_code == inside
    assert client.get(reverse("admin:cases_case_change", args=[theirs.pk])).status_code == outside
    listing = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert (mine.receipt_code in listing) is (inside == 200)
    assert (theirs.receipt_code in listing) is (outside == 200)


def test_a_unit_handler_sees_the_case_once_it_is_transferred_to_their_unit(client, personas, loop):
    case = loop.register()
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    case_transition(case=case, action=Action.TRANSFER, actor=personas.township_staff, params={"unit": loop.unit.pk})
    client.force_login(personas.unit_handler)

    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
    assert client.get(reverse("admin:cases_case_add")).status_code == 403


def test_staff_see_api_submissions_of_their_region_with_the_reason_one_was_rejected(client, personas, regions):
    from lianxin.accounts.models import RoleAssignment
    from lianxin.cases.intake.queue import submission_accept, submissions_register_queued

    payload = {"channel": "hotline", "title": "乾元镇路灯", "body": "路灯不亮。", "region": regions.chengdong.code}
    queued = submission_accept(actor=personas.county_staff, payload=payload).submission
    mine = submission_accept(actor=personas.township_staff, payload={**payload, "region": regions.jueren.code})
    RoleAssignment.objects.filter(user=personas.county_staff).delete()
    submissions_register_queued()

    client.force_login(personas.township_staff)
    listing = client.get(reverse("admin:cases_submission_changelist"))
    assert listing.status_code == 200
    assert mine.submission.receipt_code in listing.content.decode()
    assert queued.receipt_code not in listing.content.decode()  # 乾元镇 is outside 武康街道
    outside = client.get(reverse("admin:cases_submission_change", args=[queued.pk]))
    assert outside.status_code == 404

    client.force_login(personas.admin)
    page = client.get(reverse("admin:cases_submission_change", args=[queued.pk])).content.decode()
    assert "未能登记" in page and "您不能在该区划登记意见建议" in page


def test_a_new_case_page_warns_of_open_cases_that_probably_repeat_it_and_merging_follows(client, personas, loop):
    first = loop.register()
    again = loop.register(title="居仁路路灯仍然不亮", body="居仁路东段的路灯一个月了还没亮，晚上走路不安全。")
    loop.register(title="垃圾清运", body="小区垃圾三天没人清运。")
    client.force_login(personas.township_staff)

    page = client.get(reverse("office:case", args=[again.pk])).content.decode()

    assert "可能重复的件" in page and first.receipt_code in page and "垃圾清运" not in page
    for case in (first, again):  # a master must be accepted, and so must the case merged into it
        case_transition(
            case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": loop.category}
        )
    assert post_action(client, again, Action.MERGE, master=first.receipt_code).status_code == 302
    again.refresh_from_db()
    assert (again.status, again.master_id) == (Status.MERGED, first.pk)
    # A merged case no longer warns: it follows its master.
    assert "可能重复的件" not in client.get(reverse("office:case", args=[again.pk])).content.decode()


def test_staff_see_a_failed_submission_with_its_error_and_requeue_it_by_hand(client, personas, regions, monkeypatch):
    from lianxin.cases.intake import queue as intake
    from lianxin.cases.intake.queue import submission_accept, submissions_register_queued
    from lianxin.cases.models import Submission
    from lianxin.core.audit import AuditEvent

    payload = {"channel": "hotline", "title": "武康路灯", "body": "路灯不亮。", "region": regions.jueren.code}
    failed = submission_accept(actor=personas.township_staff, payload=payload).submission
    elsewhere = submission_accept(actor=personas.county_staff, payload={**payload, "region": regions.chengdong.code})
    real_register = intake.case_register

    def a_bug(**kwargs):
        raise KeyError("unit")

    monkeypatch.setattr(intake, "case_register", a_bug)
    submissions_register_queued()
    monkeypatch.setattr(intake, "case_register", real_register)

    client.force_login(personas.township_staff)
    page = client.get(reverse("admin:cases_submission_change", args=[failed.pk])).content.decode()
    assert "登记出错" in page and "KeyError" in page
    changelist = reverse("admin:cases_submission_changelist")
    assert "重新排队登记" in client.get(changelist).content.decode()

    ids = [failed.pk, elsewhere.submission.pk]  # the other one lies outside 武康街道: not in the queryset
    response = client.post(changelist, {"action": "requeue_failed", "_selected_action": ids}, follow=True)
    assert "已重新排队 1 件" in response.content.decode()
    assert Submission.objects.get(pk=failed.pk).status == "queued"
    assert Submission.objects.get(pk=elsewhere.submission.pk).status == "failed"
    assert AuditEvent.objects.filter(action="submission.requeue", actor=personas.township_staff).count() == 1

    submissions_register_queued()
    assert Submission.objects.get(pk=failed.pk).case.title == "武康路灯"
