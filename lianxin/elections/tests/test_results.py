"""A by-election's result: the elected candidates become deputies with a mandate, once, audited; refusals."""

import datetime

import pytest
import time_machine

from lianxin.core.errors import DomainError, NotFound
from lianxin.core.idcard import id_number_check_character
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import Deputy, Mandate, MandateLevel, MandateStatus
from lianxin.elections import services
from lianxin.elections.models import ElectionKind, ElectionResult
from lianxin.elections.results import byelection_result_record

DAY = datetime.date(2026, 12, 15)


def make_id(birth: str, sequence: str) -> str:
    first17 = "330521" + birth + sequence
    return first17 + id_number_check_character(first17)


ZHANG = make_id("19850312", "131")  # male
LI = make_id("19900704", "242")  # female
WANG = make_id("19720101", "351")  # male


@pytest.fixture(autouse=True)
def _after_election_day():
    with time_machine.travel(datetime.datetime(2026, 12, 20, 9, 0), tick=False):
        yield


@pytest.fixture
def by_election(regions, personas):
    election = services.election_create(
        actor=personas.county_staff,
        name="德清县第十八届人大代表补选",
        region=regions.deqing,
        election_day=DAY,
        kind=ElectionKind.BY_ELECTION,
    )
    district = services.district_create(
        actor=personas.county_staff, election=election, code="01", name="居仁选区", region=regions.jueren, seats=1
    )
    # The county congress is in its 18th term: a sitting deputy's mandate says so.
    sitting = Deputy.objects.create(name="赵敏", gender="female", id_number=make_id("19700101", "222"))
    Mandate.objects.create(deputy=sitting, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=18)
    return district


def nominate(district, staff, name, id_number, qualified=True, occupation=""):
    candidate = services.candidate_nominate(
        actor=staff, district=district, name=name, id_number=id_number, occupation=occupation
    )
    # None of them is on a roll here: qualifying them needs the note the review asks for.
    return services.candidate_review(
        actor=staff, candidate=candidate, qualified=qualified, note="经审查，户籍在本选区，名册漏登已更正"
    )


def test_recording_a_result_creates_the_deputy_and_a_by_elected_mandate_with_audit_rows(by_election, personas, regions):
    staff = personas.county_staff
    zhang = nominate(by_election, staff, "张伟", ZHANG, occupation="居仁社区党委书记")
    nominate(by_election, staff, "王强", WANG)

    [result] = byelection_result_record(actor=staff, district=by_election, candidates=[zhang], elected_on=DAY)

    deputy = Deputy.objects.get(id_number=ZHANG)
    assert (deputy.name, deputy.gender, deputy.birth_date, deputy.employer) == (
        "张伟",
        "male",
        datetime.date(1985, 3, 12),
        "居仁社区党委书记",
    )
    mandate = deputy.mandates.get()
    assert (
        mandate.level,
        mandate.congress_region,
        mandate.term,
        mandate.district_name,
        mandate.district_region,
        mandate.status,
        mandate.started_on,
    ) == (MandateLevel.COUNTY, regions.deqing, 18, "居仁选区", regions.jueren, MandateStatus.BY_ELECTED, DAY)
    assert (result.candidate, result.deputy, result.mandate, result.elected_on, result.recorded_by) == (
        zhang,
        deputy,
        mandate,
        DAY,
        staff,
    )
    actions = list(AuditEvent.objects.filter(action__in=["deputy.create", "mandate.create", "election.result_record"]))
    assert sorted(event.action for event in actions) == ["deputy.create", "election.result_record", "mandate.create"]
    record = AuditEvent.objects.get(action="election.result_record")
    assert record.actor == staff and record.region_path == regions.jueren.path
    assert record.changes["deputy"] == [None, deputy.pk] and record.changes["elected_on"] == [None, "2026-12-15"]


