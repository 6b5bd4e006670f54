"""The ledger (台账) of cases and the statistics of the closed loop. Reads only.

Every figure starts from `Case.objects.visible_to(user)`: township staff count their township, a deputy the cases
that came to them, a unit's handler the cases assigned to the unit. The command line passes `SYSTEM` (from
lianxin.cases.permissions) to read every case.

The measures, exactly (a case belongs to a period by its `registered_at`, in Beijing time, both dates inclusive):

- received (收到): cases registered in the period.
- people received (接待人数): `people_received` of the reception sessions (站内坐诊, 流动巡诊) that started in the
  period in the region, plus `people_count` of the cases registered outside a session. A session not yet closed
  has no head count: it counts through the `people_count` of its cases until it is closed. Sessions are counted
  for staff who handle cases in the session's region and for the deputy who received; unit handlers count none.
- pending (待受理): status `registered`.
- declined (不予受理): handling `declined`, whether refused before or after acceptance and whatever came after.
- accepted (受理): every other case — status beyond `registered` and not declined. received = pending + declined +
  accepted. Merged and converted cases are accepted.
- resolved (办结): accepted and status in RESOLVED_STATUSES (fed back, rated, converted into a suggestion, closed,
  published). A case reopened after an unsatisfied rating is open again until it is fed back again.
- 办结率 (resolution_rate): resolved / accepted. Pending and declined cases are in neither number.
- handling time (办理用时): working days (法定节假日与调休 counted, lianxin.workdays) from the Beijing date of
  `registered_at` to that of `fed_back_at`: `workdays_between` (through WorkdayCounter), so a same-day answer takes 0 days and a case
  registered on a Friday and fed back on Monday 1. For a reopened case it runs to the last feedback.
  平均办结时间 (average_handling_days) is the mean over the resolved cases that were fed back (a converted case
  that was closed without feedback has no handling time and is left out of the mean).
- overdue (超期): flagged `is_overdue` (the unit replied after its deadline, or the deadline worker marked a step
  late; a new transfer clears the flag), or waiting now past the deadline of the step it waits for: acceptance
  (registered, `accept_due`), a reply (coordinating, transferred, supervising: `reply_due`), feedback (replied:
  `feedback_due`). A case resolved late stays overdue (the case list's `overdue` filter counts open cases only).
- online share (线上占比): channel `online` / received.
- satisfaction (满意率): (满意 + 基本满意) / rated, where rated means the case carries a rating; the latest rating
  counts (an unsatisfied rating stays until the case is rated again).
- year on year (同比): the same measures for the same dates one year earlier (29 February → 28 February).
  Counts change relatively ((now − then) / then); rates and shares change by the difference of the two fractions
  (0.05 = 5 percentage points); the average handling time by the difference in days. Each is None when the year
  earlier counted fewer than MIN_BASE of what it is computed from (cases received, accepted, rated, timed; people):
  +20,380 % from 15 cases says only that the platform was new then.
"""

import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases import permissions as p
from lianxin.cases.deadlines import late_in_round_q, waiting_past_due
from lianxin.cases.models import (
    RESOLVED_STATUSES,
    Case,
    Category,
    Channel,
    Handling,
    Rating,
    ReceptionSession,
    Scope,
    Status,
    Urgency,
)
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.core.tabular import Column, Date, Integer, Parser, Progress, Text, csv_writer, write_xlsx
from lianxin.regions.models import Region
from lianxin.regions.selectors import region_get_for_filter
from lianxin.workdays.calendar import CHINA, is_workday

SATISFIED = (Rating.SATISFIED, Rating.BASICALLY)


# --- filters -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    """What the ledger and the statistics are narrowed to. `start`/`end` are dates of registration (inclusive)."""

    region: Region | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    channel: str | None = None
    category: Category | None = None
    unit_id: int | None = None
    deputy_id: int | None = None
    statuses: tuple[str, ...] = ()


