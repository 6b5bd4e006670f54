"""A site's states: the transitions table and its one entry point.

not_started (red) ─start─▶ in_progress (yellow) ─finish─▶ finished (yellow) ─verify─▶ closed (blue, 销号)
                                   ▲──────────────────reject───────────┘
A monthly report moves a site (start/finish) or keeps it where it is (report); staff verify or reject a final
report. Closing needs a final report at 100 % with photos (checked in services.site_close).
"""

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from lianxin.accounts.models import User
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.projects.models import Site, SiteStatus
from lianxin.projects.permissions import can_manage_projects, can_report_site

S = SiteStatus


class SiteAction(models.TextChoices):
    REPORT = "report", "填报月报"
    START = "start", "开工"
    FINISH = "finish", "报完工"
    VERIFY = "verify", "验收销号"
    REJECT = "reject", "退回完工报告"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status stays
    by: str  # "lead" (the lead deputy) or "staff"


TRANSITIONS: dict[str, Transition] = {
    SiteAction.REPORT: Transition(frozenset({S.NOT_STARTED, S.IN_PROGRESS}), None, "lead"),
    SiteAction.START: Transition(frozenset({S.NOT_STARTED}), S.IN_PROGRESS, "lead"),
    SiteAction.FINISH: Transition(frozenset({S.NOT_STARTED, S.IN_PROGRESS}), S.FINISHED, "lead"),
    SiteAction.VERIFY: Transition(frozenset({S.FINISHED}), S.CLOSED, "staff"),
    SiteAction.REJECT: Transition(frozenset({S.FINISHED}), S.IN_PROGRESS, "staff"),
}


def may_act(user: Any, site: Site, action: str, *, on_behalf: bool = False) -> bool:
    """`on_behalf`: staff file a lead deputy's report for them (代填, e.g. from a paper form)."""
    rule = TRANSITIONS[action]
    if rule.by == "lead" and not on_behalf:
        return can_report_site(user, site)
    return can_manage_projects(user, site.region.path)


def site_transition(
    *,
    site: Site,
    action: str,
    actor: User,
    note: str = "",
    progress: int | None = None,
    extra: dict | None = None,
    on_behalf: bool = False,
) -> Site:
    """Check permission and source state, compare-and-swap on (status, version), write the audit row."""
    rule = TRANSITIONS[SiteAction(action)]
    if not may_act(actor, site, action, on_behalf=on_behalf):
        raise PermissionDenied()
    with transaction.atomic():
        current = Site.objects.select_for_update().select_related("region").get(pk=site.pk)
        if current.status not in rule.sources:
            raise DomainError(
                "site_bad_state",
                f"点位当前状态为“{SiteStatus(current.status).label}”，不能{SiteAction(action).label}",
            )
        target = rule.target or current.status
        values: dict[str, Any] = {"status": target, "version": current.version + 1}
        if progress is not None:
            values["progress"] = progress
        if target == S.CLOSED:
            from django.utils import timezone

            values["closed_at"] = timezone.now()
            values["progress"] = 100
        changed = Site.objects.filter(pk=current.pk, status=current.status, version=current.version).update(**values)
        if changed != 1:  # pragma: no cover - the row lock makes this unreachable on PostgreSQL
            raise DomainError("site_conflict", "点位已被他人修改，请刷新后重试")
        changes: dict[str, Any] = {"status": [current.status, target]}
        if progress is not None and progress != current.progress:
            changes["progress"] = [current.progress, progress]
        audit_record(
            actor=actor,
            action=f"projects.site.{action}",
            obj=current,
            changes={**changes, **(extra or {})},
            note=note,
            region_path=current.region.path,
        )
    site.refresh_from_db()
    return site
