"""The worker's reminders: a deputy behind on a frequency rule before its period ends, a place's staff while the place
is behind on a place rule, an organiser the day before an activity with undecided leave requests. Each goes out
once, however often the job runs."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from lianxin.cases.services import reception_start
from lianxin.deputies.models import Mandate
from lianxin.duties import services
from lianxin.duties.jobs import duties_remind_leave, duties_remind_place_rules, duties_remind_rules
from lianxin.duties.models import DutyReminder, FrequencyRule, ReminderKind
from lianxin.notifications.models import Notification
from lianxin.venues.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


def at(moment: str):
    return time_machine.travel(datetime.datetime.fromisoformat(moment + "+08:00"), tick=False)


def monthly_rule(**fields):
    values = {"name": "县级代表每月至少一次基层活动", "level": "county", "period": "month", "minimum": 1}
    values.update(fields)
    return FrequencyRule.objects.create(**values)


def reminded(kind="duties.rule_remind"):
    return list(Notification.objects.filter(kind=kind).order_by("id"))


def test_a_deputy_behind_on_a_rule_is_reminded_once_within_the_days_before_the_period_ends(duty, personas):
    rule = monthly_rule(remind_days=10)
    with at("2026-03-25T10:00:00"):
        visit = duty.activity(starts_in=datetime.timedelta(minutes=-30))
        services.attendance_sign_in(actor=personas.deputy, code=visit.signin_code)

        assert duties_remind_rules() == 1
        assert duties_remind_rules() == 0  # the next round, the same day

    [note] = reminded()
    assert note.user == duty.second_user  # 钱立新 has not attended; 沈建国 has, 杨乡镇 has no account
    assert "钱立新代表" in note.body and "2026-03-01 至 2026-03-31" in note.body and "目前已记录 0 次" in note.body
    assert "6 天后" in note.body
    assert DutyReminder.objects.filter(rule=rule, deputy=duty.second, period_start=datetime.date(2026, 3, 1)).exists()

    with at("2026-03-30T10:00:00"):
        assert duties_remind_rules() == 0  # once per period, not once a day


def test_no_reminder_before_the_rules_remind_days_nor_for_an_inactive_rule(duty, personas):
    monthly_rule(remind_days=5)
    monthly_rule(name="停用的规则", is_active=False, remind_days=30)
    with at("2026-03-20T10:00:00"):
        assert duties_remind_rules() == 0
    with at("2026-03-26T10:00:00"):
        assert duties_remind_rules() == 2  # both county deputies with an account, neither has attended
    assert {n.user for n in reminded()} == {personas.deputy, duty.second_user}


def test_a_new_period_brings_a_new_reminder(duty, personas):
    monthly_rule(remind_days=3)
    with at("2026-03-30T10:00:00"):
        assert duties_remind_rules() == 2
    with at("2026-04-28T10:00:00"):
        assert duties_remind_rules() == 2
    assert [n.user for n in reminded()] == [personas.deputy, duty.second_user] * 2
    assert "2026-04-01 至 2026-04-30" in reminded()[3].body


def test_a_rule_of_another_level_concerns_only_its_deputies(duty, personas):
    monthly_rule(level="city", remind_days=10)
    with at("2026-03-25T10:00:00"):
        assert duties_remind_rules() == 0
    assert reminded() == []


def test_the_organiser_hears_of_undecided_leave_requests_the_day_before_once(duty, personas):
    with at("2026-03-25T10:00:00"):
        tomorrow = duty.activity(starts_in=datetime.timedelta(hours=23))  # 2026-03-26 09:00
        later = duty.activity(title="视察城东水厂", starts_in=datetime.timedelta(days=2))
        services.leave_request(actor=personas.deputy, activity=tomorrow, reason="出差")
        services.leave_request(actor=personas.deputy, activity=later, reason="出差")

        assert duties_remind_leave() == 1
        assert duties_remind_leave() == 0

    [note] = reminded("duties.leave_remind")
    assert note.user == personas.county_staff
    assert "沈建国 的请假尚未审批（共 1 人）" in note.body and "03月26日 09:00" in note.body
    assert note.region_path == tomorrow.region.path
    assert DutyReminder.objects.filter(activity=tomorrow).count() == 1


def test_no_leave_reminder_when_every_request_is_decided(duty, personas):
    with at("2026-03-25T10:00:00"):
        tomorrow = duty.activity(starts_in=datetime.timedelta(hours=23))
        attendance = services.leave_request(actor=personas.deputy, activity=tomorrow, reason="出差")
        services.leave_decide(actor=personas.county_staff, attendance=attendance, approve=True)

        assert duties_remind_leave() == 0
    assert reminded("duties.leave_remind") == []


def test_the_worker_runs_every_reminder(duty, personas):
    from lianxin.ops.management.commands.run_worker import jobs

    names = {job.name for job in jobs()}
    assert {"duties_remind_rules", "duties_remind_place_rules", "duties_remind_leave"} <= names


# --- place rules ---------------------------------------------------------------------------------------------------


@pytest.fixture
def places(regions):
    """居仁's room and station (place_staff is granted 居仁), and a room of 城东 whose region has no place staff."""
    return SimpleNamespace(
        room=Place.objects.create(kind=PlaceKind.ROOM, name="居仁社区代表联络室", region=regions.jueren),
        station=Place.objects.create(kind=PlaceKind.STATION, name="武康代表工作站", region=regions.jueren),
        unstaffed=Place.objects.create(kind=PlaceKind.ROOM, name="城东村代表联络室", region=regions.chengdong),
    )


