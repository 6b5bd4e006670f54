from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lianxin.core.models import AuditEvent
from lianxin.workdays.calendar import add_workdays, is_known
from lianxin.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db

DAYS = reverse("admin:workdays_calendarday_changelist")
YEARS = reverse("admin:workdays_calendaryear_changelist")
ADD_DAY = reverse("admin:workdays_calendarday_add")
IMPORT = reverse("admin:workdays_calendaryear_import")


@pytest.mark.parametrize(
    ("persona", "url", "expected"),
    [
        ("admin", DAYS, 200),
        ("admin", ADD_DAY, 200),
        ("admin", IMPORT, 200),
        ("county_staff", DAYS, 200),
        ("county_staff", YEARS, 200),
        ("county_staff", ADD_DAY, 403),
        ("county_staff", IMPORT, 403),
        ("place_staff", DAYS, 200),
        ("deputy", DAYS, 302),  # no back-office access: sent to the login page
    ],
)
def test_who_may_see_and_edit_the_calendar(client, personas, persona, url, expected):
    client.force_login(getattr(personas, persona))
    assert client.get(url).status_code == expected


def test_the_lists_warn_when_next_years_arrangement_is_missing(client, personas, time_machine):
    time_machine.move_to("2026-11-22 12:00 +08:00")
    client.force_login(personas.county_staff)
    body = client.get(YEARS).content.decode()
    assert "2027 年的法定节假日安排尚未导入，暂按周末和元旦、劳动节、国庆节的法定日期计算时限" in body


def test_an_administrator_adds_a_holiday_through_the_service(client, personas):
    client.force_login(personas.admin)
    assert add_workdays(date(2026, 11, 2), 1) == date(2026, 11, 3)
    response = client.post(ADD_DAY, {"date": "2026-11-03", "name": "临时放假", "note": ""})
    assert response.status_code == 302
    assert add_workdays(date(2026, 11, 2), 1) == date(2026, 11, 4)
    event = AuditEvent.objects.get(action="calendar_day.create")
    assert event.actor == personas.admin


def test_the_form_refuses_a_day_that_follows_the_weekday_rule(client, personas):
    client.force_login(personas.admin)
    response = client.post(ADD_DAY, {"date": "2026-11-07", "name": "周六", "note": ""})
    assert response.status_code == 200
    assert "本就休息，无需登记为放假" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2026, 11, 7)).exists()


def test_an_administrator_imports_a_year_in_the_back_office(client, personas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("2027.csv", "日期,类型,名称\n2027-01-01,放假,元旦\n".encode())
    response = client.post(IMPORT, {"year": "2027", "file": upload})
    assert response.status_code == 302
    assert is_known(2027)
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_a_bad_file_in_the_back_office_shows_the_rows_and_writes_nothing(client, personas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("2027.csv", "日期,类型,名称\n2026-01-01,放假,元旦\n".encode())
    response = client.post(IMPORT, {"year": "2027", "file": upload})
    assert response.status_code == 200
    assert "第2行 日期: 2026-01-01 不在 2027 年内" in response.content.decode()
    assert not is_known(2027)
