import datetime
import logging
from datetime import date

import pytest
from django.core.management import call_command

from lianxin.workdays import calendar
from lianxin.workdays.calendar import (
    add_workdays,
    due_at,
    is_known,
    is_workday,
    unknown_years,
    unknown_years_to_warn,
    workdays_between,
)
from lianxin.workdays.checks import unknown_years_check
from lianxin.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def test_three_working_days_after_30_september_2026_is_the_make_up_saturday():
    assert add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_national_day_2026_is_1_to_7_october_with_make_up_days_on_20_september_and_10_october():
    # State Council notice 国办发明电〔2025〕7号, as carried by the chinese-calendar package.
    for day in range(1, 8):
        assert not is_workday(date(2026, 10, day))
    assert is_workday(date(2026, 10, 8))  # a Thursday: back at work
    assert is_workday(date(2026, 10, 10))  # Saturday
    assert is_workday(date(2026, 9, 20))  # Sunday
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).name == "国庆节调休上班"
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_the_first_working_day_after_national_day_2026_is_8_october():
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_workdays(date(2026, 10, 1), 0) == date(2026, 10, 8)


def test_spring_festival_2026_is_15_to_23_february_with_make_up_saturdays_14_and_28_february():
    for day in range(15, 24):
        assert not is_workday(date(2026, 2, day))
    assert is_workday(date(2026, 2, 14))
    assert is_workday(date(2026, 2, 28))
    assert add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_zero_working_days_is_the_day_itself_when_it_is_a_working_day():
    assert add_workdays(date(2026, 10, 9), 0) == date(2026, 10, 9)
    assert add_workdays(date(2026, 10, 10), 0) == date(2026, 10, 10)
    assert add_workdays(date(2026, 10, 11), 0) == date(2026, 10, 12)


def test_negative_counts_go_backwards_over_holidays():
    assert add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert add_workdays(date(2026, 10, 12), -2) == date(2026, 10, 9)
    assert add_workdays(date(2026, 2, 24), -1) == date(2026, 2, 14)


def test_workdays_between_counts_days_after_start_up_to_and_including_end():
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert workdays_between(date(2026, 10, 9), date(2026, 10, 9)) == 0
    assert workdays_between(date(2026, 10, 12), date(2026, 10, 9)) == 0
    assert workdays_between(date(2026, 1, 1), date(2026, 12, 31)) == sum(
        1 for n in range(1, 365) if is_workday(date(2026, 1, 1) + datetime.timedelta(days=n))
    )


def test_workdays_between_agrees_with_add_workdays():
    start = date(2026, 9, 18)
    for n in range(1, 30):
        assert workdays_between(start, add_workdays(start, n)) == n


def test_due_at_is_the_end_of_the_working_day_in_beijing():
    # 9 October 2026, 17:00 UTC is already Saturday 10 October 01:00 in Beijing: counting starts from the 10th.
    start = datetime.datetime(2026, 10, 9, 17, 0, tzinfo=datetime.UTC)
    due = due_at(start, 1)
    assert due == datetime.datetime(2026, 10, 12, 23, 59, 59, tzinfo=calendar.CHINA)
    assert due.utcoffset() == datetime.timedelta(hours=8)
    before_midnight = datetime.datetime(2026, 10, 9, 15, 59, tzinfo=datetime.UTC)  # 23:59 in Beijing
    assert due_at(before_midnight, 1) == datetime.datetime(2026, 10, 10, 23, 59, 59, tzinfo=calendar.CHINA)


def test_due_at_takes_a_naive_datetime_as_beijing_time():
    assert due_at(datetime.datetime(2026, 9, 30, 9, 0), 1).date() == date(2026, 10, 8)


def test_years_the_package_knows_are_seeded_as_complete():
    assert is_known(2004) and is_known(2026)
    assert not is_known(2027)
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {"chinese-calendar"}
    assert unknown_years(date(2026, 12, 1), date(2028, 1, 5)) == [2027, 2028]
    assert unknown_years(date(2028, 1, 5), date(2026, 12, 1)) == [2027, 2028]


def test_only_exceptions_to_the_weekday_rule_are_stored():
    for row in CalendarDay.objects.all():
        assert row.is_workday == (row.date.weekday() >= 5), row


