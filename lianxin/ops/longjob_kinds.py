"""The other commands as long jobs (issue 15): the voter roll's import and check, grid assignment with its coverage
report, the router's training and evaluation, the projects' monthly report. Each runs the service its command
runs, as the job's owner, so the service's own permission check applies when the job runs; `JobKind.perm` and
`clean` only decide who sees the kind and refuse a mistake on the form. Registered by lianxin.ops.longjobs.

A township's posters are registered by lianxin.portal.jobs: they are drawn by lianxin.portal.posters, in an
interface package that ops may not import (pyproject's [tool.importlinter]), while portal may import ops.
"""

import datetime
import io
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from lianxin.accounts.roles import Perm
from lianxin.accounts.selectors import COUNTY_AND_UP
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import Column, Progress, Text, read_sheet
from lianxin.duties.imports import ACTIVITY_COLUMNS, ATTENDANCE_COLUMNS
from lianxin.elections.imports import REGISTER_COLUMNS, VOTER_COLUMNS
from lianxin.elections.models import District, Election, FindingKind
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register, upload_read
from lianxin.ops.models import LongJob
from lianxin.regions.models import Region
from lianxin.suggestions.imports import SUGGESTION_COLUMNS

# --- shared ------------------------------------------------------------------------------------------------------


def _owner(job: LongJob) -> Any:
    """The job runs as its owner; without one (the account was deleted) it does not run as the system."""
    if job.owner is None:
        raise PermissionDenied("提交任务的账号已不存在，任务未运行")
    return job.owner


def _xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook of (title, headers, rows) sheets: bold frozen headers, columns wide enough for Chinese text."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers):
            longest = max([len(str(header)), *(len(str(row[index] or "")) for row in rows)])
            sheet.column_dimensions[sheet.cell(1, index + 1).column_letter].width = min(60, 4 + 2 * longest)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- elections: the voter roll's import and check ----------------------------------------------------------------


def _election_of(actor: Any, params: dict[str, Any], *, whole: bool) -> Election:
    """The election of the params: one the actor runs (`whole`: the check covers every roll of it), or, for a
    district's roll, one whose area overlaps theirs (a township imports its villages' rolls of a county election)."""
    value = str(params.get("election") or "").strip()
    election = None
    if value.isdigit():
        election = Election.objects.select_related("region").filter(pk=int(value)).first()
    if election is not None and not actor.has_perm_in(Perm.MANAGE_ELECTIONS, election.region.path):
        inside = any(path.startswith(election.region.path) for path in actor.scope_paths(Perm.MANAGE_ELECTIONS))
        if whole or not inside:
            election = None
    if election is None:
        raise DomainError("field_invalid", "选举编号: 没有这次选举，或不在您的管辖范围内", field="election")
    return election


def _voters_import_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    election = _election_of(actor, params, whole=False)
    code = str(params.get("district") or "").strip()
    if not code:
        raise DomainError("field_required", "选区: 请填写选区编号或村/社区的区划代码", field="district")
    district = District.objects.select_related("region").filter(election=election, code=code).first()
    region = district.region if district is not None else Region.objects.filter(code=code.ljust(12, "0")).first()
    if region is None or not actor.has_perm_in(Perm.MANAGE_ELECTIONS, region.path):
        raise DomainError("field_invalid", f"选区: “{code}”不存在，或不在您的管辖范围内", field="district")
    return {"election": election.pk, "district": code, "region": region.code}


def _voters_import_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.elections.services import voters_import

    actor = _owner(job)
    election = _election_of(actor, params, whole=False)
    progress(0, 0, "正在读取并检查文件")
    # The district a region code names is made on the first import: rejected rows leave no district behind.
    with transaction.atomic():
        result = voters_import(
            actor=actor,
            election=election,
            district_code=params["district"],
            file=upload_read(job),
            filename=job.upload_name,
            progress=progress,
        )
    return Output(
        message=f"导入完成：新增 {result.created} 名选民，更新 {result.updated} 名，未变 {result.unchanged} 名"
    )


def _voters_check_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    election = _election_of(actor, params, whole=True)
    cleaned: dict[str, Any] = {"election": election.pk, "region": election.region.code}
    if params.get("as_of"):
        try:
            cleaned["as_of"] = datetime.date.fromisoformat(str(params["as_of"])).isoformat()
        except ValueError:
            raise DomainError("field_invalid", "核查基准日: 日期格式应为 2026-01-31", field="as_of") from None
    return cleaned


