"""The ledger (台账) as .xlsx and CSV, and the statistics of the closed loop. Thin: lianxin.cases.reports does it."""

import datetime
import io
from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema

from lianxin.api.auth import caller
from lianxin.api.schemas import REGION_CODE_PATTERN, ErrorOut, ValidationErrorOut
from lianxin.cases.models import Channel, Status
from lianxin.cases.reports import (
    CaseStatistics,
    LedgerFilters,
    case_statistics,
    ledger_csv,
    ledger_filename,
    ledger_filters_resolve,
    ledger_xlsx,
)
from lianxin.workdays.calendar import CHINA

router = Router(tags=["意见建议台账与统计"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choices(choices: Any) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices.choices)


class LedgerQuery(Schema):
    """The case list's filters (GET /cases), minus its text search and its "late and still open" switch."""

    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其所有下级的件")
    status: list[Status] | None = Field(None, description=f"状态，可重复给出多个：{_choices(Status)}")
    channel: Channel | None = Field(None, description=f"渠道：{_choices(Channel)}")
    category: str | None = Field(None, max_length=40, description="类别编码")
    unit: int | None = Field(None, description="承办单位 id")
    deputy: int | None = Field(None, description="接待代表 id")
    registered_from: datetime.date | None = Field(None, description="登记日期起（含），YYYY-MM-DD，北京时间")
    registered_to: datetime.date | None = Field(None, description="登记日期止（含），YYYY-MM-DD，北京时间")


def _filters(request: HttpRequest, query: LedgerQuery) -> LedgerFilters:
    return ledger_filters_resolve(user=caller(request), **query.model_dump())


def _file_response(description: str, content_type: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


@router.get(
    "/cases/ledger.xlsx",
    response={200: None, **ERRORS},
    summary="导出意见建议台账（Excel）",
    description=(
        "您可见范围内符合条件的意见建议，每件一行：查询码、登记时间、渠道、区划、类别、承办单位、答复时限、状态、"
        "是否超期、办理用时（工作日）、满意度等，中文表头。不含反映人姓名和联系电话。"
    ),
    openapi_extra=_file_response("意见建议台账 .xlsx 文件", XLSX),
)
def ledger_export_xlsx(request: HttpRequest, query: Query[LedgerQuery]) -> FileResponse:
    filters = _filters(request, query)
    data = ledger_xlsx(user=caller(request), filters=filters)
    # FileResponse writes Content-Length and the RFC 5987 filename*= that a Chinese name needs.
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=ledger_filename(filters=filters, suffix=".xlsx"),
        content_type=XLSX,
    )


@router.get(
    "/cases/ledger.csv",
    response={200: None, **ERRORS},
    summary="导出意见建议台账（CSV）",
    description="与 Excel 台账相同的列和行，UTF-8 编码（带 BOM，Excel 可直接打开），逐步传输。",
    openapi_extra=_file_response("意见建议台账 CSV 文件", "text/csv"),
)
def ledger_export_csv(request: HttpRequest, query: Query[LedgerQuery]) -> StreamingHttpResponse:
    filters = _filters(request, query)
    response = StreamingHttpResponse(
        ledger_csv(user=caller(request), filters=filters), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, ledger_filename(filters=filters, suffix=".csv"))
    return response


# --- statistics ----------------------------------------------------------------------------------------------------


class StatisticsQuery(Schema):
    region: str | None = Field(
        None, pattern=REGION_CODE_PATTERN, description="12位区划代码：统计该区划及其所有下级；默认您可见的全部"
    )
    start: datetime.date | None = Field(None, description="登记日期自（含），默认截止日期所在年份的1月1日")
    end: datetime.date | None = Field(None, description="登记日期至（含），默认今天")


class TotalsOut(Schema):
    received: int = Field(..., description="收到件数：期内登记的意见建议")
    people_received: int = Field(
        ..., description="接待人数：期内已结束的接待活动的接待人数，加上不属于接待活动的意见建议的反映人数"
    )
    pending: int = Field(..., description="待受理件数（已登记）")
    declined: int = Field(..., description="不予受理件数")
    accepted: int = Field(..., description="受理件数：除待受理和不予受理外的全部")
    resolved: int = Field(..., description="办结件数：已受理且已反馈、已评价、已转代表建议、已销号或已公开")
    resolution_rate: float | None = Field(..., description="办结率 = 办结 / 受理（0–1）；无受理件时为 null")
    timed: int = Field(..., description="计入平均办结时间的件数（已办结且已反馈）")
    average_handling_days: float | None = Field(
        ..., description="平均办结时间：从登记到反馈的工作日数（法定节假日和调休按工作日历计）的平均值"
    )
    overdue: int = Field(..., description="超期件数：超过答复时限才答复，或仍待答复且已过答复时限")
    online: int = Field(..., description="线上问诊件数")
    online_share: float | None = Field(..., description="线上占比 = 线上问诊 / 收到（0–1）")
    rated: int = Field(..., description="已评价件数")
    satisfied: int = Field(..., description="满意和基本满意件数")
    satisfaction_rate: float | None = Field(..., description="满意率 =（满意 + 基本满意）/ 已评价（0–1）")


class BreakdownOut(Schema):
    key: str = Field(..., description="类别编码、承办单位 id 或渠道；空字符串表示未分类或未交办")
    label: str = Field(..., description="中文名称")
    received: int
    accepted: int
    resolved: int
    resolution_rate: float | None
    average_handling_days: float | None
    overdue: int
    online: int
    rated: int
    satisfied: int
    satisfaction_rate: float | None


class YearOnYearOut(Schema):
    received: float | None = Field(
        ..., description="收到件数同比增减（0.67 即增长 67%）；上年同期不足 20 件（基数过小）时为 null，各项同比同此"
    )
    people_received: float | None = Field(..., description="接待人数同比增减")
    accepted: float | None = Field(..., description="受理件数同比增减")
    resolved: float | None = Field(..., description="办结件数同比增减")
    overdue: float | None = Field(..., description="超期件数同比增减")
    online: float | None = Field(..., description="线上问诊件数同比增减")
    resolution_rate: float | None = Field(..., description="办结率之差（0.05 即高 5 个百分点）")
    online_share: float | None = Field(..., description="线上占比之差")
    satisfaction_rate: float | None = Field(..., description="满意率之差")
    average_handling_days: float | None = Field(..., description="平均办结时间之差（工作日）")


class StatisticsOut(Schema):
    region_code: str | None = Field(..., description="统计的区划；null 表示您可见的全部")
    region_name: str
    start: datetime.date
    end: datetime.date
    previous_start: datetime.date = Field(..., description="上年同期自")
    previous_end: datetime.date = Field(..., description="上年同期至")
    totals: TotalsOut = Field(..., description="本期")
    previous: TotalsOut = Field(..., description="上年同期")
    year_on_year: YearOnYearOut = Field(..., description="同比")
    by_category: list[BreakdownOut] = Field(..., description="按类别，件数多者在前")
    by_unit: list[BreakdownOut] = Field(..., description="按承办单位")
    by_channel: list[BreakdownOut] = Field(..., description="按渠道")


@router.get(
    "/statistics",
    response={200: StatisticsOut, **ERRORS},
    summary="意见建议统计",
    description=(
        "您可见范围内某区划（含下级）某期间登记的意见建议：收到、接待人数、受理、办结、办结率、平均办结时间"
        "（工作日）、超期、线上占比、满意率，上年同期及同比，并按类别、承办单位和渠道分列。"
    ),
)
def statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> CaseStatistics:
    end = query.end or timezone.now().astimezone(CHINA).date()
    start = query.start or end.replace(month=1, day=1)
    filters = ledger_filters_resolve(
        user=caller(request), region=query.region, registered_from=start, registered_to=end
    )
    assert filters.start is not None and filters.end is not None
    return case_statistics(user=caller(request), region=filters.region, start=filters.start, end=filters.end)
