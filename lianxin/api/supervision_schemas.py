"""Input and output schemas of the supervision API: annual supervision items with their groups and records.

The evaluation is shown by its counts and rate only: who voted is never an output, and what a member voted is
not kept at all."""

import datetime
from typing import Any

from ninja import Field, Schema

from lianxin.api.case_schemas import UnitRef
from lianxin.api.schemas import REGION_CODE_PATTERN, RegionRef, _choices
from lianxin.supervision.models import ItemStatus, RecordKind, SubjectKind
from lianxin.supervision.services import evaluation_result


class SupervisionItemFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度")
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其下级人大的事项")
    status: ItemStatus | None = Field(None, description=f"状态：{_choices(ItemStatus)}")


class SupervisionGroupOut(Schema):
    id: int = Field(..., description="监督组（代表小组）id")
    name: str
    is_lead: bool = Field(..., description="是否牵头")
    members: int = Field(..., description="成员人数")

    @staticmethod
    def resolve_id(obj: Any) -> int:
        return int(obj.group_id)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.group.name)

    @staticmethod
    def resolve_members(obj: Any) -> int:
        return int(obj.group.members.count())


class SupervisionEvaluationOut(Schema):
    satisfied: int = Field(..., description="满意票数")
    basic: int = Field(..., description="基本满意票数")
    unsatisfied: int = Field(..., description="不满意票数")
    total: int = Field(..., description="总票数")
    rate: float | None = Field(None, description="满意率(%)：满意与基本满意之和占总票数；无人投票时为空")
    passed: bool = Field(..., description="满意率是否过半")


class SupervisionItemOut(Schema):
    id: int
    year: int = Field(..., description="年度")
    title: str = Field(..., description="监督事项")
    region: RegionRef = Field(..., description="人大所在区划")
    subject_kind: SubjectKind = Field(..., description=f"监督类型：{_choices(SubjectKind)}")
    subject: str = Field(..., description="监督对象（部门、法律法规或民生实事项目）")
    unit: UnitRef | None = Field(None, description="被监督部门")
    starts_on: datetime.date
    ends_on: datetime.date
    status: ItemStatus = Field(..., description=f"状态：{_choices(ItemStatus)}")
    report_due: datetime.date | None = Field(None, description="整改报告期限")
    report_late: bool = Field(..., description="整改报告迟交")
    is_overdue: bool = Field(..., description="整改报告逾期未报（或曾逾期）")

    @staticmethod
    def resolve_subject(obj: Any) -> str:
        return str(obj.subject_label)


class SupervisionRecordOut(Schema):
    id: int
    stage: str = Field(..., description="阶段：before（事前）、during（事中）、after（事后）")
    kind: RecordKind = Field(..., description=f"类型：{_choices(RecordKind)}")
    text: str
    activity_id: int | None = Field(None, description="视察、执法检查对应的履职活动 id")
    created_at: datetime.datetime


class SupervisionItemDetailOut(SupervisionItemOut):
    law_name: str = Field(..., description="法律法规")
    project_id: int | None = Field(None, description="民生实事项目 id")
    plan: str = Field(..., description="工作方案")
    groups: list[SupervisionGroupOut] = Field(..., description="监督组分工")
    opinions: str = Field(..., description="审议意见")
    opinions_sent_at: datetime.datetime | None = None
    report: str = Field(..., description="整改报告")
    reported_at: datetime.datetime | None = None
    evaluation_open: bool = Field(..., description="满意度测评进行中")
    evaluation: SupervisionEvaluationOut = Field(..., description="满意度测评结果（只有票数，不记录谁投了什么）")
    records: list[SupervisionRecordOut] = Field(..., description="事前、事中、事后记录")

    @staticmethod
    def resolve_groups(obj: Any) -> list[Any]:
        return list(obj.item_groups.select_related("group").prefetch_related("group__members"))

    @staticmethod
    def resolve_records(obj: Any) -> list[Any]:
        return list(obj.records.order_by("created_at", "id"))

    @staticmethod
    def resolve_evaluation(obj: Any) -> dict[str, Any]:
        return evaluation_result(obj)


class SupervisionItemIn(Schema):
    region: str = Field(..., pattern=REGION_CODE_PATTERN, description="人大所在区划的12位代码")
    year: int = Field(..., ge=2000, le=2100, description="年度")
    title: str = Field(..., min_length=1, max_length=120, description="监督事项")
    subject_kind: SubjectKind = Field(..., description=f"监督类型：{_choices(SubjectKind)}")
    unit: int | None = Field(None, ge=1, le=2**31 - 1, description="被监督部门（承办单位）id；监督部门工作时必填")
    law_name: str = Field("", max_length=120, description="法律法规名称；执法检查时必填")
    project: int | None = Field(None, ge=1, le=2**31 - 1, description="民生实事项目 id；监督项目时必填")
    plan: str = Field("", max_length=20000, description="工作方案")
    starts_on: datetime.date
    ends_on: datetime.date
    groups: list[int] = Field(default_factory=list, max_length=100, description="监督组 id（第一个为牵头组）")
    members: list[int] = Field(default_factory=list, max_length=500, description="另选的成员代表 id")


class SupervisionRecordIn(Schema):
    kind: RecordKind = Field(..., description="plan（工作方案）、finding（发现问题）或 note（其他记录）")
    text: str = Field(..., min_length=1, max_length=20000)


class RectificationReportIn(Schema):
    report: str = Field(..., min_length=1, max_length=20000, description="整改报告；逾期报送照收，标记迟交")
