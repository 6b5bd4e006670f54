# ruff: noqa: F811  (the by_election fixture imported from test_results is named by each test)
"""A by-election's result from the admin (记录补选结果（当选）): staff pick the elected candidates, give the date on a
small form, and the deputy and the mandate are made through byelection_result_record; a refusal shows the
service's reason on the form again and writes nothing; staff outside the district cannot record it."""

import datetime

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from lianxin.core.models import AuditEvent
from lianxin.deputies.models import Deputy, Mandate, MandateLevel, MandateStatus
from lianxin.elections import services
from lianxin.elections.models import ElectionResult
from lianxin.elections.tests.test_results import DAY, LI, WANG, ZHANG, by_election, nominate  # noqa: F401

CHANGELIST = reverse("admin:elections_candidate_changelist")
ACTION = "record_result"


@pytest.fixture(autouse=True)
def _after_election_day():
    with time_machine.travel(datetime.datetime(2026, 12, 20, 9, 0), tick=False):
        yield


def choose(client, candidates):
    """The first step: the candidates ticked in the list and the action chosen (what the list's form posts)."""
    return client.post(
        CHANGELIST, {"action": ACTION, "index": "0", ACTION_CHECKBOX_NAME: [str(c.pk) for c in candidates]}
    )


def record(client, candidates, elected_on="2026-12-15", term=""):
    """The second step: the small form sent with the date (and the term)."""
    data = {
        "action": ACTION,
        "apply": "1",
        ACTION_CHECKBOX_NAME: [str(c.pk) for c in candidates],
        "elected_on": elected_on,
        "term": term,
    }
    return client.post(CHANGELIST, data, follow=True)


def messages_of(response):
    return [str(m.message) for m in response.context["messages"]]


def test_the_action_is_offered_and_asks_for_the_election_date(client, personas, by_election):
    zhang = nominate(by_election, personas.county_staff, "张伟", ZHANG)
    client.force_login(personas.county_staff)

    assert "记录补选结果（当选）" in client.get(CHANGELIST).content.decode()
    form = choose(client, [zhang])

    assert form.status_code == 200
    html = form.content.decode()
    assert "当选日期" in html and "届次（选填）" in html and "居仁选区" in html and "张伟" in html
    assert not ElectionResult.objects.exists()  # choosing the action writes nothing yet


def test_staff_record_a_result_and_are_told_the_deputy_and_the_mandate_made(client, personas, by_election, regions):
    staff = personas.county_staff
    zhang = nominate(by_election, staff, "张伟", ZHANG, occupation="居仁社区党委书记")
    nominate(by_election, staff, "王强", WANG)
    client.force_login(staff)

    response = record(client, [zhang])

    assert response.redirect_chain == [(CHANGELIST, 302)]
    deputy = Deputy.objects.get(id_number=ZHANG)
    mandate = deputy.mandates.get()
    assert (mandate.congress_region, mandate.term, mandate.status, mandate.started_on) == (
        regions.deqing,
        18,
        MandateStatus.BY_ELECTED,
        DAY,
    )
    result = ElectionResult.objects.get()
    assert (result.candidate, result.deputy, result.mandate, result.recorded_by) == (zhang, deputy, mandate, staff)
    assert set(AuditEvent.objects.filter(actor=staff).values_list("action", flat=True)) >= {
        "deputy.create",
        "mandate.create",
        "election.result_record",
    }
    [message] = messages_of(response)
    assert message.startswith("已登记张伟补选当选：新建代表")
    assert "新建代表资格 德清县第18届人大代表（居仁选区，补选在任，自2026-12-15起）" in message
    assert reverse("admin:deputies_deputy_change", args=[deputy.pk]) in message
    # The list says who won.
    assert "2026-12-15当选" in response.content.decode()


