"""A new term (换届) as long jobs: previewed, then applied."""

import datetime
from typing import Any

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError
from lianxin.core.tabular import Progress
from lianxin.ops.longjob_kinds.shared import job_owner, sheets_xlsx
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register
from lianxin.ops.models import LongJob
from lianxin.regions.models import Region


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

    actor = job_owner(job)
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
    data = sheets_xlsx(
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
