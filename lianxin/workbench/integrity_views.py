"""廉情监测 on the phone (issue 19), under /w/integrity/: a member of a monitoring point (one of its deputies, or its
staff member) reports a clue about a public official's conduct and follows the status of their own clues — the
status only: what the commission does with it stays with integrity staff. Anyone who is neither a member nor a
reporter gets a 404. Writes go through lianxin.integrity.services; reads through lianxin.integrity.selectors.
Included by lianxin/workbench/urls.py."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from lianxin.core.errors import DomainError
from lianxin.integrity import selectors, services
from lianxin.integrity.models import MonitoringPoint
from lianxin.workbench.views import LOGIN_URL


class ReportForm(forms.Form):
    point: forms.ModelChoiceField = forms.ModelChoiceField(
        label="监测点", queryset=MonitoringPoint.objects.none(), empty_label=None
    )
    subject = forms.CharField(label="反映对象（单位、职务）", required=False, max_length=200)
    text = forms.CharField(label="线索内容", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = selectors.points_of_member(user).order_by("region__path", "name")  # type: ignore[attr-defined]


@login_required(login_url=LOGIN_URL)
def integrity_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    points = selectors.points_of_member(user)
    clues = selectors.clue_list_reported_by(user).order_by("-created_at", "-id")
    if not points.exists() and not clues.exists():
        raise Http404("未找到该页面")
    form = ReportForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clue = services.clue_report(actor=user, point=data["point"], subject=data["subject"], text=data["text"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"线索已报告，编号 {clue.number}。办理情况可在本页查看。")
            return redirect("workbench:integrity")
    return render(request, "workbench/integrity/home.html", {"form": form, "points": points, "clues": clues})


urlpatterns = [path("", integrity_home, name="integrity")]
