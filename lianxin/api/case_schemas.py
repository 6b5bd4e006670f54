"""Input and output schemas of the cases API (意见建议). Separate from the models: the API's shape is a promise.

Inputs answer bad fields with 422 {"code", "message", "field"} and a message that names the field in Chinese
("标题: 必须提供"), the same body the services' DomainErrors have; see `LabelledIn`.
"""

import datetime
from typing import Any

import pydantic
from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError

from lianxin.api.errors import translate_validation_errors
from lianxin.api.schemas import REGION_CODE_PATTERN, DeputyRef, GridRef, PlaceRef, RegionRef, _choices, _user
from lianxin.cases.intake.check import registered_at_problem
from lianxin.cases.intake.rules import BODY_LIMIT, TITLE_LIMIT
from lianxin.cases.models import (
    Channel,
    Handling,
    Rating,
    ReceptionKind,
    ReplyVia,
    Scope,
    Status,
    SubmissionStatus,
    Urgency,
)
from lianxin.cases.selectors import case_contact_visible
from lianxin.cases.workflow import Action, available_actions
from lianxin.core.errors import DomainError

# Errors ---------------------------------------------------------------------------------------------------


class InvalidInput(DomainError):
    status = 422


_CODES = {"missing": "field_required", "string_too_long": "field_too_long"}


def _reject_nul(value: Any) -> Any:
    # PostgreSQL cannot store NUL in text, and no person types it: a client bug or a probe, refused loudly.
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("lianxin", "不能包含空字符（\\x00）")
    return value


class LabelledIn(Schema):
    """An input whose errors name the field by its Chinese title.

    ninja's own 422 names parameters as they are spelled in code ("参数 title: 必须提供"); people filling in a
    form read "标题: 必须提供". A wrap validator turns pydantic's errors into InvalidInput, which the API maps to
    422 like every DomainError; pydantic lets exceptions other than ValueError pass through untouched.
    """

    model_config = pydantic.ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _labelled_errors(cls, data: Any, handler: Any) -> Any:
        try:
            return handler(data)
        except pydantic.ValidationError as exc:
            raise cls._invalid(exc) from None

    @classmethod
    def _invalid(cls, exc: pydantic.ValidationError) -> InvalidInput:
        raw = exc.errors()
        parts, first_field, first_code = [], None, "field_invalid"
        for error, translated in zip(raw, translate_validation_errors([dict(e) for e in raw]), strict=True):
            loc = [str(part) for part in error.get("loc", ())]
            name = loc[0] if loc else ""
            info = cls.model_fields.get(name)
            label = (info.title if info is not None else None) or name or "请求"
            if error["type"] == "extra_forbidden":
                message = "不支持该字段"
            elif error["type"] == "lianxin":
                message = str(error["msg"])
            else:
                message = translated["message"]
            if len(loc) > 1:
                label = f"{label}.{'.'.join(loc[1:])}"
            parts.append(f"{label}: {message}")
            if first_field is None:
                first_field, first_code = name or None, _CODES.get(error["type"], "field_invalid")
        return InvalidInput(first_code, "；".join(parts), field=first_field)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _reject_nul(value)


class CaseErrorOut(Schema):
    code: str = Field(..., description="稳定的错误代码，如 field_required、location_outside、case_conflict")
    message: str = Field(..., description="给人看的中文说明，指明出错的字段")
    field: str | None = Field(None, description="出错的字段（如有）")


# References -----------------------------------------------------------------------------------------------


class CategoryRef(Schema):
    code: str
    name: str


class UnitRef(Schema):
    id: int
    name: str


class CaseRef(Schema):
    id: int
    receipt_code: str
    title: str


class SimilarOut(Schema):
    case: CaseRef
    status: str = Field(..., description="该件的状态")
    region: RegionRef
    score: float = Field(..., description="相似度，0 到 1")

    @staticmethod
    def of(duplicate: Any) -> dict[str, Any]:
        case = duplicate.case
        return {"case": case, "status": case.status, "region": case.region, "score": round(duplicate.score, 3)}


class CategoryOut(Schema):
    code: str = Field(..., description="类别编码，登记和受理时使用（也是 Open311 的 service_code）")
    name: str
    description: str


class UnitOut(Schema):
    id: int
    name: str
    region: RegionRef = Field(..., description="单位所在的政府层级")
    contact_name: str = Field(..., description="单位联系人")
    contact_phone: str = Field(..., description="单位联系电话（公务电话）")


# Cases ----------------------------------------------------------------------------------------------------


