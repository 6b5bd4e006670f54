"""Reads: rolls as the check engine's frames, and the querysets the pages and exports start from."""

from typing import Any

import polars as pl
from django.db.models import Count, Prefetch, Q, QuerySet

from lianxin.accounts.roles import Perm
from lianxin.core.errors import NotFound, PermissionDenied
from lianxin.core.masking import mask_id_number, mask_text
from lianxin.core.scoping import region_scope_q
from lianxin.elections.checks.frame import ROLL_SCHEMA
from lianxin.elections.models import District, Election, Finding, Voter, VoterStatus
from lianxin.regions.selectors import region_get_for_filter


def roll_frame(*, election: Election) -> pl.DataFrame:
    """The active registrations of every district of the election, in the engine's columns. The address
    compared is where the person lives (现住址), or the household address when that is blank."""
    rows = (
        Voter.objects.filter(district__election=election, status=VoterStatus.ACTIVE)
        .order_by()
        .values_list("pk", "name", "sex", "id_number", "birth_date", "district__code", "current_address")
        .iterator(chunk_size=20_000)
    )
    columns: dict[str, list[Any]] = {name: [] for name in ROLL_SCHEMA}
    names = list(ROLL_SCHEMA)
    for row in rows:
        for name, value in zip(names, row, strict=True):
            columns[name].append(value)
    frame = pl.DataFrame(columns, schema=ROLL_SCHEMA)
    return frame.with_columns(pl.col("sex").replace("", None))


def voters_of(*, district: District, active_only: bool = True) -> QuerySet[Voter]:
    queryset = Voter.objects.filter(district=district).select_related("district")
    return queryset.filter(status=VoterStatus.ACTIVE) if active_only else queryset


def election_voters(*, election: Election) -> QuerySet[Voter]:
    return (
        Voter.objects.filter(district__election=election, status=VoterStatus.ACTIVE)
        .select_related("district")
        .order_by("district__code", "id")
    )


def findings_of(*, election: Election, user: Any = None) -> QuerySet[Finding]:
    queryset = Finding.objects.filter(election=election)
    if user is not None:
        queryset = queryset.visible_to(user)
    return queryset.select_related("voter__district", "other_voter__district").order_by("kind", "code", "id")


def findings_summary(*, election: Election) -> dict[str, dict[str, int]]:
    """{kind: {code: open count}} and the totals, for the command's summary and the election page."""
    out: dict[str, dict[str, int]] = {}
    rows = (
        Finding.objects.filter(election=election)
        .values("kind", "code")
        .annotate(total=Count("id"), open=Count("id", filter=Q(resolution="")))
        .order_by("kind", "code")
    )
    for row in rows:
        out.setdefault(row["kind"], {})[row["code"]] = row["open"]
    return out


# --- the API's reads (lianxin.api.elections) -------------------------------------------------------------------
# Rolls are visible to those who run elections where they live (manage_elections). Someone who sees the region
# (view_registry) but does not run its elections is told "not allowed" (403); outside the region it does not
# exist (404), the same as an unknown id.


def elections_require_access(*, user: Any) -> None:
    if not user.has_perm_anywhere(Perm.MANAGE_ELECTIONS):
        raise PermissionDenied("您没有查看选民登记与核查的权限")


def _elections_reachable(user: Any) -> QuerySet[Election]:
    """Elections run in the user's region, and those with a district there: a township's staff check their own
    districts' rolls of the county's election (the back office's district and finding lists say the same)."""
    own = Election.objects.visible_to(user).values("pk")
    through_districts = District.objects.visible_to(user).values("election_id")
    return Election.objects.filter(Q(pk__in=own) | Q(pk__in=through_districts))


def election_list_visible_to(*, user: Any, region: str | None = None) -> QuerySet[Election]:
    elections_require_access(user=user)
    qs = _elections_reachable(user).select_related("region")
    if region:
        qs = qs.filter(region__path__startswith=region_get_for_filter(user=user, code=region).path)
    return qs.annotate(district_count=Count("districts")).order_by("-election_day", "-id")


def election_get_visible_to(*, user: Any, election_id: int, with_districts: bool = True) -> Election:
    """One election with the districts the user may see (and each one's count of active registrations)."""
    queryset = _elections_reachable(user).select_related("region").annotate(district_count=Count("districts"))
    if with_districts:
        voters = Count("voters", filter=Q(voters__status=VoterStatus.ACTIVE))
        districts = District.objects.visible_to(user).select_related("region").annotate(voter_count=voters)
        queryset = queryset.prefetch_related(Prefetch("districts", queryset=districts.order_by("code", "id")))
    election = queryset.filter(pk=election_id).first()
    if election is not None:
        return election
    seen = Election.objects.filter(region_scope_q(user, "region__path", Perm.VIEW_REGISTRY), pk=election_id)
    if seen.exists():
        raise PermissionDenied("您没有查看该选举选民名册的权限")
    raise NotFound()


def finding_list_visible_to(
    *, user: Any, election_id: int, kind: str | None = None, open_only: bool | None = None
) -> QuerySet[Finding]:
    """The election's findings the user may see (by the finding's own region), with the decisions."""
    election = election_get_visible_to(user=user, election_id=election_id, with_districts=False)
    qs = findings_of(election=election, user=user).select_related("region", "resolved_by")
    if kind:
        qs = qs.filter(kind=kind)
    if open_only is not None:
        qs = qs.filter(resolution="") if open_only else qs.exclude(resolution="")
    return qs


def finding_reason_for(*, user: Any, region_path: str, value: str) -> str:
    """A finding's reason quotes the ID numbers it compares: masked like the fields for those without contacts."""
    if user.has_perm_in(Perm.VIEW_CONTACTS, region_path):
        return value
    return mask_text(value)


def id_number_for(*, user: Any, region_path: str, value: str) -> str:
    """An ID number in full for those who may see contacts where it lives, masked (first and last four) for others."""
    if not value or user.has_perm_in(Perm.VIEW_CONTACTS, region_path):
        return value
    return mask_id_number(value)
