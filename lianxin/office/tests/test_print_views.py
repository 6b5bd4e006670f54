import datetime

import pytest
from django.utils import timezone

from lianxin.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from lianxin.portal.tests.conftest import world  # noqa: F401  (the portal's small world and its registers)
from lianxin.portal.tests.test_noticeboard import needs_font, pdf_text
from lianxin.portal.tests.test_registers import books  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_print_page_lists_the_regions_villages_with_their_sheets_and_registers(client, world, personas, regions):  # noqa: F811
    client.force_login(personas.county_staff)
    response = client.get("/office/print/", {"month": "2026-11"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "打印材料 · 德清县" in html and 'aria-current="page"' in html
    assert "居仁社区居委会" in html and "城东村委会" in html  # both townships' villages
    assert f"/office/print/noticeboard/{regions.jueren.code}/2026-11.pdf" in html
    assert f"/office/print/registers/{world.place.pk}.pdf?month=2026-11" in html
    assert f"/posters/{regions.wukang.code}.pdf" in html


def test_township_staff_see_only_their_township_and_another_region_is_not_found(client, world, personas, regions):  # noqa: F811
    client.force_login(personas.township_staff)
    html = client.get("/office/print/").content.decode()
    assert "居仁社区居委会" in html and "城东村委会" not in html
    assert client.get("/office/print/", {"region": regions.qianyuan.code}).status_code == 404
    assert client.get(f"/office/print/noticeboard/{regions.chengdong.code}/2026-11.pdf").status_code == 404
    client.force_login(personas.outsider)
    assert client.get(f"/office/print/registers/{world.place.pk}.pdf").status_code == 404


def test_the_menu_shows_printing_to_case_handlers_only(client, personas):
    client.force_login(personas.county_staff)
    assert "打印材料" in client.get("/office/").content.decode()
    client.force_login(personas.unit_handler)
    assert "打印材料" not in client.get("/office/").content.decode()
    # A unit's handler may see the registry but keeps no station's registers.
    assert client.get("/office/print/").status_code == 200


def test_the_print_pages_need_a_login(client, world, regions):  # noqa: F811
    for url in ("/office/print/", f"/office/print/noticeboard/{regions.jueren.code}/2026-11.pdf"):
        assert client.get(url).status_code == 302


@needs_font
def test_staff_download_a_villages_notice_board(client, world, personas, regions):  # noqa: F811
    client.force_login(personas.township_staff)
    month = f"{timezone.localdate():%Y-%m}"
    response = client.get(f"/office/print/noticeboard/{regions.jueren.code}/{month}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "居仁社区居委会人大代表联系群众公告栏" in pdf_text(response.content)
    assert client.get(f"/office/print/noticeboard/{regions.jueren.code}/11-2026.pdf").status_code == 404


@needs_font
def test_the_registers_show_the_places_receptions_with_contacts_to_those_who_may_see_them(
    client,
    world,  # noqa: F811
    personas,
    books,  # noqa: F811
    monkeypatch,
):
    url = f"/office/print/registers/{world.place.pk}.pdf?month=2026-11"
    client.force_login(personas.place_staff)
    text = pdf_text(client.get(url).content)
    assert "四、接待登记簿（1次接待）" in text and "居仁路路灯不亮" in text and "王秀英 13957211234" in text
    # The same clerk without view_contacts in the place's region: the register, without names and phones.
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.PLACE_STAFF, ROLE_PERMISSIONS[Role.PLACE_STAFF] - {Perm.VIEW_CONTACTS})
    text = pdf_text(client.get(url).content)
    assert "居仁路路灯不亮" in text and "王秀英" not in text and "13957211234" not in text
    period = client.get(f"/office/print/registers/{world.place.pk}.pdf?from=2026-10-01&to=2026-10-31")
    assert "十月接待" in pdf_text(period.content)


def test_a_unit_handler_cannot_print_a_stations_registers(client, world, personas):  # noqa: F811
    client.force_login(personas.unit_handler)
    assert client.get(f"/office/print/registers/{world.place.pk}.pdf").status_code == 404


def test_a_period_longer_than_a_year_is_refused(client, world, personas):  # noqa: F811
    client.force_login(personas.place_staff)
    end = datetime.date(2027, 12, 31)
    url = f"/office/print/registers/{world.place.pk}.pdf?from=2026-01-01&to={end}"
    assert client.get(url).status_code == 404