def test_recording_the_same_result_twice_changes_nothing(by_election, personas):
    staff = personas.county_staff
    zhang = nominate(by_election, staff, "张伟", ZHANG)
    first = byelection_result_record(actor=staff, district=by_election, candidates=[zhang], elected_on=DAY)
    events = AuditEvent.objects.count()

    again = byelection_result_record(actor=staff, district=by_election, candidates=[zhang], elected_on=DAY)

    assert again == first
    assert AuditEvent.objects.count() == events
    assert ElectionResult.objects.count() == 1
    assert Deputy.objects.filter(id_number=ZHANG).count() == 1
    assert Mandate.objects.filter(status=MandateStatus.BY_ELECTED).count() == 1


def test_an_elected_deputy_of_another_congress_is_the_same_row_and_keeps_their_public_code(
    by_election, personas, regions
):
    township_deputy = Deputy.objects.create(name="张伟", gender="male", id_number=ZHANG, employer="原单位")
    Mandate.objects.create(deputy=township_deputy, level=MandateLevel.TOWNSHIP, congress_region=regions.wukang, term=9)
    code = township_deputy.public_code
    zhang = nominate(by_election, personas.county_staff, "张伟", ZHANG, occupation="居仁社区党委书记")

    [result] = byelection_result_record(
        actor=personas.county_staff, district=by_election, candidates=[zhang], elected_on=DAY
    )

    assert result.deputy == township_deputy
    township_deputy.refresh_from_db()
    # What staff recorded stays; the blank birth date is filled from the ID number.
    assert (township_deputy.public_code, township_deputy.employer) == (code, "原单位")
    assert township_deputy.birth_date == datetime.date(1985, 3, 12)
    assert sorted(township_deputy.mandates.values_list("level", "term")) == [("county", 18), ("township", 9)]
    update = AuditEvent.objects.get(action="deputy.update", object_id=str(township_deputy.pk))
    assert update.changes == {"birth_date": [None, "1985-03-12"]}
    assert not AuditEvent.objects.filter(action="deputy.create").exists()


def test_a_candidate_without_a_usable_id_number_becomes_a_new_deputy(by_election, personas):
    candidate = nominate(by_election, personas.county_staff, "李娜", "12345", qualified=True)

    [result] = byelection_result_record(
        actor=personas.county_staff, district=by_election, candidates=[candidate], elected_on=DAY
    )

    assert result.deputy.name == "李娜" and result.deputy.id_number == "12345"
    assert Deputy.objects.filter(name="李娜").count() == 1


@pytest.mark.parametrize("qualified", [None, False])
def test_a_candidate_not_qualified_is_refused_and_nothing_is_written(by_election, personas, qualified):
    staff = personas.county_staff
    if qualified is None:
        candidate = services.candidate_nominate(actor=staff, district=by_election, name="李娜", id_number=LI)
        expected = "资格审查结果为“待审查”"
    else:
        candidate = nominate(by_election, staff, "李娜", LI, qualified=False)
        expected = "资格审查结果为“资格无效”"
    events = AuditEvent.objects.count()

    with pytest.raises(DomainError, match=expected) as caught:
        byelection_result_record(actor=staff, district=by_election, candidates=[candidate], elected_on=DAY)

    assert caught.value.code == "result_candidate_not_qualified"
    assert "李娜" in caught.value.message
    assert AuditEvent.objects.count() == events
    assert not ElectionResult.objects.exists() and not Deputy.objects.filter(id_number=LI).exists()


def test_more_elected_than_the_seats_is_refused_also_across_two_recordings(by_election, personas):
    staff = personas.county_staff
    zhang = nominate(by_election, staff, "张伟", ZHANG)
    wang = nominate(by_election, staff, "王强", WANG)

    with pytest.raises(DomainError, match="居仁选区应选代表1名，已登记当选0名，不能再登记2名") as caught:
        byelection_result_record(actor=staff, district=by_election, candidates=[zhang, wang], elected_on=DAY)
    assert caught.value.code == "result_seats_exceeded"
    assert not ElectionResult.objects.exists() and not Deputy.objects.filter(id_number__in=[ZHANG, WANG]).exists()

    byelection_result_record(actor=staff, district=by_election, candidates=[zhang], elected_on=DAY)
    with pytest.raises(DomainError, match="已登记当选1名，不能再登记1名"):
        byelection_result_record(actor=staff, district=by_election, candidates=[wang], elected_on=DAY)
    assert list(ElectionResult.objects.values_list("candidate__name", flat=True)) == ["张伟"]


