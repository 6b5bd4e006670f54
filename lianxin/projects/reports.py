"""The monthly progress report for the congress (每月进度通报): one row per site with the month's report, the
roll-up per project and for the year. As .xlsx (core.tabular.write_xlsx) and as a printable A4 PDF with an
embedded Chinese font (the portal's font lookup: lianxin.publicweb.fonts)."""

import datetime
import io
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from lianxin.core.tabular import Column, Integer, Number, Text, write_xlsx
from lianxin.projects.models import COLOUR_LABEL, Project, Site, SiteStatus
from lianxin.projects.selectors import Rollup, rollup, site_lateness, site_town
from lianxin.publicweb.fonts import FONT, font_register

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
                "late": site_lateness(site, today=end),
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


def progress_pdf(report: ProgressReport) -> bytes:
    """A4 landscape: the year's roll-up, a table per project, then every site with its month's report."""
    font_register()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(f"{report.year}年民生实事项目{report.month:%Y年%m月}进度通报")
    margin = 14 * mm
    y = height - margin

    def line(text: str, size: float = 10, x: float = margin, gap: float = 1.5) -> None:
        nonlocal y
        if y < margin + size:
            canvas.showPage()
            y = height - margin
        canvas.setFont(FONT, size)
        canvas.drawString(x, y - size, text)
        y -= size * gap

    total = report.total
    line(f"{report.year}年民生实事项目进度通报（{report.month:%Y年%m月}）", 18, gap=1.8)
    line(
        f"全年{len(report.projects)}个项目、{total.sites}个点位，按计划投资加权总进度{total.progress}%；"
        f"已完成（蓝）{total.blue}个，推进中（黄）{total.yellow}个，未开工（红）{total.red}个，滞后{total.late}个。",
        11,
        gap=2,
    )
    for project, summary in report.projects:
        cost = f"{summary.planned_cost}万元" if summary.planned_cost is not None else "未填"
        line(
            f"{project.number}. {project.title}：{summary.sites}个点位，进度{summary.progress}%，计划投资{cost}，"
            f"蓝{summary.blue}/黄{summary.yellow}/红{summary.red}，滞后{summary.late}",
            10,
        )
    y -= 6
    line("点位明细", 13, gap=1.8)
    for row in report.rows:
        text = (
            f"[{row['status']}] {row['project_no']}. {row['site']}（{row['town']}，领办：{row['lead'] or '—'}）"
            f" 进度{row['progress']}% {row['late']}"
        )
        line(text[:90], 9, gap=1.4)
        detail = f"本月：{row['done']}" + (f"；问题：{row['problems']}" if row["problems"] else "")
        line(detail[:95], 8, x=margin + 6 * mm, gap=1.5)
    canvas.save()
    return buffer.getvalue()
