"""代表履职 in the office (issue 17): activities, the compliance board, scoring and honours, duty funds; for staff
holding manage_duties. Included by lianxin/office/urls.py under duties/."""

from django.shortcuts import redirect
from django.urls import include, path

from lianxin.office.duties.common import duties_required


@duties_required
def duties_home(request):
    return redirect("office:duty_activities")


urlpatterns = [
    path("", duties_home, name="duties"),
    path("activities/", include("lianxin.office.duties.signin")),
    path("activities/", include("lianxin.office.duties.activities")),
    path("board/", include("lianxin.office.duties.board")),
    path("scores/", include("lianxin.office.duties.scores")),
    path("funds/", include("lianxin.office.duties.funds")),
    path("trainings/", include("lianxin.office.duties.trainings")),
]
