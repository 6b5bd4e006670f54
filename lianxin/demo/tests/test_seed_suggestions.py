"""The demo's deputies' suggestions and bills: a session's worth in every state, written through the workflow, with
figures like 德清's, and the demo accounts each seeing their part. Uses the package's one seed (conftest.py)."""

import datetime
import random
import re
from collections import Counter

from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.cases.models import Case, Handling
from lianxin.demo.seed.case_setting import DEMO_UNIT_HANDLED
from lianxin.demo.seed.suggestions import Writer, demo_suggestions
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.suggestions.models import (
    Award,
    AwardKind,
    CoSigner,
    Kind,
    ReplyClass,
    Session,
    SessionKind,
    SignStatus,
    Status,
    Suggestion,
    SuggestionEvent,
    UnitAssignment,
    UnitContact,
    UnitEvaluation,
    UnitRole,
)
from lianxin.suggestions.selectors import (
    assignments_of_user,
    invitations_of_user,
    open_promises,
    overdue_parts,
    statistics_total,
    suggestion_list_visible_to,
    suggestion_statistics,
    suggestions_of_case,
)
from lianxin.suggestions.workflow import available_actions
from lianxin.workdays.calendar import CHINA


def test_a_session_of_about_150_suggestions_and_three_bills_in_every_state(county):
    rows = demo_suggestions()
    kinds = Counter(rows.values_list("kind", flat=True))
    assert 145 <= kinds[Kind.SUGGESTION] <= 160 and kinds[Kind.BILL] == 3
    assert set(rows.values_list("status", flat=True)) == set(Status.values)
    meeting = Session.objects.get(congress_region=county, kind=SessionKind.MEETING)
    assert meeting.opens_on.month == 1 and re.fullmatch(r"德清县第十七届人民代表大会第.次会议", meeting.name)
    assert rows.filter(session=meeting).count() > 130
    assert Session.objects.filter(congress_region=county, kind=SessionKind.INTERVAL).exists()
    # Numbered at acceptance, one sequence per session and kind, in the order they were accepted.
    numbered = list(rows.filter(session=meeting, kind=Kind.SUGGESTION).exclude(number=None).order_by("accepted_at"))
    assert [s.number for s in numbered] == list(range(1, len(numbered) + 1))


def test_everything_was_written_through_the_workflow_over_the_year(county):
    midnight = datetime.datetime.combine(timezone.localdate(), datetime.time(), tzinfo=CHINA)
    rows = demo_suggestions()
    events = SuggestionEvent.objects.filter(suggestion__in=rows)
    assert set(events.filter(action="create").values_list("suggestion", flat=True)) == set(
        rows.values_list("id", flat=True)
    )
    assert not events.filter(created_at__gte=midnight).exists()
    # Each status change has its event: the last event's status is the suggestion's.
    for s in rows.prefetch_related("events"):
        assert list(s.events.all())[-1].to_status == s.status, s
    assigned = events.filter(action="assign").values_list("created_at", flat=True)
    months = Counter(t.astimezone(CHINA).month for t in assigned)
    assert months.most_common(1)[0][1] > 100  # the 交办会 after the session
    replies = Counter(
        t.astimezone(CHINA).month for t in events.filter(action="reply").values_list("created_at", flat=True)
    )
    assert len(replies) >= 4  # spread over the months, not one day
    # The year's messages are history, not a queue for the worker.
    past = Notification.objects.filter(kind__startswith="suggestion.", created_at__lt=midnight)
    assert past.exists() and not past.exclude(status=NotificationStatus.SENT).exists()


def test_the_statistics_read_like_deqings(county):
    staff = User.objects.get(username="county")
    total = statistics_total(suggestion_statistics(user=staff, by="unit"))
    assert total.assigned > 130 and total.replied > 110
    assert 0.90 <= total.satisfaction_rate <= 0.98
    assert 0.85 <= total.contact_rate <= 0.96
    assert 0.85 <= total.on_time_rate < 1
    assert total.class_a > total.class_b > total.class_c > 0
    assert total.rehandled >= 5
    units = {row.label for row in suggestion_statistics(user=staff, by="unit")}
    assert DEMO_UNIT_HANDLED in units and any(label.endswith(("人民政府", "办事处")) for label in units)
    assert len(units) >= 15


