"""Deputies' suggestions and bills (代表建议与议案): list, draft, read, and act on them through the ten-step method.

Thin: the draft is made by lianxin.suggestions.services.suggestion_draft_get_or_create, every later step by
workflow.suggestion_transition, reads come from lianxin.suggestions.selectors. Outside the caller's scope a
suggestion answers like one that does not exist (404), and so does a unit's part the caller's unit does not hold.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status
from ninja.pagination import paginate

from lianxin.accounts.models import User
from lianxin.api.auth import caller
from lianxin.api.case_schemas import InvalidInput
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.api.suggestion_schemas import (
    SessionOut,
    SuggestionActionIn,
    SuggestionDetailOut,
    SuggestionFilters,
    SuggestionIn,
    SuggestionOut,
)
from lianxin.cases.models import Case
from lianxin.core.errors import DomainError, NotFound
from lianxin.deputies.models import Deputy
from lianxin.suggestions.models import Session, Suggestion
from lianxin.suggestions.selectors import (
    actor_deputy,
    sessions_for_deputy,
    sessions_visible_to,
    suggestion_get_visible,
    suggestion_list_visible_to,
)
from lianxin.suggestions.services import suggestion_draft_get_or_create
from lianxin.suggestions.workflow import TRANSITIONS, Action, suggestion_transition

router = Router(tags=["代表建议与议案"])
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CLIENT_KEY_LIMIT = 64  # Suggestion.client_key


def _sessions_of(user: User) -> QuerySet[Session]:
    """The sessions the caller sees: those of their congresses as staff, those of the suggestions they see, and,
    for a deputy, the open sessions of the congresses they serve in (where they may draft)."""
    ids = Q(pk__in=sessions_visible_to(user=user).values("pk"))
    deputy = actor_deputy(user)
    if deputy is not None:
        ids |= Q(pk__in=sessions_for_deputy(deputy=deputy).values("pk"))
    return Session.objects.filter(ids).select_related("congress_region").order_by("-opens_on", "name")


@router.get(
    "/suggestion-sessions",
    response={200: list[SessionOut], **READ_ERRORS},
    summary="会议（届次）列表",
    description=(
        "您可以看到或起草建议的会议和闭会期间，最新的在前：工作人员看到管辖区划内人大的会议，代表看到本人所在人大"
        "正在接收建议的会议和本人建议所属的会议。起草建议时以 id 指定会议。"
    ),
)
@paginate(LimitOffset)
def session_index(request: HttpRequest) -> QuerySet[Session]:
    return _sessions_of(caller(request))


def _with_cases(rows: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    # case_ids: one query for the whole page, not one per suggestion.
    return rows.prefetch_related(Prefetch("cases", queryset=Case.objects.only("id")))


@router.get(
    "/suggestions",
    response={200: list[SuggestionOut], **READ_ERRORS},
    summary="代表建议与议案列表",
    description=(
        "您可以看到的建议和议案，最新起草的在前：人大工作人员看到管辖区划内人大的全部建议，代表看到本人领衔和"
        "受邀附议的，承办单位经办人看到交办给本单位的，督办领导看到本人督办的。"
        "可按会议、状态、类型、承办单位、答复类别和关键词筛选。"
    ),
)
@paginate(LimitOffset)
def suggestion_index(request: HttpRequest, filters: Query[SuggestionFilters]) -> QuerySet[Suggestion]:
    return _with_cases(suggestion_list_visible_to(user=caller(request), **filters.model_dump()))


def _get(user: User, suggestion_id: int) -> Suggestion:
    return suggestion_get_visible(user=user, pk=suggestion_id)


def _client_key(payload: SuggestionIn, header: str | None) -> str:
    if header is None:
        return payload.client_key.strip()
    key = header.strip()
    if not key or len(key) > CLIENT_KEY_LIMIT:
        raise InvalidInput(
            "field_invalid", f"Idempotency-Key: 应为1到{CLIENT_KEY_LIMIT}个字符", field="Idempotency-Key"
        )
    if payload.client_key.strip() and payload.client_key.strip() != key:
        raise InvalidInput(
            "idempotency_key_mismatch", "提交标识: 与请求头 Idempotency-Key 不一致，请只给出其一", field="client_key"
        )
    return key


@router.post(
    "/suggestions",
    response={200: SuggestionDetailOut, 201: SuggestionDetailOut, **WRITE_ERRORS},
    summary="起草建议或议案",
    description=(
        "起草一件建议或议案（状态为草稿），返回 201 和它的详情。代表本人起草时领衔代表即本人；人大工作人员可代代表"
        "录入（lead_deputy 必填，须为该会议所属人大的在任代表）。可由一件或多件群众意见建议转来（case_ids）。"
        "请在请求头 `Idempotency-Key`（或字段 client_key）中为每次起草附一个唯一值（不超过64个字符）：网络重试时"
        "再次提交同一值，不会重复起草，而是返回 200、首次创建的建议和响应头 `Idempotent-Replayed: true`。"
        "会议、领衔代表或来源意见不存在（或不在您的范围内）、会议已停止接收建议时返回 400，指明字段；"
        "既非代表本人也非该人大的工作人员时返回 403；字段格式有误时返回 422。"
    ),
)
def suggestion_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: SuggestionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description="幂等键，不超过64个字符"),
) -> Status[Suggestion]:
    user = caller(request)
    key = _client_key(payload, idempotency_key)
    session = _sessions_of(user).filter(pk=payload.session).first()
    if session is None:
        raise DomainError("session_unknown", "会议: 不存在或不在您的范围内", field="session")
    lead_deputy = None
    if payload.lead_deputy is not None:
        lead_deputy = Deputy.objects.visible_to(user).filter(pk=payload.lead_deputy).first()
        own = actor_deputy(user)
        if lead_deputy is None and own is not None and own.pk == payload.lead_deputy:
            lead_deputy = own
        if lead_deputy is None:
            raise DomainError("deputy_unknown", "领衔代表: 不存在或不在您的管辖范围内", field="lead_deputy")
    suggestion, created = suggestion_draft_get_or_create(
        actor=user,
        session=session,
        title=payload.title,
        content=payload.content,
        reasons=payload.reasons,
        kind=payload.kind,
        field=payload.field,
        draft_resolution=payload.draft_resolution,
        lead_deputy=lead_deputy,
        case_ids=payload.case_ids,
        public_consent=payload.public_consent,
        client_key=key,
    )
    response["Location"] = f"/api/v1/suggestions/{suggestion.pk}"
    detail = _get(user, suggestion.pk)
    if not created:
        response["Idempotent-Replayed"] = "true"
        return Status(200, detail)
    return Status(201, detail)


@router.get(
    "/suggestions/{suggestion_id}",
    response={200: SuggestionDetailOut, **READ_ERRORS},
    summary="代表建议与议案详情",
    description=(
        "含案由、建议内容、附议代表及其状态、各承办单位的办理（办前联系、协办意见、答复、评价）、稿本数、办理记录，"
        "`version`（执行操作时传回）和 `actions`（您现在可以执行的操作；承办单位的操作列在各承办单位下）。"
        "不存在或不在您的范围内时返回 404。"
    ),
)
def suggestion_detail(request: HttpRequest, suggestion_id: int) -> Suggestion:
    return _get(caller(request), suggestion_id)


def _action_doc() -> str:
    rows = "；".join(
        f"{action}（{Action(action).label}）：{'、'.join(sorted(t.sources))}"
        + (f" → {t.target}" if t.target else "")
        + ("，须 params.assignment" if t.on_unit else "")
        for action, t in TRANSITIONS.items()
    )
    return (
        "对该建议执行十步工作法中的一步，请求体为 note（说明）、params（该操作的参数）和 expected_version，返回更新后的"
        "建议。请在 expected_version 中传回您看到的 version：他人已先处理时返回 409 suggestion_conflict，不会覆盖。"
        "看不到该建议、操作不存在、或所指的承办（params.assignment）不属于该建议时返回 404（承办单位对未交办给本单位"
        "的建议操作也是 404）；无权执行时返回 403；当前状态不允许（invalid_transition）或参数不符合规则"
        "（如答复缺类别、B类答复缺承诺完成日期、附议代表不是本届在任代表）时返回 400，指明字段；参数格式有误时返回 422。"
        f"各操作（可执行的状态 → 新状态）：{rows}。"
    )


@router.post(
    "/suggestions/{suggestion_id}/actions/{action}",
    response={200: SuggestionDetailOut, **WRITE_ERRORS, 409: ErrorOut},
    summary="办理代表建议与议案",
    description=_action_doc(),
)
def suggestion_act(request: HttpRequest, suggestion_id: int, action: str, payload: SuggestionActionIn) -> Suggestion:
    user = caller(request)
    suggestion = _get(user, suggestion_id)
    if action not in TRANSITIONS:
        raise NotFound(f"没有“{action}”这一操作")
    suggestion_transition(
        suggestion=suggestion,
        action=action,
        actor=user,
        note=payload.note,
        params=payload.params.model_dump(mode="json", exclude_none=True),
        expected_version=payload.expected_version,
    )
    return _get(user, suggestion_id)
