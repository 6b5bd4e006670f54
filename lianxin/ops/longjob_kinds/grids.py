"""Grid assignment and its coverage report as long jobs."""

from typing import Any

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import Progress
from lianxin.ops.longjob_kinds.shared import job_owner, sheets_xlsx
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register
from lianxin.ops.models import LongJob
from lianxin.regions.models import Region


def _grids_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    code = str(params.get("region") or "").strip()
    fill = str(params.get("fill_empty") or "yes") != "no"
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None or not actor.has_perm_in(Perm.MANAGE_REGISTRY, region.path):
            raise DomainError("field_invalid", "区划代码: 不存在，或不在您的管辖范围内", field="region")
    elif not actor.is_superuser:
        paths = actor.scope_paths(Perm.MANAGE_REGISTRY)
        if len(paths) != 1:
            raise DomainError("field_required", "区划代码: 您管辖多个区划，请填写要处理的区划", field="region")
        code = Region.objects.get(path=paths[0]).code
    return {"region": code, "fill_empty": fill}


def _grids_region(actor: Any, params: dict[str, Any]) -> Region | None:
    """The region again when the job runs (the owner's grants may have changed since): the service itself
    checks no permission, its command being run by an operator."""
    region = Region.objects.filter(code=params["region"]).first() if params.get("region") else None
    allowed = actor.is_superuser if region is None else actor.has_perm_in(Perm.MANAGE_REGISTRY, region.path)
    if not allowed:
        raise PermissionDenied("您没有在该区划维护代表网格的权限")
    return region


def _coverage_xlsx(region: Region | None, assigned: list[tuple[str, str, str]]) -> bytes:
    from lianxin.deputies.assignment import coverage_report

    report = coverage_report(region=region)
    data = report.as_dict()
    covered = report.grids_total - len(report.grids_without_deputy)
    share = f"{covered / report.grids_total:.1%}" if report.grids_total else "—"
    figures = [
        ("区划", str(region) if region is not None else "全部区划"),
        ("网格数", report.grids_total),
        ("有代表的网格", covered),
        ("网格覆盖率", share),
        ("无代表的网格", len(report.grids_without_deputy)),
        ("在任代表", report.deputies_total),
        ("已进网格的代表", report.deputies_total - len(report.deputies_without_grid)),
        ("未进网格的代表", len(report.deputies_without_grid)),
        ("网格员", data["grid_workers_total"]),
        ("网格员平均结对代表", data["deputies_per_worker_mean"]),
        ("网格员最多结对代表", data["deputies_per_worker_max"]),
        ("未结对代表的网格员", len(report.workers_without_deputy)),
        ("无网格员的网格", len(report.grids_without_worker)),
        ("本次编入", len(assigned)),
    ]
    return sheets_xlsx(
        [
            ("覆盖情况", ["项目", "数值"], figures),
            ("本次编入", ["代表", "网格", "依据"], assigned),
            (
                "无代表的网格",
                ["网格编码", "网格名称", "所属村/社区"],
                [(g.code, g.name, g.region.name) for g in report.grids_without_deputy],
            ),
            ("未进网格的代表", ["编号", "姓名"], [(d.pk, d.name) for d in report.deputies_without_grid]),
            (
                "网格员负荷",
                ["网格员", "网格", "结对代表数"],
                [(w.worker.name, w.worker.grid.name, w.deputies) for w in report.workers],
            ),
            (
                "无网格员的网格",
                ["网格编码", "网格名称", "所属村/社区"],
                [(g.code, g.name, g.region.name) for g in report.grids_without_worker],
            ),
        ]
    )


def _report_name(region: Region | None) -> str:
    return f"网格覆盖报告-{region.name if region is not None else '全部区划'}.xlsx"


def _grids_assign_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.deputies.assignment import assign_grids
    from lianxin.deputies.models import AssignmentBasis

    actor = job_owner(job)
    region = _grids_region(actor, params)
    progress(0, 0, "正在读取网格和代表")
    outcome = assign_grids(actor=actor, region=region, fill_empty=params.get("fill_empty", True), progress=progress)
    assigned = [
        (a.deputy.name, f"{a.grid.region.name}{a.grid.name}", AssignmentBasis(a.basis).label)
        for a in outcome.assignments
    ]
    progress(1, 1, "正在生成覆盖报告")
    detail = "，".join(f"{AssignmentBasis(k).label} {v} 名" for k, v in outcome.by_basis.items()) or "无需编入"
    return Output(
        message=f"已编入 {outcome.total} 名：{detail}；请下载覆盖报告",
        file_name=_report_name(region),
        file_data=_coverage_xlsx(region, assigned),
    )


def _coverage_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    region = _grids_region(job_owner(job), params)
    progress(0, 0, "正在生成覆盖报告")
    return Output(
        message="覆盖报告已生成，请下载文件", file_name=_report_name(region), file_data=_coverage_xlsx(region, [])
    )


REGION_PARAM = Param("region", "区划代码", "region", help="12位代码，留空为您的管辖范围")

kind_register(
    JobKind(
        name="grids_assign",
        button="开始编入网格",
        label="代表进网格",
        perm=Perm.MANAGE_REGISTRY,
        run=_grids_assign_run,
        clean=_grids_clean,
        region_code=lambda params: params.get("region") or None,
        params=(
            REGION_PARAM,
            Param(
                "fill_empty",
                "空白网格",
                "choice",
                choices=(("yes", "为无代表的网格补充代表"), ("no", "不补充")),
                help="留空为补充",
            ),
        ),
        help="按选区、就近就便、专业特长把未进网格的在任代表编入网格；结果为覆盖报告（.xlsx）。",
    )
)
kind_register(
    JobKind(
        name="grids_coverage",
        button="生成覆盖报告",
        label="网格覆盖报告",
        perm=Perm.MANAGE_REGISTRY,
        run=_coverage_run,
        clean=_grids_clean,
        region_code=lambda params: params.get("region") or None,
        params=(REGION_PARAM,),
        help="不编入，只统计网格有无代表、代表有无网格、网格员结对负荷（.xlsx）。",
    )
)
