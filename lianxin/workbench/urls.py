from django.contrib.auth import views as auth_views
from django.urls import include, path

from lianxin.workbench import duty_views, grid_views, suggestion_views, views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="workbench:login"), name="logout"),
    path("cases/<int:case_id>", views.case_detail, name="case"),
    path("cases/<int:case_id>/act", views.case_act, name="case_act"),
    path("diary", views.diary, name="diary"),
    path("places/<int:place_id>/month", views.place_month, name="place_month"),
    path("places/<int:place_id>/roster", views.place_roster, name="place_roster"),
    path("reception/new", views.reception_new, name="reception_new"),
    path("reception/<int:session_id>", views.reception, name="reception"),
    path("suggestions/", suggestion_views.suggestion_list, name="suggestions"),
    path("suggestions/new", suggestion_views.suggestion_new, name="suggestion_new"),
    path("suggestions/<int:suggestion_id>", suggestion_views.suggestion_detail, name="suggestion"),
    path("suggestions/<int:suggestion_id>/act", suggestion_views.suggestion_act, name="suggestion_act"),
    path("suggestions/<int:suggestion_id>/edit", suggestion_views.suggestion_edit, name="suggestion_edit"),
    path("suggestions/<int:suggestion_id>/invite", suggestion_views.suggestion_invite, name="suggestion_invite"),
    path("suggestions/<int:suggestion_id>/attach", suggestion_views.suggestion_attach, name="suggestion_attach"),
    path("suggestions/<int:suggestion_id>/sources", suggestion_views.suggestion_source, name="suggestion_source"),
    path(
        "suggestions/<int:suggestion_id>/attachments/<int:file_id>",
        suggestion_views.suggestion_file,
        {"kind": "attachment"},
        name="suggestion_attachment",
    ),
    path(
        "suggestions/<int:suggestion_id>/letters/<int:file_id>",
        suggestion_views.suggestion_file,
        {"kind": "letter"},
        name="suggestion_letter",
    ),
    path("supervision/", include("lianxin.workbench.supervision_views")),  # 监督、约见、直通车 (issue 19)
    path("legislation/", include("lianxin.workbench.legislation_views")),  # 立法意见 (issue 19)
    path("insight/", include("lianxin.workbench.insight_views")),  # 我的数据 (issue 18)
    path("integrity/", include("lianxin.workbench.integrity_views")),  # 廉情监测 (issue 19)
    path("duties/", duty_views.my_duties, name="duties"),
    path("duties/activities/<int:activity_id>", duty_views.activity, name="duty_activity"),
    path("duties/pledges", duty_views.pledges, name="duty_pledges"),
    path("duties/score", duty_views.score, name="duty_score"),
    path("diary/<int:entry_id>/to-case", duty_views.diary_to_case_view, name="diary_to_case"),
    path("signin/<str:code>/", duty_views.signin, name="signin"),
    path("grid/", grid_views.grid_home, name="grid_home"),
    path("grid/report", grid_views.grid_report, name="grid_report"),
    path("grid/cases/<int:case_id>", grid_views.grid_case, name="grid_case"),
    path("grid/cases/<int:case_id>/act", grid_views.grid_case_act, name="grid_case_act"),
    path("grid/cases/<int:case_id>/photos/<int:photo_id>", grid_views.grid_photo, name="grid_photo"),
]
