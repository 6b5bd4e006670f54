"""The public map as server-rendered SVG: the county's town outlines and grid polygons from the platform's own
data (Region.boundary, Grid.polygon), and one dot per site coloured by status. No tiles, no script, no network:
it works offline, in WeChat's browser and on paper.

An online tile layer (e.g. 天地图) is optional: set PROJECTS_TILE_URL (environment or settings) to a tile URL
template with {x}, {y}, {z} (and {s} for a subdomain 0-7) in Web Mercator (XYZ rows from the top), and the tiles
covering the map are drawn under the outlines as SVG images. Unset (the default), nothing leaves the server.
"""

import math
import os
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from lianxin.projects.models import COLOUR_LABEL, Site
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.regions.outlines import PAD, WIDTH, Projection, rings, svg_path

FILL = {"red": "#cf222e", "yellow": "#d4a72c", "blue": "#0969da"}


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
    outline_rings = [rings(t.boundary) for t in towns] + [rings(a.boundary) for a in areas]
    points = [(float(p[0]), float(p[1])) for outline in outline_rings for ring in outline for p in ring]
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
        d = svg_path(projection, rings(grid.polygon))
        if d:
            out.append(f'<path d="{d}"/>')
    out.append('</g><g class="towns">')
    for town in towns:
        d = svg_path(projection, rings(town.boundary))
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