def room_rule(**fields):
    values = {
        "name": "每个联络室每月至少接待一次",
        "subject": "place",
        "place_kind": PlaceKind.ROOM,
        "kinds": ["reception"],
        "period": "month",
        "minimum": 1,
        "remind_days": 10,
    }
    values.update(fields)
    return FrequencyRule.objects.create(**values)


def test_a_places_staff_are_reminded_once_when_the_place_is_behind(duty, personas, places):
    rule = room_rule()
    with at("2026-03-25T10:00:00"):
        assert duties_remind_place_rules() == 1  # the room of 居仁; 城东's room has no staff, the station is no room
        assert duties_remind_place_rules() == 0  # the next round, the same day

    [note] = reminded("duties.place_rule_remind")
    assert note.user == personas.place_staff
    assert "居仁社区代表联络室" in note.body and "2026-03-01 至 2026-03-31" in note.body
    assert "目前已记录 0 次" in note.body and "6 天后" in note.body
    assert note.region_path == places.room.region.path
    [row] = DutyReminder.objects.filter(kind=ReminderKind.PLACE_RULE)
    assert (row.place, row.rule, row.period_start) == (places.room, rule, datetime.date(2026, 3, 1))

    with at("2026-03-30T10:00:00"):
        assert duties_remind_place_rules() == 0  # once per period, not once a day
    with at("2026-04-25T10:00:00"):
        assert duties_remind_place_rules() == 1  # a new period
    assert reminded("duties.rule_remind") == []  # a place rule does not remind deputies


def test_no_place_reminder_when_a_reception_or_a_held_activity_at_the_place_meets_the_rule(duty, personas, places):
    room_rule()
    station_rule = room_rule(name="每个工作站每月至少一次基层活动", place_kind=PlaceKind.STATION, kinds=[])
    with at("2026-03-25T10:00:00"):
        reception_start(actor=personas.place_staff, deputy=duty.first, kind="station", place=places.room)
        duty.activity(starts_in=datetime.timedelta(minutes=-30), place=places.station)
        assert duties_remind_place_rules() == 1  # the station: an activity not marked held does not count
    [note] = reminded("duties.place_rule_remind")
    assert "武康代表工作站" in note.body and station_rule.name in note.body

    with at("2026-04-25T10:00:00"):
        reception_start(actor=personas.place_staff, deputy=duty.first, kind="station", place=places.room)
        held = duty.activity(starts_in=datetime.timedelta(minutes=-30), place=places.station)
        services.activity_mark_held(actor=personas.county_staff, activity=held)
        assert duties_remind_place_rules() == 0  # both places met their rule in April


def test_no_place_reminder_before_the_rules_remind_days_nor_for_an_inactive_rule(duty, personas, places):
    room_rule(remind_days=5)
    room_rule(name="停用的规则", is_active=False, remind_days=30)
    with at("2026-03-20T10:00:00"):
        assert duties_remind_place_rules() == 0
    assert reminded("duties.place_rule_remind") == []
    with at("2026-03-27T10:00:00"):
        assert duties_remind_place_rules() == 1


def test_a_term_rule_reminds_each_deputy_before_their_own_term_ends(duty, personas):
    """Both county deputies started 2022-01-01; the second was by-elected on 2024-06-01 (their term, as the board
    counts it, runs from then): near the end of the first term only the first is reminded, and the second near the
    end of theirs."""
    Mandate.objects.filter(deputy=duty.second).update(started_on=datetime.date(2024, 6, 1))
    rule = monthly_rule(name="任期内至少参加一次述职", period="term", remind_days=30)
    with at("2026-12-10T10:00:00"):
        assert duties_remind_rules() == 1
    [first] = reminded()
    assert first.user == personas.deputy and "2022-01-01 至 2026-12-31" in first.body
    with at("2029-05-10T10:00:00"):
        assert duties_remind_rules() == 1
    assert reminded()[1].user == duty.second_user and "2024-06-01 至 2029-05-31" in reminded()[1].body
    assert set(DutyReminder.objects.filter(rule=rule).values_list("period_start", flat=True)) == {
        datetime.date(2022, 1, 1),
        datetime.date(2024, 6, 1),
    }
