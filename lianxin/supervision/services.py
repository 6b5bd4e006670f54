"""Writes of supervision: items and their records, the rectification report, the members' evaluation; 约见; 直通车.

Each write is one keyword-only function that checks the permission again, refuses bad input with a DomainError
naming the field, changes the row by compare-and-swap on its status, and writes an audit row and an event row in
the same transaction. Inspections and 约见 become duty activities through `duties.services`, so sign-in, leave and
the deputies' duty records are the duties app's.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.accounts.actors import Actor, is_user
from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.fields import clean_choice, clean_text
from lianxin.deputies.models import Deputy, DeputyGroup, GroupKind
from lianxin.duties.models import ActivityKind, ActivityStatus, AttendanceStatus
from lianxin.duties.services import activity_create, activity_mark_held, attendance_sign_in_by_hand
from lianxin.projects.models import Project
from lianxin.regions.models import Region
from lianxin.suggestions.models import SessionKind, Suggestion, UnitRole
from lianxin.suggestions.models import Status as SuggestionStatus
from lianxin.suggestions.workflow import suggestion_transition
from lianxin.supervision import notify
from lianxin.supervision.models import (
    RECORD_STAGE,
    DirectLine,
    ItemGroup,
    ItemRecord,
    ItemStatus,
    ItemVote,
    Meeting,
    MeetingStatus,
    RecordKind,
    Stage,
    SubjectKind,
    SupervisionEvent,
    SupervisionItem,
    Verdict,
)
from lianxin.workdays.calendar import CHINA, add_workdays

# The 直通车's default reply limit: urgent, so working days, not the suggestions' months.
DIRECT_LINE_DAYS = 10
# A 约见's follow-up report: the organ reports what it did within this many working days of the meeting.
MEETING_FOLLOWUP_DAYS = 15


def today() -> datetime.date:
    return timezone.localtime(timezone.now(), CHINA).date()


# --- who may ---------------------------------------------------------------------------------------------------------


def can_manage(user: Actor | None, region: Region) -> bool:
    return is_user(user) and may(user, Perm.MANAGE_SUPERVISION, region.path)


def deputy_of(user: Actor | None) -> Deputy | None:
    return Deputy.objects.filter(user=user).first() if is_user(user) else None


def item_member_ids(item: SupervisionItem) -> set[int]:
    """The item's members: the deputies of its groups and those chosen besides."""
    ids = set(
        Deputy.objects.filter(groups__in=ItemGroup.objects.filter(item=item).values("group")).values_list(
            "pk", flat=True
        )
    )
    ids |= set(item.members.values_list("pk", flat=True))
    return ids


def is_unit_handler(user: Actor | None, unit: ResponsibleUnit | None) -> bool:
    return is_user(user) and unit is not None and unit.handlers.filter(pk=user.pk, is_active=True).exists()


def _require_manager(actor: Actor | None, region: Region) -> User:
    if not can_manage(actor, region):
        raise PermissionDenied("只有本级人大的工作人员可以办理监督工作")
    assert is_user(actor)
    return actor


def _text(value: Any, field: str, label: str, *, limit: int = 20000, required: bool = True) -> str:
    return clean_text(value, field, label, limit=limit, required=required)


def _event(
    actor: Actor | None,
    action: str,
    obj: SupervisionItem | Meeting | DirectLine,
    *,
    old: str = "",
    new: str = "",
    note: str = "",
    **data: Any,
) -> None:
    target = {
        SupervisionItem: "item",
        Meeting: "meeting",
        DirectLine: "direct",
    }[type(obj)]
    SupervisionEvent.objects.create(
        **{target: obj},
        action=action,
        from_status=old,
        to_status=new,
        actor=actor if is_user(actor) else None,
        actor_label=str(actor) if actor is not None else "系统",
        note=note,
        data=data,
    )
    changes: dict[str, Any] = {"status": [old, new]} if old != new else {}
    changes.update({k: v for k, v in data.items() if isinstance(v, str | int | bool | list)})
    audit_record(
        actor=actor, action=f"supervision.{action}", obj=obj, region_path=obj.region.path, changes=changes, note=note
    )


