"""接待登记台 in the office (issue 15): the form, the receipt, today's list, and who may use it."""

import re
from types import SimpleNamespace

import pytest

from lianxin.cases.models import Case, CaseEvent
from lianxin.venues.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(regions):
    return SimpleNamespace(
        station=Place.objects.create(kind=PlaceKind.STATION, name="居仁社区代表联络站", region=regions.jueren),
        home=Place.objects.create(kind=PlaceKind.HOME, name="武康街道人大代表之家", region=regions.wukang),
        outside=Place.objects.create(kind=PlaceKind.STATION, name="城东村代表联络站", region=regions.chengdong),
    )


def post(client, **fields):
    values = {"channel": "station", "text": "小区门口路灯坏了一个月", "form_token": "tok-1", **fields}
    return client.post("/office/desk/", {k: v for k, v in values.items() if v is not None})


def test_the_menu_offers_the_desk_to_those_who_handle_cases(client, personas):
    client.force_login(personas.place_staff)
    assert 'href="/office/desk/"' in client.get("/office/").content.decode()
    client.force_login(personas.unit_handler)  # in the office, but registers nothing
    assert 'href="/office/desk/"' not in client.get("/office/").content.decode()


def test_place_staff_find_their_own_place_chosen_and_register_a_walk_in(client, personas, regions, desk):
    client.force_login(personas.place_staff)
    page = client.get("/office/desk/").content.decode()
    assert re.search(rf'<option value="{desk.station.pk}" selected>居仁社区代表联络站', page)
    assert "城东村代表联络站" not in page and "武康街道人大代表之家" not in page
    assert 'id="desk-none"' in page

    response = post(client, place=desk.station.pk, person_name="王秀英", person_phone="13957211234")

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/office/desk/receipts/{case.pk}/"
    assert (case.channel, case.place, case.region, case.created_by) == (
        "station",
        desk.station,
        regions.jueren,
        personas.place_staff,
    )
    assert CaseEvent.objects.get(case=case).action == "register"
    receipt = client.get(response["Location"]).content.decode()
    grouped = f"{case.receipt_code[:4]}-{case.receipt_code[4:]}"
    assert f'id="receipt-code">{grouped}<' in receipt and "查询码已通过短信发送到所留电话" in receipt
    assert 'id="desk-print"' in receipt and f'href="/office/desk/?place={desk.station.pk}"' in receipt
    today = receipt[receipt.index('id="desk-today"') :]
    assert "今天居仁社区代表联络站登记的来访、来电（1）" in today and grouped in today


def test_a_township_clerk_registers_a_phone_call_without_a_place(client, personas, regions, desk):
    client.force_login(personas.township_staff)
    response = post(client, channel="phone", region=regions.jueren.pk, text="反映居仁路夜间施工噪音", is_anonymous="on")
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.channel, case.place, case.region, case.is_anonymous) == ("phone", None, regions.jueren, True)
    receipt = client.get(response["Location"]).content.decode()
    assert "来电" in receipt and "短信" not in receipt
    assert "今天本人登记的来访、来电（1）" in receipt


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "请填写反映的问题"),
        ({"place": None}, "家站室: 来访登记须选择接待的家站室"),
        ({"person_phone": "12345"}, "联系电话: "),
        ({"reply_via": "sms"}, "联系电话: 选择短信或电话回复时须留下电话"),
        ({"channel": ""}, "请选择来访或来电"),
    ],
)
def test_bad_input_shows_a_chinese_error_beside_its_field_and_writes_nothing(client, personas, desk, fields, message):
    client.force_login(personas.place_staff)
    response = post(client, **{"place": desk.station.pk, **fields})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "本次未登记" in page
    assert not Case.objects.exists()


def test_a_place_outside_the_clerks_region_is_refused(client, personas, desk):
    client.force_login(personas.township_staff)  # 武康街道
    response = post(client, place=desk.outside.pk)  # 乾元镇's station, not offered
    assert response.status_code == 400 and "家站室: 不在您的管辖范围内" in response.content.decode()
    client.force_login(personas.place_staff)  # 居仁社区: the township's home is above them
    response = post(client, place=desk.home.pk)
    assert response.status_code == 400 and "家站室: 不在您的管辖范围内" in response.content.decode()
    assert not Case.objects.exists()


def test_a_deputy_and_a_units_handler_may_not_use_the_desk(client, personas, desk):
    for user in (personas.deputy, personas.unit_handler):
        client.force_login(user)
        assert client.get("/office/desk/").status_code == 403
        assert post(client, place=desk.station.pk).status_code == 403
    assert not Case.objects.exists()
    client.logout()
    assert client.get("/office/desk/").status_code == 302  # to the staff login


def test_a_receipt_outside_the_scope_or_not_from_the_desk_is_not_found(client, personas, regions, desk):
    from lianxin.cases.intake.draft import CaseDraft
    from lianxin.cases.services import case_register

    client.force_login(personas.township_staff)
    post(client, place=desk.home.pk)
    theirs = Case.objects.get()
    online = case_register(actor=None, draft=CaseDraft(channel="online", body="网上反映", region=regions.jueren)).case
    assert client.get(f"/office/desk/receipts/{online.pk}/").status_code == 404
    client.force_login(personas.outsider)  # 乾元镇
    assert client.get(f"/office/desk/receipts/{theirs.pk}/").status_code == 404