class CaseIn(LabelledIn):
    channel: Channel = Field(..., title="渠道", description=f"渠道：{_choices(Channel)}")
    title: str = Field(
        "", title="标题", max_length=TITLE_LIMIT, description="标题，不超过100字；省略时取内容的第一行（前30字）"
    )
    body: str = Field(..., title="内容", min_length=1, max_length=BODY_LIMIT, description="内容，不超过5000字")
    region: str | None = Field(
        None, title="所在区划", pattern=REGION_CODE_PATTERN, description="问题所在的县、乡镇或村（社区）的12位代码"
    )
    place: int | None = Field(None, title="家站室", description="接待的家站室 id")
    deputy: int | None = Field(
        None, title="接待代表", description="接待或收到意见的代表 id；代表本人登记时可省略，默认为本人"
    )
    grid: str | None = Field(None, title="网格", max_length=32, description="网格编码")
    grid_worker: int | None = Field(
        None, title="上报网格员", description="上报的网格员 id；网格员本人登记时可省略，默认为本人"
    )
    session: int | None = Field(None, title="接待活动", description="所属接待活动 id（须未结束）")
    category: str | None = Field(None, title="类别", max_length=40, description="类别编码，见 GET /categories")
    lat: float | None = Field(None, title="纬度", ge=-90, le=90, description="纬度（WGS-84），须与经度同时提供")
    lng: float | None = Field(None, title="经度", ge=-180, le=180, description="经度（WGS-84）")
    address: str = Field("", title="地点", max_length=200)
    person_name: str = Field("", title="反映人", max_length=50)
    person_phone: str = Field("", title="联系电话", max_length=20, description="11位手机号或带区号的固定电话")
    is_anonymous: bool = Field(False, title="匿名", description="匿名时不保存姓名和电话")
    reply_via: ReplyVia | None = Field(
        None,
        title="回复方式",
        description=(
            f"回复方式：{_choices(ReplyVia)}。省略时按联系方式确定（与其他渠道相同）：留了电话的，线上问诊发短信、"
            "其他渠道打电话；未留电话的凭查询码在线查看"
        ),
    )
    people_count: int = Field(1, title="反映人数", ge=1, le=10000, description="联名或集体反映的人数")
    external_id: str = Field("", title="外部编号", max_length=64, description="如 12345 工单号")
    registered_at: datetime.datetime | None = Field(
        None,
        title="登记时间",
        description="补录纸质登记簿时填写实际接待时间，默认为现在；不能早于2000年1月1日，不能晚于现在",
    )

    @field_validator("registered_at")
    @classmethod
    def _in_the_sane_window(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        problem = registered_at_problem(value)  # case_check asks the same again
        if problem is not None:
            raise PydanticCustomError("lianxin", problem)
        return value


class SubmissionOut(Schema):
    receipt_code: str = Field(..., description="查询码：收到时即发给群众，登记后的件沿用同一查询码")
    status: str = Field(
        ...,
        description=(
            "queued（已收到，正在登记）、registered（已登记）、rejected（未能登记，error 给出原因）"
            "或 failed（登记时出错，工作人员处理后重新登记）"
        ),
    )
    status_label: str
    received_at: datetime.datetime = Field(..., description="收到时间；登记后的件以此为登记时间，时限由此起算")
    case_id: int | None = Field(None, description="登记后的件的 id（GET /cases/{case_id}），登记前为 null")
    error: CaseErrorOut | None = Field(None, description="未能登记时的原因")
    url: str = Field(..., description="查询本提交进度的地址")

    @staticmethod
    def of(submission: Any) -> dict[str, Any]:
        """The answer as plain data: the intake answer is on the hot path, and resolvers cost ninja more than
        building these seven values here."""
        error = None
        if submission.status == SubmissionStatus.FAILED:
            # The error text is for staff (it may name code or data); the caller learns what happens next.
            error = {"code": "registration_failed", "message": "登记时出错，工作人员处理后将重新登记", "field": None}
        elif submission.error_code:
            error = {
                "code": submission.error_code,
                "message": submission.error_message,
                "field": submission.error_field or None,
            }
        return {
            "receipt_code": submission.receipt_code,
            "status": submission.status,
            "status_label": SubmissionStatus(submission.status).label,
            "received_at": submission.received_at,
            "case_id": submission.case_id,
            "error": error,
            "url": f"/api/v1/submissions/{submission.receipt_code}",
        }


class CaseContactOut(Schema):
    name: str = Field(..., description="反映人姓名")
    phone: str = Field(..., description="联系电话")


class CaseOut(Schema):
    id: int
    receipt_code: str = Field(..., description="查询码（群众凭此查询进度）")
    version: int = Field(..., description="版本号：执行操作时作为 expected_version 传回，防止覆盖他人刚做的处理")
    channel: str = Field(..., description=f"渠道：{_choices(Channel)}")
    channel_label: str
    status: str = Field(..., description=f"状态：{_choices(Status)}")
    status_label: str
    title: str = Field(..., description="标题（原样保存，请按文本显示）")
    region: RegionRef
    category: CategoryRef | None = None
    deputy: DeputyRef | None = None
    place: PlaceRef | None = None
    grid: GridRef | None = None
    unit: UnitRef | None = Field(None, description="承办单位")
    scope: str = Field(..., description=f"问题性质：{_choices(Scope)}")
    urgency: str = Field(..., description=f"紧急程度：{_choices(Urgency)}")
    handling: str = Field(..., description=f"处理方式（未决定时为空）：{_choices(Handling)}")
    is_anonymous: bool
    reply_via: str = Field(..., description=f"回复方式：{_choices(ReplyVia)}")
    people_count: int
    contact: CaseContactOut | None = Field(
        None,
        description=(
            "反映人姓名和电话：仅对在该区划有“查看联系方式”权限的工作人员、收到该件的代表本人、"
            "以及该件承办单位的经办人（须回访）提供，其他用户为 null"
        ),
    )
    is_overdue: bool
    is_supervised: bool
    registered_at: datetime.datetime
    accept_due: datetime.datetime | None = Field(None, description="受理时限")
    reply_due: datetime.datetime | None = Field(None, description="答复时限")

    @staticmethod
    def resolve_channel_label(obj: Any) -> str:
        return str(obj.get_channel_display())

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_deputy(obj: Any) -> dict[str, Any] | None:
        return None if obj.deputy is None else {"id": obj.deputy.id, "name": obj.deputy.name}

    @staticmethod
    def resolve_contact(obj: Any, context: Any) -> dict[str, str] | None:
        if obj.is_anonymous or not case_contact_visible(user=_user(context), case=obj):
            return None
        return {"name": obj.person_name, "phone": obj.person_phone}


class CaseDetailOut(CaseOut):
    body: str = Field(..., description="内容（原样保存，请按文本显示）")
    address: str
    lat: float | None = None
    lng: float | None = None
    external_id: str
    session: int | None = Field(None, description="所属接待活动 id")
    master: CaseRef | None = Field(None, description="并入的普遍问题主件")
    reply: str = Field(..., description="答复意见")
    decline_reason: str
    suggestion_ref: str = Field(..., description="代表建议编号")
    rating: str = Field(..., description=f"满意度（未评价时为空）：{_choices(Rating)}")
    rating_comment: str
    reopen_count: int
    routing: dict[str, Any] = Field(..., description="分办建议")
    feedback_due: datetime.datetime | None = None
    accepted_at: datetime.datetime | None = None
    transferred_at: datetime.datetime | None = None
    replied_at: datetime.datetime | None = None
    fed_back_at: datetime.datetime | None = None
    rated_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    published_at: datetime.datetime | None = None
    public_title: str
    public_text: str
    actions: list[str] = Field(
        ..., description=f"您现在可以执行的操作（POST /cases/{{id}}/actions/{{action}}）：{_choices(Action)}"
    )

    @staticmethod
    def resolve_session(obj: Any) -> int | None:
        return obj.session_id

    @staticmethod
    def resolve_actions(obj: Any, context: Any) -> list[str]:
        return available_actions(case=obj, actor=_user(context))


class EventOut(Schema):
    id: int
    action: str = Field(..., description="操作：register（登记）或 POST /cases/{id}/actions/{action} 的操作之一")
    action_label: str
    from_status: str
    to_status: str
    actor_label: str = Field(..., description="操作方：账号、承办单位名称、群众或系统")
    note: str
    data: dict[str, Any] = Field(..., description="该步骤改变的字段")
    is_public: bool = Field(..., description="群众凭查询码是否可见")
    created_at: datetime.datetime

    @staticmethod
    def resolve_action_label(obj: Any) -> str:
        if obj.action == "register":
            return "登记"
        return str(Action(obj.action).label) if obj.action in Action.values else obj.action


class ActionParams(LabelledIn):
    """What the actions take; each action reads only its own (see the description of the endpoint)."""

    category: str | None = Field(None, title="类别", max_length=40, description="accept：类别编码")
    scope: Scope | None = Field(None, title="问题性质", description=f"accept：{_choices(Scope)}")
    urgency: Urgency | None = Field(None, title="紧急程度", description=f"accept：{_choices(Urgency)}")
    reply: str | None = Field(None, title="答复内容", description="answer、reply：答复内容，不超过5000字")
    unit: int | None = Field(None, title="承办单位", description="transfer：承办单位 id，见 GET /units")
    reply_days: int | None = Field(
        None, title="答复时限", ge=0, le=90, description="transfer：答复时限（工作日），默认按办理时限"
    )
    suggestion_ref: str | None = Field(None, title="代表建议编号", description="convert：代表建议编号")
    master: int | None = Field(None, title="普遍问题主件", description="merge：主件 id")
    reason: str | None = Field(None, title="不予受理理由", description="decline：理由")
    rating: Rating | None = Field(
        None, title="评价", description=f"rate：{_choices(Rating)}（不满意请用 reopen 或 escalate）"
    )
    comment: str | None = Field(None, title="评价意见", description="rate、reopen、escalate：评价意见")
    public_title: str | None = Field(None, title="公开标题", description="publish：公开标题，默认为去除个人信息的标题")
    public_text: str | None = Field(
        None, title="公开内容", description="publish：公开内容，默认为去除个人信息的内容和答复"
    )


class ActionIn(LabelledIn):
    note: str = Field("", title="说明", max_length=2000, description="办理说明，记入办理记录")
    params: ActionParams = Field(default_factory=ActionParams, title="参数")  # type: ignore[arg-type]  # ninja's Field stub types default_factory as returning Never
    expected_version: int | None = Field(
        None,
        title="版本号",
        ge=0,
        description="您看到的版本号（详情中的 version）；他人已先处理时返回 409，不会覆盖",
    )


# Reception sessions ---------------------------------------------------------------------------------------


class ReceptionIn(LabelledIn):
    kind: ReceptionKind = Field(..., title="接待方式", description=f"接待方式：{_choices(ReceptionKind)}")
    deputy: int = Field(..., title="接待代表", description="接待代表 id")
    place: int | None = Field(None, title="家站室", description="站内坐诊时必填")
    region: str | None = Field(
        None, title="所在区划", pattern=REGION_CODE_PATTERN, description="流动巡诊时必填：地点所在区划代码"
    )
    location: str = Field("", title="地点", max_length=200, description="流动巡诊的具体地点")


class ReceptionCloseIn(LabelledIn):
    people_received: int = Field(
        ..., title="接待人数", ge=0, le=100000, description="本次接待的群众人数，不少于已登记的意见建议数"
    )
    note: str = Field("", title="记录", max_length=5000)


class ReceptionOut(Schema):
    id: int
    kind: str = Field(..., description=f"接待方式：{_choices(ReceptionKind)}")
    kind_label: str
    deputy: DeputyRef
    place: PlaceRef | None = None
    region: RegionRef
    location: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None = Field(None, description="结束时间；未结束时为 null")
    people_received: int = Field(..., description="接待人数（结束时填写）")
    note: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())


