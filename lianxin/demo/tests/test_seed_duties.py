"""The demo's year of duty performance: every kind of activity, attendance with leave and absences, meeting points,
述职 evaluated by voters, Lanzhou's 11 scoring items, pledges, self-assessments and funds, written through the duties
services over the past year. Uses the package's one seed (conftest.py)."""

import datetime
import random
import re
from collections import Counter
from decimal import Decimal

from django.utils import timezone

from lianxin.core.models import AuditEvent
from lianxin.demo.seed import DEFAULT_SEED
from lianxin.demo.seed.duties import SCORE_ITEMS, clear_duties, write_duties
from lianxin.demo.seed.supervision import clear_supervision
from lianxin.deputies.models import Deputy
from lianxin.duties.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    EntryStatus,
    FundAllocation,
    FundEntry,
    MeetingPoint,
    Pledge,
    PointHandling,
    RecordPublication,
    ScoreEntry,
    ScoreItem,
    SignInMethod,
    VoterEvaluation,
)
from lianxin.duties.record import duty_record_collect, public_record
from lianxin.duties.selectors import compliance_board, scores
from lianxin.supervision.models import ItemRecord, Meeting
from lianxin.workdays.calendar import CHINA


def of_the_duties_seed():
    """The activities the duties seed wrote: supervision's inspections and 约见 are duty activities too (issue 19),
    written after it by the supervision seed (lianxin/demo/tests/test_seed_supervision.py)."""
    return Activity.objects.exclude(
        pk__in=ItemRecord.objects.filter(activity__isnull=False).values("activity")
    ).exclude(pk__in=Meeting.objects.filter(activity__isnull=False).values("activity"))


def test_a_year_of_activities_of_every_kind_but_receptions_which_the_cases_record(county):
    today = timezone.localdate()
    kinds = Counter(of_the_duties_seed().values_list("kind", flat=True))
    assert set(kinds) == set(ActivityKind.values) - {ActivityKind.RECEPTION}
    assert 150 <= sum(kinds.values()) <= 260
    held = of_the_duties_seed().filter(status=ActivityStatus.HELD)
    first = held.order_by("starts_at").first().starts_at.astimezone(CHINA).date()
    assert first >= today - datetime.timedelta(days=365) and first < today - datetime.timedelta(days=300)
    months = Counter(t.astimezone(CHINA).strftime("%Y-%m") for t in held.values_list("starts_at", flat=True))
    full = [n for month, n in sorted(months.items())[1:-1]]  # the first and the current month are partial
    assert len(full) >= 11 and min(full) >= 10  # every town, every month
    planned = of_the_duties_seed().filter(status=ActivityStatus.PLANNED)
    assert planned.count() == 3 and all(a.starts_at.date() > today for a in planned)
    midnight = datetime.datetime.combine(today, datetime.time(), tzinfo=CHINA)
    assert not AuditEvent.objects.filter(action__startswith="duties.", created_at__gte=midnight).exists()
    held_ids = {str(pk) for pk in held.values_list("pk", flat=True)}
    audited = AuditEvent.objects.filter(action="duties.activity_held", object_id__in=held_ids)
    assert audited.count() == len(held_ids)  # one audit row per activity marked held


def test_attendance_has_sign_ins_leave_and_absences_like_a_real_year(county):
    rows = Attendance.objects.filter(activity__in=of_the_duties_seed(), activity__status=ActivityStatus.HELD)
    statuses = Counter(rows.values_list("status", flat=True))
    total = sum(statuses.values())
    assert total > 1500
    assert 0.80 <= statuses[AttendanceStatus.PRESENT] / total <= 0.92
    assert 0.03 <= statuses[AttendanceStatus.ON_LEAVE] / total <= 0.09
    assert 0.05 <= statuses[AttendanceStatus.ABSENT] / total <= 0.15
    assert set(statuses) == {AttendanceStatus.PRESENT, AttendanceStatus.ON_LEAVE, AttendanceStatus.ABSENT}
    # The paper sheet is entered by staff with a reason; the demo deputy signs in by QR from the phone.
    me = Deputy.objects.get(user__username="deputy")
    assert rows.filter(method=SignInMethod.MANUAL, reason="现场纸质签到表补录").count() > 1000
    assert set(rows.filter(deputy=me, status="present").values_list("method", flat=True)) == {SignInMethod.QR}
    waiting = Attendance.objects.get(deputy=me, status=AttendanceStatus.LEAVE_REQUESTED)
    assert waiting.activity.status == ActivityStatus.PLANNED and waiting.reason
    # Every sign-in lies in its window, stamped by the simulated clock.
    for signed, starts in rows.filter(status="present").values_list("signed_in_at", "activity__starts_at")[:500]:
        assert starts - datetime.timedelta(hours=1) <= signed <= starts + datetime.timedelta(hours=1)


def test_meeting_points_are_answered_on_the_spot_or_transferred_as_suggestions(county):
    handling = Counter(MeetingPoint.objects.values_list("handling", flat=True))
    assert handling[PointHandling.ANSWERED] > 5 and handling[PointHandling.TRANSFERRED] > 5
    for point in MeetingPoint.objects.filter(handling=PointHandling.TRANSFERRED).select_related("suggestion"):
        assert point.suggestion is not None and point.suggestion.lead_deputy_id == point.raised_by_id
        assert point.activity.kind in (ActivityKind.BRIEFING, ActivityKind.CONSULTATION, ActivityKind.GRID_DAY)


