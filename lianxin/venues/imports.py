"""Import places (家站室) from a sheet; export places, grids and regions to .xlsx.

Also home to `RegionsInScope`, the region lookup every registry import uses (deputies import it too):
a code that does not exist and a code outside the actor's scope get the same answer, so an import
cannot be used to probe other regions.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet

from lianxin.accounts.models import User
from lianxin.accounts.roles import Perm
from lianxin.core.audit import audit_record, model_changes
from lianxin.core.errors import PermissionDenied
from lianxin.core.tabular import (
    Boolean,
    Choice,
    Column,
    Digits,
    ImportResult,
    Integer,
    Number,
    Phone,
    Progress,
    Row,
    Text,
    read_sheet,
    write_xlsx,
)
from lianxin.regions.models import Grid, GridKind, Region, RegionLevel
from lianxin.venues.models import Place, PlaceKind, RoomKind

REGION_NOT_FOUND = "区划代码不存在或不在您的管辖范围内"
GRID_NOT_FOUND = "网格编码不存在或不在您的管辖范围内"

# 6- and 9-digit codes (330521, 330521001) are the same regions written short.
REGION_CODE = Digits(12, "区划代码", shorter=(6, 9))


def actor_may_manage(actor: User | None, region_path: str) -> bool:
    """actor None is the system (management commands, data migrations)."""
    return actor is None or actor.has_perm_in(Perm.MANAGE_REGISTRY, region_path)


def require_manage_somewhere(actor: User | None) -> None:
    if actor is not None and not actor.has_perm_anywhere(Perm.MANAGE_REGISTRY):
        raise PermissionDenied("您没有导入组织数据的权限")


class RegionsInScope:
    """The regions named in a sheet, read in one query; `get` answers None for unknown and out-of-scope."""

    def __init__(self, *, actor: User | None, codes: Iterable[str]) -> None:
        self.actor = actor
        wanted = {code for code in codes if code}
        self.by_code = {region.code: region for region in Region.objects.filter(code__in=wanted)}

    def get(self, code: str | None) -> Region | None:
        region = self.by_code.get(code or "")
        if region is None or not actor_may_manage(self.actor, region.path):
            return None
        return region


def level_label(level: str) -> str:
    return str(RegionLevel(level).label)


# --------------------------------------------------------------------------------------------------
# Places

PLACE_COLUMNS = [
    Column("名称", "name", required=True, parse=Text(100), aliases=("家站室名称",)),
    Column(
        "类型",
        "kind",
        required=True,
        parse=Choice(
            PlaceKind,
            aliases={
                "之家": PlaceKind.HOME,
                "工作站": PlaceKind.STATION,
                "联络站": PlaceKind.STATION,
                "联络室": PlaceKind.ROOM,
                "联络点": PlaceKind.ROOM,
                "代表联络点": PlaceKind.ROOM,
                "服务窗": PlaceKind.WINDOW,
                "履职岗": PlaceKind.POST,
            },
        ),
    ),
    Column("联络室类别", "room_kind", parse=Choice(RoomKind)),
    Column("所在区划代码", "region_code", required=True, parse=REGION_CODE),
    Column("网格编码", "grid_code", parse=Text(32)),
    Column("所属代表之家", "hub_name", parse=Text(100)),
    Column("地址", "address", parse=Text(200)),
    # Mainland China lies within these bounds; a swapped latitude and longitude falls outside them.
    Column("纬度", "lat", parse=Number(3, 54), default=None),
    Column("经度", "lng", parse=Number(73, 136), default=None),
    Column("开放时间", "opening_hours", parse=Text(200)),
    Column("联系电话", "phone", parse=Phone()),
]
# Shown in exports for people; the import ignores them.
PLACE_EXPORT_COLUMNS = [
    *PLACE_COLUMNS,
    Column("所在区划", "region_name"),
    Column("站码链接", "public_url"),
    Column("启用", "is_active", parse=Boolean()),
]
PLACE_FIELDS = ["kind", "room_kind", "address", "lat", "lng", "opening_hours", "phone"]


@dataclass
class _PlanRow:
    row: Row
    region: Region
    grid: Grid | None = None
    hub_key: tuple[int, str] | None = None  # (region id, name) of the home it belongs to


def places_import(
    *, actor: User | None, file: IO[bytes] | bytes, filename: str, progress: Progress | None = None
) -> ImportResult:
    """Create or update places from a sheet (PLACE_COLUMNS). A place is identified by its region and
    name. All-or-nothing; importing the same file twice changes nothing the second time."""
    require_manage_somewhere(actor)
    sheet = read_sheet(file=file, filename=filename, columns=PLACE_COLUMNS)
    with transaction.atomic():
        regions = RegionsInScope(actor=actor, codes=(row.get("region_code") for row in sheet.rows))
        grid_codes = {row.get("grid_code") for row in sheet.rows if row.get("grid_code")}
        grids = {grid.code: grid for grid in Grid.objects.select_related("region").filter(code__in=grid_codes)}
        ancestor_codes = {code for region in regions.by_code.values() for code in region.path.split("/") if code}
        counties = {
            region.code
            for region in Region.objects.filter(code__in=ancestor_codes, level=RegionLevel.COUNTY).only("code")
        }

        plans: list[_PlanRow] = []
        seen: dict[tuple[str, str], int] = {}
        for row in sheet.rows:
            region = regions.get(row.get("region_code")) if row.ok("region_code") else None
            if row.ok("region_code") and region is None:
                sheet.error(row, "region_code", REGION_NOT_FOUND)
            kind, room_kind = row.get("kind"), row.get("room_kind")
            if room_kind and row.ok("kind") and kind != PlaceKind.ROOM:
                sheet.error(row, "room_kind", "只有“代表联络室”可以填写联络室类别")
            if row.ok("lat", "lng") and (row.get("lat") is None) != (row.get("lng") is None):
                missing = "lat" if row.get("lat") is None else "lng"
                sheet.error(row, missing, "纬度和经度应同时填写")
            if row.ok("region_code", "name") and region is not None:
                key = (region.code, row["name"])
                if key in seen:
                    sheet.error(row, "name", f"与第{seen[key]}行重复（同一区划下的同名家站室）")
                else:
                    seen[key] = row.number
            if region is None:
                continue
            plan = _PlanRow(row=row, region=region)
            grid_code = row.get("grid_code")
            if grid_code:
                grid = grids.get(grid_code)
                if grid is None or not actor_may_manage(actor, grid.region.path):
                    sheet.error(row, "grid_code", GRID_NOT_FOUND)
                elif not region.contains(grid.region):
                    sheet.error(row, "grid_code", f"网格“{grid.name}”不在所在区划“{region.name}”之内")
                else:
                    plan.grid = grid
            plans.append(plan)

        existing = _existing_places(plans)
        _resolve_hubs(sheet, plans, existing, counties)
        for plan in plans:
            place = existing.get((plan.region.pk, plan.row.get("name")))
            if (
                place is not None
                and place.kind == PlaceKind.HOME
                and plan.row.ok("kind")
                and plan.row.get("kind") != PlaceKind.HOME
                and place.spokes.exists()
            ):
                sheet.error(plan.row, "kind", f"“{place.name}”下还有站室隶属于它，不能改为其他类型")
        sheet.raise_if_errors()

        created = updated = unchanged = 0
        # Homes first, so that a station may name a home that appears further down the sheet.
        ordered = sorted(plans, key=lambda p: (p.row.get("kind") != PlaceKind.HOME, p.row.number))
        for index, plan in enumerate(ordered):
            if progress is not None:
                progress(index, len(ordered), "正在写入家站室")
            outcome = _place_save(actor=actor, plan=plan, present=sheet.present, existing=existing, filename=filename)
            created += outcome == "created"
            updated += outcome == "updated"
            unchanged += outcome == "unchanged"
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _existing_places(plans: list[_PlanRow]) -> dict[tuple[int, str], Place]:
    names = {plan.row.get("name") for plan in plans}
    region_ids = {plan.region.pk for plan in plans}
    existing: dict[tuple[int, str], Place] = {}
    for place in Place.objects.filter(region_id__in=region_ids, name__in=names).order_by("pk"):
        existing.setdefault((place.region_id, place.name), place)
    return existing


def _county_path(region: Region, counties: set[str]) -> str:
    """The path of the county the region lies in, or the region's own path above county level."""
    prefix = ""
    for code in (c for c in region.path.split("/") if c):
        prefix += f"{code}/"
        if code in counties:
            return prefix
    return region.path


