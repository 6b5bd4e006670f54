"""The suggestions (代表建议) of the staff office: the list with its filters and status tabs, the to-do counts of the
home, the sessions and the B-class promises still open (issue 16).

Every row comes from `suggestion_list_visible_to(user)`: staff see their congresses' suggestions, a unit's handler
those assigned to their units. A to-do (`TODOS`) narrows the list with the same filter the home counts with, so a
card's number and the list it opens agree.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from lianxin.accounts.actors import account_of
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.errors import DomainError
from lianxin.deputies.models import MandateLevel
from lianxin.office.access import office_required
from lianxin.office.suggestion_page import today
from lianxin.regions.models import Region, RegionLevel
from lianxin.regions.selectors import region_list_visible_to
from lianxin.suggestions.models import Kind, ReplyClass, SessionKind, Status, Suggestion, UnitAssignment, UnitRole
from lianxin.suggestions.rules import Rules
from lianxin.suggestions.selectors import (
    assignments_of_user,
    counts_by_status,
    open_promises,
    sessions_visible_to,
    suggestion_list_visible_to,
)
from lianxin.suggestions.services import session_create

PER_PAGE = 50
# 即将到期: the parts due within the default reminder window (SuggestionRules.remind_days).
DUE_SOON_DAYS = Rules(bill_min_co_signers=10).remind_days


# --- the to-dos: one filter each, counted on the home and applied by the list --------------------------------------


def _open_parts(today_: datetime.date) -> QuerySet[UnitAssignment]:
    """Active parts still waiting for their unit: a lead unit's reply, a co-unit's opinion."""
    return UnitAssignment.objects.filter(is_active=True, suggestion__status=Status.ASSIGNED).filter(
        Q(role=UnitRole.LEAD, replied_at__isnull=True) | Q(role=UnitRole.CO, co_opinion_at__isnull=True)
    )


def _status(status: str) -> Callable[[Any, datetime.date], Q]:
    return lambda user, day: Q(status=status)


def _reassign(user: Any, day: datetime.date) -> Q:
    requested = UnitAssignment.objects.filter(is_active=True, reassign_requested_at__isnull=False)
    return Q(status=Status.ASSIGNED, id__in=requested.values("suggestion_id"))


def _due_soon(user: Any, day: datetime.date) -> Q:
    parts = _open_parts(day).filter(due_date__gte=day, due_date__lte=day + datetime.timedelta(days=DUE_SOON_DAYS))
    return Q(id__in=parts.values("suggestion_id"))


def _overdue(user: Any, day: datetime.date) -> Q:
    parts = _open_parts(day).filter(Q(due_date__lt=day) | Q(is_overdue=True))
    return Q(id__in=parts.values("suggestion_id"))


def _unit_role(role: str) -> Callable[[Any, datetime.date], Q]:
    def q(user: Any, day: datetime.date) -> Q:
        return Q(id__in=assignments_of_user(user=user).filter(role=role).values("suggestion_id"))

    return q


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    hint: str
    q: Callable[[Any, datetime.date], Q]
    alert: bool = False


STAFF_TODOS = (
    Todo("to_pre_review", "待预审", "代表已提交，待审查形式与内容", _status(Status.SUBMITTED)),
    Todo("to_review", "待审查", "预审通过，待决定是否立案", _status(Status.PRE_REVIEWED)),
    Todo("to_assign", "待交办", "已立案，待确定承办单位", _status(Status.ACCEPTED)),
    Todo("reassign", "调整申请", "承办单位申请调整，待审核", _reassign),
    Todo("due_soon", "即将到期", f"{DUE_SOON_DAYS} 天内到期、尚未答复或提出协办意见", _due_soon),
    Todo("overdue", "已超期", "已过期限仍未答复或提出协办意见", _overdue, alert=True),
    Todo("to_rate", "待评价", "单位已答复，待代表评价（可代录电话评价）", _status(Status.REPLIED)),
)
UNIT_TODOS = (
    Todo("to_reply", "待答复", "本单位主办、尚未答复代表", _unit_role(UnitRole.LEAD)),
    Todo("to_co", "待协办", "本单位协办、尚未向主办单位提出意见", _unit_role(UnitRole.CO)),
)


def todos_for(user: Any) -> list[Todo]:
    todos: list[Todo] = []
    if may(user, Perm.MANAGE_SUGGESTIONS):
        todos.extend(STAFF_TODOS)
    if may(user, Perm.REPLY_AS_UNIT):
        todos.extend(UNIT_TODOS)
    return todos


def may_open(user: Any) -> bool:
    """Staff who manage suggestions and units' handlers have the list (the menu entry and the home's cards)."""
    return may(user, Perm.MANAGE_SUGGESTIONS) or may(user, Perm.REPLY_AS_UNIT)


def todo_cards(user: Any) -> list[dict[str, Any]]:
    """The home's suggestion cards: each count is the length of the list its link opens."""
    day = today()
    visible = Suggestion.objects.visible_to(user)
    url = reverse("office:suggestions")
    return [
        {
            "key": todo.key,
            "label": todo.label,
            "hint": todo.hint,
            "alert": todo.alert,
            "count": visible.filter(todo.q(user, day)).count(),
            "url": f"{url}?{urlencode({'todo': todo.key})}",
        }
        for todo in todos_for(user)
    ]


