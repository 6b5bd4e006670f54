"""数据看板: the figures of a region (lianxin.insight.figures, read from the rollups, and lianxin.insight.dashboard)
for staff who supervise cases there, as the reports page's users, one page per level — city, county, township,
village and a village's grid —, drilled down by a child region's name in the table or its area on the map.

The address holds the view, so that it can be shared: `?region=CODE` (default: the user's top region), `grid=CODE`
(a grid of that village), `period=2026-11 | 2026-Q4 | 2026` (a complete month, quarter or year; default the last
full month), `category=CODE`, `channel=VALUE`, `unit=ID`, `trend=day | week | month`, `measure=per10k |
resolution | satisfaction` (the map's colour). A region or grid outside the user's scope is a 404, as one that
does not exist; a bad parameter is the page with a Chinese message (400).

Charts are drawn by the portal's charts.js with the vendored ECharts from <script type="application/json"> tables
(the Content-Security-Policy allows no inline script); the map is server-rendered SVG; the tables under them say the
same without JavaScript, and every table exports to .xlsx.

- params: reading the address; build: the figures and the page's parts; svgmap: the map; export: the .xlsx;
  views: the two views.
"""

from django.urls import path

from lianxin.office.insight.views import insight, insight_xlsx

# Included by lianxin/office/urls.py under insight/.
urlpatterns = [
    path("", insight, name="insight"),
    path("insight.xlsx", insight_xlsx, name="insight_xlsx"),
]
