"""The staff home (工作台首页): the to-do counts of the person's scope, each opening the case list filtered to
exactly those cases, and the latest steps of the cases they may see."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from lianxin.cases.models import Status
from lianxin.cases.queues import event_label, events_recent_visible_to
from lianxin.office.access import office_required
from lianxin.office.cases_list import SORTED_BY_DUE, bucket_counts, buckets_for, case_url
from lianxin.office.suggestions_list import todo_cards as suggestion_todo_cards

RECENT_EVENTS = 15


def _card_query(key: str) -> dict[str, str]:
    return {"bucket": key, "sort": "due"} if key in SORTED_BY_DUE else {"bucket": key}


@office_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    counts = bucket_counts(user, now)
    cases_url = reverse("office:cases")
    cards = [
        {
            "key": bucket.key,
            "label": bucket.label,
            "hint": bucket.hint,
            "count": counts[bucket.key],
            "url": f"{cases_url}?{urlencode(_card_query(bucket.key))}",
        }
        for bucket in buckets_for(user)
    ]
    activity = [
        {
            "event": event,
            "label": event_label(event.action),
            "to_status": Status(event.to_status).label if event.to_status in Status.values else "",
            "url": case_url(event.case_id),
        }
        for event in events_recent_visible_to(user=user, limit=RECENT_EVENTS)
    ]
    # 代表建议: the to-dos of staff who manage suggestions and of units' handlers (empty for the others).
    suggestion_cards = suggestion_todo_cards(user)
    return render(
        request, "office/home.html", {"cards": cards, "activity": activity, "suggestion_cards": suggestion_cards}
    )
