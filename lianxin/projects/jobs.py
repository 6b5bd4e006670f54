"""The worker's jobs for site supervision (registered in lianxin run_worker):

- `projects_remind_reports`: in the last days of a month, each lead deputy whose site has no report for the
  month yet gets one reminder (once a month per deputy).
- `projects_flag_missing`: on the first days of a month, congress staff over each site's region hear which
  sites had no report for the month before (one message per staff member and month).

Both are idempotent: a message already in the outbox for the same month is not written again.
"""

import calendar
import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lianxin.accounts.models import RoleAssignment
from lianxin.accounts.roles import Role
from lianxin.notifications.models import Notification
from lianxin.notifications.services import notification_enqueue
from lianxin.projects.models import Site, SiteReport, SiteStatus

ACTIVE = (SiteStatus.NOT_STARTED, SiteStatus.IN_PROGRESS)
SUPERVISORS = (Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF)


def _channel() -> str:
    return getattr(settings, "NOTIFICATION_STAFF_CHANNEL", "log")


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def sites_missing_report(month: datetime.date) -> list[Site]:
    """Active sites due to report for `month` (planned to start by its end) that have not."""
    reported = SiteReport.objects.filter(month=month.replace(day=1)).values("site_id")
    return list(
        Site.objects.filter(status__in=ACTIVE, planned_start__lte=_month_end(month))
        .exclude(pk__in=reported)
        .select_related("lead_deputy__user", "region", "project")
        .order_by("id")
    )


def _already(kind: str, user: Any, subject: str) -> bool:
    return Notification.objects.filter(kind=kind, user=user, subject=subject).exists()


def projects_remind_reports(*, now: datetime.datetime | None = None) -> int:
    today = timezone.localdate(now or timezone.now())
    days_left = (_month_end(today) - today).days
    if days_left >= getattr(settings, "PROJECTS_REMIND_DAYS", 3):
        return 0
    by_user: dict[Any, list[Site]] = defaultdict(list)
    for site in sites_missing_report(today):
        deputy = site.lead_deputy
        if deputy is not None and deputy.user is not None and deputy.user.is_active:
            by_user[deputy.user].append(site)
    sent = 0
    subject = f"请填报{today:%Y年%m月}民生实事点位月报"
    with transaction.atomic():
        for user, sites in by_user.items():
            if _already("projects.report_due", user, subject):
                continue
            names = "、".join(site.name for site in sites[:5]) + ("等" if len(sites) > 5 else "")
            notification_enqueue(
                kind="projects.report_due", channel=_channel(), recipient=user.phone or user.username, user=user,
                subject=subject, region_path=sites[0].region.path,
                body=f"您领办的{len(sites)}个点位（{names}）本月还没有填报进度，请于月底前在代表工作台填报。",
            )  # fmt: skip
            sent += 1
    return sent


def _prefixes(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def projects_flag_missing(*, now: datetime.datetime | None = None) -> int:
    today = timezone.localdate(now or timezone.now())
    if today.day > getattr(settings, "PROJECTS_FLAG_DAYS", 5):
        return 0
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    missing = sites_missing_report(last_month)
    if not missing:
        return 0
    grants = RoleAssignment.objects.filter(role__in=SUPERVISORS).select_related("user", "region")
    by_user: dict[Any, list[Site]] = defaultdict(list)
    for grant in grants:
        if not grant.user.is_active:
            continue
        for site in missing:
            if grant.region.path in _prefixes(site.region.path):
                by_user[grant.user].append(site)
    subject = f"{last_month:%Y年%m月}民生实事点位月报未报情况"
    sent = 0
    with transaction.atomic():
        for user, sites in by_user.items():
            if _already("projects.report_missing", user, subject):
                continue
            lines = [f"{s.project.title}·{s.name}（领办代表：{s.lead_deputy or '未指定'}）" for s in sites[:20]]
            more = f"\n另有{len(sites) - 20}个点位" if len(sites) > 20 else ""
            notification_enqueue(
                kind="projects.report_missing", channel=_channel(), recipient=user.phone or user.username, user=user,
                subject=subject, region_path=sites[0].region.path,
                body=f"以下{len(sites)}个点位上月未填报进度：\n" + "\n".join(lines) + more,
            )  # fmt: skip
            sent += 1
    return sent
