"""The demo's cases as a whole: finding and clearing them, and the summary figures seed_demo prints."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from lianxin.cases.models import (
    RESOLVED_STATUSES,
    Case,
    CaseEvent,
    Channel,
    Rating,
    ReceptionSession,
    ResponsibleUnit,
)
from lianxin.core.appendonly import append_only_deletes_allowed
from lianxin.demo.seed.case_setting import COUNTY_UNITS
from lianxin.demo.seed.cases import DAYS, IDEMPOTENCY_PREFIX
from lianxin.notifications.models import Notification
from lianxin.workdays.calendar import CHINA, workdays_between


def demo_cases() -> Any:
    return Case.objects.filter(idempotency_key__startswith=IDEMPOTENCY_PREFIX)


def clear_cases() -> None:
    """Remove the demo's cases, their history and sessions, and its units (before the registry is cleared)."""
    cases = demo_cases()
    Notification.objects.filter(case__in=cases).delete()
    # The one place case history may be deleted: the demo's own cases, in the reset's transaction (a case's
    # events are append-only, in the database too; lianxin/core/appendonly.py).
    with append_only_deletes_allowed("seed_demo --force"):
        CaseEvent.objects.filter(case__in=cases).delete()
    cases.exclude(master=None).delete()
    cases.delete()
    ReceptionSession.objects.filter(cases__isnull=True).delete()
    demo_unit_names = [name for name, _ in COUNTY_UNITS]
    ResponsibleUnit.objects.filter(
        Q(name__in=demo_unit_names) | Q(name__endswith="办事处") | Q(name__endswith="人民政府"),
        region__path__startswith="330000000000/330500000000/330521000000/",
        cases__isnull=True,
    ).delete()


@dataclass(frozen=True)
class CaseSummary:
    cases: int
    online: int
    resolved: int
    rated: int
    satisfied: int
    people_received: int
    sessions: int
    units: int
    open: int
    mean_workdays: float
    previous: int = 0  # the year before
    previous_online: int = 0

    def line(self) -> str:
        if not self.cases:
            return "意见建议：0 件"
        before = ""
        if self.previous:
            before = f"；上一年 {self.previous} 件，其中线上 {self.previous_online} 件"
        return (
            f"意见建议：近一年 {self.cases} 件（线上 {self.online} 件，占 {self.online / self.cases:.0%}；"
            f"办结率 {self.resolved / self.cases:.1%}，平均办结 {self.mean_workdays:.1f} 个工作日；"
            f"满意率 {self.satisfied / max(self.rated, 1):.0%}；在办 {self.open} 件；"
            f"接待活动 {self.sessions} 场、接待群众 {self.people_received} 人次；承办单位 {self.units} 个）{before}"
        )


def handling_workdays(case: Case) -> int | None:
    """Working days from registration to the result reaching the person (or to closing, for a suggestion)."""
    done = case.fed_back_at or case.closed_at
    if done is None:
        return None
    return workdays_between(case.registered_at.astimezone(CHINA).date(), done.astimezone(CHINA).date())


def last_year_start(today: datetime.date | None = None) -> datetime.datetime:
    """The start of the demo's last twelve months (the cases before it are the year before)."""
    today = today or timezone.localdate()
    return datetime.datetime.combine(today - datetime.timedelta(days=DAYS), datetime.time(), tzinfo=CHINA)


def case_summary() -> CaseSummary:
    """The last twelve months' figures, and the year before's count."""
    from django.db.models import Sum

    start = last_year_start()
    cases = Case.objects.filter(registered_at__gte=start)
    before = Case.objects.filter(registered_at__lt=start)
    sessions = ReceptionSession.objects.filter(started_at__gte=start)
    rows = list(cases.values_list("status", "channel", "rating", "registered_at", "fed_back_at", "closed_at"))
    days = []
    for status, _, _, registered, fed_back, closed in rows:
        done = fed_back or closed
        if status in RESOLVED_STATUSES and done is not None:
            days.append(workdays_between(registered.astimezone(CHINA).date(), done.astimezone(CHINA).date()))
    rated = [r[2] for r in rows if r[2]]
    return CaseSummary(
        cases=len(rows),
        online=sum(1 for r in rows if r[1] == Channel.ONLINE),
        resolved=sum(1 for r in rows if r[0] in RESOLVED_STATUSES),
        rated=len(rated),
        satisfied=sum(1 for r in rated if r in (Rating.SATISFIED, Rating.BASICALLY)),
        people_received=sessions.aggregate(n=Sum("people_received"))["n"] or 0,
        sessions=sessions.count(),
        units=ResponsibleUnit.objects.count(),
        open=sum(1 for r in rows if r[0] not in RESOLVED_STATUSES),
        mean_workdays=sum(days) / len(days) if days else 0.0,
        previous=before.count(),
        previous_online=before.filter(channel=Channel.ONLINE).count(),
    )
