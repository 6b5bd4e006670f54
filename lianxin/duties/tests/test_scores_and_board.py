import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from lianxin.cases.services import reception_start
from lianxin.core.errors import DomainError
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import Deputy, DeputyGroup, GroupKind, Mandate, MandateLevel
from lianxin.duties import selectors, services
from lianxin.duties.models import FrequencyRule, ScoreItem, ScoreSource
from lianxin.venues.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


def attend(duty, personas, deputy_user, **fields):
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-30), **fields)
    services.attendance_sign_in(actor=deputy_user, code=activity.signin_code)
    return activity


def test_receptions_recorded_by_the_cases_app_count_as_activities_without_a_copy(duty, personas, regions):
    reception_start(actor=personas.county_staff, deputy=duty.first, kind="mobile", region=regions.jueren)
    attend(duty, personas, personas.deputy)
    today = timezone.localdate()
    counts = selectors.activity_counts(deputy_ids=None, start=today, end=today, kinds=["reception", "visit"])
    assert counts == {duty.first.pk: 2}
    assert selectors.activity_counts(deputy_ids=[duty.first.pk], start=today, end=today, kinds=["reception"]) == {
        duty.first.pk: 1
    }


def test_the_board_shows_who_meets_a_monthly_rule_and_who_is_behind(duty, personas):
    rule = FrequencyRule.objects.create(name="县级代表每月至少一次基层活动", level="county", period="month", minimum=1)
    attend(duty, personas, personas.deputy)
    board = selectors.compliance_board(user=personas.county_staff)
    rows = {row.deputy.name: row for row in board.rows}
    assert rows["沈建国"].counts[rule.pk] == 1 and rule.pk not in rows["沈建国"].behind
    assert rows["钱立新"].counts[rule.pk] == 0 and rule.pk in rows["钱立新"].behind
    assert rule.pk not in rows["杨乡镇"].counts  # a township deputy: the county rule does not apply
    assert board.met(rule) == 1 and board.behind(rule) == 1


def test_the_board_is_scoped_to_the_users_region(duty, personas):
    FrequencyRule.objects.create(name="每月一次", period="month", minimum=1)
    names = {row.deputy.name for row in selectors.compliance_board(user=personas.outsider).rows}
    assert "沈建国" not in names


def test_a_rule_for_directly_elected_deputies_leaves_out_a_city_deputy(duty, personas, regions):
    city = Deputy.objects.create(name="章市代表", gender="female")
    Mandate.objects.create(
        deputy=city, level=MandateLevel.CITY, congress_region=regions.huzhou, term=9, district_region=regions.jueren
    )
    rule = FrequencyRule.objects.create(
        name="向选民述职", period="year", minimum=1, kinds=["report"], directly_elected_only=True
    )
    rows = {row.deputy.name: row for row in selectors.compliance_board(user=personas.county_staff).rows}
    assert rule.pk not in rows["章市代表"].counts and rule.pk not in rows["章市代表"].behind
    assert rule.pk in rows["钱立新"].behind and rule.pk in rows["杨乡镇"].behind  # county and township: concerned


def test_a_term_rule_counts_from_the_deputys_own_term_start(duty, personas):
    rule = FrequencyRule.objects.create(name="每届至少述职一次", period="term", minimum=1, kinds=["report"])
    attend(duty, personas, personas.deputy, kind="report")
    Mandate.objects.filter(deputy=duty.second).update(started_on=datetime.date(timezone.localdate().year, 1, 1))
    board = selectors.compliance_board(user=personas.county_staff)
    rows = {row.deputy.name: row for row in board.rows}
    assert rows["沈建国"].counts[rule.pk] == 1 and rule.pk not in rows["沈建国"].behind
    assert rows["钱立新"].counts[rule.pk] == 0 and rule.pk in rows["钱立新"].behind
    assert board.periods[rule.pk] == (datetime.date(2022, 1, 1), timezone.localdate())  # the earliest term start