def ledger_filters_resolve(
    *,
    user: Any,
    region: str | None = None,
    registered_from: datetime.date | None = None,
    registered_to: datetime.date | None = None,
    channel: str | None = None,
    category: str | None = None,
    unit: int | None = None,
    deputy: int | None = None,
    status: list[str] | tuple[str, ...] | None = None,
) -> LedgerFilters:
    """Filters given as codes, named like the case list's (the API, the command line), checked and resolved.
    A region outside the user's scope answers like an unknown one (404 region_not_found). A category may be
    inactive: past cases keep theirs."""
    start, end = registered_from, registered_to
    status = status or ()
    region_obj = None
    if region and user is p.SYSTEM:
        region_obj = Region.objects.filter(code=region).first()
        if region_obj is None:
            raise DomainError("region_not_found", f"区划 {region} 不存在", field="region")
    elif region:
        region_obj = region_get_for_filter(user=user, code=region)
    if start is not None and end is not None and end < start:
        raise DomainError("period_invalid", "结束日期: 不能早于开始日期", field="end")
    if channel and channel not in Channel.values:
        raise DomainError("field_invalid", f"渠道: “{channel}”不是有效的渠道", field="channel")
    category_obj = None
    if category:
        category_obj = Category.objects.filter(code=category).first()
        if category_obj is None:
            raise DomainError("category_unknown", f"类别: “{category}”不存在", field="category")
    for value in status:
        if value not in Status.values:
            raise DomainError("field_invalid", f"状态: “{value}”不是有效的状态", field="status")
    return LedgerFilters(
        region=region_obj,
        start=start,
        end=end,
        channel=channel or None,
        category=category_obj,
        unit_id=unit,
        deputy_id=deputy,
        statuses=tuple(status),
    )


def _visible(user: Any) -> QuerySet[Case]:
    if user is p.SYSTEM:
        return Case.objects.all()
    # visible_to ORs over the unit's handlers (a many-to-many join): a case whose unit has several handlers
    # would come out once per handler. Selecting by id keeps one row per case, and counts exact.
    return Case.objects.filter(pk__in=Case.objects.visible_to(user).values("pk"))


def _period_bounds(
    start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """[start 00:00, the day after end 00:00) in Beijing time."""
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=CHINA) if start else None
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CHINA) if end else None
    return low, high


def _filtered(user: Any, filters: LedgerFilters) -> QuerySet[Case]:
    qs = _visible(user)
    if filters.region is not None:
        qs = qs.filter(region__path__startswith=filters.region.path)
    low, high = _period_bounds(filters.start, filters.end)
    if low is not None:
        qs = qs.filter(registered_at__gte=low)
    if high is not None:
        qs = qs.filter(registered_at__lt=high)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.category is not None:
        qs = qs.filter(category=filters.category)
    if filters.unit_id is not None:
        qs = qs.filter(unit_id=filters.unit_id)
    if filters.deputy_id is not None:
        qs = qs.filter(deputy_id=filters.deputy_id)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    return qs


class WorkdayCounter:
    """`workdays_between` on the Beijing dates of two datetimes, for many pairs at once.

    Equal to `workdays_between(start_date, end_date)` (the working days after the start up to and including the
    end), computed as the difference of two running counts: the calendar is asked once per distinct date, so
    100,000 cases over two years cost some 700 `is_workday` calls instead of 100,000 walks."""

    def __init__(self) -> None:
        self._rank: dict[datetime.date, int] = {}  # working days in (first, day]
        self._first: datetime.date | None = None
        self._last: datetime.date | None = None

    def rank(self, day: datetime.date) -> int:
        if self._first is None or self._last is None:
            self._first = self._last = day
            self._rank[day] = 0
        while day > self._last:
            following = self._last + datetime.timedelta(days=1)
            self._rank[following] = self._rank[self._last] + (1 if is_workday(following) else 0)
            self._last = following
        while day < self._first:
            previous = self._first - datetime.timedelta(days=1)
            self._rank[previous] = self._rank[self._first] - (1 if is_workday(self._first) else 0)
            self._first = previous
        return self._rank[day]

    def __call__(self, start: datetime.datetime, end: datetime.datetime) -> int:
        first, last = start.astimezone(CHINA).date(), end.astimezone(CHINA).date()
        return self.rank(last) - self.rank(first) if last > first else 0


# --- the ledger --------------------------------------------------------------------------------------------------


class DateTimeCell(Parser):
    """A date and time shown to the minute (export only; the ledger is not imported back)."""

    number_format = "yyyy-mm-dd hh:mm"