def _move(model: type[SupervisionItem] | type[Meeting], obj: Any, sources: set[str], target: str, **fields: Any) -> str:
    """Compare-and-swap: change the status from one of `sources` to `target` (with `fields`) only if no one else
    changed the row since it was read; returns the old status."""
    old = obj.status
    if old not in sources:
        labels = dict(model._meta.get_field("status").choices or [])
        raise DomainError("invalid_transition", f"当前状态为“{labels.get(old, old)}”，不能执行此操作", field="status")
    updated = model.objects.filter(pk=obj.pk, status=old, version=obj.version).update(
        status=target, version=F("version") + 1, **fields
    )
    if updated != 1:
        raise DomainError("conflict", "该记录刚刚已被他人处理，请刷新后重试", field="status")
    obj.refresh_from_db()
    return old


# --- supervision items -------------------------------------------------------------------------------------------


def _check_subject(
    *, subject_kind: str, unit: ResponsibleUnit | None, law_name: str, project: Project | None, region: Region
) -> None:
    if subject_kind == SubjectKind.DEPARTMENT and unit is None:
        raise DomainError("field_required", "被监督部门: 监督部门工作须选择部门", field="unit")
    if subject_kind == SubjectKind.LAW and not law_name:
        raise DomainError("field_required", "法律法规: 执法检查须填写法律法规名称", field="law_name")
    if subject_kind == SubjectKind.PROJECT and project is None:
        raise DomainError("field_required", "民生实事项目: 请选择项目", field="project")
    if unit is not None and not (unit.region.path.startswith(region.path) or region.path.startswith(unit.region.path)):
        raise DomainError("field_invalid", f"被监督部门: {unit.name} 不属于{region.name}", field="unit")
    if project is not None and not project.region.path.startswith(region.path):
        raise DomainError("field_invalid", f"民生实事项目: {project} 不属于{region.name}", field="project")


def item_create(
    *,
    actor: Actor | None,
    region: Region,
    year: int,
    title: str,
    subject_kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    unit: ResponsibleUnit | None = None,
    law_name: str = "",
    project: Project | None = None,
    plan: str = "",
    groups: list[DeputyGroup] | None = None,
    lead_group: DeputyGroup | None = None,
    members: list[Deputy] | None = None,
) -> SupervisionItem:
    user = _require_manager(actor, region)
    title = _text(title, "title", "监督事项", limit=120)
    subject_kind = clean_choice(subject_kind, "subject_kind", "监督类型", SubjectKind)
    law_name = _text(law_name, "law_name", "法律法规", limit=120, required=False)
    plan = _text(plan, "plan", "工作方案", required=False)
    if not 2000 <= int(year) <= 2100:
        raise DomainError("field_invalid", "年度: 应为四位年份", field="year")
    if ends_on < starts_on:
        raise DomainError("field_invalid", "结束日期: 不能早于开始日期", field="ends_on")
    _check_subject(subject_kind=subject_kind, unit=unit, law_name=law_name, project=project, region=region)
    groups = list(groups or [])
    if lead_group is not None and lead_group not in groups:
        groups.insert(0, lead_group)
    for group in groups:
        if group.kind != GroupKind.SUPERVISION:
            raise DomainError("field_invalid", f"监督组: {group.name} 不是监督小组", field="groups")
        if not group.region.path.startswith(region.path):
            raise DomainError("field_invalid", f"监督组: {group.name} 不属于{region.name}", field="groups")
    if not groups and not members:
        raise DomainError("field_required", "监督组: 请至少选择一个监督组或成员", field="groups")
    with transaction.atomic():
        item = SupervisionItem.objects.create(
            region=region,
            year=year,
            title=title,
            subject_kind=subject_kind,
            unit=unit,
            law_name=law_name,
            project=project,
            plan=plan,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=user,
        )
        ItemGroup.objects.bulk_create(
            [ItemGroup(item=item, group=g, is_lead=(g == (lead_group or groups[0]))) for g in groups]
        )
        if members:
            item.members.set(members)
        if plan:
            ItemRecord.objects.create(item=item, stage="before", kind=RecordKind.PLAN, text=plan, created_by=user)
        _event(user, "create", item, new=item.status, groups=[g.name for g in groups])
    return item


