from django.http import HttpRequest, HttpResponse


def find(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
