"""Periodic summaries (阳泉's cadence): micro-grids report daily, liaison points weekly, homes and stations monthly.

Each job summarises the last complete period before `now` (Beijing time) in a few lines of Chinese and sends it
to the people of the grid or place. A `SummaryRun` row with a unique (kind, period, grid/place) key is written in
the same transaction as the notifications, so running a job again — a restart, cron beside the loop, two
workers — sends nothing twice.
"""

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Role
from lianxin.cases.models import OPEN_STATUSES, RESOLVED_STATUSES, Case, ReceptionSession
from lianxin.deputies.models import DutyShift, GridAssignment, GridWorker
from lianxin.notifications.models import Notification, SummaryKind, SummaryRun
from lianxin.notifications.services import notification_enqueue
from lianxin.regions.models import Grid
from lianxin.venues.models import Place, PlaceKind
from lianxin.workdays.calendar import CHINA, unknown_year_message, unknown_years_to_warn

logger = logging.getLogger("lianxin.worker")


@dataclass(frozen=True)
class Period:
    start: datetime.date  # first day
    end: datetime.date  # the day after the last

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tzinfo=CHINA),
            datetime.datetime.combine(self.end, datetime.time.min, tzinfo=CHINA),
        )

    def label(self) -> str:
        last = self.end - datetime.timedelta(days=1)
        return f"{self.start:%Y-%m-%d}" if last == self.start else f"{self.start:%m月%d日}至{last:%m月%d日}"


def _today(now: datetime.datetime | None) -> datetime.date:
    return timezone.localtime(now or timezone.now(), CHINA).date()


def previous_day(now: datetime.datetime | None = None) -> Period:
    today = _today(now)
    return Period(today - datetime.timedelta(days=1), today)


def previous_week(now: datetime.datetime | None = None) -> Period:
    monday = _today(now) - datetime.timedelta(days=_today(now).weekday())
    return Period(monday - datetime.timedelta(days=7), monday)


def previous_month(now: datetime.datetime | None = None) -> Period:
    first = _today(now).replace(day=1)
    return Period((first - datetime.timedelta(days=1)).replace(day=1), first)


def _send_once(
    *, kind: str, period: Period, scope_key: str, region_path: str, subject: str, body: str, recipients: list[User]
) -> bool:
    """Record the run and queue its notifications in one transaction; False when this run was already made."""
    if SummaryRun.objects.filter(kind=kind, period_start=period.start, scope_key=scope_key).exists():
        return False
    try:
        with transaction.atomic():
            SummaryRun.objects.create(
                kind=kind,
                period_start=period.start,
                scope_key=scope_key,
                region_path=region_path,
                recipients=len(recipients),
                body=body,
            )
            for user in recipients:
                notification_enqueue(
                    kind=f"summary.{kind}",
                    channel=settings.NOTIFICATION_STAFF_CHANNEL,
                    recipient=user.phone or user.username,
                    user=user,
                    subject=subject,
                    body=body,
                    region_path=region_path,
                )
    except IntegrityError:
        return False  # another worker made this run between our check and our insert
    return True


def _active(users: Iterable[User | None]) -> list[User]:
    return list({u.pk: u for u in users if u is not None and u.is_active}.values())


# --- micro-grid, daily ---------------------------------------------------------------------------------------


def summaries_grid_daily(*, now: datetime.datetime | None = None) -> int:
    """Yesterday's new cases in each grid that had any, to its grid workers and embedded deputies."""
    period = previous_day(now)
    start, end = period.bounds
    grid_ids = (
        Case.objects.filter(registered_at__gte=start, registered_at__lt=end, grid__isnull=False)
        .values_list("grid_id", flat=True)
        .distinct()
    )
    sent = 0
    for grid in Grid.objects.filter(pk__in=list(grid_ids)).select_related("region").order_by("pk"):
        new = Case.objects.filter(grid=grid, registered_at__gte=start, registered_at__lt=end)
        categories = Counter(name or "未分类" for name in new.values_list("category__name", flat=True))
        open_cases = Case.objects.filter(grid=grid, status__in=OPEN_STATUSES)
        counts = open_cases.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True)))
        breakdown = "、".join(f"{name} {n}" for name, n in categories.most_common())
        body = (
            f"{grid.name} {period.label()}：新登记意见建议 {sum(categories.values())} 件（{breakdown}）；"
            f"本网格在办 {counts['total']} 件，其中超期 {counts['overdue']} 件。"
        )
        workers = GridWorker.objects.filter(grid=grid, is_active=True).select_related("user")
        deputies = GridAssignment.objects.filter(grid=grid).select_related("deputy__user")
        recipients = _active([*(w.user for w in workers), *(a.deputy.user for a in deputies)])
        sent += _send_once(
            kind=SummaryKind.GRID_DAILY,
            period=period,
            scope_key=f"grid:{grid.pk}",
            region_path=grid.region.path,
            subject=f"网格日报 {grid.name}",
            body=body,
            recipients=recipients,
        )
    return sent