def item_record_add(*, actor: Actor | None, item: SupervisionItem, kind: str, text: str) -> ItemRecord:
    """A plan, a finding or another note. Inspections, opinions, reports and evaluations have their own writes."""
    user = _require_manager(actor, item.region)
    kind = clean_choice(kind, "kind", "记录类型", RecordKind)
    if kind not in (RecordKind.PLAN, RecordKind.FINDING, RecordKind.NOTE):
        raise DomainError("field_invalid", "记录类型: 视察、审议意见、整改报告和测评请用各自的操作", field="kind")
    text = _text(text, "text", "内容")
    default = Stage.BEFORE if item.status == ItemStatus.PLANNED else Stage.DURING
    stage = RECORD_STAGE.get(RecordKind(kind), default)
    old = item.status
    with transaction.atomic():
        record = ItemRecord.objects.create(item=item, stage=stage, kind=kind, text=text, created_by=user)
        if kind == RecordKind.PLAN:
            SupervisionItem.objects.filter(pk=item.pk).update(plan=text)
            item.plan = text
        if kind == RecordKind.FINDING and item.status == ItemStatus.PLANNED:
            _move(SupervisionItem, item, {ItemStatus.PLANNED}, ItemStatus.ONGOING)
        _event(user, f"record_{kind}", item, old=old, new=item.status, note=text[:200])
    return record


def item_inspection_schedule(
    *,
    actor: Actor | None,
    item: SupervisionItem,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str = "",
) -> ItemRecord:
    """视察 or 执法检查: a duty activity with the item's members invited (sign-in, leave and duty records come from
    the duties app); the item is under way from then on."""
    user = _require_manager(actor, item.region)
    if kind not in (RecordKind.INSPECTION, RecordKind.LAW_CHECK):
        raise DomainError("field_invalid", "类型: 应为 inspection（视察）或 law_check（执法检查）", field="kind")
    if item.status == ItemStatus.EVALUATED:
        raise DomainError("item_closed", "监督事项已测评完毕，不能再安排视察", field="kind")
    invited = list(Deputy.objects.filter(pk__in=item_member_ids(item)))
    with transaction.atomic():
        activity = activity_create(
            actor=user,
            kind=ActivityKind.INSPECTION if kind == RecordKind.INSPECTION else ActivityKind.LAW_CHECK,
            title=_text(title, "title", "名称", limit=120),
            region=item.region,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            organiser_name=f"{item.region.name}人大常委会",
            invited=invited,
        )
        record = ItemRecord.objects.create(
            item=item, stage="during", kind=kind, text=activity.title, activity=activity, created_by=user
        )
        old = item.status
        if old == ItemStatus.PLANNED:
            _move(SupervisionItem, item, {ItemStatus.PLANNED}, ItemStatus.ONGOING)
        _event(user, f"schedule_{kind}", item, old=old, new=item.status, activity=activity.pk, invited=len(invited))
    return record


def item_opinions_send(
    *, actor: Actor | None, item: SupervisionItem, opinions: str, report_due: datetime.date
) -> SupervisionItem:
    """审议意见 sent to the department, with the date its rectification report is due."""
    user = _require_manager(actor, item.region)
    opinions = _text(opinions, "opinions", "审议意见")
    if report_due <= today():
        raise DomainError("field_invalid", "整改报告期限: 应晚于今天", field="report_due")
    with transaction.atomic():
        old = _move(
            SupervisionItem,
            item,
            {ItemStatus.PLANNED, ItemStatus.ONGOING},
            ItemStatus.OPINIONS_SENT,
            opinions=opinions,
            opinions_sent_at=timezone.now(),
            report_due=report_due,
        )
        ItemRecord.objects.create(item=item, stage="after", kind=RecordKind.OPINIONS, text=opinions, created_by=user)
        notify.item_unit(
            item,
            "opinions",
            f"{item.region.name}人大常委会就“{item.title}”提出审议意见，请于 {report_due:%Y-%m-%d} 前报送整改报告。",
        )
        _event(user, "opinions_send", item, old=old, new=item.status, report_due=report_due.isoformat())
    return item


