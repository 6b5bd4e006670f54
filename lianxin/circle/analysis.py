"""A region's service circle: who lives within 5/10/15/20 minutes' walk of a place, per grid and per place, and
where k new places would cover the most people left out. Reads only; saving a plan is services.plan_save.

Demand: a grid with imported household points (HouseholdPoint) counts those, each weighted by its members; any
other grid spreads its population evenly over its polygon on a square lattice clipped by the polygon
(deterministic: the same grid always gives the same points), or puts it at its centre when it has no polygon.
Supply: the region's active places with coordinates (places without them are listed, not counted).
Candidates for new places: the grids' centres and a regular lattice over the uncovered people.
"""

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, shape

from lianxin.circle import engine, siting
from lianxin.circle.engine import THRESHOLDS, Demand, Floats, LocalPlane, TravelModel
from lianxin.circle.models import HouseholdPoint, TravelKind
from lianxin.circle.network import RoadNetwork, network_access, network_cover, read_osm, straight_cover
from lianxin.core.errors import DomainError
from lianxin.regions.models import Grid, Region
from lianxin.venues.models import Place

POINTS_PER_GRID = 100  # lattice points aimed at per grid polygon
MIN_SPACING_M = 40.0
MAX_SPACING_M = 300.0
MAX_PROPOSE = 50


@dataclass
class GridRow:
    grid: Grid
    population: float
    covered: dict[int, float]  # by threshold

    def uncovered(self, minutes: int) -> float:
        return max(0.0, self.population - self.covered.get(minutes, 0.0))

    def share(self, minutes: int) -> float:
        return self.covered.get(minutes, 0.0) / self.population if self.population else 1.0


@dataclass
class PlaceRow:
    place: Place
    served: dict[int, float]  # people for whom it is the nearest place, within each threshold


@dataclass
class Site:
    rank: int
    lat: float
    lng: float
    gain: float
    origin: str
    grid: Grid | None


@dataclass
class Proposal:
    method: str
    sites: list[Site]
    gain: float
    seconds: float
    gap: float | None = None
    bound: float | None = None
    status: str = ""


@dataclass
class Analysis:
    region: Region
    minutes: int
    travel: str
    model: TravelModel
    osm_name: str
    demand_source: str
    demand_points: int
    thresholds: tuple[int, ...]
    population: float
    covered: dict[int, float]
    grids: list[GridRow]
    places: list[PlaceRow]
    places_without_location: list[Place]
    grids_without_location: list[Grid]
    candidates: int = 0
    groups: int = 0
    greedy: Proposal | None = None
    ilp: Proposal | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def travel_label(self) -> str:
        if self.travel == TravelKind.NETWORK:
            return f"路网步行最短路径（{self.osm_name}，步速{self.model.speed_kmh:g}公里/小时）"
        return f"直线距离×绕行系数{self.model.detour:g}，步速{self.model.speed_kmh:g}公里/小时（未提供路网）"

    def share(self, minutes: int) -> float:
        return self.covered.get(minutes, 0.0) / self.population if self.population else 0.0

    @property
    def uncovered_grids(self) -> list[GridRow]:
        rows = [row for row in self.grids if row.uncovered(self.minutes) >= 0.5]
        return sorted(rows, key=lambda row: (-row.uncovered(self.minutes), row.grid.code))

    @property
    def chosen(self) -> Proposal | None:
        """The proposal to save: the exact one unless it found less than the greedy one (a time limit)."""
        if self.ilp is not None and self.greedy is not None:
            return self.ilp if self.ilp.gain >= self.greedy.gain - 1e-6 and self.ilp.sites else self.greedy
        return self.ilp or self.greedy


def _to_plane(geometry: Any, plane: LocalPlane) -> Any:
    return shapely.transform(geometry, lambda coords: plane.xy(coords[:, 1], coords[:, 0]))


