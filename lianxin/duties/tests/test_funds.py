# ruff: noqa: F811  (the `duty` fixture is imported from the duties app's conftest and named by each test)
"""Duty funds (履职经费) as an .xlsx (issue 17): a region's deputies with their allocation, spending, balance and
number of entries, and a second sheet with the entries; a purpose that looks like a formula stays text; staff export
their own region only, from the funds page."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.core.errors import PermissionDenied
from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.duties import services
from lianxin.duties.exports import funds_collect, funds_filename, funds_xlsx
from lianxin.duties.tests.conftest import duty  # noqa: F401
from lianxin.workdays.calendar import CHINA

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/x","点我")'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _mid_2026():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, 0, tzinfo=CHINA), tick=False):
        yield


@pytest.fixture
def funds(duty, personas, regions):
    """2026 in 德清: 沈建国 2,000 yuan, two entries (one with a receipt, one whose purpose looks like a formula) and one
    of 2025; 钱立新 1,500 yuan, nothing spent; 杨乡镇 (a township deputy) no allocation. 安吉's 吴安吉 2,000 yuan and
    an entry, entered by the city's staff."""
    staff = personas.county_staff
    for deputy, amount in ((duty.first, "2000"), (duty.second, "1500")):
        services.fund_allocate(actor=staff, deputy=deputy, year=2026, amount=amount)
    receipt = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    services.fund_spend(
        actor=staff,
        deputy=duty.first,
        spent_on=datetime.date(2026, 3, 5),
        amount="320.50",
        purpose="走访困难家庭慰问品",
        receipt=receipt,
    )
    services.fund_spend(actor=staff, deputy=duty.first, spent_on=datetime.date(2026, 5, 20), amount="80", purpose=EVIL)
    services.fund_spend(
        actor=staff, deputy=duty.first, spent_on=datetime.date(2025, 12, 30), amount="999", purpose="上年度支出"
    )
    anji = Deputy.objects.create(name="吴安吉", gender="male")
    Mandate.objects.create(deputy=anji, level=MandateLevel.COUNTY, congress_region=regions.anji, term=17)
    services.fund_allocate(actor=personas.city_staff, deputy=anji, year=2026, amount="2000")
    services.fund_spend(
        actor=personas.city_staff, deputy=anji, spent_on=datetime.date(2026, 4, 1), amount="50", purpose="安吉调研"
    )
    return anji


def sheets(data: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    return {sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in book}


def test_the_funds_workbook_has_a_row_per_deputy_and_the_years_entries(duty, personas, regions, funds):
    table = funds_collect(actor=personas.county_staff, region=regions.deqing, year=2026)
    book = sheets(funds_xlsx(table))
    assert list(book) == ["2026年履职经费", "2026年支出明细"]

    header, *rows = book["2026年履职经费"]
    assert header == ["代表", "代表编号", "年度额度（元）", "已支出（元）", "余额（元）", "支出笔数"]
    by_name = {row[0]: row[1:] for row in rows}
    assert by_name == {
        "沈建国": [duty.first.pk, 2000, 400.5, 1599.5, 2],
        "钱立新": [duty.second.pk, 1500, 0, 1500, 0],
        "杨乡镇": [duty.township.pk, None, 0, 0, 0],  # no allocation set: a blank cell, not 0
    }

    header, *entries = book["2026年支出明细"]
    assert header == ["日期", "代表", "代表编号", "金额（元）", "用途", "有票据"]
    assert [[e[0].date(), *e[1:]] for e in entries] == [
        [datetime.date(2026, 3, 5), "沈建国", duty.first.pk, 320.5, "走访困难家庭慰问品", "是"],
        [datetime.date(2026, 5, 20), "沈建国", duty.first.pk, 80, "'" + EVIL, "否"],  # inert text, not a link
    ]
    assert funds_filename(table) == "德清县2026年代表履职经费.xlsx"


def test_a_purpose_that_looks_like_a_formula_is_written_as_text(duty, personas, regions, funds):
    data = funds_xlsx(funds_collect(actor=personas.county_staff, region=regions.deqing, year=2026))
    cell = openpyxl.load_workbook(io.BytesIO(data))["2026年支出明细"]["E3"]
    assert cell.value == "'" + EVIL and cell.data_type == "s"


def test_only_staff_managing_duties_over_the_region_export_its_funds(duty, personas, regions, funds):
    for user in (personas.township_staff, personas.deputy, personas.unit_handler, personas.grid_worker):
        with pytest.raises(PermissionDenied):
            funds_collect(actor=user, region=regions.deqing, year=2026)


# --- the funds page ------------------------------------------------------------------------------------------------

URL = "/office/duties/funds/export.xlsx"


def test_the_funds_page_exports_the_users_region_without_another_countys_deputies(
    client, duty, personas, regions, funds
):
    client.force_login(personas.county_staff)
    page = client.get("/office/duties/funds/?year=2026").content.decode()
    assert 'id="funds-export"' in page and "导出 .xlsx（德清县）" in page and "year=2026" in page

    response = client.get(URL, {"year": "2026"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book = sheets(response.content)
    names = {row[0] for row in book["2026年履职经费"][1:]} | {row[1] for row in book["2026年支出明细"][1:]}
    assert names == {"沈建国", "钱立新", "杨乡镇"}  # 安吉's 吴安吉 and his entry are not there

    assert client.get(URL, {"year": "2026", "region": regions.anji.code}).status_code == 404


def test_a_township_clerk_exports_only_the_deputies_of_their_township(client, duty, personas, regions, funds):
    client.force_login(personas.outsider)  # township staff of 乾元镇, where 钱立新's district lies
    book = sheets(client.get(URL, {"year": "2026"}).content)
    assert [row[0] for row in book["2026年履职经费"][1:]] == ["钱立新"]
    assert book["2026年支出明细"][1:] == []
    assert client.get(URL, {"year": "2026", "region": regions.deqing.code}).status_code == 404


def test_whoever_does_not_manage_duties_cannot_export_funds(client, duty, personas, funds):
    for user in (personas.deputy, personas.unit_handler):
        client.force_login(user)
        assert client.get(URL, {"year": "2026"}).status_code == 403
