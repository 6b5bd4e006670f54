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
from django.db.models.functions import ExtractYear
from django.utils import timezone

from lianxin.cases.models import Case, Rating, ReceptionSession
from lianxin.cases.models import Status as CaseStatus
from lianxin.deputies.models import SERVING_STATUSES, Deputy, DeputyGroup, Mandate
from lianxin.duties.models import (
    DIRECTLY_ELECTED_LEVELS,
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
    RuleSubject,
    ScoreEntry,
    ScoreItem,
    ScoreSource,
)
from lianxin.regions.models import Region
from lianxin.suggestions.models import Rating as SuggestionRating
from lianxin.suggestions.models import Status as SuggestionStatus
from lianxin.suggestions.models import Suggestion, UnitAssignment, UnitRole
from lianxin.venues.models import Place
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
        for row in rows.values("deputy_id").annotate(n=Count("activity_id")).order_by():
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


def rule_levels(rule: FrequencyRule) -> set[str] | None:
    """The congress levels whose serving deputies a deputy rule concerns (None: every level): its own level, narrowed
    to the directly elected congresses (county, township) when it is for them. The board and the reminders both ask
    this, so they cannot disagree about who is behind."""
    levels = {rule.level} if rule.level else None
    if rule.directly_elected_only:
        levels = set(DIRECTLY_ELECTED_LEVELS) if levels is None else levels & DIRECTLY_ELECTED_LEVELS
    return levels


@dataclass(frozen=True, slots=True)
class DeputyRef:
    """What the board shows of a deputy (a model instance per row would cost more than the counting)."""

    pk: int
    name: str
    name_stroke_key: str


@dataclass
class BoardRow:
    deputy: DeputyRef
    township: str
    groups: list[str] = field(default_factory=list)  # the deputy groups (代表小组) the deputy belongs to
    counts: dict[int, int] = field(default_factory=dict)  # rule id → count in the period
    behind: list[int] = field(default_factory=list)  # rule ids not yet met


@dataclass
class PlaceRow:
    place: Place
    township: str
    counts: dict[int, int] = field(default_factory=dict)
    behind: list[int] = field(default_factory=list)


@dataclass
class Board:
    rules: list[FrequencyRule]  # the deputy rules, then the place rules
    periods: dict[int, tuple[datetime.date, datetime.date]]
    rows: list[BoardRow]
    places: list[PlaceRow] = field(default_factory=list)

    def _subjects(self, rule: FrequencyRule) -> list[BoardRow] | list[PlaceRow]:
        return self.places if rule.subject == RuleSubject.PLACE else self.rows

    def met(self, rule: FrequencyRule) -> int:
        return sum(1 for row in self._subjects(rule) if rule.pk in row.counts and rule.pk not in row.behind)

    def behind(self, rule: FrequencyRule) -> int:
        return sum(1 for row in self._subjects(rule) if rule.pk in row.behind)

    def by_group(self, rules: Iterable[FrequencyRule]) -> list[tuple[str, int, int]]:
        """(group, members on the board, members behind on any of `rules`), groups by name; deputies in no group
        under 未编入小组."""
        wanted = {rule.pk for rule in rules}
        totals: dict[str, list[int]] = {}
        for row in self.rows:
            for group in row.groups or ["未编入小组"]:
                total = totals.setdefault(group, [0, 0])
                total[0] += 1
                total[1] += bool(wanted.intersection(row.behind))
        return [(name, members, behind) for name, (members, behind) in sorted(totals.items())]


def _township_of(region: Region | None) -> str:
    return region.parent.name if region is not None and region.parent is not None else ""


def term_starts(deputy_ids: Iterable[int], day: datetime.date) -> dict[int, datetime.date]:
    """When each deputy's current term began, as the board counts a term rule (`_term_start`): one query."""
    mandates: dict[int, list[tuple[str, datetime.date | None]]] = defaultdict(list)
    serving = Mandate.objects.filter(status__in=SERVING_STATUSES, deputy_id__in=list(deputy_ids))
    for deputy_id, level, started_on in serving.values_list("deputy_id", "level", "started_on"):
        mandates[deputy_id].append((level, started_on))
    return {deputy_id: _term_start(held, day) for deputy_id, held in mandates.items()}


def _term_start(mandates: list[tuple[str, datetime.date | None]], day: datetime.date) -> datetime.date:
    """When the deputy's current term began: the earliest start of their serving mandates, else five years back."""
    starts = [started_on for _, started_on in mandates if started_on and started_on <= day]
    return min(starts) if starts else datetime.date(day.year - 4, 1, 1)


