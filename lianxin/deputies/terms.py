"""A new term (换届): a congress moves from term N to N+1; what continues for re-elected deputies, what closes.

Re-elected (连任) are the deputies of term N who hold a mandate of term N+1 of the same congress (made by the
import of the new term's deputies, which matches people by ID number, so they are the same Deputy rows), plus those
named in a list of ID numbers (their mandate of term N+1 is made here, in the same district). Groups, grids,
pairings, households, standing-committee links and the duty roster hang on the Deputy row, not on the mandate, so
for re-elected deputies everything carries over by staying where it is, their public QR code included; the preview
counts what they keep.

The rest closes: the serving mandates of term N end on the day of the new term (`ended_on`, status 届满, so that
every "serving" filter leaves them out). A deputy who is not re-elected and holds no serving mandate of another
congress leaves: they are taken out of groups (and no longer lead one), grids, pairings with grid workers and with
other deputies, households and standing-committee links, and their roster shifts from the new term's day on are
deleted. None of those models has dates, so the rows are deleted and the run's audit row keeps what they were; past
shifts stay as history. A deputy still serving another congress (a county deputy who is also a township deputy)
keeps all of that: those links are not the closing congress's alone.

`new_term_plan` is the preview (reads only); `new_term_apply` writes the plan in one transaction with one audit row
for the run (and one per mandate made or ended, as the import writes). Applying again finds nothing left to do.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from lianxin.accounts.models import User
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.idcard import id_number_normalise
from lianxin.deputies.models import (
    SERVING_STATUSES,
    Deputy,
    DeputyGroup,
    DutyShift,
    GridAssignment,
    GridWorkerPairing,
    Household,
    Mandate,
    MandateLevel,
    MandateStatus,
    MentorPairing,
    StandingMemberLink,
)
from lianxin.regions.models import Region
from lianxin.venues.imports import actor_may_manage

# What a deputy keeps or loses, in the order the preview prints them.
LINK_LABELS = {
    "groups": "代表小组",
    "grids": "进网格",
    "worker_pairings": "网格员结对",
    "mentor_pairings": "上下级代表结对",
    "households": "联系户",
    "member_links": "常委会组成人员联系",
    "future_shifts": "今后接待排班",
}


@dataclass
class TermPlan:
    congress: Region
    level: str
    from_term: int
    to_term: int
    day: datetime.date
    reelected: list[Deputy] = field(default_factory=list)
    # Re-elected by the list, with no mandate of the new term yet: made on apply.
    new_mandates: list[Mandate] = field(default_factory=list)
    newcomers: int = 0  # deputies of the new term who held no mandate of the old one (for the preview only)
    closing: list[Mandate] = field(default_factory=list)
    leaving: list[Deputy] = field(default_factory=list)
    serving_elsewhere: list[Deputy] = field(default_factory=list)
    carried: dict[str, int] = field(default_factory=dict)
    # What the leaving deputies lose: label key -> rows (or (group, deputy) / (household, deputy) pairs).
    removed: dict[str, list[Any]] = field(default_factory=dict)
    led_groups: list[DeputyGroup] = field(default_factory=list)
    applied: bool = False

    @property
    def congress_label(self) -> str:
        return f"{self.congress.name}{MandateLevel(self.level).label}人大"

    @property
    def is_empty(self) -> bool:
        return not (
            self.new_mandates or self.closing or self.led_groups or any(self.removed.get(key) for key in LINK_LABELS)
        )

    def summary(self) -> dict[str, Any]:
        return {
            "congress": self.congress.code,
            "level": self.level,
            "from_term": self.from_term,
            "to_term": self.to_term,
            "day": self.day.isoformat(),
            "reelected": len(self.reelected),
            "new_mandates": len(self.new_mandates),
            "newcomers": self.newcomers,
            "closing_mandates": len(self.closing),
            "leaving": len(self.leaving),
            "serving_elsewhere": len(self.serving_elsewhere),
            "carried": dict(self.carried),
            "removed": {key: len(self.removed.get(key, [])) for key in LINK_LABELS},
            "group_leaders_cleared": len(self.led_groups),
        }

    def lines(self) -> list[str]:
        """The preview in Chinese: counts and names of what carries over and what closes."""
        verb = "已" if self.applied else "将"
        head = f"{self.congress_label}第{self.from_term}届 → 第{self.to_term}届（换届日 {self.day:%Y-%m-%d}）"
        out = [head]
        out.append(f"连任代表 {len(self.reelected)} 名：{_names(self.reelected)}")
        if self.new_mandates:
            out.append(f"  其中按连任名单{verb}新建第{self.to_term}届代表资格 {len(self.new_mandates)} 名")
        kept = "，".join(f"{label} {self.carried.get(key, 0)}" for key, label in LINK_LABELS.items())
        out.append(f"  保留（原代表记录、公开二维码不变）：{kept}")
        if self.newcomers:
            out.append(f"第{self.to_term}届新当选代表 {self.newcomers} 名（不涉及本次换届处理）")
        out.append(f"{verb}终止第{self.from_term}届代表资格 {len(self.closing)} 条")
        out.append(f"届满离任 {len(self.leaving)} 名：{_names(self.leaving)}")
        lost = "，".join(f"{label} {len(self.removed.get(key, []))}" for key, label in LINK_LABELS.items())
        out.append(f"  {verb}移出：{lost}")
        if self.led_groups:
            out.append(f"  {verb}免去代表小组组长：{'、'.join(group.name for group in self.led_groups)}")
        if self.serving_elsewhere:
            out.append(
                f"未连任但仍任其他人大代表 {len(self.serving_elsewhere)} 名（保留小组、网格与结对）："
                f"{_names(self.serving_elsewhere)}"
            )
        if self.applied and self.is_empty:
            out.append("没有需要处理的内容（此前已完成换届）")
        return out

    def removed_rows(self) -> list[tuple[str, str]]:
        """What the leaving deputies lose, one (kind, what) per row, for the preview's workbook."""
        rows = [("代表小组组长", f"{group.name}（组长 {group.leader}）") for group in self.led_groups]
        for key, label in LINK_LABELS.items():
            rows += [(label, _row_text(key, row)) for row in self.removed.get(key, [])]
        return rows


