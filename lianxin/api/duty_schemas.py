"""Input and output schemas of the duties API (履职活动与履职积分). Separate from the models: the API's shape is a promise.

Inputs are `LabelledIn` like the cases and suggestions APIs: a bad field answers 422 naming the field in Chinese;
what the services check beyond the types (an end before the start, a reception entered as an activity, a code that
does not open) answers 400 the same way. The list's resolvers read only what the view loaded (region, place, the
attendances with their deputy): a page of twenty costs the queries of a page of one.
"""

import datetime
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ninja import Field, Schema

from lianxin.api.case_schemas import LabelledIn
from lianxin.api.schemas import REGION_CODE_PATTERN, DeputyRef, PlaceRef, RegionRef, _choices
from lianxin.deputies.models import MandateLevel
from lianxin.duties.models import ActivityKind, ActivityStatus, AttendanceStatus, ScoreSource, SignInMethod
from lianxin.duties.services import can_organise

# Kinds an activity may be created with: receptions are recorded by the cases app and counted from there.
CREATABLE_KINDS = [(value, label) for value, label in ActivityKind.choices if value != ActivityKind.RECEPTION]


def _api_enum(name: str, pairs: Any) -> Any:
    """The model's choices under a name of the API's own (OpenAPI components are keyed by name)."""
    return enum.StrEnum(name, {str(value).upper(): value for value, _label in pairs})


if TYPE_CHECKING:
    KindFilter = ActivityKind
    KindIn = ActivityKind
else:
    KindFilter = _api_enum("ActivityKind", ActivityKind.choices)
    KindIn = _api_enum("ActivityKindIn", CREATABLE_KINDS)


class AttendeeOut(Schema):
    deputy: DeputyRef
    status: str = Field(..., description=f"出席情况：{_choices(AttendanceStatus)}")
    status_label: str
    invited: bool = Field(..., description="受邀；未受邀而扫码签到的代表为 false")
    signed_in_at: datetime.datetime | None = Field(None, description="签到时间")
    method: str = Field(..., description=f"签到方式：{_choices(SignInMethod)}；未签到为空")

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(AttendanceStatus(obj.status).label)


class ActivityOut(Schema):
    id: int
    kind: str = Field(..., description=f"活动类型：{_choices(ActivityKind)}")
    kind_label: str
    title: str = Field(..., description="名称（原样保存，请按文本显示）")
    status: str = Field(..., description=f"状态：{_choices(ActivityStatus)}")
    status_label: str
    region: RegionRef = Field(..., description="活动所在区划")
    place: PlaceRef | None = Field(None, description="家站室（如在家站室举行）")
    location: str = Field(..., description="地点")
    organiser_name: str = Field(..., description="组织单位")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    hours: Decimal | None = Field(None, description="学时（培训）")
    outcome: str = Field(..., description="活动成果（举行后填写）")
    attendees: list[AttendeeOut] = Field(..., description="受邀和签到的代表及其出席情况，按姓氏笔画排序")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(ActivityKind(obj.kind).label)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(ActivityStatus(obj.status).label)

    @staticmethod
    def resolve_attendees(obj: Any) -> list[Any]:
        return list(obj.attendances.all())


class ActivityDetailOut(ActivityOut):
    signin_code: str | None = Field(
        None, description="签到码（生成签到二维码用）：仅对可组织该活动的工作人员给出，其他人为 null"
    )

    @staticmethod
    def resolve_signin_code(obj: Any, context: Any) -> str | None:
        return obj.signin_code if can_organise(context["request"].auth, obj.region) else None


class ActivityFilters(Schema):
    kind: KindFilter | None = Field(None, description=f"活动类型：{_choices(ActivityKind)}")
    from_: datetime.date | None = Field(None, alias="from", description="开始日期（含），北京时间")
    to: datetime.date | None = Field(None, description="结束日期（含），北京时间")
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其下级的活动")
    deputy: int | None = Field(None, ge=1, le=2**31 - 1, description="代表 id：该代表受邀或签到的活动")


class ActivityIn(LabelledIn):
    kind: KindIn = Field(
        ..., title="活动类型", description=f"活动类型：{'、'.join(f'{v}（{lb}）' for v, lb in CREATABLE_KINDS)}"
    )
    title: str = Field(..., title="名称", min_length=1, max_length=120)
    region: str = Field(..., title="区划代码", pattern=REGION_CODE_PATTERN, description="活动所在区划的12位代码")
    starts_at: datetime.datetime = Field(..., title="开始时间", description="带时区，如 2026-03-05T09:00:00+08:00")
    ends_at: datetime.datetime = Field(..., title="结束时间")
    place: int | None = Field(None, title="家站室", ge=1, le=2**31 - 1, description="家站室 id（在家站室举行时）")
    location: str = Field("", title="地点", max_length=200)
    organiser_name: str = Field("", title="组织单位", max_length=100)
    hours: Decimal | None = Field(None, title="学时", description="培训的学时")
    invited: list[int] = Field(default_factory=list, title="受邀代表", max_length=500, description="受邀代表的 id")


class SignInIn(LabelledIn):
    code: str = Field(..., title="签到码", min_length=1, max_length=64, description="活动二维码中的签到码")
    lat: float | None = Field(None, title="纬度", ge=-90, le=90, description="手机定位的纬度（可选，与经度同时给出）")
    lng: float | None = Field(None, title="经度", ge=-180, le=180)


class SignInOut(AttendeeOut):
    activity: int = Field(..., description="活动 id")

    @staticmethod
    def resolve_activity(obj: Any) -> int:
        return int(obj.activity_id)


class DutiesQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认为今年")


class ScoreItemOut(Schema):
    id: int
    name: str = Field(..., description="计分项目")
    source: str = Field(..., description=f"计分方式：{_choices(ScoreSource)}")
    points: Decimal = Field(..., description="得分（按记录计算的已封顶；自评项目经组织评定后计入）")
    max: Decimal = Field(..., description="该项最高分")
    pending: bool = Field(..., description="代表已自评、尚待组织评定（得分暂计 0）")


class CongressScoreOut(Schema):
    congress: RegionRef = Field(..., description="人大所在区划")
    level: str = Field(..., description=f"人大层级：{_choices(MandateLevel)}")
    level_label: str
    total: Decimal = Field(..., description="总分")
    items: list[ScoreItemOut]


class KindCountOut(Schema):
    kind: str = Field(..., description=f"活动类型：{_choices(ActivityKind)}；reception 为接待选民（坐诊、巡诊）")
    kind_label: str
    count: int = Field(..., description="该年度已签到（接待为已接待）的次数")


class DutiesOut(Schema):
    deputy: DeputyRef
    year: int
    scores: list[CongressScoreOut] = Field(
        ..., description="该年度在各级人大的履职积分及各项明细；未设计分项目的人大不列出"
    )
    activities: list[KindCountOut] = Field(..., description="该年度各类履职活动的次数（每种类型一行）")
