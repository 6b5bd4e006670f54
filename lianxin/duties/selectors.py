"""Reads of duty performance: counts per deputy (activities attended and receptions, which are counted from the
cases app's reception sessions, never copied), the compliance board of the frequency rules, scores and ranking.

The counts are grouped queries over the whole set of deputies at once (one query per source), so a province's
30,000 deputies are scored in seconds (bench/duties.py), not deputy by deputy.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lianxin.cases.models import Case, Rating, ReceptionSession
from lianxin.cases.models import Status as CaseStatus
from lianxin.deputies.models import SERVING_STATUSES, Deputy, Mandate
from lianxin.duties.models import (
    GRASSROOTS_KINDS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    EntryStatus,
    FrequencyRule,
    Pledge,
    RulePeriod,
    ScoreEntry,
    ScoreItem,
    ScoreSource,
)
from lianxin.suggestions.models import Rating as SuggestionRating
from lianxin.suggestions.models import Status as SuggestionStatus
from lianxin.suggestions.models import Suggestion, UnitAssignment, UnitRole
from lianxin.workdays.calendar import CHINA


def activities_visible_to(*, user: Any) -> QuerySet[Activity]:
    return Activity.objects.visible_to(user).select_related("region", "place")


def activities_of_deputy(*, deputy: Deputy, year: int | None = None) -> QuerySet[Attendance]:
    rows = Attendance.objects.filter(deputy=deputy).select_related("activity", "activity__region", "activity__place")
    if year:
        rows = rows.filter(activity__starts_at__year=year)
    return rows.order_by("-activity__starts_at")


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end] in Beijing days as an aware half-open interval."""
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=CHINA),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CHINA),
    )


def activity_counts(
    *, deputy_ids: Iterable[int] | None, start: datetime.date, end: datetime.date, kinds: Iterable[str]
) -> dict[int, int]:
    """Activities each deputy attended (signed in) in [start, end], of the given kinds; receptions (坐诊、巡诊) come
    from the cases app's sessions. `deputy_ids=None`: every deputy (grouped queries, for boards and scoring)."""
    kinds = set(kinds)
    low, high = _bounds(start, end)
    counts: dict[int, int] = defaultdict(int)
    other = kinds - {ActivityKind.RECEPTION}
    if other:
        rows = Attendance.objects.filter(
            status=AttendanceStatus.PRESENT,
            activity__kind__in=other,
            activity__starts_at__gte=low,
            activity__starts_at__lt=high,
        ).exclude(activity__status=ActivityStatus.CANCELLED)
        if deputy_ids is not None:
            rows = rows.filter(deputy_id__in=list(deputy_ids))
        for row in rows.values("deputy_id").annotate(n=Count("id")).order_by():
            counts[row["deputy_id"]] += row["n"]
    if ActivityKind.RECEPTION in kinds:
        sessions = ReceptionSession.objects.filter(started_at__gte=low, started_at__lt=high)
        if deputy_ids is not None:
            sessions = sessions.filter(deputy_id__in=list(deputy_ids))
        for row in sessions.values("deputy_id").annotate(n=Count("id")).order_by():
            counts[row["deputy_id"]] += row["n"]
    return dict(counts)


