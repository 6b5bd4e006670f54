# ruff: noqa: F811  (pytest injects the fixtures imported from cases_fixtures under the same names)
"""POST /cases: a submission on a person's behalf is checked, queued with one write (202 and a receipt code), and
registered by the worker; idempotent retries; bad input refused whole, before anything is queued."""

import datetime

import pytest
from django.utils import timezone

from lianxin.accounts.models import RoleAssignment
from lianxin.api.tests.cases_fixtures import desk, post, submit  # noqa: F401  (fixtures: see cases_fixtures)
from lianxin.cases.intake.queue import submissions_register_queued
from lianxin.cases.models import Case, CaseEvent, Submission
from lianxin.notifications.models import Notification


def submission(regions, **fields):
    body = {
        "channel": "station",
        "title": "居仁路路灯不亮",
        "body": "东段三盏路灯一个月没亮了。",
        "region": regions.jueren.code,
        "person_name": "王秀英",
        "person_phone": "13957211234",
        "reply_via": "sms",
        "category": "transport",
    }
    body.update(fields)
    return body


def test_a_submission_is_answered_202_with_a_receipt_code_and_queued_without_a_case(desk, personas, regions, post):
    before = (Case.objects.count(), Notification.objects.count())

    response = post(personas.township_staff, "/cases", submission(regions))

    assert response.status_code == 202, response.content
    body = response.json()
    queued = Submission.objects.get(receipt_code=body["receipt_code"])
    assert (queued.status, queued.submitted_by, queued.case) == ("queued", personas.township_staff, None)
    assert queued.payload["title"] == "居仁路路灯不亮" and queued.payload["region"] == regions.jueren.code
    assert body["status"] == "queued" and body["status_label"] == "已收到，正在登记"
    assert body["case_id"] is None and body["error"] is None
    assert body["url"] == response.headers["Location"] == f"/api/v1/submissions/{queued.receipt_code}"
    assert (Case.objects.count(), Notification.objects.count()) == before


def test_staff_register_a_case_and_get_it_back_with_its_receipt_code(desk, personas, regions, get, submit):
    accepted, detail = submit(personas.township_staff, submission(regions))

    assert "Idempotent-Replayed" not in accepted.headers
    body = detail.json()
    case = Case.objects.get(pk=body["id"])
    assert (case.title, case.region, case.category, case.created_by) == (
        "居仁路路灯不亮",
        regions.jueren,
        desk.category,
        personas.township_staff,
    )
    assert case.idempotency_key is None
    assert body["receipt_code"] == case.receipt_code == accepted.json()["receipt_code"]
    assert case.registered_at == Submission.objects.get(case=case).received_at
    assert body["status"] == "registered" and body["status_label"] == "已登记"
    assert body["version"] == 0
    assert body["contact"] == {"name": "王秀英", "phone": "13957211234"}
    assert "accept" in body["actions"] and "decline" in body["actions"]
    assert list(case.events.values_list("action", "actor_label")) == [("register", "township_staff")]
    assert Notification.objects.filter(kind="case.registered", recipient="13957211234", case=case).count() == 1
    progress = get(personas.township_staff, f"/submissions/{case.receipt_code}").json()
    assert (progress["status"], progress["case_id"]) == ("registered", case.id)


def test_the_worker_registers_queued_submissions_in_arrival_order_once(desk, personas, regions, post):
    codes = [
        post(personas.township_staff, "/cases", submission(regions, title=t)).json()["receipt_code"] for t in "一二三"
    ]

    assert submissions_register_queued() == 3
    assert submissions_register_queued() == 0

    cases = [Case.objects.get(receipt_code=code) for code in codes]
    assert [c.title for c in cases] == ["一", "二", "三"]
    assert cases[0].pk < cases[1].pk < cases[2].pk
    assert CaseEvent.objects.filter(case__in=cases, action="register").count() == 3


