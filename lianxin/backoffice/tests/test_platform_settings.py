"""Issue 12, item 7: settings without a region of their own (deadline policies, case categories, the working-day
calendar) apply to the whole county: a township administrator may not change them, and every change writes an
audit row with the old and new values. A township administrator once raised the county-wide urgent reply limit
from 5 to 90 working days, recorded only in Django's own log."""

from datetime import date

import pytest
from django.urls import reverse

from lianxin.accounts.platform import platform_setting_save
from lianxin.accounts.roles import Role
from lianxin.cases.models import Category, DeadlinePolicy, Urgency
from lianxin.core.errors import PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.workdays.models import CalendarDay
from lianxin.workdays.services import calendar_day_set


@pytest.fixture
def township_admin(make_user, regions):
    return make_user("township_admin", Role.ADMIN, regions.wukang)


@pytest.fixture
def urgent(db):
    """The county-wide urgent policy (seeded by the migrations): the unit replies within 5 working days."""
    policy = DeadlinePolicy.objects.get(category__isnull=True, urgency=Urgency.URGENT)
    assert policy.reply_days == 5
    return policy


def policy_form(policy: DeadlinePolicy, **changes) -> dict:
    fields = ["urgency", "accept_days", "transfer_days", "reply_days", "feedback_days", "remind_before_days"]
    return {"category": "", **{name: getattr(policy, name) for name in fields}, **changes}


def test_a_township_admin_cannot_change_the_county_wide_deadline(client, township_admin, urgent):
    client.force_login(township_admin)
    url = reverse("admin:cases_deadlinepolicy_change", args=[urgent.pk])

    response = client.post(url, policy_form(urgent, reply_days=90))

    assert response.status_code == 403
    urgent.refresh_from_db()
    assert urgent.reply_days == 5
    assert not AuditEvent.objects.filter(object_type="cases.deadlinepolicy").exists()
    with pytest.raises(PermissionDenied):
        urgent.reply_days = 90
        platform_setting_save(actor=township_admin, obj=urgent, before={"reply_days": 5}, fields=["reply_days"])
    urgent.refresh_from_db()
    assert urgent.reply_days == 5


def test_a_county_admin_changes_the_deadline_and_the_change_is_audited_old_to_new(client, personas, urgent):
    client.force_login(personas.admin)
    url = reverse("admin:cases_deadlinepolicy_change", args=[urgent.pk])

    response = client.post(url, policy_form(urgent, reply_days=10))

    assert response.status_code == 302
    urgent.refresh_from_db()
    assert urgent.reply_days == 10
    event = AuditEvent.objects.get(object_type="cases.deadlinepolicy", object_id=str(urgent.pk))
    assert (event.action, event.actor, event.changes) == (
        "deadlinepolicy.update",
        personas.admin,
        {"reply_days": [5, 10]},
    )


def test_a_township_admin_cannot_add_or_delete_categories(client, township_admin):
    category = Category.objects.create(code="roads", name="道路")
    client.force_login(township_admin)

    added = client.post(reverse("admin:cases_category_add"), {"code": "x", "name": "新类别", "sort": 0})
    deleted = client.post(reverse("admin:cases_category_delete", args=[category.pk]), {"post": "yes"})

    assert (added.status_code, deleted.status_code) == (403, 403)
    assert Category.objects.filter(pk=category.pk).exists()
    assert not Category.objects.filter(code="x").exists()


def test_a_county_admin_adds_a_category_with_an_audit_row(client, personas):
    client.force_login(personas.admin)

    response = client.post(reverse("admin:cases_category_add"), {"code": "water", "name": "供水", "sort": 0})

    assert response.status_code == 302
    category = Category.objects.get(code="water")
    assert AuditEvent.objects.filter(
        action="category.create", actor=personas.admin, object_id=str(category.pk)
    ).exists()


def test_a_township_admin_cannot_change_the_working_day_calendar(client, township_admin):
    client.force_login(township_admin)

    response = client.post(reverse("admin:workdays_calendarday_add"), {"date": "2026-11-03", "name": "临时放假"})

    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=township_admin, day=date(2026, 11, 3), is_workday=False, name="临时放假")
    assert not CalendarDay.objects.filter(date=date(2026, 11, 3)).exists()


def test_staff_who_handle_cases_see_the_policies_but_cannot_change_them(client, personas, urgent):
    client.force_login(personas.county_staff)

    page = client.get(reverse("admin:cases_deadlinepolicy_change", args=[urgent.pk]))
    posted = client.post(reverse("admin:cases_deadlinepolicy_change", args=[urgent.pk]), policy_form(urgent))

    assert page.status_code == 200
    assert posted.status_code == 403


def test_adding_a_handler_to_a_unit_is_audited_with_old_and_new_accounts(client, personas, regions, make_user):
    from lianxin.cases.models import ResponsibleUnit

    unit = ResponsibleUnit.objects.create(name="武康街道城管中队", region=regions.wukang)
    handler = make_user("wk_handler", Role.UNIT_HANDLER, regions.wukang)
    client.force_login(personas.township_staff)
    form = {"name": unit.name, "region": regions.wukang.pk, "contact_name": "", "contact_phone": "",
            "is_active": "on", "handlers": [handler.pk]}  # fmt: skip

    response = client.post(reverse("admin:cases_responsibleunit_change", args=[unit.pk]), form)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(unit.handlers.all()) == [handler]
    event = AuditEvent.objects.get(action="responsibleunit.relations")
    assert (event.actor, event.changes) == (personas.township_staff, {"handlers": [[], [handler.pk]]})
