import datetime

from django.utils import timezone

from lianxin.notifications.models import Notification
from lianxin.projects.jobs import projects_flag_missing, projects_remind_reports
from lianxin.projects.services import site_report_file


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def test_lead_deputies_are_reminded_once_in_the_last_days_of_the_month_only_for_sites_not_yet_reported(world):
    assert projects_remind_reports(now=at(datetime.date(2026, 4, 20))) == 0  # too early in the month
    site_report_file(actor=world.users[1], site=world.site_b, month=datetime.date(2026, 4, 1), progress=5, done="x")
    assert projects_remind_reports(now=at(datetime.date(2026, 4, 29))) == 1
    assert projects_remind_reports(now=at(datetime.date(2026, 4, 30))) == 0  # already reminded this month
    reminder = Notification.objects.get(kind="projects.report_due")
    assert reminder.user == world.users[0] and "居仁路" in reminder.body


def test_a_site_not_planned_to_start_yet_is_not_chased(world):
    assert projects_remind_reports(now=at(datetime.date(2026, 2, 27))) == 0


def test_staff_over_the_region_are_told_which_sites_missed_last_months_report(world, personas):
    site_report_file(actor=world.users[0], site=world.site_a, month=datetime.date(2026, 4, 1), progress=5, done="x")
    sent = projects_flag_missing(now=at(datetime.date(2026, 5, 1)))
    flagged = Notification.objects.filter(kind="projects.report_missing")
    recipients = set(flagged.values_list("user__username", flat=True))
    # 城东桥 lies in 乾元镇: county and city staff and 乾元镇's township staff (the outsider to 武康) hear of it.
    assert recipients == {"county_staff", "city_staff", "outsider"} and sent == 3
    assert all("城东桥" in n.body and "居仁路" not in n.body for n in flagged)
    assert projects_flag_missing(now=at(datetime.date(2026, 5, 2))) == 0
