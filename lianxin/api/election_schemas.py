"""Input and output schemas of the elections API: elections, their districts, the roll checks' findings (错·漏·重)
and the staff's decision on each. ID numbers are shown in full only to those who may see contacts where the
finding lives (`view_contacts`), masked (first and last four characters) for everyone else."""

import datetime
from typing import Any

from ninja import Field, Schema

from lianxin.api.schemas import REGION_CODE_PATTERN, RegionRef, _choices, _user
from lianxin.elections.models import ElectionKind, FindingKind, Resolution
from lianxin.elections.selectors import finding_reason_for, id_number_for


class ElectionFilters(Schema):
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN, description="12位区划代码：该区划及其下级的选举")


class FindingFilters(Schema):
    kind: FindingKind | None = Field(None, description=f"类别：{_choices(FindingKind)}")
    open: bool | None = Field(None, description="true 只列出未处理的，false 只列出已处理的")


class DistrictOut(Schema):
    id: int
    code: str = Field(..., description="选区编号")
    name: str
    region: RegionRef = Field(..., description="所在区划")
    seats: int = Field(..., description="应选代表名额")
    frozen_at: datetime.datetime | None = Field(None, description="名册冻结（公布）时间")
    voter_count: int = Field(..., description="在册选民人数")


class ElectionOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description=f"类型：{_choices(ElectionKind)}")
    kind_label: str
    region: RegionRef = Field(..., description="选举所在区划")
    election_day: datetime.date = Field(..., description="选举日")
    district_count: int = Field(..., description="选区总数（含您管辖范围之外的）")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()


class ElectionDetailOut(ElectionOut):
    districts: list[DistrictOut] = Field(..., description="您管辖范围内的选区")


class VoterRef(Schema):
    id: int
    name: str
    id_number: str = Field(..., description="身份证号：无“查看联系方式”权限时只显示前4位和后4位")
    district_code: str = Field(..., description="选区编号")


class DecisionOut(Schema):
    resolution: str = Field(..., description=f"处理：{_choices(Resolution)}")
    resolution_label: str
    note: str = Field(..., description="处理说明")
    resolved_at: datetime.datetime | None = Field(None, description="处理时间")
    resolved_by: str | None = Field(None, description="处理人账号")


class FindingOut(Schema):
    id: int
    kind: str = Field(..., description=f"类别：{_choices(FindingKind)}")
    kind_label: str
    code: str = Field(..., description="问题代码")
    region: RegionRef = Field(..., description="所在区划")
    reason: str = Field(..., description="说明与依据（其中的身份证号按同一规则遮蔽）")
    score: float | None = Field(None, description="相似度（重登）")
    voter: VoterRef | None = Field(None, description="涉及的登记")
    other_voter: VoterRef | None = Field(None, description="疑似重复的另一条登记")
    person_name: str = Field(..., description="漏登者姓名（不在任何名册上的人）")
    person_id_number: str = Field(..., description="漏登者身份证号：无“查看联系方式”权限时只显示前4位和后4位")
    person_birth_date: datetime.date | None = None
    decision: DecisionOut | None = Field(None, description="工作人员的处理决定；未处理时为 null")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_reason(obj: Any, context: Any) -> str:
        return finding_reason_for(user=_user(context), region_path=obj.region.path, value=obj.reason)

    @staticmethod
    def _voter(obj: Any, voter: Any, context: Any) -> dict[str, Any] | None:
        if voter is None:
            return None
        id_number = id_number_for(user=_user(context), region_path=obj.region.path, value=voter.id_number)
        return {"id": voter.pk, "name": voter.name, "id_number": id_number, "district_code": voter.district.code}

    @staticmethod
    def resolve_voter(obj: Any, context: Any) -> dict[str, Any] | None:
        return FindingOut._voter(obj, obj.voter, context)

    @staticmethod
    def resolve_other_voter(obj: Any, context: Any) -> dict[str, Any] | None:
        return FindingOut._voter(obj, obj.other_voter, context)

    @staticmethod
    def resolve_person_id_number(obj: Any, context: Any) -> str:
        return id_number_for(user=_user(context), region_path=obj.region.path, value=obj.person_id_number)

    @staticmethod
    def resolve_decision(obj: Any) -> dict[str, Any] | None:
        if not obj.resolution:
            return None
        return {
            "resolution": obj.resolution,
            "resolution_label": obj.get_resolution_display(),
            "note": obj.resolution_note,
            "resolved_at": obj.resolved_at,
            "resolved_by": obj.resolved_by.username if obj.resolved_by is not None else None,
        }
