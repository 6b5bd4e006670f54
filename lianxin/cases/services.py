"""Writes that start the loop: registering a case (any channel, idempotent), routing proposals, reception
sessions, the person's own rating by receipt code, and a grid worker's follow-up notes. Every later step goes
through workflow.case_transition."""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.accounts.actors import Actor
from lianxin.accounts.models import User
from lianxin.cases import permissions as p
from lianxin.cases.deadlines import deadline, limits_for
from lianxin.cases.intake.check import case_check
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    Channel,
    GridFollowUp,
    Rating,
    ReceptionKind,
    ReceptionSession,
    ResponsibleUnit,
    Status,
)
from lianxin.cases.notify import notify_registered
from lianxin.cases.receipts import new_receipt_code, normalize_receipt
from lianxin.cases.selectors import case_get_by_idempotency_key
from lianxin.cases.workflow import Action, case_transition
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.deputies.models import Deputy, GridWorker
from lianxin.regions.models import Region
from lianxin.venues.models import Place

FOLLOW_UP_LIMIT = 2000


@dataclass(frozen=True)
class Registration:
    case: Case
    created: bool


def case_register(*, actor: Actor, draft: CaseDraft, receipt_code: str | None = None) -> Registration:
    """Register a case from any channel's draft (lianxin.cases.intake). With the draft's `idempotency_key`
    ("<channel>:<key>") a retried submission returns the case the first attempt created instead of a second one.
    `receipt_code` is given when the person already holds one (a queued API submission); otherwise a new one."""
    try:
        case = Case(**case_check(actor=actor, draft=draft))
        case.receipt_code = receipt_code or new_receipt_code()
        case.idempotency_key = draft.idempotency_key or None
        case.accept_due = deadline(case.registered_at, limits_for(case).accept_days)
        with transaction.atomic():
            case.save()
            CaseEvent.objects.create(
                case=case,
                action="register",
                to_status=Status.REGISTERED,
                actor=actor if p.is_user(actor) else None,
                actor_label=str(actor) if p.is_user(actor) else getattr(actor, "label", "群众"),
                note=f"经{Channel(case.channel).label}登记",
                data={"channel": case.channel},
            )
            _attach_photos(case, draft.photos)
            notify_registered(case)
    except (DomainError, IntegrityError):
        # A retry, refused now (its session has closed) or stopped by the unique key (looking the key up first
        # would cost every registration a query), or two retries that raced: the first attempt's case answers.
        existing = case_get_by_idempotency_key(key=draft.idempotency_key) if draft.idempotency_key else None
        if existing is None:
            raise
        return Registration(existing, created=False)
    return Registration(case, created=True)


def _attach_photos(case: Case, photos: tuple[bytes, ...]) -> None:
    """The person's photos (already cleaned: lianxin.publicweb.photos), stored with the case, never public."""
    for number, data in enumerate(photos, start=1):
        attachment = Attachment(case=case, content_type="image/jpeg", size=len(data))
        attachment.file.save(f"{case.receipt_code}-{number}.jpg", ContentFile(data), save=False)
        attachment.save()


def _is_actor_deputy(actor: Actor, deputy: Deputy | None) -> bool:
    return deputy is not None and deputy.user_id == actor.pk


def unit_propose(*, category: Category | None, region: Region) -> list[ResponsibleUnit]:
    """Units that handle this category and serve this region, the most local first."""
    if category is None:
        return []
    codes = [c for c in region.path.split("/") if c]
    units = (
        ResponsibleUnit.objects.filter(is_active=True, categories=category, serves__code__in=codes)
        .select_related("region")
        .prefetch_related("serves")
        .distinct()
    )

    def locality(unit: ResponsibleUnit) -> tuple[int, str]:
        served = [r.path.count("/") for r in unit.serves.all() if region.path.startswith(r.path)]
        return (-max(served, default=0), unit.name)

    return sorted(units, key=locality)


def case_find_by_receipt(receipt_code: str) -> Case:
    code = normalize_receipt(receipt_code)
    case = Case.objects.filter(receipt_code=code).select_related("region", "unit", "category").first()
    if case is None:
        raise NotFound("查询码不存在，请核对后重新输入")
    return case


