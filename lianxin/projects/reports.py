"""The monthly progress report for the congress (每月进度通报): one row per site with the month's report, the
roll-up per project and for the year. As .xlsx (core.tabular.write_xlsx) and as a printable A4 PDF with an
embedded Chinese font (the portal's font lookup: lianxin.publicweb.fonts)."""

import datetime
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from lianxin.core.tabular import Column, Integer, Number, Text, write_xlsx
from lianxin.projects.models import COLOUR_LABEL, Project, Site, SiteStatus
from lianxin.projects.selectors import Rollup, rollup, site_lateness, site_town
from lianxin.projects.svgmap import FILL
from lianxin.publicweb.printing import content_width, heading, para, render, table, widths

# The public map's colours (svgmap.FILL), so that paper and screen say the same thing the same way.
COLOURS = ("blue", "yellow", "red")
COLOUR_WORD = {"blue": "蓝", "yellow": "黄", "red": "红"}
FILL_COLOUR = {colour: HexColor(FILL[colour]) for colour in COLOURS}

COLUMNS = [
    Column("项目序号", "project_no", parse=Integer()),
    Column("项目", "project"),
    Column("点位", "site"),
    Column("镇（街道）", "town"),
    Column("领办代表", "lead"),
    Column("责任单位", "unit"),
    Column("计划开工", "start"),
    Column("计划完工", "end"),
    Column("计划投资(万元)", "cost", parse=Number()),
    Column("状态", "status"),
    Column("进度(%)", "progress", parse=Integer()),
    Column("本月完成情况", "done", parse=Text(), width=40),
    Column("存在问题", "problems", parse=Text(), width=30),
    Column("提示", "late"),
]


@dataclass
class ProgressReport:
    year: int
    month: datetime.date
    rows: list[dict[str, Any]]
    projects: list[tuple[Project, Rollup]]
    total: Rollup


def progress_rows(*, user: Any, year: int, month: datetime.date) -> ProgressReport:
    # user None: the command line (a trusted operator) reports on every site.
    scoped = Site.objects.all() if user is None else Site.objects.visible_to(user)
    sites = list(
        scoped.filter(project__year=year)
        .select_related("project", "region", "region__parent", "lead_deputy", "unit")
        .prefetch_related("reports")
        .order_by("project__number", "region__path", "id")
    )
    # Looking back: the month's end is "today" for lateness, so that a past month's report reads as it was then.
    end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    rows = []
    by_project: dict[int, list[Site]] = {}
    for site in sites:
        by_project.setdefault(site.project_id, []).append(site)
        report = next((r for r in site.reports.all() if r.month == month), None)
        rows.append(
            {
                "project_no": site.project.number, "project": site.project.title, "site": site.name,
                "town": site_town(site).name, "lead": site.lead_deputy.name if site.lead_deputy else "",
                "unit": site.unit.name if site.unit else "", "start": f"{site.planned_start:%Y-%m-%d}",
                "end": f"{site.planned_end:%Y-%m-%d}",
                "cost": float(site.planned_cost) if site.planned_cost is not None else None,
                "status": f"{COLOUR_LABEL[site.colour]}（{SiteStatus(site.status).label}）",
                "progress": 100 if site.status == SiteStatus.CLOSED else site.progress,
                "done": report.done if report else "（本月未填报）", "problems": report.problems if report else "",
                "late": site_lateness(site, today=end), "colour": site.colour,
            }
        )  # fmt: skip
    projects = sorted({s.project for s in sites}, key=lambda p: p.number)
    return ProgressReport(
        year=year,
        month=month,
        rows=rows,
        projects=[(p, rollup(by_project[p.pk], today=end)) for p in projects],
        total=rollup(sites, today=end),
    )


def progress_xlsx(report: ProgressReport) -> bytes:
    return write_xlsx(COLUMNS, report.rows, title=f"{report.month:%Y年%m月}进度")


def _cost(value: Any) -> str:
    return "" if value is None else f"{value:,.1f}"


def progress_pdf(report: ProgressReport) -> bytes:
    """A4 landscape: the year's roll-up, a table of the projects with their totals, then every site with its month's
    report, each site's status in the colour of the public map (projects/svgmap.py)."""
    width = content_width(wide=True)
    total = report.total
    story: list[Any] = [
        para(f"{report.year}年民生实事项目进度通报（{report.month:%Y年%m月}）", 18, leading=26),
        para(
            f"全年{len(report.projects)}个项目、{total.sites}个点位，按计划投资加权总进度{total.progress}%；"
            f"已完成（蓝）{total.blue}个，推进中（黄）{total.yellow}个，未开工（红）{total.red}个，滞后{total.late}个。",
            10.5,
        ),
        Spacer(0, 3),
        _legend(),
        heading("一、项目进度汇总"),
    ]
    rows: list[list[Any]] = [
        [
            project.number, project.title, summary.sites, summary.progress, _cost(summary.planned_cost),
            summary.blue, summary.yellow, summary.red, summary.late,
        ]
        for project, summary in report.projects
    ]  # fmt: skip
    rows.append(
        ["合计", f"{len(report.projects)}个项目", total.sites, total.progress, _cost(total.planned_cost),
         total.blue, total.yellow, total.red, total.late]
    )  # fmt: skip
    summary_table = table(
        ["序号", "项目", "点位", "进度(%)", "计划投资(万元)", "已完成", "推进中", "未开工", "滞后"],
        rows,
        widths(width, 6, 40, 7, 8, 11, 7, 7, 7, 7),
        size=8,
        total=True,
    )
    summary_table.setStyle(
        TableStyle([("BACKGROUND", (5 + n, 0), (5 + n, 0), FILL_COLOUR[c]) for n, c in enumerate(COLOURS)])
    )
    story += [summary_table, heading("二、点位明细")]
    rows = [
        [
            f"{row['project_no']}", row["site"], row["town"], row["lead"] or "—", row["unit"],
            para(row["status"], 8, color=black if row["colour"] == "yellow" else white),
            row["progress"], row["done"], row["problems"], row["late"],
        ]
        for row in report.rows
    ]  # fmt: skip
    detail = table(
        ["项目", "点位", "镇（街道）", "领办代表", "责任单位", "状态", "进度(%)", "本月完成情况", "存在问题", "提示"],
        rows,
        widths(width, 5, 13, 9, 8, 11, 11, 6, 20, 11, 8),
        size=8,
    )
    detail.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (5, n), (5, n), FILL_COLOUR[site_colour])
                for n, site_colour in enumerate((row["colour"] for row in report.rows), 1)
            ]
        )
    )
    story.append(detail)
    title = f"{report.year}年民生实事项目{report.month:%Y年%m月}进度通报"
    return render(story, title=title, footer=title, wide=True)


def _legend() -> Table:
    """The map's three colours with their words, as on the public map."""
    cells: list[Any] = []
    for colour in COLOURS:
        cells += ["", para(f"{COLOUR_LABEL[colour]}（{COLOUR_WORD[colour]}）", 9)]
    legend = Table([cells], colWidths=[5 * mm, 28 * mm] * len(COLOURS), hAlign="LEFT")
    legend.setStyle(
        TableStyle(
            [("BACKGROUND", (2 * n, 0), (2 * n, 0), FILL_COLOUR[c]) for n, c in enumerate(COLOURS)]
            + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        )
    )
    return legend