def _resolve_hubs(
    sheet: Any, plans: list[_PlanRow], existing: dict[tuple[int, str], Place], counties: set[str]
) -> None:
    """`所属代表之家` names a home in the same county: one already registered or one in this sheet."""
    wanted = [plan for plan in plans if plan.row.get("hub_name")]
    if not wanted:
        return
    county_paths = {_county_path(plan.region, counties) for plan in wanted}
    names = {plan.row["hub_name"] for plan in wanted}
    homes: dict[tuple[int, str], str] = {}  # (region id, name) → region path
    for path in county_paths:
        for home in Place.objects.filter(
            kind=PlaceKind.HOME, name__in=names, region__path__startswith=path
        ).select_related("region"):
            homes[(home.region_id, home.name)] = home.region.path
            # Same identity as a sheet row would give it, so a row naming this place updates it.
            existing.setdefault((home.region_id, home.name), home)
    for plan in plans:
        if plan.row.get("kind") == PlaceKind.HOME and plan.row.ok("name"):
            homes[(plan.region.pk, plan.row["name"])] = plan.region.path
    for plan in wanted:
        row = plan.row
        if row.get("kind") == PlaceKind.HOME:
            sheet.error(row, "hub_name", "代表之家本身是中心，不能再隶属于其他代表之家")
            continue
        county = _county_path(plan.region, counties)
        matches = [key for key, path in homes.items() if key[1] == row["hub_name"] and path.startswith(county)]
        if not matches:
            sheet.error(row, "hub_name", f"本县（区）内没有名为“{row['hub_name']}”的代表之家")
        elif len(matches) > 1:
            sheet.error(
                row, "hub_name", f"本县（区）内有{len(matches)}个名为“{row['hub_name']}”的代表之家，请先改名以区分"
            )
        else:
            plan.hub_key = matches[0]