# --- places, weekly (liaison points) and monthly (homes and stations) -----------------------------------------


def summaries_place_weekly(*, now: datetime.datetime | None = None) -> int:
    """Last week at each liaison room or point (联络室/联络点)."""
    return _places_summary(
        kind=SummaryKind.PLACE_WEEKLY, period=previous_week(now), kinds=[PlaceKind.ROOM], title="周报"
    )


def summaries_station_monthly(*, now: datetime.datetime | None = None) -> int:
    """Last month at each home (with the stations and rooms around it) and each station."""
    return _places_summary(
        kind=SummaryKind.STATION_MONTHLY,
        period=previous_month(now),
        kinds=[PlaceKind.HOME, PlaceKind.STATION],
        title="月报",
    )


def _places_summary(*, kind: str, period: Period, kinds: list[str], title: str) -> int:
    sent = 0
    for place in Place.objects.filter(kind__in=kinds, is_active=True).select_related("region").order_by("pk"):
        recipients = _place_people(place, period)
        sent += _send_once(
            kind=kind,
            period=period,
            scope_key=f"place:{place.pk}",
            region_path=place.region.path,
            subject=f"{place.name} {title}",
            body=_place_text(place, period),
            recipients=recipients,
        )
    return sent


def _place_text(place: Place, period: Period) -> str:
    start, end = period.bounds
    # 一心多极: a home reports for itself and the stations and rooms that radiate from it.
    here = Q(place=place) | Q(place__hub=place) if place.kind == PlaceKind.HOME else Q(place=place)
    cases = Case.objects.filter(here)
    new = cases.filter(registered_at__gte=start, registered_at__lt=end).count()
    resolved = cases.filter(status__in=RESOLVED_STATUSES, fed_back_at__gte=start, fed_back_at__lt=end).count()
    open_counts = cases.filter(status__in=OPEN_STATUSES).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True))
    )
    receptions = ReceptionSession.objects.filter(here, started_at__gte=start, started_at__lt=end).aggregate(
        sessions=Count("pk"), people=Sum("people_received")
    )
    return (
        f"{place.name} {period.label()}：接待 {receptions['sessions']} 场、{receptions['people'] or 0} 人次；"
        f"新登记意见建议 {new} 件，办结 {resolved} 件；目前在办 {open_counts['total']} 件，"
        f"其中超期 {open_counts['overdue']} 件。"
    )


def _place_people(place: Place, period: Period) -> list[User]:
    """The place's liaison staff and the deputies on its duty roster in the period."""
    staff = RoleAssignment.objects.filter(role=Role.PLACE_STAFF, region=place.region).select_related("user")
    shifts = DutyShift.objects.filter(
        place=place, date__gte=period.start, date__lt=period.end, deputy__user__isnull=False
    ).select_related("deputy__user")
    return _active([*(a.user for a in staff), *(s.deputy.user for s in shifts)])


# --- the official calendar, weekly while a year is missing ---------------------------------------------------

CALENDAR_NOTICE_ROLES = (Role.ADMIN, Role.CITY_STAFF, Role.COUNTY_STAFF)


def summaries_calendar_missing(*, now: datetime.datetime | None = None) -> int:
    """While this year's or (from October) next year's official calendar is not imported, tell the county and
    city staff and the administrators once a week: deadlines into that year count only weekends and the holidays
    fixed by date. Returns how many people were told."""
    now = now or timezone.now()
    years = unknown_years_to_warn(_today(now))
    if not years:
        return 0
    body = "；".join(unknown_year_message(year) for year in years) + (
        "。国务院办公厅发布放假通知后，请系统管理员在后台“工作日历 › 年度安排”导入；导入后在办意见的时限自动重算。"
    )
    holders = RoleAssignment.objects.filter(role__in=CALENDAR_NOTICE_ROLES).select_related("user")
    told = 0
    for user in _active(a.user for a in holders):
        recently = Notification.objects.filter(
            kind="calendar.missing_year", user=user, created_at__gte=now - datetime.timedelta(days=6)
        )
        if recently.exists():
            continue
        notification_enqueue(
            kind="calendar.missing_year",
            channel=settings.NOTIFICATION_STAFF_CHANNEL,
            recipient=user.phone or user.username,
            user=user,
            subject="工作日历提醒",
            body=body,
        )
        told += 1
    return told
