"""Duties as long jobs (issue 17): activities and attendance from spreadsheets, the year's scores."""

from typing import Any

from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError
from lianxin.core.tabular import Progress
from lianxin.duties.imports import ACTIVITY_COLUMNS, ATTENDANCE_COLUMNS
from lianxin.ops.longjob_kinds.shared import job_owner
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register, upload_read
from lianxin.ops.models import LongJob
from lianxin.regions.models import Region

# The congress a region holds: 德清县 → 县级人大, 武康街道 → 乡镇级人大 (a village has none).
CONGRESS_LEVELS = {"province": "province", "prefecture": "city", "county": "county", "township": "township"}


def _duties_activities_import_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.duties.imports import activities_import

    progress(0, 0, "正在读取并检查文件")
    result = activities_import(actor=job_owner(job), file=upload_read(job), filename=job.upload_name, progress=progress)
    return Output(message=f"导入完成：新增 {result.created} 项履职活动（计划），受邀代表已一并登记")


def _duties_attendance_import_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.duties.imports import attendance_import

    progress(0, 0, "正在读取并检查文件")
    result = attendance_import(actor=job_owner(job), file=upload_read(job), filename=job.upload_name, progress=progress)
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

    actor = job_owner(job)
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