def test_a_submission_the_worker_can_no_longer_register_is_kept_as_rejected_with_the_reason(
    desk, personas, regions, post, get
):
    accepted = post(personas.township_staff, "/cases", submission(regions))
    assert accepted.status_code == 202
    # Between acceptance and registration, the clerk loses the role that let them register there.
    RoleAssignment.objects.filter(user=personas.township_staff).delete()

    assert submissions_register_queued() == 1

    queued = Submission.objects.get(receipt_code=accepted.json()["receipt_code"])
    assert (queued.status, queued.case, queued.error_code) == ("rejected", None, "permission_denied")
    assert not Case.objects.filter(receipt_code=queued.receipt_code).exists()
    # The submitter still sees their own submission and why it failed.
    progress = get(personas.township_staff, f"/submissions/{queued.receipt_code}").json()
    assert progress["status"] == "rejected" and progress["status_label"] == "未能登记"
    assert progress["error"] == {"code": "permission_denied", "message": "您不能在该区划登记意见建议", "field": None}


def test_someone_elses_submission_is_not_found(desk, personas, regions, post, get):
    code = post(personas.township_staff, "/cases", submission(regions)).json()["receipt_code"]
    response = get(personas.county_staff, f"/submissions/{code}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert get(personas.township_staff, "/submissions/NOSUCHCODE99").status_code == 404


def test_a_submission_counts_its_deadline_from_when_it_arrived_not_when_it_was_registered(
    desk, personas, regions, post
):
    arrived = timezone.now()
    code = post(personas.township_staff, "/cases", submission(regions)).json()["receipt_code"]
    Submission.objects.filter(receipt_code=code).update(received_at=arrived - datetime.timedelta(hours=3))

    submissions_register_queued()

    case = Case.objects.get(receipt_code=code)
    assert case.registered_at == arrived - datetime.timedelta(hours=3)


def test_two_posts_with_the_same_idempotency_key_make_one_case_and_one_register_event(desk, personas, regions, post):
    first = post(personas.township_staff, "/cases", submission(regions), **{"Idempotency-Key": "form-7f3a"})
    retry = post(personas.township_staff, "/cases", submission(regions), **{"Idempotency-Key": "form-7f3a"})

    assert (first.status_code, retry.status_code) == (202, 200)
    assert retry.json()["receipt_code"] == first.json()["receipt_code"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    submissions_register_queued()
    late_retry = post(personas.township_staff, "/cases", submission(regions), **{"Idempotency-Key": "form-7f3a"})
    assert late_retry.status_code == 200 and late_retry.json()["status"] == "registered"
    case = Case.objects.get(receipt_code=first.json()["receipt_code"])
    assert late_retry.json()["case_id"] == case.id
    assert case.idempotency_key == f"user:{personas.township_staff.pk}:form-7f3a"
    assert Submission.objects.filter(submitted_by=personas.township_staff).count() == 1
    assert Case.objects.filter(created_by=personas.township_staff).count() == 1
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1
    assert Notification.objects.filter(kind="case.registered", recipient="13957211234", case=case).count() == 1


def test_without_a_key_two_posts_make_two_cases(desk, personas, regions, post):
    codes = {post(personas.township_staff, "/cases", submission(regions)).json()["receipt_code"] for _ in range(2)}
    submissions_register_queued()
    assert len(codes) == 2 and Case.objects.filter(receipt_code__in=codes).count() == 2


def test_the_same_key_from_two_users_makes_two_cases(desk, personas, regions, post):
    mine = post(personas.township_staff, "/cases", submission(regions), **{"Idempotency-Key": "k1"})
    theirs = post(personas.county_staff, "/cases", submission(regions), **{"Idempotency-Key": "k1"})
    assert (mine.status_code, theirs.status_code) == (202, 202)
    assert mine.json()["receipt_code"] != theirs.json()["receipt_code"]
    assert submissions_register_queued() == 2


@pytest.mark.parametrize("key", ["x" * 101, "   "])
def test_an_idempotency_key_over_100_characters_or_blank_is_refused(desk, personas, regions, post, key):
    before = Case.objects.count()
    response = post(personas.township_staff, "/cases", submission(regions), **{"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json() == {
        "code": "field_invalid",
        "message": "Idempotency-Key: 应为1到100个字符",
        "field": "Idempotency-Key",
    }
    assert Case.objects.count() == before


def test_a_deputy_registers_what_they_heard_as_their_own_case(desk, personas, regions, submit):
    _, response = submit(personas.deputy, submission(regions, channel="visit"))
    case = Case.objects.get(pk=response.json()["id"])
    assert case.deputy == desk.deputy
    assert response.json()["deputy"] == {"id": desk.deputy.id, "name": "沈建国"}


def test_a_reception_session_registers_several_cases_and_counts_the_people(desk, personas, regions, post, get, submit):
    started = post(
        personas.place_staff, "/receptions", {"kind": "station", "deputy": desk.deputy.id, "place": desk.place.id}
    )
    assert started.status_code == 201, started.content
    session = started.json()["id"]
    for title in ("路灯不亮", "垃圾清运"):
        _, response = submit(personas.place_staff, submission(regions, title=title, session=session))
        assert response.json()["session"] == session
        assert response.json()["place"]["id"] == desk.place.id
        assert response.json()["deputy"]["id"] == desk.deputy.id

    too_few = post(personas.place_staff, f"/receptions/{session}/close", {"people_received": 1})
    assert too_few.status_code == 400 and too_few.json()["field"] == "people_received"
    closed = post(personas.place_staff, f"/receptions/{session}/close", {"people_received": 5, "note": "两人联名"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["people_received"] == 5 and closed.json()["ended_at"] is not None
    late = post(personas.place_staff, "/cases", submission(regions, session=session))
    assert late.status_code == 400 and late.json()["code"] == "reception_closed"
    again = post(personas.place_staff, f"/receptions/{session}/close", {"people_received": 6})
    assert again.status_code == 400 and again.json()["code"] == "reception_closed"
    listed = get(personas.place_staff, "/receptions").json()
    assert [item["id"] for item in listed["items"]] == [session]


# Bad input ---------------------------------------------------------------------------------------------------


def _refused(response, status, code, field, message=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field), body
    if message is not None:
        assert body["message"] == message
    assert Submission.objects.filter(payload__title__startswith="坏").count() == 0
    submissions_register_queued()
    assert Case.objects.filter(title__startswith="坏").count() == 0
    return body


def test_a_missing_body_is_a_422_naming_the_field_in_chinese(desk, personas, regions, post):
    body = submission(regions)
    del body["body"]
    response = post(personas.township_staff, "/cases", body)
    _refused(response, 422, "field_required", "body", "内容: 必须提供")


def test_a_missing_title_is_the_first_line_of_the_text_as_on_every_channel(desk, personas, regions, post):
    body = submission(
        regions, body="\n村口路灯坏了三盏，晚上出行很不方便，请尽快安排人员维修，谢谢！\n具体位置：村口。"
    )
    del body["title"]
    response = post(personas.township_staff, "/cases", body)
    assert response.status_code == 202, response.content
    submissions_register_queued()
    case = Case.objects.get(receipt_code=response.json()["receipt_code"])
    assert case.title == "村口路灯坏了三盏，晚上出行很不方便，请尽快安排人员维修，谢谢…"


def test_several_bad_fields_are_all_named(desk, personas, regions, post):
    response = post(personas.township_staff, "/cases", submission(regions, title="坏" * 101, people_count="many"))
    body = _refused(response, 422, "field_too_long", "title")
    assert body["message"] == "标题: 长度不能超过 100；反映人数: 应为整数"


def test_an_over_long_body_is_refused(desk, personas, regions, post):
    response = post(personas.township_staff, "/cases", submission(regions, title="坏", body="长" * 5001))
    _refused(response, 422, "field_too_long", "body", "内容: 长度不能超过 5000")


def test_wrong_types_and_unknown_fields_are_refused(desk, personas, regions, post):
    _refused(post(personas.township_staff, "/cases", submission(regions, title=["坏"])), 422, "field_invalid", "title")
    _refused(
        post(personas.township_staff, "/cases", submission(regions, channel="fax")), 422, "field_invalid", "channel"
    )
    _refused(
        post(personas.township_staff, "/cases", submission(regions, title="坏", status="closed")),
        422,
        "field_invalid",
        "status",
        "status: 不支持该字段",
    )


def test_an_unknown_category_code_is_refused(desk, personas, regions, post):
    response = post(personas.township_staff, "/cases", submission(regions, title="坏", category="no-such"))
    _refused(response, 400, "category_unknown", "category", "类别: “no-such”不存在或已停用")


def test_a_location_outside_the_region_is_refused(desk, personas, regions, post):
    # A point inside 城东村's grid, for a case said to be in 居仁社区.
    response = post(personas.county_staff, "/cases", submission(regions, title="坏", lat=30.605, lng=120.055))
    _refused(response, 400, "location_outside", "lat", "位置: 该位置不在“居仁社区居委会”辖区内")


def test_a_location_alone_places_the_case_in_its_grid(desk, personas, regions, submit):
    body = submission(regions, lat=30.545, lng=119.965)
    del body["region"]
    _, response = submit(personas.township_staff, body)
    assert response.json()["grid"]["code"] == "JR-01"
    assert response.json()["region"]["code"] == regions.jueren.code


def test_html_is_stored_verbatim_and_returned_as_a_json_string(desk, personas, regions, get, submit):
    html = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    _, response = submit(personas.township_staff, submission(regions, title=html, body=f"<b>{html}</b>"))
    case = Case.objects.get(pk=response.json()["id"])
    assert case.title == html and case.body == f"<b>{html}</b>"
    assert response["Content-Type"].startswith("application/json")
    detail = get(personas.township_staff, f"/cases/{case.id}")
    assert detail.json()["title"] == html
    assert b'"title": "<script>alert(\\"x\\")</script>' in detail.content


@pytest.mark.parametrize("field", ["title", "body", "person_name", "address"])
def test_a_nul_character_is_refused(desk, personas, regions, post, field):
    response = post(personas.township_staff, "/cases", submission(regions, **{"title": "坏", field: "坏\x00人"}))
    body = _refused(response, 422, "field_invalid", field)
    assert "不能包含空字符" in body["message"]


def test_a_bad_phone_is_refused_by_the_service_with_nothing_written(desk, personas, regions, post):
    response = post(personas.township_staff, "/cases", submission(regions, title="坏", person_phone="12345"))
    _refused(response, 400, "phone_invalid", "person_phone")
    assert not CaseEvent.objects.filter(case__title="坏").exists()


def test_a_future_registration_time_is_refused(desk, personas, regions, post):
    response = post(
        personas.township_staff, "/cases", submission(regions, title="坏", registered_at="2999-01-01T09:00")
    )
    _refused(response, 422, "field_invalid", "registered_at", "登记时间: 不能晚于现在")


@pytest.mark.parametrize("registered_at", ["0001-01-01T00:00:00+14:00", "1999-12-31T23:00:00+08:00"])
def test_a_registration_time_before_2000_is_refused_at_the_api_not_queued(desk, personas, regions, post, registered_at):
    response = post(personas.township_staff, "/cases", submission(regions, title="坏", registered_at=registered_at))
    _refused(response, 422, "field_invalid", "registered_at", "登记时间: 不能早于2000年1月1日")


def test_a_paper_register_entered_late_keeps_its_date_and_a_clock_slightly_ahead_is_accepted(
    desk, personas, regions, submit
):
    _, detail = submit(personas.township_staff, submission(regions, registered_at="2024-01-03T09:00:00+08:00"))
    registered = datetime.datetime.fromisoformat(detail.json()["registered_at"])
    assert registered == datetime.datetime(2024, 1, 3, 1, 0, tzinfo=datetime.UTC)
    ahead = (timezone.now() + datetime.timedelta(minutes=2)).isoformat()
    _, detail = submit(personas.township_staff, submission(regions, registered_at=ahead))
    assert detail.status_code == 200


def test_a_different_body_under_a_used_idempotency_key_is_a_422_and_stores_nothing(desk, personas, regions, post):
    first = post(personas.township_staff, "/cases", submission(regions), **{"Idempotency-Key": "k-9"})
    other = submission(regions, body="西段也有两盏不亮。")
    conflict = post(personas.township_staff, "/cases", other, **{"Idempotency-Key": "k-9"})
    same = post(personas.township_staff, "/cases", submission(regions), **{"Idempotency-Key": "k-9"})

    assert (first.status_code, conflict.status_code, same.status_code) == (202, 422, 200)
    body = conflict.json()
    assert (body["code"], body["field"]) == ("idempotency_key_reused", "Idempotency-Key")
    assert "Idempotency-Key" in body["message"] and "Idempotent-Replayed" not in conflict.headers
    assert same.headers["Idempotent-Replayed"] == "true"
    assert same.json()["receipt_code"] == first.json()["receipt_code"]
    assert Submission.objects.count() == 1
    submissions_register_queued()
    case = Case.objects.get(receipt_code=first.json()["receipt_code"])
    assert case.body == "东段三盏路灯一个月没亮了。"
    # After registration (the payload no longer whole), a different body is still told apart.
    late = post(personas.township_staff, "/cases", other, **{"Idempotency-Key": "k-9"})
    assert late.status_code == 422 and late.json()["code"] == "idempotency_key_reused"


def test_a_failed_submission_tells_its_submitter_it_will_be_registered_after_staff_look_at_it(
    desk, personas, regions, post, get
):
    accepted = post(personas.township_staff, "/cases", submission(regions)).json()
    Submission.objects.filter(receipt_code=accepted["receipt_code"]).update(
        status="failed", error_code="registration_failed", error_message="KeyError: 'secret internals'"
    )
    body = get(personas.township_staff, f"/submissions/{accepted['receipt_code']}").json()
    assert body["status"] == "failed"
    assert body["error"] == {
        "code": "registration_failed",
        "message": "登记时出错，工作人员处理后将重新登记",
        "field": None,
    }


def test_a_place_outside_the_callers_scope_is_refused_like_an_unknown_one(desk, personas, regions, post):
    response = post(personas.outsider, "/cases", submission(regions, title="坏", place=desk.place.id))
    _refused(response, 400, "place_unknown", "place", "家站室: 不存在或不在您的管辖范围内")


def test_an_anonymous_case_keeps_no_contact_details(desk, personas, regions, submit):
    _, response = submit(personas.township_staff, submission(regions, is_anonymous=True, reply_via="online"))
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.person_name, case.person_phone, response.json()["contact"]) == ("", "", None)


def test_a_retry_replays_even_after_its_reception_closed(desk, personas, regions, post):
    session = post(
        personas.place_staff, "/receptions", {"kind": "station", "deputy": desk.deputy.id, "place": desk.place.id}
    ).json()["id"]
    first = post(personas.place_staff, "/cases", submission(regions, session=session), **{"Idempotency-Key": "r-1"})
    post(personas.place_staff, f"/receptions/{session}/close", {"people_received": 1})

    retry = post(personas.place_staff, "/cases", submission(regions, session=session), **{"Idempotency-Key": "r-1"})

    assert (first.status_code, retry.status_code) == (202, 200)
    assert retry.json()["receipt_code"] == first.json()["receipt_code"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    submissions_register_queued()
    # Queued while the session was open, registered after it closed: it belongs to the session all the same.
    case = Case.objects.get(receipt_code=first.json()["receipt_code"])
    assert case.session_id == session and Submission.objects.get(case=case).status == "registered"
