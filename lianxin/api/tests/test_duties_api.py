# ruff: noqa: F811  (pytest injects the imported fixtures under the same names)
"""The duties API: GET/POST /activities, GET /activities/{id}, POST /activities/{id}/sign-in and
GET /deputies/{id}/duties.

The world is the duties app's (lianxin/duties/tests/conftest.py): a visit in 居仁社区 (德清/武康) organised by
`personas.county_staff`, inviting 沈建国 (`personas.deputy`) and 钱立新 (`deputy2`, elected in 城东村, 乾元);
`personas.outsider` is township staff of 乾元镇, outside 武康.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.api.tests.cases_fixtures import post  # noqa: F401  (fixture: a JSON POST as a user)
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.duties import services
from lianxin.duties.models import Activity, Attendance, AttendanceStatus, ScoreItem, ScoreSource
from lianxin.duties.tests.conftest import duty  # noqa: F401  (fixture: the duties app's world)

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def persona(personas, duty, name):
    return duty.second_user if name == "deputy2" else getattr(personas, name)


def body(regions, **fields):
    starts = timezone.now() + datetime.timedelta(days=3)
    values = {
        "kind": "inspection",
        "title": "视察武康街道老旧小区改造",
        "region": regions.jueren.code,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=2)).isoformat(),
        "location": "居仁社区党群服务中心",
    }
    values.update(fields)
    return values


# Role × endpoint → status ---------------------------------------------------------------------------------

READ = {
    "admin": 200,
    "city_staff": 200,
    "county_staff": 200,
    "township_staff": 200,
    "place_staff": 200,
    "deputy": 200,
    "deputy2": 200,
    "outsider": 404,
    "no_role": 404,
}


@pytest.mark.parametrize(("name", "status"), READ.items())
def test_an_activity_is_read_by_those_of_its_region_and_its_deputies_and_hidden_from_the_rest(
    duty, personas, get, name, status
):
    activity = duty.activity()
    user = persona(personas, duty, name)

    response = get(user, f"/activities/{activity.pk}")

    assert response.status_code == status, response.content
    if status == 404:
        assert response.json() == get(user, "/activities/999999").json()
    listed = [item["id"] for item in ok(get(user, "/activities"))["items"]]
    assert (activity.pk in listed) is (status == 200)


def test_the_detail_lists_the_attendees_and_gives_the_code_to_organisers_only(duty, personas, get):
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10))
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code, lat=30.54, lng=119.96)

    detail = ok(get(personas.county_staff, f"/activities/{activity.pk}"))

    assert detail["kind"] == "visit" and detail["kind_label"] == "走访群众" and detail["status"] == "planned"
    assert detail["region"]["code"] == activity.region.code
    attendees = {a["deputy"]["name"]: a for a in detail["attendees"]}
    assert attendees["沈建国"]["status"] == "present" and attendees["沈建国"]["method"] == "qr"
    assert attendees["沈建国"]["signed_in_at"] is not None and attendees["沈建国"]["invited"] is True
    assert attendees["钱立新"]["status"] == "invited" and attendees["钱立新"]["status_label"] == "已邀请"
    assert detail["signin_code"] == activity.signin_code
    assert ok(get(personas.place_staff, f"/activities/{activity.pk}"))["signin_code"] == activity.signin_code
    assert ok(get(personas.deputy, f"/activities/{activity.pk}"))["signin_code"] is None
    assert ok(get(personas.grid_worker, f"/activities/{activity.pk}"))["signin_code"] is None


def test_a_deputy_outside_the_region_sees_an_activity_once_invited(duty, personas, get, regions, make_user):
    user = make_user("deputy3", Role.DEPUTY, regions.qianyuan)
    deputy = Deputy.objects.create(name="孙远方", gender="female", user=user)
    Mandate.objects.create(
        deputy=deputy, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=17,
        district_region=regions.chengdong, started_on=datetime.date(2022, 1, 1),
    )  # fmt: skip
    activity = duty.activity()
    assert get(user, f"/activities/{activity.pk}").status_code == 404

    services.activity_invite(actor=personas.county_staff, activity=activity, deputies=[deputy])

    assert ok(get(user, f"/activities/{activity.pk}"))["id"] == activity.pk
    assert [item["id"] for item in ok(get(user, "/activities"))["items"]] == [activity.pk]


def test_the_list_filters_by_kind_dates_region_and_deputy(duty, personas, get, regions):
    visit = duty.activity()
    training = duty.activity(kind="training", title="新任代表履职培训", starts_in=datetime.timedelta(days=40))
    report = duty.activity(
        kind="report", title="向选民述职", region=regions.chengdong, invited=[duty.second],
        starts_in=datetime.timedelta(days=10),
    )  # fmt: skip

    def ids(**params):
        return [item["id"] for item in ok(get(personas.county_staff, "/activities", **params))["items"]]

    assert ids() == [training.pk, report.pk, visit.pk]
    assert ids(kind="training") == [training.pk]
    later = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    assert ids(**{"from": later}) == [training.pk, report.pk]
    assert ids(to=later) == [visit.pk]
    assert ids(region=regions.chengdong.code) == [report.pk]
    assert ids(region=regions.wukang.code) == [training.pk, visit.pk]
    assert ids(deputy=duty.second.pk) == [training.pk, report.pk, visit.pk]
    assert ids(deputy=duty.first.pk) == [training.pk, visit.pk]
    assert get(personas.county_staff, "/activities", kind="reception_x").status_code == 422


def test_the_lists_queries_do_not_grow_with_its_rows(duty, personas, get):
    duty.activity()

    def count():
        with CaptureQueriesContext(connection) as queries:
            ok(get(personas.county_staff, "/activities"))
        return len(queries)

    count()  # the first request of a session reads what later ones find cached
    few = count()
    for n in range(4):
        duty.activity(title=f"第{n}次走访")
    assert count() == few


# Creating an activity -------------------------------------------------------------------------------------

CREATE = {
    "county_staff": 201,
    "township_staff": 201,
    "place_staff": 201,
    "deputy": 403,
    "outsider": 403,
    "no_role": 403,
}


@pytest.mark.parametrize(("name", "status"), CREATE.items())
def test_staff_of_the_region_organise_an_activity_and_others_are_refused(duty, personas, post, regions, name, status):
    user = persona(personas, duty, name)

    response = post(user, "/activities", body(regions))

    assert response.status_code == status, response.content
    if status == 201:
        created = response.json()
        activity = Activity.objects.get(pk=created["id"])
        assert response["Location"] == f"/api/v1/activities/{activity.pk}"
        assert activity.organiser == user and created["signin_code"] == activity.signin_code
        assert AuditEvent.objects.filter(action="duties.activity_create", actor=user).count() == 1
    else:
        assert not Activity.objects.filter(title="视察武康街道老旧小区改造").exists()
        assert response.json()["code"] == "permission_denied"


def test_an_activity_is_created_with_its_invited_deputies(duty, personas, post, regions):
    created = ok(
        post(personas.county_staff, "/activities", body(regions, invited=[duty.first.pk, duty.second.pk])), 201
    )

    assert sorted(a["deputy"]["name"] for a in created["attendees"]) == ["沈建国", "钱立新"]
    assert {a["status"] for a in created["attendees"]} == {"invited"}


@pytest.mark.parametrize(
    ("fields", "status", "code", "field"),
    [
        ({"kind": "reception"}, 422, "field_invalid", "kind"),
        ({"region": "330521999999"}, 400, "region_unknown", "region"),
        ({"invited": [999999]}, 400, "deputy_unknown", "invited"),
        ({"place": 999999}, 400, "place_unknown", "place"),
        ({"title": ""}, 422, "field_invalid", "title"),
        ({"unknown": 1}, 422, "field_invalid", "unknown"),
    ],
)
def test_a_bad_activity_is_refused_with_the_field_and_nothing_is_written(
    duty, personas, post, regions, fields, status, code, field
):
    response = post(personas.county_staff, "/activities", body(regions, **fields))

    assert response.status_code == status, response.content
    assert response.json()["field"] == field and response.json()["code"] in (code, "field_required")
    assert Activity.objects.count() == 0


def test_an_activity_ending_before_it_starts_is_refused_in_chinese(duty, personas, post, regions):
    starts = timezone.now() + datetime.timedelta(days=1)
    response = post(
        personas.county_staff,
        "/activities",
        body(regions, starts_at=starts.isoformat(), ends_at=(starts - datetime.timedelta(hours=1)).isoformat()),
    )
    assert response.status_code == 400
    assert response.json() == {"code": "field_invalid", "message": "结束时间: 应晚于开始时间", "field": "ends_at"}


def test_an_invited_deputy_outside_the_staffs_scope_is_refused(duty, personas, post, regions):
    response = post(personas.township_staff, "/activities", body(regions, invited=[duty.second.pk]))
    assert response.status_code == 400 and response.json()["field"] == "invited"


# Signing in -----------------------------------------------------------------------------------------------

SIGN_IN = {
    "deputy": 200,
    "deputy2": 200,
    "county_staff": 403,
    "place_staff": 403,
    "outsider": 403,  # holds the code, so the activity is no secret to them; not a deputy
    "no_role": 403,
}


@pytest.mark.parametrize(("name", "status"), SIGN_IN.items())
def test_a_deputy_signs_in_with_the_code_and_staff_cannot(duty, personas, post, name, status):
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10), invited=[duty.first])
    user = persona(personas, duty, name)

    response = post(user, f"/activities/{activity.pk}/sign-in", {"code": activity.signin_code})

    assert response.status_code == status, response.content
    signed = Attendance.objects.filter(activity=activity, status=AttendanceStatus.PRESENT)
    if status == 200:
        result = response.json()
        assert result["activity"] == activity.pk and result["status"] == "present" and result["method"] == "qr"
        assert result["invited"] is (name == "deputy")  # 钱立新 was not invited: signed in, marked
        assert signed.get().deputy.user == user
        assert AuditEvent.objects.filter(action="duties.sign_in", actor=user).count() == 1
    else:
        assert not signed.exists()


def test_without_the_code_an_activity_outside_the_scope_is_not_found(duty, personas, post):
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10))
    for user in (personas.outsider, personas.no_role):
        response = post(user, f"/activities/{activity.pk}/sign-in", {"code": "not-the-code"})
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_deputy_of_another_township_signs_in_uninvited_with_the_code(duty, personas, post, regions, make_user):
    user = make_user("deputy3", Role.DEPUTY, regions.qianyuan)
    deputy = Deputy.objects.create(name="孙远方", gender="female", user=user)
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10))

    result = ok(post(user, f"/activities/{activity.pk}/sign-in", {"code": activity.signin_code}))

    assert result["invited"] is False and result["deputy"]["id"] == deputy.pk
    assert Attendance.objects.get(activity=activity, deputy=deputy).status == AttendanceStatus.PRESENT


def test_a_sign_in_keeps_the_phones_location(duty, personas, post):
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10))
    ok(
        post(
            personas.deputy,
            f"/activities/{activity.pk}/sign-in",
            {"code": activity.signin_code, "lat": 30.5, "lng": 119.9},
        )
    )
    attendance = Attendance.objects.get(activity=activity, deputy=duty.first)
    assert (attendance.lat, attendance.lng) == (30.5, 119.9)


def test_a_second_sign_in_is_refused_and_writes_nothing(duty, personas, post):
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10))
    ok(post(personas.deputy, f"/activities/{activity.pk}/sign-in", {"code": activity.signin_code}))
    first = Attendance.objects.get(activity=activity, deputy=duty.first).signed_in_at

    response = post(personas.deputy, f"/activities/{activity.pk}/sign-in", {"code": activity.signin_code})

    assert response.status_code == 400 and response.json()["code"] == "already_signed_in"
    assert Attendance.objects.get(activity=activity, deputy=duty.first).signed_in_at == first
    assert AuditEvent.objects.filter(action="duties.sign_in").count() == 1


def test_another_activitys_code_or_a_renewed_one_does_not_sign_in(duty, personas, post):
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10))
    other = duty.activity(title="另一次走访", starts_in=datetime.timedelta(minutes=-10))
    old = activity.signin_code
    services.activity_signin_code_renew(actor=personas.county_staff, activity=activity)

    for code in (other.signin_code, old):
        response = post(personas.deputy, f"/activities/{activity.pk}/sign-in", {"code": code})
        assert response.status_code == 400
        assert response.json()["code"] == "signin_code_unknown" and response.json()["field"] == "code"
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()


def test_a_sign_in_outside_its_hours_or_with_half_a_location_is_refused(duty, personas, post):
    activity = duty.activity(starts_in=datetime.timedelta(hours=5))
    response = post(personas.deputy, f"/activities/{activity.pk}/sign-in", {"code": activity.signin_code})
    assert response.status_code == 400 and response.json()["code"] == "signin_closed"

    started = duty.activity(title="正在进行的走访", starts_in=datetime.timedelta(minutes=-5))
    response = post(personas.deputy, f"/activities/{started.pk}/sign-in", {"code": started.signin_code, "lat": 30.5})
    assert response.status_code == 400 and response.json()["field"] == "lat"


# A deputy's duties ----------------------------------------------------------------------------------------


def score_items(regions, year):
    visits = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=1, name="走访群众",
        source=ScoreSource.ACTIVITIES, kinds=["visit"], points_each=Decimal("2"), max_points=Decimal("10"),
    )  # fmt: skip
    own = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=2, name="学习培训自评",
        source=ScoreSource.SELF, points_each=Decimal("1"), max_points=Decimal("5"),
    )  # fmt: skip
    return visits, own


DUTIES = {
    "county_staff": 200,
    "township_staff": 200,
    "deputy": 200,
    "outsider": 404,
    "no_role": 404,
}


@pytest.mark.parametrize(("name", "status"), DUTIES.items())
def test_a_deputys_duties_are_read_by_staff_of_the_scope_and_the_deputy(duty, personas, get, name, status):
    response = get(persona(personas, duty, name), f"/deputies/{duty.first.pk}/duties")
    assert response.status_code == status, response.content
    if status == 404:
        assert response.json()["code"] == "not_found"


def test_a_deputys_duties_give_the_score_with_its_items_and_the_counts_by_kind(duty, personas, get, regions):
    year = timezone.localdate().year
    _visits, own = score_items(regions, year)
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10))
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)
    services.score_claim(actor=personas.deputy, item=own, points="3", evidence="参加两期培训")

    result = ok(get(personas.county_staff, f"/deputies/{duty.first.pk}/duties", year=year))

    assert result["deputy"] == {"id": duty.first.pk, "name": "沈建国"} and result["year"] == year
    [score] = result["scores"]
    assert score["congress"]["code"] == regions.deqing.code and score["level"] == "county"
    assert Decimal(score["total"]) == Decimal("2")
    items = {item["name"]: item for item in score["items"]}
    assert Decimal(items["走访群众"]["points"]) == 2 and Decimal(items["走访群众"]["max"]) == 10
    assert items["走访群众"]["pending"] is False
    assert Decimal(items["学习培训自评"]["points"]) == 0 and items["学习培训自评"]["pending"] is True
    counts = {row["kind"]: row["count"] for row in result["activities"]}
    assert counts["visit"] == 1 and counts["reception"] == 0 and counts["training"] == 0
    assert ok(get(personas.deputy, f"/deputies/{duty.first.pk}/duties", year=year - 1))["scores"] == []


def test_a_year_out_of_range_is_refused(duty, personas, get):
    response = get(personas.county_staff, f"/deputies/{duty.first.pk}/duties", year=1900)
    assert response.status_code == 422
