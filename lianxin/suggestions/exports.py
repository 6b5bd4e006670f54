"""Spreadsheets out of the suggestions: the handling statistics (per unit, congress level and session) and the
交办 list of a session. Every text cell goes through `lianxin.core.tabular.escape_formula` (a title typed as
"=HYPERLINK(…)" stays text); both run as long jobs (lianxin.ops.longjob_kinds) and are what the office's pages
export."""

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from lianxin.core.tabular import HEADER_FILL, Column, Date, Text, escape_formula, write_xlsx
from lianxin.suggestions.models import Session, Status, Suggestion, UnitRole
from lianxin.suggestions.selectors import Figures, statistics_total, suggestion_list_visible_to, suggestion_statistics

# Lanzhou's target for the deputies' satisfaction with the replies (满意 and 基本满意 among the rated).
SATISFACTION_TARGET = 0.95

GROUPINGS = {"unit": "承办单位", "level": "人大层级", "session": "会议"}
TAB_TITLES = {"unit": "按承办单位", "level": "按人大层级", "session": "按会议"}


@dataclass(frozen=True)
class Measure:
    header: str
    value: Any  # Figures -> int | float | None
    percent: bool = False


MEASURES: tuple[Measure, ...] = (
    Measure("交办件数", lambda f: f.assigned),
    Measure("已答复", lambda f: f.replied),
    Measure("按期答复", lambda f: f.replied_on_time),
    Measure("按期答复率", lambda f: f.on_time_rate, percent=True),
    Measure("A类", lambda f: f.class_a),
    Measure("A类占比", lambda f: f.class_share("A"), percent=True),
    Measure("B类", lambda f: f.class_b),
    Measure("B类占比", lambda f: f.class_share("B"), percent=True),
    Measure("C类", lambda f: f.class_c),
    Measure("C类占比", lambda f: f.class_share("C"), percent=True),
    Measure("办前联系", lambda f: f.contacted),
    Measure("办前联系率", lambda f: f.contact_rate, percent=True),
    Measure("已评价", lambda f: f.rated),
    Measure("满意（含基本满意）", lambda f: f.satisfied),
    Measure("满意率", lambda f: f.satisfaction_rate, percent=True),
    Measure("满意率达标（≥95%）", lambda f: target_word(f)),
    Measure("重新办理", lambda f: f.rehandled),
)


def below_target(figures: Figures) -> bool:
    rate = figures.satisfaction_rate
    return rate is not None and rate < SATISFACTION_TARGET


def target_word(figures: Figures) -> str:
    if figures.satisfaction_rate is None:
        return "—"
    return "未达标" if below_target(figures) else "达标"


@dataclass
class Statistics:
    """The three groupings and their totals, with the filters they were made with."""

    by: dict[str, list[Figures]]
    totals: dict[str, Figures]
    session: Session | None
    year: int | None

    @property
    def scope(self) -> str:
        parts = [self.session.name if self.session is not None else "全部会议"]
        if self.year:
            parts.append(f"{self.year}年")
        return "，".join(parts)


def statistics_collect(*, user: Any, session: Session | None = None, year: int | None = None) -> Statistics:
    by = {
        key: suggestion_statistics(user=user, by=key, session=session.pk if session else None, year=year)
        for key in GROUPINGS
    }
    return Statistics(
        by=by, totals={key: statistics_total(rows) for key, rows in by.items()}, session=session, year=year
    )


BOLD = Font(bold=True)
BELOW = PatternFill("solid", fgColor="FDE2E1")


def statistics_xlsx(stats: Statistics) -> bytes:
    """A sheet per grouping (承办单位, 人大层级, 会议), each row's figures and rates, the total last; a satisfaction
    below the target is shaded. A first sheet says what was counted."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    for line in (
        ("代表建议办理情况统计",),
        ("统计范围", stats.scope),
        ("导出时间", f"{timezone.localtime():%Y-%m-%d %H:%M}"),
        ("口径", "按主办单位的办理计：交办件数为有效的主办件；答复率、类别占比、办前联系率以已答复件为基数；"),
        ("", "满意率为满意与基本满意占已评价件的比例，目标 ≥95%；重新办理为代表不满意后再次办理的件。"),
    ):
        notes.append([escape_formula(cell) for cell in line])
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 90
    for key, label in GROUPINGS.items():
        sheet = book.create_sheet(TAB_TITLES[key])
        headers = [label, *(m.header for m in MEASURES)]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font, cell.fill = BOLD, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for figures in [*stats.by[key], stats.totals[key]]:
            _statistics_row(sheet, figures, total=figures is stats.totals[key])
        sheet.freeze_panes = "B2"
        sheet.column_dimensions["A"].width = 36
        for index in range(2, len(headers) + 1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 11
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _statistics_row(sheet: Any, figures: Figures, *, total: bool) -> None:
    values = [figures.label, *(m.value(figures) for m in MEASURES)]
    sheet.append([escape_formula(v) for v in values])
    row = sheet.max_row
    for index, measure in enumerate(MEASURES, start=2):
        cell = sheet.cell(row, index)
        if measure.percent:
            cell.number_format = "0.0%"
        if total:
            cell.font = BOLD
    first = sheet.cell(row, 1)
    first.data_type = "s"  # a name, never a formula
    if total:
        first.font = BOLD
    if below_target(figures):
        for index in range(1, len(MEASURES) + 2):
            sheet.cell(row, index).fill = BELOW


def statistics_filename(stats: Statistics) -> str:
    return f"代表建议办理统计-{stats.scope.replace('，', '-')}.xlsx"


# --- the 交办 list ----------------------------------------------------------------------------------------------

ASSIGNMENT_COLUMNS = [
    Column("编号", "number", parse=Text()),
    Column("类型", "kind", parse=Text()),
    Column("标题", "title", parse=Text(), width=40),
    Column("领衔代表", "lead", parse=Text()),
    Column("主办单位", "lead_units", parse=Text(), width=24),
    Column("协办单位", "co_units", parse=Text(), width=24),
    Column("交办日期", "assigned_on", parse=Date()),
    Column("答复期限", "due_date", parse=Date()),
    Column("状态", "status", parse=Text()),
]

ASSIGNED_OR_LATER = (Status.ASSIGNED, Status.REPLIED, Status.RATED, Status.CLOSED)


def assignment_rows(*, user: Any, session: Session) -> list[dict[str, Any]]:
    """The session's assigned suggestions (bills referred as suggestions among them), by kind and number, each with
    its active lead and co-units."""
    suggestions = (
        suggestion_list_visible_to(user=user, session=session.pk)
        .filter(status__in=ASSIGNED_OR_LATER)
        .order_by("-kind", "number", "id")
    )
    return [_assignment_row(s) for s in suggestions]


def _assignment_row(s: Suggestion) -> dict[str, Any]:
    units = list(s.units.all())  # prefetched: the active parts
    return {
        "number": s.number_label,
        "kind": s.get_kind_display(),
        "title": s.title,
        "lead": s.lead_deputy.name if s.lead_deputy else s.get_proposer_display(),
        "lead_units": "、".join(u.unit.name for u in units if u.role == UnitRole.LEAD),
        "co_units": "、".join(u.unit.name for u in units if u.role == UnitRole.CO),
        "assigned_on": _local_date(s.assigned_at),
        "due_date": s.due_date,
        "status": s.get_status_display(),
    }


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def assignment_list_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    return write_xlsx(ASSIGNMENT_COLUMNS, rows, title="交办清单")


def assignment_list_filename(session: Session) -> str:
    return f"交办清单-{session.name}.xlsx"
