"""The deputies' phone pages of supervision (issue 19), under /w/supervision/: the supervision items of their groups
with the record and, while it is open, the satisfaction vote (once, secret); their 约见 (a new request, and each
one's arrangement, record and the organ's follow-up); their 直通车 with the organ's reply.

Reads start from the deputy's own rows (lianxin.supervision.selectors), so another deputy's 约见 or an item of
another group is a 404; writes go through lianxin.supervision.services. Included by lianxin/workbench/urls.py."""

import datetime

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.actors import account_of
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.errors import DomainError
from lianxin.deputies.models import SERVING_STATUSES, Deputy
from lianxin.supervision import services
from lianxin.supervision.models import ItemVote, Meeting, SupervisionItem, Verdict
from lianxin.supervision.selectors import direct_line_reply, direct_lines_visible_to, item_records, items_of_deputy
from lianxin.workbench.views import deputy_required
from lianxin.workdays.calendar import CHINA


def _deputy(request: HttpRequest) -> Deputy:
    deputy: Deputy = request.deputy  # type: ignore[attr-defined]
    return deputy


def _my_meetings(deputy: Deputy) -> QuerySet[Meeting]:
    return Meeting.objects.filter(deputies=deputy).select_related("organ", "region").order_by("-created_at", "-id")


def _organs(deputy: Deputy) -> QuerySet[ResponsibleUnit]:
    """The state organs of the congresses the deputy serves in (a county deputy asks to meet county organs)."""
    regions = deputy.mandates.filter(status__in=SERVING_STATUSES).values_list("congress_region", flat=True)
    return ResponsibleUnit.objects.filter(is_active=True, region__in=list(regions)).order_by("name")


@deputy_required
def home(request: HttpRequest) -> HttpResponse:
    deputy = _deputy(request)
    items = list(items_of_deputy(deputy=deputy)[:50])
    voted = set(ItemVote.objects.filter(deputy=deputy).values_list("item_id", flat=True))
    lines = direct_lines_visible_to(user=account_of(request)).filter(suggestion__lead_deputy=deputy)
    context = {
        "items": [{"item": i, "to_vote": i.evaluation_open and i.pk not in voted} for i in items],
        "meetings": _my_meetings(deputy)[:50],
        "lines": [{"line": line, "reply": direct_line_reply(line)} for line in lines[:50]],
    }
    return render(request, "workbench/supervision/home.html", context)


@deputy_required
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    deputy = _deputy(request)
    found = items_of_deputy(deputy=deputy).filter(pk=item_id).first()
    if found is None:
        raise Http404()
    voted = ItemVote.objects.filter(item=found, deputy=deputy).exists()
    context = {
        "item": found,
        "records": [r for r in item_records(item=found) if r.kind != "evaluation" or found.status == "evaluated"],
        "voted": voted,
        "may_vote": found.evaluation_open and not voted,
        "verdicts": Verdict.choices,
        "result": services.evaluation_result(found) if found.status == "evaluated" else None,
    }
    return render(request, "workbench/supervision/item.html", context)


@require_POST
@deputy_required
def vote(request: HttpRequest, item_id: int) -> HttpResponse:
    deputy = _deputy(request)
    found: SupervisionItem | None = items_of_deputy(deputy=deputy).filter(pk=item_id).first()
    if found is None:
        raise Http404()
    try:
        services.item_vote(actor=account_of(request), item=found, verdict=request.POST.get("verdict", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已投票。测评不记名，只统计票数。")
    return redirect("workbench:supervision_item", found.pk)


@deputy_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    deputy = _deputy(request)
    organs = _organs(deputy)
    values = {
        "proposed_at": (timezone.localtime(timezone.now(), CHINA) + datetime.timedelta(days=7)).strftime(
            "%Y-%m-%dT09:00"
        )
    }
    if request.method == "POST":
        data = request.POST
        values = {k: data.get(k, "") for k in ("organ", "subject", "organ_head", "proposed_at", "detail")}
        try:
            key = data.get("organ", "")
            organ = organs.filter(pk=int(key)).first() if key.isdigit() else None
            if organ is None:
                raise DomainError("field_required", "被约见机关: 请选择", field="organ")
            try:
                moment = datetime.datetime.fromisoformat(data.get("proposed_at", "")).replace(tzinfo=CHINA)
            except ValueError:
                raise DomainError("field_invalid", "建议时间: 应为日期和时间", field="proposed_at") from None
            meeting = services.meeting_request(
                actor=account_of(request),
                organ=organ,
                subject=data.get("subject", ""),
                organ_head=data.get("organ_head", ""),
                detail=data.get("detail", ""),
                proposed_at=moment,
                deputies=[deputy],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "约见申请已提交，人大工作人员安排后会通知您")
            return redirect("workbench:supervision_meeting", meeting.pk)
    return render(request, "workbench/supervision/meeting_new.html", {"organs": organs, "values": values})


@deputy_required
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _my_meetings(_deputy(request)).filter(pk=meeting_id).first()
    if found is None:
        raise Http404()
    return render(
        request,
        "workbench/supervision/meeting.html",
        {"m": found, "deputies": list(found.deputies.order_by("name_stroke_key"))},
    )


urlpatterns = [
    path("", home, name="supervision"),
    path("items/<int:item_id>", item, name="supervision_item"),
    path("items/<int:item_id>/vote", vote, name="supervision_vote"),
    path("meetings/new", meeting_new, name="supervision_meeting_new"),
    path("meetings/<int:meeting_id>", meeting, name="supervision_meeting"),
]
