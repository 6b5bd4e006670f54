"""Input (filter) and output schemas of API v1. Separate from the models: the API's shape is a promise.

Resolvers only read what the selectors have already loaded; contact details come from the selectors'
`*_contact_for` helpers, with the authenticated user from the request context.
"""

import datetime
from typing import Any

from ninja import Field, Schema

from lianxin.deputies.models import GroupKind, MandateLevel, MandateStatus
from lianxin.deputies.selectors import deputy_contact_for, grid_worker_phone_for, group_liaison_phone_for
from lianxin.regions.models import GridKind, RegionLevel
from lianxin.venues.models import PlaceKind

REGION_CODE_PATTERN = r"^\d{12}$"


def _choices(choices: Any) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices.choices)


def _user(context: Any) -> Any:
    return context["request"].auth


# Errors ---------------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str = Field(..., description="稳定的错误代码，供程序判断")
    message: str = Field(..., description="给人看的中文说明，指明出错的字段")
    field: str | None = Field(None, description="出错的字段（如有）")


class FieldErrorOut(Schema):
    field: str = Field(..., description="参数名")
    location: str = Field(..., description="参数位置：query、path、body 或 header")
    code: str = Field(..., description="错误类型")
    message: str = Field(..., description="中文说明")


class ValidationErrorOut(Schema):
    code: str = Field(..., description="固定为 invalid_input")
    message: str = Field(..., description="中文说明，指明出错的参数")
    errors: list[FieldErrorOut]


# Filters --------------------------------------------------------------------------------------------------


class RegionFilters(Schema):
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：只列出该区划及其所有下级")
    parent: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：只列出其直接下级")
    level: RegionLevel | None = Field(None, description=f"层级：{_choices(RegionLevel)}")
    q: str | None = Field(None, max_length=50, description="按名称或代码前缀搜索")


class GridFilters(Schema):
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：只列出该区划内的网格")
    kind: GridKind | None = Field(None, description=f"网格类型：{_choices(GridKind)}")
    q: str | None = Field(None, max_length=50, description="按名称或编码搜索")


class LocateQuery(Schema):
    lat: float = Field(..., ge=-90, le=90, description="纬度（WGS-84）")
    lng: float = Field(..., ge=-180, le=180, description="经度（WGS-84）")


class DeputyFilters(Schema):
    region: str | None = Field(
        None,
        pattern=REGION_CODE_PATTERN,
        description="12位区划代码：人大所在区划、选区所在区划或所进网格位于该区划及其下级的代表",
    )
    level: MandateLevel | None = Field(None, description=f"代表层级：{_choices(MandateLevel)}")
    status: MandateStatus | None = Field(
        None, description=f"代表资格状态（默认全部）：{_choices(MandateStatus)}；与 level 同时给出时须为同一代表资格"
    )
    grid: str | None = Field(None, max_length=32, description="网格编码：只列出编入该网格的代表")
    specialty: str | None = Field(None, max_length=50, description="专业特长（完整匹配其中一项）")
    q: str | None = Field(None, max_length=50, description="按姓名、职业、工作单位或专业特长搜索")


class GroupFilters(Schema):
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其下级的小组")
    kind: GroupKind | None = Field(None, description=f"小组类型：{_choices(GroupKind)}")
    q: str | None = Field(None, max_length=50, description="按名称搜索")


class PlaceFilters(Schema):
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其下级的家站室")
    kind: PlaceKind | None = Field(None, description=f"类型：{_choices(PlaceKind)}")
    q: str | None = Field(None, max_length=50, description="按名称或地址搜索")


# References -----------------------------------------------------------------------------------------------


class RegionRef(Schema):
    code: str = Field(..., description="12位区划代码")
    name: str


class GridRef(Schema):
    code: str = Field(..., description="网格编码")
    name: str


class DeputyRef(Schema):
    id: int
    name: str


