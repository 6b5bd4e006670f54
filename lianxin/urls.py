from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from lianxin.api.v1 import api
from lianxin.ops.metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("metrics", metrics_view, name="metrics"),
    path("open311/v2/", include("lianxin.open311.urls")),
    path("privacy/", include("lianxin.privacy.urls")),
    path("privacy/", include("lianxin.privacy.urls")),
    path("w/", include("lianxin.workbench.urls")),
    path("accounts/", include("lianxin.accounts.urls")),  # staff's second factor
    path("", include("lianxin.projects.urls")),
    path("", include("lianxin.portal.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
