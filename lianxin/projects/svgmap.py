"""The public map as server-rendered SVG: the county's town outlines and grid polygons from the platform's own
data (Region.boundary, Grid.polygon), and one dot per site coloured by status. No tiles, no script, no network:
it works offline, in WeChat's browser and on paper.

An online tile layer (e.g. 天地图) is optional: set PROJECTS_TILE_URL (environment or settings) to a tile URL
template with {x}, {y}, {z} (and {s} for a subdomain 0-7) in Web Mercator (XYZ rows from the top), and the tiles
covering the map are drawn under the outlines as SVG images. Unset (the default), nothing leaves the server.
"""

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from lianxin.projects.models import COLOUR_LABEL, Site
from lianxin.regions.models import Grid, Region, RegionLevel

WIDTH = 800.0
PAD = 12.0
FILL = {"red": "#cf222e", "yellow": "#d4a72c", "blue": "#0969da"}


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
    """Web Mercator at zoom 0, in pixels (0..256): the projection of the tile layer, so that both line up."""
    phi = math.radians(max(-85.0, min(85.0, lat)))
    return (lng + 180.0) / 360.0 * 256.0, (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * 256.0


@dataclass
class Projection:
    min_x: float
    min_y: float
    k: float  # SVG units per zoom-0 pixel
    height: float

    @classmethod
    def fit(cls, points: Iterable[tuple[float, float]]) -> "Projection":
        pts = [_world(lng, lat) for lng, lat in points] or [_world(120.0, 30.5)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        span_x = max(max(xs) - min(xs), 1e-9)
        span_y = max(max(ys) - min(ys), 1e-9)
        k = (WIDTH - 2 * PAD) / span_x
        return cls(min(xs), min(ys), k, span_y * k + 2 * PAD)

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        wx, wy = _world(lng, lat)
        return PAD + (wx - self.min_x) * self.k, PAD + (wy - self.min_y) * self.k

    def world_to_svg(self, wx: float, wy: float) -> tuple[float, float]:
        return PAD + (wx - self.min_x) * self.k, PAD + (wy - self.min_y) * self.k


def tile_url_template() -> str:
    return os.getenv("PROJECTS_TILE_URL") or str(getattr(settings, "PROJECTS_TILE_URL", "") or "")


def _tiles(projection: Projection, template: str) -> list[str]:
    """<image> elements for the tiles covering the map, at the zoom closest to the map's own scale."""
    zoom = max(0, min(18, round(math.log2(projection.k))))
    n = 2**zoom
    size = 256.0 / n  # a tile's side in zoom-0 pixels
    # The map's extent in zoom-0 pixels (including the padding).
    left = projection.min_x - PAD / projection.k
    top = projection.min_y - PAD / projection.k
    right = left + WIDTH / projection.k
    bottom = top + projection.height / projection.k
    out: list[str] = []
    for ty in range(max(0, int(top // size)), min(n, int(bottom // size) + 1)):
        for tx in range(max(0, int(left // size)), min(n, int(right // size) + 1)):
            x, y = projection.world_to_svg(tx * size, ty * size)
            side = size * projection.k
            url = template.format(x=tx, y=ty, z=zoom, s=(tx + ty) % 8)
            out.append(
                format_html(
                    '<image href="{}" x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none"/>',
                    url,
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{side:.1f}",
                    f"{side:.1f}",
                )
            )
    return out


def _path(projection: Projection, rings: list[Sequence[Sequence[float]]]) -> str:
    parts = []
    for ring in rings:
        pts = [projection.xy(float(p[0]), float(p[1])) for p in ring]
        if pts:
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z")
    return "".join(parts)


def site_point(site: Site) -> tuple[float, float] | None:
    """(lng, lat) of the site, or its region's centre when the site has no location of its own."""
    if site.lat is not None and site.lng is not None:
        return site.lng, site.lat
    if site.region.centroid_lat is not None and site.region.centroid_lng is not None:
        return site.region.centroid_lng, site.region.centroid_lat
    return None


def county_map(
    *, areas: Sequence[Region], sites: Sequence[Site], site_url: Any, highlight_town: str = ""
) -> SafeString:
    """`areas`: the regions whose towns and grids make the base map; `site_url(site)` gives each dot's link."""
    towns = list(
        Region.objects.filter(parent__in=areas, level=RegionLevel.TOWNSHIP).only("code", "name", "boundary", "path")
    )
    grids: list[Grid] = []
    for area in areas:
        grids += list(Grid.objects.filter(region__path__startswith=area.path).only("polygon"))
    outline_rings = [_rings(t.boundary) for t in towns] + [_rings(a.boundary) for a in areas]
    points = [(float(p[0]), float(p[1])) for rings in outline_rings for ring in rings for p in ring]
    dots = [(site, site_point(site)) for site in sites]
    points += [pt for _, pt in dots if pt is not None]
    projection = Projection.fit(points)
    out: list[str] = [
        format_html(
            # A group, not an image: the dots inside are links.
            '<svg class="pmap" viewBox="0 0 {} {}" role="group" aria-labelledby="pmap-title" '
            'xmlns="http://www.w3.org/2000/svg"><title id="pmap-title">项目点位分布图：红色未开工，黄色推进中，蓝色已完成'
            "</title>",
            int(WIDTH),
            int(projection.height),
        )
    ]
    template = tile_url_template()
    if template:
        out.append('<g class="tiles" aria-hidden="true">')
        out += _tiles(projection, template)
        out.append("</g>")
    out.append('<g class="grids">')
    for grid in grids:
        d = _path(projection, _rings(grid.polygon))
        if d:
            out.append(f'<path d="{d}"/>')
    out.append('</g><g class="towns">')
    for town in towns:
        d = _path(projection, _rings(town.boundary))
        if d:
            cls = ' class="on"' if town.code == highlight_town else ""
            out.append(f'<path{cls} d="{d}"><title>{escape(town.name)}</title></path>')
    out.append('</g><g class="sites">')
    for site, pt in dots:
        if pt is None:
            continue
        x, y = projection.xy(*pt)
        colour = site.colour
        out.append(
            format_html(
                '<a href="{}"><title>{}：{}（{}）</title>'
                '<circle class="site {}" data-colour="{}" cx="{}" cy="{}" r="6" fill="{}"/></a>',
                site_url(site),
                site.project.title,
                site.name,
                COLOUR_LABEL[colour],
                colour,
                colour,
                f"{x:.1f}",
                f"{y:.1f}",
                FILL[colour],
            )
        )
    out.append("</g></svg>")
    return mark_safe("".join(str(part) for part in out))  # every dynamic value above is escaped