def item_report_submit(*, actor: Actor | None, item: SupervisionItem, report: str) -> SupervisionItem:
    """整改报告, entered by the department's handler or by staff. After the deadline it is accepted and marked late
    (迟交): nothing the department sends is lost."""
    if not (can_manage(actor, item.region) or is_unit_handler(actor, item.unit)):
        raise PermissionDenied("只有被监督部门的经办人或人大工作人员可以报送整改报告")
    report = _text(report, "report", "整改报告")
    late = item.report_due is not None and today() > item.report_due
    with transaction.atomic():
        old = _move(
            SupervisionItem,
            item,
            {ItemStatus.OPINIONS_SENT},
            ItemStatus.REPORTED,
            report=report,
            reported_at=timezone.now(),
            report_late=late,
        )
        ItemRecord.objects.create(
            item=item,
            stage="after",
            kind=RecordKind.REPORT,
            text=report,
            created_by=actor if is_user(actor) else None,
        )
        _event(actor, "report_submit", item, old=old, new=item.status, late=late)
    return item


def item_evaluation_open(*, actor: Actor | None, item: SupervisionItem) -> SupervisionItem:
    user = _require_manager(actor, item.region)
    if item.status != ItemStatus.REPORTED:
        raise DomainError("evaluation_not_ready", "满意度测评: 整改报告报送后才能开始测评", field="status")
    with transaction.atomic():
        if SupervisionItem.objects.filter(pk=item.pk, evaluation_open=False).update(evaluation_open=True) != 1:
            raise DomainError("evaluation_open", "满意度测评: 测评已在进行中", field="status")
        item.refresh_from_db()
        notify.item_members(item, "evaluation", f"请对“{item.title}”的整改情况进行满意度测评（工作台→监督）。")
        _event(user, "evaluation_open", item, old=item.status, new=item.status)
    return item


def item_vote(*, actor: Actor | None, item: SupervisionItem, verdict: str) -> None:
    """One vote per member, secret: the member's row says that they voted, the counts what was voted."""
    deputy = deputy_of(actor)
    if deputy is None or deputy.pk not in item_member_ids(item):
        raise PermissionDenied("只有该监督事项的监督组成员可以参加测评")
    verdict = clean_choice(verdict, "verdict", "测评意见", Verdict)
    item.refresh_from_db(fields=["evaluation_open"])
    if not item.evaluation_open:
        raise DomainError("evaluation_closed", "满意度测评: 测评尚未开始或已结束", field="verdict")
    counter = {
        Verdict.SATISFIED: "votes_satisfied",
        Verdict.BASIC: "votes_basic",
        Verdict.UNSATISFIED: "votes_unsatisfied",
    }
    try:
        with transaction.atomic():
            ItemVote.objects.create(item=item, deputy=deputy)
            updated = SupervisionItem.objects.filter(pk=item.pk, evaluation_open=True).update(
                **{counter[Verdict(verdict)]: F(counter[Verdict(verdict)]) + 1}
            )
            if updated != 1:
                raise DomainError("evaluation_closed", "满意度测评: 测评刚刚已结束", field="verdict")
            # Audited as "voted", without the verdict.
            audit_record(actor=actor, action="supervision.vote", obj=item, region_path=item.region.path)
    except IntegrityError:
        raise DomainError("already_voted", "满意度测评: 您已经投过票，每人只能投一次", field="verdict") from None


def item_paper_votes_add(
    *, actor: Actor | None, item: SupervisionItem, satisfied: int, basic: int, unsatisfied: int
) -> SupervisionItem:
    """Paper ballots counted at the meeting (members without the phone workbench): staff add the counts. The total
    of phone and paper votes cannot pass the number of members."""
    user = _require_manager(actor, item.region)
    counts = {"satisfied": satisfied, "basic": basic, "unsatisfied": unsatisfied}
    for name, value in counts.items():
        if not isinstance(value, int) or value < 0:
            raise DomainError("field_invalid", "纸质票数: 应为不小于 0 的整数", field=name)
    added = satisfied + basic + unsatisfied
    if added == 0:
        raise DomainError("field_required", "纸质票数: 请填写票数", field="satisfied")
    with transaction.atomic():
        item = SupervisionItem.objects.select_for_update().get(pk=item.pk)
        if not item.evaluation_open:
            raise DomainError("evaluation_closed", "满意度测评: 测评尚未开始或已结束", field="satisfied")
        members = len(item_member_ids(item))
        if item.votes_total + added > members:
            raise DomainError(
                "too_many_votes",
                f"纸质票数: 加上已投的 {item.votes_total} 票共 {item.votes_total + added} 票，超过成员人数 {members}",
                field="satisfied",
            )
        SupervisionItem.objects.filter(pk=item.pk).update(
            votes_satisfied=F("votes_satisfied") + satisfied,
            votes_basic=F("votes_basic") + basic,
            votes_unsatisfied=F("votes_unsatisfied") + unsatisfied,
        )
        item.refresh_from_db()
        _event(
            user,
            "paper_votes",
            item,
            old=item.status,
            new=item.status,
            satisfied=satisfied,
            basic=basic,
            unsatisfied=unsatisfied,
        )
    return item


