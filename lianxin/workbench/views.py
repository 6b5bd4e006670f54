"""The deputy's workbench (码上答、交、办): phone-sized pages over the closed loop's services and selectors."""

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.actors import account_of
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Case, Channel, ReceptionKind
from lianxin.cases.receipts import receipt_display
from lianxin.cases.selectors import (
    case_contact_visible,
    case_events_visible_to,
    case_get_visible_to,
    reception_get_visible_to,
    reception_list_visible_to,
)
from lianxin.cases.services import case_register, reception_close, reception_start
from lianxin.cases.workflow import Action, available_actions, case_transition
from lianxin.core.errors import DomainError, NotFound
from lianxin.workbench import selectors as s
from lianxin.workbench.forms import (
    ActionForm,
    DiaryForm,
    QuickCaseForm,
    ReceptionCloseForm,
    ReceptionStartForm,
    ShiftForm,
)
from lianxin.workbench.services import diary_add, shift_add, shift_remove

LOGIN_URL = "workbench:login"
# Which inputs each action asks for on the case page.
ACTION_FIELDS: dict[str, list[str]] = {
    Action.ACCEPT: ["category"],
    Action.ANSWER: ["reply"],
    Action.REPLY: ["reply"],
    Action.CONVERT: ["suggestion_ref"],
    Action.RATE: ["rating", "comment"],
}


class LoginView(auth_views.LoginView):
    """Lands on the workbench (Django's default, settings.LOGIN_REDIRECT_URL, is /accounts/profile/: a 404).
    A ?next= is followed only when it stays on this site (Django's url_has_allowed_host_and_scheme)."""

    template_name = "workbench/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("workbench:home")


def deputy_required(view):
    """Logged in and linked to a deputy; others see a page that says what this workbench is for."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        deputy = s.deputy_for_user(user=request.user)
        if deputy is None:
            return render(request, "workbench/not_deputy.html", status=403)
        request.deputy = deputy  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def workbench_required(view):
    """A deputy, or staff who handle cases (place staff: 接待登记); `request.deputy` is None for staff."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        deputy = s.deputy_for_user(user=request.user)
        if deputy is None and not s.handles_cases(user=request.user):
            if s.grid_worker_for_user(user=request.user) is not None:
                return redirect("workbench:grid_home")  # a grid worker's pages are their own
            return render(request, "workbench/not_deputy.html", status=403)
        request.deputy = deputy  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def event_label(event) -> str:
    """A case event's step in Chinese (registration is the one event that is not a workflow action)."""
    return Action(event.action).label if event.action in Action.values else "登记"


@workbench_required
def home(request: HttpRequest) -> HttpResponse:
    deputy = request.deputy  # type: ignore[attr-defined]
    if deputy is None:
        return render(
            request,
            "workbench/staff_home.html",
            {
                "places": s.staff_places(user=request.user),
                "sessions": reception_list_visible_to(user=request.user, is_open=True)[:50],
            },
        )
    return render(
        request,
        "workbench/home.html",
        {
            "deputy": deputy,
            "buckets": s.my_cases(user=request.user),
            "sessions": s.my_open_sessions(user=request.user),
            "grids": s.my_grids(deputy=deputy),
            "shifts": s.my_shifts(deputy=deputy),
            "households": s.my_households(deputy=deputy),
            "workers": s.my_grid_workers(deputy=deputy),
            "suggestions": s.my_suggestion_counts(user=request.user),
        },
    )


def _case_or_404(request: HttpRequest, case_id: int):
    try:
        return case_get_visible_to(user=request.user, case_id=case_id)
    except NotFound as error:
        raise Http404(error.message) from error


@workbench_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    actions = [
        (action, Action(action).label, ACTION_FIELDS.get(action, []))
        for action in available_actions(case=case, actor=account_of(request))
    ]
    return render(
        request,
        "workbench/case.html",
        {
            "case": case,
            "contact": case_contact_visible(user=request.user, case=case),
            "events": [
                (event, event_label(event)) for event in case_events_visible_to(user=request.user, case_id=case.pk)
            ],
            "actions": actions,
            "form": ActionForm(initial={"version": case.version}),
            "follow_ups": s.grid_case_follow_ups(case=case),  # what the grid workers saw when they followed it up
        },
    )


