"""The worker's deadline jobs (跟踪、督办): remind before a deadline, mark what is late, escalate what stays late.

Each job takes `now`, is safe to run again at any time and in several processes at once (every write is a
compare-and-swap that acts only when it changed the row), and returns how many cases it acted on.
`lianxin run_worker` runs them every 15 minutes.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Role
from lianxin.cases import permissions as p
from lianxin.cases.deadlines import DEFAULT_LIMITS, STEP_DEADLINES, StepDeadline, limits_for, step_deadline
from lianxin.cases.models import Case, CaseEvent, DeadlinePolicy, Status
from lianxin.cases.notify import notify_user
from lianxin.cases.workflow import Action, CaseConflict, case_transition
from lianxin.core.errors import DomainError
from lianxin.workdays.calendar import CHINA, add_workdays, due_at, workdays_between

logger = logging.getLogger("lianxin.worker")


STAFF_ROLES = (Role.PLACE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.CITY_STAFF)


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, CHINA).date()


def _reminder_opens(due: datetime.datetime, before_days: int) -> datetime.datetime:
    """The start (Beijing midnight) of the working day `before_days` working days before the deadline's day."""
    day = add_workdays(_local_date(due), -before_days) if before_days else _local_date(due)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=CHINA)


def _max_remind_days() -> int:
    configured = DeadlinePolicy.objects.aggregate(m=Max("remind_before_days"))["m"] or 0
    return max(configured, *(limits.remind_before_days for limits in DEFAULT_LIMITS.values()))


def staff_of(case: Case) -> list[User]:
    """The staff nearest to the case: those granted the deepest region on its path (place staff of the village
    before township staff, township staff before the county)."""
    grants = RoleAssignment.objects.filter(
        role__in=STAFF_ROLES, region__path__in=_paths(case.region.path), user__is_active=True
    ).select_related("user", "region")
    if not grants:
        return []
    deepest = max(len(g.region.path) for g in grants)
    return list({g.user.pk: g.user for g in grants if len(g.region.path) == deepest}.values())


