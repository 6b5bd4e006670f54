"""The duties in the admin: scoring items scoped to the congress regions where staff organise duties, frequency
rules seen by those staff and changed by administrators only, everything else read-only; each save audited."""

from decimal import Decimal

import pytest

from lianxin.core.models import AuditEvent
from lianxin.duties.models import Activity, FrequencyRule, ScoreItem, ScoreSource

pytestmark = pytest.mark.django_db


def item(region, name="走访群众"):
    return ScoreItem.objects.create(
        region=region, level="county", year=2026, name=name, source=ScoreSource.ACTIVITIES, max_points=Decimal("10")
    )


def test_county_staff_add_a_scoring_item_with_its_kinds_and_the_save_is_audited(client, personas, regions):
    client.force_login(personas.county_staff)
    response = client.post(
        "/admin/duties/scoreitem/add/",
        {
            "region": regions.deqing.pk, "level": "county", "year": 2026, "position": 1, "name": "参加视察调研",
            "source": "activities", "kinds": ["inspection", "research"], "points_each": "2", "max_points": "10",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ScoreItem.objects.get(name="参加视察调研")
    assert saved.kinds == ["inspection", "research"]
    assert AuditEvent.objects.filter(action="scoreitem.create", object_id=str(saved.pk)).count() == 1
    assert client.get(f"/admin/duties/scoreitem/{saved.pk}/change/").status_code == 200


def test_scoring_items_of_another_congress_are_a_404_and_not_listed(client, personas, regions):
    theirs = item(regions.anji, "安吉的项目")
    ours = item(regions.deqing)
    client.force_login(personas.county_staff)
    listing = client.get("/admin/duties/scoreitem/").content.decode()
    assert ours.name in listing and theirs.name not in listing
    assert client.get(f"/admin/duties/scoreitem/{theirs.pk}/change/").status_code == 404


def test_a_deputy_does_not_reach_the_duties_admin(client, personas):
    client.force_login(personas.deputy)
    assert client.get("/admin/duties/scoreitem/").status_code in (302, 403)
    assert client.get("/admin/duties/frequencyrule/").status_code in (302, 403)


def test_frequency_rules_are_seen_by_staff_and_changed_by_administrators_only(client, personas):
    data = {"name": "县级代表每月至少一次", "subject": "deputy", "level": "county", "place_kind": "", "kinds": [],
            "period": "month", "minimum": 1, "remind_days": 10, "is_active": "on"}  # fmt: skip
    client.force_login(personas.county_staff)
    assert client.get("/admin/duties/frequencyrule/").status_code == 200
    assert client.post("/admin/duties/frequencyrule/add/", data).status_code == 403
    assert not FrequencyRule.objects.exists()
    client.force_login(personas.admin)
    assert client.post("/admin/duties/frequencyrule/add/", data).status_code == 302
    rule = FrequencyRule.objects.get()
    assert rule.kinds == [] and AuditEvent.objects.filter(action="frequencyrule.create").count() == 1


def test_activities_are_read_only_in_the_admin_and_scoped(client, personas, duty):
    activity = duty.activity()
    client.force_login(personas.county_staff)
    assert activity.title in client.get("/admin/duties/activity/").content.decode()
    assert client.get(f"/admin/duties/activity/{activity.pk}/change/").status_code == 200
    assert client.get("/admin/duties/activity/add/").status_code == 403
    assert client.post(f"/admin/duties/activity/{activity.pk}/change/", {"title": "改名"}).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(f"/admin/duties/activity/{activity.pk}/change/").status_code == 404
    assert Activity.objects.get().title == activity.title