def test_voters_evaluated_the_deputies_who_reported_and_it_shows_on_their_record(county):
    evaluations = VoterEvaluation.objects.select_related("activity")
    assert evaluations.count() > 100
    assert {e.activity.kind for e in evaluations} == {ActivityKind.REPORT}
    ratings = Counter(evaluations.values_list("rating", flat=True))
    assert ratings["satisfied"] > ratings["basic"] > ratings["unsatisfied"] > 0
    evaluation = evaluations.first()
    year = evaluation.activity.starts_at.astimezone(CHINA).year
    record = duty_record_collect(deputy=evaluation.deputy, year=year)
    assert sum(record.evaluations.values()) >= 12


def test_the_county_scores_lanzhous_eleven_items_with_confirmed_self_assessments(county):
    year = timezone.localdate().year
    items = list(ScoreItem.objects.filter(region=county, level="county", year=year).order_by("position"))
    assert [i.name for i in items] == [
        "出席人代会", "参加闭会期间活动", "视察调研", "联系选民", "接待选民", "提出建议",
        "建议办理满意", "办理群众意见", "群众满意", "参加培训", "兑现承诺",
    ]  # fmt: skip
    assert sum(i.max_points for i in items) == 100 and len(SCORE_ITEMS) == 11
    entries = Counter(ScoreEntry.objects.filter(item__year=year).values_list("status", flat=True))
    assert entries[EntryStatus.CONFIRMED] > 50 and entries[EntryStatus.CLAIMED] > 10
    corrected = ScoreEntry.objects.filter(status=EntryStatus.CONFIRMED).exclude(note="")
    assert corrected.exists() and all(e.confirmed < e.claimed for e in corrected)
    lines = scores(region_id=county.pk, level="county", year=year)
    assert len(lines) > 200 and lines[0].rank == 1
    totals = [line.total for line in lines]
    assert totals[0] > totals[-1] and totals[len(totals) // 2] > 20
    session = items[0]
    assert sum(1 for line in lines if line.items.get(session.pk) == Decimal("10")) > 0.8 * len(lines)


def test_pledges_funds_and_the_board_are_filled(county):
    year = timezone.localdate().year
    assert (
        Pledge.objects.filter(year=year - 1, is_kept=True).count()
        > Pledge.objects.filter(year=year - 1, is_kept=False).count()
        > 0
    )
    assert Pledge.objects.filter(deputy__user__username="deputy", year=year).exists()
    allocations = FundAllocation.objects.filter(year=year)
    assert (
        allocations.filter(amount=Decimal("2000")).exists() and allocations.filter(amount=Decimal("1000")).count() > 200
    )
    assert FundEntry.objects.count() > 100
    board = compliance_board(user=_county_staff(), day=timezone.localdate() - datetime.timedelta(days=40))
    assert board.rules and board.rows
    monthly = next(r for r in board.rules if r.level == "county" and r.period == "month")
    assert 0 < board.behind(monthly) < board.met(monthly) + board.behind(monthly)


def test_the_county_published_last_years_duty_records_which_show_on_a_deputys_public_page(county, client):
    year = timezone.localdate().year
    assert RecordPublication.objects.filter(region=county, level="county").values_list("year", flat=True)[::1] == [
        year - 1
    ]
    deputy = Deputy.objects.get(user__username="deputy")
    [shown] = [y for y in public_record(deputy=deputy) if y.year == year - 1]
    assert shown.activity_total > 0
    page = client.get(deputy.public_url).content.decode()
    assert "历年履职情况" in page and f"{year - 1}年" in page


def _county_staff():
    from lianxin.accounts.models import User

    return User.objects.get(username="county")


def fingerprint() -> list:
    """What the duties seed decides, without primary keys."""
    code = dict(Deputy.objects.values_list("id", "public_code"))
    return [
        sorted(of_the_duties_seed().values_list("kind", "title", "starts_at", "status", "signin_code", "outcome")),
        sorted(
            (a.activity.signin_code, code[a.deputy_id], a.status, a.method, a.signed_in_at, a.reason)
            for a in Attendance.objects.filter(activity__in=of_the_duties_seed()).select_related("activity")
        ),
        sorted(MeetingPoint.objects.values_list("activity__signin_code", "text", "handling", "answer")),
        sorted(
            VoterEvaluation.objects.values_list("activity__signin_code", "deputy__public_code", "rating", "comment")
        ),
        sorted(ScoreEntry.objects.values_list("deputy__public_code", "item__name", "claimed", "confirmed", "status")),
        sorted(Pledge.objects.values_list("deputy__public_code", "year", "text", "is_kept")),
        sorted(FundEntry.objects.values_list("deputy__public_code", "spent_on", "amount", "purpose")),
    ]


def test_the_duties_are_deterministic_for_a_seed_and_a_day(county):
    seeded = fingerprint()
    assert all(seeded)
    clear_supervision()  # its inspections and 约见 are duty activities
    clear_duties()
    assert not Activity.objects.exists()
    write_duties(random.Random(f"{DEFAULT_SEED}:duties"), today=timezone.localdate())
    assert fingerprint() == seeded


def test_the_seed_prints_its_duty_line_with_how_long_it_took(seeded, db):
    # `db` keeps this test with the package's others: pytest-django runs tests without a database last, after
    # transactional tests elsewhere, and the package's seed would be made a second time.
    # The time is printed for people to read; a speed target is a benchmark's business, not a test's.
    line = next(x for x in seeded.output.splitlines() if "履职活动" in x)
    assert re.search(r"用时 [\d.]+ 秒", line), line