def test_a_district_with_two_seats_takes_two_results(by_election, personas):
    by_election.seats = 2
    by_election.save(update_fields=["seats"])
    staff = personas.county_staff
    zhang, wang = nominate(by_election, staff, "张伟", ZHANG), nominate(by_election, staff, "王强", WANG)

    results = byelection_result_record(actor=staff, district=by_election, candidates=[zhang, wang], elected_on=DAY)

    assert sorted(r.deputy.name for r in results) == ["张伟", "王强"]
    assert AuditEvent.objects.filter(action="election.result_record").count() == 2


def test_dates_and_elections_that_cannot_hold_a_result_are_refused(by_election, personas, regions):
    staff = personas.county_staff
    zhang = nominate(by_election, staff, "张伟", ZHANG)
    with pytest.raises(DomainError, match="当选日期不能早于选举日（2026-12-15）"):
        byelection_result_record(
            actor=staff, district=by_election, candidates=[zhang], elected_on=DAY - datetime.timedelta(days=1)
        )
    with pytest.raises(DomainError, match="当选日期不能晚于今天"):
        byelection_result_record(
            actor=staff, district=by_election, candidates=[zhang], elected_on=datetime.date(2026, 12, 21)
        )
    byelection_result_record(actor=staff, district=by_election, candidates=[zhang], elected_on=DAY)
    with pytest.raises(DomainError, match="已于2026-12-15登记当选，不能以另一日期再次登记"):
        byelection_result_record(
            actor=staff, district=by_election, candidates=[zhang], elected_on=datetime.date(2026, 12, 16)
        )

    general = services.election_create(actor=staff, name="换届选举", region=regions.deqing, election_day=DAY)
    district = services.district_create(
        actor=staff, election=general, code="02", name="城东选区", region=regions.chengdong
    )
    wang = nominate(district, staff, "王强", WANG)
    with pytest.raises(DomainError, match="只有补选可以在此登记当选结果") as caught:
        byelection_result_record(actor=staff, district=district, candidates=[wang], elected_on=DAY)
    assert caught.value.code == "result_not_by_election"


def test_a_sitting_deputy_of_the_same_term_cannot_be_by_elected_again(by_election, personas, regions):
    sitting = Deputy.objects.create(name="张伟", gender="male", id_number=ZHANG)
    Mandate.objects.create(deputy=sitting, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=18)
    zhang = nominate(by_election, personas.county_staff, "张伟", ZHANG)

    with pytest.raises(DomainError, match="“张伟”已是德清县第18届人大代表"):
        byelection_result_record(actor=personas.county_staff, district=by_election, candidates=[zhang], elected_on=DAY)

    assert not ElectionResult.objects.exists()
    assert sitting.mandates.count() == 1


def test_the_term_is_given_when_the_congress_has_no_mandate_yet(by_election, personas):
    Mandate.objects.all().delete()
    zhang = nominate(by_election, personas.county_staff, "张伟", ZHANG)
    with pytest.raises(DomainError, match="请填写届次"):
        byelection_result_record(actor=personas.county_staff, district=by_election, candidates=[zhang], elected_on=DAY)

    [result] = byelection_result_record(
        actor=personas.county_staff, district=by_election, candidates=[zhang], elected_on=DAY, term=18
    )
    assert result.mandate.term == 18


def test_staff_outside_the_district_get_not_found(by_election, personas):
    zhang = nominate(by_election, personas.county_staff, "张伟", ZHANG)
    for outsider in (personas.outsider, personas.deputy):
        with pytest.raises(NotFound):
            byelection_result_record(actor=outsider, district=by_election, candidates=[zhang], elected_on=DAY)
    assert not ElectionResult.objects.exists()
    assert ElectionResult.objects.visible_to(personas.outsider).count() == 0
