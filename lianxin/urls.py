from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from lianxin.api.v1 import api
from lianxin.ops.metrics import metrics_view

# People get Chinese pages (lianxin/templates/400.html …), the API its JSON errors.
handler400 = "lianxin.core.error_views.bad_request"
handler403 = "lianxin.core.error_views.permission_denied"
handler404 = "lianxin.core.error_views.page_not_found"
handler500 = "lianxin.core.error_views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("metrics", metrics_view, name="metrics"),
    path("open311/v2/", include("lianxin.open311.urls")),
    path("privacy/", include("lianxin.privacy.urls")),
    path("w/", include("lianxin.workbench.urls")),
    path("office/", include("lianxin.office.urls")),
    path("duties/", include("lianxin.duties.urls")),
    path("accounts/", include("lianxin.accounts.urls")),  # staff's second factor
    path("", include("lianxin.projects.urls")),
    path("", include("lianxin.portal.urls")),
    # The bare address is what a resident types or a poster's short link leaves: the public home, not the staff
    # login (staff have /office/ and /admin/).
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
]
