"""Region and grid outlines drawn as SVG: the rings of a GeoJSON geometry, Web Mercator, and the projection that fits
a set of points into an SVG of a given width. The server-rendered maps (the projects' public map, the dashboards',
the service circle's) all draw with it."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 800.0
PAD = 12.0


def rings(geometry: dict[str, Any] | None) -> list[Sequence[Sequence[float]]]:
    """The rings of a Polygon or MultiPolygon (GeoJSON, [lng, lat] points); none for anything else."""
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def web_mercator(lng: float, lat: float) -> tuple[float, float]:
    """Web Mercator at zoom 0, in pixels (0..256): the projection of the tile layers, so that both line up."""
    phi = math.radians(max(-85.0, min(85.0, lat)))
    return (lng + 180.0) / 360.0 * 256.0, (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * 256.0


@dataclass
class Projection:
    min_x: float
    min_y: float
    k: float  # SVG units per zoom-0 pixel
    height: float
    pad: float = PAD

    @classmethod
    def fit(
        cls, points: Iterable[tuple[float, float]], *, width: float = WIDTH, pad: float = PAD, height_share: float = 0.0
    ) -> "Projection":
        """The points fill the width; `height_share` > 0 shrinks a tall area so that its height × the share fits too."""
        pts = [web_mercator(lng, lat) for lng, lat in points] or [web_mercator(120.0, 30.5)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        span_x = max(max(xs) - min(xs), 1e-9)
        span_y = max(max(ys) - min(ys), 1e-9)
        k = (width - 2 * pad) / max(span_x, span_y * height_share)
        return cls(min(xs), min(ys), k, span_y * k + 2 * pad, pad)

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        return self.world_to_svg(*web_mercator(lng, lat))

    def world_to_svg(self, wx: float, wy: float) -> tuple[float, float]:
        return self.pad + (wx - self.min_x) * self.k, self.pad + (wy - self.min_y) * self.k


def svg_path(projection: Projection, area_rings: list[Sequence[Sequence[float]]]) -> str:
    """An SVG path's `d` drawing the rings, one closed subpath each."""
    parts = []
    for ring in area_rings:
        pts = [projection.xy(float(p[0]), float(p[1])) for p in ring]
        if pts:
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z")
    return "".join(parts)
