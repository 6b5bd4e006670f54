from django.urls import include, path

from lianxin.office import cases_list, jobs_views, suggestions_list, views
from lianxin.office.print_views import urlpatterns as print_urlpatterns

app_name = "office"

urlpatterns = [
    path("cases/<int:pk>/", include("lianxin.office.case_page")),
    path("hotspots/", include("lianxin.office.hotspots_page")),
    path("desk/", include("lianxin.office.desk_page")),
    path("suggestions/stats/", include("lianxin.office.suggestions_stats")),
    path("", views.home, name="home"),
    path("cases/", cases_list.cases_list, name="cases"),
    path("cases/bulk/", cases_list.cases_bulk, name="cases_bulk"),
    path("cases/views/", cases_list.saved_view_create, name="cases_view_save"),
    path("cases/views/<int:view_id>/delete/", cases_list.saved_view_remove, name="cases_view_delete"),
    *jobs_views.urlpatterns,  # jobs/: 导入与任务
    path("suggestions/<int:pk>/", include("lianxin.office.suggestion_page")),
    *suggestions_list.urlpatterns,  # suggestions/: 代表建议
    path("duties/", include("lianxin.office.duties")),  # 代表履职 (issue 17)
    path("reports/", include("lianxin.office.reports_page")),  # 统计报表 (issue 18)
    path("insight/", include("lianxin.office.insight")),  # 数据看板 (issue 18)
    path("supervision/", include("lianxin.office.supervision")),  # 监督与约见 (issue 19)
    path("legislation/", include("lianxin.office.legislation")),  # 立法联系点 (issue 19)
    path("integrity/", include("lianxin.office.integrity")),  # 廉情监测 (issue 19)
    path("circle/", include("lianxin.office.circle_page")),  # 代表服务圈 (issue 20)
]
urlpatterns += print_urlpatterns
