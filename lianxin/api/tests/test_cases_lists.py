# ruff: noqa: F811  (pytest injects the fixtures imported from cases_fixtures under the same names)
"""GET /cases filters, what a unit's handler sees, and the number of queries a list costs."""

import datetime

import pytest
from django.utils import timezone

from lianxin.api.tests.cases_fixtures import desk, post  # noqa: F401  (fixtures: see cases_fixtures)
from lianxin.cases.models import Case, Status


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_a_unit_handler_lists_only_the_cases_assigned_to_their_unit(desk, personas, get, regions):
    mine = desk.register(regions.chengdong, title="城东村路面破损")
    Case.objects.filter(pk=mine.pk).update(unit=desk.unit, status=Status.TRANSFERRED)

    listed = ids(get(personas.unit_handler, "/cases", limit=100))

    assert listed == {desk.a.id, mine.id}
    assert get(personas.unit_handler, f"/cases/{desk.b.id}").status_code == 404


def test_a_case_whose_unit_has_several_handlers_is_listed_once(desk, personas, get, make_user):
    desk.unit.handlers.add(make_user("second_handler"), make_user("third_handler"))
    response = get(personas.county_staff, "/cases", limit=100)
    listed = [item["id"] for item in response.json()["items"]]
    assert listed.count(desk.a.id) == 1
    assert response.json()["count"] == len(listed) == 3  # a, b, c in 德清


def test_cases_filter_by_region_status_channel_category_unit_and_deputy(desk, personas, get, regions):
    staff = personas.county_staff
    Case.objects.filter(pk=desk.b.pk).update(status=Status.ACCEPTED, category=desk.category)
    Case.objects.filter(pk=desk.c.pk).update(status=Status.TRANSFERRED)

    assert ids(get(staff, "/cases", region=regions.wukang.code)) == {desk.a.id, desk.c.id}
    assert ids(get(staff, "/cases", status=["accepted", "transferred"])) == {desk.b.id, desk.c.id}
    assert ids(get(staff, "/cases", status="registered")) == {desk.a.id}
    assert ids(get(staff, "/cases", channel="grid_worker")) == {desk.c.id}
    assert ids(get(staff, "/cases", category="transport")) == {desk.b.id}
    assert ids(get(staff, "/cases", unit=desk.unit.id)) == {desk.a.id}
    assert ids(get(staff, "/cases", deputy=desk.deputy.id)) == {desk.a.id}
    assert ids(get(staff, "/cases", q="桥面")) == {desk.b.id}
    assert ids(get(staff, "/cases", q=desk.c.receipt_code.lower())) == {desk.c.id}


def test_cases_filter_by_registration_period_in_local_dates(desk, personas, get):
    staff = personas.county_staff
    local = datetime.timezone(datetime.timedelta(hours=8))
    # 00:30 on 1 March in Beijing is still 28 February in UTC: the filter counts the local date.
    Case.objects.filter(pk=desk.a.pk).update(registered_at=datetime.datetime(2026, 3, 1, 0, 30, tzinfo=local))
    Case.objects.filter(pk=desk.b.pk).update(registered_at=datetime.datetime(2026, 2, 28, 23, 30, tzinfo=local))

    assert ids(get(staff, "/cases", registered_from="2026-03-01", registered_to="2026-03-01")) == {desk.a.id}
    assert ids(get(staff, "/cases", registered_from="2026-02-01", registered_to="2026-02-28")) == {desk.b.id}
    assert desk.c.id in ids(get(staff, "/cases", registered_from="2026-03-02"))


def test_registration_period_at_the_ends_of_the_calendar_answers_instead_of_overflowing(desk, personas, get):
    staff = personas.county_staff
    everything = ids(get(staff, "/cases"))
    assert ids(get(staff, "/cases", registered_from="0001-01-01", registered_to="9999-12-31")) == everything
    assert ids(get(staff, "/cases", registered_to="0001-01-01")) == set()
    assert ids(get(staff, "/cases", registered_from="9999-12-31")) == set()


