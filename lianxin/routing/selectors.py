"""Reads of the routing app: the triage queue, common-problem candidates, the duplicate warning at intake."""

import datetime
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases.models import OPEN_STATUSES, Case, Status
from lianxin.core.errors import NotFound, PermissionDenied
from lianxin.regions.models import LEVEL_DEPTH, Region, RegionLevel
from lianxin.routing.models import Proposal, ProposalStatus, RouterVersion

if TYPE_CHECKING:
    # scikit-learn and scipy take ~2 s to import: every command and web process imports this module (the case
    # admin and API show duplicates), so they are imported where they are used, not here.
    from lianxin.routing.duplicates import DuplicateIndex
    from lianxin.routing.hotspots import Hotspot

# Merged cases follow their master: a new case should be merged into the master, not into them.
DUPLICATE_STATUSES = OPEN_STATUSES - {Status.MERGED}


def router_versions() -> QuerySet[RouterVersion]:
    return RouterVersion.objects.defer("blob")


def router_unavailable() -> RouterVersion | None:
    """The active version when it cannot be read here (services.router_repair is retraining it), else None."""
    return RouterVersion.objects.filter(is_active=True).exclude(load_error="").defer("blob").first()


def triage_queue(*, user: Any) -> QuerySet[Proposal]:
    """Proposals waiting for a clerk (the router abstained) on open cases the user handles, oldest first."""
    return (
        Proposal.objects.visible_to(user)
        .filter(status=ProposalStatus.TRIAGE, case__status__in=OPEN_STATUSES)
        .select_related("case", "case__region", "category", "unit", "router")
        .order_by("created_at", "id")
    )


# --- common problems -------------------------------------------------------------------------------------------

# Cases that may still join a common problem: not yet decided (merge needs an accepted case).
MERGEABLE = (Status.REGISTERED, Status.ACCEPTED)


@dataclass
class Candidate:
    hotspot: "Hotspot"
    cases: list[Case]


def hotspot_candidates(*, user: Any, days: int = 90, top: int = 20, region: Region | None = None) -> list[Candidate]:
    """Candidate common problems among the open, not yet merged cases of the user's region (registered in the
    last `days` days), hottest first. Cases already merged or handled elsewhere are left out."""
    from lianxin.routing.hotspots import Item, find_hotspots

    since = timezone.now() - datetime.timedelta(days=days)
    cases = Case.objects.visible_to(user).filter(status__in=MERGEABLE, master__isnull=True, registered_at__gte=since)
    if region is not None:
        cases = cases.filter(region__path__startswith=region.path)
    rows = list(cases.select_related("region", "category").order_by("registered_at", "id")[:5000])
    items = [
        Item(
            id=str(c.pk),
            title=c.title,
            body=c.body,
            author=c.person_phone or c.person_name or f"#{c.pk}",
            time=c.registered_at,
            likes=max(c.people_count - 1, 0),
        )
        for c in rows
    ]
    by_id = {str(c.pk): c for c in rows}
    found = find_hotspots(items, top=top, reference=timezone.now())
    return [Candidate(h, [by_id[i] for i in h.ids]) for h in found]


# --- duplicate warning at intake ------------------------------------------------------------------------------


@dataclass
class Duplicate:
    case: Case
    score: float


def township_of(region: Region) -> Region:
    """The township (乡镇/街道) a region lies in, or the region itself when it is above that level."""
    depth = LEVEL_DEPTH[RegionLevel.TOWNSHIP]
    codes = [c for c in region.path.split("/") if c]
    if len(codes) <= depth + 1:
        return region
    return Region.objects.get(code=codes[depth])


class _TownshipIndex:
    def __init__(self) -> None:
        from lianxin.routing.duplicates import DuplicateIndex

        self.index: DuplicateIndex = DuplicateIndex()
        self.last_id = 0


_indexes: dict[str, _TownshipIndex] = {}
_lock = threading.Lock()


