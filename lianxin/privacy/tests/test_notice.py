"""Every form that takes a citizen's details says what happens to them and links the privacy notice, which
states the retention periods in force."""

import re

import pytest

CONSENT = re.compile(r"提交即表示同意按<a href=\"/privacy/\">《个人信息保护说明》</a>")


def test_the_privacy_notice_is_public_and_states_the_periods_in_force(client, settings, db):
    settings.RETENTION_CASE_CONTACT_YEARS = 5
    page = client.get("/privacy/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "个人信息保护说明" in text and "办结后 5 年" in text and "90 天后删除内容" in text
    assert "匿名提交的，我们不保存姓名和电话" in text


@pytest.mark.parametrize("url", ["/d/{deputy}/submit", "/p/{place}/submit", "/projects/propose/"])
def test_every_public_form_carries_the_consent_line_with_the_link(client, world, url):
    page = client.get(url.format(deputy=world.deputy.public_code, place=world.place.public_code))
    assert page.status_code == 200
    assert CONSENT.search(page.content.decode())


def test_the_walk_in_form_of_a_reception_reminds_the_deputy_to_tell_the_person(client, world, personas):
    client.force_login(personas.deputy)
    started = client.post("/w/reception/new", {"kind": "station", "place": world.place.pk, "location": ""})
    page = client.get(started["Location"]).content.decode()
    assert "请告知本人" in page and CONSENT.search(page)
