"""The duty record (履职档案): one deputy's year in one A4 PDF for staff — profile, mandates, grids and households,
activities with their dates and the deputy's attendance, receptions, the cases that came to them and how they
ended, the suggestions they led with the reply classes and ratings, trainings with hours, pledges, voters'
evaluations of their 述职 and the score with its breakdown (lianxin.duties.selectors.score_of_deputy).

The public form (`public_record`) is counts only — activities by kind, receptions, suggestions — for the past years
a congress the deputy served in has published (RecordPublication, `services.record_publish`): no personal data, no
absences, no scores. The PDF is printed with the CJK font of the posters (lianxin.publicweb).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from reportlab.platypus import Spacer

from lianxin.cases.models import Case, ReceptionSession
from lianxin.deputies.models import Deputy, GridAssignment, Mandate
from lianxin.duties.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    Pledge,
    RecordPublication,
    ScoreItem,
    VoterEvaluation,
)
from lianxin.duties.selectors import ScoreLine, score_of_deputy
from lianxin.publicweb.printing import content_width, heading, para, render, table, widths
from lianxin.suggestions.models import Status as SuggestionStatus
from lianxin.suggestions.models import Suggestion, UnitAssignment, UnitRole
from lianxin.suggestions.services import chinese_number
from lianxin.workdays.calendar import CHINA

RATINGS = (("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意"))
# A suggestion counts as the deputy's once submitted; drafts, withdrawn ones and those not accepted do not.
NOT_COUNTED = (
    SuggestionStatus.DRAFT,
    SuggestionStatus.COLLECTING,
    SuggestionStatus.WITHDRAWN,
    SuggestionStatus.NOT_ACCEPTED,
)
PUBLIC_YEARS = 5  # the public page shows the last five past years


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        datetime.datetime(year, 1, 1, tzinfo=CHINA),
        datetime.datetime(year + 1, 1, 1, tzinfo=CHINA),
    )


@dataclass
class SuggestionLine:
    suggestion: Suggestion
    replies: list[UnitAssignment]  # the active lead units' parts (two when split, 分办)


@dataclass
class ScoreBlock:
    mandate: Mandate
    items: list[ScoreItem]
    line: ScoreLine | None


@dataclass
class DutyRecord:
    deputy: Deputy
    year: int
    mandates: list[Mandate]
    grids: list[tuple[GridAssignment, int]]  # (assignment, households the deputy is linked to in that grid)
    attendances: list[Attendance]  # every activity but trainings, oldest first
    trainings: list[Attendance]
    receptions: list[ReceptionSession]
    cases: list[Case]
    suggestions: list[SuggestionLine]
    pledges: list[Pledge]
    evaluations: dict[str, int]  # rating → voters
    scores: list[ScoreBlock]
    attendance_counts: dict[str, int] = field(default_factory=dict)  # attendance status → activities

    @property
    def training_hours(self) -> Decimal:
        return sum(
            (a.activity.hours or Decimal("0") for a in self.trainings if a.status == AttendanceStatus.PRESENT),
            Decimal("0"),
        )


def duty_record_collect(*, deputy: Deputy, year: int) -> DutyRecord:
    """Everything the record prints, for the calendar year in Beijing time. Callers check the reader's scope."""
    low, high = _year_bounds(year)
    in_year = {"activity__starts_at__gte": low, "activity__starts_at__lt": high}
    attendances = list(
        Attendance.objects.filter(deputy=deputy, **in_year)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .select_related("activity", "activity__region", "activity__place")
        .order_by("activity__starts_at", "activity_id")
    )
    household_counts = Counter(deputy.households.values_list("grid_id", flat=True))
    grids = [
        (a, household_counts.get(a.grid_id, 0))
        for a in GridAssignment.objects.filter(deputy=deputy)
        .select_related("grid", "grid__region")
        .order_by("grid__code")
    ]
    suggestions = list(
        Suggestion.objects.filter(lead_deputy=deputy, submitted_at__gte=low, submitted_at__lt=high)
        .exclude(status__in=NOT_COUNTED)
        .select_related("session")
        .order_by("submitted_at", "id")
    )
    replies: dict[int, list[UnitAssignment]] = {}
    for part in UnitAssignment.objects.filter(
        suggestion__in=suggestions, role=UnitRole.LEAD, is_active=True
    ).select_related("unit"):
        replies.setdefault(part.suggestion_id, []).append(part)
    evaluations = dict(
        VoterEvaluation.objects.filter(deputy=deputy, activity__starts_at__gte=low, activity__starts_at__lt=high)
        .values_list("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    return DutyRecord(
        deputy=deputy,
        year=year,
        mandates=list(deputy.mandates.select_related("congress_region", "district_region").order_by("level", "-term")),
        grids=grids,
        attendances=[a for a in attendances if a.activity.kind != ActivityKind.TRAINING],
        trainings=[a for a in attendances if a.activity.kind == ActivityKind.TRAINING],
        receptions=list(
            ReceptionSession.objects.filter(deputy=deputy, started_at__gte=low, started_at__lt=high)
            .select_related("place", "region")
            .order_by("started_at", "id")
        ),
        cases=list(
            Case.objects.filter(deputy=deputy, registered_at__gte=low, registered_at__lt=high)
            .select_related("category", "unit")
            .order_by("registered_at", "id")
        ),
        suggestions=[SuggestionLine(s, replies.get(s.pk, [])) for s in suggestions],
        pledges=list(Pledge.objects.filter(deputy=deputy, year=year).order_by("id")),
        evaluations=evaluations,
        scores=[ScoreBlock(m, items, line) for m, items, line in score_of_deputy(deputy=deputy, year=year)],
        attendance_counts=dict(Counter(a.status for a in attendances)),
    )


# --- the PDF -------------------------------------------------------------------------------------------------------


def _day(moment: datetime.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else "—"


def _points(value: Decimal) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 == 0 else f"{value:.1f}"


def _none(story: list[Any], text: str = "本年度无记录。") -> None:
    story.append(para(text, 9.5, leading=14))


def _profile(record: DutyRecord) -> list[Any]:
    d = record.deputy
    facts = [
        ("性别", d.get_gender_display()),
        ("民族", d.ethnicity),
        ("出生年月", f"{d.birth_date:%Y年%m月}" if d.birth_date else ""),
        ("政治面貌", d.political_affiliation),
        ("学历", d.education),
        ("职业", d.occupation),
        ("工作单位及职务", d.employer),
    ]
    text = "；".join(f"{label}：{value}" for label, value in facts if value)
    story: list[Any] = [heading("一、基本情况"), para(text or "—", 10)]
    rows = [
        [
            f"{m.congress_region.name}第{chinese_number(m.term)}届",
            m.get_level_display(),
            m.district_name or (m.district_region.name if m.district_region else ""),
            m.get_status_display(),
            f"{m.started_on:%Y-%m-%d}" if m.started_on else "",
            f"{m.ended_on:%Y-%m-%d}" if m.ended_on else "",
        ]
        for m in record.mandates
    ]
    story.append(Spacer(0, 4))
    if rows:
        width = content_width()
        story.append(
            table(["人大", "层级", "选区/选举单位", "状态", "起", "止"], rows, widths(width, 22, 8, 22, 10, 12, 12))
        )
    grids = "；".join(
        f"{a.grid.region.name}{a.grid.name}（联系{households}户）"
        if households
        else f"{a.grid.region.name}{a.grid.name}"
        for a, households in record.grids
    )
    story.append(Spacer(0, 4))
    story.append(para(f"联系网格：{grids or '无'}", 10))
    return story


def _activities(record: DutyRecord) -> list[Any]:
    width = content_width()
    counts = record.attendance_counts
    summary = "，".join(
        f"{label}{counts.get(status, 0)}次"
        for status, label in (
            (AttendanceStatus.PRESENT, "出席"),
            (AttendanceStatus.ON_LEAVE, "请假"),
            (AttendanceStatus.ABSENT, "缺席"),
        )
    )
    story: list[Any] = [heading("二、履职活动"), para(f"受邀或签到的活动（不含培训）：{summary}。", 10)]
    rows = [
        [
            _day(a.activity.starts_at),
            a.activity.get_kind_display(),
            a.activity.title,
            a.activity.place.name if a.activity.place else (a.activity.location or a.activity.region.name),
            a.get_status_display() + ("" if a.invited else "（未受邀）"),
        ]
        for a in record.attendances
    ]
    if rows:
        story.append(table(["日期", "类型", "活动", "地点", "出席"], rows, widths(width, 12, 14, 40, 22, 12), size=8.5))
    else:
        _none(story)
    return story


def _receptions(record: DutyRecord) -> list[Any]:
    story: list[Any] = [heading("三、接待选民")]
    people = sum(r.people_received or 0 for r in record.receptions)
    rows = [
        [
            _day(r.started_at),
            r.get_kind_display(),
            r.place.name if r.place else (r.location or r.region.name),
            r.people_received or 0,
        ]
        for r in record.receptions
    ]
    if rows:
        story.append(para(f"共{len(rows)}次，接待群众{people}人次。", 10))
        story.append(
            table(["日期", "方式", "地点", "接待人次"], rows, widths(content_width(), 14, 14, 56, 16), size=8.5)
        )
    else:
        _none(story)
    return story


def _cases(record: DutyRecord) -> list[Any]:
    story: list[Any] = [heading("四、收到的群众意见及办理结果")]
    rows = [
        [
            c.receipt_code,
            _day(c.registered_at),
            c.title or c.body[:30],
            c.get_status_display(),
            c.get_rating_display() if c.rating else "—",
        ]
        for c in record.cases
    ]
    if rows:
        satisfied = sum(1 for c in record.cases if c.rating in ("satisfied", "basically"))
        rated = sum(1 for c in record.cases if c.rating)
        story.append(para(f"共{len(rows)}件，群众已评价{rated}件，其中满意或基本满意{satisfied}件。", 10))
        story.append(
            table(
                ["查询码", "登记", "事项", "办理结果", "群众评价"],
                rows,
                widths(content_width(), 12, 12, 48, 14, 14),
                size=8.5,
            )
        )
    else:
        _none(story)
    return story


def _suggestions(record: DutyRecord) -> list[Any]:
    story: list[Any] = [heading("五、领衔提出的建议")]
    rows = []
    for line in record.suggestions:
        s = line.suggestion
        classes = "、".join(f"{p.unit.name}：{p.reply_class}类" for p in line.replies if p.reply_class) or "—"
        ratings = "、".join(p.get_rating_display() for p in line.replies if p.rating) or "—"
        number = f"第{s.number}号" if s.number else "—"
        rows.append([number, s.title, s.get_status_display(), classes, ratings])
    if rows:
        story.append(
            table(
                ["编号", "题目", "状态", "答复类别", "代表评价"],
                rows,
                widths(content_width(), 10, 42, 12, 24, 12),
                size=8.5,
            )
        )
    else:
        _none(story)
    return story


def _trainings(record: DutyRecord) -> list[Any]:
    story: list[Any] = [heading("六、参加培训")]
    rows = [
        [
            _day(a.activity.starts_at),
            a.activity.title,
            _points(a.activity.hours or Decimal("0")),
            a.get_status_display(),
        ]
        for a in record.trainings
    ]
    if rows:
        story.append(para(f"共参加培训学时：{_points(record.training_hours)}学时。", 10))
        story.append(table(["日期", "培训", "学时", "出席"], rows, widths(content_width(), 14, 60, 10, 16), size=8.5))
    else:
        _none(story)
    return story


def _pledges(record: DutyRecord) -> list[Any]:
    story: list[Any] = [heading("七、履职承诺")]
    rows = [
        [p.text, p.result or "—", {True: "已兑现", False: "未兑现"}.get(p.is_kept, "待评定")]  # type: ignore[arg-type]
        for p in record.pledges
    ]
    if rows:
        story.append(table(["承诺事项", "完成情况", "评定"], rows, widths(content_width(), 45, 40, 15), size=8.5))
    else:
        _none(story)
    return story


def _evaluations(record: DutyRecord) -> list[Any]:
    story: list[Any] = [heading("八、选民评议述职")]
    total = sum(record.evaluations.values())
    if total:
        parts = "，".join(f"{label}{record.evaluations.get(key, 0)}票" for key, label in RATINGS)
        story.append(para(f"共{total}名选民评议：{parts}。", 10))
    else:
        _none(story, "本年度无选民评议。")
    return story


def _scores(record: DutyRecord) -> list[Any]:
    story: list[Any] = [heading("九、履职积分")]
    if not record.scores:
        _none(story, "本年度所在人大未设履职积分项目。")
    for block in record.scores:
        line = block.line
        title = f"{block.mandate.congress_region.name}人大（{block.mandate.get_level_display()}）"
        if line is None:
            story.append(para(f"{title}：不在本年度计分范围内。", 10))
            continue
        story.append(para(f"{title}：合计{_points(line.total)}分，排名第{line.rank}。", 10))
        rows = []
        for item in block.items:
            points = line.items.get(item.pk, Decimal("0"))
            note = "自评待评定" if item.pk in line.pending else ""
            rows.append(
                [
                    item.position or "",
                    item.name,
                    item.get_source_display(),
                    _points(item.max_points),
                    _points(points),
                    note,
                ]
            )
        rows.append(["", "合计", "", "", _points(line.total), ""])
        story.append(
            table(
                ["序号", "计分项目", "计分方式", "最高分", "得分", "说明"],
                rows,
                widths(content_width(), 7, 30, 25, 10, 10, 18),
                size=8.5,
                total=True,
            )
        )
    return story


def duty_record_pdf(deputy: Deputy, year: int) -> bytes:
    """The deputy's duty record of `year` as an A4 PDF (the caller checks manage_duties over the deputy)."""
    record = duty_record_collect(deputy=deputy, year=year)
    title = f"{deputy.name}代表{year}年度履职档案"
    story: list[Any] = [para(title, 18, leading=26), Spacer(0, 4)]
    for part in (
        _profile,
        _activities,
        _receptions,
        _cases,
        _suggestions,
        _trainings,
        _pledges,
        _evaluations,
        _scores,
    ):
        story += part(record)
    return render(story, title=title, footer=title)


# --- the public form -----------------------------------------------------------------------------------------------


@dataclass
class PublicYear:
    year: int
    activities: list[tuple[str, int]]  # (kind label, activities attended), most first
    receptions: int
    suggestions: int
    published_by: list[str] = field(default_factory=list)  # the congresses that published the year

    @property
    def activity_total(self) -> int:
        return sum(n for _, n in self.activities)


def published_years(*, deputy: Deputy, first: int, last: int) -> dict[int, list[str]]:
    """Year → the congresses (“德清县人大”) that published it, among those the deputy served in during that year,
    for the years first..last. Two queries."""
    mandates = list(deputy.mandates.select_related("congress_region"))
    if not mandates:
        return {}
    which = Q()
    for m in mandates:
        which |= Q(region_id=m.congress_region_id, level=m.level)
    years: dict[int, list[str]] = {}
    for publication in RecordPublication.objects.filter(which, year__gte=first, year__lte=last).order_by("year"):
        for m in mandates:
            served = (m.started_on is None or m.started_on.year <= publication.year) and (
                m.ended_on is None or m.ended_on.year >= publication.year
            )
            if served and (m.congress_region_id, m.level) == (publication.region_id, publication.level):
                label = f"{m.congress_region.name}人大"
                if label not in years.setdefault(publication.year, []):
                    years[publication.year].append(label)
    return years


def public_record(*, deputy: Deputy, today: datetime.date | None = None) -> list[PublicYear]:
    """What the public page shows: per past year (the current one is still open) that a congress the deputy served
    in has published, the activities the deputy attended by kind, the receptions and the suggestions they led —
    counts only, zeros included (a published year is the deputy's public record, even an empty one). An
    unpublished year is not read at all. Five queries at most."""
    today = today or timezone.localdate()
    published = published_years(deputy=deputy, first=today.year - PUBLIC_YEARS, last=today.year - 1)
    if not published:
        return []
    low, high = _year_bounds(min(published))[0], _year_bounds(max(published))[1]
    kinds: dict[int, Counter[str]] = {}
    attended = (
        Attendance.objects.filter(
            deputy=deputy,
            status=AttendanceStatus.PRESENT,
            activity__starts_at__gte=low,
            activity__starts_at__lt=high,
        )
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .annotate(year=ExtractYear("activity__starts_at", tzinfo=CHINA))
        .values_list("year", "activity__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for year, kind, n in attended:
        kinds.setdefault(year, Counter())[kind] += n
    receptions = dict(
        ReceptionSession.objects.filter(deputy=deputy, started_at__gte=low, started_at__lt=high)
        .annotate(year=ExtractYear("started_at", tzinfo=CHINA))
        .values_list("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
        .order_by()
    )
    suggestions = dict(
        Suggestion.objects.filter(lead_deputy=deputy, submitted_at__gte=low, submitted_at__lt=high)
        .exclude(status__in=NOT_COUNTED)
        .annotate(year=ExtractYear("submitted_at", tzinfo=CHINA))
        .values_list("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
        .order_by()
    )
    labels = dict(ActivityKind.choices)
    return [
        PublicYear(
            year=year,
            activities=[
                (labels[k], n) for k, n in sorted(kinds.get(year, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            receptions=receptions.get(year, 0),
            suggestions=suggestions.get(year, 0),
            published_by=published[year],
        )
        for year in sorted(published, reverse=True)
    ]


def deputies_for_staff(*, user: Any) -> Q:
    """The deputies whose record `user` may print: manage_duties over their congress or electoral district."""
    from lianxin.core.scoping import region_scope_q

    mandates = Mandate.objects.filter(
        region_scope_q(user, "congress_region__path", "manage_duties")
        | region_scope_q(user, "district_region__path", "manage_duties")
    )
    return Q(id__in=mandates.values("deputy_id"))


@dataclass
class ReportMeeting:
    """A 述职 meeting as its public evaluation form shows it: the deputies who reported there (signed in)."""

    activity: Activity
    deputies: list[Deputy]


def report_for_evaluation(*, code: str) -> ReportMeeting | None:
    """The 述职 activity of the code in its QR, unless cancelled; None for any other code."""
    activity = (
        Activity.objects.filter(signin_code=(code or "").strip(), kind=ActivityKind.REPORT)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("region", "place")
        .first()
    )
    if activity is None:
        return None
    deputies = list(
        Deputy.objects.filter(attendances__activity=activity, attendances__status=AttendanceStatus.PRESENT).order_by(
            "name_stroke_key", "id"
        )
    )
    return ReportMeeting(activity=activity, deputies=deputies)
