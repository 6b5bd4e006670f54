"""One input through every channel yields one case: the same normalised phone, title, region, deadline and
first event, whichever adapter took it (issue 14: the channels had drifted apart — phones stored with and without
spaces, titles cut at 30, 30 + "…" or 40 characters, regions resolved in two places)."""

import datetime
import json

import pytest
from django.utils import timezone

from lianxin.api.tests.factories import DeputyFactory, PlaceFactory
from lianxin.cases.hotline import hotline_import
from lianxin.cases.intake.queue import submissions_register_queued
from lianxin.cases.intake.rules import title_from_text
from lianxin.cases.models import Case, CaseEvent, Category, Channel, ReceptionKind, Status
from lianxin.cases.services import reception_start
from lianxin.open311.models import Open311Key
from lianxin.open311.services import open311_key_create, open311_request_submit
from lianxin.portal.services import opinion_submit
from lianxin.testing import xlsx_bytes

pytestmark = pytest.mark.django_db

TEXT = "居仁路东段三盏路灯一个月没亮了，晚上走路很不安全，请尽快维修，谢谢！\n路灯编号 JR-017 到 JR-019。"
# The first line cut at 30 characters with an ellipsis.
TITLE = "居仁路东段三盏路灯一个月没亮了，晚上走路很不安全，请尽快维修…"
PHONE = "13957211234"
# The same number as people type it on each channel.
SPELLINGS = ["139 5721 1234", "+86 139-5721-1234", "１３９５７２１１２３４", "0086 13957211234", "139-5721-1234", PHONE]


@pytest.fixture
def world(regions, personas):
    place = PlaceFactory(region=regions.jueren, name="居仁社区代表联络站")
    deputy = DeputyFactory(user=personas.deputy)
    session = reception_start(actor=personas.county_staff, deputy=deputy, kind=ReceptionKind.STATION, place=place)
    key = open311_key_create(actor=personas.admin, name="德清县12345平台", region=regions.deqing)
    category = Category.objects.get(code="urban-construction")
    return place, session, Open311Key.objects.get(prefix=key[5:11]), category


def _portal(world, phone):
    place, *_ = world
    return opinion_submit(
        token="tok-1", ip="10.0.0.1", text=TEXT, place=place, person_name="王秀英", person_phone=phone
    ).case


def _open311(world, phone, regions):
    *_, key, category = world
    data = {
        "service_code": [category.code],
        "jurisdiction_id": [regions.jueren.code],
        "description": [TEXT],
        "first_name": ["秀英"],
        "last_name": ["王"],
        "phone": [phone],
        "address_string": ["居仁路东段"],
    }
    return open311_request_submit(key=key, data=data).registration.case


def _hotline(phone, staff):
    called = timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(minutes=1)
    headers = ["工单编号", "来电时间", "来电人", "联系电话", "诉求标题", "诉求内容", "所在乡镇/村社区"]
    row = ["ZJ12345-1", called.strftime("%Y-%m-%d %H:%M"), "王秀英", phone, "", TEXT, "武康街道/居仁社区"]
    hotline_import(actor=staff, file=xlsx_bytes(headers, [row]), filename="工单.xlsx")
    return Case.objects.get(channel=Channel.HOTLINE)


def _api(client, phone, staff, regions):
    client.force_login(staff)
    body = {
        "channel": "visit",
        "body": TEXT,
        "region": regions.jueren.code,
        "person_name": "王秀英",
        "person_phone": phone,
    }
    response = client.post("/api/v1/cases", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 202, response.content
    submissions_register_queued()
    return Case.objects.get(receipt_code=response.json()["receipt_code"])


def _workbench(client, world, phone, deputy_user):
    _, session, *_ = world
    client.force_login(deputy_user)
    form = {"text": TEXT, "person_name": "王秀英", "person_phone": phone, "people_count": 1, "form_token": "wb-1"}
    response = client.post(f"/w/reception/{session.pk}", form)
    assert response.status_code == 302, response.content.decode()
    return Case.objects.get(session=session)


def _back_office(client, phone, superuser, regions):
    client.force_login(superuser)
    form = {
        "channel": "station",
        "region": regions.jueren.pk,
        "body": TEXT,
        "person_name": "王秀英",
        "person_phone": phone,
    }
    form |= {"people_count": 1, "urgency": "normal", "reply_via": ""}
    response = client.post("/admin/cases/case/add/", form)
    assert response.status_code == 302, response.content.decode()
    return Case.objects.get(channel=Channel.STATION, session=None)


def test_the_same_input_through_every_channel_yields_the_same_case(client, world, regions, personas, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", password="pw-for-tests-only")
    cases = {
        "portal": _portal(world, SPELLINGS[0]),
        "open311": _open311(world, SPELLINGS[1], regions),
        "hotline": _hotline(SPELLINGS[2], personas.county_staff),
        "api": _api(client, SPELLINGS[3], personas.county_staff, regions),
        "workbench": _workbench(client, world, SPELLINGS[4], personas.deputy),
        "back office": _back_office(client, SPELLINGS[5], superuser, regions),
    }
    assert title_from_text(TEXT) == TITLE
    for channel, case in cases.items():
        seen = (case.person_phone, case.title, case.body, case.region_id, case.status, case.is_anonymous)
        assert seen == (PHONE, TITLE, TEXT, regions.jueren.pk, Status.REGISTERED, False), channel
        events = list(CaseEvent.objects.filter(case=case).values_list("action", "from_status", "to_status"))
        assert events == [("register", "", Status.REGISTERED)], channel
    # Registered the same working day (accept within 0 working days): one deadline for all.
    assert len({timezone.localtime(case.accept_due) for case in cases.values()}) == 1
