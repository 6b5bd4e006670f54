"""Input and output schemas of the suggestions API (代表建议与议案). Separate from the models: the API's shape is a promise.

Inputs are `LabelledIn` like the cases API: a bad field answers 422 {"code", "message", "field"} naming the field in
Chinese. What an action checks beyond the types (a reply without a class, a B class without a date, a co-signer who
is no serving deputy) is the domain's (lianxin.suggestions.steps) and answers 400 the same way.

The list's resolvers read only what `suggestion_list_visible_to` loaded (session, lead deputy, region, the active
units with their unit, the co-signers with their deputy) and the cases the API view prefetches: a page of twenty
costs the queries of a page of one.
"""

import datetime
import enum
from typing import TYPE_CHECKING, Any

import pydantic
from django.utils import timezone
from ninja import Field, Schema

from lianxin.api.case_schemas import LabelledIn, UnitRef
from lianxin.api.schemas import DeputyRef, RegionRef, _choices, _user
from lianxin.deputies.models import MandateLevel
from lianxin.suggestions.models import (
    ContactWay,
    Kind,
    Proposer,
    Rating,
    ReplyClass,
    SessionKind,
    SignStatus,
    Status,
    UnitRole,
)
from lianxin.suggestions.models import Field as Domain
from lianxin.suggestions.workflow import TRANSITIONS, Action, available_actions

SUGGESTION_ACTIONS = _choices(Action)


def _api_enum(name: str, choices: Any) -> Any:
    """The model's choices under a name of the API's own: OpenAPI components are keyed by name, and the cases
    API's `Status` and `Rating` would otherwise be overwritten by (or overwrite) these."""
    return enum.StrEnum(name, {member.name: member.value for member in choices})


if TYPE_CHECKING:  # the same values; mypy reads the model's classes
    KindIn = Kind
    StatusIn = Status
    FieldIn = Domain
    ReplyClassIn = ReplyClass
    RatingIn = Rating
    ContactWayIn = ContactWay
    UnitRoleIn = UnitRole
else:
    KindIn = _api_enum("SuggestionKind", Kind)
    StatusIn = _api_enum("SuggestionStatus", Status)
    FieldIn = _api_enum("SuggestionField", Domain)
    ReplyClassIn = _api_enum("SuggestionReplyClass", ReplyClass)
    RatingIn = _api_enum("SuggestionRating", Rating)
    ContactWayIn = _api_enum("SuggestionContactWay", ContactWay)
    UnitRoleIn = _api_enum("SuggestionUnitRole", UnitRole)
EVENT_LABELS = {"create": "起草", "source_add": "添加来源", "attachment_add": "添加附件"}


def _parts(obj: Any) -> list[Any]:
    """The active units' parts, lead units first (the model orders them by role's spelling: co before lead)."""
    return sorted(obj.units.all(), key=lambda part: (part.role != UnitRole.LEAD, part.pk))


def _leads(obj: Any) -> list[Any]:
    return [part for part in _parts(obj) if part.role == UnitRole.LEAD]


def _joined(values: list[str]) -> str:
    """One value when the lead units agree (always so with one lead unit), else their values in order: "A/B"."""
    return "/".join(dict.fromkeys(value for value in values if value))


# References -----------------------------------------------------------------------------------------------


class SessionRef(Schema):
    id: int
    name: str


class SuggestionRef(Schema):
    id: int
    number_label: str = Field(..., description="编号，如“第12号建议”；未立案时为“建议（未编号）”")
    title: str


class UnitPartOut(Schema):
    id: int = Field(..., description="该承办单位的承办 id：承办单位的操作在 params.assignment 中传回")
    unit: UnitRef
    role: str = Field(..., description=f"承办方式：{_choices(UnitRole)}")
    role_label: str
    due_date: datetime.date = Field(..., description="该单位的答复（协办单位为提出协办意见）期限")

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return str(UnitRole(obj.role).label)


# Suggestions ----------------------------------------------------------------------------------------------


