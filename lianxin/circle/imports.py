"""Import household points (住户点位) from a sheet: where people live, by latitude and longitude already geocoded.

All-or-nothing, errors by row and column. A point belongs to the grid whose polygon holds it, or to the grid its
row names (网格编码) when given: then the point must lie in that grid's polygon, when the grid has one. The grids
named by the file have their earlier points replaced, so importing the same file twice changes nothing.
"""

from typing import IO, Any

from django.db import transaction
from shapely.geometry import Point, shape

from lianxin.circle.models import HouseholdPoint
from lianxin.circle.services import CIRCLE_PERM
from lianxin.core.audit import audit_record
from lianxin.core.errors import PermissionDenied
from lianxin.core.tabular import Column, ImportResult, Integer, Number, Progress, Text, read_sheet
from lianxin.regions.models import Grid
from lianxin.regions.services import grid_locate

GRID_NOT_FOUND = "网格编码不存在或不在您的管辖范围内"

HOUSEHOLD_COLUMNS = [
    Column("地址", "address", parse=Text(200)),
    Column("人数", "members", parse=Integer(1, 200), default=1, aliases=("人口", "户籍人数")),
    # Mainland China lies within these bounds; a swapped latitude and longitude falls outside them.
    Column("纬度", "lat", required=True, parse=Number(3, 54)),
    Column("经度", "lng", required=True, parse=Number(73, 136)),
    Column("网格编码", "grid_code", parse=Text(32)),
]


def _may(actor: Any, grid: Grid) -> bool:
    return actor is None or actor.has_perm_in(CIRCLE_PERM, grid.region.path)


def households_import(
    *, actor: Any, file: IO[bytes] | bytes, filename: str, progress: Progress | None = None
) -> ImportResult:
    if actor is not None and not actor.has_perm_anywhere(CIRCLE_PERM):
        raise PermissionDenied("您没有导入住户点位的权限")
    sheet = read_sheet(file=file, filename=filename, columns=HOUSEHOLD_COLUMNS)
    with transaction.atomic():
        codes = {row.get("grid_code") for row in sheet.rows if row.get("grid_code")}
        named = {g.code: g for g in Grid.objects.select_related("region").filter(code__in=codes)}
        shapes: dict[int, Any] = {}
        located: list[tuple[Any, Grid]] = []
        for index, row in enumerate(sheet.rows):
            if progress is not None and index % 1000 == 0:
                progress(index, len(sheet.rows), "正在核对住户点位")
            if not row.ok("lat", "lng", "grid_code"):
                continue
            lat, lng, code = row["lat"], row["lng"], row.get("grid_code")
            grid: Grid | None
            if code:
                grid = named.get(code)
                if grid is None or not _may(actor, grid):
                    sheet.error(row, "grid_code", GRID_NOT_FOUND)
                    continue
                if grid.polygon:
                    outline = shapes.setdefault(grid.pk, shape(grid.polygon))
                    if not outline.covers(Point(lng, lat)):
                        sheet.error(row, "lat", f"该点不在网格“{grid.name}”的边界内")
                        continue
            else:
                grid = grid_locate(lat=lat, lng=lng)
                if grid is None or not _may(actor, grid):
                    sheet.error(row, "lat", "该点不在您管辖范围内的任何网格内（可填写网格编码）")
                    continue
            located.append((row, grid))
        sheet.raise_if_errors()

        grids = {grid.pk: grid for _, grid in located}
        HouseholdPoint.objects.filter(grid_id__in=grids).delete()
        HouseholdPoint.objects.bulk_create(
            (
                HouseholdPoint(
                    grid=grid,
                    address=row.get("address") or "",
                    members=row.get("members") or 1,
                    lat=row["lat"],
                    lng=row["lng"],
                )
                for row, grid in located
            ),
            batch_size=2000,
        )
        for grid in grids.values():
            audit_record(
                actor=actor,
                action="circle_households.import",
                obj=grid,
                region_path=grid.region.path,
                changes={"points": sum(1 for _, g in located if g.pk == grid.pk)},
                note=f"导入 {filename}",
            )
    # The points replace those of their grids: counted as new, whatever the grids held before.
    return ImportResult(created=len(located), updated=0, unchanged=0)
