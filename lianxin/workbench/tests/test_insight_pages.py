"""我的数据 (/w/insight/): a deputy's own figures and a place's for its staff, counted by the statistics' measures
(equal to case_statistics for the deputy's own account, which sees exactly the cases that came to them), the months
of the period with their table; another deputy's cases and another place's are not counted; another place is a 404;
who is neither a deputy nor place staff gets the workbench's 403 page."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lianxin.cases.models import Case, ReceptionKind, ReceptionSession
from lianxin.cases.reports import case_statistics
from lianxin.cases.tests.conftest import loop  # noqa: F401
from lianxin.cases.workflow import Action, case_transition
from lianxin.deputies.models import Deputy
from lianxin.venues.models import Place, PlaceKind
from lianxin.workdays.calendar import CHINA

MINE = "/w/insight/"


@pytest.fixture(autouse=True)
def _clock():
    """Late in a year, so that the cases of its first months are all in the past whatever day the tests run."""
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=CHINA), tick=True):
        yield


@pytest.fixture
def cases(loop, personas, regions):  # noqa: F811
    """This year: 4 cases to the deputy (2 answered, 1 rated satisfied) at the 居仁 station, 3 to another deputy
    at 城东's, one closed reception of 6 people and an open one by the deputy; last year 2 to the deputy."""
    today = timezone.localdate()
    first = datetime.datetime(today.year, 1, 5, 10, tzinfo=CHINA)
    station = Place.objects.create(kind=PlaceKind.STATION, name="居仁社区代表工作站", region=regions.jueren)
    other_place = Place.objects.create(kind=PlaceKind.STATION, name="城东村代表联络站", region=regions.chengdong)
    other = Deputy.objects.create(name="王二", gender="male")
    mine = [
        loop.register(registered_at=first + datetime.timedelta(days=31 * n), category=loop.category) for n in range(4)
    ]
    for case in mine[:2]:
        case_transition(case=case, action=Action.ACCEPT, actor=personas.county_staff, note="", params={})
        case_transition(case=case, action=Action.ANSWER, actor=personas.county_staff, note="", params={"reply": "已修"})
    Case.objects.filter(pk=mine[0].pk).update(rating="satisfied")
    Case.objects.filter(pk__in=[c.pk for c in mine]).update(place=station)
    theirs = [loop.register(registered_at=first, deputy=other, region=regions.chengdong) for _ in range(3)]
    Case.objects.filter(pk__in=[c.pk for c in theirs]).update(place=other_place)
    for _ in range(2):
        loop.register(registered_at=first.replace(year=today.year - 1))
    ReceptionSession.objects.create(
        kind=ReceptionKind.STATION,
        deputy=loop.deputy,
        place=station,
        region=regions.jueren,
        started_at=first,
        ended_at=first + datetime.timedelta(hours=2),
        people_received=6,
    )
    ReceptionSession.objects.create(
        kind=ReceptionKind.STATION, deputy=loop.deputy, place=station, region=regions.jueren, started_at=first
    )
    return station, other_place


def _shown(response) -> dict[str, str]:
    return {key: value for key, _, value, _ in response.context["kpis"]}


def test_a_deputy_sees_their_own_figures_for_this_year(client, cases, personas, loop):  # noqa: F811
    client.force_login(personas.deputy)
    response = client.get(MINE)
    assert response.status_code == 200
    f = response.context["f"]
    assert (f.received, f.accepted, f.resolved, f.rated, f.satisfied) == (4, 2, 2, 1, 1)
    assert (f.sessions, f.people_received) == (2, 6)
    today = timezone.localdate()
    stats = case_statistics(user=personas.deputy, region=None, start=datetime.date(today.year, 1, 1), end=today)
    totals = stats.totals
    assert (f.received, f.resolved, f.resolution_rate, f.satisfaction_rate, f.overdue) == (
        totals.received,
        totals.resolved,
        totals.resolution_rate,
        totals.satisfaction_rate,
        totals.overdue,
    )
    shown = _shown(response)
    assert (shown["received"], shown["resolution_rate"], shown["satisfaction_rate"]) == ("4", "100.0%", "100.0%")
    months = response.context["months"]
    assert len(months) == today.month and sum(m["received"] for m in months) == 4
    page = response.content.decode()
    assert "沈建国代表的数据" in page and 'id="table-months"' in page and 'data-chart="chart-months"' in page

    last_year = client.get(MINE, {"period": str(today.year - 1)})
    assert last_year.context["f"].received == 2 and len(last_year.context["months"]) == 12
    bad = client.get(MINE, {"period": "2026-13"})
    assert bad.status_code == 400 and "月份应为 1–12" in bad.content.decode()


def test_place_staff_see_their_places_figures_and_not_anothers(client, cases, personas, regions):
    station, other_place = cases
    client.force_login(personas.place_staff)  # 居仁's place staff
    response = client.get(reverse("workbench:insight_place", args=[station.pk]))
    assert response.status_code == 200
    f = response.context["f"]
    assert (f.received, f.resolved, f.sessions, f.people_received) == (4, 2, 2, 6)
    assert "居仁社区代表工作站的数据" in response.content.decode()
    assert client.get(reverse("workbench:insight_place", args=[other_place.pk])).status_code == 404
    client.force_login(personas.county_staff)  # the county's staff handle 城东's cases: its place counts 3
    response = client.get(reverse("workbench:insight_place", args=[other_place.pk]))
    assert response.context["f"].received == 3


def test_who_is_not_a_deputy_gets_the_workbench_403(client, cases, personas):
    client.force_login(personas.place_staff)
    assert client.get(MINE).status_code == 403
    client.force_login(personas.unit_handler)
    assert client.get(reverse("workbench:insight_place", args=[cases[0].pk])).status_code in (403, 404)