class SuggestionOut(Schema):
    id: int
    number: int | None = Field(None, description="编号：立案时按会议分建议、议案顺序编号，之前为 null")
    number_label: str = Field(..., description="如“第12号建议”“第2号议案”")
    version: int = Field(..., description="版本号：执行操作时作为 expected_version 传回，防止覆盖他人刚做的处理")
    kind: str = Field(..., description=f"类型：{_choices(Kind)}")
    kind_label: str
    status: str = Field(..., description=f"状态：{_choices(Status)}")
    status_label: str
    title: str = Field(..., description="标题（原样保存，请按文本显示）")
    field: str = Field(..., description=f"领域：{_choices(Domain)}")
    field_label: str
    session: SessionRef = Field(..., description="所属会议（或闭会期间）")
    region: RegionRef = Field(..., description="人大所在区划")
    proposer: str = Field(..., description=f"提出者：{_choices(Proposer)}")
    proposer_label: str
    lead_deputy: DeputyRef | None = Field(None, description="领衔代表；代表团或主席团提出的为 null")
    co_signers: list[str] = Field(..., description="已附议（联名）的代表姓名，按邀请先后")
    units: list[UnitPartOut] = Field(..., description="承办单位（含主办、协办），交办前为空")
    reply_class: str = Field(
        ...,
        description=(
            f"主办单位的答复类别：{_choices(ReplyClass)}。一个主办单位（或各主办单位类别相同）时为一个值；"
            "分办且类别不同时按主办单位先后列出，如 A/B；尚未答复时为空"
        ),
    )
    rating: str = Field(
        ..., description=f"领衔代表对主办单位答复的评价：{_choices(Rating)}；多个主办单位时同上列出；未评价时为空"
    )
    due_date: datetime.date | None = Field(None, description="答复期限（交办时确定，延期后更新）")
    is_overdue: bool = Field(..., description="有主办单位超过期限尚未答复，或协办单位超过期限尚未提出协办意见")
    is_key: bool = Field(..., description="重点督办")
    case_ids: list[int] = Field(..., description="由哪些群众意见建议转来（GET /cases/{case_id}）")
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None = None
    accepted_at: datetime.datetime | None = None
    assigned_at: datetime.datetime | None = None
    replied_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_field_label(obj: Any) -> str:
        return str(obj.get_field_display())

    @staticmethod
    def resolve_proposer_label(obj: Any) -> str:
        return str(obj.get_proposer_display())

    @staticmethod
    def resolve_lead_deputy(obj: Any) -> dict[str, Any] | None:
        deputy = obj.lead_deputy
        return None if deputy is None else {"id": deputy.id, "name": deputy.name}

    @staticmethod
    def resolve_co_signers(obj: Any) -> list[str]:
        return [row.deputy.name for row in obj.co_signers.all() if row.status == SignStatus.SIGNED]

    @staticmethod
    def resolve_units(obj: Any) -> list[Any]:
        return _parts(obj)

    @staticmethod
    def resolve_reply_class(obj: Any) -> str:
        return _joined([part.reply_class for part in _leads(obj)])

    @staticmethod
    def resolve_rating(obj: Any) -> str:
        return _joined([part.rating for part in _leads(obj)])

    @staticmethod
    def resolve_is_overdue(obj: Any) -> bool:
        if obj.status != Status.ASSIGNED:
            return False
        today = timezone.localdate()
        for part in obj.units.all():
            done = part.replied_at if part.role == UnitRole.LEAD else part.co_opinion_at
            if part.is_overdue or (done is None and part.due_date < today):
                return True
        return False

    @staticmethod
    def resolve_case_ids(obj: Any) -> list[int]:
        return sorted(case.pk for case in obj.cases.all())


class CoSignerOut(Schema):
    deputy: DeputyRef
    status: str = Field(..., description=f"附议状态：{_choices(SignStatus)}")
    status_label: str
    invited_at: datetime.datetime
    answered_at: datetime.datetime | None = None

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())


class ContactOut(Schema):
    contacted_on: datetime.date
    way: str = Field(..., description=f"联系方式：{_choices(ContactWay)}")
    way_label: str
    person: str = Field(..., description="联系的人（代表或其联络人）")
    note: str

    @staticmethod
    def resolve_way_label(obj: Any) -> str:
        return str(obj.get_way_display())


