"""The public pages of the legislative contact points (issue 19): drafts by article and comments. Included by
lianxin/portal/urls.py under laws/."""

urlpatterns: list = []