class PlaceRef(Schema):
    id: int
    name: str


# Regions and grids ----------------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str = Field(..., description="12位区划代码")
    name: str
    level: str = Field(..., description=f"层级：{_choices(RegionLevel)}")
    level_label: str
    parent_code: str | None = Field(None, description="上级区划代码")
    path: str = Field(..., description="自顶层起的区划代码链，以 / 分隔")
    depth: int = Field(..., description="层级深度：0 为省")

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class CentroidOut(Schema):
    lat: float
    lng: float


class GridOut(Schema):
    code: str = Field(..., description="网格编码")
    name: str
    region: RegionRef = Field(..., description="所属村/社区")
    kind: str = Field(..., description=f"网格类型：{_choices(GridKind)}")
    kind_label: str
    households: int = Field(..., description="户数")
    population: int = Field(..., description="人口")
    centroid: CentroidOut | None = Field(None, description="中心点（WGS-84），未绘制边界时为 null")
    deputy_count: int = Field(..., description="编入该网格的代表人数")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_centroid(obj: Any) -> dict[str, float] | None:
        if obj.centroid_lat is None or obj.centroid_lng is None:
            return None
        return {"lat": obj.centroid_lat, "lng": obj.centroid_lng}


class GridDetailOut(GridOut):
    polygon: dict[str, Any] | None = Field(None, description="边界（GeoJSON）")
    deputies: list[DeputyRef] = Field(..., description="编入该网格的代表")

    @staticmethod
    def resolve_deputies(obj: Any) -> list[Any]:
        return sorted((a.deputy for a in obj.deputy_assignments.all()), key=lambda d: (d.name, d.id))


# Deputies and groups --------------------------------------------------------------------------------------


class DeputyContactOut(Schema):
    phone: str = Field(..., description="手机号")
    id_number: str = Field(..., description="身份证号")
    address: str = Field(..., description="联系地址")


class MandateOut(Schema):
    level: str = Field(..., description=f"层级：{_choices(MandateLevel)}")
    level_label: str
    term: int = Field(..., description="届次，如 17 表示第十七届")
    status: str = Field(..., description=f"状态：{_choices(MandateStatus)}")
    status_label: str
    congress_region: RegionRef = Field(..., description="人大所在区划")
    district_name: str = Field(..., description="选区/原选举单位")
    district_region: RegionRef | None = Field(None, description="选区所在区划")
    is_standing_committee: bool = Field(..., description="是否常委会组成人员")

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()


class DeputyOut(Schema):
    id: int
    name: str
    gender: str
    gender_label: str
    occupation: str = Field(..., description="职业")
    employer: str = Field(..., description="工作单位及职务")
    specialties: list[str] = Field(..., description="专业特长")
    mandates: list[MandateOut] = Field(..., description="各级代表资格（层级、届次、状态）")
    public_url: str = Field(..., description="公开页地址，即代表二维码所编码的地址")
    photo_url: str | None = Field(None, description="照片地址")
    contact: DeputyContactOut | None = Field(
        None, description="联系方式：仅对在该代表所属区划拥有“查看联系方式”权限的用户提供，其他用户为 null"
    )

    @staticmethod
    def resolve_gender_label(obj: Any) -> str:
        return obj.get_gender_display()

    @staticmethod
    def resolve_photo_url(obj: Any) -> str | None:
        return obj.photo.url if obj.photo else None

    @staticmethod
    def resolve_contact(obj: Any, context: Any) -> dict[str, str] | None:
        contact = deputy_contact_for(user=_user(context), deputy=obj)
        return None if contact is None else vars(contact)


class DeputyGridOut(Schema):
    code: str
    name: str
    region: RegionRef
    basis: str = Field(..., description="编入依据")
    basis_label: str


class GroupRef(Schema):
    id: int
    kind: str
    kind_label: str
    name: str


