"""Input and output schemas of the livelihood-projects API: projects, sites, monthly reports and votes.

A vote is shown by its rules, its status and, once counted, its published result and ballots digest. The
register of who has voted and the ballots themselves are never read here, so no output can link a deputy to a
choice.
"""

import datetime
from typing import Any

from ninja import Field, Schema

from lianxin.api.case_schemas import UnitRef
from lianxin.api.schemas import REGION_CODE_PATTERN, DeputyRef, RegionRef, _choices
from lianxin.deputies.models import MandateLevel
from lianxin.projects.models import SiteStatus, TiePolicy, VoteStatus

COUNTED = (VoteStatus.CLOSED, VoteStatus.ACCEPTED)


def _money(value: Any) -> float | None:
    return None if value is None else float(value)


# Filters and inputs ---------------------------------------------------------------------------------------


class ProjectFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="项目年度")
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其下级的项目")
    status: SiteStatus | None = Field(None, description=f"只列出有该状态点位的项目：{_choices(SiteStatus)}")


class SiteFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="项目年度")
    project: int | None = Field(None, ge=1, le=2**31 - 1, description="项目 id")
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其下级的点位")
    status: SiteStatus | None = Field(None, description=f"点位状态：{_choices(SiteStatus)}")


class SiteReportIn(Schema):
    month: datetime.date = Field(..., description="月份（该月任一日，按当月1日记）")
    progress: int = Field(..., ge=0, le=100, description="进度(%)，不能低于上次填报")
    done: str = Field(..., min_length=1, max_length=2000, description="本月完成情况")
    problems: str = Field("", max_length=2000, description="存在问题")
    on_behalf: bool = Field(
        False, description="工作人员代领办代表填报（须有民生实事项目管理权限）；完工报告须附照片，请在代表工作台填报"
    )


class VoteFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="项目年度")
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其下级人大的票决")
    status: VoteStatus | None = Field(None, description=f"状态：{_choices(VoteStatus)}")


# Projects, sites and reports ------------------------------------------------------------------------------


class ProjectRef(Schema):
    id: int
    year: int
    number: int
    title: str


class SiteReportOut(Schema):
    id: int
    month: datetime.date = Field(..., description="月份（当月1日）")
    progress: int = Field(..., description="进度(%)")
    done: str = Field(..., description="本月完成情况")
    problems: str = Field(..., description="存在问题")
    is_final: bool = Field(..., description="是否完工报告")
    photo_count: int = Field(..., description="现场照片张数")
    created_at: datetime.datetime = Field(..., description="填报时间")
    verified_at: datetime.datetime | None = Field(None, description="验收时间")

    @staticmethod
    def resolve_photo_count(obj: Any) -> int:
        return len(obj.photos.all())


class SiteOut(Schema):
    id: int
    name: str
    project: ProjectRef
    region: RegionRef = Field(..., description="所在区划")
    lat: float | None = Field(None, description="纬度（WGS-84）")
    lng: float | None = Field(None, description="经度（WGS-84）")
    targets: str = Field(..., description="建设目标")
    unit: UnitRef | None = Field(None, description="责任单位")
    planned_start: datetime.date
    planned_end: datetime.date
    planned_cost: float | None = Field(None, description="计划投资(万元)")
    lead_deputy: DeputyRef | None = Field(None, description="领办代表")
    status: str = Field(..., description=f"状态：{_choices(SiteStatus)}")
    status_label: str
    colour: str = Field(..., description="地图颜色：red 未开工、yellow 推进中、blue 已完成")
    progress: int = Field(..., description="最近填报的进度(%)")
    closed_at: datetime.datetime | None = Field(None, description="销号时间")

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_planned_cost(obj: Any) -> float | None:
        return _money(obj.planned_cost)


class SiteDetailOut(SiteOut):
    reports: list[SiteReportOut] = Field(..., description="月报，新的在前")


class ProjectOut(Schema):
    id: int
    year: int = Field(..., description="年度")
    number: int = Field(..., description="序号")
    title: str
    description: str
    region: RegionRef = Field(..., description="所属区划")
    unit: UnitRef | None = Field(None, description="牵头单位")
    planned_cost: float | None = Field(None, description="计划投资(万元)")
    votes_for: int | None = Field(None, description="票决时的赞成票")
    site_count: int = Field(..., description="点位数")

    @staticmethod
    def resolve_planned_cost(obj: Any) -> float | None:
        return _money(obj.planned_cost)


class ProjectDetailOut(ProjectOut):
    sites: list[SiteDetailOut] = Field(..., description="点位及其月报")


# Votes ----------------------------------------------------------------------------------------------------


class CandidateOut(Schema):
    number: int = Field(..., description="候选项目序号")
    title: str


class VoteResultOut(Schema):
    valid: bool = Field(..., description="是否达到法定人数、结果有效")
    counts: dict[str, dict[str, int]] = Field(..., description="各候选项目（按序号）的赞成、反对、弃权票数")
    passed: list[int] = Field(..., description="获过半数赞成的候选项目序号")
    chosen: list[int] = Field(..., description="确定的项目序号")
    tied: list[int] = Field(..., description="末位同票的候选项目序号")
    explanation: list[str] = Field(..., description="计票说明")


class VoteOut(Schema):
    id: int
    level: str = Field(..., description=f"人大层级：{_choices(MandateLevel)}")
    level_label: str
    region: RegionRef = Field(..., description="人大所在区划")
    session: str = Field(..., description="会议")
    year: int = Field(..., description="项目年度")
    held_on: datetime.date = Field(..., description="表决日期")
    seats: int = Field(..., description="确定项目数")
    quorum_num: int = Field(..., description="法定人数：投票人数 ≥ 应到代表 × quorum_num / quorum_den")
    quorum_den: int
    tie_policy: str = Field(..., description=f"末位同票：{_choices(TiePolicy)}")
    tie_policy_label: str
    status: str = Field(..., description=f"状态：{_choices(VoteStatus)}")
    status_label: str
    electorate_size: int = Field(..., description="应到代表人数")
    candidates: list[CandidateOut] = Field(..., description="候选项目")
    ballots_digest: str | None = Field(
        None, description="计票时全部选票的哈希链摘要（计票后提供），可用于核验选票未被改动"
    )
    result: VoteResultOut | None = Field(None, description="公布的计票结果（计票后提供）")

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_tie_policy_label(obj: Any) -> str:
        return obj.get_tie_policy_display()

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_candidates(obj: Any) -> list[Any]:
        return sorted(obj.candidates.all(), key=lambda c: c.number)

    @staticmethod
    def resolve_ballots_digest(obj: Any) -> str | None:
        return obj.ballots_digest if obj.status in COUNTED and obj.ballots_digest else None

    @staticmethod
    def resolve_result(obj: Any) -> dict[str, Any] | None:
        if obj.status not in COUNTED or not obj.result:
            return None
        defaults: dict[str, Any] = {
            "valid": False,
            "counts": {},
            "passed": [],
            "chosen": [],
            "tied": [],
            "explanation": [],
        }
        return {key: obj.result.get(key, default) for key, default in defaults.items()}
