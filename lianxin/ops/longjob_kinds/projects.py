"""The projects' monthly progress report as a long job."""

import datetime
from typing import Any

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError
from lianxin.core.tabular import Progress
from lianxin.ops.longjob_kinds.shared import job_owner
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register
from lianxin.ops.models import LongJob


def _month(params: dict[str, Any]) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(params.get("month") or "").strip() + "-01")
    except ValueError:
        raise DomainError("field_invalid", "月份: 格式应为 2026-11", field="month") from None


def _projects_check(actor: Any, month: datetime.date) -> None:
    """The report page's rule (lianxin.projects.views.progress_report): every project of the year the actor sees
    is one they manage."""
    from lianxin.projects.permissions import can_manage_projects
    from lianxin.projects.selectors import project_list_visible_to

    paths = {p.region.path for p in project_list_visible_to(user=actor, year=month.year)}
    if not paths or not all(can_manage_projects(actor, path) for path in paths):
        raise DomainError("field_invalid", f"月份: {month.year}年没有您管理的民生实事项目", field="month")


def _projects_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    month = _month(params)
    _projects_check(actor, month)
    return {"month": f"{month:%Y-%m}", "format": "xlsx" if params.get("format") == "xlsx" else "pdf"}


def _projects_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.projects.reports import progress_pdf, progress_rows, progress_xlsx

    actor = job_owner(job)
    month = _month(params)
    _projects_check(actor, month)
    progress(0, 2, "正在汇总点位的月度填报")
    report = progress_rows(user=actor, year=month.year, month=month)
    if not report.rows:
        raise DomainError("nothing_to_report", f"{month.year}年没有民生实事项目点位")
    progress(1, 2, "正在生成文件")
    fmt = params.get("format", "pdf")
    data = progress_xlsx(report) if fmt == "xlsx" else progress_pdf(report)
    return Output(
        message=f"{month:%Y年%m月}进度通报已生成：{len(report.rows)}个点位，总进度{report.total.progress}%",
        file_name=f"民生实事项目进度通报-{month:%Y-%m}.{fmt}",
        file_data=data,
    )


kind_register(
    JobKind(
        name="projects_report",
        button="生成通报",
        label="民生实事项目月度进度通报",
        perm=Perm.MANAGE_PROJECTS,
        run=_projects_run,
        clean=_projects_clean,
        params=(
            Param("month", "月份", required=True, help="如 2026-11"),
            Param(
                "format", "文件格式", "choice", choices=(("pdf", "PDF（打印）"), ("xlsx", "Excel")), help="留空为 PDF"
            ),
        ),
        help="每个项目的进度汇总和各点位本月完成情况、存在问题，点位状态用公开地图的颜色。",
    )
)