def _fresh_index(township: Region) -> "DuplicateIndex":
    """The township's index, brought up to date with the cases registered since it was last read (one indexed
    query when nothing is new). Cases that closed since are dropped at search time by re-reading statuses."""
    with _lock:
        entry = _indexes.setdefault(township.path, _TownshipIndex())
        in_township = Case.objects.filter(region__path__startswith=township.path)
        newest = in_township.aggregate(m=Max("id"))["m"] or 0
        if newest > entry.last_id:
            fresh = in_township.filter(id__gt=entry.last_id, status__in=DUPLICATE_STATUSES).values_list(
                "id", "title", "body"
            )
            ids, titles, bodies = [], [], []
            for pk, title, body in fresh.iterator(chunk_size=5000):
                ids.append(pk)
                titles.append(title)
                bodies.append(body)
            entry.index.add(ids, titles, bodies)
            entry.last_id = newest
        return entry.index


def duplicates_find(
    *, title: str, body: str, region: Region, grid: Any = None, exclude: int | None = None, limit: int = 5
) -> list[Duplicate]:
    """The open cases of the same grid or township that probably describe the same problem, best first, with a
    similarity score in [0, 1] (cosine of IDF-weighted character 2-grams). For the intake answer: staff merge
    instead of handling the same problem twice. Cases of the same grid come first at equal score."""
    township = township_of(region)
    index = _fresh_index(township)
    matches = index.search(title, body, k=limit * 3, exclude={exclude} if exclude else None)
    if not matches:
        return []
    scores = {m.key: m.score for m in matches}
    open_cases = Case.objects.filter(pk__in=scores, status__in=DUPLICATE_STATUSES).select_related("region", "category")
    found = [Duplicate(c, scores[c.pk]) for c in open_cases]
    grid_id = getattr(grid, "pk", grid)
    found.sort(key=lambda d: (-d.score, d.case.grid_id != grid_id if grid_id else False, d.case.pk))
    return found[:limit]


def duplicates_of_visible_to(*, user: Any, case: Case, limit: int = 5) -> list[Duplicate]:
    """The warning shown with a case at intake: the open cases of its grid or township that probably describe the
    same problem, limited to those the user may see (a unit's handler sees fewer than the township's staff)."""
    found = duplicates_find(
        title=case.title, body=case.body, region=case.region, grid=case.grid_id, exclude=case.pk, limit=limit * 2
    )
    visible = set(Case.objects.visible_to(user).filter(pk__in=[d.case.pk for d in found]).values_list("pk", flat=True))
    return [d for d in found if d.case.pk in visible][:limit]


def duplicates_forget() -> None:
    """Drop every township index (tests; a process that must re-read everything)."""
    with _lock:
        _indexes.clear()


# --- the API's reads (lianxin.api.routing), read-only ------------------------------------------------------------
# Routing is case handling: those who handle cases somewhere (handle_cases) may read it; others are refused (403).
# Router versions are not regional (one router for the platform); proposals and hotspots follow the cases' scope.


def routing_require_access(*, user: Any) -> None:
    if not user.has_perm_anywhere(Perm.HANDLE_CASES):
        raise PermissionDenied("您没有查看意见建议分办的权限")


def router_versions_visible_to(*, user: Any) -> QuerySet[RouterVersion]:
    routing_require_access(user=user)
    return router_versions().select_related("trained_by").order_by("-number")


def proposal_list_visible_to(*, user: Any, status: str | None = None) -> QuerySet[Proposal]:
    routing_require_access(user=user)
    qs = Proposal.objects.visible_to(user).select_related(
        "case", "case__region", "router", "category", "unit", "final_category", "final_unit"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def proposal_get_visible_to(*, user: Any, proposal_id: int) -> Proposal:
    proposal = proposal_list_visible_to(user=user).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound()
    return proposal


def hotspot_candidates_visible_to(*, user: Any, days: int = 90, top: int = 20) -> list[Candidate]:
    routing_require_access(user=user)
    return hotspot_candidates(user=user, days=days, top=top)
