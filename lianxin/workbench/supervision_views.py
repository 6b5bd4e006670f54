"""The deputies' phone pages of supervision (issue 19). Included by lianxin/workbench/urls.py under supervision/."""

urlpatterns: list = []
