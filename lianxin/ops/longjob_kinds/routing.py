"""The router's training and evaluation as long jobs."""

from typing import Any

from lianxin.accounts.roles import Perm
from lianxin.accounts.selectors import COUNTY_AND_UP
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import Column, Progress, Text, read_sheet
from lianxin.ops.longjob_kinds.shared import job_owner, percent, sheets_xlsx
from lianxin.ops.longjobs import JobKind, Output, kind_register, upload_read
from lianxin.ops.models import LongJob
from lianxin.regions.models import Region


def _routes_for_the_deployment(user: Any) -> bool:
    """The router serves every case of the deployment (a county): trained by those who handle cases from the
    county up, as the platform-wide settings are (accounts.selectors.platform_settings_editable)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    paths = user.scope_paths(Perm.HANDLE_CASES)
    return bool(paths) and Region.objects.filter(path__in=paths, level__in=COUNTY_AND_UP).exists()


def _router_train_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.routing.services import router_train_from_cases

    actor = job_owner(job)
    if not _routes_for_the_deployment(actor):
        raise PermissionDenied("只有县级及以上办理意见建议的工作人员可以训练分办模型")
    progress(0, 0, "正在用已确定类别的意见建议训练分办模型")
    version = router_train_from_cases(actor=actor, source=f"{actor.get_username()} 在“导入与任务”中训练")
    metrics = version.metrics
    if metrics:
        figures = (
            f"留出集 {metrics['messages']} 件：准确率 {percent(metrics['accuracy'])}，"
            f"宏平均F1 {metrics['macro_f1']:.3f}，置信度达阈值的 {percent(metrics['coverage'])}"
            f"（其中准确率 {percent(metrics['accuracy_when_confident'])}）"
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
        file_data=sheets_xlsx([("训练结果", ["项目", "数值"], rows)]),
    )


EVALUATION_COLUMNS = [
    Column("留言主题", "title", parse=Text(max_length=200)),
    Column("留言详情", "body", parse=Text(max_length=20_000)),
    Column("类别", "label", required=True, parse=Text(max_length=50), aliases=("一级标签",)),
]


def _router_evaluate_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.cases.models import Category
    from lianxin.routing.services import router_evaluate

    actor = job_owner(job)
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
            f"分办模型 v{report['version']} 评估 {report['messages']} 条：准确率 {percent(report['accuracy'])}，"
            f"宏平均F1 {report['macro_f1']:.3f}，置信度达阈值的 {percent(report['coverage'])}"
            f"（其中准确率 {percent(report['accuracy_when_confident'])}）"
        ),
        file_name=f"分办模型v{report['version']}评估结果.xlsx",
        file_data=sheets_xlsx(
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