LEDGER_COLUMNS: list[Column] = [
    Column("查询码", "receipt_code", parse=Text()),
    Column("登记时间", "registered_at", parse=DateTimeCell()),
    Column("渠道", "channel", parse=Text()),
    Column("所在区划", "region", parse=Text()),
    Column("接待代表", "deputy", parse=Text()),
    Column("类别", "category", parse=Text()),
    Column("标题", "title", parse=Text(), width=40),
    Column("问题性质", "scope", parse=Text()),
    Column("紧急程度", "urgency", parse=Text()),
    Column("处理方式", "handling", parse=Text()),
    Column("承办单位", "unit", parse=Text()),
    Column("交办时间", "transferred_at", parse=DateTimeCell()),
    Column("答复时限", "reply_due", parse=Date()),
    Column("答复时间", "replied_at", parse=DateTimeCell()),
    Column("反馈时间", "fed_back_at", parse=DateTimeCell()),
    Column("状态", "status", parse=Text()),
    Column("是否超期", "overdue", parse=Text()),
    Column("督办件", "supervised", parse=Text()),
    Column("重办次数", "reopen_count", parse=Integer()),
    Column("办理用时（工作日）", "days_taken", parse=Integer()),
    Column("满意度", "rating", parse=Text()),
    Column("销号时间", "closed_at", parse=DateTimeCell()),
]

_LEDGER_FIELDS = (
    "receipt_code",
    "registered_at",
    "channel",
    "region__name",
    "region__parent__name",
    "region__level",
    "deputy__name",
    "category__name",
    "title",
    "scope",
    "urgency",
    "handling",
    "unit__name",
    "transferred_at",
    "accept_due",
    "reply_due",
    "feedback_due",
    "replied_at",
    "fed_back_at",
    "status",
    "is_overdue",
    "is_supervised",
    "reopen_count",
    "rating",
    "closed_at",
)


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    """Beijing wall-clock time without a zone: spreadsheets have no time zones."""
    return value.astimezone(CHINA).replace(tzinfo=None) if value is not None else None


_LABELS: dict[Any, dict[str, str]] = {
    choices: {str(value): str(label) for value, label in choices.choices}
    for choices in (Channel, Scope, Urgency, Handling, Status, Rating)
}


def _label(choices: Any, value: str) -> str:
    return _LABELS[choices].get(value, value)


