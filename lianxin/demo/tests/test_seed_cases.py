"""The demo's year of cases: every channel, category and outcome, statistics like 德清's, texts and handling times
like real ones. Uses the package's one seed (conftest.py)."""

import csv
import datetime
import statistics
from collections import Counter

from django.db.models import Count, Sum
from django.utils import timezone

from lianxin.cases.models import (
    RESOLVED_STATUSES,
    Case,
    CaseEvent,
    Category,
    Channel,
    Handling,
    Rating,
    ReceptionSession,
    ResponsibleUnit,
    Status,
)
from lianxin.demo.seed.case_summary import case_summary, handling_workdays
from lianxin.deputies.models import SERVING_STATUSES, Deputy
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.regions.models import Grid, RegionLevel
from lianxin.workdays.calendar import CHINA


def test_about_3300_cases_over_the_last_year_and_a_year_before_ending_before_today(county):
    today = timezone.localdate()
    midnight = datetime.datetime.combine(today, datetime.time(), tzinfo=CHINA)
    last_year = midnight - datetime.timedelta(days=365)
    assert 3200 <= Case.objects.filter(registered_at__gte=last_year).count() <= 3400
    first = Case.objects.order_by("registered_at").first().registered_at
    assert last_year - datetime.timedelta(days=366) <= first
    assert not Case.objects.filter(registered_at__gte=midnight).exists()
    assert not CaseEvent.objects.filter(created_at__gte=midnight).exists()


def test_every_channel_category_handling_and_outcome_is_present(county):
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    # (A case gets its category when accepted; the few not yet accepted have none.)
    categories = set(Case.objects.exclude(category=None).values_list("category__code", flat=True))
    assert categories == set(Category.objects.values_list("code", flat=True))
    assert set(Case.objects.exclude(handling="").values_list("handling", flat=True)) == set(Handling.values)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.PUBLISHED, Status.RATED, Status.TRANSFERRED, Status.SUPERVISING} <= statuses
    assert set(Case.objects.exclude(rating="").values_list("rating", flat=True)) == set(Rating.values)
    assert Case.objects.filter(is_overdue=True).exists() and Case.objects.filter(is_supervised=True).exists()
    assert Case.objects.filter(reopen_count=1).exists()
    masters = Case.objects.annotate(n=Count("merged_cases")).filter(n__gte=2)
    assert 10 <= masters.count() <= 24 and all(m.scope == "common" for m in masters)  # two years
    children = Case.objects.exclude(master=None)
    assert not children.filter(status__in=[Status.REGISTERED, Status.ACCEPTED]).exists()
    assert children.filter(events__action="follow_master").distinct().count() >= 0.9 * children.count()


def test_the_statistics_look_like_deqings(county, seeded):
    summary = case_summary()
    assert summary.resolved / summary.cases >= 0.95  # 办结率, 德清 98 %
    assert 0.01 <= summary.open / summary.cases <= 0.05
    assert 0.60 <= summary.online / summary.cases <= 0.75  # 德清 2,236 of 3,276
    assert summary.satisfied / summary.rated >= 0.85
    assert 3 <= summary.mean_workdays <= 7  # 平均办结时间: under a week
    received = ReceptionSession.objects.aggregate(n=Sum("people_received"))["n"]
    assert received > Case.objects.filter(channel__in=[Channel.STATION, Channel.MOBILE]).count() * 3
    for session in ReceptionSession.objects.annotate(n=Count("cases")):
        assert session.people_received >= session.n and session.ended_at > session.started_at
    assert not Case.objects.filter(channel=Channel.STATION, session=None).exists()
    assert f"意见建议：近一年 {summary.cases} 件（线上" in seeded.output
    assert f"上一年 {summary.previous} 件，其中线上 {summary.previous_online} 件" in seeded.output


def test_cases_reach_every_serving_deputy_with_a_grid_and_every_grid(county):
    serving = Deputy.objects.filter(mandates__status__in=SERVING_STATUSES, grid_assignments__isnull=False).distinct()
    without = serving.exclude(pk__in=Case.objects.exclude(deputy=None).values("deputy"))
    assert without.count() <= 0.1 * serving.count()
    assert not Grid.objects.exclude(pk__in=Case.objects.exclude(grid=None).values("grid")).exists()


def test_units_serve_the_county_and_every_town_and_the_demo_unit_handles_one(county):
    county_units = ResponsibleUnit.objects.filter(region=county)
    assert {"县住建局", "县交通运输局", "县公安局", "县教育局"} <= set(county_units.values_list("name", flat=True))
    towns = county.children.filter(level=RegionLevel.TOWNSHIP)
    assert ResponsibleUnit.objects.filter(region__in=towns).count() == towns.count()
    for unit in ResponsibleUnit.objects.prefetch_related("serves", "categories"):
        assert [r.pk for r in unit.serves.all()] == [unit.region_id] and unit.categories.exists()
    handled = ResponsibleUnit.objects.get(handlers__username="unit")
    assert handled.name == "县住建局" and handled.cases.exists()
    assert CaseEvent.objects.filter(action="reply", actor_label="县住建局").exists()


def test_every_case_went_through_the_loop_in_time_order(county):
    events = CaseEvent.objects.order_by("case_id", "created_at", "id").values_list(
        "case_id", "action", "from_status", "to_status", "created_at"
    )
    last: dict[int, tuple[str, datetime.datetime]] = {}
    for case_id, action, source, target, at in events:
        if action == "register":
            assert case_id not in last
        else:
            assert last[case_id][0] == source and last[case_id][1] <= at
        last[case_id] = (target, at)
    assert {case_id: status for case_id, (status, _) in last.items()} == dict(Case.objects.values_list("id", "status"))
    # The year's notifications are history: none is left for the worker to send.
    assert Notification.objects.exists()
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_generated_texts_and_handling_times_look_like_real_ones(county, shared_data):
    """A sanity check, not a proof: the generated messages are about as long as real citizens' messages, and
    the time to a reply is of the same order as real governments' reply delays."""
    with open(shared_data / "govmsg" / "messages.csv", encoding="utf-8-sig", newline="") as handle:
        real_lengths = [len(row["留言详情"].strip()) for row in csv.DictReader(handle)]
    online = Case.objects.filter(channel=Channel.ONLINE).values_list("body", flat=True)
    ours = statistics.median(len(body) for body in online)
    real = statistics.median(real_lengths)
    assert real / 2 <= ours <= real * 2, (ours, real)
    lengths = Counter(len(body) // 50 for body in Case.objects.values_list("body", flat=True))
    assert len(lengths) >= 4  # short notes and long messages, not one length

    with open(shared_data / "govmsg" / "replies.csv", encoding="utf-8-sig", newline="") as handle:
        delays = []
        for row in csv.DictReader(handle):
            asked, answered = _parse(row["留言时间"]), _parse(row["答复时间"])
            if asked and answered and answered >= asked:
                delays.append((answered - asked).total_seconds() / 86400)
    real_days = statistics.median(delays)
    transferred = Case.objects.filter(handling=Handling.TRANSFERRED, replied_at__isnull=False)
    our_days = statistics.median(
        (c.replied_at - c.registered_at).total_seconds() / 86400
        for c in transferred.only("replied_at", "registered_at")
    )
    assert real_days / 10 <= our_days <= real_days * 10, (our_days, real_days)
    resolved = [handling_workdays(c) for c in Case.objects.filter(status__in=RESOLVED_STATUSES)]
    assert max(d for d in resolved if d is not None) <= 60


def _parse(text: str) -> datetime.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None
