"""Reads: every list starts from `Suggestion.objects.visible_to(user)`; outside it is a 404, as not existing."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from lianxin.accounts.actors import Actor
from lianxin.core.errors import NotFound
from lianxin.suggestions.models import (
    CoSigner,
    Kind,
    Rating,
    ReplyClass,
    Session,
    Status,
    Suggestion,
    UnitAssignment,
    UnitContact,
    UnitRole,
)

# Below this share of shared character pairs two suggestions are merely on the same subject (the office's
# duplicate panel uses the same floor for cases).
SIMILAR_MIN_SCORE = 0.17


def suggestion_list_visible_to(
    *,
    user: Any,
    session: int | str | None = None,
    status: str | None = None,
    unit: int | str | None = None,
    reply_class: str | None = None,
    kind: str | None = None,
    q: str = "",
    deputy: int | str | None = None,
) -> QuerySet[Suggestion]:
    rows = Suggestion.objects.visible_to(user)
    if session:
        rows = rows.filter(session_id=session)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if unit:
        rows = rows.filter(units__unit_id=unit, units__is_active=True)
    if reply_class:
        rows = rows.filter(units__reply_class=reply_class, units__is_active=True, units__role=UnitRole.LEAD)
    if deputy:
        rows = rows.filter(Q(lead_deputy_id=deputy) | Q(co_signers__deputy_id=deputy))
    if q.strip():
        rows = rows.filter(Q(title__icontains=q.strip()) | Q(content__icontains=q.strip()))
    return (
        rows.distinct()
        .select_related("session", "lead_deputy", "region")
        .prefetch_related(
            Prefetch("units", queryset=UnitAssignment.objects.filter(is_active=True).select_related("unit")),
            Prefetch("co_signers", queryset=CoSigner.objects.select_related("deputy")),
        )
    )


def suggestion_get_visible(*, user: Any, pk: int | str) -> Suggestion:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = suggestion_list_visible_to(user=user).filter(pk=key).first()
    if found is None:
        raise NotFound()
    return found


def assignments_of_user(*, user: Any, open_only: bool = True) -> QuerySet[UnitAssignment]:
    """A unit handler's to-do: the active parts of their units, the latest due first."""
    rows = UnitAssignment.objects.filter(is_active=True, unit__handlers=user, unit__is_active=True)
    rows = rows.exclude(suggestion__status__in=[Status.DRAFT, Status.COLLECTING, Status.SUBMITTED, Status.RETURNED])
    if open_only:
        rows = rows.filter(suggestion__status=Status.ASSIGNED).filter(
            Q(role=UnitRole.LEAD, replied_at__isnull=True) | Q(role=UnitRole.CO, co_opinion_at__isnull=True)
        )
    return rows.select_related("suggestion", "suggestion__session", "suggestion__lead_deputy", "unit").order_by(
        "due_date", "id"
    )


def invitations_of_user(*, user: Any) -> QuerySet[CoSigner]:
    return CoSigner.objects.filter(deputy__user=user, suggestion__status=Status.COLLECTING).select_related(
        "suggestion", "suggestion__lead_deputy"
    )


@dataclass
class Similar:
    suggestion: Suggestion
    score: float


def similar_in_session(*, user: Any, suggestion: Suggestion, limit: int = 5) -> list[Similar]:
    """预审: the session's other suggestions closest in text (routing's duplicate index), for 并案."""
    others = list(
        Suggestion.objects.visible_to(user)
        .filter(session_id=suggestion.session_id)
        .exclude(pk=suggestion.pk)
        .exclude(status__in=[Status.DRAFT, Status.COLLECTING, Status.WITHDRAWN])
        .only("id", "title", "content", "status", "number", "kind", "session_id")
    )
    if not others:
        return []
    # scikit-learn is imported here, not with the module: most pages that read suggestions never compare them.
    from lianxin.routing.duplicates import DuplicateIndex

    index = DuplicateIndex()
    index.add([o.pk for o in others], [o.title for o in others], [o.content for o in others])
    by_id = {o.pk: o for o in others}
    matches = index.search(suggestion.title, suggestion.content, k=limit)
    return [Similar(by_id[m.key], m.score) for m in matches if m.score >= SIMILAR_MIN_SCORE]


