"""Reads for livelihood projects: scoped lists for staff, the roll-up (site → project → year) and the public
year page (only public fields: no phone numbers, proposers' names masked)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from lianxin.projects.models import COLOUR, Project, Proposal, Site, SiteReport, SiteStatus, Vote


def proposal_list_visible_to(*, user: Any) -> QuerySet[Proposal]:
    return Proposal.objects.visible_to(user).select_related("region", "unit")


def vote_list_visible_to(*, user: Any) -> QuerySet[Vote]:
    return Vote.objects.visible_to(user).select_related("region")


def project_list_visible_to(*, user: Any, year: int) -> QuerySet[Project]:
    return Project.objects.visible_to(user).filter(year=year).select_related("region", "unit")


def site_list_visible_to(*, user: Any) -> QuerySet[Site]:
    return Site.objects.visible_to(user).select_related("project", "region", "lead_deputy", "unit")


def sites_led_by(*, user: Any) -> QuerySet[Site]:
    """The sites whose lead deputy is this user (the workbench's list)."""
    if user is None or not user.is_authenticated:
        return Site.objects.none()
    return (
        Site.objects.filter(lead_deputy__user=user)
        .select_related("project", "region")
        .order_by("project__year", "project__number", "id")
    )


def site_progress(site: Site) -> int:
    """A closed site is done; otherwise the last reported progress."""
    return 100 if site.status == SiteStatus.CLOSED else site.progress


def weighted_progress(sites: Iterable[Site]) -> float:
    """Progress weighted by planned cost. A site with no cost counts as the average of the known costs (or all
    count equally when none is known), so that one unknown cost neither vanishes nor dominates."""
    rows = [(site.planned_cost, site_progress(site)) for site in sites]
    if not rows:
        return 0.0
    known = [cost for cost, _ in rows if cost is not None and cost > 0]
    fill = (sum(known, Decimal(0)) / len(known)) if known else Decimal(1)
    weights = [(cost if cost is not None and cost > 0 else fill) for cost, _ in rows]
    total = sum(weights, Decimal(0))
    return float(sum((w * p for w, (_, p) in zip(weights, rows, strict=True)), Decimal(0)) / total)


@dataclass
class Rollup:
    progress: float
    sites: int
    red: int
    yellow: int
    blue: int
    late: int
    planned_cost: Decimal | None


def rollup(sites: list[Site], *, today: datetime.date) -> Rollup:
    colours = [COLOUR[SiteStatus(s.status)] for s in sites]
    costs = [s.planned_cost for s in sites if s.planned_cost is not None]
    return Rollup(
        progress=round(weighted_progress(sites), 1),
        sites=len(sites),
        red=colours.count("red"),
        yellow=colours.count("yellow"),
        blue=colours.count("blue"),
        late=sum(1 for s in sites if site_is_late(s, today=today)),
        planned_cost=sum(costs, Decimal(0)) if costs else None,
    )


def site_is_late(site: Site, *, today: datetime.date) -> bool:
    """Behind the plan: not started after the planned start, or not closed after the planned end."""
    if site.status == SiteStatus.CLOSED:
        return False
    if site.planned_end < today:
        return True
    return site.status == SiteStatus.NOT_STARTED and site.planned_start < today


def site_lateness(site: Site, *, today: datetime.date) -> str:
    if site.status == SiteStatus.CLOSED:
        return ""
    if site.planned_end < today:
        return "已过计划完工日期"
    if site.status == SiteStatus.NOT_STARTED and site.planned_start < today:
        return "已过计划开工日期仍未开工"
    return ""


@dataclass
class YearView:
    year: int
    projects: list[tuple[Project, Rollup]]
    total: Rollup
    sites: list[Site]


def latest_year() -> int | None:
    return Project.objects.order_by("-year").values_list("year", flat=True).first()


def public_year(*, year: int, today: datetime.date) -> YearView:
    """Every site of the year's projects (public data), with the roll-ups."""
    projects = list(Project.objects.filter(year=year).select_related("region", "unit").order_by("region", "number"))
    sites = list(
        Site.objects.filter(project__year=year)
        .select_related("project", "region", "region__parent", "lead_deputy", "unit")
        .order_by("project__number", "region__path", "id")
    )
    by_project: dict[int, list[Site]] = {}
    for site in sites:
        by_project.setdefault(site.project_id, []).append(site)
    return YearView(
        year=year,
        projects=[(p, rollup(by_project.get(p.pk, []), today=today)) for p in projects],
        total=rollup(sites, today=today),
        sites=sites,
    )


def public_site(*, site_id: int) -> Site | None:
    return (
        Site.objects.filter(pk=site_id)
        .select_related("project", "region", "region__parent", "lead_deputy", "unit")
        .first()
    )


def public_reports(site: Site) -> list[SiteReport]:
    return list(site.reports.prefetch_related("photos").order_by("-month"))


def site_town(site: Site) -> Any:
    """The town (乡镇/街道) a site lies in: its region or that region's parent."""
    from lianxin.regions.models import RegionLevel

    region = site.region
    if region.level == RegionLevel.VILLAGE and region.parent is not None:
        return region.parent
    return region