def evaluation_result(item: SupervisionItem) -> dict[str, Any]:
    """The counts and the satisfaction rate (满意 + 基本满意 over all votes), and the verdict of the majority."""
    total = item.votes_total
    rate = round((item.votes_satisfied + item.votes_basic) * 100 / total, 1) if total else None
    return {
        "satisfied": item.votes_satisfied,
        "basic": item.votes_basic,
        "unsatisfied": item.votes_unsatisfied,
        "total": total,
        "rate": rate,
        "passed": rate is not None and rate > 50,
    }


def item_evaluation_close(*, actor: Actor | None, item: SupervisionItem) -> SupervisionItem:
    user = _require_manager(actor, item.region)
    item.refresh_from_db()  # the counts move with every vote
    if not item.evaluation_open:
        raise DomainError("evaluation_closed", "满意度测评: 测评尚未开始", field="status")
    if item.votes_total == 0:
        raise DomainError("evaluation_empty", "满意度测评: 还没有成员投票，不能结束测评", field="status")
    with transaction.atomic():
        old = _move(SupervisionItem, item, {ItemStatus.REPORTED}, ItemStatus.EVALUATED, evaluation_open=False)
        result = evaluation_result(item)
        text = (
            f"满意 {result['satisfied']} 票，基本满意 {result['basic']} 票，不满意 {result['unsatisfied']} 票；"
            f"满意率 {result['rate']}%（{'通过' if result['passed'] else '未通过'}）"
        )
        ItemRecord.objects.create(item=item, stage="after", kind=RecordKind.EVALUATION, text=text, created_by=user)
        _event(user, "evaluation_close", item, old=old, new=item.status, note=text, rate=str(result["rate"]))
    return item


# --- 约见 ------------------------------------------------------------------------------------------------------------


def meeting_request(
    *,
    actor: Actor | None,
    organ: ResponsibleUnit,
    subject: str,
    proposed_at: datetime.datetime,
    detail: str = "",
    organ_head: str = "",
    deputies: list[Deputy] | None = None,
) -> Meeting:
    """A deputy asks (with others, if any) to meet the head of a state organ; staff may enter it for deputies.
    The congress is the organ's level (its region)."""
    region = organ.region
    own = deputy_of(actor)
    staff = can_manage(actor, region)
    deputies = list(deputies or [])
    if own is not None and not staff and own not in deputies:
        deputies.insert(0, own)
    if not staff and own is None:
        raise PermissionDenied("只有代表本人或人大工作人员可以提出约见")
    if not deputies:
        raise DomainError("field_required", "约见代表: 请至少选择一名代表", field="deputies")
    subject = _text(subject, "subject", "约见事由", limit=200)
    detail = _text(detail, "detail", "具体问题", required=False)
    organ_head = _text(organ_head, "organ_head", "被约见负责人", limit=50, required=False)
    if proposed_at <= timezone.now():
        raise DomainError("meeting_in_past", "建议时间: 不能早于现在，请选择今后的时间", field="proposed_at")
    if not organ.is_active:
        raise DomainError("field_invalid", f"被约见机关: {organ.name} 已停用", field="organ")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            region=region,
            subject=subject,
            detail=detail,
            organ=organ,
            organ_head=organ_head,
            proposed_at=proposed_at,
            requested_by=actor if is_user(actor) else None,
        )
        meeting.deputies.set(deputies)
        notify.meeting_staff(
            meeting, "requested", f"{'、'.join(d.name for d in deputies)}代表申请约见{organ.name}负责人：{subject}"
        )
        _event(actor, "meeting_request", meeting, new=meeting.status, deputies=[d.name for d in deputies])
    return meeting