def test_overdue_lists_open_cases_past_the_deadline_of_their_step(desk, personas, get):
    staff = personas.county_staff
    past = timezone.now() - datetime.timedelta(days=1)
    Case.objects.filter(pk=desk.a.pk).update(status=Status.TRANSFERRED, reply_due=past)
    Case.objects.filter(pk=desk.b.pk).update(status=Status.CLOSED, reply_due=past, is_overdue=True)
    Case.objects.filter(pk=desk.c.pk).update(accept_due=timezone.now() + datetime.timedelta(days=1))

    assert ids(get(staff, "/cases", overdue="true")) == {desk.a.id}
    assert ids(get(staff, "/cases", overdue="false")) == {desk.b.id, desk.c.id}


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"region": "330523000000"}, 404, "region_not_found"),  # 安吉, outside 德清
        ({"category": "no-such"}, 400, "category_unknown"),
        ({"status": "lost"}, 422, "invalid_input"),
        ({"registered_from": "yesterday"}, 422, "invalid_input"),
    ],
)
def test_bad_filters_are_refused(desk, personas, get, params, status, code):
    response = get(personas.county_staff, "/cases", **params)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_listing_cases_costs_the_same_few_queries_at_any_size(
    desk, personas, regions, client, django_assert_num_queries
):
    for i in range(12):
        case = desk.register(regions.jueren, title=f"第{i}件", deputy=desk.deputy)
        Case.objects.filter(pk=case.pk).update(unit=desk.unit, category=desk.category)
    client.force_login(personas.unit_handler)
    # The rate-limit counters (one statement), the session, the user, their role grants, the page, the count.
    with django_assert_num_queries(6):
        response = client.get("/api/v1/cases", {"limit": 100})
    assert response.json()["count"] == 13
    assert all(item["contact"] is not None and item["unit"]["name"] for item in response.json()["items"])


def test_events_are_returned_oldest_first_with_their_actor(desk, personas, get, post):
    post(
        personas.township_staff,
        f"/cases/{desk.a.id}/actions/accept",
        {"note": "当天受理", "params": {"category": "transport"}},
    )
    events = get(personas.township_staff, f"/cases/{desk.a.id}/events").json()
    assert [(e["action"], e["actor_label"], e["note"]) for e in events] == [
        ("register", "群众", "经线上问诊登记"),
        ("accept", "township_staff", "当天受理"),
    ]
    assert events[1]["data"]["category"] == {"id": desk.category.id, "name": "交通运输"}


def test_units_filter_by_category_region_and_name(desk, personas, get, regions):
    staff = personas.township_staff
    assert ids(get(staff, "/units", region=regions.jueren.code)) == {
        desk.unit.id,
        desk.other_unit.id,
        desk.town_unit.id,
    }
    assert ids(get(staff, "/units", q="住建")) == {desk.other_unit.id}
    assert ids(get(staff, "/units", category="transport")) == {desk.unit.id, desk.other_unit.id, desk.town_unit.id}
    assert get(staff, "/units", category="no-such").status_code == 400


def test_unit_proposals_for_a_region_outside_scope_are_refused(desk, personas, get, regions):
    response = get(personas.township_staff, "/units/propose", category="transport", region=regions.chengdong.code)
    assert response.status_code == 404
    assert response.json()["code"] == "region_not_found"


def test_similar_lists_open_cases_of_the_township_that_repeat_the_problem_and_the_caller_may_see(desk, personas, get):
    again = desk.register(desk.a.region, title="居仁路路灯还是不亮", body="居仁路东段三盏路灯一个月没亮了，晚上很黑。")
    desk.register(desk.a.region, title="垃圾清运", body="小区垃圾三天没人清运，气味很大。")

    response = get(personas.township_staff, f"/cases/{again.id}/similar")

    assert response.status_code == 200, response.content
    similar = response.json()
    assert similar[0]["case"]["id"] == desk.a.id and similar[0]["case"]["receipt_code"] == desk.a.receipt_code
    assert 0.3 < similar[0]["score"] <= 1 and similar[0]["region"]["code"] == desk.a.region.code
    assert all(item["case"]["id"] != again.id for item in similar)
    assert [item["score"] for item in similar] == sorted((item["score"] for item in similar), reverse=True)
    # 城东村 (乾元镇) is another township: never offered, however alike.
    assert desk.b.id not in {item["case"]["id"] for item in similar}
    assert get(personas.outsider, f"/cases/{again.id}/similar").status_code == 404
