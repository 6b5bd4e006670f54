"""Reads for livelihood projects: scoped lists for staff, the roll-up (site → project → year) and the public
year page (only public fields: no phone numbers, proposers' names masked)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from lianxin.core.errors import NotFound
from lianxin.projects.models import COLOUR, Project, Proposal, Site, SiteReport, SiteStatus, Vote
from lianxin.regions.selectors import region_get_for_filter


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


# --- the API's reads (lianxin.api.projects, lianxin.api.votes): every one starts from visible_to(user) -----------


def _reports_prefetch() -> Prefetch:
    return Prefetch("reports", queryset=SiteReport.objects.prefetch_related("photos").order_by("-month", "-id"))


def project_query_visible_to(
    *, user: Any, year: int | None = None, region: str | None = None, status: str | None = None
) -> QuerySet[Project]:
    """The projects in the user's scope; `status` keeps those with at least one site in that status."""
    qs = Project.objects.visible_to(user).select_related("region", "unit")
    if year is not None:
        qs = qs.filter(year=year)
    if region:
        qs = qs.filter(region__path__startswith=region_get_for_filter(user=user, code=region).path)
    if status:
        qs = qs.filter(pk__in=Site.objects.filter(status=status).values("project_id"))
    return qs.annotate(site_count=Count("sites")).order_by("-year", "region__path", "number", "id")


def project_get_visible_to(*, user: Any, project_id: int) -> Project:
    """One project with its sites and their monthly reports; NotFound outside the scope."""
    sites = (
        Site.objects.select_related("region", "lead_deputy", "unit", "project")
        .prefetch_related(_reports_prefetch())
        .order_by("region__path", "id")
    )
    project = (
        Project.objects.visible_to(user)
        .select_related("region", "unit")
        .prefetch_related(Prefetch("sites", queryset=sites))
        .annotate(site_count=Count("sites"))
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise NotFound()
    return project


def site_query_visible_to(
    *,
    user: Any,
    year: int | None = None,
    project: int | None = None,
    region: str | None = None,
    status: str | None = None,
) -> QuerySet[Site]:
    qs = Site.objects.visible_to(user).select_related("project", "region", "lead_deputy", "unit")
    if year is not None:
        qs = qs.filter(project__year=year)
    if project is not None:
        qs = qs.filter(project_id=project)
    if region:
        qs = qs.filter(region__path__startswith=region_get_for_filter(user=user, code=region).path)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-project__year", "project__number", "region__path", "id")


def site_get_visible_to(*, user: Any, site_id: int) -> Site:
    site = (
        Site.objects.visible_to(user)
        .select_related("project", "region", "lead_deputy", "unit")
        .prefetch_related(_reports_prefetch())
        .filter(pk=site_id)
        .first()
    )
    if site is None:
        raise NotFound()
    return site


def vote_query_visible_to(
    *, user: Any, year: int | None = None, region: str | None = None, status: str | None = None
) -> QuerySet[Vote]:
    """Votes in the user's scope with their candidates (number and title; the ballots are never read here)."""
    qs = Vote.objects.visible_to(user).select_related("region").prefetch_related("candidates")
    if year is not None:
        qs = qs.filter(year=year)
    if region:
        qs = qs.filter(region__path__startswith=region_get_for_filter(user=user, code=region).path)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-held_on", "-id")


def vote_get_visible_to(*, user: Any, vote_id: int) -> Vote:
    vote = vote_query_visible_to(user=user).filter(pk=vote_id).first()
    if vote is None:
        raise NotFound()
    return vote