# --- the list ----------------------------------------------------------------------------------------------------


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class FilterForm(forms.Form):
    q = forms.CharField(label="搜索标题或内容", required=False, max_length=100)
    todo = forms.ChoiceField(label="待办", required=False)
    session = forms.TypedChoiceField(label="会议", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "建议和议案"), *Kind.choices])
    unit = forms.TypedChoiceField(label="承办单位", required=False, coerce=int, empty_value=None)
    reply_class = forms.ChoiceField(
        label="答复类别", required=False, choices=[("", "全部类别"), *((c.value, f"{c.value}类") for c in ReplyClass)]
    )
    key = forms.BooleanField(label="只看重点督办", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Status.choices])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "todo", [("", "全部"), *((t.key, t.label) for t in todos_for(user))])
        _choices(self, "session", [("", "全部会议"), *((s.pk, s.name) for s in sessions_visible_to(user=user))])
        _choices(self, "unit", [("", "全部单位"), *((u.pk, u.name) for u in _units(user))])


def _units(user: Any) -> QuerySet[ResponsibleUnit]:
    """The units that appear on the user's suggestions."""
    parts = UnitAssignment.objects.filter(is_active=True, suggestion__in=Suggestion.objects.visible_to(user))
    return ResponsibleUnit.objects.filter(id__in=parts.values("unit_id")).order_by("name")


def filtered(user: Any, data: dict[str, Any], *, with_status: bool = True) -> QuerySet[Suggestion]:
    rows = suggestion_list_visible_to(
        user=user,
        session=data.get("session"),
        status=(data.get("status") or None) if with_status else None,
        unit=data.get("unit"),
        reply_class=data.get("reply_class") or None,
        kind=data.get("kind") or None,
        q=data.get("q") or "",
    )
    if data.get("key"):
        rows = rows.filter(is_key=True)
    todo = next((t for t in todos_for(user) if t.key == data.get("todo")), None)
    if todo is not None:
        rows = rows.filter(todo.q(user, today()))
    return rows


@dataclass
class Row:
    s: Suggestion
    leads: list[UnitAssignment]
    cos: list[UnitAssignment]
    due: datetime.date | None
    overdue: bool
    classes: str


def _row(s: Suggestion, day: datetime.date) -> Row:
    units = list(s.units.all())  # prefetched: the active parts
    leads = [a for a in units if a.role == UnitRole.LEAD]
    cos = [a for a in units if a.role == UnitRole.CO]
    waiting = [
        a
        for a in units
        if s.status == Status.ASSIGNED
        and (a.replied_at is None if a.role == UnitRole.LEAD else a.co_opinion_at is None)
    ]
    due = min((a.due_date for a in waiting), default=s.due_date)
    overdue = any(a.is_overdue or a.due_date < day for a in waiting)
    classes = "、".join(a.reply_class for a in leads if a.reply_class)
    return Row(s, leads, cos, due, overdue, classes)


def _tabs(user: Any, data: dict[str, Any], query: dict[str, Any]) -> list[dict[str, Any]]:
    """One tab per status that has suggestions under the other filters, with its count."""
    counts: dict[str, int] = {}
    if not any(data.get(k) for k in ("q", "todo", "kind", "unit", "reply_class", "key")):
        counts = counts_by_status(user=user, session=data.get("session"))
    else:
        for status in filtered(user, data, with_status=False).values_list("status", flat=True):
            counts[status] = counts.get(status, 0) + 1
    base = {k: v for k, v in query.items() if k not in ("status", "page")}
    url = reverse("office:suggestions")
    tabs = [
        {
            "label": "全部",
            "count": sum(counts.values()),
            "url": f"{url}?{urlencode(base)}" if base else url,
            "current": not data.get("status"),
        }
    ]
    for status in Status:
        if counts.get(status):
            tabs.append(
                {
                    "label": status.label,
                    "count": counts[status],
                    "url": f"{url}?{urlencode({**base, 'status': status.value})}",
                    "current": data.get("status") == status.value,
                    "status": status.value,
                }
            )
    return tabs


