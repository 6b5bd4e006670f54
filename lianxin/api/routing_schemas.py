"""Output schemas of the routing API (read-only): router versions with their figures, the router's proposals per
case with the clerk's decision, and candidate common problems (普遍问题)."""

import datetime
from typing import Any

from ninja import Field, Schema

from lianxin.api.case_schemas import CategoryRef, UnitRef
from lianxin.api.schemas import RegionRef, _choices
from lianxin.cases.models import Status
from lianxin.routing.models import ProposalStatus


class ProposalFilters(Schema):
    status: ProposalStatus | None = Field(None, description=f"状态：{_choices(ProposalStatus)}")


class HotspotFilters(Schema):
    days: int = Field(90, ge=1, le=365, description="只看最近多少天登记的意见建议，默认 90")
    top: int = Field(20, ge=1, le=50, description="最多列出几个，默认 20")


class RouterVersionOut(Schema):
    number: int = Field(..., description="版本号")
    trained_at: datetime.datetime = Field(..., description="训练时间")
    source: str = Field(..., description="训练数据")
    samples: int = Field(..., description="样本数")
    classes: list[str] = Field(..., description="类别编码")
    threshold: float = Field(..., description="转人工阈值：置信度低于它时转人工分办")
    metrics: dict[str, Any] = Field(..., description="评估指标（准确率、宏平均 F1、转人工率等）")
    training_seconds: float = Field(..., description="训练用时(秒)")
    size: int = Field(..., description="模型大小(字节)")
    is_active: bool = Field(..., description="是否启用")
    load_error: str = Field(..., description="无法读取的原因（正常时为空）")

    @staticmethod
    def resolve_classes(obj: Any) -> list[str]:
        return [str(c) for c in obj.classes or []]

    @staticmethod
    def resolve_metrics(obj: Any) -> dict[str, Any]:
        return obj.metrics if isinstance(obj.metrics, dict) else {}


class RoutedCaseOut(Schema):
    id: int
    receipt_code: str
    title: str
    status: str = Field(..., description=f"状态：{_choices(Status)}")
    region: RegionRef


class RankOut(Schema):
    category: str = Field(..., description="类别编码")
    probability: float


class ProposalOut(Schema):
    id: int
    case: RoutedCaseOut
    router_version: int | None = Field(None, description="给出建议的模型版本号")
    category: CategoryRef | None = Field(None, description="建议类别")
    confidence: float = Field(..., description="置信度")
    ranking: list[RankOut] = Field(..., description="候选类别及概率")
    unit: UnitRef | None = Field(None, description="建议承办单位")
    unit_candidates: int = Field(..., description="可选单位数")
    status: str = Field(..., description=f"状态：{_choices(ProposalStatus)}")
    status_label: str
    final_category: CategoryRef | None = Field(None, description="确定类别")
    final_unit: UnitRef | None = Field(None, description="确定承办单位")
    decided_at: datetime.datetime | None = Field(None, description="分办时间")
    created_at: datetime.datetime = Field(..., description="建议时间")

    @staticmethod
    def resolve_router_version(obj: Any) -> int | None:
        return obj.router.number if obj.router is not None else None

    @staticmethod
    def resolve_ranking(obj: Any) -> list[dict[str, Any]]:
        return [{"category": str(row[0]), "probability": float(row[1])} for row in obj.ranking or [] if len(row) == 2]

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()


class HotspotCaseOut(Schema):
    id: int
    receipt_code: str
    title: str
    region: RegionRef


class HotspotOut(Schema):
    name: str = Field(..., description="问题名称（地点 + 问题）")
    place: str
    problem: str
    period_start: str = Field(..., description="最早一件的时间")
    period_end: str = Field(..., description="最近一件的时间")
    heat: float = Field(..., description="热度指数（见 docs/routing.md）")
    messages: int = Field(..., description="件数")
    people: int = Field(..., description="人数（同一人多次反映计一次）")
    likes: int
    cases: list[HotspotCaseOut] = Field(..., description="可合并为普遍问题的意见建议")

    @staticmethod
    def of(candidate: Any) -> dict[str, Any]:
        spot = candidate.hotspot
        return {
            "name": spot.name, "place": spot.place, "problem": spot.problem, "period_start": spot.period[0],
            "period_end": spot.period[1], "heat": spot.heat, "messages": spot.messages, "people": spot.people,
            "likes": spot.likes, "cases": candidate.cases,
        }  # fmt: skip
