from django.urls import path

from lianxin.portal import views

app_name = "portal"

urlpatterns = [
    path("find/", views.find, name="find"),
]
