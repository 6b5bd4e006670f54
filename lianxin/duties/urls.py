from django.urls import path

from lianxin.duties import views

app_name = "duties"

urlpatterns = [
    path("record/<int:deputy_id>/<int:year>.pdf", views.record_pdf, name="record_pdf"),
]