class GridWorkerOut(Schema):
    id: int
    name: str
    grid: GridRef
    phone: str | None = Field(None, description="手机号：无“查看联系方式”权限时为 null")


class DeputyDetailOut(DeputyOut):
    ethnicity: str = Field(..., description="民族")
    political_affiliation: str = Field(..., description="政治面貌")
    education: str = Field(..., description="学历")
    bio: str = Field(..., description="公开简介")
    grids: list[DeputyGridOut] = Field(..., description="所进网格")
    groups: list[GroupRef] = Field(..., description="所在代表小组")
    grid_workers: list[GridWorkerOut] = Field(..., description="结对网格员（代表+网格员）")

    @staticmethod
    def resolve_grids(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "code": a.grid.code,
                "name": a.grid.name,
                "region": a.grid.region,
                "basis": a.basis,
                "basis_label": a.get_basis_display(),
            }
            for a in obj.grid_assignments.all()
        ]

    @staticmethod
    def resolve_groups(obj: Any) -> list[dict[str, Any]]:
        return [
            {"id": g.id, "kind": g.kind, "kind_label": g.get_kind_display(), "name": g.name} for g in obj.groups.all()
        ]

    @staticmethod
    def resolve_grid_workers(obj: Any, context: Any) -> list[dict[str, Any]]:
        user = _user(context)
        return [
            {
                "id": p.grid_worker.id,
                "name": p.grid_worker.name,
                "grid": p.grid_worker.grid,
                "phone": grid_worker_phone_for(user=user, worker=p.grid_worker),
            }
            for p in obj.worker_pairings.all()
        ]


class GroupOut(Schema):
    id: int
    kind: str = Field(..., description=f"类型：{_choices(GroupKind)}")
    kind_label: str
    name: str
    region: RegionRef = Field(..., description="所属区划")
    leader: DeputyRef | None = Field(None, description="组长")
    place: PlaceRef | None = Field(None, description="依托家站")
    member_count: int = Field(..., description="成员人数")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()


class GroupDetailOut(GroupOut):
    liaison_name: str = Field(..., description="联络员")
    liaison_phone: str | None = Field(None, description="联络员电话：无“查看联系方式”权限时为 null")
    members: list[DeputyRef] = Field(..., description="成员")
    grids: list[GridRef] = Field(..., description="结对共建的网格")

    @staticmethod
    def resolve_liaison_phone(obj: Any, context: Any) -> str | None:
        return group_liaison_phone_for(user=_user(context), group=obj)

    @staticmethod
    def resolve_grids(obj: Any) -> list[Any]:
        return [p.grid for p in obj.grid_pairings.all()]


# Places ---------------------------------------------------------------------------------------------------


class PlaceOut(Schema):
    id: int
    kind: str = Field(..., description=f"类型：{_choices(PlaceKind)}")
    kind_label: str
    room_kind: str = Field(..., description="联络室类别（仅联络室）")
    room_kind_label: str
    name: str
    region: RegionRef = Field(..., description="所在区划")
    grid: GridRef | None = Field(None, description="所在网格")
    address: str
    lat: float | None = Field(None, description="纬度（WGS-84）")
    lng: float | None = Field(None, description="经度（WGS-84）")
    opening_hours: str = Field(..., description="开放时间")
    phone: str = Field(..., description="家站室的公开联系电话")
    hub: PlaceRef | None = Field(None, description="所属代表之家（一心多极）")
    public_url: str = Field(..., description="公开页地址，即站码所编码的地址")
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_room_kind_label(obj: Any) -> str:
        return obj.get_room_kind_display() if obj.room_kind else ""


class DutyShiftOut(Schema):
    date: datetime.date
    start_time: datetime.time
    end_time: datetime.time
    deputy: DeputyRef
    note: str


class PlaceDetailOut(PlaceOut):
    upcoming_shifts: list[DutyShiftOut] = Field(..., description="即将到来的接待排班（今天起，按时间排序）")
