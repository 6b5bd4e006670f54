"""The project's URLs with the deputies' 廉情监测 page wired in as lianxin/workbench/urls.py will have it
(`path("integrity/", include("lianxin.workbench.integrity_views"))`), for the page's tests until then."""

from django.urls import include, path

from lianxin.urls import urlpatterns as root
from lianxin.workbench import urls as workbench

patterns = [path("integrity/", include("lianxin.workbench.integrity_views")), *workbench.urlpatterns]
urlpatterns = [path("w/", include((patterns, "workbench"))), *root]
