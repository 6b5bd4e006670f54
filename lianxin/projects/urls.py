from django.urls import path, re_path

from lianxin.projects import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.index, name="index"),
    path("projects/<int:year>/", views.year_page, name="year"),
    path("projects/<int:year>/sites/<int:site_id>", views.site_page, name="site"),
    path("projects/photos/<int:photo_id>", views.photo, name="photo"),
    path("projects/propose/", views.propose, name="propose"),
    path("projects/votes/<int:vote_id>/", views.vote_page, name="vote"),
    path("projects/votes/<int:vote_id>/ballots.csv", views.vote_ballots, name="vote_ballots"),
    re_path(
        r"^projects/report/(?P<year>\d{4})-(?P<month>\d{1,2})\.(?P<fmt>xlsx|pdf)$",
        views.progress_report,
        name="progress_report",
    ),
    path("w/projects/", views.my_projects, name="w_home"),
    path("w/projects/propose", views.deputy_propose, name="w_propose"),
    path("w/projects/sites/<int:site_id>/report", views.report, name="w_report"),
    path("w/projects/votes/<int:vote_id>", views.ballot, name="w_ballot"),
]
