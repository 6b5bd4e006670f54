"""The privacy notice (个人信息保护说明) every public form links to: what is collected, why, who sees it, how long."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/notice.html",
        {
            "contact_years": settings.RETENTION_CASE_CONTACT_YEARS,
            "submission_days": settings.RETENTION_SUBMISSION_DAYS,
            "notification_days": settings.RETENTION_NOTIFICATION_DAYS,
            "proposal_years": settings.RETENTION_PROPOSAL_CONTACT_YEARS,
            "controller": settings.PRIVACY_CONTROLLER,
            "contact": settings.PRIVACY_CONTACT,
        },
    )
