"""约见 and 直通车 pages: the 约见 list with a request entered for deputies, a 约见's page (arrange, decline, record,
the organ's follow-up), and the 直通车 list with an interval suggestion sent straight to its organ."""

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.roles import Perm
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy
from lianxin.office.supervision.common import (
    get_or_404,
    parse_date,
    parse_datetime,
    pick,
    refused,
    staff,
    supervision_required,
    tabs,
)
from lianxin.suggestions.models import SessionKind, Suggestion
from lianxin.suggestions.models import Status as SuggestionStatus
from lianxin.supervision import services
from lianxin.supervision.models import DirectLine, Meeting, MeetingStatus
from lianxin.supervision.selectors import direct_line_reply

PAGE_SIZE = 100


def _scope(user: Any) -> Any:
    return region_scope_q(user, "region__path", Perm.MANAGE_SUPERVISION)


def _units(user: Any) -> Any:
    return ResponsibleUnit.objects.filter(_scope(user), is_active=True).order_by("region__path", "name")


def _deputies(user: Any) -> Any:
    return Deputy.objects.visible_to(user).serving().order_by("name_stroke_key", "id")


@supervision_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    rows = Meeting.objects.filter(_scope(request.user)).select_related("region", "organ")
    by_status = {r["status"]: r["n"] for r in rows.values("status").annotate(n=Count("id")).order_by()}
    status = request.GET.get("status", "")
    if status in MeetingStatus.values:
        rows = rows.filter(status=status)
    if request.method == "POST":
        data = request.POST
        try:
            organ = pick(_units(request.user), data.get("organ"), "organ", "被约见机关")
            deputies = list(_deputies(request.user).filter(pk__in=[d for d in data.getlist("deputies") if d.isdigit()]))
            meeting = services.meeting_request(
                actor=staff(request),
                organ=organ,
                subject=data.get("subject", ""),
                detail=data.get("detail", ""),
                organ_head=data.get("organ_head", ""),
                proposed_at=parse_datetime(data.get("proposed_at", ""), "proposed_at", "建议时间"),
                deputies=deputies,
            )
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, "约见申请已登记")
            return redirect("office:supervision_meeting", meeting.pk)
    context = {
        "tabs": tabs(request),
        "rows": rows.prefetch_related("deputies")[:PAGE_SIZE],
        "counts": [{"status": v, "label": lbl, "n": by_status.get(v, 0)} for v, lbl in MeetingStatus.choices],
        "status": status,
        "units": _units(request.user)[:500],
        "deputies": _deputies(request.user)[:1000],
        "default_at": (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT09:00"),
    }
    return render(request, "office/supervision/meetings.html", context)


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    meeting: Meeting = get_or_404(
        Meeting.objects.filter(_scope(request.user)).select_related("region", "organ", "activity"), pk
    )
    return meeting


@supervision_required
def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    context = {
        "tabs": tabs(request),
        "m": meeting,
        "deputies": list(meeting.deputies.order_by("name_stroke_key")),
        "events": list(meeting.events.order_by("created_at", "id")),
        "default_at": timezone.localtime(
            max(meeting.proposed_at, timezone.now() + datetime.timedelta(hours=1))
        ).strftime("%Y-%m-%dT%H:%M"),
        "started": meeting.scheduled_at is not None and meeting.scheduled_at <= timezone.now(),
    }
    return render(request, "office/supervision/meeting.html", context)


@require_POST
@supervision_required
def meeting_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    data = request.POST
    done = {
        "arrange": "约见已安排，已通知代表",
        "decline": "已答复不予安排",
        "record": "约见记录已登记",
        "followup": "办理反馈已登记",
    }
    if action not in done:
        raise Http404("没有这一操作")
    try:
        if action == "arrange":
            services.meeting_arrange(
                actor=staff(request),
                meeting=meeting,
                scheduled_at=parse_datetime(data.get("scheduled_at", ""), "scheduled_at", "约见时间"),
                place=data.get("place", ""),
                attendees=data.get("attendees", ""),
            )
        elif action == "decline":
            services.meeting_decline(actor=staff(request), meeting=meeting, reason=data.get("reason", ""))
        elif action == "record":
            ids = [int(d) for d in data.getlist("present") if d.isdigit()]
            due = data.get("followup_due", "")
            services.meeting_record(
                actor=staff(request),
                meeting=meeting,
                record=data.get("record", ""),
                present=list(meeting.deputies.filter(pk__in=ids)),
                followup_due=parse_date(due, "followup_due", "反馈期限") if due else None,
            )
        elif action == "followup":
            meeting = services.meeting_followup(actor=staff(request), meeting=meeting, text=data.get("followup", ""))
            if meeting.followup_late:
                done["followup"] = "办理反馈已登记（已过期限，标记为迟交）"
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, done[action])
    return redirect("office:supervision_meeting", meeting.pk)


@supervision_required
def direct_list(request: HttpRequest) -> HttpResponse:
    lines = DirectLine.objects.filter(_scope(request.user)).select_related("suggestion", "suggestion__lead_deputy")
    waiting = (
        Suggestion.objects.filter(
            session__kind=SessionKind.INTERVAL,
            status__in=[
                SuggestionStatus.DRAFT,
                SuggestionStatus.COLLECTING,
                SuggestionStatus.SUBMITTED,
                SuggestionStatus.PRE_REVIEWED,
                SuggestionStatus.ACCEPTED,
            ],
        )
        .filter(region_scope_q(request.user, "region__path", Perm.MANAGE_SUGGESTIONS))
        .exclude(pk__in=DirectLine.objects.values("suggestion"))
        .select_related("lead_deputy")
        .order_by("-id")
    )
    if request.method == "POST":
        data = request.POST
        try:
            suggestion = pick(waiting, data.get("suggestion"), "suggestion", "代表建议")
            unit = pick(_units(request.user), data.get("unit"), "unit", "承办机关")
            try:
                days = int(data.get("reply_days") or services.DIRECT_LINE_DAYS)
            except ValueError:
                raise DomainError("field_invalid", "答复期限: 应为工作日数", field="reply_days") from None
            services.direct_line_send(
                actor=staff(request), suggestion=suggestion, unit=unit, urgency=data.get("urgency", ""), reply_days=days
            )
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, "已直通交办，承办机关已收到通知")
            return redirect("office:supervision_direct")
    rows = [{"line": line, "reply": direct_line_reply(line)} for line in lines[:PAGE_SIZE]]
    context = {
        "tabs": tabs(request),
        "rows": rows,
        "waiting": waiting[:200],
        "units": _units(request.user)[:500],
        "default_days": services.DIRECT_LINE_DAYS,
    }
    return render(request, "office/supervision/direct.html", context)