@office_required
def suggestions_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_open(user):
        return render(request, "office/suggestions/none.html", status=403)
    form = FilterForm(request.GET or None, user=user)
    if form.is_bound and not form.is_valid():
        data: dict[str, Any] = {}
        rows: QuerySet[Suggestion] = Suggestion.objects.none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        rows = filtered(user, data)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if v and k != "page"}
    day = today()
    todo = next((t for t in todos_for(user) if t.key == data.get("todo")), None)
    context = {
        "form": form,
        "page": page,
        "rows": [_row(s, day) for s in page.object_list],
        "tabs": _tabs(user, data, query),
        "todo": todo,
        "query": urlencode(query),
        "filtered": bool(query),
        "is_staff": may(user, Perm.MANAGE_SUGGESTIONS),
    }
    return render(request, "office/suggestions/list.html", context)


# --- B-class promises ---------------------------------------------------------------------------------------------


@office_required
def promises(request: HttpRequest) -> HttpResponse:
    """B类答复的承诺事项: promises not yet kept, the oldest first, tracked into the next year until done."""
    if not may_open(request.user):
        return render(request, "office/suggestions/none.html", status=403)
    rows = list(open_promises(user=request.user))
    return render(request, "office/suggestions/promises.html", {"rows": rows, "today": today()})


# --- sessions -----------------------------------------------------------------------------------------------------

LEVEL_OF_REGION = {
    RegionLevel.PROVINCE: MandateLevel.PROVINCE,
    RegionLevel.PREFECTURE: MandateLevel.CITY,
    RegionLevel.COUNTY: MandateLevel.COUNTY,
    RegionLevel.TOWNSHIP: MandateLevel.TOWNSHIP,
}


def congress_regions(user: Any) -> list[Region]:
    """The regions whose congress the user serves: where they may manage suggestions, villages excepted."""
    regions = region_list_visible_to(user=user).exclude(level=RegionLevel.VILLAGE).order_by("path")
    return [r for r in regions if may(user, Perm.MANAGE_SUGGESTIONS, r.path)]


class SessionForm(forms.Form):
    congress_region = forms.TypedChoiceField(label="人大", coerce=int)
    term = forms.IntegerField(label="届次（如 17）", min_value=1, max_value=99)
    number = forms.IntegerField(label="会议次数", min_value=1, max_value=99, help_text="闭会期间填其前一次会议的次数")
    kind = forms.ChoiceField(label="类型", choices=SessionKind.choices)
    opens_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label="截止日期（选填）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(label="名称（选填）", required=False, max_length=100, help_text="留空按届次、次数自动生成")

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {r.pk: r for r in regions}
        _choices(self, "congress_region", [(r.pk, f"{r.name}人大") for r in regions])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("opens_on"), data.get("closes_on")
        if start and end and end < start:
            self.add_error("closes_on", "截止日期不能早于开始日期")
        return data


@office_required
def sessions(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_open(user):
        return render(request, "office/suggestions/none.html", status=403)
    regions = congress_regions(user)
    form = SessionForm(request.POST or None, regions=regions) if regions else None
    status = 200
    if request.method == "POST":
        if form is None:
            return render(request, "office/suggestions/none.html", status=403)
        if form.is_valid():
            data = form.cleaned_data
            region = form.regions[data["congress_region"]]
            try:
                created = session_create(
                    actor=account_of(request),
                    congress_region=region,
                    level=LEVEL_OF_REGION.get(RegionLevel(region.level), MandateLevel.COUNTY),
                    term=data["term"],
                    number=data["number"],
                    kind=data["kind"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    name=data["name"].strip(),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            except IntegrityError:  # the unique (congress, level, term, kind, number) constraint
                form.add_error("number", "该人大本届已有这一次会议（同一类型）")
            else:
                messages.success(request, f"已新建“{created.name}”")
                return redirect("office:suggestion_sessions")
        status = 400
    rows = list(sessions_visible_to(user=user).select_related("congress_region"))
    counts = {
        row["session_id"]: row["n"]
        for row in Suggestion.objects.visible_to(user).values("session_id").annotate(n=Count("id"))
    }
    return render(
        request,
        "office/suggestions/sessions.html",
        {"rows": [(s, counts.get(s.pk, 0)) for s in rows], "form": form},
        status=status,
    )


urlpatterns = [
    path("suggestions/", suggestions_list, name="suggestions"),
    path("suggestions/promises/", promises, name="suggestion_promises"),
    path("suggestions/sessions/", sessions, name="suggestion_sessions"),
]
