"""The map of the demo county: town and village areas, and the 148 grids drawn over them.

How the map is made (all WGS-84 longitude/latitude, coordinates on a 1e-6° lattice):

1. The county is a convex outline inside lat 30.45–30.70, lng 119.75–120.25: mountains in the west
   (莫干山镇), the county seat 武康 near 30.545, 119.955, the water-town plain in the east (新市, 钟管, 禹越).
2. Each town has a seed point near its real seat. A Voronoi diagram of the 13 seeds, clipped to the outline,
   gives each town a rough territory.
3. Villages get points inside their town's territory: communities (社区) packed around the seat, rural
   villages (村) spread over the rest with a minimum spacing. One Voronoi diagram of all 177 points,
   clipped to the outline, gives every village its area. Because every cell comes from one diagram,
   neighbouring cells share exact vertices, and after snapping to the lattice no two overlap. A town's
   area is the union of its villages' areas.
4. Grids (网格). The county has 148 deputy grids and 177 villages and communities, so 29 small rural villages
   share a grid with a rural neighbour of the same town (联村网格): the smallest villages by households are
   joined, each to the neighbour with which it shares the longest border. Such a grid is registered under
   that neighbour, its lead village (Grid.region: a grid belongs to one village); its polygon is the union
   of both villages' areas, and the other village's station and residents lie inside it. The grid code is
   the lead village's 12-digit code, a hyphen and a two-digit number: "330521102200-01".
"""

import math
import random
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping

from lianxin.demo.names import short_region_name

GRID_SIZE = 1e-6
GRID_COUNT = 148

# A convex outline of 德清县, (lng, lat).
COUNTY_OUTLINE = (
    (119.755, 30.585), (119.775, 30.535), (119.840, 30.497), (119.930, 30.468), (120.030, 30.455),
    (120.150, 30.452), (120.230, 30.475), (120.250, 30.540), (120.255, 30.615), (120.235, 30.668),
    (120.170, 30.694), (120.060, 30.700), (119.930, 30.695), (119.830, 30.675), (119.775, 30.635),
)  # fmt: skip

# Town seats (lat, lng), near the real ones.
TOWN_SEATS: dict[str, tuple[float, float]] = {
    "武康街道": (30.545, 119.955),
    "舞阳街道": (30.585, 119.905),
    "阜溪街道": (30.512, 119.985),
    "下渚湖街道": (30.592, 120.012),
    "康乾街道": (30.522, 120.045),
    "乾元镇": (30.562, 120.085),
    "新市镇": (30.628, 120.215),
    "洛舍镇": (30.645, 120.062),
    "钟管镇": (30.668, 120.140),
    "雷甸镇": (30.488, 120.150),
    "禹越镇": (30.522, 120.222),
    "新安镇": (30.582, 120.160),
    "莫干山镇": (30.598, 119.830),
}

# Households per village; people per household.
RURAL_HOUSEHOLDS = (800, 1500)
COMMUNITY_HOUSEHOLDS = (1500, 3800)
RURAL_PEOPLE_PER_HOUSEHOLD = (2.9, 3.2)
COMMUNITY_PEOPLE_PER_HOUSEHOLD = (2.6, 2.9)


@dataclass
class VillagePlan:
    code: str
    name: str  # as registered: 城东村委会
    short: str  # as people say it: 城东村
    town_code: str
    community: bool
    point: Point = field(default=None)  # type: ignore[assignment]  # the Voronoi generator, inside the cell
    cell: Polygon = field(default=None)  # type: ignore[assignment]
    households: int = 0
    population: int = 0
    grid_code: str = ""


@dataclass
class GridPlan:
    code: str
    name: str
    kind: str
    lead: VillagePlan
    villages: list[VillagePlan]
    polygon: Polygon
    households: int
    population: int


@dataclass
class TownPlan:
    code: str
    name: str
    seat: Point
    territory: Polygon
    villages: list[VillagePlan] = field(default_factory=list)
    area: Any = None  # Polygon or MultiPolygon: the union of the village cells

    @property
    def is_street(self) -> bool:
        """街道 have no township congress; 镇 do."""
        return self.name.endswith("街道")


