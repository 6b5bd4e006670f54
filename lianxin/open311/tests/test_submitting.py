import datetime
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.utils import timezone

from lianxin.cases.models import Case, CaseEvent, Channel, Rating, Status
from lianxin.cases.services import case_rate_as_citizen
from lianxin.cases.workflow import Action, case_transition
from lianxin.open311.models import Open311Key
from lianxin.open311.serializers import w3_datetime
from lianxin.open311.services import open311_key_create, open311_key_revoke
from lianxin.open311.tests.conftest import BASE, CHENGDONG_POINT, records

FORMATS = ["json", "xml"]


def error_of(response, fmt):
    [err] = records(response, fmt, "errors", "error")
    assert str(err["code"]) == str(response.status_code)
    return err["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_registers_an_online_case_in_the_grid_of_its_point(o311, regions, fmt):
    response = o311.post(fmt, account_id="acct-7", media_url="https://img.example.org/lamp.jpg")
    assert response.status_code == 200
    [answer] = records(response, fmt, "service_requests", "request")
    assert answer["account_id"] == "acct-7" and answer["service_notice"]
    assert "token" not in answer

    case = Case.objects.get(receipt_code=answer["service_request_id"])
    assert case.channel == Channel.ONLINE and case.status == Status.REGISTERED
    assert case.region == regions.jueren and case.grid.code == "JR-01"
    assert case.category == o311.category
    assert case.title == "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。"
    assert "https://img.example.org/lamp.jpg" in case.body
    assert case.created_by is None
    [event] = CaseEvent.objects.filter(case=case)
    assert (event.action, event.actor, event.actor_label) == ("register", None, "群众")


def test_a_post_with_only_an_address_goes_to_the_keys_region(o311, regions):
    response = o311.post(lat=None, long=None, address_string="武康街道居仁路18号")
    case = Case.objects.get(receipt_code=response.json()[0]["service_request_id"])
    assert case.region == regions.deqing and case.address == "武康街道居仁路18号" and case.lat is None


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "no-such-service"}, 404, "service_code"),
        ({"lat": None, "long": None}, 400, "lat"),
        ({"long": None}, 400, "lat/long"),
        ({"lat": "north"}, 400, "lat/long"),
        ({"lat": "nan"}, 400, "lat/long"),
        ({"lat": "40.7", "long": "-74.0"}, 400, "不在中国境内"),
        ({"jurisdiction_id": "999999999999"}, 404, "jurisdiction_id"),
        ({"phone": "12345"}, 400, "电话"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"description": "长" * 5001}, 400, "5000"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_post_is_refused_in_the_error_format_and_registers_nothing(o311, fmt, fields, status, words):
    response = o311.post(fmt, **fields)
    assert response.status_code == status
    assert words in error_of(response, fmt)
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_wrong_or_revoked_key_is_a_403(o311, fmt):
    assert o311.post(fmt, api_key=None).status_code == 403
    response = o311.post(fmt, api_key="o311_not-a-key")
    assert response.status_code == 403 and "api_key" in error_of(response, fmt)
    open311_key_revoke(actor=None, key=Open311Key.objects.get())
    assert o311.post(fmt).status_code == 403
    assert not Case.objects.exists()


def test_a_key_submits_only_inside_its_jurisdiction(client, o311, regions):
    township_key = open311_key_create(actor=None, name="武康街道小程序", region=regions.wukang)
    outside = o311.post(api_key=township_key, **CHENGDONG_POINT)
    assert outside.status_code == 400 and "武康街道" in error_of(outside, "json")
    other_county = o311.post(api_key=township_key, jurisdiction_id=regions.qianyuan.code)
    assert other_county.status_code == 403 and "jurisdiction_id" in error_of(other_county, "json")
    inside = o311.post(api_key=township_key, jurisdiction_id=regions.jueren.code)
    assert inside.status_code == 200
    assert Case.objects.get().region == regions.jueren


def test_a_point_outside_the_region_boundary_is_refused_when_the_region_has_no_grids(o311, regions):
    regions.anji.boundary = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[119.5, 30.5], [119.7, 30.5], [119.7, 30.7], [119.5, 30.5]]]},
    }
    regions.anji.save()
    key = open311_key_create(actor=None, name="安吉县平台", region=regions.anji)
    assert o311.post(api_key=key, lat="30.52", long="119.9").status_code == 400
    assert o311.post(api_key=key, lat="30.52", long="119.65").status_code == 200