def _row_text(key: str, row: Any) -> str:
    if key == "groups":
        return f"{row.deputy} ← {row.deputygroup}"
    if key == "households":
        return f"{row.deputy} ← {row.household}"
    if key == "future_shifts":
        return f"{row.deputy} {row.date:%Y-%m-%d} {row.start_time:%H:%M}-{row.end_time:%H:%M} {row.place}"
    return str(row)


def _names(deputies: Sequence[Deputy]) -> str:
    return "、".join(deputy.name for deputy in deputies) or "无"


def new_term_plan(
    *,
    actor: User | None,
    congress: Region,
    level: str,
    from_term: int,
    to_term: int,
    day: datetime.date,
    reelected_ids: Sequence[str] | None = None,
) -> TermPlan:
    """What a new term would carry over and close. Refused: a congress outside the actor's registry scope (404),
    a new term that does not follow the old, no mandate of the old term, and neither a mandate of the new term
    nor a list of re-elected deputies (that would close every mandate of the congress by mistake)."""
    if not actor_may_manage(actor, congress.path):
        raise NotFound()
    if level not in MandateLevel.values:
        raise DomainError("term_level_invalid", f"层级“{level}”无效", field="level")
    if to_term != from_term + 1:
        raise DomainError("term_not_next", f"新一届应为第{from_term + 1}届，不能从第{from_term}届换到第{to_term}届")
    plan = TermPlan(congress=congress, level=level, from_term=from_term, to_term=to_term, day=day)
    congress_q = Q(level=level, congress_region=congress)
    old = list(Mandate.objects.filter(congress_q, term=from_term).select_related("deputy").order_by("id"))
    if not old:
        raise DomainError("term_no_mandates", f"{plan.congress_label}没有第{from_term}届代表资格记录")
    new_holders = set(Mandate.objects.filter(congress_q, term=to_term).values_list("deputy_id", flat=True))
    if not new_holders and not reelected_ids:
        raise DomainError(
            "term_new_unknown",
            f"{plan.congress_label}第{to_term}届代表尚未导入，也没有提供连任名单：请先导入新一届代表，或提供连任代表身份证号",
        )
    old_by_deputy = {mandate.deputy_id: mandate for mandate in old}
    listed = _listed(plan, old_by_deputy, reelected_ids or [])
    for deputy_id in sorted(listed - new_holders, key=lambda pk: old_by_deputy[pk].pk):
        previous = old_by_deputy[deputy_id]
        plan.new_mandates.append(
            Mandate(
                deputy=previous.deputy,
                level=level,
                congress_region=congress,
                term=to_term,
                district_name=previous.district_name,
                district_region_id=previous.district_region_id,
                status=MandateStatus.SERVING,
                started_on=day,
            )
        )
    reelected_ids_set = (new_holders | listed) & set(old_by_deputy)
    plan.newcomers = len(new_holders - set(old_by_deputy))
    plan.closing = [m for m in old if m.status in SERVING_STATUSES and m.ended_on is None]
    not_reelected = [pk for pk in old_by_deputy if pk not in reelected_ids_set]
    elsewhere = set(
        Mandate.objects.filter(deputy_id__in=not_reelected, status__in=SERVING_STATUSES)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .exclude(congress_q)
        .values_list("deputy_id", flat=True)
    )
    seen: set[int] = set()
    for mandate in old:  # the deputies in the order of their mandates, each once
        deputy = mandate.deputy
        if deputy.pk in seen:
            continue
        seen.add(deputy.pk)
        if deputy.pk in reelected_ids_set:
            plan.reelected.append(deputy)
        elif deputy.pk in elsewhere:
            plan.serving_elsewhere.append(deputy)
        else:
            plan.leaving.append(deputy)
    plan.carried = {key: len(rows) for key, rows in _links([d.pk for d in plan.reelected], day).items()}
    plan.removed = _links([d.pk for d in plan.leaving], day)
    plan.led_groups = list(DeputyGroup.objects.filter(leader__in=[d.pk for d in plan.leaving]).order_by("id"))
    return plan


