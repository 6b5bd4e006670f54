# ruff: noqa: F811  (pytest injects the fixtures imported from cases_fixtures under the same names)
"""POST /cases/{id}/actions/{action}: the whole loop through the API, and each way an action is refused."""

from django.test import Client

from lianxin.api.tests.cases_fixtures import desk, post, submit  # noqa: F401  (fixtures: see cases_fixtures)
from lianxin.cases.models import Case, Status
from lianxin.cases.services import case_rate_as_citizen
from lianxin.notifications.models import Notification


def act(post, user, case_id, action, expected_version=None, note="", **params):
    body = {"note": note, "params": params}
    if expected_version is not None:
        body["expected_version"] = expected_version
    return post(user, f"/cases/{case_id}/actions/{action}", body)


def ok(response):
    assert response.status_code == 200, response.content
    return response.json()


def test_the_whole_loop_through_the_api(desk, personas, regions, post, get, submit):
    _, created = submit(
        personas.deputy,
        {
            "channel": "online",
            "title": "居仁路路灯不亮",
            "body": "东段三盏路灯一个月没亮了。",
            "region": regions.jueren.code,
            "person_name": "王秀英",
            "person_phone": "13957211234",
            "reply_via": "sms",
        },
        **{"Idempotency-Key": "loop-1"},
    )
    assert created.status_code == 200
    case_id = created.json()["id"]

    accepted = ok(act(post, personas.deputy, case_id, "accept", 0, category="transport", urgency="urgent"))
    assert (accepted["status"], accepted["version"], accepted["category"]["code"]) == ("accepted", 1, "transport")
    assert "transfer" not in accepted["actions"]  # a deputy cannot transfer

    staff_view = ok(get(personas.township_staff, f"/cases/{case_id}"))
    assert "transfer" in staff_view["actions"]
    proposed = get(personas.township_staff, "/units/propose", category="transport", region=regions.jueren.code).json()
    assert [u["name"] for u in proposed] == ["武康街道城管办", "县交通运输局", "县住建局"]
    transferred = ok(
        act(post, personas.township_staff, case_id, "transfer", accepted["version"], unit=desk.unit.id, reply_days=5)
    )
    assert transferred["unit"] == {"id": desk.unit.id, "name": "县交通运输局"} and transferred["reply_due"]

    handler_view = ok(get(personas.unit_handler, f"/cases/{case_id}"))
    assert handler_view["actions"] == ["reply"]
    replied = ok(act(post, personas.unit_handler, case_id, "reply", handler_view["version"], reply="路灯已修复。"))
    fed_back = ok(act(post, personas.deputy, case_id, "feed_back", replied["version"], note="电话告知王女士"))
    assert fed_back["status"] == "fed_back"

    case_rate_as_citizen(receipt_code=created.json()["receipt_code"], rating="satisfied")
    rated = ok(get(personas.township_staff, f"/cases/{case_id}"))
    closed = ok(act(post, personas.township_staff, case_id, "close", rated["version"]))
    published = ok(act(post, personas.county_staff, case_id, "publish", closed["version"]))

    assert (published["status"], published["rating"], published["actions"]) == ("published", "satisfied", [])
    assert "13957211234" not in published["public_text"]
    events = get(personas.township_staff, f"/cases/{case_id}/events").json()
    assert [(e["action"], e["action_label"], e["to_status"]) for e in events] == [
        ("register", "登记", "registered"),
        ("accept", "受理", "accepted"),
        ("transfer", "交办", "transferred"),
        ("reply", "答复", "replied"),
        ("feed_back", "反馈", "fed_back"),
        ("rate", "评价", "rated"),
        ("close", "销号", "closed"),
        ("publish", "公开", "published"),
    ]
    assert events[3]["actor_label"] == "县交通运输局"
    assert events[4]["note"] == "电话告知王女士"
    assert Notification.objects.filter(kind="case.transferred", user=personas.unit_handler).exists()


def test_two_clients_acting_with_the_same_version_one_wins_and_the_other_gets_409(desk, personas):
    first, second = Client(), Client()
    first.force_login(personas.township_staff)
    second.force_login(personas.county_staff)
    path = f"/api/v1/cases/{desk.a.id}/actions/"
    seen = first.get(f"/api/v1/cases/{desk.a.id}").json()["version"]

    one = first.post(
        path + "accept",
        {"params": {"category": "transport"}, "expected_version": seen},
        content_type="application/json",
    )
    other = second.post(
        path + "decline",
        {"params": {"reason": "重复反映"}, "expected_version": seen},
        content_type="application/json",
    )

    assert (one.status_code, other.status_code) == (200, 409)
    assert other.json() == {
        "code": "case_conflict",
        "message": "该意见建议刚刚已被他人处理（当前状态：已受理），请刷新后重试",
        "field": None,
    }
    desk.a.refresh_from_db()
    assert (desk.a.status, desk.a.version) == (Status.ACCEPTED, 1)
    assert list(desk.a.events.values_list("action", flat=True)) == ["register", "accept"]


def test_a_stale_version_is_a_conflict_even_when_the_state_still_allows_the_action(desk, personas, post):
    ok(act(post, personas.township_staff, desk.a.id, "accept", 0, category="transport"))
    response = act(post, personas.county_staff, desk.a.id, "decline", 0, reason="重复")
    assert response.status_code == 409
    assert Case.objects.get(pk=desk.a.pk).status == Status.ACCEPTED


def test_an_unknown_action_is_a_404(desk, personas, post):
    for action in ("launch", "follow_master"):
        response = act(post, personas.township_staff, desk.a.id, action)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_an_action_not_allowed_in_the_current_state_is_a_400(desk, personas, post):
    response = act(post, personas.township_staff, desk.a.id, "close", note="x")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_transition",
        "message": "当前状态“已登记”下不能“销号”",
        "field": "action",
    }


def test_an_action_without_the_right_is_a_403_and_writes_nothing(desk, personas, post):
    response = act(post, personas.unit_handler, desk.a.id, "accept", category="transport")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert desk.a.events.count() == 1


def test_bad_action_input_is_refused_naming_the_field(desk, personas, post):
    staff = personas.township_staff
    unknown = act(post, staff, desk.a.id, "accept", category="no-such")
    assert (unknown.status_code, unknown.json()["code"], unknown.json()["field"]) == (
        400,
        "category_unknown",
        "category",
    )

    wrong_type = act(post, staff, desk.a.id, "transfer", unit="the big one")
    assert wrong_type.status_code == 422
    assert wrong_type.json() == {"code": "field_invalid", "message": "承办单位: 应为整数", "field": "unit"}

    extra = post(staff, f"/cases/{desk.a.id}/actions/accept", {"params": {"status": "closed"}})
    assert (extra.status_code, extra.json()["field"]) == (422, "status")

    too_long = act(post, staff, desk.a.id, "accept", note="长" * 2001, category="transport")
    assert too_long.status_code == 422 and too_long.json()["field"] == "note"

    nul = act(post, staff, desk.a.id, "decline", reason="坏\x00")
    assert nul.status_code == 422 and "空字符" in nul.json()["message"]

    ok(act(post, staff, desk.a.id, "accept", category="transport"))
    missing_reply = act(post, staff, desk.a.id, "answer")
    assert missing_reply.status_code == 400
    assert missing_reply.json() == {"code": "field_required", "message": "答复内容: 不能为空", "field": "reply"}

    desk.a.refresh_from_db()
    assert desk.a.status == Status.ACCEPTED and desk.a.events.count() == 2
