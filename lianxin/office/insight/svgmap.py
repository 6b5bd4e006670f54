"""The dashboard's map as server-rendered SVG: the child regions' outlines (Region.boundary) or, under a village,
its grids' (Grid.polygon), from the platform's own data and projected as lianxin.projects.svgmap does; each area
filled by a chosen measure in a colour-blind-safe sequential palette (viridis, five classes) and linked to its own
dashboard. No tiles, no script, no network. The table under the map says the same."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from lianxin.regions.outlines import WIDTH, Projection, rings, svg_path

# viridis, light to dark: distinguishable with every common colour-vision deficiency and in greyscale.
PALETTE = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
NO_DATA = "#eaeef2"
RATE_BINS = (0.6, 0.7, 0.8, 0.9)  # 办结率, 满意率: under 60 %, 60–70, 70–80, 80–90, 90 % and over


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    link: str
    shape: dict[str, Any] | None  # GeoJSON Polygon or MultiPolygon
    received: int
    population: int
    value: float | None  # the measure; None: no figure (no residents, nothing accepted or rated)
    shown: str  # the value as the table shows it


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str


def bins_for(measure: str, values: list[float]) -> tuple[float, ...]:
    """The four class limits: fixed for rates; for cases per 10,000 residents, fifths of the largest value."""
    if measure != "per10k":
        return RATE_BINS
    top = max(values, default=0.0)
    if top <= 0:
        return (1.0, 2.0, 3.0, 4.0)
    return tuple(round(top * n / 5, 1) for n in range(1, 5))


def colour_of(value: float | None, bins: tuple[float, ...]) -> str:
    if value is None:
        return NO_DATA
    for colour, limit in zip(PALETTE, bins, strict=False):
        if value < limit:
            return colour
    return PALETTE[-1]


def legend(measure: str, bins: tuple[float, ...]) -> list[LegendEntry]:
    def shown(value: float) -> str:
        return f"{value * 100:.0f}%" if measure != "per10k" else f"{value:g}"

    labels = [f"低于 {shown(bins[0])}"]
    labels += [f"{shown(low)}–{shown(high)}" for low, high in itertools.pairwise(bins)]
    labels.append(f"{shown(bins[-1])} 及以上")
    return [LegendEntry(colour, label) for colour, label in zip(PALETTE, labels, strict=True)] + [
        LegendEntry(NO_DATA, "无数据")
    ]


def region_map(*, areas: Sequence[Area], bins: tuple[float, ...], title: str) -> SafeString | None:
    """The SVG, or None when no area has an outline (the table stands alone then)."""
    drawn = [(area, rings(area.shape)) for area in areas]
    drawn = [(area, r) for area, r in drawn if r]
    if not drawn:
        return None
    projection = Projection.fit([(float(p[0]), float(p[1])) for _, r in drawn for ring in r for p in ring])
    out: list[str] = [
        format_html(
            '<svg class="imap" viewBox="0 0 {} {}" role="group" aria-labelledby="imap-title" '
            'xmlns="http://www.w3.org/2000/svg"><title id="imap-title">{}</title>',
            int(WIDTH),
            int(projection.height),
            title,
        )
    ]
    labels = []
    for area, area_rings in drawn:
        d = svg_path(projection, area_rings)
        name = f"{area.name}：{area.shown}"
        out.append(
            format_html(
                '<a href="{}" aria-label="{}"><path class="area" data-code="{}" d="{}" fill="{}"><title>{}</title>'
                "</path></a>",
                area.link,
                f"{name}，查看其数据看板",
                area.code,
                d,
                colour_of(area.value, bins),
                name,
            )
        )
        xs = [projection.xy(float(p[0]), float(p[1])) for ring in area_rings for p in ring]
        cx = (min(x for x, _ in xs) + max(x for x, _ in xs)) / 2
        cy = (min(y for _, y in xs) + max(y for _, y in xs)) / 2
        labels.append(
            format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>', f"{cx:.1f}", f"{cy:.1f}", area.name)
        )
    out.append('<g class="labels" aria-hidden="true">')
    out += labels
    out.append("</g></svg>")
    return mark_safe("".join(str(part) for part in out))  # every dynamic value above is escaped by format_html
