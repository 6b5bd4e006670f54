"""The public query of deputies' suggestions (代表建议查询) and the trace from a citizen's case to the suggestion it
became. No account: what is shown is chosen field by field here, from suggestions the congress published with the
lead deputy's consent (suggestions.selectors.published_suggestions):

- the published title and text (redacted by the publish step, and again here: a hand-edited text keeps no phone);
- number, session, kind, field, status, the proposer (deputies sign as public office holders), the units and
  their role, and the class of each lead reply given by the time of publication (its text is in the public text).

Never shown: the deputy's draft (title, 案由, content as written), co-signers, citizens, review notes, contacts,
ratings, events, or a reply given after publication. A suggestion is addressed by its session and public number,
never by its database id (ids would count the unpublished ones); anything unpublished is a 404 like a number that
does not exist, and lists are ordered by session and number, counted over published rows only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from lianxin.cases.models import Case
from lianxin.cases.redaction import redact
from lianxin.core.pagecache import public_page
from lianxin.regions.models import Region
from lianxin.suggestions.models import (
    Kind,
    ReplyClass,
    Session,
    Status,
    Suggestion,
    UnitRole,
)
from lianxin.suggestions.selectors import published_suggestions, suggestions_of_case

PAGE_SIZE = 20
# Statuses a published suggestion can be in (publish needs a reply; a re-handling takes it back to 办理中).
PUBLIC_STATUSES = [Status.ASSIGNED, Status.REPLIED, Status.RATED, Status.CLOSED]
KIND_SLUGS = {Kind.SUGGESTION: "suggestion", Kind.BILL: "bill"}


@dataclass(frozen=True)
class PublicUnit:
    name: str
    role: str
    reply_class: str  # "" when no reply was published


@dataclass(frozen=True)
class PublicSuggestion:
    """Only what the public query shows: a page cannot reach another field by mistake."""

    url: str
    number_label: str
    title: str
    text: str
    session: str
    kind: str
    field: str
    status: str
    proposer: str
    is_key: bool
    published_on: object
    units: list[PublicUnit]


def _url(s: Suggestion) -> str:
    return reverse("portal:suggestion", args=[s.session_id, KIND_SLUGS[Kind(s.kind)], s.number or 0])


def _proposer(s: Suggestion) -> str:
    if s.lead_deputy is not None:
        return f"{s.lead_deputy.name}（领衔代表）"
    if s.delegation is not None:
        return s.delegation.name
    return s.get_proposer_display()


def _public(s: Suggestion) -> PublicSuggestion:
    units = []
    # The active parts (the selector's prefetch), lead units first.
    for part in sorted(s.units.all(), key=lambda part: (part.role != UnitRole.LEAD, part.pk)):
        published = (
            part.role == UnitRole.LEAD
            and part.replied_at is not None
            and s.published_at is not None
            and part.replied_at <= s.published_at
        )
        units.append(PublicUnit(part.unit.name, part.get_role_display(), part.reply_class if published else ""))
    return PublicSuggestion(
        url=_url(s),
        number_label=s.number_label,
        title=redact(s.public_title),
        text=redact(s.public_text),
        session=s.session.name,
        kind=s.get_kind_display(),
        field=s.get_field_display(),
        status=s.get_status_display(),
        proposer=_proposer(s),
        is_key=s.is_key,
        published_on=s.published_at,
        units=units,
    )


def _published(**filters: Any) -> QuerySet[Suggestion]:
    # The selector prefetches the active units with their unit.
    return published_suggestions(**filters).select_related("delegation")


def _choice(value: str | None, allowed: Sequence[str]) -> str:
    return value if value is not None and value in allowed else ""


@public_page
def suggestion_list(request: HttpRequest) -> HttpResponse:
    everything = _published()
    regions = list(Region.objects.filter(id__in=everything.values("region_id")).order_by("path"))
    region_code = _choice(request.GET.get("region"), [r.code for r in regions])
    region = next((r for r in regions if r.code == region_code), None)
    in_region = everything.filter(region__path__startswith=region.path) if region else everything
    sessions = list(Session.objects.filter(id__in=in_region.values("session_id")).order_by("-opens_on", "name"))
    session = _choice(request.GET.get("session"), [str(s.pk) for s in sessions])
    status = _choice(request.GET.get("status"), PUBLIC_STATUSES)
    reply_class = _choice(request.GET.get("class"), ReplyClass.values)
    q = (request.GET.get("q") or "").strip()[:50]
    rows = _published(
        region_path=region.path if region else None,
        q=q,
        session=int(session) if session else None,
        status=status or None,
        reply_class=reply_class or None,
    ).order_by("-session__opens_on", "session_id", "kind", "number")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    selected = {"region": region_code, "session": session, "status": status, "class": reply_class, "q": q}
    return render(
        request,
        "portal/suggestions/list.html",
        {
            "page": page,
            "items": [_public(s) for s in page.object_list],
            "regions": regions,
            "sessions": sessions,
            "statuses": [(value, Status(value).label) for value in PUBLIC_STATUSES],
            "classes": ReplyClass.choices,
            "selected": selected,
            "query": "&".join(f"{k}={v}" for k, v in selected.items() if v and k != "q"),
        },
    )


@public_page
def suggestion_detail(request: HttpRequest, session_id: int, kind: str, number: int) -> HttpResponse:
    kinds = {slug: value for value, slug in KIND_SLUGS.items()}
    found = None
    if kind in kinds and number > 0:
        found = _published(session=session_id).filter(kind=kinds[kind], number=number).first()
    if found is None:
        raise Http404("未找到该建议，或该建议尚未公开")
    return render(request, "portal/suggestions/detail.html", {"item": _public(found)})


# --- the trace from a case's tracking page -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseTrace:
    """已转为代表建议 第N号（领衔代表 X）, with a link when published, else its status."""

    text: str
    status: str
    url: str


def case_suggestion_traces(case: Case) -> list[CaseTrace]:
    """For the case's public tracking page (reached by its receipt code only): the submitted suggestions the case
    became. Their title and text stay private until published; the number, proposer and status are shown."""
    traces = []
    for s in suggestions_of_case(case_id=case.pk):
        kind = "议案" if s.kind == Kind.BILL else "建议"
        number = f" 第{s.number}号" if s.number else "（尚未编号）"
        who = f"领衔代表 {s.lead_deputy.name}" if s.lead_deputy is not None else s.get_proposer_display()
        published = s.published_at is not None and s.public_consent and s.number
        traces.append(
            CaseTrace(
                text=f"已转为代表{kind}{number}（{who}）",
                status=s.get_status_display(),
                url=_url(s) if published else "",
            )
        )
    return traces