def test_the_handling_has_every_part_of_the_method(county):
    rows = demo_suggestions()
    parts = UnitAssignment.objects.filter(suggestion__in=rows)
    assert parts.filter(role=UnitRole.CO).count() > 20
    leads = Counter(parts.filter(role=UnitRole.LEAD, is_active=True).values_list("suggestion", flat=True))
    assert any(n >= 2 for n in leads.values())  # 分办
    assert SuggestionEvent.objects.filter(suggestion__in=rows, action="extend").count() == 2
    assert SuggestionEvent.objects.filter(suggestion__in=rows, action="request_reassign").count() == 2
    assert parts.filter(is_active=False).count() == 1  # one re-assigned
    assert parts.filter(replied_late=True).count() >= 3
    late = overdue_parts(today=timezone.localdate()).filter(suggestion__in=rows)
    assert late.count() >= 3 and not late.filter(is_overdue=False).exists()  # flagged by the worker's round
    assert SuggestionEvent.objects.filter(suggestion__in=rows, action="overdue").count() >= 8
    staff = User.objects.get(username="county")
    promises = open_promises(user=staff)
    assert promises.exists() and parts.filter(reply_class=ReplyClass.B, promise_done_at__isnull=False).exists()
    assert UnitContact.objects.filter(assignment__suggestion__in=rows).count() > 100
    # Returned and resubmitted: two versions; merged: three; grown from citizens' cases.
    assert rows.filter(versions__number=2).exists()
    assert rows.exclude(merged_into=None).count() == 3
    grown = rows.exclude(cases=None)
    assert grown.exists()
    case = Case.objects.filter(suggestions__in=grown).first()
    assert case.handling == Handling.CONVERTED and suggestions_of_case(case_id=case.pk)
    assert CoSigner.objects.filter(suggestion__in=rows, status=SignStatus.SIGNED).count() > 30


def test_key_suggestions_evaluations_awards_and_publication(county):
    rows = demo_suggestions()
    key = rows.filter(is_key=True)
    assert key.count() == 10 and not key.filter(key_leader_name="").exists()
    assert SuggestionEvent.objects.filter(suggestion__in=key, action="key_note").count() >= 15
    assert UnitEvaluation.objects.filter(region=county).count() == 2
    kinds = Counter(Award.objects.filter(region=county).values_list("kind", flat=True))
    assert kinds[AwardKind.BEST_SUGGESTION] >= 3 and kinds[AwardKind.BEST_UNIT] == 2
    published = rows.exclude(published_at=None)
    assert published.count() >= 5 and not published.filter(public_consent=False).exists()


def test_the_deputy_account_sees_its_own_in_several_states_and_an_invitation(county):
    user = User.objects.get(username="deputy")
    mine = suggestion_list_visible_to(user=user).filter(lead_deputy__user=user)
    assert {Status.DRAFT, Status.COLLECTING, Status.RETURNED, Status.WITHDRAWN, Status.REPLIED, Status.CLOSED} <= set(
        mine.values_list("status", flat=True)
    )
    awaiting = mine.get(status=Status.REPLIED)
    assert "rate" in available_actions(suggestion=awaiting, actor=user)
    invitation = invitations_of_user(user=user).get()
    assert invitation.status == SignStatus.INVITED and "sign" in available_actions(
        suggestion=invitation.suggestion, actor=user
    )
    assert suggestion_list_visible_to(user=user).filter(co_signers__deputy__user=user).count() >= 2


def test_the_unit_account_sees_only_its_units_suggestions(county):
    user = User.objects.get(username="unit")
    visible = list(suggestion_list_visible_to(user=user))
    assert len(visible) >= 10
    for s in visible:
        assert s.units.filter(unit__name=DEMO_UNIT_HANDLED, is_active=True).exists(), s
        assert s.status not in (Status.DRAFT, Status.COLLECTING, Status.SUBMITTED, Status.RETURNED)
    todo = assignments_of_user(user=user)
    assert todo.exists() and todo.filter(reassign_requested_at__isnull=False).exists()
    theirs = Suggestion.objects.filter(units__unit__name=DEMO_UNIT_HANDLED, units__is_active=True).distinct()
    assert {s.pk for s in visible} == set(theirs.values_list("pk", flat=True))


def test_the_plan_is_the_same_for_the_same_seed_and_day(county):
    def plan() -> list[tuple]:
        writer = Writer(random.Random(7), today=timezone.localdate())
        writer.plan()
        lead = {p.key: p.lead.public_code if p.lead else "" for p in writer.plans}
        return [(p.key, p.title, p.content, lead[p.key]) for p in writer.plans] + [
            (s.at, s.order) for s in writer.steps
        ]

    assert plan() == plan()


def test_seeding_prints_the_suggestions_and_how_long_they_took(seeded, db):
    # `db`: ordered with the package's other tests (see test_seed_duties).
    line = next(line for line in seeded.output.splitlines() if "代表建议：" in line)
    assert "议案 3 件" in line and re.search(r"用时 \d+\.\d 秒", line)