def _voters_check_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.elections.imports import findings_export_xlsx, register_read
    from lianxin.elections.selectors import findings_of
    from lianxin.elections.services import Registers, voters_check

    actor = _owner(job)
    election = _election_of(actor, params, whole=True)
    registers = Registers()
    if job.upload_path:
        progress(0, 3, "正在读取户籍人口名单")
        registers = Registers(register=register_read(file=upload_read(job), filename=job.upload_name))
    progress(1, 3, "正在核查错登、重登、漏登")
    as_of = datetime.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    run = voters_check(actor=actor, election=election, as_of=as_of, registers=registers)
    progress(2, 3, "正在写出核查问题")
    data = findings_export_xlsx(findings_of(election=election, user=actor))
    summary = run.summary
    counts = "，".join(
        f"{kind.label} {summary[kind.value + 's']} 项"
        for kind in (FindingKind.ERROR, FindingKind.DUPLICATE, FindingKind.OMISSION)
    )
    note = "" if summary["register_given"] else "（未提供户籍人口名单，未核查漏登）"
    return Output(
        message=f"核查 {run.voters} 名选民：{counts}{note}；新发现 {summary['new']} 项，请下载核查问题清单",
        file_name=f"选民名册核查-{election.name}.xlsx",
        file_data=data,
    )


ELECTION_PARAM = Param("election", "选举编号", "text", required=True, help="选举管理页上该次选举的编号")

kind_register(
    JobKind(
        name="voters_import",
        button="上传并导入",
        label="导入选民名册",
        perm=Perm.MANAGE_ELECTIONS,
        run=_voters_import_run,
        upload=True,
        columns=VOTER_COLUMNS,
        clean=_voters_import_clean,
        region_code=lambda params: params.get("region"),
        params=(
            ELECTION_PARAM,
            Param("district", "选区", required=True, help="选区编号；或村/社区的12位区划代码，首次导入时自动建立选区"),
        ),
        help="一个选区的名册；同一身份证号已在该选区名册中的会被更新，重复导入不产生变化。全部无误才写入。",
    )
)
kind_register(
    JobKind(
        name="voters_check",
        button="开始核查",
        label="核查选民名册",
        perm=Perm.MANAGE_ELECTIONS,
        run=_voters_check_run,
        clean=_voters_check_clean,
        region_code=lambda params: params.get("region"),
        params=(ELECTION_PARAM, Param("as_of", "核查基准日", "date", help="留空为今天")),
        help="核查该次选举全部名册的错登、重登，结果为核查问题清单（.xlsx）；核查漏登请用“核查选民名册（含漏登）”。",
    )
)
kind_register(
    JobKind(
        name="voters_check_register",
        button="上传并核查",
        label="核查选民名册（含漏登）",
        perm=Perm.MANAGE_ELECTIONS,
        run=_voters_check_run,
        upload=True,
        columns=REGISTER_COLUMNS,
        clean=_voters_check_clean,
        region_code=lambda params: params.get("region"),
        params=(ELECTION_PARAM, Param("as_of", "核查基准日", "date", help="留空为今天")),
        help="上传户籍人口名单，与名册比对漏登，同时核查错登、重登；结果为核查问题清单（.xlsx）。",
    )
)


