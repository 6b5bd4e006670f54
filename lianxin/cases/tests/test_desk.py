"""接待登记台: a walk-in or a phone call registered by place, township or county staff (issue 15)."""

from types import SimpleNamespace

import pytest

from lianxin.cases.desk import desk_default_place, desk_places, desk_register, desk_today_visible_to
from lianxin.cases.models import Case, CaseEvent, Category, Channel, ReplyVia
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.notifications.models import Notification
from lianxin.venues.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(regions):
    """居仁社区's station (the place staff's own), 武康街道's home, and 乾元镇's station outside."""
    return SimpleNamespace(
        station=Place.objects.create(kind=PlaceKind.STATION, name="居仁社区代表联络站", region=regions.jueren),
        home=Place.objects.create(kind=PlaceKind.HOME, name="武康街道人大代表之家", region=regions.wukang),
        outside=Place.objects.create(kind=PlaceKind.STATION, name="城东村代表联络站", region=regions.chengdong),
    )


def test_a_walk_in_becomes_a_station_case_of_the_place_with_its_event_and_sms(personas, regions, desk):
    registration = desk_register(
        actor=personas.place_staff,
        channel=Channel.STATION,
        place=desk.station,
        body="小区门口路灯坏了一个月\n晚上老人出门不方便",
        person_name="王秀英",
        person_phone="13957211234",
        category=Category.objects.get(code="transport"),
        form_token="t1",
    )

    case = registration.case
    assert registration.created
    assert (case.channel, case.place, case.region, case.session) == ("station", desk.station, regions.jueren, None)
    assert (case.title, case.created_by, case.reply_via) == ("小区门口路灯坏了一个月", personas.place_staff, "phone")
    [event] = CaseEvent.objects.filter(case=case)
    assert (event.action, event.actor, event.note) == ("register", personas.place_staff, "经站内坐诊登记")
    sms = Notification.objects.get(case=case, kind="case.registered")
    assert sms.channel == "sms" and sms.recipient == "13957211234"
    again = desk_register(
        actor=personas.place_staff, channel="station", place=desk.station, body="重复提交", form_token="t1"
    )
    assert (again.created, again.case, Case.objects.count()) == (False, case, 1)


def test_a_phone_call_needs_no_place_takes_a_village_and_may_be_anonymous(personas, regions, desk):
    case = desk_register(
        actor=personas.township_staff,
        channel=Channel.PHONE,
        region=regions.jueren,
        body="反映居仁路噪音扰民",
        person_name="不愿透露",
        person_phone="13957211234",
        is_anonymous=True,
        reply_via=ReplyVia.NONE,
    ).case

    assert (case.channel, case.get_channel_display(), case.place, case.region) == (
        "phone",
        "来电",
        None,
        regions.jueren,
    )
    assert (case.is_anonymous, case.person_name, case.person_phone, case.reply_via) == (True, "", "", "none")
    assert CaseEvent.objects.get(case=case).note == "经来电登记"
    assert not Notification.objects.filter(case=case, kind="case.registered").exists()


def test_a_township_homes_walk_in_is_filed_under_the_village_it_is_about(personas, regions, desk):
    case = desk_register(
        actor=personas.township_staff, channel="station", place=desk.home, region=regions.jueren, body="社区停车难"
    ).case
    assert (case.place, case.region) == (desk.home, regions.jueren)
    with pytest.raises(DomainError) as outside:
        desk_register(
            actor=personas.township_staff, channel="station", place=desk.home, region=regions.chengdong, body="x"
        )
    assert (outside.value.field, outside.value.message) == ("region", "所在区划: 应在武康街道范围内")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"channel": "online"}, "channel", "登记方式: 请选择来访或来电"),
        ({"place": None}, "place", "家站室: 来访登记须选择接待的家站室"),
        ({"body": "  "}, "body", "内容: 不能为空"),
        ({"person_phone": "12345"}, "person_phone", None),
        ({"reply_via": "sms", "person_phone": ""}, "person_phone", "联系电话: 选择短信或电话回复时须留下电话"),
    ],
)
def test_bad_input_is_refused_with_the_field_in_chinese_and_nothing_is_written(personas, desk, fields, field, message):
    values = {"channel": "station", "place": desk.station, "body": "路灯坏了", **fields}
    with pytest.raises(DomainError) as refused:
        desk_register(actor=personas.place_staff, **values)
    assert refused.value.field == field
    assert message is None or refused.value.message == message
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_place_outside_the_clerks_region_is_refused(personas, desk):
    with pytest.raises(PermissionDenied):
        desk_register(actor=personas.township_staff, channel="station", place=desk.outside, body="城东村的事")
    with pytest.raises(PermissionDenied):
        desk_register(actor=personas.place_staff, channel="station", place=desk.home, body="街道的事")  # above them
    assert not Case.objects.exists()


def test_the_places_offered_are_the_clerks_with_a_place_staffs_own_first(personas, desk):
    assert desk_places(user=personas.place_staff) == [desk.station]
    assert desk_default_place(user=personas.place_staff, places=[desk.station]) == desk.station
    township = desk_places(user=personas.township_staff)
    assert township == [desk.home, desk.station]
    assert desk_default_place(user=personas.township_staff, places=township) is None
    assert desk_places(user=personas.deputy) == [] and desk_places(user=personas.unit_handler) == []


def test_today_lists_the_places_desk_registrations_not_other_places_or_sessions(personas, regions, desk):
    mine = desk_register(actor=personas.place_staff, channel="phone", place=desk.station, body="来电反映").case
    desk_register(actor=personas.township_staff, channel="station", place=desk.home, body="街道来访")
    call = desk_register(actor=personas.township_staff, channel="phone", region=regions.jueren, body="办公室来电")

    assert list(desk_today_visible_to(user=personas.place_staff, place=desk.station)) == [mine]
    assert list(desk_today_visible_to(user=personas.township_staff, place=None)) == [call.case]
    assert list(desk_today_visible_to(user=personas.outsider, place=desk.station)) == []