def grid_lattice(polygon: Polygon, *, points: int = POINTS_PER_GRID) -> Floats:
    """About `points` points of a square lattice inside `polygon` (plane coordinates); its representative point
    when the lattice misses a sliver."""
    spacing = min(MAX_SPACING_M, max(MIN_SPACING_M, math.sqrt(max(polygon.area, 1.0) / points)))
    candidates = engine.lattice(polygon.bounds, spacing)
    inside = candidates[shapely.contains_xy(polygon, candidates[:, 0], candidates[:, 1])]
    if not len(inside):
        point = polygon.representative_point()
        return np.array([[point.x, point.y]])
    return inside


def _demand(grids: list[Grid], plane: LocalPlane, households: dict[int, list[HouseholdPoint]]) -> tuple[Demand, str]:
    xy: list[Floats] = []
    weight: list[Floats] = []
    index: list[np.ndarray] = []
    sampled = imported = 0
    for i, grid in enumerate(grids):
        own = households.get(grid.pk)
        if own:
            pts = plane.xy([h.lat for h in own], [h.lng for h in own])
            w = np.array([float(h.members) for h in own])
            imported += len(own)
        elif grid.polygon:
            pts = grid_lattice(_to_plane(shape(grid.polygon), plane))
            w = np.full(len(pts), grid.population / len(pts))
            sampled += 1
        elif grid.centroid_lat is not None and grid.centroid_lng is not None:
            pts = plane.xy([grid.centroid_lat], [grid.centroid_lng])
            w = np.array([float(grid.population)])
            sampled += 1
        else:
            continue
        xy.append(pts)
        weight.append(w)
        index.append(np.full(len(pts), i, dtype=np.int64))
    parts = []
    if sampled:
        parts.append(f"{sampled}个网格的人口按网格边界均匀分布")
    if imported:
        parts.append(f"导入的住户点位{imported}户")
    if not xy:
        return Demand(np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=np.int64)), "无"
    return Demand(np.concatenate(xy), np.concatenate(weight), np.concatenate(index)), "；".join(parts)


def _has_location(grid: Grid) -> bool:
    return bool(grid.polygon) or (grid.centroid_lat is not None and grid.centroid_lng is not None)


def circle_analyse(
    *,
    region: Region,
    minutes: int = 15,
    osm: str | Path | None = None,
    propose: int = 0,
    time_limit: float = siting.DEFAULT_TIME_LIMIT,
    candidate_spacing: float | None = None,
    model: TravelModel | None = None,
) -> Analysis:
    """The coverage of `region` within `minutes` (and 5/10/15/20) and, with `propose` > 0, that many new places."""
    started = time.perf_counter()
    if not 1 <= minutes <= 120:
        raise DomainError("field_invalid", "步行分钟应在1到120之间", field="minutes")
    if not 0 <= propose <= MAX_PROPOSE:
        raise DomainError("field_invalid", f"拟新设点位数应在0到{MAX_PROPOSE}之间", field="propose")
    model = model or TravelModel()
    thresholds = tuple(sorted({*THRESHOLDS, minutes}))
    grids = list(Grid.objects.filter(region__path__startswith=region.path).select_related("region").order_by("code"))
    located = [g for g in grids if _has_location(g)]
    places_all = list(
        Place.objects.filter(region__path__startswith=region.path, is_active=True).order_by("region__path", "name")
    )
    places = [p for p in places_all if p.lat is not None and p.lng is not None]
    place_lats = [float(p.lat or 0.0) for p in places]
    place_lngs = [float(p.lng or 0.0) for p in places]
    households: dict[int, list[HouseholdPoint]] = {}
    for point in HouseholdPoint.objects.filter(grid__in=located).order_by("pk"):
        households.setdefault(point.grid_id, []).append(point)

    lats: list[float] = [g.centroid_lat for g in located if g.centroid_lat is not None]
    lats += place_lats
    lngs: list[float] = [g.centroid_lng for g in located if g.centroid_lng is not None]
    lngs += place_lngs
    if region.centroid_lat is not None and region.centroid_lng is not None and not lats:
        lats, lngs = [region.centroid_lat], [region.centroid_lng]
    plane = LocalPlane.around(lats, lngs)
    demand, source = _demand(located, plane, households)
    places_xy = plane.xy(place_lats, place_lngs)

    net: RoadNetwork | None = None
    if osm:
        net, _ = read_osm(osm, plane)
        access = network_access(demand, places_xy, net, model)
    else:
        access = engine.straight_access(demand, places_xy, model)
    coverage = engine.coverage_of(demand, access, grids=len(located), places=len(places), thresholds=thresholds)
    analysis = Analysis(
        region=region,
        minutes=minutes,
        travel=TravelKind.NETWORK if net is not None else TravelKind.STRAIGHT,
        model=model,
        osm_name=net.name if net is not None else "",
        demand_source=source,
        demand_points=len(demand),
        thresholds=thresholds,
        population=coverage.total,
        covered=coverage.covered,
        grids=[
            GridRow(
                grid=g,
                population=float(coverage.grid_total[i]),
                covered={t: float(coverage.grid_covered[t][i]) for t in thresholds},
            )
            for i, g in enumerate(located)
        ],
        places=[
            PlaceRow(place=p, served={t: float(coverage.place_served[t][i]) for t in thresholds})
            for i, p in enumerate(places)
        ],
        places_without_location=[p for p in places_all if p.lat is None or p.lng is None],
        grids_without_location=[g for g in grids if not _has_location(g)],
    )
    if propose:
        _propose(analysis, demand, access, located, plane, net, propose, time_limit, candidate_spacing)
    analysis.seconds = time.perf_counter() - started
    return analysis