def ledger_rows(*, user: Any, filters: LedgerFilters) -> Iterator[dict[str, Any]]:
    """One dict per case (keys of LEDGER_COLUMNS), oldest first, read from the database in chunks.

    Values are what a clerk reads: Chinese labels, Beijing times, a deadline as a date, "是"/"否". The person's
    name and phone are not in the ledger: it is mailed and copied around; the case page has them.
    `days_taken` is the handling time defined in the module's docstring, blank until the person is told."""
    now = timezone.now()
    days = WorkdayCounter()
    rows = _filtered(user, filters).order_by("registered_at", "id").values(*_LEDGER_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        region = row["region__name"]
        if row["region__level"] == "village" and row["region__parent__name"]:
            region = f"{row['region__parent__name']}·{region}"
        reply_due = row["reply_due"]
        yield {
            "receipt_code": row["receipt_code"],
            "registered_at": _local(row["registered_at"]),
            "channel": _label(Channel, row["channel"]),
            "region": region,
            "deputy": row["deputy__name"] or "",
            "category": row["category__name"] or "",
            "title": row["title"],
            "scope": _label(Scope, row["scope"]),
            "urgency": _label(Urgency, row["urgency"]),
            "handling": _label(Handling, row["handling"]),
            "unit": row["unit__name"] or "",
            "transferred_at": _local(row["transferred_at"]),
            "reply_due": reply_due.astimezone(CHINA).date() if reply_due is not None else None,
            "replied_at": _local(row["replied_at"]),
            "fed_back_at": _local(row["fed_back_at"]),
            "status": _label(Status, row["status"]),
            "overdue": "是" if row["is_overdue"] or waiting_past_due(row, now) else "否",
            "supervised": "是" if row["is_supervised"] else "否",
            "reopen_count": row["reopen_count"],
            "days_taken": days(row["registered_at"], row["fed_back_at"]) if row["fed_back_at"] else None,
            "rating": _label(Rating, row["rating"]),
            "closed_at": _local(row["closed_at"]),
        }


def ledger_xlsx(*, user: Any, filters: LedgerFilters, progress: Progress | None = None) -> bytes:
    """The ledger as an .xlsx workbook: one header row (Chinese), one row per case."""
    rows = ledger_rows(user=user, filters=filters)
    if progress is not None:
        rows = _reported(rows, _filtered(user, filters).count(), progress)
    return write_xlsx(LEDGER_COLUMNS, rows, title="意见建议台账")


def _reported(rows: Iterator[dict[str, Any]], total: int, progress: Progress) -> Iterator[dict[str, Any]]:
    for done, row in enumerate(rows):
        progress(done, total, "正在读取台账")
        yield row
    progress(total, total, "正在生成 Excel 文件")


def _csv_text(value: Any) -> Any:
    return "" if value is None else value


def _csv_datetime(value: datetime.datetime | None) -> str:
    return "" if value is None else value.isoformat(" ", "minutes")  # 2025-09-29 10:00


def _csv_date(value: datetime.date | None) -> str:
    return "" if value is None else value.isoformat()


def _csv_formatter(column: Column) -> Callable[[Any], Any]:
    if isinstance(column.parse, DateTimeCell):
        return _csv_datetime
    if isinstance(column.parse, Date):
        return _csv_date
    return _csv_text


def ledger_csv(*, user: Any, filters: LedgerFilters, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The ledger as CSV in UTF-8 with a byte-order mark (so that Excel reads the Chinese), yielded in chunks
    for a streaming response."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # text cells escaped against formula injection
    writer.writerow([column.header for column in LEDGER_COLUMNS])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    cells = [(column.key, _csv_formatter(column)) for column in LEDGER_COLUMNS]
    pending = 0
    for row in ledger_rows(user=user, filters=filters):
        writer.writerow([format_(row[key]) for key, format_ in cells])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def ledger_filename(*, filters: LedgerFilters, suffix: str) -> str:
    """意见建议台账-德清县-20250101至20251231.xlsx (or …-20250101起, …-20251231止, …-<today>)"""
    parts = ["意见建议台账"]
    if filters.region is not None:
        parts.append(filters.region.name)
    if filters.start or filters.end:
        start = f"{filters.start:%Y%m%d}" if filters.start else ""
        end = f"{filters.end:%Y%m%d}" if filters.end else ""
        parts.append(f"{start}至{end}" if start and end else f"{start}起" if start else f"{end}止")
    else:
        parts.append(f"{timezone.now().astimezone(CHINA):%Y%m%d}")
    return "-".join(parts) + suffix


# --- statistics --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """The measures of the module's docstring for one period."""

    received: int
    people_received: int
    pending: int
    declined: int
    accepted: int
    resolved: int
    resolution_rate: float | None  # 办结率 = resolved / accepted
    timed: int  # resolved cases with a handling time (fed back)
    average_handling_days: float | None  # 平均办结时间, working days
    overdue: int
    online: int
    online_share: float | None  # online / received
    rated: int
    satisfied: int  # 满意 + 基本满意
    satisfaction_rate: float | None  # satisfied / rated


@dataclass(frozen=True)
class Breakdown:
    """One category, unit or channel. `key`: category code, unit id or channel value; "" for none."""

    key: str
    label: str
    received: int
    accepted: int
    resolved: int
    resolution_rate: float | None
    average_handling_days: float | None
    overdue: int
    online: int
    rated: int
    satisfied: int
    satisfaction_rate: float | None


@dataclass(frozen=True)
class YearOnYear:
    """Change against the same period a year earlier: counts relative, rates as a difference of fractions,
    the average handling time as a difference in working days. None where the earlier figure is missing or stands
    on fewer than MIN_BASE cases."""

    received: float | None
    people_received: float | None
    accepted: float | None
    resolved: float | None
    overdue: float | None
    online: float | None
    resolution_rate: float | None
    online_share: float | None
    satisfaction_rate: float | None
    average_handling_days: float | None


@dataclass(frozen=True)
class CaseStatistics:
    region_code: str | None
    region_name: str
    start: datetime.date
    end: datetime.date
    previous_start: datetime.date
    previous_end: datetime.date
    totals: Totals
    previous: Totals
    year_on_year: YearOnYear
    by_category: list[Breakdown] = field(default_factory=list)
    by_unit: list[Breakdown] = field(default_factory=list)
    by_channel: list[Breakdown] = field(default_factory=list)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# The smallest earlier figure a year-on-year change is computed from (see the module's docstring).
MIN_BASE = 20


def relative_change(now: float, then: float) -> float | None:
    return round((now - then) / then, 4) if then and then >= MIN_BASE else None


def difference_change(now: float | None, then: float | None, base: int, digits: int = 4) -> float | None:
    """now − then, when the earlier fraction or mean stands on at least MIN_BASE cases."""
    if now is None or then is None or base < MIN_BASE:
        return None
    return round(now - then, digits)


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def _counts(now: datetime.datetime) -> dict[str, Any]:
    accepted = ~Q(status=Status.REGISTERED) & ~Q(handling=Handling.DECLINED)
    return {
        "received": Count("pk"),
        "pending": Count("pk", filter=Q(status=Status.REGISTERED)),
        "declined": Count("pk", filter=Q(handling=Handling.DECLINED)),
        "accepted": Count("pk", filter=accepted),
        "resolved": Count("pk", filter=accepted & Q(status__in=RESOLVED_STATUSES)),
        "overdue": Count("pk", filter=late_in_round_q(now)),
        "online": Count("pk", filter=Q(channel=Channel.ONLINE)),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating__in=SATISFIED)),
    }


