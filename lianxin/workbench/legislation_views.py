"""The deputies' phone pages of legislation (issue 19). Included by lianxin/workbench/urls.py under legislation/."""

urlpatterns: list = []
