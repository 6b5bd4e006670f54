"""Cases (意见建议): register, list, read, act on them; categories, units, reception sessions.

Thin: writes go through lianxin.cases.services and workflow.case_transition, reads through
lianxin.cases.selectors. Text is stored as given and leaves as a JSON string, so HTML in a title stays inert.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.case_schemas import (
    ActionIn,
    CaseDetailOut,
    CaseErrorOut,
    CaseFilters,
    CaseIn,
    CaseOut,
    CategoryOut,
    EventOut,
    InvalidInput,
    ReceptionCloseIn,
    ReceptionFilters,
    ReceptionIn,
    ReceptionOut,
    SimilarOut,
    SubmissionOut,
    UnitFilters,
    UnitOut,
    UnitProposeQuery,
)
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.cases.intake.queue import submission_accept, submission_get_for
from lianxin.cases.models import Case, CaseEvent, Category, ReceptionSession, ResponsibleUnit
from lianxin.cases.selectors import (
    case_events_visible_to,
    case_get_visible_to,
    case_list_visible_to,
    category_get_by_code,
    category_list,
    reception_get_visible_to,
    reception_list_visible_to,
    unit_list_visible_to,
)
from lianxin.cases.services import reception_close, reception_start, unit_propose
from lianxin.cases.workflow import TRANSITIONS, Action, case_transition
from lianxin.core.errors import DomainError, NotFound
from lianxin.deputies.models import Deputy
from lianxin.regions.selectors import region_get_for_filter
from lianxin.routing.selectors import duplicates_of_visible_to
from lianxin.venues.models import Place

router = Router(tags=["意见建议"])
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {400: CaseErrorOut, 401: ErrorOut, 403: CaseErrorOut, 404: CaseErrorOut, 422: CaseErrorOut}
IDEMPOTENCY_KEY_LIMIT = 100


# Categories and units --------------------------------------------------------------------------------------


@router.get(
    "/categories",
    response={200: list[CategoryOut], 401: ErrorOut},
    summary="意见类别",
    description="启用的意见类别，按排序号排列；登记和受理时以 code 指定类别。",
)
def category_index(request: HttpRequest) -> QuerySet[Category]:
    return category_list()


@router.get(
    "/units",
    response={200: list[UnitOut], **READ_ERRORS, 400: CaseErrorOut},
    summary="承办单位列表",
    description=(
        "与您有关的启用中的承办单位：位于您管辖区划内的单位，以及服务于您的区划（或其上级、下级）的单位，"
        "以便乡镇工作人员把件交办给县级部门。可按类别、服务区划和名称筛选；类别不存在时返回 400。"
    ),
)
@paginate(LimitOffset)
def unit_index(request: HttpRequest, filters: Query[UnitFilters]) -> QuerySet[ResponsibleUnit]:
    return unit_list_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/units/propose",
    response={200: list[UnitOut], **READ_ERRORS, 400: CaseErrorOut},
    summary="推荐承办单位",
    description="按类别和问题所在区划推荐承办单位，最基层的在前；只含与您有关的单位。类别不存在时返回 400。",
)
def unit_propose_for(request: HttpRequest, query: Query[UnitProposeQuery]) -> list[ResponsibleUnit]:
    user = caller(request)
    category = category_get_by_code(code=query.category)
    region = region_get_for_filter(user=user, code=query.region)
    relevant = set(unit_list_visible_to(user=user).values_list("id", flat=True))
    return [unit for unit in unit_propose(category=category, region=region) if unit.id in relevant]


# Cases ----------------------------------------------------------------------------------------------------


@router.post(
    "/cases",
    response={200: SubmissionOut, 202: SubmissionOut, **WRITE_ERRORS},
    summary="提交意见建议",
    description=(
        "工作人员、代表或网格员代群众提交一件意见建议。提交时即按登记的全部规则检查（字段、区划、位置、权限），"
        "通过后返回 202、查询码（立即可告知群众）和 status=queued；后台任务随即按收到的先后登记成件"
        "（通常在几秒内），登记时间为收到时间。用 GET /submissions/{receipt_code}（即返回的 url）查询："
        "registered 时给出 case_id，rejected 时给出原因（如提交后您的权限被收回）。"
        "建议在请求头 `Idempotency-Key` 中为每次提交附一个唯一值（不超过100个字符）：网络重试时再次提交同一值，"
        "不会重复提交，而是返回 200、首次提交的结果和响应头 `Idempotent-Replayed: true`；"
        "同一幂等键下内容不同的提交返回 422 idempotency_key_reused（新的提交请换用新的幂等键）。"
        "文字按原样保存（含 HTML 也只作为文字），输出时由 JSON 转义；不能包含空字符。"
        "位置不在所选区划内时返回 400 location_outside；字段有误时返回 422，message 以中文指明字段；"
        "不能在该区划登记时返回 403。"
    ),
)
def case_submit(
    request: HttpRequest,
    response: HttpResponse,
    payload: CaseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description="幂等键，不超过100个字符"),
) -> Status[dict[str, Any]]:
    user = caller(request)
    key = None
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > IDEMPOTENCY_KEY_LIMIT:
            raise InvalidInput(
                "field_invalid", f"Idempotency-Key: 应为1到{IDEMPOTENCY_KEY_LIMIT}个字符", field="Idempotency-Key"
            )
        # Scoped to the caller: two users who pick the same key make two submissions.
        key = f"user:{user.pk}:{idempotency_key}"
    acceptance = submission_accept(actor=user, payload=payload.model_dump(mode="json"), idempotency_key=key)
    submission = acceptance.submission
    response["Location"] = f"/api/v1/submissions/{submission.receipt_code}"
    if not acceptance.created:
        response["Idempotent-Replayed"] = "true"
        return Status(200, SubmissionOut.of(submission))
    return Status(202, SubmissionOut.of(submission))


@router.get(
    "/submissions/{receipt_code}",
    response={200: SubmissionOut, **READ_ERRORS},
    summary="提交进度",
    description=(
        "您本人提交的意见建议的进度：queued（已收到，正在登记）、registered（已登记，给出 case_id）"
        "或 rejected（未能登记，给出原因）。他人的提交与不存在的一样返回 404。"
    ),
)
def submission_detail(request: HttpRequest, receipt_code: str) -> dict[str, Any]:
    submission = submission_get_for(user=caller(request), receipt_code=receipt_code)
    if submission is None:
        raise NotFound("没有这一查询码的提交")
    return SubmissionOut.of(submission)


@router.get(
    "/cases",
    response={200: list[CaseOut], **READ_ERRORS, 400: CaseErrorOut},
    summary="意见建议列表",
    description=(
        "您可以看到的意见建议，最新登记的在前：工作人员看到管辖区划内的件，代表看到交给本人的件，"
        "承办单位经办人只看到交办给本单位的件，网格员看到本人上报的件。"
        "可按区划、状态（可多选）、渠道、类别、承办单位、代表、登记日期、是否超期和关键词筛选。"
    ),
)
@paginate(LimitOffset)
def case_index(request: HttpRequest, filters: Query[CaseFilters]) -> QuerySet[Case]:
    return case_list_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, **READ_ERRORS},
    summary="意见建议详情",
    description=(
        "含答复、评价、各环节时限，`version`（执行操作时传回）和 `actions`（您现在可以执行的操作）。"
        "不存在或不在您的范围内时返回 404。"
    ),
)
def case_detail(request: HttpRequest, case_id: int) -> Case:
    return case_get_visible_to(user=caller(request), case_id=case_id)


@router.get(
    "/cases/{case_id}/similar",
    response={200: list[SimilarOut], **READ_ERRORS},
    summary="可能重复的件",
    description=(
        "与该件反映同一问题的可能性较大的未办结件（同一网格或乡镇内，您能看到的），相似度从高到低，最多5件；"
        "受理时可将该件并入其中之一（操作 merge，参数 master）。"
    ),
)
def case_similar(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    user = caller(request)
    case = case_get_visible_to(user=user, case_id=case_id)
    return [SimilarOut.of(duplicate) for duplicate in duplicates_of_visible_to(user=user, case=case)]


@router.get(
    "/cases/{case_id}/events",
    response={200: list[EventOut], **READ_ERRORS},
    summary="办理记录",
    description="该件从登记起的每一步（谁、何时、从什么状态到什么状态、说明），按时间先后排列。",
)
def case_events(request: HttpRequest, case_id: int) -> QuerySet[CaseEvent]:
    return case_events_visible_to(user=caller(request), case_id=case_id)


def _action_doc() -> str:
    rows = "；".join(
        f"{action}（{Action(action).label}）：{'、'.join(sorted(t.sources))} → {t.target}"
        for action, t in TRANSITIONS.items()
        if action != Action.FOLLOW_MASTER
    )
    return (
        "对该件执行闭环中的一步，返回更新后的件。请在 expected_version 中传回您看到的 version："
        "他人已先处理时返回 409 case_conflict，不会覆盖。"
        "操作不存在或看不到该件时返回 404，无权执行时返回 403，当前状态不允许时返回 400 invalid_transition，"
        f"参数有误时返回 422（或 400，指明字段）。各操作：{rows}。"
    )


@router.post(
    "/cases/{case_id}/actions/{action}",
    response={200: CaseDetailOut, **WRITE_ERRORS, 409: CaseErrorOut},
    summary="办理意见建议",
    description=_action_doc(),
)
def case_act(request: HttpRequest, case_id: int, action: str, payload: ActionIn) -> Case:
    user = caller(request)
    case = case_get_visible_to(user=user, case_id=case_id)
    if action not in TRANSITIONS or action == Action.FOLLOW_MASTER:
        raise NotFound(f"没有“{action}”这一操作")
    case_transition(
        case=case,
        action=action,
        actor=user,
        note=payload.note,
        params=payload.params.model_dump(exclude_none=True),
        expected_version=payload.expected_version,
    )
    return case_get_visible_to(user=user, case_id=case_id)


# Reception sessions ---------------------------------------------------------------------------------------


@router.get(
    "/receptions",
    response={200: list[ReceptionOut], **READ_ERRORS},
    summary="接待活动列表",
    description="您管辖区划内的接待活动（站内坐诊、流动巡诊）和您本人作为代表的接待活动，最新的在前。",
)
@paginate(LimitOffset)
def reception_index(request: HttpRequest, filters: Query[ReceptionFilters]) -> QuerySet[ReceptionSession]:
    return reception_list_visible_to(user=caller(request), **filters.model_dump())


@router.post(
    "/receptions",
    response={201: ReceptionOut, **WRITE_ERRORS},
    summary="开始接待活动",
    description=(
        "工作人员或代表本人开始一次接待：站内坐诊须指定家站室，流动巡诊须指定所在区划。"
        "接待中登记的意见建议在 POST /cases 中以 session 关联；结束时填写接待人数。"
    ),
)
def reception_create(request: HttpRequest, payload: ReceptionIn) -> Status[ReceptionSession]:
    user = caller(request)
    deputy = Deputy.objects.visible_to(user).filter(pk=payload.deputy).first()
    if deputy is None:
        raise DomainError("deputy_unknown", "接待代表: 不存在或不在您的管辖范围内", field="deputy")
    place = None
    if payload.place is not None:
        place = Place.objects.visible_to(user).filter(pk=payload.place, is_active=True).first()
        if place is None:
            raise DomainError("place_unknown", "家站室: 不存在或不在您的管辖范围内", field="place")
    region = region_get_for_filter(user=user, code=payload.region) if payload.region else None
    session = reception_start(
        actor=user, deputy=deputy, kind=payload.kind, place=place, region=region, location=payload.location
    )
    return Status(201, _reception(user, session))


@router.post(
    "/receptions/{session_id}/close",
    response={200: ReceptionOut, **WRITE_ERRORS},
    summary="结束接待活动",
    description="填写接待人数（不少于本次登记的意见建议数）并结束接待；已结束的返回 400 reception_closed。",
)
def reception_finish(request: HttpRequest, session_id: int, payload: ReceptionCloseIn) -> ReceptionSession:
    user = caller(request)
    session = reception_get_visible_to(user=user, session_id=session_id)
    session = reception_close(actor=user, session=session, people_received=payload.people_received, note=payload.note)
    return _reception(user, session)


def _reception(user: Any, session: ReceptionSession) -> ReceptionSession:
    return reception_get_visible_to(user=user, session_id=session.pk)