def test_a_sitting_deputy_of_another_congress_is_named_as_the_same_record(client, personas, by_election, regions):
    township_deputy = Deputy.objects.create(name="张伟", gender="male", id_number=ZHANG)
    Mandate.objects.create(deputy=township_deputy, level=MandateLevel.TOWNSHIP, congress_region=regions.wukang, term=9)
    zhang = nominate(by_election, personas.county_staff, "张伟", ZHANG)
    client.force_login(personas.county_staff)

    [message] = messages_of(record(client, [zhang]))

    assert message.startswith("已登记张伟补选当选：沿用已有代表")
    assert ElectionResult.objects.get().deputy == township_deputy
    assert Deputy.objects.filter(id_number=ZHANG).count() == 1

    [again] = messages_of(record(client, [zhang]))
    assert again.endswith("已于2026-12-15登记当选，本次未作更改")
    assert ElectionResult.objects.count() == 1


def test_a_refused_result_shows_the_reason_on_the_form_again_and_writes_nothing(client, personas, by_election):
    staff = personas.county_staff
    zhang = nominate(by_election, staff, "张伟", ZHANG)
    wang = nominate(by_election, staff, "王强", WANG)
    events = AuditEvent.objects.count()
    client.force_login(staff)

    early = record(client, [zhang], elected_on="2026-12-14")
    assert early.redirect_chain == []  # still the form, with the date to correct
    assert messages_of(early) == ["未登记：当选日期不能早于选举日（2026-12-15）"]
    assert 'value="2026-12-14"' in early.content.decode()

    too_many = record(client, [zhang, wang])
    assert messages_of(too_many) == ["未登记：居仁选区应选代表1名，已登记当选0名，不能再登记2名"]

    blank = record(client, [zhang], elected_on="")
    assert "这个字段是必填项" in blank.content.decode() and messages_of(blank) == []

    assert AuditEvent.objects.count() == events
    assert not ElectionResult.objects.exists()
    assert not Deputy.objects.filter(id_number__in=[ZHANG, WANG]).exists()


def test_one_refused_district_leaves_the_others_unwritten(client, personas, by_election, regions):
    staff = personas.county_staff
    second = services.district_create(
        actor=staff, election=by_election.election, code="02", name="城东选区", region=regions.chengdong, seats=1
    )
    zhang = nominate(by_election, staff, "张伟", ZHANG)
    li = services.candidate_nominate(actor=staff, district=second, name="李娜", id_number=LI)  # not reviewed yet
    client.force_login(staff)

    response = record(client, [zhang, li])

    assert messages_of(response) == ["未登记：候选人“李娜”资格审查结果为“待审查”，不能登记为当选"]
    assert not ElectionResult.objects.exists()
    assert not Deputy.objects.filter(id_number=ZHANG).exists()
    assert not Mandate.objects.filter(status=MandateStatus.BY_ELECTED).exists()


def test_township_staff_record_a_result_in_their_own_district(client, personas, by_election):
    zhang = nominate(by_election, personas.county_staff, "张伟", ZHANG)
    client.force_login(personas.township_staff)  # 武康街道: the district (居仁社区) is theirs

    record(client, [zhang])

    assert ElectionResult.objects.get().recorded_by == personas.township_staff


@pytest.mark.parametrize(
    ("persona", "status", "location"),
    [
        ("outsider", 302, CHANGELIST),  # 乾元镇: 居仁's candidate is not in their list, so none is selected
        ("place_staff", 403, None),  # no elections in the back office
        ("deputy", 302, f"/admin/login/?next={CHANGELIST}"),  # no back office at all
    ],
)
def test_those_outside_the_district_or_without_elections_cannot_record_a_result(
    client, personas, by_election, persona, status, location
):
    zhang = nominate(by_election, personas.county_staff, "张伟", ZHANG)
    events = AuditEvent.objects.count()
    client.force_login(getattr(personas, persona))

    chosen = choose(client, [zhang])
    assert (chosen.status_code, chosen.get("Location")) == (status, location)
    if persona == "outsider":
        assert messages_of(client.get(CHANGELIST)) == ["请选择本辖区的候选人"]

    recorded = record(client, [zhang])
    if persona == "outsider":
        assert messages_of(recorded) == ["请选择本辖区的候选人"]
    assert not ElectionResult.objects.exists()
    assert AuditEvent.objects.count() == events