@dataclass
class CountyPlan:
    outline: Polygon
    towns: list[TownPlan]
    villages: dict[str, VillagePlan]
    grids: list[GridPlan]

    def town_of(self, village: VillagePlan) -> TownPlan:
        return next(t for t in self.towns if t.code == village.town_code)


def snap(geometry):
    return shapely.set_precision(geometry, GRID_SIZE)


def geojson(geometry) -> dict[str, Any]:
    """GeoJSON with coordinates rounded to 6 decimals (already on the lattice: rounding changes nothing)."""

    def rounded(value):
        if isinstance(value, tuple | list):
            if value and isinstance(value[0], float | int):
                return [round(float(v), 6) for v in value]
            return [rounded(v) for v in value]
        return value

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": rounded(data["coordinates"])}


def random_point_in(rng: random.Random, polygon, *, near: Point | None = None, radius: float = 0.0) -> Point:
    """A uniform point inside `polygon` (within `radius` of `near` when given), on the lattice."""
    min_x, min_y, max_x, max_y = polygon.bounds
    if near is not None:
        min_x, min_y = max(min_x, near.x - radius), max(min_y, near.y - radius)
        max_x, max_y = min(max_x, near.x + radius), min(max_y, near.y + radius)
    for _ in range(500):
        point = Point(round(rng.uniform(min_x, max_x), 6), round(rng.uniform(min_y, max_y), 6))
        if polygon.contains(point) and (near is None or point.distance(near) <= radius):
            return point
    return polygon.representative_point()


def _spread_points(
    rng: random.Random, polygon, count: int, spacing: float, taken: list[Point], *, near=None, radius=0.0
) -> list[Point]:
    """`count` points in `polygon`, each at least `spacing` from the others (relaxed when crowded)."""
    points: list[Point] = []
    while len(points) < count:
        for _ in range(200):
            candidate = random_point_in(rng, polygon, near=near, radius=radius)
            if all(candidate.distance(p) >= spacing for p in (*taken, *points)):
                points.append(candidate)
                break
        else:
            spacing *= 0.8
    return points


def plan_county(rng: random.Random, towns: list[tuple[str, str]], villages: list[tuple[str, str, str]]) -> CountyPlan:
    """`towns`: (code, name); `villages`: (code, name, town code), both in code order."""
    outline = snap(Polygon(COUNTY_OUTLINE))
    seats = [Point(TOWN_SEATS[name][1], TOWN_SEATS[name][0]) for _, name in towns]
    territories = shapely.voronoi_polygons(MultiPoint(seats), extend_to=outline.buffer(0.1), ordered=True)
    town_plans = [
        TownPlan(code=code, name=name, seat=seat, territory=territory.intersection(outline))
        for (code, name), seat, territory in zip(towns, seats, territories.geoms, strict=True)
    ]
    by_town = {t.code: t for t in town_plans}
    village_plans: dict[str, VillagePlan] = {}
    for code, name, town_code in villages:
        plan = VillagePlan(
            code=code, name=name, short=short_region_name(name), town_code=town_code, community=int(code[9:]) < 200
        )
        village_plans[code] = plan
        by_town[town_code].villages.append(plan)

    _place_village_points(rng, town_plans)
    _draw_village_cells(outline, list(village_plans.values()))
    for town in town_plans:
        town.area = snap(shapely.union_all([v.cell for v in town.villages], grid_size=GRID_SIZE))
    for village in village_plans.values():
        _set_population(rng, village)
    grids = _plan_grids(town_plans)
    return CountyPlan(outline=outline, towns=town_plans, villages=village_plans, grids=grids)


