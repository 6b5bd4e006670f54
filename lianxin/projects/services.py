"""Writes for livelihood projects: proposals (点单), matching (配单), the shortlist, projects, sites and their
monthly reports, and closing (销号). Votes are in voting.py. Every change writes an audit row."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from lianxin.accounts.models import User
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.deputies.models import Deputy
from lianxin.projects.models import (
    Candidate,
    Project,
    Proposal,
    ProposalSource,
    ProposalStatus,
    Site,
    SitePhoto,
    SiteReport,
    SiteStatus,
    Vote,
    VoteStatus,
)
from lianxin.projects.permissions import can_manage_projects, can_report_site
from lianxin.projects.workflow import SiteAction, site_transition
from lianxin.regions.models import Region


def _require_manage(actor: User | None, region: Region) -> None:
    if not can_manage_projects(actor, region.path):
        raise PermissionDenied()


def _text(value: str, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("required", f"{label}: 不能为空", field=field)
    if len(value) > limit:
        raise DomainError("too_long", f"{label}: 不能超过{limit}个字", field=field)
    return value


# --- proposals (点单) ----------------------------------------------------------------------------------------


def proposal_submit(
    *,
    actor: User | None,
    region: Region,
    title: str,
    description: str,
    place: str = "",
    beneficiaries: str = "",
    source: str,
    proposer_name: str = "",
    proposer_phone: str = "",
) -> Proposal:
    """A resident (actor None, from the portal), a deputy (their own) or staff (on someone's behalf)."""
    deputy = None
    if source == ProposalSource.DEPUTY:
        deputy = Deputy.objects.filter(user=actor).first() if getattr(actor, "pk", None) else None
        if deputy is None:
            raise PermissionDenied("只有代表本人可以以代表身份提出项目建议")
    elif source == ProposalSource.STAFF:
        _require_manage(actor, region)
    elif source != ProposalSource.RESIDENT:
        raise DomainError("bad_source", "来源: 不是有效的选项", field="source")
    with transaction.atomic():
        proposal = Proposal.objects.create(
            region=region,
            title=_text(title, "title", "项目名称", 120),
            description=_text(description, "description", "项目内容", 2000),
            place=(place or "").strip()[:200],
            beneficiaries=(beneficiaries or "").strip()[:200],
            source=source,
            proposer_name=(proposer_name or "").strip()[:50] or (deputy.name if deputy else ""),
            proposer_phone=(proposer_phone or "").strip()[:20],
            deputy=deputy,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor, action="projects.proposal.submit", obj=proposal, region_path=region.path,
            changes={"source": source},
        )  # fmt: skip
    return proposal


def _cas_proposal(proposal: Proposal, expected_status: str, **values: Any) -> None:
    changed = Proposal.objects.filter(pk=proposal.pk, status=expected_status, version=proposal.version).update(
        version=proposal.version + 1, **values
    )
    if changed != 1:
        raise DomainError("proposal_conflict", "该项目建议已被他人处理，请刷新后重试")
    proposal.refresh_from_db()


def _locked_proposal(proposal: Proposal, *allowed: str) -> Proposal:
    current = Proposal.objects.select_for_update().select_related("region").get(pk=proposal.pk)
    if current.status not in allowed:
        raise DomainError(
            "proposal_bad_state",
            f"项目建议“{current.title}”当前为“{ProposalStatus(current.status).label}”，不能这样处理",
        )
    return current


def proposal_merge(*, actor: User, duplicate: Proposal, into: Proposal) -> Proposal:
    """Staff merge a duplicate into another proposal: its supporters count for the one that stays."""
    if duplicate.pk == into.pk:
        raise DomainError("merge_self", "不能把项目建议合并到它自己", field="into")
    _require_manage(actor, duplicate.region)
    _require_manage(actor, into.region)
    with transaction.atomic():
        dup = _locked_proposal(duplicate, ProposalStatus.SUBMITTED)
        kept = _locked_proposal(into, ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED)
        _cas_proposal(dup, ProposalStatus.SUBMITTED, status=ProposalStatus.MERGED, merged_into=kept)
        _cas_proposal(kept, kept.status, supporters=kept.supporters + dup.supporters)
        audit_record(
            actor=actor, action="projects.proposal.merge", obj=dup, region_path=dup.region.path,
            changes={"status": [ProposalStatus.SUBMITTED, ProposalStatus.MERGED], "merged_into": [None, kept.pk]},
        )  # fmt: skip
    duplicate.refresh_from_db()
    into.refresh_from_db()
    return into


def proposal_match(
    *, actor: User, proposal: Proposal, cost_estimate: Decimal | None, unit: ResponsibleUnit | None
) -> Proposal:
    """配单: the government's cost estimate (万元) and the responsible unit."""
    _require_manage(actor, proposal.region)
    if cost_estimate is not None and cost_estimate < 0:
        raise DomainError("bad_cost", "估算投资: 不能为负数", field="cost_estimate")
    with transaction.atomic():
        current = _locked_proposal(proposal, ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED)
        before = {"cost_estimate": current.cost_estimate, "unit": current.unit_id}
        _cas_proposal(current, current.status, cost_estimate=cost_estimate, unit=unit)
        audit_record(
            actor=actor, action="projects.proposal.match", obj=current, region_path=current.region.path,
            changes={
                "cost_estimate": [str(before["cost_estimate"]), str(cost_estimate)],
                "unit": [before["unit"], unit.pk if unit else None],
            },
        )  # fmt: skip
    proposal.refresh_from_db()
    return proposal


def proposal_reject(*, actor: User, proposal: Proposal, note: str) -> Proposal:
    _require_manage(actor, proposal.region)
    note = _text(note, "note", "不采纳理由", 500)
    with transaction.atomic():
        current = _locked_proposal(proposal, ProposalStatus.SUBMITTED)
        _cas_proposal(current, ProposalStatus.SUBMITTED, status=ProposalStatus.REJECTED)
        audit_record(
            actor=actor, action="projects.proposal.reject", obj=current, region_path=current.region.path,
            changes={"status": [ProposalStatus.SUBMITTED, ProposalStatus.REJECTED]}, note=note,
        )  # fmt: skip
    proposal.refresh_from_db()
    return proposal


def proposal_shortlist(*, actor: User, proposal: Proposal, vote: Vote) -> Candidate:
    """配单 done: a matched proposal becomes a candidate of a vote that has not opened yet."""
    _require_manage(actor, vote.region)
    with transaction.atomic():
        locked_vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if locked_vote.status != VoteStatus.DRAFT:
            raise DomainError("vote_not_draft", "票决已开始，候选项目不能再变动")
        current = _locked_proposal(proposal, ProposalStatus.SUBMITTED)
        if not current.region.path.startswith(vote.region.path):
            raise DomainError("shortlist_region", "该项目建议不在本级人大的行政区域内", field="proposal")
        if current.cost_estimate is None or current.unit_id is None:
            raise DomainError("shortlist_unmatched", "请先填写估算投资和责任单位（配单）再列入候选", field="proposal")
        number = (locked_vote.candidates.aggregate(n=Max("number"))["n"] or 0) + 1
        candidate = Candidate.objects.create(vote=locked_vote, proposal=current, number=number, title=current.title)
        _cas_proposal(current, ProposalStatus.SUBMITTED, status=ProposalStatus.SHORTLISTED)
        audit_record(
            actor=actor, action="projects.proposal.shortlist", obj=current, region_path=current.region.path,
            changes={"status": [ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED], "vote": [None, vote.pk]},
        )  # fmt: skip
    proposal.refresh_from_db()
    return candidate


# --- projects and sites ---------------------------------------------------------------------------------------


def project_create(
    *,
    actor: User,
    region: Region,
    year: int,
    title: str,
    description: str = "",
    unit: ResponsibleUnit | None = None,
    planned_cost: Decimal | None = None,
    proposal: Proposal | None = None,
    vote: Vote | None = None,
    votes_for: int | None = None,
) -> Project:
    _require_manage(actor, region)
    with transaction.atomic():
        number = (Project.objects.filter(region=region, year=year).aggregate(n=Max("number"))["n"] or 0) + 1
        project = Project.objects.create(
            region=region, year=year, number=number, title=_text(title, "title", "项目名称", 120),
            description=description, unit=unit, planned_cost=planned_cost, proposal=proposal, vote=vote,
            votes_for=votes_for,
        )  # fmt: skip
        audit_record(actor=actor, action="projects.project.create", obj=project, region_path=region.path)
    return project


def site_create(
    *,
    actor: User,
    project: Project,
    region: Region,
    name: str,
    planned_start: datetime.date,
    planned_end: datetime.date,
    lat: float | None = None,
    lng: float | None = None,
    targets: str = "",
    unit: ResponsibleUnit | None = None,
    planned_cost: Decimal | None = None,
    lead_deputy: Deputy | None = None,
) -> Site:
    _require_manage(actor, region)
    if not region.path.startswith(project.region.path):
        raise DomainError("site_region", "点位必须在项目所属区划之内", field="region")
    if planned_end < planned_start:
        raise DomainError("site_dates", "计划完工日期不能早于计划开工日期", field="planned_end")
    if planned_cost is not None and planned_cost < 0:
        raise DomainError("bad_cost", "计划投资: 不能为负数", field="planned_cost")
    with transaction.atomic():
        site = Site.objects.create(
            project=project, region=region, name=_text(name, "name", "点位名称", 120), lat=lat, lng=lng,
            targets=targets, unit=unit or project.unit, planned_start=planned_start, planned_end=planned_end,
            planned_cost=planned_cost, lead_deputy=lead_deputy,
        )  # fmt: skip
        audit_record(
            actor=actor, action="projects.site.create", obj=site, region_path=region.path,
            changes={"lead_deputy": [None, lead_deputy.pk if lead_deputy else None]},
        )  # fmt: skip
    return site


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def site_report_file(
    *,
    actor: User,
    site: Site,
    month: datetime.date,
    progress: int,
    done: str,
    problems: str = "",
    is_final: bool = False,
    photos: list[bytes] | None = None,
    on_behalf: bool = False,
) -> SiteReport:
    """The lead deputy's monthly report; filing again in the same month replaces that month's report.

    Photos arrive already cleaned (lianxin.publicweb.photos.photo_clean). A final report means the work is done
    (progress 100 %) and must carry photos: staff verify it before the site is closed (销号).
    `on_behalf`: staff over the site's region enter the lead deputy's report for them (代填, from paper); the
    audit row names the staff member."""
    if on_behalf:
        if not can_manage_projects(actor, site.region.path):
            raise PermissionDenied()
    elif not can_report_site(actor, site):
        raise PermissionDenied("只有该点位的领办代表可以填报月报")
    if not 0 <= progress <= 100:
        raise DomainError("bad_progress", "进度: 应在0到100之间", field="progress")
    done = _text(done, "done", "本月完成情况", 2000)
    photos = photos or []
    if is_final and progress != 100:
        raise DomainError("final_not_done", "完工报告的进度必须是100%", field="progress")
    if is_final and not photos:
        raise DomainError("final_needs_photos", "完工报告须附现场照片", field="photos")
    month = month_start(month)
    with transaction.atomic():
        locked = Site.objects.select_for_update().select_related("region").get(pk=site.pk)
        if locked.status in (SiteStatus.FINISHED, SiteStatus.CLOSED):
            raise DomainError("site_bad_state", f"点位当前为“{SiteStatus(locked.status).label}”，不需要再填报月报")
        last = locked.reports.exclude(month=month).order_by("-month").first()
        if last is not None and progress < last.progress:
            raise DomainError("progress_backwards", f"进度不能低于上次填报的{last.progress}%", field="progress")
        report, created = SiteReport.objects.update_or_create(
            site=locked, month=month,
            defaults={"progress": progress, "done": done, "problems": (problems or "").strip(), "is_final": is_final,
                      "author": actor},
        )  # fmt: skip
        for number, data in enumerate(photos, 1):
            SitePhoto.objects.create(report=report, image=ContentFile(data, name=f"site{locked.pk}-{number}.jpg"))
        if is_final:
            action = SiteAction.FINISH
        elif progress > 0 and locked.status == SiteStatus.NOT_STARTED:
            action = SiteAction.START
        else:
            action = SiteAction.REPORT
        site_transition(
            site=locked, action=action, actor=actor, progress=progress, on_behalf=on_behalf,
            note=f"{month:%Y年%m月}月报" + ("（代领办代表填报）" if on_behalf else ""),
            extra={"report": report.pk, "replaced": not created},
        )  # fmt: skip
    site.refresh_from_db()
    return report


def site_close(*, actor: User, site: Site, note: str = "") -> Site:
    """销号: staff verify the final report (100 %, with photos) and close the site."""
    with transaction.atomic():
        report = site.reports.filter(is_final=True).order_by("-month").first()
        if report is None or report.progress != 100 or not report.photos.exists():
            raise DomainError("close_needs_final", "须有进度100%并附照片的完工报告，才能验收销号")
        site = site_transition(site=site, action=SiteAction.VERIFY, actor=actor, note=note)
        from django.utils import timezone

        SiteReport.objects.filter(pk=report.pk).update(verified_at=timezone.now(), verified_by=actor)
    return site


def site_reject_final(*, actor: User, site: Site, note: str) -> Site:
    """Staff send a final report back (e.g. the photos do not show the work); the site is in progress again."""
    note = _text(note, "note", "退回理由", 500)
    with transaction.atomic():
        site = site_transition(site=site, action=SiteAction.REJECT, actor=actor, note=note)
        SiteReport.objects.filter(site=site, is_final=True).update(is_final=False)
    return site