class UnitPartDetailOut(UnitPartOut):
    assigned_at: datetime.datetime
    is_overdue: bool = Field(..., description="已标记超期")
    reassign_until: datetime.date = Field(..., description="申请调整承办单位的截止日期")
    reassign_requested_at: datetime.datetime | None = Field(None, description="申请调整的时间；未申请或已处理为 null")
    reassign_reason: str
    contacts: list[ContactOut] = Field(..., description="办前联系记录")
    co_opinion: str = Field(..., description="协办单位向主办单位提出的协办意见")
    co_opinion_at: datetime.datetime | None = None
    reply_class: str = Field(..., description=f"答复类别（主办单位，未答复时为空）：{_choices(ReplyClass)}")
    reply_text: str = Field(..., description="答复内容（原样保存，请按文本显示）")
    has_reply_file: bool = Field(..., description="是否附有答复函文件")
    signed_by: str = Field(..., description="签发人")
    promised_on: datetime.date | None = Field(None, description="B类答复承诺完成的日期")
    promise_done_at: datetime.datetime | None = Field(None, description="B类承诺兑现登记的时间")
    replied_at: datetime.datetime | None = None
    replied_late: bool = Field(..., description="超过期限后答复")
    rating: str = Field(..., description=f"领衔代表的评价（未评价时为空）：{_choices(Rating)}")
    rating_comment: str
    rated_at: datetime.datetime | None = None
    rehandle_count: int = Field(..., description="重新办理次数（评价不满意后）")
    history: list[dict[str, Any]] = Field(..., description="重新办理前的答复与评价")
    actions: list[str] = Field(
        ..., description="您现在可以对该单位的承办执行的操作（POST 时在 params.assignment 中传回本承办的 id）"
    )

    @staticmethod
    def resolve_contacts(obj: Any) -> list[Any]:
        return list(obj.contacts.all())

    @staticmethod
    def resolve_has_reply_file(obj: Any) -> bool:
        return bool(obj.reply_file)

    @staticmethod
    def resolve_actions(obj: Any, context: Any) -> list[str]:
        actions = available_actions(suggestion=obj.suggestion, actor=_user(context), assignment=obj)
        return [action for action in actions if TRANSITIONS[action].on_unit]


class SourceOut(Schema):
    kind: str
    kind_label: str
    title: str
    happened_on: datetime.date | None = None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())


class AttachmentOut(Schema):
    id: int
    name: str
    uploaded_at: datetime.datetime


class SuggestionEventOut(Schema):
    id: int
    action: str = Field(
        ...,
        description="操作：create（起草）、source_add、attachment_add 或 POST /suggestions/{id}/actions/{action} 的操作",
    )
    action_label: str
    unit: str | None = Field(None, description="承办单位的操作：哪个单位的承办")
    from_status: str
    to_status: str
    actor_label: str = Field(..., description="操作方：代表、承办单位名称或工作人员账号")
    note: str
    data: dict[str, Any] = Field(..., description="该步骤改变或记录的内容")
    created_at: datetime.datetime

    @staticmethod
    def resolve_action_label(obj: Any) -> str:
        if obj.action in Action.values:
            return str(Action(obj.action).label)
        return EVENT_LABELS.get(obj.action, obj.action)

    @staticmethod
    def resolve_unit(obj: Any) -> str | None:
        return None if obj.assignment is None else obj.assignment.unit.name


