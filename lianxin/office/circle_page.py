"""代表服务圈 in the office (issue 20): coverage map, uncovered grids, siting proposals. Included by
lianxin/office/urls.py under circle/."""

urlpatterns: list = []