def _counting(
    rules: list[FrequencyRule], periods: dict[int, tuple[datetime.date, datetime.date]], prefix: str = ""
) -> dict[str, Count]:
    """{rule alias: Count over rows of the rule's kinds in its period} for the rules whose kinds are (or are not)
    receptions: one conditional count per rule, so every rule is counted by the same single scan."""
    out = {}
    for rule in rules:
        low, high = _bounds(*periods[rule.pk])
        kinds = rule_kinds(rule) - {ActivityKind.RECEPTION}
        if prefix == "reception":
            if ActivityKind.RECEPTION not in rule_kinds(rule):
                continue
            condition = Q(started_at__gte=low, started_at__lt=high)
        else:
            if not kinds:
                continue
            condition = Q(activity__kind__in=kinds, activity__starts_at__gte=low, activity__starts_at__lt=high)
        # An attendance is counted by its activity, which the covering index holds (no visit to the table).
        out[f"rule_{rule.pk}"] = Count("id" if prefix == "reception" else "activity_id", filter=condition)
    return out


def _span(periods: Iterable[tuple[datetime.date, datetime.date]]) -> tuple[datetime.datetime, datetime.datetime]:
    periods = list(periods)
    return _bounds(min(p[0] for p in periods), max(p[1] for p in periods))


def _deputy_rule_counts(
    rules: list[FrequencyRule], periods: dict[int, tuple[datetime.date, datetime.date]], deputies: list[int]
) -> dict[int, dict[int, int]]:
    """{rule id: {deputy id: count}} for the deputies: one grouped query over attendance and one over
    receptions, each rule a conditional count in its own period."""
    counts: dict[int, dict[int, int]] = {rule.pk: defaultdict(int) for rule in rules}
    if not rules:
        return counts
    low, high = _span(periods[rule.pk] for rule in rules)
    attended = _counting(rules, periods)
    if attended:
        rows = (
            Attendance.objects.filter(
                deputy_id__in=deputies,
                status=AttendanceStatus.PRESENT,
                activity__starts_at__gte=low,
                activity__starts_at__lt=high,
            )
            .exclude(activity__status=ActivityStatus.CANCELLED)
            .values("deputy_id")
            .annotate(**attended)
            .values_list("deputy_id", *attended)
            .order_by()
        )
        for deputy_id, *figures in rows:
            for alias, n in zip(attended, figures, strict=True):
                counts[int(alias[5:])][deputy_id] += n
    received = _counting(rules, periods, "reception")
    if received:
        sessions = (
            ReceptionSession.objects.filter(deputy_id__in=deputies, started_at__gte=low, started_at__lt=high)
            .values("deputy_id")
            .annotate(**received)
            .values_list("deputy_id", *received)
            .order_by()
        )
        for deputy_id, *figures in sessions:
            for alias, n in zip(received, figures, strict=True):
                counts[int(alias[5:])][deputy_id] += n
    return counts


def _term_rule_counts(rule: FrequencyRule, starts: dict[int, datetime.date], day: datetime.date) -> dict[int, int]:
    """A term rule's count per deputy from their own term start: counts by (deputy, year) over the last five years,
    summed from the year the deputy's term began."""
    first = min(starts.values(), default=day)
    low, high = _bounds(first, day)
    kinds = rule_kinds(rule)
    by_year: dict[tuple[int, int], int] = defaultdict(int)
    other = kinds - {ActivityKind.RECEPTION}
    if other:
        rows = (
            Attendance.objects.filter(
                deputy_id__in=list(starts),
                status=AttendanceStatus.PRESENT,
                activity__kind__in=other,
                activity__starts_at__gte=low,
                activity__starts_at__lt=high,
            )
            .exclude(activity__status=ActivityStatus.CANCELLED)
            .annotate(year=ExtractYear("activity__starts_at", tzinfo=CHINA))
            .values_list("deputy_id", "year")
            .annotate(n=Count("id"))
            .order_by()
        )
        for deputy_id, year, n in rows:
            by_year[deputy_id, year] += n
    if ActivityKind.RECEPTION in kinds:
        sessions = (
            ReceptionSession.objects.filter(deputy_id__in=list(starts), started_at__gte=low, started_at__lt=high)
            .annotate(year=ExtractYear("started_at", tzinfo=CHINA))
            .values_list("deputy_id", "year")
            .annotate(n=Count("id"))
            .order_by()
        )
        for deputy_id, year, n in sessions:
            by_year[deputy_id, year] += n
    counts: dict[int, int] = defaultdict(int)
    for (deputy_id, year), n in by_year.items():
        if year >= starts[deputy_id].year:
            counts[deputy_id] += n
    return counts