def _place_village_points(rng: random.Random, towns: list[TownPlan]) -> None:
    placed: list[Point] = []
    for town in towns:
        communities = [v for v in town.villages if v.community]
        rural = [v for v in town.villages if not v.community]
        core_radius = 0.004 + 0.0035 * math.sqrt(len(communities))
        core = town.territory.intersection(town.seat.buffer(core_radius))
        points = _spread_points(
            rng, core, len(communities), core_radius / max(1.5, math.sqrt(len(communities))), placed
        )
        for village, point in zip(communities, points, strict=True):
            village.point = point
        placed += points
        countryside = town.territory.difference(town.seat.buffer(core_radius * 1.1)) if communities else town.territory
        spacing = 0.7 * math.sqrt(countryside.area / max(1, len(rural)))
        points = _spread_points(rng, countryside, len(rural), spacing, placed)
        for village, point in zip(rural, points, strict=True):
            village.point = point
        placed += points


def _draw_village_cells(outline: Polygon, villages: list[VillagePlan]) -> None:
    cells = shapely.voronoi_polygons(
        MultiPoint([v.point for v in villages]), extend_to=outline.buffer(0.1), ordered=True
    )
    for village, cell in zip(villages, cells.geoms, strict=True):
        village.cell = snap(cell.intersection(outline))
        if village.cell.geom_type != "Polygon" or not village.cell.contains(village.point):
            raise RuntimeError(f"demo map: cell of {village.name} is not a polygon around its point")


def _set_population(rng: random.Random, village: VillagePlan) -> None:
    if village.community:
        village.households = rng.randint(*COMMUNITY_HOUSEHOLDS)
        village.population = round(village.households * rng.uniform(*COMMUNITY_PEOPLE_PER_HOUSEHOLD))
    else:
        village.households = rng.randint(*RURAL_HOUSEHOLDS)
        village.population = min(4500, max(2500, round(village.households * rng.uniform(*RURAL_PEOPLE_PER_HOUSEHOLD))))


def _shared_edge(a: VillagePlan, b: VillagePlan) -> float:
    if not a.cell.buffer(GRID_SIZE).intersects(b.cell):
        return 0.0
    return a.cell.boundary.intersection(b.cell.boundary).length


def _plan_grids(towns: list[TownPlan]) -> list[GridPlan]:
    """One grid per village, except that the smallest rural villages join a rural neighbour (联村网格)."""
    villages = [v for t in towns for v in t.villages]
    merges_needed = len(villages) - GRID_COUNT
    absorbed: dict[str, VillagePlan] = {}  # lead code → the village it took in
    merged_into: dict[str, VillagePlan] = {}  # small village code → its lead
    for small in sorted((v for v in villages if not v.community), key=lambda v: (v.households, v.code)):
        if len(merged_into) == merges_needed:
            break
        if small.code in absorbed or small.code in merged_into:
            continue
        town = next(t for t in towns if t.code == small.town_code)
        neighbours = [
            (edge, other)
            for other in town.villages
            if other is not small
            and not other.community
            and other.code not in absorbed
            and other.code not in merged_into
            and (edge := _shared_edge(small, other)) > 0.002
        ]
        if not neighbours:
            continue
        _, lead = max(neighbours, key=lambda pair: (pair[0], pair[1].code))
        absorbed[lead.code] = small
        merged_into[small.code] = lead
    if len(merged_into) != merges_needed:
        raise RuntimeError(f"demo map: only {len(merged_into)} of {merges_needed} joint grids could be formed")

    grids: list[GridPlan] = []
    for village in villages:
        if village.code in merged_into:
            continue
        members = [village] + ([absorbed[village.code]] if village.code in absorbed else [])
        polygon = snap(shapely.union_all([m.cell for m in members], grid_size=GRID_SIZE))
        if polygon.geom_type != "Polygon":
            raise RuntimeError(f"demo map: grid of {village.name} is not one polygon")
        code = f"{village.code}-01"
        name = f"{village.short}网格" if len(members) == 1 else "·".join(m.short for m in members) + "联村网格"
        for member in members:
            member.grid_code = code
        grids.append(
            GridPlan(
                code=code,
                name=name,
                kind="community" if village.community else "rural",
                lead=village,
                villages=members,
                polygon=polygon,
                households=sum(m.households for m in members),
                population=sum(m.population for m in members),
            )
        )
    return grids
