"""Writes for regions and grids."""

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, ImportRejected, RowError
from lianxin.regions.models import LEVEL_DEPTH, Grid, GridKind, Region, RegionLevel

REGION_CSV_COLUMNS = ("code", "name", "level", "parent_code")


@dataclass(frozen=True)
class RegionImportResult:
    created: int
    updated: int
    unchanged: int


def region_import_csv(*, path: Path | str, actor: Any = None) -> RegionImportResult:
    """Import regions from a CSV with the columns code,name,level,parent_code (parents before or after
    children, any order). All-or-nothing; importing the same file twice changes nothing."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REGION_CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportRejected([RowError(1, c, "缺少该列") for c in missing])
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    return region_import_rows(rows=rows, actor=actor)


def region_import_rows(*, rows: list[tuple[int, dict[str, str]]], actor: Any = None) -> RegionImportResult:
    errors: list[RowError] = []
    incoming: dict[str, tuple[int, str, str, str]] = {}
    for number, row in rows:
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        level = (row.get("level") or "").strip()
        parent_code = (row.get("parent_code") or "").strip()
        if len(code) != 12 or not code.isdigit():
            errors.append(RowError(number, "code", f"区划代码应为12位数字，实为“{code}”"))
            continue
        if code in incoming:
            errors.append(RowError(number, "code", f"与第{incoming[code][0]}行重复"))
            continue
        if not name:
            errors.append(RowError(number, "name", "名称不能为空"))
        if level not in RegionLevel.values:
            errors.append(RowError(number, "level", f"层级应为 {'/'.join(RegionLevel.values)} 之一，实为“{level}”"))
        if parent_code and (len(parent_code) != 12 or not parent_code.isdigit()):
            errors.append(RowError(number, "parent_code", f"上级区划代码应为12位数字，实为“{parent_code}”"))
        incoming[code] = (number, name, level, parent_code)

    existing = {r.code: r for r in Region.objects.all()}
    paths: dict[str, str] = {}

    def path_of(code: str, seen: tuple[str, ...] = ()) -> str | None:
        if code in paths:
            return paths[code]
        if code in incoming:
            number, _, level, parent_code = incoming[code]
            if code in seen:
                errors.append(RowError(number, "parent_code", "上下级关系成环"))
                return None
            if not parent_code:
                paths[code] = f"{code}/"
                return paths[code]
            parent_path = path_of(parent_code, (*seen, code))
            if parent_path is None:
                if parent_code not in incoming and parent_code not in existing:
                    errors.append(RowError(number, "parent_code", f"上级区划 {parent_code} 不存在"))
                return None
            parent_level = incoming[parent_code][2] if parent_code in incoming else existing[parent_code].level
            if level in LEVEL_DEPTH and parent_level in LEVEL_DEPTH and LEVEL_DEPTH[parent_level] >= LEVEL_DEPTH[level]:
                errors.append(RowError(number, "level", f"层级“{level}”不能位于“{parent_level}”之下"))
            paths[code] = f"{parent_path}{code}/"
            return paths[code]
        if code in existing:
            paths[code] = existing[code].path
            return paths[code]
        return None

    for code in incoming:
        path_of(code)
    if errors:
        raise ImportRejected(sorted(set(errors), key=lambda e: (e.row, e.column)))

    created = updated = unchanged = 0
    with transaction.atomic():
        # Depth order, so that every parent exists before its children.
        for code in sorted(incoming, key=lambda c: paths[c].count("/")):
            _, name, level, parent_code = incoming[code]
            parent = existing.get(parent_code) if parent_code else None
            region = existing.get(code)
            if region is None:
                region = Region.objects.create(code=code, name=name, level=level, parent=parent, path=paths[code])
                existing[code] = region
                created += 1
            elif (region.name, region.level, region.parent_id, region.path) != (
                name,
                level,
                parent.pk if parent else None,
                paths[code],
            ):
                before = {"name": region.name, "level": region.level, "path": region.path}
                region.name, region.level, region.parent, region.path = name, level, parent, paths[code]
                region.save(update_fields=["name", "level", "parent", "path"])
                audit_record(
                    actor=actor,
                    action="region.update",
                    obj=region,
                    region_path=region.path,
                    changes={k: [v, getattr(region, k)] for k, v in before.items() if v != getattr(region, k)},
                )
                updated += 1
            else:
                unchanged += 1
        if created:
            audit_record(
                actor=actor,
                action="region.import",
                obj=existing[next(iter(incoming))],
                changes={"created": created, "updated": updated},
                note=f"导入区划 {created} 个",
            )
    return RegionImportResult(created=created, updated=updated, unchanged=unchanged)


def _polygon_geometry(polygon: dict[str, Any]) -> BaseGeometry:
    try:
        geometry = shape(polygon)
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        raise DomainError(
            "grid_polygon_invalid", f"网格边界: 不是有效的 GeoJSON 多边形（{exc}）", field="polygon"
        ) from exc
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise DomainError("grid_polygon_invalid", "网格边界: 必须是 Polygon 或 MultiPolygon", field="polygon")
    if not geometry.is_valid:
        raise DomainError(
            "grid_polygon_invalid", f"网格边界: 多边形无效（{explain_validity(geometry)}）", field="polygon"
        )
    return geometry


# Overlaps smaller than this (in squared degrees, about 1 m²) are rounding noise on shared edges.
OVERLAP_TOLERANCE = 1e-10


def grid_check(
    *, region: Region, polygon: dict[str, Any] | None, exclude: Grid | None = None, lock: bool = False
) -> BaseGeometry | None:
    """Raise DomainError unless a grid with this polygon may stand under `region`; return the geometry."""
    if region.level != RegionLevel.VILLAGE:
        raise DomainError("grid_region_not_village", "所属村/社区: 网格只能设在村或社区之下", field="region")
    if not polygon:
        return None
    geometry = _polygon_geometry(polygon)
    min_lng, min_lat, max_lng, max_lat = geometry.bounds
    neighbours = Grid.objects.filter(
        min_lat__lte=max_lat, max_lat__gte=min_lat, min_lng__lte=max_lng, max_lng__gte=min_lng
    )
    if lock:
        neighbours = neighbours.select_for_update()
    if exclude is not None and exclude.pk is not None:
        neighbours = neighbours.exclude(pk=exclude.pk)
    for other in neighbours:
        if geometry.intersection(shape(other.polygon)).area > OVERLAP_TOLERANCE:
            raise DomainError(
                "grid_polygon_overlap", f"网格边界: 与网格“{other.name}”({other.code})重叠", field="polygon"
            )
    return geometry


def grid_save(
    *,
    actor: Any,
    region: Region,
    code: str,
    name: str,
    kind: str = GridKind.RURAL,
    polygon: dict[str, Any] | None = None,
    households: int = 0,
    population: int = 0,
    grid: Grid | None = None,
) -> Grid:
    """Create or update a grid. Its polygon may not overlap another grid's: a point lies in at most one."""
    with transaction.atomic():
        geometry = grid_check(region=region, polygon=polygon, exclude=grid, lock=True)
        if grid is None:
            grid = Grid()
        creating = grid.pk is None
        before = {f: getattr(grid, f) for f in ("code", "name", "kind", "households", "population", "region_id")}
        grid.region, grid.code, grid.name, grid.kind = region, code, name, kind
        grid.households, grid.population, grid.polygon = households, population, polygon
        if geometry is not None:
            centre = geometry.representative_point() if not geometry.centroid.within(geometry) else geometry.centroid
            grid.centroid_lat, grid.centroid_lng = round(centre.y, 6), round(centre.x, 6)
            grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat = geometry.bounds
        else:
            grid.min_lat = grid.max_lat = grid.min_lng = grid.max_lng = None
        grid.save()
        after = {f: getattr(grid, f) for f in before}
        audit_record(
            actor=actor,
            action="grid.create" if creating else "grid.update",
            obj=grid,
            region_path=region.path,
            changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
        )
    return grid


def grid_locate(*, lat: float, lng: float, queryset: QuerySet[Grid] | None = None) -> Grid | None:
    """The grid that contains the point (WGS-84), or None. Reads only grids whose bounding box holds it."""
    if queryset is None:
        queryset = Grid.objects.all()
    candidates = queryset.filter(min_lat__lte=lat, max_lat__gte=lat, min_lng__lte=lng, max_lng__gte=lng)
    point = Point(lng, lat)
    for grid in candidates:
        if shape(grid.polygon).covers(point):
            return grid
    return None