# --- statistics ----------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """One row of the statistics: a unit, a congress level or a session."""

    label: str
    assigned: int = 0  # lead parts assigned
    replied: int = 0
    replied_on_time: int = 0
    class_a: int = 0
    class_b: int = 0
    class_c: int = 0
    contacted: int = 0  # replied parts with a contact before the reply
    rated: int = 0
    satisfied: int = 0  # 满意 + 基本满意
    rehandled: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def on_time_rate(self) -> float | None:
        return self.share(self.replied_on_time, self.replied)

    @property
    def contact_rate(self) -> float | None:
        return self.share(self.contacted, self.replied)

    @property
    def satisfaction_rate(self) -> float | None:
        return self.share(self.satisfied, self.rated)

    def class_share(self, name: str) -> float | None:
        return self.share(getattr(self, f"class_{name.lower()}"), self.replied)


def _lead_parts(user: Any, *, session: int | None = None, year: int | None = None) -> QuerySet[UnitAssignment]:
    suggestions = Suggestion.objects.visible_to(user)
    if session:
        suggestions = suggestions.filter(session_id=session)
    if year:
        suggestions = suggestions.filter(session__opens_on__year=year)
    contact = UnitContact.objects.filter(assignment=OuterRef("pk"), created_at__lte=OuterRef("replied_at"))
    return UnitAssignment.objects.filter(
        is_active=True, role=UnitRole.LEAD, suggestion__in=suggestions.values("id")
    ).annotate(has_contact=Exists(contact))


def suggestion_statistics(
    *, user: Any, by: str = "unit", session: int | None = None, year: int | None = None
) -> list[Figures]:
    """Per unit (`by="unit"`), per congress level (`"level"`) or per session (`"session"`): assigned, replied on
    time, A/B/C shares, contact-before-reply rate, satisfaction (满意 and 基本满意 among rated), re-handled."""
    key = {"unit": "unit__name", "level": "suggestion__session__level", "session": "suggestion__session__name"}[by]
    rows: dict[str, Figures] = {}
    parts = _lead_parts(user, session=session, year=year).values(
        key, "replied_at", "replied_late", "reply_class", "rating", "rehandle_count", "has_contact", "history"
    )
    for part in parts:
        label = str(part[key])
        if by == "level":
            from lianxin.deputies.models import MandateLevel

            label = MandateLevel(part[key]).label
        figures = rows.setdefault(label, Figures(label))
        figures.assigned += 1
        if part["rehandle_count"]:
            figures.rehandled += 1
        if part["replied_at"] is not None:
            figures.replied += 1
            figures.replied_on_time += 0 if part["replied_late"] else 1
            figures.contacted += 1 if part["has_contact"] else 0
            if part["reply_class"] in ReplyClass.values:
                setattr(
                    figures,
                    f"class_{part['reply_class'].lower()}",
                    getattr(figures, f"class_{part['reply_class'].lower()}") + 1,
                )
        if part["rating"]:
            figures.rated += 1
            figures.satisfied += 1 if part["rating"] in (Rating.SATISFIED, Rating.BASIC) else 0
    return sorted(rows.values(), key=lambda f: (-f.assigned, f.label))


def statistics_total(rows: list[Figures]) -> Figures:
    total = Figures("合计")
    for row in rows:
        for name in (
            "assigned", "replied", "replied_on_time", "class_a", "class_b", "class_c", "contacted", "rated",
            "satisfied", "rehandled",
        ):  # fmt: skip
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def open_promises(*, user: Any) -> QuerySet[UnitAssignment]:
    """B-class promises not yet kept, the oldest promise first: tracked into the next year until done."""
    return (
        UnitAssignment.objects.filter(
            suggestion__in=Suggestion.objects.visible_to(user).values("id"),
            is_active=True,
            role=UnitRole.LEAD,
            reply_class=ReplyClass.B,
            promise_done_at__isnull=True,
            replied_at__isnull=False,
        )
        .select_related("suggestion", "unit", "suggestion__session")
        .order_by("promised_on", "id")
    )