def _place_save(
    *,
    actor: User | None,
    plan: _PlanRow,
    present: frozenset[str],
    existing: dict[tuple[int, str], Place],
    filename: str,
) -> str:
    row = plan.row
    values: dict[str, Any] = {key: row[key] for key in PLACE_FIELDS if key in present}
    values["kind"] = row["kind"]
    if values["kind"] != PlaceKind.ROOM:
        values["room_kind"] = ""
    if "grid_code" in present:
        values["grid_id"] = plan.grid.pk if plan.grid else None
    if "hub_name" in present:
        values["hub_id"] = existing[plan.hub_key].pk if plan.hub_key else None
    key = (plan.region.pk, row["name"])
    place = existing.get(key)
    note = f"导入 {filename} 第{row.number}行"
    if place is None:
        place = Place(region=plan.region, name=row["name"], **values)
        place.save()
        existing[key] = place
        audit_record(
            actor=actor,
            action="place.create",
            obj=place,
            region_path=plan.region.path,
            changes=model_changes(place, {}, ["name", "region_id", *values]),
            note=note,
        )
        return "created"
    before = {name: getattr(place, name) for name in values}
    for name, value in values.items():
        setattr(place, name, value)
    changes = model_changes(place, before, list(values))
    if not changes:
        return "unchanged"
    place.save(update_fields=list(values))
    audit_record(
        actor=actor, action="place.update", obj=place, region_path=plan.region.path, changes=changes, note=note
    )
    return "updated"


def places_export_xlsx(queryset: QuerySet[Place]) -> bytes:
    places = queryset.select_related("region", "grid", "hub").order_by("region__path", "kind", "name", "pk")
    rows = (
        {
            "name": place.name,
            "kind": place.kind,
            "room_kind": place.room_kind,
            "region_code": place.region.code,
            "grid_code": place.grid.code if place.grid else "",
            "hub_name": place.hub.name if place.hub else "",
            "address": place.address,
            "lat": place.lat,
            "lng": place.lng,
            "opening_hours": place.opening_hours,
            "phone": place.phone,
            "region_name": place.region.name,
            "public_url": place.public_url,
            "is_active": place.is_active,
        }
        for place in places
    )
    return write_xlsx(PLACE_EXPORT_COLUMNS, rows, title="家站室")


# --------------------------------------------------------------------------------------------------
# Grids and regions (imported elsewhere: regions by CSV, grids with their polygons)

GRID_EXPORT_COLUMNS = [
    Column("网格编码", "code", parse=Text()),
    Column("网格名称", "name", parse=Text()),
    Column("网格类型", "kind", parse=Choice(GridKind)),
    Column("所属村社区代码", "region_code", parse=REGION_CODE),
    Column("所属村社区", "region_name"),
    Column("户数", "households", parse=Integer(0)),
    Column("人口", "population", parse=Integer(0)),
    Column("中心纬度", "centroid_lat", parse=Number()),
    Column("中心经度", "centroid_lng", parse=Number()),
]


def grids_export_xlsx(queryset: QuerySet[Grid]) -> bytes:
    grids = queryset.select_related("region").order_by("code")
    rows = (
        {
            "code": grid.code,
            "name": grid.name,
            "kind": grid.kind,
            "region_code": grid.region.code,
            "region_name": grid.region.name,
            "households": grid.households,
            "population": grid.population,
            "centroid_lat": grid.centroid_lat,
            "centroid_lng": grid.centroid_lng,
        }
        for grid in grids
    )
    return write_xlsx(GRID_EXPORT_COLUMNS, rows, title="网格")


REGION_EXPORT_COLUMNS = [
    Column("区划代码", "code", parse=REGION_CODE),
    Column("名称", "name", parse=Text()),
    Column("层级", "level", parse=Choice(RegionLevel)),
    Column("上级区划代码", "parent_code", parse=REGION_CODE),
    Column("上级区划", "parent_name"),
]


def regions_export_xlsx(queryset: QuerySet[Region]) -> bytes:
    regions = queryset.select_related("parent").order_by("path")
    rows = (
        {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "parent_code": region.parent.code if region.parent else "",
            "parent_name": region.parent.name if region.parent else "",
        }
        for region in regions
    )
    return write_xlsx(REGION_EXPORT_COLUMNS, rows, title="行政区划")