def test_a_retried_post_returns_the_same_request_and_registers_one_case(o311):
    first = o311.post().json()[0]["service_request_id"]
    again = o311.post().json()[0]["service_request_id"]
    assert again == first
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1

    other_device = o311.post(device_id="device-2").json()[0]["service_request_id"]
    other_text = o311.post(description="另一件事").json()[0]["service_request_id"]
    assert len({first, other_device, other_text}) == 3


def test_a_retry_just_after_a_window_ends_still_finds_the_first_case_but_a_later_report_is_new(o311):
    with time_machine.travel(datetime.datetime(2025, 6, 3, 9, 9, 50, tzinfo=datetime.UTC), tick=False):
        first = o311.post().json()[0]["service_request_id"]
    with time_machine.travel(datetime.datetime(2025, 6, 3, 9, 10, 5, tzinfo=datetime.UTC), tick=False):
        assert o311.post().json()[0]["service_request_id"] == first
    with time_machine.travel(datetime.datetime(2025, 6, 3, 10, 0, tzinfo=datetime.UTC), tick=False):
        assert o311.post().json()[0]["service_request_id"] != first
    assert Case.objects.count() == 2


def test_markup_is_stored_as_text_and_escaped_in_both_formats(client, o311):
    attack = '<script>alert("x")</script> & <b onmouseover=1>'
    code = o311.post(description=attack).json()[0]["service_request_id"]
    case = Case.objects.get(receipt_code=code)
    assert case.body == attack
    # What staff publish is what is shown (the person's own text never is): markup published must stay text too.
    Case.objects.filter(pk=case.pk).update(status=Status.PUBLISHED, public_text=attack)

    xml = client.get(f"{BASE}/requests/{code}.xml")
    assert b"<script>" not in xml.content and b"&lt;script&gt;" in xml.content
    assert ET.fromstring(xml.content).findtext("request/description") == attack

    as_json = client.get(f"{BASE}/requests/{code}.json")
    assert b"<script>" not in as_json.content
    assert as_json.json()[0]["description"] == attack


def test_the_round_trip_from_a_post_to_a_closed_request(client, o311, personas):
    code = o311.post(phone="13957211234").json()[0]["service_request_id"]
    case = Case.objects.get(receipt_code=code)

    def fetch():
        [request] = client.get(f"{BASE}/requests/{code}.json").json()
        return request

    assert fetch()["status"] == "open" and fetch()["agency_responsible"] is None

    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"urgency": "normal"})
    case = case_transition(
        case=case, action=Action.TRANSFER, actor=personas.township_staff, params={"unit": o311.unit.pk}
    )
    transferred = fetch()
    assert transferred["status"] == "open"
    assert transferred["agency_responsible"] == "县交通运输局"
    assert transferred["expected_datetime"] == w3_datetime(case.reply_due)
    assert transferred["expected_datetime"].endswith("+08:00")
    assert transferred["status_notes"].startswith("已交办")

    case = case_transition(
        case=case,
        action=Action.REPLY,
        actor=personas.unit_handler,
        params={"reply": "路灯已修复，请联系13957211234核实"},
    )
    replied = fetch()
    assert replied["status"] == "open"  # not yet fed back to the person
    assert "路灯已修复" not in replied["status_notes"]

    case_transition(case=case, action=Action.FEED_BACK, actor=personas.township_staff, note="已电话告知")
    closed = fetch()
    assert closed["status"] == "closed"
    assert "路灯已修复" in closed["status_notes"] and "13957211234" not in closed["status_notes"]
    assert closed["updated_datetime"] >= transferred["updated_datetime"]

    case_rate_as_citizen(receipt_code=code, rating=Rating.UNSATISFIED, comment="还是不亮")
    assert fetch()["status"] == "open"  # reopened: back to the unit

    case.refresh_from_db()
    case = case_transition(case=case, action=Action.REPLY, actor=personas.unit_handler, params={"reply": "已更换灯具"})
    case = case_transition(case=case, action=Action.FEED_BACK, actor=personas.township_staff)
    case_rate_as_citizen(receipt_code=code, rating=Rating.SATISFIED)
    case.refresh_from_db()
    case = case_transition(case=case, action=Action.CLOSE, actor=personas.township_staff)
    assert client.get(f"{BASE}/requests.json").json() == []  # closed, not yet published
    case_transition(case=case, action=Action.PUBLISH, actor=personas.county_staff)
    [published] = records(client.get(f"{BASE}/requests.xml"), "xml", "service_requests", "request")
    assert published["service_request_id"] == code and published["status"] == "closed"
    assert published["updated_datetime"] <= w3_datetime(timezone.now())
