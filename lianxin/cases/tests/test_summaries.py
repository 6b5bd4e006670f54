import datetime

import pytest

from lianxin.cases.summaries import (
    previous_month,
    previous_week,
    summaries_grid_daily,
    summaries_place_weekly,
    summaries_station_monthly,
)
from lianxin.deputies.models import DutyShift, GridAssignment, GridWorker
from lianxin.notifications.models import Notification, SummaryRun
from lianxin.regions.services import grid_save
from lianxin.testing import square
from lianxin.venues.models import Place, PlaceKind

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(month: int, day: int, hour: int = 7) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def sent_to(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=f"summary.{kind}").values_list("user__username", flat=True))


@pytest.fixture
def grid(loop, personas, regions):
    grid = grid_save(actor=None, region=regions.jueren, code="G-01", name="居仁一网格", polygon=square(119.9, 30.5))
    GridWorker.objects.create(name="陈网格", grid=grid, phone="13700000001", user=personas.grid_worker)
    GridAssignment.objects.create(deputy=loop.deputy, grid=grid, basis="manual")
    return grid


def test_each_grid_with_new_cases_hears_about_yesterday_once(loop, grid):
    for hour in (9, 15):
        loop.register(grid=grid, category=loop.category, registered_at=at(3, 2, hour))
    loop.register(grid=grid, registered_at=at(3, 3, 6))  # today: tomorrow's report

    assert summaries_grid_daily(now=at(3, 3)) == 1
    assert summaries_grid_daily(now=at(3, 3, 12)) == 0  # a restart, or cron beside the loop

    assert sent_to("grid_daily") == ["deputy", "grid_worker"]
    body = Notification.objects.filter(kind="summary.grid_daily").first().body
    assert "居仁一网格 2026-03-02：新登记意见建议 2 件（交通运输 2）" in body
    assert "本网格在办 3 件" in body
    run = SummaryRun.objects.get()
    assert (run.period_start, run.scope_key, run.recipients) == (datetime.date(2026, 3, 2), f"grid:{grid.pk}", 2)


def test_a_quiet_grid_sends_no_daily_report(loop, grid):
    assert summaries_grid_daily(now=at(3, 3)) == 0
    assert not SummaryRun.objects.exists()


def test_a_liaison_room_summarises_last_week_to_its_staff_and_duty_deputies(loop, personas, regions):
    room = Place.objects.create(kind=PlaceKind.ROOM, room_kind="personal", name="居仁代表联络室", region=regions.jueren)
    DutyShift.objects.create(
        place=room, deputy=loop.deputy, date=datetime.date(2026, 3, 4), start_time="09:00", end_time="11:00"
    )
    loop.register(place=room, registered_at=at(3, 4, 10))

    assert summaries_place_weekly(now=at(3, 9)) == 1  # Monday: the week of 2-8 March
    assert summaries_place_weekly(now=at(3, 10)) == 0

    assert sent_to("place_weekly") == ["deputy", "place_staff"]
    body = Notification.objects.get(kind="summary.place_weekly", user=personas.place_staff).body
    assert body.startswith("居仁代表联络室 03月02日至03月08日：") and "新登记意见建议 1 件" in body


def test_a_home_summarises_last_month_with_its_stations_once(loop, personas, regions):
    home = Place.objects.create(kind=PlaceKind.HOME, name="武康代表之家", region=regions.wukang)
    station = Place.objects.create(kind=PlaceKind.STATION, name="居仁代表工作站", region=regions.jueren, hub=home)
    loop.register(place=station, registered_at=at(3, 20, 10))

    assert summaries_station_monthly(now=at(4, 1)) == 2
    assert summaries_station_monthly(now=at(4, 15)) == 0

    home_run = SummaryRun.objects.get(scope_key=f"place:{home.pk}")
    assert home_run.period_start == datetime.date(2026, 3, 1) and "新登记意见建议 1 件" in home_run.body
    assert home_run.recipients == 0  # no staff granted 武康 itself: kept for the back office, sent to nobody
    assert sent_to("station_monthly") == ["place_staff"]


def test_periods_are_the_last_complete_week_and_month_in_beijing_time():
    # 2026-03-01 23:30 UTC is Monday 2 March 07:30 in Beijing.
    now = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    assert (previous_week(now).start, previous_week(now).end) == (datetime.date(2026, 2, 23), datetime.date(2026, 3, 2))
    assert (previous_month(now).start, previous_month(now).end) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 1),
    )
