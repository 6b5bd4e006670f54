"""Public pages (找、看、提 and tracking): thin views over the portal's selectors and services."""

import secrets

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.intake.queue import submission_get_pending_by_receipt
from lianxin.cases.models import Status
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.pagecache import public_page
from lianxin.core.uploads import body_limit
from lianxin.deputies.models import Deputy
from lianxin.deputies.selectors import deputy_places
from lianxin.duties.record import public_record
from lianxin.portal import selectors as s
from lianxin.portal.forms import OpinionForm, RatingForm, TrackForm
from lianxin.portal.masking import mask_name, mask_phone
from lianxin.portal.posters import deputy_poster, place_poster, region_posters
from lianxin.portal.qr import qr_png, qr_svg
from lianxin.portal.services import Photo, opinion_for_token, opinion_rate, opinion_submit
from lianxin.portal.suggestion_views import case_suggestion_traces
from lianxin.portal.timeline import timeline
from lianxin.publicweb.abuse import (
    HONEYPOT_FIELD,
    captcha_check,
    captcha_new,
    captcha_refresh,
    client_ip,
    honeypot_check,
    rate_limit,
)
from lianxin.publicweb.photos import MAX_BYTES as PHOTO_MAX_BYTES
from lianxin.publicweb.photos import MAX_PHOTOS
from lianxin.regions.models import Region
from lianxin.regions.services import grid_locate
from lianxin.venues.models import Place

REPLY_VISIBLE = {Status.FED_BACK, Status.RATED, Status.CLOSED, Status.PUBLISHED}
# The opinion form: its photos at their largest and a megabyte for the text; a larger body is refused unread.
OPINION_MAX_BYTES = MAX_PHOTOS * PHOTO_MAX_BYTES + 1024 * 1024


def _or_404(error: NotFound) -> Http404:
    return Http404(error.message)


@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"track_form": TrackForm(), "results": s.result_list()[:5], "townships": s.townships()},
    )


@public_page
def deputy_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        deputy = s.deputy_get_public(code=code)
    except NotFound as error:
        raise _or_404(error) from error
    return render(
        request,
        "portal/deputy.html",
        {
            "deputy": deputy,
            "places": deputy_places(deputy=deputy),
            "record": s.deputy_record(deputy=deputy),
            "results": s.results_for(deputy=deputy),
            "duty_years": public_record(deputy=deputy),
        },
    )


@public_page
def place_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        place = s.place_get_public(code=code)
    except NotFound as error:
        raise _or_404(error) from error
    return render(
        request,
        "portal/place.html",
        {"place": place, "record": s.place_record(place=place), "results": s.results_for(place=place)},
    )


