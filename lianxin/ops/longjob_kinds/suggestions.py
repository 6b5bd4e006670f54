"""Suggestions as long jobs (issue 16): statistics, the 交办 list, the compilation, the import."""

from typing import Any

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError
from lianxin.core.tabular import Progress
from lianxin.ops.longjob_kinds.shared import job_owner, percent
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register, upload_read
from lianxin.ops.models import LongJob
from lianxin.suggestions.imports import SUGGESTION_COLUMNS


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

    actor = job_owner(job)
    session = _suggestion_session(actor, params, required=False)
    progress(0, 2, "正在统计")
    stats = statistics_collect(user=actor, session=session, year=params.get("year"))
    progress(1, 2, "正在生成文件")
    total = stats.totals["unit"]
    rate = total.satisfaction_rate
    return Output(
        message=f"统计已生成：{stats.scope}，主办件 {total.assigned} 件，已答复 {total.replied} 件，"
        f"满意率 {percent(rate)}",
        file_name=statistics_filename(stats),
        file_data=statistics_xlsx(stats),
    )


def _suggestion_session_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    return _suggestion_session_params(_suggestion_session(actor, params, required=True))


def _suggestions_assignment_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    from lianxin.suggestions.exports import assignment_list_filename, assignment_list_xlsx, assignment_rows

    actor = job_owner(job)
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

    actor = job_owner(job)
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

    actor = job_owner(job)
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