# --- deputies: grid assignment and its coverage report -----------------------------------------------------------


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
    return _xlsx(
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

    actor = _owner(job)
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
    region = _grids_region(_owner(job), params)
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


# --- deputies: a new term (换届), previewed, then applied ------------------------------------------------------------


def _new_term_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    from lianxin.deputies.models import MandateLevel

    code = str(params.get("region") or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    if region is None or not actor.has_perm_in(Perm.MANAGE_REGISTRY, region.path):
        raise DomainError("field_invalid", "人大所在区划: 不存在，或不在您的管辖范围内", field="region")
    level = str(params.get("level") or "")
    if level not in MandateLevel.values:
        raise DomainError("field_required", "层级: 请选择人大的层级", field="level")
    terms = {}
    for name, label in (("from_term", "原届次"), ("to_term", "新届次")):
        value = str(params.get(name) or "").strip()
        if not value.isdigit() or not 0 < int(value) < 100:
            raise DomainError("field_invalid", f"{label}: 请填写届次的数字，如 17", field=name)
        terms[name] = int(value)
    try:
        day = datetime.date.fromisoformat(str(params["day"])) if params.get("day") else datetime.date.today()
    except ValueError:
        raise DomainError("field_invalid", "换届日: 日期格式应为 2026-01-31", field="day") from None
    return {"region": region.code, "level": level, **terms, "day": day.isoformat()}


def _new_term_run(job: LongJob, params: dict[str, Any], progress: Progress, *, apply: bool) -> Output:
    from lianxin.deputies.terms import new_term_apply, new_term_plan

    actor = _owner(job)
    region = Region.objects.filter(code=params["region"]).first()
    if region is None:
        raise DomainError("field_invalid", "人大所在区划: 不存在", field="region")
    progress(0, 0, "正在写入换届结果" if apply else "正在计算换届预览")
    plan = (new_term_apply if apply else new_term_plan)(
        actor=actor,
        congress=region,
        level=params["level"],
        from_term=params["from_term"],
        to_term=params["to_term"],
        day=datetime.date.fromisoformat(params["day"]),
    )
    people = [("连任", d.pk, d.name) for d in plan.reelected]
    people += [("届满离任", d.pk, d.name) for d in plan.leaving]
    people += [("未连任，仍任其他人大代表", d.pk, d.name) for d in plan.serving_elsewhere]
    data = _xlsx(
        [
            ("汇总", ["说明"], [(line,) for line in plan.lines()]),
            ("代表", ["处理", "编号", "姓名"], people),
            ("移出明细", ["类别", "内容"], plan.removed_rows()),
        ]
    )
    head = f"{plan.congress_label}第{plan.from_term}届 → 第{plan.to_term}届"
    counts = f"连任 {len(plan.reelected)} 名，届满离任 {len(plan.leaving)} 名，终止代表资格 {len(plan.closing)} 条"
    if not apply:
        message = f"{head}预览：{counts}（未写入）；请下载核对后再执行“换届（执行）”"
    elif plan.is_empty:
        message = f"{head}：没有需要处理的内容（此前已完成换届）"
    else:
        message = f"{head}已完成：{counts}"
    suffix = "执行结果" if apply else "预览"
    return Output(message=message, file_name=f"换届{suffix}-{region.name}.xlsx", file_data=data)


def _new_term_preview_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    return _new_term_run(job, params, progress, apply=False)


def _new_term_apply_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    return _new_term_run(job, params, progress, apply=True)


NEW_TERM_PARAMS = (
    Param("region", "人大所在区划", "region", required=True, help="12位代码，如县人大填该县的代码"),
    Param(
        "level",
        "层级",
        "choice",
        required=True,
        choices=(("province", "省级"), ("city", "市级"), ("county", "县级"), ("township", "乡镇级")),
    ),
    Param("from_term", "原届次", required=True, help="如 17"),
    Param("to_term", "新届次", required=True, help="如 18；须先导入新一届代表名册"),
    Param("day", "换届日", "date", help="新一届第一次会议的日期，留空为今天"),
)

kind_register(
    JobKind(
        name="new_term_preview",
        button="生成换届预览",
        label="换届（预览）",
        perm=Perm.MANAGE_REGISTRY,
        run=_new_term_preview_run,
        clean=_new_term_clean,
        region_code=lambda params: params.get("region"),
        params=NEW_TERM_PARAMS,
        help="不写入：列出连任代表保留的小组、网格、结对，以及届满离任代表将被移出的内容（.xlsx）。",
    )
)
kind_register(
    JobKind(
        name="new_term_apply",
        button="执行换届",
        label="换届（执行）",
        perm=Perm.MANAGE_REGISTRY,
        run=_new_term_apply_run,
        clean=_new_term_clean,
        region_code=lambda params: params.get("region"),
        params=NEW_TERM_PARAMS,
        help="终止原届代表资格，连任代表保留小组、网格、结对和二维码，离任代表移出；请先生成预览核对。重复执行不再变化。",
    )
)


# --- routing: training and evaluating the router ------------------------------------------------------------------


def _routes_for_the_deployment(user: Any) -> bool:
    """The router serves every case of the deployment (a county): trained by those who handle cases from the
    county up, as the platform-wide settings are (accounts.selectors.platform_settings_editable)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    paths = user.scope_paths(Perm.HANDLE_CASES)
    return bool(paths) and Region.objects.filter(path__in=paths, level__in=COUNTY_AND_UP).exists()


def _percent(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) else "—"


def _router_train_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.routing.services import router_train_from_cases

    actor = _owner(job)
    if not _routes_for_the_deployment(actor):
        raise PermissionDenied("只有县级及以上办理意见建议的工作人员可以训练分办模型")
    progress(0, 0, "正在用已确定类别的意见建议训练分办模型")
    version = router_train_from_cases(actor=actor, source=f"{actor.get_username()} 在“导入与任务”中训练")
    metrics = version.metrics
    if metrics:
        figures = (
            f"留出集 {metrics['messages']} 件：准确率 {_percent(metrics['accuracy'])}，"
            f"宏平均F1 {metrics['macro_f1']:.3f}，置信度达阈值的 {_percent(metrics['coverage'])}"
            f"（其中准确率 {_percent(metrics['accuracy_when_confident'])}）"
        )
    else:
        figures = "样本少于200件，未留出评估集；可上传带类别的留言用“评估分办模型”评估"
    rows: list[tuple[str, Any]] = [
        ("版本", f"v{version.number}"),
        ("样本数", version.samples),
        ("类别数", len(version.classes)),
        ("类别", "、".join(version.classes)),
        ("置信度阈值", version.threshold),
        ("训练用时(秒)", version.training_seconds),
        ("模型大小(字节)", version.size),
    ]
    labels = {"messages": "留出集件数", "accuracy": "准确率", "macro_f1": "宏平均F1"}
    labels |= {"coverage": "达阈值比例", "accuracy_when_confident": "达阈值时准确率"}
    rows += [(labels.get(key, key), value) for key, value in metrics.items()]
    return Output(
        message=f"分办模型 v{version.number} 已训练并启用：{version.samples} 件样本，{len(version.classes)} 个类别；{figures}",
        file_name=f"分办模型v{version.number}训练结果.xlsx",
        file_data=_xlsx([("训练结果", ["项目", "数值"], rows)]),
    )


EVALUATION_COLUMNS = [
    Column("留言主题", "title", parse=Text(max_length=200)),
    Column("留言详情", "body", parse=Text(max_length=20_000)),
    Column("类别", "label", required=True, parse=Text(max_length=50), aliases=("一级标签",)),
]


def _router_evaluate_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.cases.models import Category
    from lianxin.routing.services import router_evaluate

    actor = _owner(job)
    if not _routes_for_the_deployment(actor):
        raise PermissionDenied("只有县级及以上办理意见建议的工作人员可以评估分办模型")
    progress(0, 0, "正在读取并检查文件")
    sheet = read_sheet(file=upload_read(job), filename=job.upload_name, columns=EVALUATION_COLUMNS)
    categories = {c.code: c for c in Category.objects.all()} | {c.name: c for c in Category.objects.all()}
    titles, bodies, codes = [], [], []
    for row in sheet.rows:
        if not (row.get("title") or row.get("body")):
            sheet.error(row, "title", "留言主题和留言详情不能都为空")
        category = categories.get(row.get("label") or "")
        if row.ok("label") and category is None:
            sheet.error(row, "label", f"平台没有“{row['label']}”这个类别（填写类别名称或代码）")
        if category is not None:
            titles.append(row.get("title") or "")
            bodies.append(row.get("body") or "")
            codes.append(category.code)
    sheet.raise_if_errors()
    if not codes:
        raise DomainError("file_empty", "文件中没有留言")
    progress(1, 2, f"正在评估 {len(codes)} 条留言")
    report = router_evaluate(titles=titles, bodies=bodies, labels=codes)
    names = {c.code: c.name for c in categories.values()}
    rows = [
        (names.get(code, code), figures["precision"], figures["recall"], figures["f1"], figures["support"])
        for code, figures in report["per_class"].items()
    ]
    overall = [
        ("模型版本", f"v{report['version']}"),
        ("评估件数", report["messages"]),
        ("准确率", report["accuracy"]),
        ("宏平均F1", report["macro_f1"]),
        ("置信度阈值", report["threshold"]),
        ("达阈值比例", report["coverage"]),
        ("达阈值时准确率", report["accuracy_when_confident"]),
        ("每秒条数", report["messages_per_second"]),
    ]
    return Output(
        message=(
            f"分办模型 v{report['version']} 评估 {report['messages']} 条：准确率 {_percent(report['accuracy'])}，"
            f"宏平均F1 {report['macro_f1']:.3f}，置信度达阈值的 {_percent(report['coverage'])}"
            f"（其中准确率 {_percent(report['accuracy_when_confident'])}）"
        ),
        file_name=f"分办模型v{report['version']}评估结果.xlsx",
        file_data=_xlsx(
            [
                ("总体", ["项目", "数值"], overall),
                ("各类别", ["类别", "精确率", "召回率", "F1", "件数"], rows),
            ]
        ),
    )


kind_register(
    JobKind(
        name="router_train",
        button="开始训练",
        label="训练分办模型",
        perm=Perm.HANDLE_CASES,
        allowed=_routes_for_the_deployment,
        run=_router_train_run,
        help="用平台已确定类别的意见建议训练新版本并启用（旧版本保留）；样本满200件时留出五分之一评估准确率。",
    )
)
kind_register(
    JobKind(
        name="router_evaluate",
        button="上传并评估",
        label="评估分办模型",
        perm=Perm.HANDLE_CASES,
        allowed=_routes_for_the_deployment,
        run=_router_evaluate_run,
        upload=True,
        columns=EVALUATION_COLUMNS,
        help="上传已标明类别的留言，计算启用中的分办模型的准确率、宏平均F1、各类别精确率和召回率。",
    )
)


# --- projects: the monthly progress report ------------------------------------------------------------------------


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

    actor = _owner(job)
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


# --- suggestions: statistics, the 交办 list, the compilation, the import (issue 16) -------------------------------


def _suggestion_session(actor: Any, params: dict[str, Any], *, required: bool) -> Any:
    """The session of the params, by its number (会议编号) or its exact name, of a congress the actor works for."""
    from lianxin.suggestions.models import Session

    value = str(params.get("session") or "").strip()
    if not value:
        if required:
            raise DomainError("field_required", "会议: 请填写会议编号或会议名称", field="session")
        return None
    rows = Session.objects.select_related("congress_region")
    session = rows.filter(pk=int(value)).first() if value.isdigit() else rows.filter(name=value).first()
    if session is None or not actor.has_perm_in(Perm.MANAGE_SUGGESTIONS, session.congress_region.path):
        raise DomainError("field_invalid", f"会议: “{value}”不存在，或不在您的管辖范围内", field="session")
    return session


def _suggestion_session_params(session: Any) -> dict[str, Any]:
    return {"session": session.pk, "region": session.congress_region.code} if session is not None else {}


def _suggestions_stats_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    cleaned = _suggestion_session_params(_suggestion_session(actor, params, required=False))
    if params.get("year"):
        try:
            cleaned["year"] = int(str(params["year"]).strip())
        except ValueError:
            raise DomainError("field_invalid", "年度: 请填写四位数的年份，如 2026", field="year") from None
    return cleaned


def _suggestions_stats_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.suggestions.exports import statistics_collect, statistics_filename, statistics_xlsx

    actor = _owner(job)
    session = _suggestion_session(actor, params, required=False)
    progress(0, 2, "正在统计")
    stats = statistics_collect(user=actor, session=session, year=params.get("year"))
    progress(1, 2, "正在生成文件")
    total = stats.totals["unit"]
    rate = total.satisfaction_rate
    return Output(
        message=f"统计已生成：{stats.scope}，主办件 {total.assigned} 件，已答复 {total.replied} 件，"
        f"满意率 {_percent(rate)}",
        file_name=statistics_filename(stats),
        file_data=statistics_xlsx(stats),
    )


def _suggestion_session_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    return _suggestion_session_params(_suggestion_session(actor, params, required=True))


def _suggestions_assignment_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.suggestions.exports import assignment_list_filename, assignment_list_xlsx, assignment_rows

    actor = _owner(job)
    session = _suggestion_session(actor, params, required=True)
    progress(0, 1, "正在整理交办清单")
    rows = assignment_rows(user=actor, session=session)
    return Output(
        message=f"交办清单已生成：{session.name}，{len(rows)} 件",
        file_name=assignment_list_filename(session),
        file_data=assignment_list_xlsx(rows),
    )


def _suggestions_compile_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    cleaned = _suggestion_session_clean(actor, params)
    return {**cleaned, "format": "pdf" if params.get("format") == "pdf" else "docx"}


def _suggestions_compile_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.suggestions.reports import compilation_collect, compilation_filename, compilation_render

    actor = _owner(job)
    session = _suggestion_session(actor, params, required=True)
    compilation = compilation_collect(user=actor, session=session, progress=progress)
    if not compilation.sections:
        raise DomainError("nothing_to_compile", f"{session.name}还没有已立案的建议或议案，无可汇编")
    fmt = params.get("format", "docx")
    data = compilation_render(compilation, fmt, progress)
    return Output(
        message=f"汇编已生成：{compilation.summary}",
        file_name=compilation_filename(session, fmt),
        file_data=data,
    )


def _suggestions_import_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    from lianxin.suggestions.imports import session_for_import

    session = _suggestion_session(actor, params, required=True)
    return _suggestion_session_params(session_for_import(actor=actor, session_id=session.pk))


def _suggestions_import_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.suggestions.imports import session_for_import, suggestions_import

    actor = _owner(job)
    session = session_for_import(actor=actor, session_id=params.get("session"))
    progress(0, 0, "正在读取并检查文件")
    result = suggestions_import(
        actor=actor, session=session, file=upload_read(job), filename=job.upload_name, progress=progress
    )
    return Output(message=f"导入完成：{session.name}新增 {result.created} 件，均已提交待预审")


SESSION_PARAM = Param("session", "会议", "text", required=True, help="会议编号（统计页上列出）或会议的完整名称")

kind_register(
    JobKind(
        name="suggestions_stats_export",
        button="生成统计表",
        label="导出代表建议办理统计",
        perm=Perm.MANAGE_SUGGESTIONS,
        run=_suggestions_stats_run,
        clean=_suggestions_stats_clean,
        region_code=lambda params: params.get("region"),
        params=(
            Param("session", "会议", "text", help="会议编号或完整名称，留空为全部会议"),
            Param("year", "年度", "year", help="会议召开的年度，留空为全部"),
        ),
        help="按承办单位、人大层级、会议统计交办、按期答复、A/B/C类占比、办前联系率、满意率（目标≥95%）和重新办理件数（.xlsx）。",
    )
)
kind_register(
    JobKind(
        name="suggestions_assignment_list",
        button="生成交办清单",
        label="导出建议交办清单",
        perm=Perm.MANAGE_SUGGESTIONS,
        run=_suggestions_assignment_run,
        clean=_suggestion_session_clean,
        region_code=lambda params: params.get("region"),
        params=(SESSION_PARAM,),
        help="该次会议已交办的建议、议案：编号、标题、领衔代表、主办和协办单位、交办日期、答复期限（.xlsx）。",
    )
)
kind_register(
    JobKind(
        name="suggestions_compile",
        button="生成汇编",
        label="代表建议议案汇编",
        perm=Perm.MANAGE_SUGGESTIONS,
        run=_suggestions_compile_run,
        clean=_suggestions_compile_clean,
        region_code=lambda params: params.get("region"),
        params=(
            SESSION_PARAM,
            Param(
                "format", "文件格式", "choice", choices=(("docx", "Word（.docx）"), ("pdf", "PDF")), help="留空为 Word"
            ),
        ),
        help="该次会议已立案的建议、议案及各主办单位的答复，按领域编排，含封面和目录。",
    )
)
kind_register(
    JobKind(
        name="suggestions_import",
        button="上传并导入",
        label="导入代表建议议案",
        perm=Perm.MANAGE_SUGGESTIONS,
        run=_suggestions_import_run,
        upload=True,
        columns=SUGGESTION_COLUMNS,
        clean=_suggestions_import_clean,
        region_code=lambda params: params.get("region"),
        params=(SESSION_PARAM,),
        help="纸质建议、议案的登记表：每行一件，附议代表用顿号分隔，同名代表写成“姓名（代表编号）”。"
        "导入后为已提交待预审；全部无误才写入。",
    )
)


# --- duties: activities and attendance from spreadsheets, the year's scores (issue 17) ----------------------------

# The congress a region holds: 德清县 → 县级人大, 武康街道 → 乡镇级人大 (a village has none).
CONGRESS_LEVELS = {"province": "province", "prefecture": "city", "county": "county", "township": "township"}


def _duties_activities_import_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.duties.imports import activities_import

    progress(0, 0, "正在读取并检查文件")
    result = activities_import(actor=_owner(job), file=upload_read(job), filename=job.upload_name, progress=progress)
    return Output(message=f"导入完成：新增 {result.created} 项履职活动（计划），受邀代表已一并登记")


def _duties_attendance_import_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.duties.imports import attendance_import

    progress(0, 0, "正在读取并检查文件")
    result = attendance_import(actor=_owner(job), file=upload_read(job), filename=job.upload_name, progress=progress)
    return Output(message=f"导入完成：登记 {result.updated} 人次，{result.unchanged} 人次与原记录相同")


def _duties_congress(actor: Any, params: dict[str, Any]) -> tuple[Region, str, int]:
    code = str(params.get("region") or "").strip()
    region = Region.objects.filter(code=code.ljust(12, "0")).first() if code.isdigit() else None
    if region is None or region.level not in CONGRESS_LEVELS or not actor.has_perm_in(Perm.MANAGE_DUTIES, region.path):
        raise DomainError("field_invalid", f"人大所在区划: “{code}”不存在，或不在您的管辖范围内", field="region")
    try:
        year = int(str(params.get("year") or timezone.localdate().year).strip())
    except ValueError:
        raise DomainError("field_invalid", "年度: 请填写四位数的年份，如 2026", field="year") from None
    if not 2000 <= year <= 2100:
        raise DomainError("field_invalid", "年度: 请填写四位数的年份，如 2026", field="year")
    return region, CONGRESS_LEVELS[region.level], year


def _duties_scores_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    region, _level, year = _duties_congress(actor, params)
    return {"region": region.code, "year": year}


def _duties_scores_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.duties.exports import scores_collect, scores_filename, scores_xlsx

    actor = _owner(job)
    region, level, year = _duties_congress(actor, params)
    table = scores_collect(actor=actor, region=region, level=level, year=year, progress=progress)
    progress(1, 2, "正在生成文件")
    return Output(
        message=f"履职积分已生成：{table.congress}{year}年，{len(table.lines)} 名代表，{len(table.items)} 个计分项目",
        file_name=scores_filename(table),
        file_data=scores_xlsx(table),
    )


kind_register(
    JobKind(
        name="duties_activities_import",
        button="上传并导入",
        label="导入履职活动",
        perm=Perm.MANAGE_DUTIES,
        run=_duties_activities_import_run,
        upload=True,
        columns=ACTIVITY_COLUMNS,
        help="每行一项活动：类型写中文（如 走访群众、视察、履职培训），时间如 2026-03-05 09:00，区划代码为活动所在的"
        "村/社区或乡镇，受邀代表用顿号分隔，同名代表写成“姓名（代表编号）”。接待选民在接待登记中记录，不必导入。"
        "全部无误才写入。",
    )
)
kind_register(
    JobKind(
        name="duties_attendance_import",
        button="上传并导入",
        label="导入活动出席情况",
        perm=Perm.MANAGE_DUTIES,
        run=_duties_attendance_import_run,
        upload=True,
        columns=ATTENDANCE_COLUMNS,
        help="纸质签到表：每行一位代表，活动写活动编号，或写活动名称并填日期；出席写 已签到、请假 或 缺席。"
        "已扫码签到的代表不会被改为请假或缺席；全部无误才写入。",
    )
)
kind_register(
    JobKind(
        name="duties_scores_export",
        button="生成积分表",
        label="导出代表履职积分",
        perm=Perm.MANAGE_DUTIES,
        run=_duties_scores_run,
        clean=_duties_scores_clean,
        region_code=lambda params: params.get("region"),
        params=(
            Param("region", "人大所在区划", "region", required=True, help="12位代码，如县人大填县的代码"),
            Param("year", "年度", "year", help="留空为今年"),
        ),
        help="该人大本年度代表的履职积分排名：各计分项目得分、总分和尚待组织评定的自评项目（.xlsx）。",
    )
)