def meeting_arrange(
    *, actor: Actor | None, meeting: Meeting, scheduled_at: datetime.datetime, place: str, attendees: str = ""
) -> Meeting:
    """Staff fix the time and place; the meeting is a duty activity the deputies are invited to (sign-in by QR)."""
    user = _require_manager(actor, meeting.region)
    place = _text(place, "place", "地点", limit=200)
    attendees = _text(attendees, "attendees", "出席人员", limit=300, required=False)
    if scheduled_at <= timezone.now():
        raise DomainError("meeting_in_past", "约见时间: 不能早于现在", field="scheduled_at")
    with transaction.atomic():
        activity = activity_create(
            actor=user,
            kind=ActivityKind.BRIEFING,
            title=f"约见{meeting.organ.name}：{meeting.subject}"[:120],
            region=meeting.region,
            starts_at=scheduled_at,
            ends_at=scheduled_at + datetime.timedelta(hours=2),
            location=place,
            organiser_name=f"{meeting.region.name}人大常委会",
            invited=list(meeting.deputies.all()),
        )
        old = _move(
            Meeting,
            meeting,
            {MeetingStatus.REQUESTED},
            MeetingStatus.ARRANGED,
            scheduled_at=scheduled_at,
            place=place,
            attendees=attendees,
            activity=activity,
        )
        notify.meeting_deputies(
            meeting,
            "arranged",
            f"您申请的约见“{meeting.subject}”已安排：{timezone.localtime(scheduled_at, CHINA):%Y-%m-%d %H:%M}，{place}。",
        )
        _event(user, "meeting_arrange", meeting, old=old, new=meeting.status, activity=activity.pk)
    return meeting


def meeting_decline(*, actor: Actor | None, meeting: Meeting, reason: str) -> Meeting:
    user = _require_manager(actor, meeting.region)
    reason = _text(reason, "reason", "未安排理由", limit=2000)
    with transaction.atomic():
        old = _move(Meeting, meeting, {MeetingStatus.REQUESTED}, MeetingStatus.DECLINED, decline_reason=reason)
        notify.meeting_deputies(meeting, "declined", f"您申请的约见“{meeting.subject}”未安排：{reason}")
        _event(user, "meeting_decline", meeting, old=old, new=meeting.status, note=reason)
    return meeting


def meeting_record(
    *,
    actor: Actor | None,
    meeting: Meeting,
    record: str,
    present: list[Deputy] | None = None,
    followup_due: datetime.date | None = None,
) -> Meeting:
    """The meeting took place: its record, the deputies present (signed in by staff if they did not scan; the
    others absent in the duty record), and the date the organ's follow-up is due."""
    user = _require_manager(actor, meeting.region)
    record = _text(record, "record", "约见记录")
    if meeting.scheduled_at is not None and meeting.scheduled_at > timezone.now():
        raise DomainError("meeting_not_held", "约见记录: 约见时间未到，不能登记记录", field="record")
    due = followup_due or add_workdays(today(), MEETING_FOLLOWUP_DAYS)
    if due <= today():
        raise DomainError("field_invalid", "反馈期限: 应晚于今天", field="followup_due")
    deputies = list(meeting.deputies.all())
    present = deputies if present is None else present
    if any(d not in deputies for d in present):
        raise DomainError("field_invalid", "出席代表: 只能是申请约见的代表", field="present")
    with transaction.atomic():
        activity = meeting.activity
        if activity is not None and activity.status == ActivityStatus.PLANNED:
            signed = set(
                activity.attendances.filter(status=AttendanceStatus.PRESENT).values_list("deputy_id", flat=True)
            )
            for deputy in present:
                if deputy.pk not in signed:
                    attendance_sign_in_by_hand(actor=user, activity=activity, deputy=deputy, reason="约见记录登记出席")
            activity_mark_held(actor=user, activity=activity, outcome=record)
        old = _move(Meeting, meeting, {MeetingStatus.ARRANGED}, MeetingStatus.HELD, record=record, followup_due=due)
        notify.meeting_organ(
            meeting, "followup", f"约见“{meeting.subject}”已举行，请于 {due:%Y-%m-%d} 前报送办理反馈。"
        )
        _event(user, "meeting_record", meeting, old=old, new=meeting.status, followup_due=due.isoformat())
    return meeting