class SuggestionDetailOut(SuggestionOut):
    reasons: str = Field(..., description="案由")
    content: str = Field(..., description="建议内容")
    draft_resolution: str = Field(..., description="议案草案（议案须附）")
    delegation: str | None = Field(None, description="提出议案建议的代表团")
    public_consent: bool = Field(..., description="领衔代表同意公开")
    co_signer_invitations: list[CoSignerOut] = Field(..., description="邀请附议的全部代表及其附议状态")
    units: list[UnitPartDetailOut] = Field(..., description="承办单位及其办理、答复和评价")  # type: ignore[assignment]  # the detail widens each part
    merged_into: SuggestionRef | None = Field(None, description="并案的主件")
    review_note: str = Field(..., description="审查意见（退回、不予立案的理由）")
    extension_reason: str = Field(..., description="延期理由")
    key_leader_name: str = Field(..., description="重点督办的领导")
    published_at: datetime.datetime | None = Field(None, description="在门户公开的时间")
    public_title: str
    public_text: str
    versions: int = Field(..., description="提交过的稿本数（退回修改后重新提交的每一稿）")
    sources: list[SourceOut] = Field(..., description="培训、调研等来源")
    attachments: list[AttachmentOut]
    events: list[SuggestionEventOut] = Field(..., description="办理记录，按时间先后")
    actions: list[str] = Field(
        ...,
        description=(
            f"您现在可以执行的操作（POST /suggestions/{{id}}/actions/{{action}}）：{SUGGESTION_ACTIONS}。"
            "承办单位的操作见各承办单位的 actions"
        ),
    )

    @staticmethod
    def resolve_delegation(obj: Any) -> str | None:
        return None if obj.delegation is None else obj.delegation.name

    @staticmethod
    def resolve_co_signer_invitations(obj: Any) -> list[Any]:
        return list(obj.co_signers.all())

    @staticmethod
    def resolve_versions(obj: Any) -> int:
        return int(obj.versions.count())

    @staticmethod
    def resolve_sources(obj: Any) -> list[Any]:
        return list(obj.sources.all())

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.select_related("assignment__unit"))

    @staticmethod
    def resolve_actions(obj: Any, context: Any) -> list[str]:
        return available_actions(suggestion=obj, actor=_user(context))


class SessionOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description=f"类型：{_choices(SessionKind)}")
    kind_label: str
    level: str = Field(..., description=f"人大层级：{_choices(MandateLevel)}")
    term: int = Field(..., description="届次")
    number: int = Field(..., description="第几次会议（闭会期间为其前一次会议）")
    congress_region: RegionRef
    opens_on: datetime.date
    closes_on: datetime.date | None = None
    is_open: bool = Field(..., description="是否接收新的建议")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())


# Inputs ---------------------------------------------------------------------------------------------------


class SuggestionIn(LabelledIn):
    session: int = Field(..., title="会议", description="所属会议或闭会期间的 id，见 GET /suggestion-sessions")
    kind: KindIn = Field(KindIn.SUGGESTION, title="类型", description=f"类型：{_choices(Kind)}")
    title: str = Field(..., title="标题", min_length=1, max_length=120, description="标题，不超过120字")
    reasons: str = Field("", title="案由", max_length=20000)
    content: str = Field("", title="建议内容", max_length=20000, description="建议内容（提交前须填写）")
    draft_resolution: str = Field("", title="议案草案", max_length=50000, description="议案须附草案或决议建议稿")
    field: FieldIn = Field(FieldIn.OTHER, title="领域", description=f"领域：{_choices(Domain)}")
    case_ids: list[int] = Field(
        default_factory=list,
        title="来源意见",
        max_length=100,
        description="由哪些群众意见建议转来（您能看到的件的 id）",
    )
    lead_deputy: int | None = Field(
        None, title="领衔代表", description="领衔代表 id：人大工作人员代为录入时必填；代表本人起草时省略（即本人）"
    )
    public_consent: bool = Field(False, title="同意公开", description="领衔代表同意在门户公开建议与答复")
    client_key: str = Field(
        "",
        title="提交标识",
        max_length=64,
        description="与请求头 Idempotency-Key 作用相同：同一账号以同一标识再次提交时返回首次创建的建议",
    )


class UnitAssignIn(Schema):
    # Not LabelledIn: its errors are labelled by the enclosing params ("承办单位.0.role: …").
    model_config = pydantic.ConfigDict(extra="forbid")

    unit: int = Field(..., title="承办单位", description="承办单位 id（GET /units）")
    role: UnitRoleIn = Field(UnitRoleIn.LEAD, title="承办方式", description=f"承办方式：{_choices(UnitRole)}")


