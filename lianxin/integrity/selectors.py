"""Reads of the integrity records. Lists start from the user's manage_integrity scope and show no subject or text;
a clue itself is read through `clue_get_for_staff` or `clue_get_for_reporter`, which audit the read — and audit the
attempt, answering NotFound, when the user may not read it (the same answer as a clue that does not exist)."""

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q, QuerySet

from lianxin.accounts.roles import Perm
from lianxin.core.errors import NotFound
from lianxin.core.scoping import region_scope_q
from lianxin.integrity.audit import READ, audit_clue, audit_denied
from lianxin.integrity.models import Clue, ClueStatus, MonitoringPoint
from lianxin.integrity.permissions import can_handle_clue, is_reporter
from lianxin.regions.models import Region

CLUE_NOT_FOUND = "未找到该线索，或您无权查看"


def regions_managed_by(user: Any) -> QuerySet[Region]:
    return Region.objects.filter(region_scope_q(user, "path", Perm.MANAGE_INTEGRITY)).order_by("path")


def points_managed_by(user: Any) -> QuerySet[MonitoringPoint]:
    return (
        MonitoringPoint.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_INTEGRITY))
        .select_related("region", "region__parent", "place")
        .annotate(n_clues=Count("clues", distinct=True))
    )


def point_get_managed(*, user: Any, pk: Any) -> MonitoringPoint:
    point = points_managed_by(user).filter(pk=_int(pk)).first()
    if point is None:
        raise NotFound("未找到该监测点，或不在您的管辖范围内")
    return point


def points_of_member(user: Any) -> QuerySet[MonitoringPoint]:
    """The active points where the user reports: as its staff or as one of its deputies."""
    if user is None or not user.is_authenticated or not user.is_active:
        return MonitoringPoint.objects.none()
    return (
        MonitoringPoint.objects.filter(Q(staff=user) | Q(deputies__user=user), is_active=True)
        .select_related("region")
        .distinct()
    )


def clues_managed_by(user: Any) -> QuerySet[Clue]:
    """The clues of the user's manage_integrity scope. The list pages show numbers, points, statuses and dates."""
    return Clue.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_INTEGRITY)).select_related(
        "point", "region"
    )


def clue_list(*, user: Any, status: str = "", point_id: Any = None, year: int | None = None) -> QuerySet[Clue]:
    clues = clues_managed_by(user)
    if status in ClueStatus.values:
        clues = clues.filter(status=status)
    if point_id:
        clues = clues.filter(point_id=_int(point_id))
    if year:
        clues = clues.filter(created_at__year=year)
    return clues


def clue_get_for_staff(*, user: Any, pk: Any, where: str = "线索详情") -> Clue:
    """The clue for integrity staff of its region, the read audited; anyone else: NotFound, the attempt audited."""
    clue = Clue.objects.select_related("point", "region", "reporter", "reporter_deputy").filter(pk=_int(pk)).first()
    if clue is None or not can_handle_clue(user, clue):
        audit_denied(actor=user, clue_id=pk, where=where)
        raise NotFound(CLUE_NOT_FOUND)
    audit_clue(actor=user, action=READ, clue=clue, note=where)
    return clue


def clue_list_reported_by(user: Any) -> QuerySet[Clue]:
    """The reporter's own clues: number, point, status and dates (what the reporter's pages show)."""
    if user is None or not user.is_authenticated:
        return Clue.objects.none()
    return Clue.objects.filter(reporter=user).select_related("point")


def clue_get_for_reporter(*, user: Any, pk: Any) -> Clue:
    """The reporter's own clue (its status), the read audited; anyone else's: NotFound, the attempt audited."""
    clue = Clue.objects.select_related("point").filter(pk=_int(pk)).first()
    if clue is None or not is_reporter(user, clue):
        audit_denied(actor=user, clue_id=pk, where="报告人查看")
        raise NotFound(CLUE_NOT_FOUND)
    audit_clue(actor=user, action=READ, clue=clue, note="报告人查看")
    return clue


def clue_export_rows(*, user: Any, clues: QuerySet[Clue]) -> Iterator[dict[str, Any]]:
    """The rows of the clues export, each clue's read audited (the queryset comes from `clue_list`)."""
    for clue in clues.select_related("point", "region", "reporter_deputy", "reporter").prefetch_related("checks"):
        audit_clue(actor=user, action=READ, clue=clue, note="导出线索台账")
        checks = "；".join(f"{c.check_date:%Y-%m-%d} {c.result}" for c in clue.checks.all())
        yield {
            "number": clue.number,
            "point": clue.point.name,
            "region": clue.region.name,
            "reported_at": clue.created_at.date(),
            "reporter": reporter_name(clue),
            "subject": clue.subject,
            "text": clue.text,
            "status": ClueStatus(clue.status).label,
            "register_ref": clue.register_ref,
            "checks": checks,
            "receipt_number": clue.receipt_number,
            "transferred_on": clue.transferred_on,
            "feedback": clue.feedback,
            "closed_reason": clue.closed_reason,
        }


def reporter_name(clue: Clue) -> str:
    if clue.reporter_deputy is not None:
        return f"{clue.reporter_deputy.name}（代表）"
    if clue.reporter is not None:
        return clue.reporter.display_name or clue.reporter.username
    return ""


def counts_by_status(clues: QuerySet[Clue]) -> dict[str, int]:
    rows = clues.order_by().values("status").annotate(n=Count("id"))
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in ClueStatus.values}


def years_of(clues: QuerySet[Clue], today: datetime.date) -> list[int]:
    years = {d.year for d in clues.order_by().dates("created_at", "year")} | {today.year}
    return sorted(years, reverse=True)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
