from django.contrib.auth import views as auth_views
from django.urls import path

from lianxin.workbench import views

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
]