class SuggestionActionParams(LabelledIn):
    """What the actions take; each action reads only its own (see the description of the endpoint)."""

    assignment: int | None = Field(
        None, title="承办", description="承办单位的操作（办前联系、协办意见、答复、评价、延期、调整……）：承办 id"
    )
    # Drafting.
    title: str | None = Field(None, title="标题", description="edit：标题")
    reasons: str | None = Field(None, title="案由", description="edit：案由")
    content: str | None = Field(None, title="建议内容", description="edit：建议内容")
    draft_resolution: str | None = Field(None, title="议案草案", description="edit：议案草案")
    field: FieldIn | None = Field(None, title="领域", description=f"edit：{_choices(Domain)}")
    public_consent: bool | None = Field(None, title="同意公开", description="edit：同意公开")
    case_ids: list[int] | None = Field(None, title="来源意见", description="edit：来源意见 id（替换原有的）")
    deputies: list[int] | None = Field(
        None, title="附议代表", description="invite：邀请附议的代表 id（须为本届在任代表）"
    )
    deputy_consent: bool | None = Field(
        None, title="领衔代表同意", description="convert：工作人员将议案转为建议时，确认已征得领衔代表同意（true）"
    )
    # Review.
    reason: str | None = Field(
        None, title="理由", description="return、reject、extend、request_reassign、refuse_reassign：理由"
    )
    merge_with: int | None = Field(None, title="并案", description="pass：并入的主件 id（本次会议尚未交办的建议）")
    # Assignment and handling.
    units: list[UnitAssignIn] | None = Field(
        None, title="承办单位", description="assign：承办单位及承办方式，至少一个主办单位（多个主办即分办）"
    )
    unit: int | None = Field(None, title="新承办单位", description="reassign：新承办单位 id")
    contacted_on: datetime.date | None = Field(None, title="联系日期", description="contact：联系日期")
    way: ContactWayIn | None = Field(None, title="联系方式", description=f"contact：{_choices(ContactWay)}")
    person: str | None = Field(None, title="联系人", description="contact：联系的人")
    opinion: str | None = Field(None, title="协办意见", description="co_opinion：协办意见")
    due_date: datetime.date | None = Field(
        None, title="延期至", description="extend：新的答复期限（交办后不超过6个月，按规则）"
    )
    reply_class: ReplyClassIn | None = Field(None, title="答复类别", description=f"reply：{_choices(ReplyClass)}")
    reply_text: str | None = Field(
        None,
        title="答复内容",
        description="reply：答复内容（C类须说明原因）；答复函文件在办公系统上传，经接口答复须填写答复内容",
    )
    signed_by: str | None = Field(None, title="签发人", description="reply：签发人")
    promised_on: datetime.date | None = Field(None, title="承诺完成日期", description="reply：B类答复必填")
    rating: RatingIn | None = Field(None, title="评价", description=f"rate：{_choices(Rating)}（不满意即重新办理一次）")
    comment: str | None = Field(None, title="评价意见", description="rate：评价意见（不满意时必填）")
    # Supervision and publication.
    leader_name: str | None = Field(None, title="督办领导", description="mark_key：督办领导姓名")
    leader: int | None = Field(None, title="督办领导账号", description="mark_key：督办领导的账号 id（可选）")
    text: str | None = Field(None, title="督办情况", description="key_note：督办情况")
    met_on: datetime.date | None = Field(None, title="督办会议日期", description="key_note：督办会议日期（可选）")
    public_title: str | None = Field(None, title="公开标题", description="publish：公开标题，默认为去除个人信息的标题")
    public_text: str | None = Field(
        None, title="公开内容", description="publish：公开内容，默认为去除个人信息的内容和答复"
    )


class SuggestionActionIn(LabelledIn):
    note: str = Field(
        "",
        title="说明",
        max_length=2000,
        description="办理说明，记入办理记录（办结、承诺兑现、办前联系的情况也写在这里）",
    )
    params: SuggestionActionParams = Field(default_factory=SuggestionActionParams, title="参数")  # type: ignore[arg-type]  # ninja's Field stub types default_factory as returning Never
    expected_version: int | None = Field(
        None, title="版本号", ge=0, description="您看到的版本号（详情中的 version）；他人已先处理时返回 409，不会覆盖"
    )


# Filters --------------------------------------------------------------------------------------------------


class SuggestionFilters(Schema):
    session: int | None = Field(None, ge=1, le=2**31 - 1, description="会议 id")
    status: StatusIn | None = Field(None, description=f"状态：{_choices(Status)}")
    kind: KindIn | None = Field(None, description=f"类型：{_choices(Kind)}")
    unit: int | None = Field(None, ge=1, le=2**31 - 1, description="承办单位 id：该单位承办（主办或协办）的建议")
    reply_class: ReplyClassIn | None = Field(None, description=f"主办单位的答复类别：{_choices(ReplyClass)}")
    q: str = Field("", max_length=50, description="按标题或建议内容搜索")
