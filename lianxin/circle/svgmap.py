"""A saved plan's map as server-rendered SVG, the way the projects map draws (lianxin/projects/svgmap.py): the
platform's own outlines (Region.boundary, Grid.polygon) in Web Mercator, no tiles, no script, no network. Grids are
filled by the share of their people within the plan's minutes, places are dots, proposed sites diamonds with their
rank."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from lianxin.circle.models import CirclePlan
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.venues.models import Place

WIDTH = 800.0
PAD = 14.0
# Coverage classes, lowest first: (upper bound of the share, css class, label). Colours in office.css-free
# attributes below so that the map prints the same; ColorBrewer RdYlGn, readable by most colour-blind people
# with the labels beside.
CLASSES = (
    (0.25, "cov0", "#d73027", "不足25%"),
    (0.5, "cov1", "#fc8d59", "25%–50%"),
    (0.75, "cov2", "#fee08b", "50%–75%"),
    (0.995, "cov3", "#91cf60", "75%–99%"),
    (1.01, "cov4", "#1a9850", "全部覆盖"),
)
EMPTY = ("cov-none", "#d0d7de", "无人口数据")


def coverage_class(share: float | None) -> tuple[str, str, str]:
    if share is None:
        return EMPTY
    for upper, css, colour, label in CLASSES:
        if share < upper:
            return css, colour, label
    return CLASSES[-1][1:]


def legend() -> list[dict[str, str]]:
    return [{"css": css, "colour": colour, "label": label} for _, css, colour, label in CLASSES] + [
        {"css": EMPTY[0], "colour": EMPTY[1], "label": EMPTY[2]}
    ]


def _rings(geometry: dict[str, Any] | None) -> list[Sequence[Sequence[float]]]:
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def _world(lng: float, lat: float) -> tuple[float, float]:
    phi = math.radians(max(-85.0, min(85.0, lat)))
    return (lng + 180.0) / 360.0 * 256.0, (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * 256.0


@dataclass
class Projection:
    min_x: float
    min_y: float
    k: float
    height: float

    @classmethod
    def fit(cls, points: Iterable[tuple[float, float]]) -> "Projection":
        pts = [_world(lng, lat) for lng, lat in points] or [_world(120.0, 30.5)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        span_x = max(max(xs) - min(xs), 1e-9)
        span_y = max(max(ys) - min(ys), 1e-9)
        k = (WIDTH - 2 * PAD) / max(span_x, span_y * 0.6)
        return cls(min(xs), min(ys), k, span_y * k + 2 * PAD)

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        wx, wy = _world(lng, lat)
        return PAD + (wx - self.min_x) * self.k, PAD + (wy - self.min_y) * self.k


def _path(projection: Projection, rings: list[Sequence[Sequence[float]]]) -> str:
    parts = []
    for ring in rings:
        pts = [projection.xy(float(p[0]), float(p[1])) for p in ring]
        if pts:
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z")
    return "".join(parts)


def grid_share(plan: CirclePlan, grid_id: int) -> tuple[int, int] | None:
    """(people, covered within the plan's minutes) of a grid in the plan's figures."""
    thresholds = plan.figures.get("thresholds") or []
    row = (plan.figures.get("grids") or {}).get(str(grid_id))
    if row is None or plan.minutes not in thresholds:
        return None
    return int(row[0]), int(row[1 + thresholds.index(plan.minutes)])


def plan_map(*, plan: CirclePlan, grids: Sequence[Grid], places: Sequence[Place]) -> SafeString:
    region: Region = plan.region
    towns = list(Region.objects.filter(parent=region, level=RegionLevel.TOWNSHIP).only("name", "boundary"))
    outlines = [_rings(region.boundary)] + [_rings(t.boundary) for t in towns] + [_rings(g.polygon) for g in grids]
    points = [(float(p[0]), float(p[1])) for rings in outlines for ring in rings for p in ring]
    points += [(p.lng, p.lat) for p in places if p.lat is not None and p.lng is not None]
    sites = list(plan.sites.all())
    points += [(s.lng, s.lat) for s in sites]
    projection = Projection.fit(points)
    out: list[str] = [
        format_html(
            '<svg class="cmap" viewBox="0 0 {} {}" role="group" aria-labelledby="cmap-title" '
            'xmlns="http://www.w3.org/2000/svg"><title id="cmap-title">{}{}分钟代表服务圈覆盖图：网格按覆盖率着色，'
            "圆点为家站室，菱形为拟新设点位</title>",
            int(WIDTH),
            int(projection.height),
            region.name,
            plan.minutes,
        ),
        '<g class="grids">',
    ]
    for grid in grids:
        d = _path(projection, _rings(grid.polygon))
        if not d:
            continue
        figures = grid_share(plan, grid.pk)
        share = figures[1] / figures[0] if figures and figures[0] else None
        css, colour, label = coverage_class(share)
        tip = f"{grid.name}：人口{figures[0]}，{plan.minutes}分钟内{figures[1]}（{label}）" if figures else grid.name
        out.append(
            format_html(
                '<path class="grid {}" data-grid="{}" d="{}" fill="{}"><title>{}</title></path>',
                css,
                grid.code,
                d,
                colour,
                tip,
            )
        )
    out.append('</g><g class="towns">')
    for town in towns:
        d = _path(projection, _rings(town.boundary))
        if d:
            out.append(f'<path d="{d}"><title>{escape(town.name)}</title></path>')
    d = _path(projection, _rings(region.boundary))
    if d:
        out.append(f'<path class="outline" d="{d}"/>')
    out.append('</g><g class="places">')
    for place in places:
        if place.lat is None or place.lng is None:
            continue
        x, y = projection.xy(place.lng, place.lat)
        out.append(
            format_html(
                '<circle class="place" cx="{}" cy="{}" r="3.5"><title>{}（{}）</title></circle>',
                f"{x:.1f}",
                f"{y:.1f}",
                place.name,
                place.get_kind_display(),
            )
        )
    out.append('</g><g class="sites">')
    for site in sites:
        x, y = projection.xy(site.lng, site.lat)
        r = 8.0
        out.append(
            format_html(
                '<g class="site" data-rank="{}"><title>拟新设点位{}：新增覆盖{}人</title>'
                '<path d="M{} {}L{} {}L{} {}L{} {}Z"/><text x="{}" y="{}">{}</text></g>',
                site.rank,
                site.rank,
                site.gain,
                f"{x:.1f}",
                f"{y - r:.1f}",
                f"{x + r:.1f}",
                f"{y:.1f}",
                f"{x:.1f}",
                f"{y + r:.1f}",
                f"{x - r:.1f}",
                f"{y:.1f}",
                f"{x:.1f}",
                f"{y + 3.5:.1f}",
                site.rank,
            )
        )
    out.append("</g></svg>")
    return mark_safe("".join(str(part) for part in out))  # every dynamic value above is escaped