def test_a_year_not_yet_known_falls_back_to_weekends_and_the_holidays_fixed_by_date_and_warns_once(caplog):
    with caplog.at_level(logging.WARNING, logger="lianxin.workdays.calendar"):
        # 1 January 2027 is a Friday: 元旦 is a day off by law, whatever the notice will add around it.
        assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
        # The probe's case: 28 December 2026 + 5 working days counted New Year's Day and gave 4 January.
        assert add_workdays(date(2026, 12, 28), 5) == date(2027, 1, 5)
        assert not is_workday(date(2027, 10, 1)) and not is_workday(date(2027, 5, 1))
        assert calendar.day_info(date(2027, 10, 1)).name == "国庆节（按法定日期推定）"
        assert is_workday(date(2027, 10, 8))  # the rest of the week is only known from the notice
    warnings = [r for r in caplog.records if "2027 年的法定节假日安排尚未导入" in r.getMessage()]
    assert len(warnings) == 1


def test_a_day_entered_in_an_unknown_year_still_counts():
    CalendarDay.objects.create(date=date(2027, 1, 4), is_workday=False, name="元旦")
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 5)


def test_a_deadline_costs_no_query_once_the_calendar_is_loaded(django_assert_num_queries):
    add_workdays(date(2026, 1, 1), 1)
    with django_assert_num_queries(0):
        assert add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
        workdays_between(date(2026, 1, 1), date(2026, 12, 31))
        due_at(datetime.datetime(2026, 9, 30, 9, 0, tzinfo=calendar.CHINA), 3)


def test_the_snapshot_is_reloaded_when_it_is_too_old(django_assert_num_queries, monkeypatch):
    add_workdays(date(2026, 1, 1), 1)
    monkeypatch.setattr(calendar, "MAX_AGE", 0.0)
    with django_assert_num_queries(2):
        add_workdays(date(2026, 1, 1), 1)


def test_administrators_are_warned_about_this_year_and_from_october_about_next_year():
    assert unknown_years_to_warn(date(2026, 9, 30)) == []
    assert unknown_years_to_warn(date(2026, 10, 1)) == [2027]
    assert unknown_years_to_warn(date(2027, 3, 1)) == [2027]


def test_the_system_check_warns_about_an_unknown_year(monkeypatch):
    monkeypatch.setattr(calendar, "unknown_years_to_warn", lambda: [2027])
    messages = unknown_years_check(databases=["default"])
    assert [(m.id, m.msg) for m in messages] == [
        ("workdays.W001", "2027 年的法定节假日安排尚未导入，暂按周末和元旦、劳动节、国庆节的法定日期计算时限")
    ]
    assert unknown_years_check(databases=None) == []


def test_the_add_workdays_command_prints_the_iso_date(capsys):
    call_command("add_workdays", "2026-09-30", "3")
    assert capsys.readouterr().out == "2026-10-10\n"


def test_the_add_workdays_command_explains_the_days_it_skipped(capsys):
    call_command("add_workdays", "2026-09-30", "3", "--explain")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2026-10-10"
    assert "  2026-10-01 周四 跳过：国庆节" in out
    assert "  2026-10-03 周六 跳过：周末" in out
    assert out[-1] == "  2026-10-10 周六 工作日（国庆节调休上班） 第3个"


def test_the_calendar_status_command_lists_known_years_and_warns_about_missing_ones(capsys, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, 0, tzinfo=calendar.CHINA))
    call_command("calendar_status")
    out = capsys.readouterr().out
    assert "已知年份：2004–2026" in out
    assert "警告：2027 年的法定节假日安排尚未导入，暂按周末和元旦、劳动节、国庆节的法定日期计算时限" in out
    assert "警告：2026" not in out


def test_another_process_edit_is_seen_once_the_version_changes():
    assert is_workday(date(2026, 11, 3))
    # Another process writes the row and bumps the shared version; this process's snapshot is stale.
    CalendarDay.objects.create(date=date(2026, 11, 3), is_workday=False, name="临时放假")
    assert is_workday(date(2026, 11, 3))
    calendar.calendar_changed()
    assert not is_workday(date(2026, 11, 3))
