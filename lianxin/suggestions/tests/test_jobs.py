"""The worker's jobs for suggestions: reminders before the deadline (once per part per day), overdue marks with
their event, B-class promises past their date recalled to the unit."""

import datetime

import pytest

from lianxin.notifications.models import Notification
from lianxin.ops.management.commands.run_worker import jobs
from lianxin.suggestions.jobs import (
    assignment_mark_overdue,
    suggestions_mark_overdue,
    suggestions_remind_due,
    suggestions_remind_promises,
)
from lianxin.suggestions.models import Status, Suggestion, SuggestionEvent, SuggestionRules, UnitRole
from lianxin.workdays.calendar import CHINA


def at(day: datetime.date, hour: int = 7) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=CHINA)


def parts(s: Suggestion):
    lead = s.units.get(role=UnitRole.LEAD)
    co = s.units.get(role=UnitRole.CO)
    return lead, co


def sent(user, kind: str) -> int:
    return Notification.objects.filter(user=user, kind=f"suggestion.{kind}").count()


@pytest.fixture
def assigned(world):
    return world.assigned()


def test_the_lead_unit_is_reminded_within_remind_days_of_its_due_date_once_a_day(assigned, personas):
    lead, _co = parts(assigned)
    assert suggestions_remind_due(now=at(lead.due_date - datetime.timedelta(days=11))) == 0  # default: 10 days

    day = lead.due_date - datetime.timedelta(days=10)
    assert suggestions_remind_due(now=at(day)) == 1
    assert suggestions_remind_due(now=at(day, 15)) == 0  # the same day: not again
    assert sent(personas.unit_handler, "remind") == 1
    lead.refresh_from_db()
    assert lead.reminded_on == day
    body = Notification.objects.get(user=personas.unit_handler, kind="suggestion.remind").body
    assert f"须于 {lead.due_date:%Y-%m-%d} 前答复代表（还有 10 天到期）" in body

    assert suggestions_remind_due(now=at(day + datetime.timedelta(days=1))) == 1  # the next day: again
    assert sent(personas.unit_handler, "remind") == 2


def test_the_co_unit_is_reminded_of_its_opinion_and_not_after_giving_it(world, assigned):
    _lead, co = parts(assigned)
    day = co.due_date - datetime.timedelta(days=3)
    assert suggestions_remind_due(now=at(day)) == 1
    assert "向主办单位提出协办意见" in Notification.objects.get(user=world.other_handler, kind="suggestion.remind").body

    world.act(assigned, "co_opinion", world.other_handler, assignment=co.pk, opinion="同意主办单位的方案，配合实施。")
    assert suggestions_remind_due(now=at(day + datetime.timedelta(days=1))) == 0


def test_the_congress_may_remind_earlier(world, assigned, regions):
    SuggestionRules.objects.create(region=regions.deqing, level="county", bill_min_co_signers=10, remind_days=20)
    lead, _co = parts(assigned)
    assert suggestions_remind_due(now=at(lead.due_date - datetime.timedelta(days=20))) == 1


def test_a_part_past_its_due_date_is_marked_overdue_with_a_system_event_and_the_status_stays(world, assigned):
    lead, co = parts(assigned)
    version = Suggestion.objects.get(pk=assigned.pk).version

    assert suggestions_mark_overdue(now=at(co.due_date)) == 0  # due today: not late yet
    assert suggestions_mark_overdue(now=at(co.due_date + datetime.timedelta(days=1))) == 1
    assert suggestions_mark_overdue(now=at(co.due_date + datetime.timedelta(days=1), 9)) == 0  # once

    co.refresh_from_db()
    lead.refresh_from_db()
    assert co.is_overdue and not lead.is_overdue
    event = SuggestionEvent.objects.get(suggestion=assigned, action="overdue")
    assert event.assignment == co
    assert event.actor is None and event.actor_label == "系统"
    assert event.from_status == event.to_status == Status.ASSIGNED
    assert f"超过协办意见期限（{co.due_date:%Y-%m-%d}）" in event.note
    fresh = Suggestion.objects.get(pk=assigned.pk)
    assert (fresh.status, fresh.version) == (Status.ASSIGNED, version)
    assert sent(world.other_handler, "overdue") == 1


def test_a_replied_part_is_not_marked_overdue(personas, world, assigned):
    lead, _co = parts(assigned)
    world.act(assigned, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A",
              reply_text="已列入计划并开工。", signed_by="张局长")  # fmt: skip
    lead.refresh_from_db()
    assert not assignment_mark_overdue(assignment=lead, today=lead.due_date + datetime.timedelta(days=1))
    # Every lead replied: the suggestion is replied, a co-unit's missing opinion is no longer chased.
    assert suggestions_mark_overdue(now=at(lead.due_date + datetime.timedelta(days=1))) == 0
    assert not SuggestionEvent.objects.filter(action="overdue", assignment=lead).exists()


def test_an_extension_clears_the_mark_and_the_new_date_is_watched_again(world, assigned):
    lead, _co = parts(assigned)
    late = lead.due_date + datetime.timedelta(days=1)
    assert assignment_mark_overdue(assignment=lead, today=late)

    new_due = lead.due_date + datetime.timedelta(days=30)
    world.act(assigned, "extend", assignment=lead.pk, due_date=new_due.isoformat(), reason="需跨部门协调资金")
    lead.refresh_from_db()
    assert not lead.is_overdue
    assert suggestions_mark_overdue(now=at(late)) == 1  # the co-unit's part; the lead's new date is not past
    assert suggestions_mark_overdue(now=at(lead.due_date + datetime.timedelta(days=1))) == 1
    assert SuggestionEvent.objects.filter(action="overdue", assignment=lead).count() == 2


def _b_reply(world, personas, s, promised_on):
    lead, co = parts(s)
    world.act(s, "co_opinion", world.other_handler, assignment=co.pk, opinion="同意主办单位的方案，配合实施。")
    world.act(
        s,
        "reply",
        personas.unit_handler,
        assignment=lead.pk,
        reply_class="B",
        reply_text="已列入明年计划，正在设计。",
        signed_by="张局长",
        promised_on=promised_on.isoformat(),
    )
    lead.refresh_from_db()
    return lead


def test_a_b_promise_past_its_date_is_recalled_to_the_unit_monthly_until_kept(world, personas, assigned):
    promised = datetime.date.today() + datetime.timedelta(days=60)
    lead = _b_reply(world, personas, assigned, promised)

    assert suggestions_remind_promises(now=at(promised)) == 0  # due today: not past
    day = promised + datetime.timedelta(days=1)
    assert suggestions_remind_promises(now=at(day)) == 1
    assert suggestions_remind_promises(now=at(day + datetime.timedelta(days=7))) == 0
    assert sent(personas.unit_handler, "promise_due") == 1
    assert f"承诺于 {promised:%Y-%m-%d} 前完成" in Notification.objects.get(kind="suggestion.promise_due").body
    assert suggestions_remind_promises(now=at(day + datetime.timedelta(days=30))) == 1

    world.act(assigned, "fulfil", personas.unit_handler, assignment=lead.pk, note="道路已完工通车。")
    assert suggestions_remind_promises(now=at(day + datetime.timedelta(days=90))) == 0
    assert sent(personas.unit_handler, "promise_due") == 2


def test_the_worker_runs_the_suggestions_jobs():
    names = {job.name for job in jobs()}
    assert {
        "suggestions_remind_due",
        "suggestions_mark_overdue",
        "suggestions_remind_promises",
        "suggestions_router_retrain",
    } <= names