def _listed(plan: TermPlan, old_by_deputy: dict[int, Mandate], reelected_ids: Sequence[str]) -> set[int]:
    """The deputies a list of ID numbers names; every number must be a deputy of the old term."""
    numbers = [id_number_normalise(value) for value in reelected_ids if value.strip()]
    by_number = {
        deputy.id_number: deputy.pk
        for deputy in Deputy.objects.filter(id_number__in=numbers, pk__in=list(old_by_deputy))
    }
    unknown = [(index, number) for index, number in enumerate(numbers, start=1) if number not in by_number]
    if unknown:
        where = "；".join(f"第{index}个（{number}）" for index, number in unknown[:10])
        more = f"等{len(unknown)}个" if len(unknown) > 10 else ""
        raise DomainError(
            "term_reelected_unknown",
            f"连任名单中的身份证号{where}{more}不是{plan.congress_label}第{plan.from_term}届代表",
            field="reelected",
        )
    return set(by_number.values())


def _links(deputy_ids: list[int], day: datetime.date) -> dict[str, list[Any]]:
    """What hangs on these deputies: rows, or (container, deputy) pairs for many-to-many memberships."""
    memberships = DeputyGroup.members.through.objects.filter(deputy_id__in=deputy_ids)
    households = Household.deputies.through.objects.filter(deputy_id__in=deputy_ids)
    return {
        "groups": list(memberships.select_related("deputygroup", "deputy").order_by("id")),
        "grids": list(
            GridAssignment.objects.filter(deputy_id__in=deputy_ids).select_related("deputy", "grid").order_by("id")
        ),
        "worker_pairings": list(
            GridWorkerPairing.objects.filter(deputy_id__in=deputy_ids)
            .select_related("deputy", "grid_worker")
            .order_by("id")
        ),
        "mentor_pairings": list(
            MentorPairing.objects.filter(Q(upper_id__in=deputy_ids) | Q(lower_id__in=deputy_ids))
            .select_related("upper", "lower")
            .order_by("id")
        ),
        "households": list(households.select_related("household", "deputy").order_by("id")),
        "member_links": list(
            StandingMemberLink.objects.filter(Q(member_id__in=deputy_ids) | Q(deputy_id__in=deputy_ids))
            .select_related("member")
            .order_by("id")
        ),
        "future_shifts": list(
            DutyShift.objects.filter(deputy_id__in=deputy_ids, date__gte=day)
            .select_related("deputy", "place")
            .order_by("date", "start_time", "id")
        ),
    }


