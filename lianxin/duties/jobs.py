"""The worker's jobs for duty performance: remind a deputy before a frequency rule's period ends while the rule is
not yet met, remind a place's staff likewise while the place is behind on a place rule, and remind an activity's
organiser the day before of leave requests still undecided. Registered in `lianxin run_worker` by `duty_jobs()`.

Each job takes `now`, may run again at any time and in several processes at once: a reminder is claimed by
inserting its `DutyReminder` row, whose unique constraint lets exactly one process (and one round) send it, in the
same transaction as the outbox row. Each returns how many reminders it sent.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Role
from lianxin.deputies.models import SERVING_STATUSES, Deputy, Mandate
from lianxin.duties.models import (
    Activity,
    ActivityStatus,
    AttendanceStatus,
    DutyReminder,
    FrequencyRule,
    ReminderKind,
    RulePeriod,
    RuleSubject,
)
from lianxin.duties.selectors import activity_counts, period_of, place_counts, rule_kinds, rule_levels, term_starts
from lianxin.notifications.services import notification_enqueue
from lianxin.notifications.worker import At, Job
from lianxin.venues.models import Place
from lianxin.workdays.calendar import CHINA


def _channel() -> str:
    return getattr(settings, "NOTIFICATION_STAFF_CHANNEL", "log")


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now, CHINA).date()


def _claim(**fields: object) -> bool:
    """Insert the reminder's row; False when it is there already (an earlier round, another worker)."""
    try:
        with transaction.atomic():
            DutyReminder.objects.create(**fields)
    except IntegrityError:
        return False
    return True


# --- frequency rules -----------------------------------------------------------------------------------------------


def _subjects(rule: FrequencyRule) -> dict[int, Deputy]:
    """The serving deputies with an account whom the rule concerns."""
    mandates = Mandate.objects.filter(
        status__in=SERVING_STATUSES, deputy__user__isnull=False, deputy__user__is_active=True
    )
    levels = rule_levels(rule)
    if levels is not None:
        mandates = mandates.filter(level__in=levels)
    return {m.deputy_id: m.deputy for m in mandates.select_related("deputy__user").order_by("deputy_id")}


def duties_remind_rules(*, now: datetime.datetime | None = None) -> int:
    """Remind every deputy behind on an active rule within its `remind_days` before the period ends, once per deputy,
    rule and period (DutyReminder). A term rule's period is the deputy's own term, from its start as the board counts
    it (`term_starts`), so deputies elected at different times are reminded at different times."""
    today = _today(now or timezone.now())
    sent = 0
    for rule in FrequencyRule.objects.filter(is_active=True, subject=RuleSubject.DEPUTY).order_by("id"):
        if rule.period != RulePeriod.TERM:
            start, end = period_of(rule.period, today)
            if (end - today).days <= rule.remind_days and (deputies := _subjects(rule)):
                sent += _remind_behind(rule, deputies, start, end, today)
            continue
        deputies = _subjects(rule)
        by_term: dict[datetime.date, dict[int, Deputy]] = defaultdict(dict)
        for deputy_id, term_start in term_starts(deputies, today).items():
            by_term[term_start][deputy_id] = deputies[deputy_id]
        for term_start, members in sorted(by_term.items()):
            start, end = period_of(rule.period, today, term_start=term_start)
            if (end - today).days <= rule.remind_days:
                sent += _remind_behind(rule, members, start, end, today)
    return sent


def _remind_behind(
    rule: FrequencyRule, deputies: dict[int, Deputy], start: datetime.date, end: datetime.date, today: datetime.date
) -> int:
    """Remind those of `deputies` not yet reminded for this period who attended fewer than the rule's minimum."""
    days_left = (end - today).days
    already = set(
        DutyReminder.objects.filter(kind=ReminderKind.RULE, rule=rule, period_start=start).values_list(
            "deputy_id", flat=True
        )
    )
    wanted = [pk for pk in deputies if pk not in already]
    counts = activity_counts(deputy_ids=wanted, start=start, end=end, kinds=rule_kinds(rule))
    sent = 0
    for deputy_id in wanted:
        done = counts.get(deputy_id, 0)
        if done >= rule.minimum:
            continue
        deputy = deputies[deputy_id]
        with transaction.atomic():
            if not _claim(kind=ReminderKind.RULE, deputy=deputy, rule=rule, period_start=start):
                continue
            user = deputy.user
            assert user is not None  # _subjects keeps deputies with an account
            when = "今天" if days_left == 0 else f"{days_left} 天后"
            notification_enqueue(
                kind="duties.rule_remind",
                channel=_channel(),
                recipient=user.phone or user.username,
                user=user,
                subject=f"履职提醒：{rule.name}",
                body=(
                    f"{deputy.name}代表：按“{rule.name}”，{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 应参加至少 "
                    f"{rule.minimum} 次，目前已记录 {done} 次；本周期于{when}（{end:%Y-%m-%d}）结束，请及时安排。"
                ),
            )
        sent += 1
    return sent


# --- place rules ---------------------------------------------------------------------------------------------------


