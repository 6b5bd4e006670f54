"""Public pages (/projects/…), the deputy's pages (/w/projects/…) and the staff's monthly report downloads.
Views are thin: they call selectors and services, and show DomainError messages next to the field."""

import datetime
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from lianxin.accounts.actors import account_of
from lianxin.core.errors import DomainError
from lianxin.core.pagecache import public_page
from lianxin.projects import selectors as s
from lianxin.projects.forms import BallotForm, DeputyProposalForm, ProposalForm, ReceiptForm, ReportForm
from lianxin.projects.models import COLOUR_LABEL, Ballot, Choice, SitePhoto, Vote, Voter, VoteStatus
from lianxin.projects.permissions import can_manage_projects, can_report_site
from lianxin.projects.services import proposal_submit, site_report_file
from lianxin.projects.svgmap import county_map
from lianxin.projects.voting import ballot_find, vote_cast, vote_verify
from lianxin.publicweb.abuse import (
    HONEYPOT_FIELD,
    captcha_check,
    captcha_new,
    captcha_refresh,
    client_ip,
    honeypot_check,
    rate_limit,
)
from lianxin.publicweb.photos import photo_clean

LOGIN_URL = "workbench:login"


def _site_url(site) -> str:
    return reverse("projects:site", args=[site.project.year, site.pk])


# --- public --------------------------------------------------------------------------------------------------


@public_page
def index(request: HttpRequest) -> HttpResponse:
    """/projects/: the latest year that has projects."""
    latest = s.latest_year()
    if latest is None:
        raise Http404("还没有民生实事项目")
    return redirect("projects:year", year=latest)


@public_page
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    today = timezone.localdate()
    view = s.public_year(year=year, today=today)
    if not view.projects:
        raise Http404("该年度没有民生实事项目")
    project_no = request.GET.get("project", "")
    town = request.GET.get("town", "")
    colour = request.GET.get("status", "")
    towns = {}
    rows = []
    for site in view.sites:
        site_town = s.site_town(site)
        towns[site_town.code] = site_town.name
        if project_no and str(site.project.number) != project_no:
            continue
        if town and site_town.code != town:
            continue
        if colour and site.colour != colour:
            continue
        rows.append((site, site_town, s.site_lateness(site, today=today)))
    areas = sorted({p.region for p, _ in view.projects}, key=lambda r: r.path)
    svg = county_map(areas=areas, sites=[r[0] for r in rows], site_url=_site_url, highlight_town=town)
    return render(
        request,
        "projects/year.html",
        {
            "view": view, "rows": rows, "svg": svg, "towns": sorted(towns.items()), "colours": COLOUR_LABEL,
            "selected": {"project": project_no, "town": town, "status": colour},
            "filtered": bool(project_no or town or colour),
        },
    )  # fmt: skip


@public_page
def site_page(request: HttpRequest, year: int, site_id: int) -> HttpResponse:
    site = s.public_site(site_id=site_id)
    if site is None or site.project.year != year:
        raise Http404("没有这个点位")
    today = timezone.localdate()
    project_sites = list(site.project.sites.select_related("region"))
    return render(
        request,
        "projects/site.html",
        {
            "site": site, "reports": s.public_reports(site), "lateness": s.site_lateness(site, today=today),
            "rollup": s.rollup(project_sites, today=today), "colour_label": COLOUR_LABEL[site.colour],
        },
    )  # fmt: skip


