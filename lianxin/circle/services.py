"""Writes of the service circle: save an analysis as a plan, create a plan's proposed places (as registry places,
not yet active: staff add the address, hours and phone, then switch them on). Each writes an audit row."""

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.circle.models import CirclePlan, ProposedSite
from lianxin.core.audit import audit_record, model_changes
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.regions.models import Region
from lianxin.venues.models import Place, PlaceKind

if TYPE_CHECKING:
    from lianxin.circle.analysis import Analysis

CIRCLE_PERM = Perm.MANAGE_REGISTRY  # places and grids are registry data


def may_plan(actor: Any, region: Region) -> bool:
    """actor None is the system (the command, the demo seed)."""
    return actor is None or actor.has_perm_in(CIRCLE_PERM, region.path)


def require_plan(actor: Any, region: Region) -> None:
    if not may_plan(actor, region):
        raise PermissionDenied("您没有在该区划规划代表服务圈的权限")


def plan_figures(analysis: "Analysis") -> dict[str, Any]:
    """What the map and the tables of a saved plan read: people and covered people per grid and per place."""
    thresholds = list(analysis.thresholds)
    return {
        "thresholds": thresholds,
        "covered": {str(t): round(analysis.covered[t]) for t in thresholds},
        "grids": {
            str(row.grid.pk): [round(row.population), *(round(row.covered[t]) for t in thresholds)]
            for row in analysis.grids
        },
        "places": {str(row.place.pk): [round(row.served[t]) for t in thresholds] for row in analysis.places},
        "demand_points": analysis.demand_points,
        "candidates": analysis.candidates,
        "groups": analysis.groups,
        "greedy_seconds": round(analysis.greedy.seconds, 2) if analysis.greedy else None,
        "ilp_seconds": round(analysis.ilp.seconds, 2) if analysis.ilp else None,
        "ilp_bound": round(analysis.ilp.bound) if analysis.ilp and analysis.ilp.bound is not None else None,
        "greedy_sites": [[s.lat, s.lng, round(s.gain)] for s in analysis.greedy.sites] if analysis.greedy else [],
    }


@transaction.atomic
def plan_save(*, actor: Any, analysis: "Analysis") -> CirclePlan:
    require_plan(actor, analysis.region)
    chosen = analysis.chosen
    plan = CirclePlan.objects.create(
        region=analysis.region,
        minutes=analysis.minutes,
        travel=analysis.travel,
        detour=analysis.model.detour,
        speed_kmh=analysis.model.speed_kmh,
        osm_name=analysis.osm_name[:200],
        demand_source=analysis.demand_source[:200],
        population=round(analysis.population),
        covered=round(analysis.covered[analysis.minutes]),
        greedy_gain=round(analysis.greedy.gain) if analysis.greedy else 0,
        ilp_gain=round(analysis.ilp.gain) if analysis.ilp else 0,
        ilp_gap=analysis.ilp.gap if analysis.ilp else None,
        ilp_status=(analysis.ilp.status if analysis.ilp else "")[:60],
        method=chosen.method if chosen else "",
        figures=plan_figures(analysis),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if chosen is not None:
        ProposedSite.objects.bulk_create(
            ProposedSite(
                plan=plan,
                rank=site.rank,
                lat=site.lat,
                lng=site.lng,
                gain=round(site.gain),
                origin=site.origin,
                grid=site.grid,
            )
            for site in chosen.sites
        )
    audit_record(
        actor=actor,
        action="circle_plan.create",
        obj=plan,
        region_path=plan.region.path,
        changes={
            "minutes": plan.minutes,
            "travel": plan.travel,
            "population": plan.population,
            "covered": plan.covered,
            "sites": len(chosen.sites) if chosen else 0,
            "greedy_gain": plan.greedy_gain,
            "ilp_gain": plan.ilp_gain,
        },
    )
    return plan


def _site_region(site: ProposedSite, fallback: Region) -> Region:
    """The village or community of the site's grid; the plan's region when the site lies in no grid."""
    if site.grid is not None and site.grid.region.path.startswith(fallback.path):
        return site.grid.region
    return fallback


@transaction.atomic
def plan_create_places(*, actor: Any, plan_id: int) -> list[Place]:
    """One inactive 代表联络站 per proposed site (in its grid and village), each audited like a registry place."""
    plan = CirclePlan.objects.select_for_update().select_related("region").filter(pk=plan_id).first()
    if plan is None or not may_plan(actor, plan.region):
        raise PermissionDenied("方案不存在或不在您的管辖范围内")
    if plan.places_created_at is not None:
        raise DomainError("already_created", "该方案的拟新设点位已经建为家站室")
    sites = list(plan.sites.select_related("grid__region").order_by("rank"))
    if not sites:
        raise DomainError("no_sites", "该方案没有拟新设点位")
    created: list[Place] = []
    stamp = timezone.localtime().strftime("%Y%m%d")
    for site in sites:
        region = _site_region(site, plan.region)
        place = Place(
            kind=PlaceKind.STATION,
            name=f"{region.name}代表联络站（服务圈规划{stamp}-{plan.pk}-{site.rank}）"[:100],
            region=region,
            grid=site.grid,
            lat=site.lat,
            lng=site.lng,
            is_active=False,
        )
        place.save()
        fields = ["kind", "name", "region_id", "grid_id", "lat", "lng", "is_active"]
        audit_record(
            actor=actor,
            action="place.create",
            obj=place,
            region_path=region.path,
            changes=model_changes(place, {}, fields),
            note=f"代表服务圈方案{plan.pk}拟新设点位{site.rank}",
        )
        site.place = place
        created.append(place)
    ProposedSite.objects.bulk_update(sites, ["place"])
    plan.places_created_at = timezone.now()
    plan.save(update_fields=["places_created_at"])
    audit_record(
        actor=actor,
        action="circle_plan.create_places",
        obj=plan,
        region_path=plan.region.path,
        changes={"places": [p.pk for p in created]},
    )
    return created