def _place_staff(places: list[Place]) -> dict[int, list[User]]:
    """Region id → the active users holding the place staff role there (a place's liaison staff are granted the
    role over the place's region, as lianxin.cases.summaries reads them)."""
    staff: dict[int, dict[int, User]] = defaultdict(dict)
    grants = RoleAssignment.objects.filter(
        role=Role.PLACE_STAFF, region_id__in={p.region_id for p in places}, user__is_active=True
    ).select_related("user")
    for grant in grants.order_by("user_id"):
        staff[grant.region_id][grant.user_id] = grant.user
    return {region_id: list(users.values()) for region_id, users in staff.items()}


def duties_remind_place_rules(*, now: datetime.datetime | None = None) -> int:
    """Remind the staff of every active place behind on an active place rule (e.g. each room at least one reception
    a month) within the rule's `remind_days` before the period ends, once per place, rule and period. A place
    without staff is not claimed, so staff granted later in the period are still reminded. Returns the places."""
    today = _today(now or timezone.now())
    sent = 0
    for rule in FrequencyRule.objects.filter(is_active=True, subject=RuleSubject.PLACE).order_by("id"):
        start, end = period_of(rule.period, today)
        days_left = (end - today).days
        if days_left > rule.remind_days:
            continue
        places = Place.objects.filter(is_active=True).exclude(
            pk__in=DutyReminder.objects.filter(kind=ReminderKind.PLACE_RULE, rule=rule, period_start=start).values(
                "place_id"
            )
        )
        if rule.place_kind:
            places = places.filter(kind=rule.place_kind)
        wanted = list(places.select_related("region").order_by("id"))
        if not wanted:
            continue
        staff = _place_staff(wanted)
        counts = place_counts(places=[p.pk for p in wanted], start=start, end=end, kinds=rule_kinds(rule))
        for place in wanted:
            done = counts.get(place.pk, 0)
            users = staff.get(place.region_id, [])
            if done >= rule.minimum or not users:
                continue
            with transaction.atomic():
                if not _claim(kind=ReminderKind.PLACE_RULE, place=place, rule=rule, period_start=start):
                    continue
                when = "今天" if days_left == 0 else f"{days_left} 天后"
                for user in users:
                    notification_enqueue(
                        kind="duties.place_rule_remind",
                        channel=_channel(),
                        recipient=user.phone or user.username,
                        user=user,
                        region_path=place.region.path,
                        subject=f"履职提醒：{place.name} {rule.name}"[:200],
                        body=(
                            f"{place.name}：按“{rule.name}”，{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 应至少 {rule.minimum} 次，"
                            f"目前已记录 {done} 次；本周期于{when}（{end:%Y-%m-%d}）结束，请及时安排。"
                        ),
                    )
            sent += 1
    return sent


# --- leave requests --------------------------------------------------------------------------------------------------


def duties_remind_leave(*, now: datetime.datetime | None = None) -> int:
    """The day before an activity, remind its organiser of the leave requests not yet decided (once per activity)."""
    tomorrow = _today(now or timezone.now()) + datetime.timedelta(days=1)
    low = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=CHINA)
    high = low + datetime.timedelta(days=1)
    activities = (
        Activity.objects.filter(
            status=ActivityStatus.PLANNED,
            starts_at__gte=low,
            starts_at__lt=high,
            organiser__isnull=False,
            organiser__is_active=True,
        )
        .annotate(waiting=Count("attendances", filter=Q(attendances__status=AttendanceStatus.LEAVE_REQUESTED)))
        .filter(waiting__gt=0)
        .exclude(pk__in=DutyReminder.objects.filter(kind=ReminderKind.LEAVE).values("activity_id"))
        .select_related("organiser", "region")
        .order_by("starts_at", "id")
    )
    sent = 0
    names: dict[int, list[str]] = defaultdict(list)
    for activity_id, name in (
        Activity.objects.filter(pk__in=[a.pk for a in activities])
        .filter(attendances__status=AttendanceStatus.LEAVE_REQUESTED)
        .values_list("pk", "attendances__deputy__name")
        .order_by("pk", "attendances__deputy__name_stroke_key")
    ):
        names[activity_id].append(name)
    for activity in activities:
        with transaction.atomic():
            if not _claim(kind=ReminderKind.LEAVE, activity=activity):
                continue
            organiser = activity.organiser
            assert organiser is not None
            who = "、".join(names[activity.pk])
            notification_enqueue(
                kind="duties.leave_remind",
                channel=_channel(),
                recipient=organiser.phone or organiser.username,
                user=organiser,
                region_path=activity.region.path,
                subject=f"请假待审批：{activity.title}"[:200],
                body=(
                    f"“{activity.title}”将于 {timezone.localtime(activity.starts_at, CHINA):%m月%d日 %H:%M} 举行，"
                    f"{who} 的请假尚未审批（共 {activity.waiting} 人），请在活动开始前处理。"
                ),
            )
        sent += 1
    return sent


def duty_jobs() -> list[Job]:
    at = datetime.time.fromisoformat(settings.WORKER_SUMMARY_TIME)
    return [
        # Daily: periods and the day before an activity are days, so once a day is as often as anything changes.
        Job("duties_remind_rules", At(at), duties_remind_rules),
        Job("duties_remind_place_rules", At(at), duties_remind_place_rules),
        Job("duties_remind_leave", At(at), duties_remind_leave),
    ]
