from django.urls import path

from lianxin.privacy import views

app_name = "privacy"

urlpatterns = [path("", views.notice, name="notice")]
