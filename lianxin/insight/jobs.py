"""The worker's reports: on the first working day of each month (the official calendar, lianxin.workdays) the
previous month's report of every county and township that received cases in it, and on the first working day of a
quarter and of a year the previous quarter's and year's; each delivered to the staff of its region through the
outbox with a link to the office's reports page. Registered in `lianxin run_worker` by `report_jobs()`.

Once: a report is claimed by inserting its `Report` row (unique per region, kind and period start) in the same
transaction as its notifications, so a second round, a restart or a second worker makes and sends nothing again.
A worker that was down on the first working day catches up on a later day of the month (only what is missing).
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Role
from lianxin.cases.models import Case
from lianxin.insight.models import PeriodKind, Report
from lianxin.insight.reports import Period, RegionReport, percent, period_of, report_generate_once
from lianxin.notifications.services import notification_enqueue
from lianxin.notifications.worker import At, Job
from lianxin.regions.models import Region, RegionLevel
from lianxin.workdays.calendar import CHINA, add_workdays

REPORT_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
# The staff a region's report goes to: those granted a staff role over the region itself (a county's staff get the
# county's report, not each of its townships').
STAFF_ROLES = (Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF)


def periods_due(today: datetime.date) -> list[Period]:
    """The periods whose reports are due from today: none before the month's first working day; from it on, the
    previous month, and the previous quarter in January, April, July and October, and the previous year in January."""
    first_of_month = today.replace(day=1)
    if today < add_workdays(first_of_month, 0):
        return []
    last_day = first_of_month - datetime.timedelta(days=1)
    periods = [period_of(PeriodKind.MONTH, last_day)]
    if today.month in (1, 4, 7, 10):
        periods.append(period_of(PeriodKind.QUARTER, last_day))
    if today.month == 1:
        periods.append(period_of(PeriodKind.YEAR, last_day))
    return periods


def regions_with_cases(period: Period) -> list[Region]:
    """The counties and townships with at least one case registered in the period (cases sit in villages, townships
    or counties; their paths name every region above)."""
    low = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=CHINA)
    high = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CHINA)
    paths = (
        Case.objects.filter(registered_at__gte=low, registered_at__lt=high)
        .order_by()
        .values_list("region__path", flat=True)
        .distinct()
    )
    codes = {code for path in paths for code in path.split("/") if code}
    return list(Region.objects.filter(code__in=codes, level__in=REPORT_LEVELS).order_by("path"))


def _staff(region: Region) -> list[User]:
    grants = RoleAssignment.objects.filter(region=region, role__in=STAFF_ROLES, user__is_active=True)
    return list({g.user_id: g.user for g in grants.select_related("user").order_by("user_id")}.values())


def _notify(row: Report, report: RegionReport) -> None:
    link = f"{settings.SITE_URL}{reverse('office:reports')}"
    t = report.totals
    body = (
        f"{report.title}已生成：收到{t.received}件，办结{t.resolved}件，办结率{percent(t.resolution_rate)}，"
        f"超期{t.overdue}件，满意率{percent(t.satisfaction_rate)}。PDF 与 Excel 请在工作台下载：{link}"
    )
    for user in _staff(row.region):
        notification_enqueue(
            kind="insight.report_ready",
            channel=settings.NOTIFICATION_STAFF_CHANNEL,
            recipient=user.phone or user.username,
            user=user,
            region_path=row.region.path,
            subject=f"{report.title}已生成",
            body=body,
        )


def reports_make_due(*, now: datetime.datetime | None = None) -> int:
    """Make the reports due today that do not exist yet and tell the regions' staff. Returns how many were made."""
    today = timezone.localtime(now or timezone.now(), CHINA).date()
    made = 0
    for period in periods_due(today):
        done = set(
            Report.objects.filter(kind=period.kind, period_start=period.start).values_list("region_id", flat=True)
        )
        for region in regions_with_cases(period):
            if region.pk in done:
                continue
            if report_generate_once(region=region, period=period, on_created=_notify) is not None:
                made += 1
    return made


def report_jobs() -> list[Job]:
    at = datetime.time.fromisoformat(settings.WORKER_SUMMARY_TIME)
    # Daily: the job itself knows the first working day and acts once per report.
    return [Job("insight_reports", At(at), reports_make_due)]