def place_counts(
    *, places: QuerySet[Any] | list[int], start: datetime.date, end: datetime.date, kinds: Iterable[str]
) -> dict[int, int]:
    """What each place held in [start, end]: receptions (the cases app's sessions at the place) and activities of the
    given kinds held there (two grouped queries)."""
    kinds = set(kinds)
    low, high = _bounds(start, end)
    counts: dict[int, int] = defaultdict(int)
    other = kinds - {ActivityKind.RECEPTION}
    if other:
        held = Activity.objects.filter(
            place_id__in=places, status=ActivityStatus.HELD, kind__in=other, starts_at__gte=low, starts_at__lt=high
        )
        for place_id, n in held.values_list("place_id").annotate(n=Count("id")).values_list("place_id", "n").order_by():
            counts[place_id] += n
    if ActivityKind.RECEPTION in kinds:
        sessions = ReceptionSession.objects.filter(place_id__in=places, started_at__gte=low, started_at__lt=high)
        for place_id, n in (
            sessions.values_list("place_id").annotate(n=Count("id")).values_list("place_id", "n").order_by()
        ):
            counts[place_id] += n
    return dict(counts)


def compliance_board(*, user: Any, day: datetime.date | None = None) -> Board:
    """Who of the user's serving deputies meets which deputy rule in the period containing `day` and who is behind,
    with their township and groups; and the same for the user's places under the place rules. A rule of one level
    concerns the deputies of that level, a rule for directly elected deputies those of county and township
    congresses, a term rule counts from the deputy's own term start. A constant number of grouped queries, however
    many deputies and rules (bench/duties.py)."""
    day = day or timezone.localdate()
    rules = list(FrequencyRule.objects.filter(is_active=True).order_by("subject", "id"))
    deputy_rules = [r for r in rules if r.subject == RuleSubject.DEPUTY]
    place_rules = [r for r in rules if r.subject == RuleSubject.PLACE]
    mandates: dict[int, list[tuple[str, datetime.date | None]]] = defaultdict(list)
    rows: dict[int, BoardRow] = {}
    serving = (
        Mandate.objects.filter(status__in=SERVING_STATUSES, deputy__in=Deputy.objects.visible_to(user).values("id"))
        .values_list(
            "deputy_id",
            "deputy__name",
            "deputy__name_stroke_key",
            "district_region__parent__name",
            "level",
            "started_on",
        )
        .order_by("deputy_id", "id")
    )
    for deputy_id, name, stroke_key, township, level, started_on in serving:
        mandates[deputy_id].append((level, started_on))
        if deputy_id not in rows:
            rows[deputy_id] = BoardRow(DeputyRef(deputy_id, name, stroke_key or ""), township or "")
    scope = list(rows)
    memberships = DeputyGroup.members.through.objects.filter(deputy_id__in=scope).values_list(
        "deputy_id", "deputygroup__name"
    )
    for deputy_id, group in memberships.order_by("deputygroup__name"):
        rows[deputy_id].groups.append(group)

    periods = {rule.pk: period_of(rule.period, day) for rule in rules if rule.period != RulePeriod.TERM}
    starts = {deputy_id: _term_start(held, day) for deputy_id, held in mandates.items()}
    counted = _deputy_rule_counts([r for r in deputy_rules if r.period != RulePeriod.TERM], periods, scope)
    for rule in deputy_rules:
        if rule.period == RulePeriod.TERM:
            counted[rule.pk] = _term_rule_counts(rule, starts, day)
            periods[rule.pk] = (min(starts.values(), default=day), day)
        concerned = rule_levels(rule)
        for deputy_id, row in rows.items():
            if concerned is not None and not concerned & {level for level, _ in mandates[deputy_id]}:
                continue
            row.counts[rule.pk] = count = counted[rule.pk].get(deputy_id, 0)
            if count < rule.minimum:
                row.behind.append(rule.pk)

    place_rows: list[PlaceRow] = []
    if place_rules:
        places = {
            p.pk: PlaceRow(p, _township_of(p.region))
            for p in Place.objects.visible_to(user).filter(is_active=True).select_related("region", "region__parent")
        }
        for rule in place_rules:
            subjects = [pk for pk, row in places.items() if not rule.place_kind or row.place.kind == rule.place_kind]
            if rule.period == RulePeriod.TERM:
                periods[rule.pk] = period_of(rule.period, day)
            counts = place_counts(
                places=subjects, start=periods[rule.pk][0], end=periods[rule.pk][1], kinds=rule_kinds(rule)
            )
            for pk in subjects:
                places[pk].counts[rule.pk] = count = counts.get(pk, 0)
                if count < rule.minimum:
                    places[pk].behind.append(rule.pk)
        place_rows = sorted(places.values(), key=lambda r: (r.township, -len(r.behind), r.place.name))
    ordered = sorted(rows.values(), key=lambda r: (r.township, -len(r.behind), r.deputy.name_stroke_key or ""))
    return Board(rules=deputy_rules + place_rules, periods=periods, rows=ordered, places=place_rows)


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
