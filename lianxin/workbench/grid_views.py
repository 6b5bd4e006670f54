"""The grid worker's phone pages (网格员): their grid's cases, reporting a problem, following a case up.

A grid worker is an account linked to an active GridWorker (deputies app); the deputy's pages send them here."""

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lianxin.accounts.actors import account_of
from lianxin.cases.receipts import receipt_display
from lianxin.cases.services import grid_follow_up_add
from lianxin.cases.workflow import Action, available_actions
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.uploads import body_limit
from lianxin.publicweb.photos import MAX_BYTES as PHOTO_MAX_BYTES
from lianxin.publicweb.photos import MAX_PHOTOS
from lianxin.workbench import selectors as s
from lianxin.workbench.forms import ActionForm, FollowUpForm, GridReportForm
from lianxin.workbench.services import Photo, grid_report_submit
from lianxin.workbench.views import ACTION_FIELDS, LOGIN_URL, case_action_post, event_label

# The report form: its photos at their largest and a megabyte for the text (as the portal's opinion form).
REPORT_MAX_BYTES = MAX_PHOTOS * PHOTO_MAX_BYTES + 1024 * 1024


def grid_worker_required(view):
    """Logged in and linked to an active grid worker; `request.grid_worker` is theirs, with its grid."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        worker = s.grid_worker_for_user(user=request.user)
        if worker is None:
            return render(request, "workbench/not_deputy.html", status=403)
        request.grid_worker = worker  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def _case_or_404(request: HttpRequest, case_id: int):
    try:
        return s.grid_case_get(worker=request.grid_worker, case_id=case_id)  # type: ignore[attr-defined]
    except NotFound as error:
        raise Http404(error.message) from error


@grid_worker_required
def grid_home(request: HttpRequest) -> HttpResponse:
    worker = request.grid_worker  # type: ignore[attr-defined]
    return render(
        request,
        "workbench/grid_home.html",
        {
            "worker": worker,
            "grid": worker.grid,
            "buckets": s.grid_cases(worker=worker),
            "deputies": s.grid_paired_deputies(user=request.user, worker=worker),
        },
    )


@require_http_methods(["GET", "POST"])
@body_limit(REPORT_MAX_BYTES)
@grid_worker_required
def grid_report(request: HttpRequest) -> HttpResponse:
    worker = request.grid_worker  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        form = GridReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration = grid_report_submit(
                    actor=account_of(request),
                    grid_worker=worker,
                    text=data["text"],
                    form_token=data["form_token"],
                    category=data["category"],
                    photos=[Photo(file=f, size=f.size) for f in data["photos"]],
                    lat=data["lat"],
                    lng=data["lng"],
                    address=data["address"],
                    person_name=data["person_name"],
                    person_phone=data["person_phone"],
                )
            except DomainError as error:
                # The location is a hidden field: its error is shown at the top of the form.
                shown = error.field in form.fields and not form.fields[error.field].widget.is_hidden
                form.add_error(error.field if shown else None, error.message)
            else:
                case = registration.case
                messages.success(request, f"已上报，查询码 {receipt_display(case.receipt_code)}")
                return redirect("workbench:grid_case", case_id=case.pk)
        status = 400
    else:
        form = GridReportForm(initial={"form_token": secrets.token_urlsafe(24)})
    return render(request, "workbench/grid_report.html", {"form": form, "grid": worker.grid}, status=status)


@require_http_methods(["GET", "POST"])
@grid_worker_required
def grid_case(request: HttpRequest, case_id: int) -> HttpResponse:
    worker = request.grid_worker  # type: ignore[attr-defined]
    case = _case_or_404(request, case_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grid_follow_up_add(actor=account_of(request), grid_worker=worker, case=case, text=form.cleaned_data["text"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "已记录跟进情况")
            return redirect("workbench:grid_case", case_id=case.pk)
    actions = [
        (action, Action(action).label, ACTION_FIELDS.get(action, []))
        for action in available_actions(case=case, actor=account_of(request))
    ]
    return render(
        request,
        "workbench/grid_case.html",
        {
            "case": case,
            "contact": s.grid_contact_visible(user=request.user, case=case),
            "events": [(event, event_label(event)) for event in s.grid_case_events(case=case)],
            "photos": s.grid_case_photos(case=case),
            "follow_ups": s.grid_case_follow_ups(case=case),
            "form": form,
            "actions": actions,
            "action_form": ActionForm(initial={"version": case.version}),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@grid_worker_required
def grid_case_act(request: HttpRequest, case_id: int) -> HttpResponse:
    """A workflow step, when the workflow gives this account one (a grid worker who is also staff or the case's
    deputy); case_transition checks the permission again."""
    return case_action_post(request, _case_or_404(request, case_id), back="workbench:grid_case")


@grid_worker_required
def grid_photo(request: HttpRequest, case_id: int, photo_id: int) -> FileResponse:
    """A photo of a case of the worker's grid. Never a public /media/ URL: a file name carries the receipt code."""
    case = _case_or_404(request, case_id)
    photo = next((p for p in s.grid_case_photos(case=case) if p.pk == photo_id), None)
    if photo is None:
        raise Http404("未找到该照片")
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
