"""建议办理统计: the handling figures of the suggestions (issue 16) per unit, congress level or session, filtered by
session and year; a satisfaction below Lanzhou's target (95 %) is marked. The export button starts the statistics
export as a long job (lianxin.ops.longjob_kinds) and opens its page, like every export of the office; the session
list gives each session's number for the other suggestion jobs (交办清单, 汇编, 导入).

For congress staff (manage_suggestions); the figures come from `suggestion_statistics(user=…)`, which starts from
the suggestions the user may see. A session outside the user's scope is a 404, as one that does not exist.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError
from lianxin.office.access import office_required
from lianxin.ops.longjobs import job_start
from lianxin.suggestions.exports import GROUPINGS, SATISFACTION_TARGET, TAB_TITLES, below_target
from lianxin.suggestions.models import Session
from lianxin.suggestions.selectors import Figures, sessions_visible_to, statistics_total, suggestion_statistics

# The other suggestion jobs a clerk starts from here, with the session's number.
SESSION_JOBS = (
    ("suggestions_assignment_list", "导出交办清单"),
    ("suggestions_compile", "生成汇编"),
    ("suggestions_import", "导入建议议案"),
)


class StatsFilter(forms.Form):
    session = forms.TypedChoiceField(label="会议", required=False, coerce=int, empty_value=None)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, sessions: list[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "全部会议"), *((s.pk, s.name) for s in sessions)]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _row(figures: Figures, *, total: bool = False) -> dict[str, Any]:
    return {
        "label": figures.label,
        "total": total,
        "assigned": figures.assigned,
        "replied": figures.replied,
        "on_time": _percent(figures.on_time_rate),
        "shares": [_percent(figures.class_share(name)) for name in "ABC"],
        "contact": _percent(figures.contact_rate),
        "rated": figures.rated,
        "satisfaction": _percent(figures.satisfaction_rate),
        "below": below_target(figures),
        "rehandled": figures.rehandled,
    }


def _staff_sessions(user: Any) -> list[Session]:
    """The sessions of the congresses the user works for (not those a deputy-staff member merely signed)."""
    return [
        s
        for s in sessions_visible_to(user=user).select_related("congress_region")
        if may(user, Perm.MANAGE_SUGGESTIONS, s.congress_region.path)
    ]


@office_required
def stats(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may(user, Perm.MANAGE_SUGGESTIONS):
        return render(request, "office/suggestions/none.html", status=403)
    sessions = _staff_sessions(user)
    if request.GET.get("session") and request.GET["session"] not in {str(s.pk) for s in sessions}:
        raise Http404
    form = StatsFilter(request.GET or None, sessions=sessions)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    session, year = data.get("session"), data.get("year")
    by = request.GET.get("by") or "unit"
    if by not in GROUPINGS:
        by = "unit"
    figures = suggestion_statistics(user=user, by=by, session=session, year=year)
    filters = {k: v for k, v in (("session", session), ("year", year)) if v}
    tabs = [
        {"key": key, "label": TAB_TITLES[key], "current": key == by, "url": "?" + urlencode({**filters, "by": key})}
        for key in GROUPINGS
    ]
    context = {
        "form": form,
        "by": by,
        "heading": GROUPINGS[by],
        "tabs": tabs,
        "rows": [_row(f) for f in figures],
        "total": _row(statistics_total(figures), total=True) if figures else None,
        "target": f"{SATISFACTION_TARGET:.0%}",
        "filters": filters,
        "sessions": sessions,
        "session_jobs": SESSION_JOBS,
    }
    return render(request, "office/suggestions/stats.html", context)


@office_required
@require_POST
def stats_export(request: HttpRequest) -> HttpResponse:
    """导出 Excel: the statistics export as a long job with the page's filters; its page shows the progress."""
    if not may(request.user, Perm.MANAGE_SUGGESTIONS):
        return render(request, "office/suggestions/none.html", status=403)
    params = {k: request.POST[k].strip() for k in ("session", "year") if request.POST.get(k, "").strip()}
    try:
        job = job_start(actor=request.user, kind="suggestions_stats_export", params=params)
    except DomainError as exc:
        if exc.field == "session":
            raise Http404 from None
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("office:suggestion_stats") + "?" + urlencode(params))
    return HttpResponseRedirect(reverse("office:job", args=[job.pk]))


# Included by lianxin/office/urls.py under suggestions/stats/.
urlpatterns = [
    path("", stats, name="suggestion_stats"),
    path("export/", stats_export, name="suggestion_stats_export"),
]
