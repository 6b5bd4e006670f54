"""GET /cases/ledger.xlsx, /cases/ledger.csv and /statistics, on the hand-counted story of test_reports."""

import csv
import datetime
import io
from urllib.parse import quote

import openpyxl
import pytest

from lianxin.cases.reports import LEDGER_COLUMNS
from lianxin.cases.tests import conftest as cases_conftest
from lianxin.cases.tests.test_reports import at, build_story

API = "/api/v1"
HEADERS = [column.header for column in LEDGER_COLUMNS]
loop = cases_conftest.loop


@pytest.fixture
def story(loop, personas, regions):
    return build_story(loop, personas, regions)


@pytest.fixture
def get(client):
    def do(user, path: str, **params):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client.get(f"{API}{path}", params)

    return do


def xlsx_rows(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def csv_rows(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_xlsx_ledger_downloads_with_a_chinese_file_name_and_the_cases_in_scope(story, personas, get, regions):
    with at(2025, 12, 31):
        response = get(
            personas.township_staff,
            "/cases/ledger.xlsx",
            region=regions.wukang.code,
            registered_from="2025-01-01",
            registered_to="2025-12-31",
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = "意见建议台账-武康街道-20250101至20251231.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    rows = xlsx_rows(response)
    assert list(rows[0]) == HEADERS
    assert {row[0] for row in rows[1:]} == {story.a.receipt_code, story.b.receipt_code, story.c.receipt_code} | {
        story.d.receipt_code,
        story.e.receipt_code,
    }
    row = dict(zip(HEADERS, next(r for r in rows if r[0] == story.a.receipt_code), strict=True))
    assert (row["承办单位"], row["答复时限"], row["状态"]) == (
        "县交通运输局",
        datetime.datetime(2025, 10, 27),
        "已评价",
    )
    assert (row["办理用时（工作日）"], row["满意度"], row["是否超期"]) == (3, "满意", "否")


def test_the_csv_ledger_streams_utf8_with_a_bom_and_takes_repeated_states(story, personas, get):
    response = get(personas.county_staff, "/cases/ledger.csv", status=["transferred", "registered"])
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    rows = csv_rows(response)
    assert rows[0] == HEADERS
    assert {row[0] for row in rows[1:]} == {story.c.receipt_code, story.d.receipt_code, story.h.receipt_code}
    assert {row[HEADERS.index("状态")] for row in rows[1:]} == {"已交办", "已登记"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("county_staff", "abcdefgh"),
        ("township_staff", "abcdegh"),
        ("outsider", "f"),
        ("unit_handler", "ac"),
        ("deputy", "abcdegh"),  # the cases that came to the deputy (F had none)
        ("no_role", ""),
    ],
)
def test_each_persona_exports_only_the_cases_it_may_see(story, personas, get, persona, expected):
    rows = csv_rows(get(getattr(personas, persona), "/cases/ledger.csv"))
    assert {row[0] for row in rows[1:]} == {getattr(story, key).receipt_code for key in expected}


def test_a_region_outside_scope_is_refused_like_an_unknown_region(story, personas, get, regions):
    for path in ("/cases/ledger.xlsx", "/cases/ledger.csv", "/statistics"):
        response = get(personas.township_staff, path, region=regions.chengdong.code)
        assert response.status_code == 404
        assert response.json() == {
            "code": "region_not_found",
            "message": f"区划 {regions.chengdong.code} 不存在或不在您的管辖范围内",
            "field": "region",
        }


def test_bad_filters_answer_with_the_parameter_named(personas, get):
    response = get(personas.county_staff, "/cases/ledger.csv", channel="fax")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "channel"
    response = get(personas.county_staff, "/cases/ledger.xlsx", category="no-such")
    assert response.status_code == 400 and response.json()["code"] == "category_unknown"
    response = get(personas.county_staff, "/statistics", start="2025-02-01", end="2025-01-01")
    assert response.status_code == 400 and response.json()["field"] == "end"


def test_anonymous_callers_get_401(db, get):
    for path in ("/cases/ledger.xlsx", "/cases/ledger.csv", "/statistics"):
        assert get(None, path).status_code == 401


def test_statistics_answer_the_hand_count_with_year_on_year_and_breakdowns(story, personas, get, regions, monkeypatch):
    monkeypatch.setattr("lianxin.cases.reports.MIN_BASE", 1)  # a handful of cases
    with at(2025, 12, 31):
        response = get(
            personas.county_staff, "/statistics", region=regions.deqing.code, start="2025-09-01", end="2025-12-31"
        )
    assert response.status_code == 200
    body = response.json()
    assert (body["region_code"], body["region_name"]) == (regions.deqing.code, "德清县")
    assert (body["previous_start"], body["previous_end"]) == ("2024-09-01", "2024-12-31")
    totals = body["totals"]
    assert {key: totals[key] for key in ("received", "people_received", "accepted", "resolved")} == {
        "received": 6,
        "people_received": 12,
        "accepted": 4,
        "resolved": 3,
    }
    assert (totals["resolution_rate"], totals["average_handling_days"], totals["overdue"]) == (0.75, 1.0, 2)
    assert (totals["online_share"], totals["satisfaction_rate"]) == (0.5, 1.0)
    assert body["previous"]["received"] == 2
    assert (body["year_on_year"]["received"], body["year_on_year"]["resolution_rate"]) == (2.0, -0.25)
    assert body["by_category"][0] == {
        "key": "transport",
        "label": "交通运输",
        "received": 3,
        "accepted": 3,
        "resolved": 2,
        "resolution_rate": 0.6667,
        "average_handling_days": 1.5,
        "overdue": 1,
        "online": 2,
        "rated": 1,
        "satisfied": 1,
        "satisfaction_rate": 1.0,
    }
    assert [item["key"] for item in body["by_channel"]] == ["online", "hotline", "mobile", "station"]
    assert {item["label"] for item in body["by_unit"]} == {"县交通运输局", "未交办承办单位"}


def test_statistics_default_to_this_year_and_count_only_what_the_caller_sees(story, personas, get, monkeypatch):
    monkeypatch.setattr("lianxin.cases.reports.MIN_BASE", 1)  # a handful of cases
    with at(2025, 12, 31):
        township = get(personas.township_staff, "/statistics").json()
        unit = get(personas.unit_handler, "/statistics").json()
    assert (township["start"], township["end"], township["region_code"]) == ("2025-01-01", "2025-12-31", None)
    assert (township["totals"]["received"], township["totals"]["people_received"]) == (5, 11)
    assert (township["previous"]["received"], township["year_on_year"]["received"]) == (2, 1.5)
    assert (unit["totals"]["received"], unit["previous"]["received"]) == (2, 0)
    assert unit["year_on_year"]["received"] is None