def activity_counts_by_kind(*, deputy: Deputy, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """One deputy's attended activities in [start, end] per kind, receptions included: two grouped queries."""
    low, high = _bounds(start, end)
    counts = dict.fromkeys(ActivityKind.values, 0)
    attended = (
        Attendance.objects.filter(
            deputy=deputy,
            status=AttendanceStatus.PRESENT,
            activity__starts_at__gte=low,
            activity__starts_at__lt=high,
        )
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .values("activity__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in attended:
        counts[row["activity__kind"]] += row["n"]
    counts[ActivityKind.RECEPTION] += ReceptionSession.objects.filter(
        deputy=deputy, started_at__gte=low, started_at__lt=high
    ).count()
    return counts


# --- frequency rules and the board ---------------------------------------------------------------------------------


def period_of(
    rule_period: str, day: datetime.date, *, term_start: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The rule's period that contains `day`."""
    if rule_period == RulePeriod.MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if rule_period == RulePeriod.QUARTER:
        first_month = 3 * ((day.month - 1) // 3) + 1
        last_month = first_month + 2
        return (
            datetime.date(day.year, first_month, 1),
            datetime.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
        )
    if rule_period == RulePeriod.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    start = term_start or datetime.date(day.year - 4, 1, 1)
    return start, datetime.date(start.year + 5, start.month, start.day) - datetime.timedelta(days=1)


def rule_kinds(rule: FrequencyRule) -> set[str]:
    return set(rule.kinds) if rule.kinds else set(GRASSROOTS_KINDS)


@dataclass
class BoardRow:
    deputy: Deputy
    township: str
    counts: dict[int, int] = field(default_factory=dict)  # rule id → count in the period
    behind: list[int] = field(default_factory=list)  # rule ids not yet met


@dataclass
class Board:
    rules: list[FrequencyRule]
    periods: dict[int, tuple[datetime.date, datetime.date]]
    rows: list[BoardRow]

    def met(self, rule: FrequencyRule) -> int:
        return sum(1 for row in self.rows if rule.pk not in row.behind and rule.pk in row.counts)

    def behind(self, rule: FrequencyRule) -> int:
        return sum(1 for row in self.rows if rule.pk in row.behind)


def _serving_mandates(user: Any) -> QuerySet[Mandate]:
    return Mandate.objects.filter(
        status__in=SERVING_STATUSES, deputy__in=Deputy.objects.visible_to(user).values("id")
    ).select_related("deputy", "district_region", "district_region__parent", "congress_region")


def compliance_board(*, user: Any, day: datetime.date | None = None) -> Board:
    """Who of the user's serving deputies meets which deputy rule in the period containing `day`, who is behind."""
    day = day or timezone.localdate()
    rules = list(FrequencyRule.objects.filter(is_active=True, subject="deputy").order_by("id"))
    mandates = list(_serving_mandates(user))
    rows: dict[int, BoardRow] = {}
    for mandate in mandates:
        district = mandate.district_region
        township = district.parent.name if district is not None and district.parent is not None else ""
        rows.setdefault(mandate.deputy_id, BoardRow(mandate.deputy, township))
    levels: dict[int, set[str]] = defaultdict(set)
    for mandate in mandates:
        levels[mandate.deputy_id].add(mandate.level)
    periods = {}
    for rule in rules:
        start, end = period_of(rule.period, day)
        periods[rule.pk] = (start, end)
        subjects = [d for d in rows if not rule.level or rule.level in levels[d]]
        counts = activity_counts(deputy_ids=subjects, start=start, end=end, kinds=rule_kinds(rule))
        for deputy_id in subjects:
            count = counts.get(deputy_id, 0)
            rows[deputy_id].counts[rule.pk] = count
            if count < rule.minimum:
                rows[deputy_id].behind.append(rule.pk)
    ordered = sorted(rows.values(), key=lambda r: (r.township, -len(r.behind), r.deputy.name_stroke_key or ""))
    return Board(rules=rules, periods=periods, rows=ordered)


# --- scoring -------------------------------------------------------------------------------------------------------


@dataclass
class ScoreLine:
    deputy_id: int
    name: str
    items: dict[int, Decimal] = field(default_factory=dict)  # item id → points
    pending: set[int] = field(default_factory=set)  # self-assessed items not yet confirmed
    total: Decimal = Decimal("0")
    rank: int = 0


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _grouped(rows: QuerySet[Any], key: str) -> dict[int, int]:
    """{deputy id: rows} in one grouped query."""
    return {r[key]: r["n"] for r in rows.values(key).annotate(n=Count("id")).order_by()}


def _source_counts(item: ScoreItem, deputy_ids: list[int], year: int) -> dict[int, int]:
    start, end = _year_bounds(year)
    low, high = _bounds(start, end)
    if item.source == ScoreSource.ACTIVITIES:
        return activity_counts(
            deputy_ids=deputy_ids, start=start, end=end, kinds=item.kinds or list(ActivityKind.values)
        )
    if item.source == ScoreSource.RECEPTIONS:
        return activity_counts(deputy_ids=deputy_ids, start=start, end=end, kinds=[ActivityKind.RECEPTION])
    if item.source == ScoreSource.SUGGESTIONS:
        suggestions = Suggestion.objects.filter(
            lead_deputy_id__in=deputy_ids, submitted_at__gte=low, submitted_at__lt=high
        ).exclude(status__in=[SuggestionStatus.WITHDRAWN, SuggestionStatus.NOT_ACCEPTED])
        return _grouped(suggestions, "lead_deputy_id")
    if item.source == ScoreSource.SUGGESTION_SATISFIED:
        replies = UnitAssignment.objects.filter(
            suggestion__lead_deputy_id__in=deputy_ids,
            role=UnitRole.LEAD,
            is_active=True,
            rated_at__gte=low,
            rated_at__lt=high,
            rating__in=[SuggestionRating.SATISFIED, SuggestionRating.BASIC],
        )
        return _grouped(replies, "suggestion__lead_deputy_id")
    if item.source == ScoreSource.CASES:
        fed_back = Case.objects.filter(
            deputy_id__in=deputy_ids,
            fed_back_at__gte=low,
            fed_back_at__lt=high,
            status__in=[CaseStatus.FED_BACK, CaseStatus.RATED, CaseStatus.CLOSED, CaseStatus.PUBLISHED],
        )
        return _grouped(fed_back, "deputy_id")
    if item.source == ScoreSource.CASE_SATISFIED:
        satisfied = Case.objects.filter(
            deputy_id__in=deputy_ids,
            rated_at__gte=low,
            rated_at__lt=high,
            rating__in=[Rating.SATISFIED, Rating.BASICALLY],
        )
        return _grouped(satisfied, "deputy_id")
    if item.source == ScoreSource.PLEDGES_KEPT:
        return _grouped(Pledge.objects.filter(deputy_id__in=deputy_ids, year=year, is_kept=True), "deputy_id")
    return {}


def congress_deputies(*, region_id: int, level: str, year: int) -> list[tuple[int, str]]:
    """(id, name) of the deputies who served in the congress during the year."""
    rows = (
        Mandate.objects.filter(congress_region_id=region_id, level=level)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=datetime.date(year, 1, 1)))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=datetime.date(year, 12, 31)))
        .values_list("deputy_id", "deputy__name")
        .distinct()
    )
    return sorted(set(rows), key=lambda r: r[0])


def scores(*, region_id: int, level: str, year: int, deputy_ids: list[int] | None = None) -> list[ScoreLine]:
    """Every deputy's points per item and total for the year, ranked (equal totals share a rank)."""
    items = list(ScoreItem.objects.filter(region_id=region_id, level=level, year=year).order_by("position", "id"))
    deputies = congress_deputies(region_id=region_id, level=level, year=year)
    if deputy_ids is not None:
        wanted = set(deputy_ids)
        deputies = [d for d in deputies if d[0] in wanted]
    lines = {deputy_id: ScoreLine(deputy_id, name) for deputy_id, name in deputies}
    ids = list(lines)
    for item in items:
        if item.source == ScoreSource.SELF:
            continue
        counts = _source_counts(item, ids, year)
        for deputy_id, line in lines.items():
            line.items[item.pk] = min(item.max_points, item.points_each * counts.get(deputy_id, 0))
    self_items = [item.pk for item in items if item.source == ScoreSource.SELF]
    if self_items:
        for entry in ScoreEntry.objects.filter(item_id__in=self_items, deputy_id__in=ids).values(
            "deputy_id", "item_id", "status", "claimed", "confirmed"
        ):
            line = lines[entry["deputy_id"]]
            if entry["status"] == EntryStatus.CONFIRMED and entry["confirmed"] is not None:
                line.items[entry["item_id"]] = entry["confirmed"]
            else:
                line.items[entry["item_id"]] = Decimal("0")  # a claim counts once confirmed
                line.pending.add(entry["item_id"])
    for line in lines.values():
        line.total = sum(line.items.values(), Decimal("0"))
    ranked = sorted(lines.values(), key=lambda line: (-line.total, line.name))
    previous: Decimal | None = None
    for position, line in enumerate(ranked, start=1):
        line.rank = ranked[position - 2].rank if previous == line.total else position
        previous = line.total
    return ranked


def score_of_deputy(*, deputy: Deputy, year: int) -> list[tuple[Mandate, list[ScoreItem], ScoreLine | None]]:
    """A deputy's score in each congress they served in that year, with the items."""
    out = []
    for mandate in deputy.mandates.select_related("congress_region").order_by("level"):
        items = list(
            ScoreItem.objects.filter(region_id=mandate.congress_region_id, level=mandate.level, year=year).order_by(
                "position", "id"
            )
        )
        if not items:
            continue
        line = next(
            iter(scores(region_id=mandate.congress_region_id, level=mandate.level, year=year, deputy_ids=[deputy.pk])),
            None,
        )
        out.append((mandate, items, line))
    return out


def pending_claims(*, user: Any) -> QuerySet[ScoreEntry]:
    """Self-assessments waiting for the organisation's confirmation in the user's scope."""
    from lianxin.core.scoping import region_scope_q

    return (
        ScoreEntry.objects.filter(status=EntryStatus.CLAIMED)
        .filter(region_scope_q(user, "item__region__path", "manage_duties"))
        .select_related("deputy", "item")
        .order_by("item__year", "item__position", "deputy__name_stroke_key")
    )