def sessions_visible_to(*, user: Any) -> QuerySet[Session]:
    from lianxin.core.scoping import region_scope_q

    if getattr(user, "is_superuser", False):
        return Session.objects.all()
    deputy_sessions = Suggestion.objects.visible_to(user).values("session_id")
    return Session.objects.filter(
        region_scope_q(user, "congress_region__path", "manage_suggestions") | Q(id__in=deputy_sessions)
    ).order_by("-opens_on")


def sessions_for_deputy(*, deputy: Any) -> QuerySet[Session]:
    """The open sessions of the congresses the deputy serves in: where they may draft."""
    from lianxin.deputies.models import SERVING_STATUSES

    mandates = deputy.mandates.filter(status__in=SERVING_STATUSES)
    q = Q(pk__in=[])
    for mandate in mandates:
        q |= Q(congress_region_id=mandate.congress_region_id, level=mandate.level, term=mandate.term)
    return Session.objects.filter(q, is_open=True).order_by("-opens_on")


def key_count(*, region_id: int, year: int) -> int:
    return Suggestion.objects.filter(region_id=region_id, is_key=True, session__opens_on__year=year).count()


def published_suggestions(
    *,
    region_path: str | None = None,
    q: str = "",
    session: int | None = None,
    status: str | None = None,
    reply_class: str | None = None,
) -> QuerySet[Suggestion]:
    """The public query (查询): published suggestions only, with consent; the fields a page may show are chosen by
    the page (public_title, public_text, number, status, units, reply classes). A reply class counts only for a
    reply given by the time of publication (its text is in public_text); a later reply is not published yet."""
    rows = Suggestion.objects.filter(published_at__isnull=False, public_consent=True)
    if region_path:
        rows = rows.filter(region__path__startswith=region_path)
    if q.strip():
        rows = rows.filter(Q(public_title__icontains=q.strip()) | Q(public_text__icontains=q.strip()))
    if session:
        rows = rows.filter(session_id=session)
    if status:
        rows = rows.filter(status=status)
    if reply_class:
        published_replies = UnitAssignment.objects.filter(
            suggestion=OuterRef("pk"),
            is_active=True,
            role=UnitRole.LEAD,
            reply_class=reply_class,
            replied_at__lte=OuterRef("published_at"),
        )
        rows = rows.filter(Exists(published_replies))
    return rows.select_related("session", "lead_deputy").prefetch_related(
        Prefetch("units", queryset=UnitAssignment.objects.filter(is_active=True).select_related("unit"))
    )


def suggestions_of_case(*, case_id: int) -> list[Suggestion]:
    """For a case's public tracking page: the submitted suggestions it became (已转为代表建议)."""
    return list(
        Suggestion.objects.filter(cases__id=case_id)
        .exclude(status__in=[Status.DRAFT, Status.COLLECTING, Status.WITHDRAWN])
        .select_related("lead_deputy", "session")
    )


def overdue_parts(*, today: datetime.date) -> QuerySet[UnitAssignment]:
    """Lead parts past their due date without a reply, co-parts past theirs without an opinion."""
    return UnitAssignment.objects.filter(is_active=True, suggestion__status=Status.ASSIGNED, due_date__lt=today).filter(
        Q(role=UnitRole.LEAD, replied_at__isnull=True) | Q(role=UnitRole.CO, co_opinion_at__isnull=True)
    )


def counts_by_status(*, user: Any, session: int | None = None) -> dict[str, int]:
    rows = Suggestion.objects.visible_to(user)
    if session:
        rows = rows.filter(session_id=session)
    return {row["status"]: row["n"] for row in rows.values("status").annotate(n=Count("id"))}


def kinds() -> list[tuple[str, str]]:
    return list(Kind.choices)


def actor_deputy(actor: Actor) -> Any:
    from lianxin.deputies.models import Deputy

    pk = getattr(actor, "pk", None)
    return Deputy.objects.filter(user_id=pk).first() if isinstance(pk, int) else None
