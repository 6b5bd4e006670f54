"""The voter roll's import and its check (错·漏·重) as long jobs."""

import datetime
from typing import Any

from django.db import transaction

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError
from lianxin.core.tabular import Progress
from lianxin.elections.imports import REGISTER_COLUMNS, VOTER_COLUMNS
from lianxin.elections.models import District, Election, FindingKind
from lianxin.ops.longjob_kinds.shared import job_owner
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register, upload_read
from lianxin.ops.models import LongJob
from lianxin.regions.models import Region


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

    actor = job_owner(job)
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

    actor = job_owner(job)
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