def _paths(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _recipients(case: Case, deadline: StepDeadline) -> list[User]:
    if deadline.for_unit:
        return list(case.unit.handlers.filter(is_active=True)) if case.unit is not None else []
    users = {user.pk: user for user in staff_of(case)}
    deputy_user = case.deputy.user if case.deputy is not None else None
    if deputy_user is not None and deputy_user.is_active:
        users[deputy_user.pk] = deputy_user
    return list(users.values())


# --- reminders -----------------------------------------------------------------------------------------------


def cases_remind_due(*, now: datetime.datetime | None = None) -> int:
    """Remind whoever must act `remind_before_days` working days before a deadline, once per case and deadline.

    `Case.reminded_at` holds the last reminder: a reminder for a deadline is due when its window has opened and
    the last reminder is older than the window. A later deadline (the reply after the acceptance, a new reply
    deadline after reopening) has a later window, so it is reminded again.
    """
    now = now or timezone.now()
    horizon = due_at(now, _max_remind_days())
    reminded = 0
    for deadline in STEP_DEADLINES:
        window = {f"{deadline.field}__gt": now, f"{deadline.field}__lte": horizon}
        candidates = Case.objects.filter(status__in=deadline.statuses, **window)
        for case in candidates.select_related("region", "unit", "deputy__user").order_by("pk"):
            reminded += _remind(case, deadline, now)
    return reminded


def _remind(case: Case, deadline: StepDeadline, now: datetime.datetime) -> int:
    due: datetime.datetime = getattr(case, deadline.field)
    opens = _reminder_opens(due, limits_for(case).remind_before_days)
    if now < opens or (case.reminded_at is not None and case.reminded_at >= opens):
        return 0
    if deadline.for_unit and case.transferred_at is not None and case.transferred_at >= opens:
        return 0  # handed over inside the window: the transfer notice itself gave the handlers the deadline
    recipients = _recipients(case, deadline)
    due_text = f"{timezone.localtime(due, CHINA):%Y-%m-%d}"
    with transaction.atomic():
        won = Case.objects.filter(pk=case.pk, status=case.status, reminded_at=case.reminded_at).update(reminded_at=now)
        if not won:
            return 0  # another worker reminded it, or the case moved on
        CaseEvent.objects.create(
            case=case,
            action="remind",
            from_status=case.status,
            to_status=case.status,
            actor_label=p.SYSTEM.label,
            note=f"{deadline.label}时限 {due_text} 将至，已提醒 {len(recipients)} 人",
            data={"deadline": deadline.field, "due": due.isoformat(), "recipients": [u.pk for u in recipients]},
            is_public=False,
        )
        for user in recipients:
            notify_user(
                case,
                user,
                "case.remind",
                f"办理提醒 {case.receipt_code}",
                f"“{case.title}”须于 {due_text} 前{deadline.label}，请及时办理。",
            )
    return 1


# --- overdue -------------------------------------------------------------------------------------------------


def cases_mark_overdue(*, now: datetime.datetime | None = None) -> int:
    """Mark the open cases whose current deadline has passed, each with an `overdue` event (staff only)."""
    now = now or timezone.now()
    late = Q()
    for deadline in STEP_DEADLINES:
        late |= Q(status__in=deadline.statuses, **{f"{deadline.field}__lt": now})
    marked = 0
    for case in Case.objects.filter(late, is_overdue=False).order_by("pk"):
        found = step_deadline(case.status)
        if found is None:
            continue
        due: datetime.datetime = getattr(case, found.field)
        with transaction.atomic():
            won = Case.objects.filter(pk=case.pk, status=case.status, is_overdue=False).update(is_overdue=True)
            if not won:
                continue
            CaseEvent.objects.create(
                case=case,
                action="overdue",
                from_status=case.status,
                to_status=case.status,
                actor_label=p.SYSTEM.label,
                note=f"已超过{found.label}时限（{timezone.localtime(due, CHINA):%Y-%m-%d}）",
                data={"deadline": found.field, "due": due.isoformat()},
                is_public=False,
            )
        marked += 1
    return marked


# --- escalation (督办) ------------------------------------------------------------------------------------------


def cases_escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Put under supervision (督办) the transferred cases whose unit is more than CASE_ESCALATE_AFTER_DAYS working
    days late; the workflow notifies the supervising congress staff."""
    now = now or timezone.now()
    after_days: int = settings.CASE_ESCALATE_AFTER_DAYS
    today = _local_date(now)
    # N working days late is at least N calendar days late: a cheap filter before counting working days.
    candidates = Case.objects.filter(
        status=Status.TRANSFERRED, reply_due__lt=now - datetime.timedelta(days=after_days)
    ).select_related("region", "unit", "deputy")
    escalated = 0
    for case in candidates.order_by("pk"):
        assert case.reply_due is not None
        days_late = workdays_between(_local_date(case.reply_due), today)
        if days_late <= after_days:
            continue
        note = f"超过答复时限 {days_late} 个工作日未答复，系统自动督办"
        try:
            case_transition(case=case, action=Action.ESCALATE, actor=p.SYSTEM, note=note)
        except CaseConflict:
            logger.info("督办 %s: 该件刚被他人处理，跳过", case.receipt_code)
            continue
        except DomainError as exc:
            logger.warning("督办 %s 未完成: %s", case.receipt_code, exc)
            continue
        escalated += 1
    return escalated


# --- repair -----------------------------------------------------------------------------------------------------


def cases_repair_stranded_merges(*, now: datetime.datetime | None = None) -> int:
    """Move on the merged cases whose master was fed back without them (merges into a master already past its
    feed-back, allowed before the workflow refused them, or a merge that raced the feed-back): each follows its
    master now, with the usual `follow_master` event. Safe to run at any time; a case acted on meanwhile is left."""
    masters_past_feedback = {Status.FED_BACK, Status.RATED, Status.CLOSED, Status.PUBLISHED, Status.CONVERTED}
    stranded = Case.objects.filter(status=Status.MERGED, master__status__in=masters_past_feedback)
    repaired = 0
    for case in stranded.select_related("master", "region").order_by("pk"):
        master = case.master
        assert master is not None
        note = f"随主件 {master.receipt_code} 答复（补办：主件已{Status(master.status).label}）"
        try:
            case_transition(case=case, action=Action.FOLLOW_MASTER, actor=p.SYSTEM, note=note)
        except CaseConflict:
            continue
        repaired += 1
    if repaired:
        logger.warning("补办 %s 件滞留在“已并入普遍问题”的意见（主件已反馈）", repaired)
    return repaired


# --- the calendar changed ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    case_id: int
    status: str
    deadline: StepDeadline
    start: datetime.datetime
    working_days: int
    due: datetime.datetime


def deadlines_follow_calendar(year: int) -> Callable[[], int]:
    """Called before `year`'s calendar changes (workdays.calendar_listen): note every open deadline on or after
    1 January of `year` with the working days it counted from its start under the calendar in force. The returned
    function, called once the new calendar is in force, counts them again and moves each deadline that changed,
    with a staff event on its case ("答复时限由 2027-01-04 调整为 2027-01-05"). A deadline the calendar did not
    compute (set by hand) is left alone."""
    first = datetime.datetime.combine(datetime.date(year, 1, 1), datetime.time.min, tzinfo=CHINA)
    falls_in = Q()
    for deadline in STEP_DEADLINES:
        falls_in |= Q(status__in=deadline.statuses, **{f"{deadline.field}__gte": first})
    planned: list[_Planned] = []
    for case in Case.objects.filter(falls_in).order_by("pk"):
        found = step_deadline(case.status)
        start = _deadline_start(case, found) if found else None
        if found is None or start is None:
            continue
        due: datetime.datetime = getattr(case, found.field)
        days = _working_days_counted(start, due)
        if days is not None:
            planned.append(_Planned(case.pk, case.status, found, start, days, due))

    def recompute() -> int:
        now = timezone.now()
        moved = 0
        for plan in planned:
            new_due = due_at(plan.start, plan.working_days)
            if new_due == plan.due:
                continue
            changes: dict[str, object] = {plan.deadline.field: new_due}
            if new_due > now:
                changes["is_overdue"] = False
            won = Case.objects.filter(pk=plan.case_id, status=plan.status, **{plan.deadline.field: plan.due}).update(
                **changes
            )
            if not won:
                continue
            CaseEvent.objects.create(
                case_id=plan.case_id,
                action="deadline",
                from_status=plan.status,
                to_status=plan.status,
                actor_label=p.SYSTEM.label,
                note=(
                    f"{year} 年工作日历已更新，{plan.deadline.label}时限由 {_local_date(plan.due):%Y-%m-%d} "
                    f"调整为 {_local_date(new_due):%Y-%m-%d}（{plan.working_days} 个工作日）"
                ),
                data={"deadline": plan.deadline.field, "old": plan.due.isoformat(), "new": new_due.isoformat()},
                is_public=False,
            )
            moved += 1
        if moved:
            logger.info("%s 年工作日历更新：%s 件在办意见的时限已重新计算", year, moved)
        return moved

    return recompute


def _deadline_start(case: Case, deadline: StepDeadline) -> datetime.datetime | None:
    """When the current deadline started counting: registration for acceptance, the reply for feedback, and for a
    reply the last step that set it (transfer, coordination, reopening, supervision)."""
    if deadline.field == "accept_due":
        return case.registered_at
    if deadline.field == "feedback_due":
        return case.replied_at
    event = case.events.filter(data__has_key=deadline.field).order_by("-created_at", "-pk").first()
    return event.created_at if event is not None else case.transferred_at


def _working_days_counted(start: datetime.datetime, due: datetime.datetime) -> int | None:
    """The n with due_at(start, n) == due under the calendar in force, or None when there is none."""
    start_day, due_day = _local_date(start), _local_date(due)
    counted = workdays_between(start_day, due_day)
    for n in (counted, 0):
        if due_at(start, n) == due:
            return n
    return None