def _resolved_with_feedback(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.filter(status__in=RESOLVED_STATUSES, fed_back_at__isnull=False).exclude(
        Q(status=Status.REGISTERED) | Q(handling=Handling.DECLINED)
    )


def _people_received(user: Any, region: Region | None, start: datetime.date, end: datetime.date) -> int:
    low, high = _period_bounds(start, end)
    sessions = ReceptionSession.objects.filter(started_at__gte=low, started_at__lt=high, ended_at__isnull=False)
    if region is not None:
        sessions = sessions.filter(region__path__startswith=region.path)
    if user is not p.SYSTEM:
        # Staff who handle cases there, and the deputy who received; nobody else (not a unit's handlers).
        mine = region_scope_q(user, "region__path", Perm.HANDLE_CASES) | Q(deputy__user=user)
        sessions = sessions.filter(mine) if p.is_user(user) else sessions.none()
    at_sessions = sessions.aggregate(n=Sum("people_received"))["n"] or 0
    cases = _filtered(user, LedgerFilters(region=region, start=start, end=end))
    # Cases of a closed session are in its head count already.
    outside = cases.filter(Q(session__isnull=True) | Q(session__ended_at__isnull=True))
    return at_sessions + (outside.aggregate(n=Sum("people_count"))["n"] or 0)


def _totals(user: Any, region: Region | None, start: datetime.date, end: datetime.date) -> Totals:
    now = timezone.now()
    qs = _filtered(user, LedgerFilters(region=region, start=start, end=end))
    counts = qs.order_by().aggregate(**_counts(now))
    days = WorkdayCounter()
    timed = _resolved_with_feedback(qs).values_list("registered_at", "fed_back_at")
    durations = [days(a, b) for a, b in timed if b is not None]
    return Totals(
        received=counts["received"],
        people_received=_people_received(user, region, start, end),
        pending=counts["pending"],
        declined=counts["declined"],
        accepted=counts["accepted"],
        resolved=counts["resolved"],
        resolution_rate=_ratio(counts["resolved"], counts["accepted"]),
        timed=len(durations),
        average_handling_days=_mean(sum(durations), len(durations)),
        overdue=counts["overdue"],
        online=counts["online"],
        online_share=_ratio(counts["online"], counts["received"]),
        rated=counts["rated"],
        satisfied=counts["satisfied"],
        satisfaction_rate=_ratio(counts["satisfied"], counts["rated"]),
    )


_BREAKDOWNS: dict[str, tuple[str, str, str]] = {
    # name → (the grouping field, its label field, the label of "none")
    "category": ("category__code", "category__name", "未分类"),
    "unit": ("unit_id", "unit__name", "未交办承办单位"),
    "channel": ("channel", "channel", ""),
}


def _breakdowns(qs: QuerySet[Case]) -> dict[str, list[Breakdown]]:
    now = timezone.now()
    days = WorkdayCounter()
    # Handling times in one pass, summed per category, unit and channel.
    durations: dict[str, dict[Any, list[int]]] = {name: {} for name in _BREAKDOWNS}
    timed = _resolved_with_feedback(qs).values_list(
        "category__code", "unit_id", "channel", "registered_at", "fed_back_at"
    )
    for category, unit, channel, registered_at, fed_back_at in timed:
        if fed_back_at is None:
            continue  # excluded by the query; for the type checker
        taken = days(registered_at, fed_back_at)
        for name, key in (("category", category), ("unit", unit), ("channel", channel)):
            total = durations[name].setdefault(key, [0, 0])
            total[0] += taken
            total[1] += 1
    out: dict[str, list[Breakdown]] = {}
    for name, (key_field, label_field, none_label) in _BREAKDOWNS.items():
        groups = qs.order_by().values(key_field, label_field).annotate(**_counts(now))
        items = []
        for group in groups:
            key = group[key_field]
            label = group[label_field] or none_label
            if name == "channel":
                label = _label(Channel, key)
            days_sum, days_count = durations[name].get(key, [0, 0])
            items.append(
                Breakdown(
                    key="" if key is None else str(key),
                    label=label,
                    received=group["received"],
                    accepted=group["accepted"],
                    resolved=group["resolved"],
                    resolution_rate=_ratio(group["resolved"], group["accepted"]),
                    average_handling_days=_mean(days_sum, days_count),
                    overdue=group["overdue"],
                    online=group["online"],
                    rated=group["rated"],
                    satisfied=group["satisfied"],
                    satisfaction_rate=_ratio(group["satisfied"], group["rated"]),
                )
            )
        out[name] = sorted(items, key=lambda item: (-item.received, item.key == "", item.label))
    return out


def year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class ComparableTotals(Protocol):
    """What a change is computed from: a Totals, or the dashboards' rollup totals (which have no people received)."""

    @property
    def received(self) -> int: ...
    @property
    def accepted(self) -> int: ...
    @property
    def resolved(self) -> int: ...
    @property
    def overdue(self) -> int: ...
    @property
    def online(self) -> int: ...
    @property
    def timed(self) -> int: ...
    @property
    def rated(self) -> int: ...
    @property
    def resolution_rate(self) -> float | None: ...
    @property
    def online_share(self) -> float | None: ...
    @property
    def satisfaction_rate(self) -> float | None: ...
    @property
    def average_handling_days(self) -> float | None: ...


def totals_change(totals: ComparableTotals, previous: ComparableTotals) -> YearOnYear:
    """The change from `previous` to `totals` by the rules of the module's docstring (year on year; the monthly
    report uses it month on month too, so that both comparisons follow one rule). Without people received on both
    sides (the rollups'), its change is None."""
    people_now, people_then = getattr(totals, "people_received", None), getattr(previous, "people_received", None)
    return YearOnYear(
        received=relative_change(totals.received, previous.received),
        people_received=(
            relative_change(people_now, people_then) if people_now is not None and people_then is not None else None
        ),
        accepted=relative_change(totals.accepted, previous.accepted),
        resolved=relative_change(totals.resolved, previous.resolved),
        overdue=relative_change(totals.overdue, previous.overdue),
        online=relative_change(totals.online, previous.online),
        resolution_rate=difference_change(totals.resolution_rate, previous.resolution_rate, previous.accepted),
        online_share=difference_change(totals.online_share, previous.online_share, previous.received),
        satisfaction_rate=difference_change(totals.satisfaction_rate, previous.satisfaction_rate, previous.rated),
        average_handling_days=difference_change(
            totals.average_handling_days, previous.average_handling_days, previous.timed, 2
        ),
    )


def case_statistics(*, user: Any, region: Region | None, start: datetime.date, end: datetime.date) -> CaseStatistics:
    """The measures of the module's docstring for the cases the user may see in `region` (None: all of them)
    registered from `start` to `end`, the same a year earlier, and the breakdowns of this period."""
    if end < start:
        raise DomainError("period_invalid", "结束日期: 不能早于开始日期", field="end")
    previous_start, previous_end = year_earlier(start), year_earlier(end)
    totals = _totals(user, region, start, end)
    previous = _totals(user, region, previous_start, previous_end)
    breakdowns = _breakdowns(_filtered(user, LedgerFilters(region=region, start=start, end=end)))
    return CaseStatistics(
        region_code=region.code if region is not None else None,
        region_name=region.name if region is not None else "全部",
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        totals=totals,
        previous=previous,
        year_on_year=totals_change(totals, previous),
        by_category=breakdowns["category"],
        by_unit=breakdowns["unit"],
        by_channel=breakdowns["channel"],
    )