def photo(request: HttpRequest, photo_id: int) -> FileResponse:
    item = SitePhoto.objects.filter(pk=photo_id).first()
    if item is None or not item.image:
        raise Http404("没有这张照片")
    content_type = mimetypes.guess_type(item.image.name or "")[0] or "image/jpeg"
    response = FileResponse(item.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def propose(request: HttpRequest) -> HttpResponse:
    """点单: a resident proposes a project. Rate limit per IP, honeypot and an arithmetic question, as the
    portal's opinion form."""
    status = 200
    if request.method == "POST":
        form = ProposalForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rate_limit("submit_ip", client_ip(request))
                honeypot_check(data.get(HONEYPOT_FIELD, ""))
                captcha_check(token=data["captcha_token"], answer=data["captcha"])
                proposal = proposal_submit(
                    actor=None, region=data["region"], title=data["title"], description=data["description"],
                    place=data["place"], beneficiaries=data["beneficiaries"], source="resident",
                    proposer_name=data["proposer_name"], proposer_phone=data["proposer_phone"],
                )  # fmt: skip
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 429 if error.code == "rate_limited" else 400
            else:
                return render(request, "projects/proposed.html", {"proposal": proposal})
        else:
            status = 400
        captcha_refresh(form, request.POST)
    else:
        captcha = captcha_new()
        form = ProposalForm(initial={"captcha_token": captcha.token}, captcha_question=captcha.question)
    return render(request, "projects/propose.html", {"form": form}, status=status)


def vote_page(request: HttpRequest, vote_id: int) -> HttpResponse:
    """A closed vote's result, in numbers and words; the stored ballots; the recount; a receipt check."""
    vote = Vote.objects.filter(pk=vote_id, status__in=[VoteStatus.CLOSED, VoteStatus.ACCEPTED]).first()
    if vote is None:
        raise Http404("没有这个票决，或尚未计票")
    candidates = list(vote.candidates.order_by("number"))
    counts = vote.result.get("counts", {})
    rows = [(c, counts.get(str(c.number), {}), c.number in vote.result.get("chosen", [])) for c in candidates]
    found, checked = None, False
    form = ReceiptForm(request.GET or None)
    if form.is_bound and form.is_valid():
        rate_limit("track_ip", client_ip(request))
        checked = True
        ballot = ballot_find(vote=vote, receipt=form.cleaned_data["receipt"])
        if ballot is not None:
            by_number = {str(c.number): c for c in candidates}
            found = [
                (by_number[n], Choice(v).label) for n, v in sorted(ballot.choices.items(), key=lambda x: int(x[0]))
            ]
    check = vote_verify(vote)
    return render(
        request,
        "projects/vote.html",
        {"vote": vote, "rows": rows, "form": form, "found": found, "checked": checked, "check": check},
    )


def vote_ballots(request: HttpRequest, vote_id: int) -> HttpResponse:
    """Every stored ballot of a closed vote, as CSV, so that anyone can recount it."""
    vote = Vote.objects.filter(pk=vote_id, status__in=[VoteStatus.CLOSED, VoteStatus.ACCEPTED]).first()
    if vote is None:
        raise Http404("没有这个票决，或尚未计票")
    numbers = list(vote.candidates.order_by("number").values_list("number", flat=True))
    lines = ["ballot,method,receipt_sha256," + ",".join(f"c{n}" for n in numbers)]
    for ballot in sorted(Ballot.objects.filter(vote=vote), key=lambda b: str(b.id)):
        lines.append(
            f"{ballot.id},{ballot.method},{ballot.receipt_hash},"
            + ",".join(ballot.choices.get(str(n), "") for n in numbers)
        )
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-ballots.csv"'
    return response


# --- workbench (deputies) ---------------------------------------------------------------------------------------


@login_required(login_url=LOGIN_URL)
def my_projects(request: HttpRequest) -> HttpResponse:
    month = timezone.localdate().replace(day=1)
    sites = list(s.sites_led_by(user=request.user).prefetch_related("reports"))
    rows = [(site, any(r.month == month for r in site.reports.all())) for site in sites]
    open_votes = Vote.objects.filter(
        status=VoteStatus.OPEN, voters__deputy__user_id=request.user.pk or 0, voters__has_voted=False
    ).distinct()
    return render(request, "projects/w_home.html", {"rows": rows, "votes": open_votes, "month": month})


@login_required(login_url=LOGIN_URL)
def deputy_propose(request: HttpRequest) -> HttpResponse:
    """点单 by a deputy: the proposal carries their name."""
    status = 200
    form = DeputyProposalForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal_submit(
                    actor=account_of(request), region=data["region"], title=data["title"], description=data["description"],
                    place=data["place"], beneficiaries=data["beneficiaries"], source="deputy",
                )  # fmt: skip
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 403 if error.code == "permission_denied" else 400
            else:
                messages.success(request, f"已提交项目建议“{data['title']}”")
                return redirect("projects:w_home")
        else:
            status = 400
    return render(request, "projects/w_propose.html", {"form": form}, status=status)


@login_required(login_url=LOGIN_URL)
def report(request: HttpRequest, site_id: int) -> HttpResponse:
    site = s.sites_led_by(user=request.user).filter(pk=site_id).first()
    if site is None or not can_report_site(request.user, site):
        raise Http404("没有这个点位，或您不是它的领办代表")
    month = timezone.localdate().replace(day=1)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                photos = [photo_clean(f, size=f.size, number=i) for i, f in enumerate(data["photos"], 1)]
                site_report_file(
                    actor=account_of(request), site=site, month=month, progress=data["progress"], done=data["done"],
                    problems=data["problems"], is_final=data["is_final"], photos=photos,
                )  # fmt: skip
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 400
            else:
                return redirect("projects:w_home")
        else:
            status = 400
    else:
        current = site.reports.filter(month=month).first()
        form = ReportForm(initial={"progress": current.progress if current else site.progress})
    return render(request, "projects/w_report.html", {"site": site, "form": form, "month": month}, status=status)


@login_required(login_url=LOGIN_URL)
def ballot(request: HttpRequest, vote_id: int) -> HttpResponse:
    voter = Voter.objects.filter(vote_id=vote_id, deputy__user_id=request.user.pk or 0).select_related("vote").first()
    if voter is None:
        raise Http404("没有这个票决，或您不在本次票决的代表名单中")
    vote = voter.vote
    candidates = list(vote.candidates.order_by("number"))
    status = 200
    if request.method == "POST":
        form = BallotForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                receipt = vote_cast(actor=account_of(request), vote=vote, choices=form.choices())
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                # Shown once: it is not stored in clear anywhere.
                return render(request, "projects/w_receipt.html", {"vote": vote, "receipt": receipt})
        else:
            status = 400
    else:
        form = BallotForm(candidates=candidates)
    return render(request, "projects/w_ballot.html", {"vote": vote, "voter": voter, "form": form}, status=status)


# --- staff: the monthly progress report -----------------------------------------------------------------------


def _report_month(year: int, month: int) -> datetime.date:
    try:
        return datetime.date(year, month, 1)
    except ValueError as error:
        raise Http404("月份不对") from error


@login_required(login_url="admin:login")
def progress_report(request: HttpRequest, year: str, month: str, fmt: str) -> HttpResponse:
    from lianxin.projects.reports import progress_pdf, progress_rows, progress_xlsx

    day = _report_month(int(year), int(month))
    paths = {p.region.path for p in s.project_list_visible_to(user=request.user, year=day.year)}
    if not paths or not all(can_manage_projects(request.user, path) for path in paths):
        raise Http404("没有可查看的项目")
    data = progress_rows(user=request.user, year=day.year, month=day)
    if fmt == "xlsx":
        body, kind = progress_xlsx(data), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = progress_pdf(data), "application/pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="projects-{day:%Y-%m}.{fmt}"'
    return response