# Filters --------------------------------------------------------------------------------------------------


class CaseFilters(Schema):
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其所有下级的件")
    status: list[Status] | None = Field(None, description=f"状态，可重复给出多个：{_choices(Status)}")
    channel: Channel | None = Field(None, description=f"渠道：{_choices(Channel)}")
    category: str | None = Field(None, max_length=40, description="类别编码")
    unit: int | None = Field(None, description="承办单位 id")
    deputy: int | None = Field(None, description="接待代表 id")
    registered_from: datetime.date | None = Field(None, description="登记日期起（含），YYYY-MM-DD")
    registered_to: datetime.date | None = Field(None, description="登记日期止（含），YYYY-MM-DD")
    overdue: bool | None = Field(
        None, description="true：未办结且已超过当前环节时限（或已标记超期）的件；false：其余的件"
    )
    q: str | None = Field(None, max_length=50, description="按查询码、标题、内容、地点或外部编号搜索")


class UnitFilters(Schema):
    category: str | None = Field(None, max_length=40, description="类别编码：只列出承办该类别的单位")
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：只列出服务该区划的单位")
    q: str | None = Field(None, max_length=50, description="按名称搜索")


class UnitProposeQuery(Schema):
    category: str = Field(..., max_length=40, description="类别编码")
    region: str = Field(..., pattern=REGION_CODE_PATTERN, description="问题所在区划的12位代码")


class ReceptionFilters(Schema):
    deputy: int | None = Field(None, description="接待代表 id")
    is_open: bool | None = Field(None, description="true：进行中；false：已结束")
