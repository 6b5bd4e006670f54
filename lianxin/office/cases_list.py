"""The case list (意见建议) of the staff office: filters, the to-do queues of the home, saved views, bulk actions.

Every row comes from `case_list_visible_to(user)`, so the list shows the user's scope only; a queue narrows it
with the same selector the home counts with (`BUCKETS`), so a card's number and the list it opens agree. Bulk
actions go through `case_transition` one case at a time and report what happened to each; an id outside the
user's scope is reported as not found, like one that does not exist.
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.accounts.saved_views import (
    saved_view_delete,
    saved_view_query_clean,
    saved_view_save,
    saved_views_of,
)
from lianxin.cases.deadlines import waiting_past_due
from lianxin.cases.models import OPEN_STATUSES, Case, Channel, Status
from lianxin.cases.queues import current_deadline, current_due, queue_cases, queue_counts, queues_for
from lianxin.cases.selectors import case_get_visible_to, case_list_visible_to, category_list, unit_list_visible_to
from lianxin.cases.workflow import Action, case_transition
from lianxin.core.errors import DomainError
from lianxin.office.access import office_required
from lianxin.regions.models import RegionLevel
from lianxin.regions.selectors import region_list_visible_to
from lianxin.routing.selectors import MERGEABLE, hotspot_candidates, triage_queue

PAGE = "cases"  # the saved views' page name
PER_PAGE = 50
BULK_LIMIT = 200
# Above this many regions in scope, the region filter offers townships and up only (a city has thousands of
# villages; a select of them helps nobody).
REGION_CHOICES_LIMIT = 300


# --- the to-do buckets: the cases' own queues and the routing app's ---------------------------------------------


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    hint: str
    cases: Callable[[Any, datetime.datetime], QuerySet[Case]]


def _case_queue(key: str) -> Callable[[Any, datetime.datetime], QuerySet[Case]]:
    return lambda user, now: queue_cases(user=user, key=key, now=now)


def _triage_cases(user: Any, now: datetime.datetime) -> QuerySet[Case]:
    return Case.objects.visible_to(user).filter(pk__in=triage_queue(user=user).values("case_id"))


# Finding common problems clusters every open case of the scope's last 90 days: measured 1.1 s for 1,000 cases of a
# county and 4 s for 3,000 (tests/test_case_list.py's figures in the commit), too slow for a home page opened many
# times a day. The candidates' case ids are kept per scope for a few minutes; the home's count and the list both
# read the kept ids and check them against the cases as they are now (still visible, still mergeable), so the two
# agree and a case merged meanwhile leaves both at once.
HOTSPOT_CACHE_SECONDS = 300


def _hotspot_key(user: Any) -> str:
    scope = "*" if user.is_superuser else "|".join(user.scope_paths(Perm.HANDLE_CASES))
    return "office:hotspot-ids:" + hashlib.sha256(scope.encode()).hexdigest()


def _hotspot_cases(user: Any, now: datetime.datetime) -> QuerySet[Case]:
    key = _hotspot_key(user)
    ids = cache.get(key)
    if ids is None:
        ids = sorted({case.pk for candidate in hotspot_candidates(user=user) for case in candidate.cases})
        cache.set(key, ids, HOTSPOT_CACHE_SECONDS)
    return Case.objects.visible_to(user).filter(pk__in=ids, status__in=MERGEABLE, master__isnull=True)


ROUTING_BUCKETS = (
    Bucket("triage", "待人工分办", "分办模型没有把握、等待人工确定类别和承办单位", _triage_cases),
    Bucket(
        "hotspot",
        "普遍问题线索",
        "近 90 天内多人反映的同类问题，可并入普遍问题统一办理（每 5 分钟更新）",
        _hotspot_cases,
    ),
)


def buckets_for(user: Any) -> list[Bucket]:
    """The buckets of this user's home and list filter: their case queues, then routing's (for those who handle
    cases: a unit's handler has no triage to do)."""
    buckets = [Bucket(q.key, q.label, q.hint, _case_queue(q.key)) for q in queues_for(user=user)]
    if may(user, Perm.HANDLE_CASES):
        buckets.extend(ROUTING_BUCKETS)
    return buckets


def bucket_counts(user: Any, now: datetime.datetime) -> dict[str, int]:
    """The number of cases in each of the user's buckets: the case queues in one query, routing's one each."""
    counts = queue_counts(user=user, now=now)
    for bucket in buckets_for(user):
        if bucket.key not in counts:
            counts[bucket.key] = bucket.cases(user, now).count()
    return counts


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


# --- filters -----------------------------------------------------------------------------------------------------


SORTS = [("", "登记时间：新到旧"), ("due", "办理时限：先到期在前")]
# The queues about deadlines open sorted by them: the most urgent case first.
SORTED_BY_DUE = frozenset({"due_soon", "overdue"})


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    bucket = forms.ChoiceField(label="待办", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Status.choices])
    region = forms.ChoiceField(label="区划", required=False)
    category = forms.ChoiceField(label="类别", required=False)
    channel = forms.ChoiceField(label="渠道", required=False, choices=[("", "全部渠道"), *Channel.choices])
    unit = forms.TypedChoiceField(label="承办单位", required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label="登记日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label="排序", required=False, choices=SORTS)

    def __init__(self, *args: Any, user: Any, buckets: list[Bucket], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "bucket", [("", "全部"), *((b.key, b.label) for b in buckets)])
        _choices(self, "region", [("", "全部区划"), *_region_choices(user)])
        _choices(self, "category", [("", "全部类别"), *((c.code, c.name) for c in category_list())])
        units = unit_list_visible_to(user=user)
        _choices(self, "unit", [("", "全部单位"), *((u.pk, u.name) for u in units)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return data


def _region_choices(user: Any) -> list[tuple[str, str]]:
    regions = region_list_visible_to(user=user)
    if regions.count() > REGION_CHOICES_LIMIT:
        regions = regions.exclude(level=RegionLevel.VILLAGE)
    rows = list(regions.values_list("code", "name", "path"))
    top = min((path.count("/") for _, _, path in rows), default=0)
    # Indented under their parents (ordered by code, a child follows its parent).
    return [(code, "\u3000" * (path.count("/") - top) + name) for code, name, path in rows]


def filtered_cases(user: Any, data: dict[str, Any], buckets: list[Bucket], now: datetime.datetime) -> QuerySet[Case]:
    """The list's rows for cleaned filter values: the selector's filters, then the bucket's cases."""
    qs = case_list_visible_to(
        user=user,
        region=data.get("region") or None,
        status=[data["status"]] if data.get("status") else None,
        channel=data.get("channel") or None,
        category=data.get("category") or None,
        unit=data.get("unit"),
        registered_from=data.get("date_from"),
        registered_to=data.get("date_to"),
        q=data.get("q") or None,
    )
    bucket = next((b for b in buckets if b.key == data.get("bucket")), None)
    if bucket is not None:
        qs = qs.filter(pk__in=bucket.cases(user, now).values("pk"))
    if data.get("sort") == "due":
        qs = qs.order_by(current_due().asc(nulls_last=True), "-registered_at", "-id")
    return qs


# --- rows --------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    case: Case
    due: datetime.datetime | None
    due_label: str
    overdue: bool
    url: str | None


def _row(case: Case, now: datetime.datetime) -> Row:
    due, label = current_deadline(case)
    # deadlines.late_open_q, row by row.
    overdue = case.status in OPEN_STATUSES and (case.is_overdue or waiting_past_due(case, now))
    return Row(case=case, due=due, due_label=label, overdue=overdue, url=case_url(case.pk))


def case_url(pk: int) -> str | None:
    """The case page (lianxin/office, `office:case`); the back office's page until the office has one."""
    try:
        return reverse("office:case", args=[pk])
    except NoReverseMatch:
        return reverse("admin:cases_case_change", args=[pk])


# --- the list ----------------------------------------------------------------------------------------------------


class BulkForm(forms.Form):
    action = forms.ChoiceField(label="批量操作", choices=[(Action.ACCEPT, "受理"), (Action.TRANSFER, "交办")])
    ids = forms.TypedMultipleChoiceField(coerce=int)  # choices: any integer, checked against scope case by case
    category = forms.ChoiceField(label="类别（受理，未分类的件必填）", required=False)
    unit = forms.TypedChoiceField(label="承办单位（交办）", required=False, coerce=int, empty_value=None)
    note = forms.CharField(label="说明", required=False, max_length=2000)
    back = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "category", [("", "不改变类别"), *((c.code, c.name) for c in category_list())])
        _choices(self, "unit", [("", "请选择"), *((u.pk, u.name) for u in unit_list_visible_to(user=user))])

    def clean_ids(self) -> list[int]:
        ids = list(dict.fromkeys(self.cleaned_data["ids"]))
        if len(ids) > BULK_LIMIT:
            raise forms.ValidationError(f"一次最多处理 {BULK_LIMIT} 件")
        return ids

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == Action.TRANSFER and not data.get("unit"):
            self.add_error("unit", "交办须选择承办单位")
        return data


def _bulk_form(user: Any, data: Any = None) -> BulkForm:
    form = BulkForm(data, user=user)
    # Any integer id may be posted; whether it is a case the user may act on is decided case by case.
    _choices(form, "ids", [(v, v) for v in (data.getlist("ids") if data is not None else [])])
    return form


@office_required
def cases_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    buckets = buckets_for(user)
    form = CaseFilterForm(request.GET or None, user=user, buckets=buckets)
    error = ""
    page = None
    if form.is_bound and not form.is_valid():
        cases: QuerySet[Case] = Case.objects.none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        try:
            cases = filtered_cases(user, data, buckets, now)
        except DomainError as exc:  # a region or category named in the address that is not (or no longer) there
            error, cases = exc.message, Case.objects.none()
    paginator = Paginator(cases, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = saved_view_query_clean(request.GET.urlencode())
    context = {
        "form": form,
        "error": error,
        "page": page,
        "rows": [_row(case, now) for case in page.object_list],
        "query": query,
        "bucket": next((b for b in buckets if b.key == request.GET.get("bucket")), None),
        "saved_views": saved_views_of(user=user, page=PAGE),
        # Accepting and transferring are staff's work: a unit's handler gets no bulk form (the workflow would
        # refuse every case anyway).
        "bulk": _bulk_form(user) if may(user, Perm.HANDLE_CASES) else None,
        "filtered": bool(query),
    }
    return render(request, "office/cases/list.html", context)


# --- bulk actions ------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    case_id: int
    label: str
    ok: bool
    message: str


def _params(action: str, data: dict[str, Any]) -> dict[str, Any]:
    if action == Action.ACCEPT:
        return {"category": data["category"]} if data.get("category") else {}
    return {"unit": data["unit"]}


def bulk_apply(*, user: Any, action: str, ids: list[int], data: dict[str, Any]) -> list[Outcome]:
    """Apply one action to each case in turn through the workflow; a refusal stops that case only."""
    outcomes = []
    params = _params(action, data)
    for case_id in ids:
        label = f"编号 {case_id}"
        try:
            case = case_get_visible_to(user=user, case_id=case_id)
            label = f"{case.receipt_code} {case.title}"
            case_transition(case=case, action=action, actor=user, note=data.get("note") or "", params=params)
        except DomainError as exc:
            outcomes.append(Outcome(case_id, label, False, exc.message))
            continue
        outcomes.append(Outcome(case_id, label, True, f"已{Action(action).label}，现为“{Status(case.status).label}”"))
    return outcomes


@office_required
@require_POST
def cases_bulk(request: HttpRequest) -> HttpResponse:
    form = _bulk_form(request.user, request.POST)
    back = _safe_back(request.POST.get("back", ""))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label or '选择的意见建议'}: {error}" if field != "__all__" else str(error))
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    outcomes = bulk_apply(user=request.user, action=data["action"], ids=data["ids"], data=data)
    done = sum(o.ok for o in outcomes)
    context = {
        "action_label": Action(data["action"]).label,
        "outcomes": outcomes,
        "done": done,
        "refused": len(outcomes) - done,
        "back": back,
    }
    return render(request, "office/cases/bulk_result.html", context)


def _safe_back(query: str) -> str:
    """The list the bulk form came from (its filters only: never an address elsewhere)."""
    return f"{reverse('office:cases')}?{saved_view_query_clean(query)}" if query else reverse("office:cases")


# --- saved views -------------------------------------------------------------------------------------------------


@office_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        view = saved_view_save(actor=request.user, page=PAGE, name=request.POST.get("name", ""), query=query)
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(_safe_back(query))
    messages.success(request, f"已保存视图“{view.name}”")
    return HttpResponseRedirect(_safe_back(view.query))


@office_required
@require_POST
def saved_view_remove(request: HttpRequest, view_id: int) -> HttpResponse:
    try:
        saved_view_delete(actor=request.user, page=PAGE, view_id=view_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除视图")
    return HttpResponseRedirect(reverse("office:cases"))
