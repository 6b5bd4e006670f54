from django.urls import include, path, re_path

from lianxin.portal import disclosure_views, duty_views, suggestion_views, views

app_name = "portal"

urlpatterns = [
    path("home/", views.home, name="home"),
    path("d/<str:code>", views.deputy_page, name="deputy"),
    path("d/<str:code>/submit", views.deputy_submit, name="deputy_submit"),
    path("p/<str:code>", views.place_page, name="place"),
    path("p/<str:code>/submit", views.place_submit, name="place_submit"),
    path("receipt/<str:code>", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/<str:code>", views.track_case, name="track_case"),
    path("results/", views.results, name="results"),
    path("results/<int:case_id>", views.result_detail, name="result"),
    path("find/", views.find, name="find"),
    path("laws/", include("lianxin.portal.legislation_views")),  # 立法意见征集 (issue 19)
    path("open/", include(disclosure_views.urlpatterns)),  # 公开问效: /open/ and /open/<county code>/
    path("duties/evaluate/<str:code>/", duty_views.evaluate, name="duty_evaluate"),
    path("suggestions/", suggestion_views.suggestion_list, name="suggestions"),
    path("suggestions/<int:session_id>/<str:kind>/<int:number>", suggestion_views.suggestion_detail, name="suggestion"),
    re_path(r"^(?P<kind>[dp])/(?P<code>\w+)/qr\.(?P<fmt>svg|png)$", views.qr_image, name="qr"),
    re_path(r"^(?P<kind>[dp])/(?P<code>\w+)/poster\.pdf$", views.poster, name="poster"),
    path("posters/<str:region_code>.pdf", views.region_poster_batch, name="posters"),
]