def case_rate_as_citizen(*, receipt_code: str, rating: str, comment: str = "") -> Case:
    """The person rates the answer. Unsatisfied sends it back to the same unit once, then to supervision (督办)."""
    case = case_find_by_receipt(receipt_code)
    params = {"rating": rating, "comment": comment}
    if rating == Rating.UNSATISFIED:
        action = Action.REOPEN if case.unit_id and case.reopen_count == 0 else Action.ESCALATE
        note = "群众不满意，退回原承办单位重新办理" if action == Action.REOPEN else "群众不满意，转督办"
        return case_transition(case=case, action=action, actor=p.CITIZEN, note=note, params=params)
    return case_transition(case=case, action=Action.RATE, actor=p.CITIZEN, params=params)


def reception_start(
    *,
    actor: User,
    deputy: Deputy,
    kind: str,
    place: Place | None = None,
    region: Region | None = None,
    location: str = "",
) -> ReceptionSession:
    if kind not in ReceptionKind.values:
        raise DomainError("field_invalid", "接待方式: 应为站内坐诊或流动巡诊", field="kind")
    if kind == ReceptionKind.STATION and place is None:
        raise DomainError("field_required", "家站室: 站内坐诊须选择家站室", field="place")
    region = place.region if place is not None else region
    if region is None:
        raise DomainError("field_required", "所在区划: 流动巡诊须选择地点所在区划", field="region")
    if not (p.can_handle_in(actor, region) or _is_actor_deputy(actor, deputy)):
        raise PermissionDenied("您不能为该代表登记接待活动")
    with transaction.atomic():
        session = ReceptionSession.objects.create(
            kind=kind,
            deputy=deputy,
            place=place,
            region=region,
            location=location,
            started_at=timezone.now(),
            created_by=actor,
        )
        audit_record(actor=actor, action="reception.start", obj=session, region_path=region.path)
    return session


def reception_close(
    *, actor: User, session: ReceptionSession, people_received: int, note: str = ""
) -> ReceptionSession:
    if not (p.can_handle_in(actor, session.region) or _is_actor_deputy(actor, session.deputy)):
        raise PermissionDenied("您不能结束该接待活动")
    if session.ended_at is not None:
        raise DomainError("reception_closed", "该接待活动已结束")
    registered = session.cases.count()
    if people_received < registered:
        raise DomainError(
            "field_invalid", f"接待人数: 不能少于本次已登记的意见建议数（{registered}件）", field="people_received"
        )
    with transaction.atomic():
        changed = ReceptionSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), people_received=people_received, note=note
        )
        if changed != 1:
            raise DomainError("reception_closed", "该接待活动已结束")
        session.refresh_from_db()
        audit_record(
            actor=actor,
            action="reception.close",
            obj=session,
            region_path=session.region.path,
            changes={"people_received": [0, people_received]},
        )
    return session


def grid_follow_up_add(*, actor: User, grid_worker: GridWorker, case: Case, text: str) -> GridFollowUp:
    """A grid worker records a follow-up (跟进/走访记录) on a case of their grid. It changes nothing on the case."""
    if actor is None or not grid_worker.is_active or grid_worker.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能以本人的网格员身份操作")
    if not Case.objects.of_grid_worker(actor).filter(pk=case.pk).exists():
        raise PermissionDenied("只能跟进本网格的意见建议")
    text = (text or "").strip()
    if not text:
        raise DomainError("field_required", "走访记录: 不能为空", field="text")
    if len(text) > FOLLOW_UP_LIMIT:
        raise DomainError("field_too_long", f"走访记录: 不能超过{FOLLOW_UP_LIMIT}字，现为{len(text)}字", field="text")
    with transaction.atomic():
        note = GridFollowUp.objects.create(case=case, grid_worker=grid_worker, text=text)
        audit_record(
            actor=actor,
            action="grid_follow_up.add",
            obj=note,
            changes={"case_id": case.pk},
            note=text[:200],
            region_path=case.region.path,
        )
    return note