def _propose(
    analysis: Analysis,
    demand: Demand,
    access: engine.Access,
    grids: list[Grid],
    plane: LocalPlane,
    net: RoadNetwork | None,
    k: int,
    time_limit: float,
    spacing: float | None,
) -> None:
    minutes = analysis.minutes
    left = access.minutes > minutes + 1e-9
    points = demand.xy[left]
    weight = demand.weight[left]
    centroids = plane.xy(
        [g.centroid_lat for g in grids if g.centroid_lat is not None and g.centroid_lng is not None],
        [g.centroid_lng for g in grids if g.centroid_lat is not None and g.centroid_lng is not None],
    )
    spacing = spacing or analysis.model.radius(minutes) * siting.LATTICE_FACTOR
    candidates, origins = siting.candidate_points(points, centroids, spacing)
    if net is not None:
        cover = network_cover(points, candidates, net, analysis.model, minutes)
    else:
        cover = straight_cover(points, candidates, analysis.model, minutes)
    useful = np.flatnonzero(np.asarray(cover.sum(axis=0)).ravel() > 0)
    cover = cover[:, useful]
    groups, kept = siting.drop_dominated(siting.group_by_signature(cover, weight))
    useful = useful[kept]
    analysis.candidates, analysis.groups = len(useful), len(groups.weight)
    polygons = [(g, _to_plane(shape(g.polygon), plane)) for g in grids if g.polygon]

    def as_proposal(choice: siting.Choice) -> Proposal:
        xy = candidates[useful[choice.chosen]] if choice.chosen else np.zeros((0, 2))
        lat, lng = plane.latlng(xy) if len(xy) else (np.zeros(0), np.zeros(0))
        sites = []
        for rank, (index, gain) in enumerate(zip(choice.chosen, choice.gains, strict=True), start=1):
            x, y = xy[rank - 1]
            grid = next((g for g, poly in polygons if poly.covers(shapely.Point(x, y))), None)
            sites.append(
                Site(
                    rank=rank,
                    lat=round(float(lat[rank - 1]), 6),
                    lng=round(float(lng[rank - 1]), 6),
                    gain=gain,
                    origin=origins[int(useful[index])],
                    grid=grid,
                )
            )
        return Proposal(choice.method, sites, choice.gain, choice.seconds, choice.gap, choice.bound, choice.status)

    greedy = siting.greedy(groups, k)
    analysis.greedy = as_proposal(greedy)
    analysis.ilp = as_proposal(siting.exact(groups, k, time_limit=time_limit, start=greedy.chosen))