def _submit(request: HttpRequest, *, deputy: Deputy | None, place: Place | None) -> HttpResponse:
    status = 200
    if request.method == "POST":
        token = request.POST.get("form_token", "")
        already = opinion_for_token(token=token)
        if already is not None:  # a double submit or a reload: the first submission's receipt
            return redirect("portal:receipt", code=already.receipt_code)
        form = OpinionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                honeypot_check(data.get(HONEYPOT_FIELD, ""))
                captcha_check(token=data["captcha_token"], answer=data["captcha"], form_token=data["form_token"])
                registration = opinion_submit(
                    token=data["form_token"],
                    ip=client_ip(request),
                    text=data["text"],
                    deputy=deputy,
                    place=place,
                    category=data["category"],
                    photos=[Photo(file=f, size=f.size) for f in data["photos"]],
                    lat=data["lat"],
                    lng=data["lng"],
                    address=data["address"],
                    person_name=data["person_name"],
                    person_phone=data["person_phone"],
                    wants_reply=data["wants_reply"],
                )
            except DomainError as error:
                # Errors about hidden fields (the location, the tokens) are shown at the top of the form.
                shown = error.field in form.fields and not form.fields[error.field].widget.is_hidden
                form.add_error(error.field if shown else None, error.message)
                status = 429 if error.code == "rate_limited" else 400
            else:
                return redirect("portal:receipt", code=registration.case.receipt_code)
        else:
            status = 400
        # A fresh question each time; the same form token, so the eventual submission is still one case.
        captcha_refresh(form, request.POST)
    else:
        captcha = captcha_new()
        form = OpinionForm(
            initial={"form_token": secrets.token_urlsafe(24), "captcha_token": captcha.token, "wants_reply": True},
            captcha_question=captcha.question,
        )
    target = deputy or place
    return render(
        request,
        "portal/submit.html",
        {
            "form": form,
            "deputy": deputy,
            "place": place,
            "target": target,
            "honeypot": HONEYPOT_FIELD,
            # For the category suggestion as people type (optional JavaScript; the select works without it).
            "category_keywords": [
                {"id": c.pk, "name": c.name, "keywords": c.keywords} for c in s.category_choices() if c.keywords
            ],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@body_limit(OPINION_MAX_BYTES)
def deputy_submit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        deputy = s.deputy_get_public(code=code)
    except NotFound as error:
        raise _or_404(error) from error
    return _submit(request, deputy=deputy, place=None)


@require_http_methods(["GET", "POST"])
@body_limit(OPINION_MAX_BYTES)
def place_submit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        place = s.place_get_public(code=code)
    except NotFound as error:
        raise _or_404(error) from error
    return _submit(request, deputy=None, place=place)


def _case_or_404(code: str):
    try:
        return s.case_get_by_receipt(code=code)
    except NotFound as error:
        raise _or_404(error) from error


@never_cache  # a person's own case: no shared cache keeps it
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    try:
        rate_limit("track_ip", client_ip(request))  # the receipt page is a lookup by code, as tracking is
    except DomainError as error:
        return HttpResponse(error.message, status=429, content_type="text/plain; charset=utf-8")
    case = _case_or_404(code)
    return render(request, "portal/receipt.html", {"case": case})


def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if form.is_valid():
        try:
            rate_limit("track_ip", client_ip(request))
            case = s.case_get_by_receipt(code=form.cleaned_data["code"])
        except NotFound as error:
            pending = submission_get_pending_by_receipt(receipt_code=form.cleaned_data["code"])
            if pending is None:
                form.add_error("code", error.message)
            else:
                return redirect("portal:track_case", code=pending.receipt_code)
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            return redirect("portal:track_case", code=case.receipt_code)
    return render(request, "portal/track.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def track_case(request: HttpRequest, code: str) -> HttpResponse:
    try:
        rate_limit("track_ip", client_ip(request))  # receipt codes are not guessed one request at a time
    except DomainError as error:
        return HttpResponse(error.message, status=429, content_type="text/plain; charset=utf-8")
    try:
        case = s.case_get_by_receipt(code=code)
    except NotFound as error:
        # Handed out by staff through the API and not registered yet (lianxin/cases/intake/queue.py).
        pending = submission_get_pending_by_receipt(receipt_code=code)
        if pending is None:
            raise _or_404(error) from error
        return render(request, "portal/track_pending.html", {"submission": pending})
    rating_form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rating_form.is_valid():
            try:
                opinion_rate(
                    code=case.receipt_code,
                    rating=rating_form.cleaned_data["rating"],
                    comment=rating_form.cleaned_data["comment"],
                    ip=client_ip(request),
                )
            except DomainError as error:
                rating_form.add_error(None, error.message)
                status = 429 if error.code == "rate_limited" else 400
            else:
                return HttpResponseRedirect(reverse("portal:track_case", args=[case.receipt_code]) + "#rated")
        else:
            status = 400
    events = list(s.case_public_events(case=case))
    return render(
        request,
        "portal/track_case.html",
        {
            "case": case,
            "steps": timeline(events),
            "name": mask_name(case.person_name),
            "phone": mask_phone(case.person_phone),
            "show_reply": case.status in REPLY_VISIBLE and bool(case.reply),
            "can_rate": case.status == Status.FED_BACK,
            "suggestion_traces": case_suggestion_traces(case),
            "rating_form": rating_form,
        },
        status=status,
    )


@public_page
def results(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    q = (request.GET.get("q") or "").strip()[:50] or None
    page = Paginator(s.result_list(category=category, q=q), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/results.html",
        {"page": page, "categories": s.category_choices(), "category": category or "", "q": q or ""},
    )


@public_page
def result_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = s.result_get(case_id=case_id)
    except NotFound as error:
        raise _or_404(error) from error
    return render(request, "portal/result.html", {"case": case})


def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and -180 <= number <= 180 else None


def find(request: HttpRequest) -> HttpResponse:
    """Town → village → grid, one choice per step (works without JavaScript), or the phone's location."""
    town = request.GET.get("town", "")
    village = request.GET.get("village", "")
    grid_code = request.GET.get("grid", "")
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    context: dict = {
        "townships": s.townships(),
        "town": town,
        "village": village,
        "grid_code": grid_code,
        "villages": s.villages(township_code=town) if town else [],
        "grids": s.grids(village_code=village) if village else [],
        "info": None,
        "near": [],
        "located": lat is not None and lng is not None,
        "message": "",
    }
    if lat is not None and lng is not None:
        grid = grid_locate(lat=lat, lng=lng)
        if grid is not None:
            context["info"] = s.grid_info(grid=grid, lat=lat, lng=lng)
        else:
            context["message"] = "您所在的位置不在已划定的网格内，下面是离您最近的家站室。"
            context["near"] = s.places_near(lat=lat, lng=lng)
    elif grid_code:
        try:
            context["info"] = s.grid_info(grid=s.grid_get_public(code=grid_code))
        except NotFound as error:
            raise _or_404(error) from error
    return render(request, "portal/find.html", context)


# QR codes and posters --------------------------------------------------------------------------------------


def _target(kind: str, code: str) -> Deputy | Place:
    try:
        return s.deputy_get_public(code=code) if kind == "d" else s.place_get_public(code=code)
    except NotFound as error:
        raise _or_404(error) from error


def qr_image(request: HttpRequest, kind: str, code: str, fmt: str) -> HttpResponse:
    target = _target(kind, code)
    if fmt == "svg":
        response = HttpResponse(qr_svg(target.public_url), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(target.public_url), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{kind}-{target.public_code}.{fmt}"'
    return response


def poster(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    target = _target(kind, code)
    try:
        pdf = deputy_poster(deputy=target) if isinstance(target, Deputy) else place_poster(place=target)
    except DomainError as error:
        return HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{kind}-{target.public_code}.pdf"'
    return response


@login_required
def region_poster_batch(request: HttpRequest, region_code: str) -> HttpResponse:
    """All posters of a township (or any region) in one PDF: staff of the region only."""
    region = Region.objects.filter(code=region_code).first()
    if region is None or not may(request.user, Perm.VIEW_REGISTRY, region.path):
        raise Http404("未找到该区划，或不在您的管辖范围内")
    try:
        pdf = region_posters(region=region)
    except DomainError as error:
        return HttpResponse(
            error.message,
            status=404 if error.code == "nothing_to_print" else 503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="posters-{region.code}.pdf"'
    return response
