"""代表服务圈 as long jobs: a region's service circle computed and saved as a plan (for a city, where the office's
inline run would keep the page waiting), with its workbook; household points imported from a sheet."""

from typing import Any

from lianxin.accounts.roles import Perm
from lianxin.circle.imports import HOUSEHOLD_COLUMNS
from lianxin.core.errors import DomainError
from lianxin.core.tabular import Progress
from lianxin.ops.longjob_kinds.shared import job_owner, percent
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register, upload_read
from lianxin.ops.models import LongJob

JOB_TIME_LIMIT = 120.0  # the integer programme's, seconds


def _int(params: dict[str, Any], name: str, label: str, default: int, low: int, high: int) -> int:
    raw = str(params.get(name) or "").strip() or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise DomainError("field_invalid", f"{label}: 应为{low}到{high}之间的整数", field=name)
    return int(raw)


def _circle_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    from lianxin.circle.analysis import MAX_PROPOSE
    from lianxin.circle.selectors import region_for_code

    region = region_for_code(user=actor, code=str(params.get("region") or ""))
    return {
        "region": region.code,
        "minutes": _int(params, "minutes", "步行分钟", 15, 5, 30),
        "propose": _int(params, "propose", "拟新设点位数", 5, 0, MAX_PROPOSE),
    }


def _circle_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.circle.analysis import circle_analyse
    from lianxin.circle.exports import analysis_xlsx
    from lianxin.circle.selectors import region_for_code
    from lianxin.circle.services import plan_save

    actor = job_owner(job)
    region = region_for_code(user=actor, code=params["region"])  # the owner's grants again, as the job runs
    progress(0, 0, "正在计算覆盖与选址")
    analysis = circle_analyse(
        region=region, minutes=params["minutes"], propose=params["propose"], time_limit=JOB_TIME_LIMIT
    )
    plan = plan_save(actor=actor, analysis=analysis)
    progress(1, 1, "正在生成文件")
    return Output(
        message=f"已保存方案 {plan.pk}：{region.name}{plan.minutes}分钟内覆盖 {percent(plan.share)}，"
        f"拟新设 {plan.sites.count()} 处；在“代表服务圈”查看地图并一键建点",
        file_name=f"代表服务圈-{region.name}-{plan.minutes}分钟.xlsx",
        file_data=analysis_xlsx(analysis),
    )


def _households_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.circle.imports import households_import

    progress(0, 0, "正在读取并检查文件")
    result = households_import(actor=job_owner(job), file=upload_read(job), filename=job.upload_name, progress=progress)
    return Output(message=f"导入完成：{result.created} 个住户点位（所涉网格原有点位已替换）")


kind_register(
    JobKind(
        name="circle_plan",
        button="开始计算",
        label="代表服务圈覆盖与选址",
        perm=Perm.MANAGE_REGISTRY,
        run=_circle_run,
        clean=_circle_clean,
        region_code=lambda params: params.get("region") or None,
        params=(
            Param("region", "区划代码", "region", required=True, help="12位代码"),
            Param("minutes", "步行分钟", "text", help="5到30，留空为15"),
            Param("propose", "拟新设点位数", "text", help="0到50，留空为5"),
        ),
        help="按直线距离×1.3、步速5公里/小时计算居民步行可达家站室的人口覆盖，并用贪心法和整数规划选址；"
        "结果保存为方案，另附 .xlsx。按路网计算请用命令 lianxin service_circle --osm。",
    )
)
kind_register(
    JobKind(
        name="circle_households_import",
        button="上传并导入",
        label="导入住户点位",
        perm=Perm.MANAGE_REGISTRY,
        run=_households_run,
        upload=True,
        columns=HOUSEHOLD_COLUMNS,
        help="每行一户：纬度、经度（已地理编码）、人数，可填网格编码。文件涉及的网格原有点位被替换；全部无误才写入。",
    )
)
