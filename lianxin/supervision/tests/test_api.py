# ruff: noqa: F811  (pytest injects the imported fixtures under the same names)
"""/api/v1/supervision-items: list, detail and create by role and scope (outside is 404, a deputy cannot create),
records and the rectification report with its late mark."""

import datetime

import pytest
from django.utils import timezone

from lianxin.api.tests.cases_fixtures import post  # noqa: F401  (fixture: a JSON POST as a user)
from lianxin.core.models import AuditEvent
from lianxin.supervision import services
from lianxin.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def get(client):
    def do(user, path):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client.get(f"{API}{path}")

    return do


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", {"item", "qy_item"}),
        ("county_staff", {"item", "qy_item"}),
        ("city_staff", {"item", "qy_item"}),
        ("township_staff", set()),  # 武康's staff: the county's items are not theirs
        ("outsider", {"qy_item"}),  # 乾元's staff: their township's item only
        ("deputy", {"item"}),  # a member of 武康监督组
        ("unit_handler", {"item"}),  # the transport bureau's handler: the item on the bureau
        ("grid_worker", set()),
        ("place_staff", set()),
    ],
)
def test_each_role_lists_the_items_of_its_scope(sv, personas, get, who, sees):
    expected = {getattr(sv, name).pk for name in sees}
    assert ids(get(getattr(personas, who), "/supervision-items")) == expected


def test_anonymous_is_401(sv, get):
    assert get(None, "/supervision-items").status_code == 401


def test_the_detail_has_groups_records_and_the_evaluation_and_is_404_outside(sv, personas, get):
    response = get(personas.deputy, f"/supervision-items/{sv.item.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "农村公路养护工作监督"
    assert body["subject"] == "县交通运输局"
    assert body["groups"] == [{"id": sv.group.pk, "name": "武康监督组", "is_lead": True, "members": 3}]
    assert [r["kind"] for r in body["records"]] == ["plan"]
    assert body["evaluation"]["total"] == 0 and body["evaluation"]["rate"] is None
    for user in (personas.township_staff, personas.outsider, sv.stranger_user):
        response = get(user, f"/supervision-items/{sv.item.pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert get(personas.county_staff, "/supervision-items/999999").status_code == 404


def payload(sv, regions, **fields):
    values = {
        "region": regions.deqing.code,
        "year": sv.year,
        "title": "《道路交通安全法》执法检查",
        "subject_kind": "law",
        "law_name": "中华人民共和国道路交通安全法",
        "starts_on": f"{sv.year}-03-01",
        "ends_on": f"{sv.year}-10-31",
        "groups": [sv.group.pk],
    }
    values.update(fields)
    return values


def test_staff_create_an_item_and_it_is_audited(sv, personas, regions, post):
    response = post(personas.county_staff, "/supervision-items", payload(sv, regions))
    assert response.status_code == 201, response.content
    item = SupervisionItem.objects.get(pk=response.json()["id"])
    assert item.subject_label == "《中华人民共和国道路交通安全法》实施情况"
    assert AuditEvent.objects.filter(action="supervision.create", object_id=str(item.pk), actor=personas.county_staff)


@pytest.mark.parametrize("who", ["deputy", "township_staff", "unit_handler", "place_staff"])
def test_who_may_not_manage_the_county_cannot_create_there(sv, personas, regions, post, who):
    response = post(getattr(personas, who), "/supervision-items", payload(sv, regions))
    assert response.status_code == 403
    assert SupervisionItem.objects.count() == 2


def test_bad_input_is_a_400_in_chinese_naming_the_field(sv, personas, regions, post):
    response = post(personas.county_staff, "/supervision-items", payload(sv, regions, law_name=""))
    assert response.status_code == 400
    assert response.json() == {
        "code": "field_required",
        "message": "法律法规: 执法检查须填写法律法规名称",
        "field": "law_name",
    }
    response = post(personas.county_staff, "/supervision-items", payload(sv, regions, groups=[sv.other_group.pk]))
    assert (response.status_code, response.json()["field"]) == (400, "groups")


def test_a_record_is_added_and_a_late_report_is_accepted_and_marked(sv, personas, post, get):
    response = post(
        personas.county_staff, f"/supervision-items/{sv.item.pk}/records", {"kind": "finding", "text": "护栏缺失"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == "during"
    response = post(personas.unit_handler, f"/supervision-items/{sv.item.pk}/report", {"report": "整改报告"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_transition")
    sv.item.refresh_from_db()  # the finding moved it under way
    services.item_opinions_send(
        actor=personas.county_staff,
        item=sv.item,
        opinions="意见",
        report_due=timezone.localdate() + datetime.timedelta(days=1),
    )
    SupervisionItem.objects.filter(pk=sv.item.pk).update(report_due=timezone.localdate() - datetime.timedelta(days=2))
    response = post(personas.unit_handler, f"/supervision-items/{sv.item.pk}/report", {"report": "整改报告"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["report_late"]) == ("reported", True)
    records = get(personas.deputy, f"/supervision-items/{sv.item.pk}/records").json()
    assert [r["kind"] for r in records] == ["plan", "finding", "opinions", "report"]


def test_the_list_costs_the_same_queries_however_many_items(sv, personas, regions, get, post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(personas.county_staff, "/supervision-items").status_code == 200
        return len(queries)

    count()  # the first request also sets up the session and the user's grants
    before = count()
    for n in range(3):
        post(personas.county_staff, "/supervision-items", payload(sv, regions, title=f"执法检查{n}"))
    assert count() == before
