"""A saved plan's map as server-rendered SVG, the way the projects map draws (lianxin/projects/svgmap.py): the
platform's own outlines (Region.boundary, Grid.polygon) in Web Mercator, no tiles, no script, no network. Grids are
filled by the share of their people within the plan's minutes, places are dots, proposed sites diamonds with their
rank."""

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from lianxin.circle.models import CirclePlan
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.regions.outlines import Projection, rings, svg_path
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
    outlines = [rings(region.boundary)] + [rings(t.boundary) for t in towns] + [rings(g.polygon) for g in grids]
    points = [(float(p[0]), float(p[1])) for outline in outlines for ring in outline for p in ring]
    points += [(p.lng, p.lat) for p in places if p.lat is not None and p.lng is not None]
    sites = list(plan.sites.all())
    points += [(s.lng, s.lat) for s in sites]
    projection = Projection.fit(points, pad=PAD, height_share=0.6)
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
        d = svg_path(projection, rings(grid.polygon))
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
        d = svg_path(projection, rings(town.boundary))
        if d:
            out.append(f'<path d="{d}"><title>{escape(town.name)}</title></path>')
    d = svg_path(projection, rings(region.boundary))
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