def test_places_have_their_own_rules_counted_from_receptions_and_activities_held_there(duty, personas, regions):
    station = Place.objects.create(kind=PlaceKind.STATION, name="居仁社区代表工作站", region=regions.jueren)
    quiet = Place.objects.create(kind=PlaceKind.STATION, name="城东村代表工作站", region=regions.chengdong)
    home = Place.objects.create(kind=PlaceKind.HOME, name="德清县代表之家", region=regions.deqing)
    rule = FrequencyRule.objects.create(
        name="每个站每月至少接待一次", subject="place", place_kind="station", period="month", minimum=1,
        kinds=["reception"],
    )  # fmt: skip
    reception_start(actor=personas.county_staff, deputy=duty.first, kind="station", place=station)
    board = selectors.compliance_board(user=personas.county_staff)
    places = {row.place.name: row for row in board.places}
    assert places["居仁社区代表工作站"].counts[rule.pk] == 1 and not places["居仁社区代表工作站"].behind
    assert places["城东村代表工作站"].behind == [rule.pk]
    assert rule.pk not in places[home.name].counts  # the rule is for stations only
    assert (board.met(rule), board.behind(rule)) == (1, 1)
    outside = {row.place.pk for row in selectors.compliance_board(user=personas.outsider).places}
    assert quiet.pk in outside and station.pk not in outside  # 乾元镇 staff: 城东村 is theirs, 居仁 is not


def test_the_board_counts_who_is_behind_by_deputy_group(duty, personas, regions):
    rule = FrequencyRule.objects.create(name="每月一次", level="county", period="month", minimum=1)
    group = DeputyGroup.objects.create(kind=GroupKind.LOCAL, name="居仁代表小组", region=regions.jueren)
    group.members.add(duty.first, duty.second)
    attend(duty, personas, personas.deputy)
    board = selectors.compliance_board(user=personas.county_staff)
    assert {row.deputy.name: row.groups for row in board.rows}["沈建国"] == ["居仁代表小组"]
    assert board.by_group([rule]) == [("居仁代表小组", 2, 1), ("未编入小组", 1, 0)]


def items(regions, year):
    visits = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=1, name="走访群众",
        source=ScoreSource.ACTIVITIES, kinds=["visit"], points_each=Decimal("2"), max_points=Decimal("3"),
    )  # fmt: skip
    own = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=2, name="参加培训自评",
        source=ScoreSource.SELF, points_each=Decimal("1"), max_points=Decimal("5"),
    )  # fmt: skip
    return visits, own


def test_scores_count_records_up_to_the_maximum_and_self_claims_once_confirmed(duty, personas, regions):
    year = timezone.localdate().year
    visits, own = items(regions, year)
    attend(duty, personas, personas.deputy)
    attend(duty, personas, personas.deputy, title="第二次走访")
    attend(duty, personas, duty.second_user, title="第三次走访")
    entry = services.score_claim(actor=personas.deputy, item=own, points="4", evidence="参加了四次培训")
    lines = {line.name: line for line in selectors.scores(region_id=regions.deqing.pk, level="county", year=year)}
    assert lines["沈建国"].items[visits.pk] == Decimal("3")  # 2 × 2 points, capped at 3
    assert lines["沈建国"].items[own.pk] == 0 and own.pk in lines["沈建国"].pending
    assert lines["钱立新"].total == Decimal("2")
    services.score_confirm(actor=personas.county_staff, entry=entry, points="4")
    lines = {line.name: line for line in selectors.scores(region_id=regions.deqing.pk, level="county", year=year)}
    assert lines["沈建国"].total == Decimal("7") and lines["沈建国"].rank == 1 and lines["钱立新"].rank == 2


def test_a_claim_above_the_items_maximum_is_refused_and_a_correction_needs_a_note(duty, personas, regions):
    _, own = items(regions, timezone.localdate().year)
    with pytest.raises(DomainError) as above:
        services.score_claim(actor=personas.deputy, item=own, points="6", evidence="")
    assert above.value.code == "score_above_maximum" and "0 到 5" in above.value.message
    entry = services.score_claim(actor=personas.deputy, item=own, points="5", evidence="五次培训")
    with pytest.raises(DomainError) as no_note:
        services.score_confirm(actor=personas.county_staff, entry=entry, points="3")
    assert no_note.value.field == "note"
    services.score_confirm(actor=personas.county_staff, entry=entry, points="3", note="两次培训无签到记录")
    audit = AuditEvent.objects.get(action="duties.score_confirm")
    assert audit.changes["confirmed"] == [None, "3.0"] and audit.note == "两次培训无签到记录"
    with pytest.raises(DomainError) as locked:
        services.score_claim(actor=personas.deputy, item=own, points="5", evidence="再改")
    assert locked.value.code == "entry_confirmed"


def test_equal_totals_share_a_rank(duty, personas, regions):
    visits, _ = items(regions, timezone.localdate().year)
    attend(duty, personas, personas.deputy)
    attend(duty, personas, duty.second_user, title="另一次")
    ranks = [line.rank for line in selectors.scores(region_id=regions.deqing.pk, level="county", year=visits.year)]
    assert ranks == [1, 1]