def new_term_apply(
    *,
    actor: User | None,
    congress: Region,
    level: str,
    from_term: int,
    to_term: int,
    day: datetime.date,
    reelected_ids: Sequence[str] | None = None,
) -> TermPlan:
    """Carry over and close as `new_term_plan` shows, in one transaction with one audit row for the run."""
    with transaction.atomic():
        # Lock the old term's mandates: two runs at once wait for each other and the second finds nothing to do.
        list(
            Mandate.objects.select_for_update()
            .filter(level=level, congress_region=congress, term=from_term)
            .values_list("id", flat=True)
        )
        plan = new_term_plan(
            actor=actor,
            congress=congress,
            level=level,
            from_term=from_term,
            to_term=to_term,
            day=day,
            reelected_ids=reelected_ids,
        )
        plan.applied = True
        if plan.is_empty:
            return plan
        _write(plan, actor=actor)
    return plan


def _write(plan: TermPlan, *, actor: User | None) -> None:
    path, note = plan.congress.path, f"换届：第{plan.from_term}届 → 第{plan.to_term}届"
    for mandate in plan.new_mandates:
        mandate.save()
        audit_record(
            actor=actor,
            action="mandate.create",
            obj=mandate,
            region_path=path,
            changes={
                "term": [None, mandate.term],
                "status": [None, mandate.status],
                "started_on": [None, str(plan.day)],
            },
            note=note,
        )
    for mandate in plan.closing:
        # Compare-and-swap: a mandate ended meanwhile (a resignation) keeps its own date.
        if Mandate.objects.filter(pk=mandate.pk, ended_on__isnull=True, status__in=SERVING_STATUSES).update(
            ended_on=plan.day, status=MandateStatus.TERM_ENDED
        ):
            audit_record(
                actor=actor,
                action="mandate.update",
                obj=mandate,
                region_path=path,
                changes={
                    "ended_on": [None, plan.day.isoformat()],
                    "status": [mandate.status, MandateStatus.TERM_ENDED],
                },
                note=note,
            )
    removed = plan.removed
    DeputyGroup.objects.filter(pk__in=[group.pk for group in plan.led_groups]).update(leader=None)
    for key in LINK_LABELS:
        rows = removed.get(key, [])
        if rows:
            type(rows[0]).objects.filter(pk__in=[row.pk for row in rows]).delete()
    audit_record(
        actor=actor,
        action="deputy.new_term",
        obj=plan.congress,
        region_path=path,
        changes={
            **plan.summary(),
            "reelected_deputies": [d.pk for d in plan.reelected],
            "leaving_deputies": [d.pk for d in plan.leaving],
            "serving_elsewhere_deputies": [d.pk for d in plan.serving_elsewhere],
            "mandates_ended": [m.pk for m in plan.closing],
            "mandates_created": [m.pk for m in plan.new_mandates],
            "leaders_cleared": [[g.pk, g.leader_id] for g in plan.led_groups],
            "deleted": {key: [_describe(key, row) for row in removed.get(key, [])] for key in LINK_LABELS},
        },
        note=note,
    )


def _describe(key: str, row: Any) -> list[Any]:
    """A deleted row as the audit keeps it: enough to put it back by hand."""
    if key == "groups":
        return [row.deputygroup_id, row.deputy_id]
    if key == "households":
        return [row.household_id, row.deputy_id]
    if key == "grids":
        return [row.deputy_id, row.grid_id, row.basis]
    if key == "worker_pairings":
        return [row.deputy_id, row.grid_worker_id]
    if key == "mentor_pairings":
        return [row.upper_id, row.lower_id]
    if key == "member_links":
        return [row.member_id, row.deputy_id, row.place_id, row.household_id]
    return [row.deputy_id, row.place_id, row.date.isoformat(), row.start_time.isoformat(), row.end_time.isoformat()]
