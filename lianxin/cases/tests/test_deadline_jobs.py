import datetime

import pytest
import time_machine

from lianxin.cases import deadline_jobs
from lianxin.cases.deadline_jobs import cases_escalate_overdue, cases_mark_overdue, cases_remind_due
from lianxin.cases.models import Case, CaseEvent, DeadlinePolicy, Status
from lianxin.cases.workflow import Action, CaseConflict, case_transition
from lianxin.notifications.models import Notification

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def transferred(loop, personas, *, when: datetime.datetime, reply_days: int, urgency: str = "normal") -> Case:
    with time_machine.travel(when, tick=False):
        case = loop.register()
        for action, params in (
            (Action.ACCEPT, {"category": "transport", "urgency": urgency}),
            (Action.TRANSFER, {"unit": loop.unit.pk, "reply_days": reply_days}),
        ):
            case_transition(case=case, action=action, actor=personas.township_staff, params=params)
    return case


def reminded(case: Case) -> list[str]:
    return sorted(n.user.username for n in Notification.objects.filter(case=case, kind="case.remind"))


def test_reminders_go_out_once_per_deadline_a_set_number_of_working_days_before_it(loop, personas):
    with time_machine.travel(at(3, 2, 10), tick=False):  # Monday
        case = loop.register()

    # 当天受理: the acceptance deadline is tonight, so the nearest staff (place staff of 居仁) and the deputy hear now.
    assert cases_remind_due(now=at(3, 2, 10, 15)) == 1
    assert cases_remind_due(now=at(3, 2, 10, 30)) == 0
    assert reminded(case) == ["deputy", "place_staff"]

    with time_machine.travel(at(3, 2, 11), tick=False):
        case.refresh_from_db()
        case_transition(
            case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"}
        )
        case_transition(
            case=case,
            action=Action.TRANSFER,
            actor=personas.township_staff,
            params={"unit": loop.unit.pk, "reply_days": 5},
        )
    assert case.reply_due == datetime.datetime(2026, 3, 9, 23, 59, 59, tzinfo=SHANGHAI)

    # Two working days before Monday 9 March: the window opens on Thursday 5 March.
    assert [cases_remind_due(now=at(3, day)) for day in (3, 4)] == [0, 0]
    assert cases_remind_due(now=at(3, 5)) == 1
    assert [cases_remind_due(now=moment) for moment in (at(3, 5, 15), at(3, 6), at(3, 9, 20))] == [0, 0, 0]

    assert reminded(case) == ["deputy", "place_staff", "unit_handler"]
    events = list(CaseEvent.objects.filter(case=case, action="remind"))
    assert [(e.from_status, e.to_status, e.is_public) for e in events] == [
        (Status.REGISTERED, Status.REGISTERED, False),
        (Status.TRANSFERRED, Status.TRANSFERRED, False),
    ]
    assert events[1].data["deadline"] == "reply_due" and events[1].actor_label == "系统"
    case.refresh_from_db()
    assert case.reminded_at == at(3, 5) and case.status == Status.TRANSFERRED


def test_the_reminder_window_counts_official_working_days_across_national_day(loop, personas):
    DeadlinePolicy.objects.update_or_create(
        category=None, urgency="urgent", defaults={"reply_days": 5, "remind_before_days": 2}
    )
    case = transferred(loop, personas, when=at(9, 30, 10), reply_days=5, urgency="urgent")
    assert case.reply_due == datetime.datetime(2026, 10, 13, 23, 59, 59, tzinfo=SHANGHAI)

    # Two working days before Tuesday 13 October: Monday 12 and Saturday 10 (a make-up working day).
    assert [cases_remind_due(now=at(10, day)) for day in (1, 8, 9)] == [0, 0, 0]
    assert cases_remind_due(now=at(10, 10)) == 1
    assert reminded(case) == ["unit_handler"]


def test_a_case_past_its_deadline_is_marked_overdue_once_with_an_event_for_staff_only(loop, personas):
    case = transferred(loop, personas, when=at(3, 2, 10), reply_days=5)

    assert cases_mark_overdue(now=at(3, 9, 23, 59)) == 0
    assert cases_mark_overdue(now=at(3, 10, 0, 1)) == 1
    assert cases_mark_overdue(now=at(3, 10, 9)) == 0

    case.refresh_from_db()
    assert case.is_overdue and case.status == Status.TRANSFERRED
    event = CaseEvent.objects.get(case=case, action="overdue")
    assert (event.is_public, event.data["deadline"]) == (False, "reply_due")
    assert "2026-03-09" in event.note


def test_a_unit_more_than_three_working_days_late_is_escalated_to_the_supervisors(loop, personas):
    case = transferred(loop, personas, when=at(3, 2, 10), reply_days=5)  # due Monday 9 March

    assert cases_escalate_overdue(now=at(3, 12)) == 0  # Tuesday to Thursday: three working days late
    assert cases_escalate_overdue(now=at(3, 13)) == 1
    assert cases_escalate_overdue(now=at(3, 16)) == 0

    case.refresh_from_db()
    assert (case.status, case.is_supervised) == (Status.SUPERVISING, True)
    event = CaseEvent.objects.get(case=case, action=Action.ESCALATE)
    assert event.actor is None and event.actor_label == "系统" and "4 个工作日" in event.note
    notified = Notification.objects.filter(case=case, kind="case.escalated").values_list("user__username", flat=True)
    assert sorted(notified) == ["city_staff", "county_staff"]


def test_a_case_someone_else_just_acted_on_is_skipped_quietly(loop, personas, monkeypatch, caplog):
    case = transferred(loop, personas, when=at(3, 2, 10), reply_days=5)

    def conflict(*, case, **kwargs):
        raise CaseConflict(case)

    monkeypatch.setattr(deadline_jobs, "case_transition", conflict)

    assert cases_escalate_overdue(now=at(3, 13)) == 0
    case.refresh_from_db()
    assert case.status == Status.TRANSFERRED
    assert any(case.receipt_code in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("job", [cases_remind_due, cases_mark_overdue, cases_escalate_overdue])
def test_closed_cases_are_left_alone(loop, personas, job):
    case = transferred(loop, personas, when=at(3, 2, 10), reply_days=5)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)

    assert job(now=at(3, 20)) == 0
    assert not CaseEvent.objects.filter(case=case, action__in=["remind", "overdue", "escalate"]).exists()
