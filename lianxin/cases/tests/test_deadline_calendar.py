"""Deadlines that fall in a year whose official calendar is not known yet, and what importing it changes."""

import datetime

import pytest
import time_machine

from lianxin.cases.models import Case, CaseEvent, Rating, Status
from lianxin.cases.services import case_rate_as_citizen
from lianxin.cases.workflow import Action, case_transition
from lianxin.testing import xlsx_bytes
from lianxin.workdays.calendar import is_known
from lianxin.workdays.services import calendar_day_set, calendar_year_import

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
HEADERS = ["日期", "类型", "名称"]


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=SHANGHAI)


def transferred(loop, personas, *, when: datetime.datetime, reply_days: int) -> Case:
    with time_machine.travel(when, tick=False):
        case = loop.register()
        case_transition(
            case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"}
        )
        case_transition(
            case=case,
            action=Action.TRANSFER,
            actor=personas.township_staff,
            params={"unit": loop.unit.pk, "reply_days": reply_days},
        )
    case.refresh_from_db()
    return case


@pytest.fixture
def late_december(loop, personas):
    assert not is_known(2027), "the test needs 2027 unknown, as it is until the State Council's notice"
    return transferred(loop, personas, when=datetime.datetime(2026, 12, 28, 10, tzinfo=SHANGHAI), reply_days=5)


def test_a_deadline_into_an_unknown_year_does_not_count_new_years_day(late_december):
    # 28 December 2026 + 5 working days: 29, 30, 31 December, (1 January off), 4 and 5 January.
    assert late_december.reply_due == end_of(datetime.date(2027, 1, 5))


def test_importing_the_year_moves_the_open_deadlines_that_fell_in_it_with_an_event(loop, personas, late_december):
    earlier = transferred(loop, personas, when=datetime.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), reply_days=5)
    longer = transferred(loop, personas, when=datetime.datetime(2026, 12, 28, 11, tzinfo=SHANGHAI), reply_days=15)
    assert longer.reply_due == end_of(datetime.date(2027, 1, 19))
    events_before = CaseEvent.objects.count()

    # A made-up arrangement in which 4 January is a holiday too.
    rows = [["2027-01-01", "放假", "元旦"], ["2027-01-04", "放假", "元旦"]]
    calendar_year_import(actor=None, year=2027, file=xlsx_bytes(HEADERS, rows), filename="2027.xlsx")

    late_december.refresh_from_db()
    assert late_december.reply_due == end_of(datetime.date(2027, 1, 6))
    event = CaseEvent.objects.get(case=late_december, action="deadline")
    assert (event.action, event.from_status, event.to_status) == ("deadline", Status.TRANSFERRED, Status.TRANSFERRED)
    assert "答复时限由 2027-01-05 调整为 2027-01-06" in event.note and event.is_public is False
    assert Case.objects.get(pk=longer.pk).reply_due == end_of(datetime.date(2027, 1, 20))
    # A deadline in the old year is left as it was.
    assert Case.objects.get(pk=earlier.pk).reply_due == earlier.reply_due
    assert CaseEvent.objects.count() == events_before + 2


def test_a_day_entered_by_hand_moves_the_deadlines_too(personas, late_december):
    calendar_day_set(actor=personas.admin, day=datetime.date(2027, 1, 5), is_workday=False, name="调休")

    late_december.refresh_from_db()
    assert late_december.reply_due == end_of(datetime.date(2027, 1, 6))
    assert CaseEvent.objects.filter(case=late_december, action="deadline").count() == 1


def test_a_case_sent_to_supervision_by_an_unsatisfied_person_gets_a_new_reply_deadline(loop, personas):
    case = transferred(loop, personas, when=datetime.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), reply_days=5)

    def reply_and_rate(replied: int, rated: datetime.datetime) -> Case:
        with time_machine.travel(datetime.datetime(2026, 3, replied, 10, tzinfo=SHANGHAI), tick=False):
            case_transition(case=case, action=Action.REPLY, actor=personas.unit_handler, params={"reply": "已处理"})
            case_transition(case=case, action=Action.FEED_BACK, actor=personas.township_staff)
        with time_machine.travel(rated, tick=False):
            return case_rate_as_citizen(receipt_code=case.receipt_code, rating=Rating.UNSATISFIED, comment="没修好")

    case = reply_and_rate(3, datetime.datetime(2026, 3, 4, 10, tzinfo=SHANGHAI))  # back to the unit, once
    assert (case.status, case.reply_due) == (Status.TRANSFERRED, end_of(datetime.date(2026, 3, 25)))
    case = reply_and_rate(10, datetime.datetime(2026, 4, 1, 10, tzinfo=SHANGHAI))  # then supervision (督办)

    assert case.status == Status.SUPERVISING
    # 15 working days (the default) from 1 April 2026, not the 25 March deadline the second reply already met.
    assert case.reply_due == end_of(datetime.date(2026, 4, 23))
    assert case.is_overdue is False


NOVEMBER = datetime.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)


def test_every_back_office_page_warns_staff_while_next_years_calendar_is_missing(client, personas):
    client.force_login(personas.county_staff)
    with time_machine.travel(NOVEMBER, tick=False):
        page = client.get("/admin/")
    assert page.status_code == 200
    assert "2027 年的法定节假日安排尚未导入" in page.content.decode()

    with time_machine.travel(datetime.datetime(2026, 9, 1, 9, tzinfo=SHANGHAI), tick=False):
        assert "法定节假日安排尚未导入" not in client.get("/admin/").content.decode()


def test_the_worker_tells_county_staff_and_administrators_once_a_week(personas):
    from lianxin.cases.summaries import summaries_calendar_missing
    from lianxin.notifications.models import Notification

    def run(days_later: int) -> int:
        when = NOVEMBER + datetime.timedelta(days=days_later)
        with time_machine.travel(when, tick=False):
            return summaries_calendar_missing(now=when)

    told = run(0)

    notices = Notification.objects.filter(kind="calendar.missing_year")
    assert told == notices.count() >= 2
    assert {n.user for n in notices} >= {personas.county_staff, personas.admin}
    assert personas.township_staff not in {n.user for n in notices}
    assert "2027 年的法定节假日安排尚未导入" in notices.first().body
    assert run(1) == 0
    assert run(7) == told