def meeting_followup(*, actor: Actor | None, meeting: Meeting, text: str) -> Meeting:
    """The organ's follow-up, entered by its handler or by staff; after the deadline it is kept and marked late."""
    if not (can_manage(actor, meeting.region) or is_unit_handler(actor, meeting.organ)):
        raise PermissionDenied("只有被约见机关的经办人或人大工作人员可以报送反馈")
    text = _text(text, "followup", "办理反馈")
    late = meeting.followup_due is not None and today() > meeting.followup_due
    with transaction.atomic():
        old = _move(
            Meeting,
            meeting,
            {MeetingStatus.HELD},
            MeetingStatus.FOLLOWED_UP,
            followup=text,
            followed_up_at=timezone.now(),
            followup_late=late,
        )
        notify.meeting_deputies(meeting, "followed_up", f"约见“{meeting.subject}”的办理反馈：{text[:200]}")
        _event(actor, "meeting_followup", meeting, old=old, new=meeting.status, late=late)
    return meeting


# --- 直通车 ----------------------------------------------------------------------------------------------------------


def direct_line_send(
    *,
    actor: Actor | None,
    suggestion: Suggestion,
    unit: ResponsibleUnit,
    urgency: str,
    reply_days: int = DIRECT_LINE_DAYS,
) -> DirectLine:
    """直通车: an urgent suggestion of the interval between sessions goes straight to its organ. The suggestions
    workflow takes it through its own steps at once (submit, pre-review, accept, assign: each its event), and the
    short deadline is tracked here."""
    user = _require_manager(actor, suggestion.region)
    if not may(user, Perm.MANAGE_SUGGESTIONS, suggestion.region.path):
        raise PermissionDenied("直通车须由能办理代表建议的工作人员交办")
    if suggestion.session.kind != SessionKind.INTERVAL:
        raise DomainError("not_interval", "直通车: 只适用于闭会期间的代表建议", field="suggestion")
    urgency = _text(urgency, "urgency", "紧急理由", limit=300)
    if not 1 <= int(reply_days) <= 30:
        raise DomainError("field_invalid", "答复期限: 应为 1 到 30 个工作日", field="reply_days")
    if DirectLine.objects.filter(suggestion=suggestion).exists():
        raise DomainError("already_direct", "直通车: 该建议已经直通交办", field="suggestion")
    steps = {
        SuggestionStatus.DRAFT: "submit",
        SuggestionStatus.COLLECTING: "submit",
        SuggestionStatus.SUBMITTED: "pass",
        SuggestionStatus.PRE_REVIEWED: "accept",
        SuggestionStatus.ACCEPTED: "assign",
    }
    if suggestion.status not in steps:
        raise DomainError(
            "invalid_transition",
            f"直通车: 该建议当前为“{SuggestionStatus(suggestion.status).label}”，只有尚未交办的建议可以直通",
            field="suggestion",
        )
    note = f"直通车：{urgency}"
    with transaction.atomic():
        while suggestion.status in steps:
            action = steps[SuggestionStatus(suggestion.status)]
            params = {"units": [{"unit": unit.pk, "role": UnitRole.LEAD}]} if action == "assign" else {}
            suggestion = suggestion_transition(
                suggestion=suggestion, action=action, actor=user, note=note, params=params
            )
        line = DirectLine.objects.create(
            suggestion=suggestion,
            region=suggestion.region,
            urgency=urgency,
            reply_due=add_workdays(today(), int(reply_days)),
            created_by=user,
        )
        notify.direct_unit(
            line, "sent", f"直通车：{suggestion.title}。请于 {line.reply_due:%Y-%m-%d} 前答复代表（{urgency}）。"
        )
        _event(user, "direct_send", line, new="assigned", unit=unit.name, reply_due=line.reply_due.isoformat())
    return line


def get_or_404(queryset: Any, pk: Any) -> Any:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    obj = queryset.filter(pk=key).first()
    if obj is None:
        raise NotFound()
    return obj
