from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lianxin.office.access import office_required


@office_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "office/home.html", {})