@require_POST
@workbench_required
def case_act(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_action_post(request, _case_or_404(request, case_id), back="workbench:case")


def case_action_post(request: HttpRequest, case: Case, *, back: str) -> HttpResponse:
    """A workflow step posted from a phone page (the deputy's or the grid worker's case page): case_transition with
    the page's version, its message flashed, back to the page (`back`, a URL name taking case_id)."""
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的内容有误，请重试")
        return redirect(back, case_id=case.pk)
    action = form.cleaned_data["action"]
    try:
        case_transition(
            case=case,
            action=action,
            actor=account_of(request),
            note=form.cleaned_data["note"],
            params=form.params(),
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已{Action(action).label}" if action in Action.values else "已完成")
    return redirect(back, case_id=case.pk)


@workbench_required
def reception_new(request: HttpRequest) -> HttpResponse:
    deputy = request.deputy  # type: ignore[attr-defined]
    if deputy is not None:
        places, regions, deputies = s.reception_places(deputy=deputy), s.reception_regions(deputy=deputy), None
    else:
        places = s.staff_places(user=request.user)
        regions = sorted({p.region for p in places}, key=lambda r: r.path)
        deputies = s.place_deputies(places=places)
    form = ReceptionStartForm(request.POST or None, places=places, regions=regions, deputies=deputies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = (
            next((p for p in places if p.pk == data["place"]), None) if data["kind"] == ReceptionKind.STATION else None
        )
        region = next((r for r in regions if r.pk == data["region"]), None)
        receiving = deputy or next((d for d in deputies or [] if d.pk == data.get("deputy")), None)
        try:
            if receiving is None:
                raise DomainError("field_required", "接待代表: 请选择", field="deputy")
            session = reception_start(
                actor=account_of(request),
                deputy=receiving,
                kind=data["kind"],
                place=place,
                region=region,
                location=data["location"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("workbench:reception", session_id=session.pk)
    return render(request, "workbench/reception_new.html", {"form": form}, status=400 if form.errors else 200)


@workbench_required
def place_month(request: HttpRequest, place_id: int) -> HttpResponse:
    """A place's monthly summary (月度小结) for its staff."""
    place = next((p for p in s.staff_places(user=request.user) if p.pk == place_id), None)
    if place is None:
        raise Http404("未找到该家站室，或不在您的管辖范围内")
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (request.GET.get("month") or f"{today:%Y-%m}").split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError as error:
        raise Http404("月份格式应为 2026-11") from error
    summary = s.place_month_summary(place=place, year=year, month=month)
    return render(request, "workbench/place_month.html", {"summary": summary, "year": year, "month": month})


def _session_or_404(request: HttpRequest, session_id: int):
    try:
        return reception_get_visible_to(user=request.user, session_id=session_id)
    except NotFound as error:
        raise Http404(error.message) from error


@workbench_required
def reception(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    status = 200
    case_form = QuickCaseForm(initial={"form_token": secrets.token_urlsafe(18), "people_count": 1})
    close_form = ReceptionCloseForm(initial={"people_received": session.cases.count()})
    if request.method == "POST" and session.ended_at is None:
        if "close" in request.POST:
            close_form = ReceptionCloseForm(request.POST)
            if close_form.is_valid():
                try:
                    reception_close(actor=account_of(request), session=session, **close_form.cleaned_data)
                except DomainError as error:
                    close_form.add_error(error.field if error.field in close_form.fields else None, error.message)
                else:
                    messages.success(request, f"接待已结束，共接待 {session.people_received} 人")
                    return redirect("workbench:reception", session_id=session.pk)
        else:
            case_form = QuickCaseForm(request.POST)
            if case_form.is_valid():
                data = case_form.cleaned_data
                draft = CaseDraft(
                    channel=Channel.STATION if session.kind == ReceptionKind.STATION else Channel.MOBILE,
                    body=data["text"],
                    session=session,
                    category=data["category"],
                    person_name=data["person_name"],
                    person_phone=data["person_phone"],
                    people_count=data["people_count"],
                    idempotency_key=f"workbench:{request.user.pk}:{data['form_token']}",
                )
                try:
                    registration = case_register(actor=account_of(request), draft=draft)
                except DomainError as error:
                    case_form.add_error(error.field if error.field in case_form.fields else None, error.message)
                else:
                    messages.success(request, f"已登记，查询码 {receipt_display(registration.case.receipt_code)}")
                    return redirect("workbench:reception", session_id=session.pk)
        status = 400
    return render(
        request,
        "workbench/reception.html",
        {
            "session": session,
            "cases": session.cases.select_related("category").order_by("registered_at", "id"),
            "case_form": case_form,
            "close_form": close_form,
        },
        status=status,
    )


@deputy_required
def diary(request: HttpRequest) -> HttpResponse:
    deputy = request.deputy  # type: ignore[attr-defined]
    form = DiaryForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            diary_add(
                actor=account_of(request), deputy=deputy, text=form.cleaned_data["text"], date=form.cleaned_data["date"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "已记录")
            return redirect("workbench:diary")
    return render(
        request,
        "workbench/diary.html",
        {"form": form, "entries": s.my_diary(deputy=deputy)},
        status=400 if form.errors else 200,
    )


@workbench_required
def place_roster(request: HttpRequest, place_id: int) -> HttpResponse:
    """A place's duty roster (排班): staff who may edit it add and remove shifts."""
    place = next((p for p in s.staff_places(user=request.user) if p.pk == place_id), None)
    if place is None:
        raise Http404("未找到该家站室，或不在您的管辖范围内")
    deputies = s.place_deputies(places=[place])
    form = ShiftForm(request.POST or None, deputies=deputies)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                shift = next((x for x in s.place_shifts(place=place) if str(x.pk) == request.POST["remove"]), None)
                if shift is None:
                    raise DomainError("not_found", "该排班不存在或已删除")
                shift_remove(actor=account_of(request), shift=shift)
                messages.success(request, "已删除排班")
                return redirect("workbench:place_roster", place_id=place.pk)
            if form.is_valid():
                data = form.cleaned_data
                deputy = next((d for d in deputies if d.pk == data["deputy"]), None)
                if deputy is None:
                    raise DomainError("field_invalid", "接待代表: 请选择", field="deputy")
                shift_add(
                    actor=account_of(request),
                    place=place,
                    deputy=deputy,
                    date=data["date"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    note=data["note"],
                )
                messages.success(request, "已排班")
                return redirect("workbench:place_roster", place_id=place.pk)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(
        request,
        "workbench/place_roster.html",
        {"place": place, "shifts": s.place_shifts(place=place), "form": form},
        status=400 if form.errors else 200,
    )
