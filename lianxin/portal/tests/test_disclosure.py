"""公开问效 pages: /open/ lists the counties, /open/<county code>/?p=<period> shows a county's figures with their
charts' data and tables, small groups suppressed, nothing personal; anything but a county is a 404."""

import datetime
import json
import re

import pytest
import time_machine
from django.test import Client

from lianxin.cases import permissions as p
from lianxin.cases.reports import case_statistics
from lianxin.cases.tests.conftest import loop  # noqa: F401  (a fixture)
from lianxin.insight.tests.test_disclosure import SHANGHAI, build_county

NOW = datetime.datetime(2025, 12, 6, 10, tzinfo=SHANGHAI)


@pytest.fixture
def county(loop, personas, regions):  # noqa: F811
    return build_county(loop, personas, regions)


@pytest.fixture
def today():
    with time_machine.travel(NOW, tick=False):
        yield


def get(path: str):
    return Client().get(path)


def chart(html: str, name: str) -> dict:
    match = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no {name} in the page"
    return json.loads(match.group(1))


def cells(html: str, label: str) -> list[str]:
    """The cells of a table row by its header."""
    row = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', html, re.S)
    assert row, f"no row {label}"
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def test_the_county_page_shows_the_figures_of_case_statistics_with_townships_and_categories(county, regions, today):
    response = get("/open/330521000000/?p=2025-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert "公开问效 · 德清县" in html and "2025年10月" in html
    stats = case_statistics(
        user=p.SYSTEM, region=regions.deqing, start=datetime.date(2025, 10, 1), end=datetime.date(2025, 10, 31)
    ).totals
    totals = re.search(r'<dl class="kpis" id="totals">(.*?)</dl>', html, re.S).group(1)
    assert f"<dd>{stats.received}<small>件</small></dd>" in totals
    assert f"<dd>{stats.resolved}<small>件</small></dd>" in totals
    assert f"<dd>{stats.resolution_rate * 100:.1f}%</dd>" in totals
    assert cells(html, "武康街道") == ["6", "6", "100.0%", "0.0", "—", "50.0%"]
    assert cells(html, "环境保护") == ["&lt;5", "&lt;5", "—", "—", "—", "—"]
    assert "2025年1—10月累计" in html
    assert "居仁路路灯已全部修复" in html and f'href="/results/{county.wukang[0].pk}"' in html
    assert "十一月公开的结果" not in html  # published in November


def test_a_township_with_three_cases_shows_less_than_five_and_no_rate_in_table_and_chart(county, today, settings):
    html = get("/open/330521000000/?p=2025-10").content.decode()
    assert cells(html, "乾元镇") == ["&lt;5"] * 2 + ["—"] * 4
    townships = chart(html, "chart-townships")
    assert townships["categories"] == ["武康街道", "乾元镇"]
    assert townships["series"][0] == {"name": "收到", "data": [6, None]}
    rates = chart(html, "chart-township-rates")
    assert rates["series"][0] == {"name": "办结率", "data": [100.0, None]}
    categories = chart(html, "chart-categories")["series"][0]["data"]
    assert {"name": "环境保护", "value": None} in categories

    settings.DISCLOSURE_MIN_COUNT = 3
    html = get("/open/330521000000/?p=2025-10").content.decode()
    assert cells(html, "乾元镇") == ["3", "3", "100.0%", "0.0", "100.0%", "0.0%"]
    assert "不足 3 件的数字显示为“&lt;3”" in html


def test_no_personal_data_is_in_the_page(county, today):
    for period in ("2025-10", "2025-Q4", "2025"):
        html = get(f"/open/330521000000/?p={period}").content.decode()
        for personal in ("王秀英", "13957211234", "李小龙", "13811112222", "居仁路18号", "居仁路第2号路灯不亮", "水渠"):
            assert personal not in html, (period, personal)
        for case in county.wukang + county.qianyuan:
            assert case.receipt_code not in html


def test_the_period_switch_names_the_period_in_the_url(county, today):
    html = get("/open/330521000000/").content.decode()
    assert "2025年11月" in html  # the last full month by default
    assert 'href="?p=2025-11" aria-current="true"' in html
    assert 'href="?p=2025-Q3"' in html and 'href="?p=2025"' in html  # quarter and year
    assert 'href="?p=2025-10" rel="prev"' in html and 'href="?p=2025-12" rel="next"' in html

    quarter = get("/open/330521000000/?p=2025-Q4").content.decode()
    assert "2025年第四季度（截至12月6日）" in quarter
    assert "十一月公开的结果" in quarter and "居仁路路灯已全部修复" in quarter
    assert 'rel="next"' not in quarter  # the next quarter has not begun
    year = get("/open/330521000000/?p=2025").content.decode()
    assert "累计" not in year  # a year is its own year to date


@pytest.mark.parametrize(
    "path",
    [
        "/open/330521001000/",  # a township
        "/open/330500000000/",  # a city
        "/open/999999999999/",  # no such region
        "/open/330521000000/?p=2026-01",  # not begun
        "/open/330521000000/?p=2025-13",
        "/open/330521000000/?p=soon",
    ],
)
def test_anything_but_a_county_and_a_period_begun_is_not_found(county, today, path):
    assert get(path).status_code == 404


def test_the_index_lists_the_counties_and_the_home_page_links_to_it(regions, today):
    html = get("/open/").content.decode()
    assert 'href="/open/330521000000/"' in html and 'href="/open/330523000000/"' in html
    assert "/open/330521001000/" not in html
    assert 'href="/open/"' in get("/home/").content.decode()


def test_the_page_loads_echarts_from_the_platform_and_runs_under_the_csp(county, today):
    response = get("/open/330521000000/?p=2025-10")
    html = response.content.decode()
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in html
    assert '<script src="/static/publicweb/charts.js"></script>' in html
    # Only script files of the platform's own, and JSON data blocks (which a browser does not run).
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/json"' in tag or re.fullmatch(
            r'<script src="/static/[^"]+"></script>', tag + "</script>"
        )
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    static = Client().get("/static/vendor/echarts/echarts.min.js")
    assert static.status_code == 200
    assert b"".join(static.streaming_content if static.streaming else [static.content]).startswith(b"\n/*\n* Licensed")


def test_the_page_is_kept_in_the_public_page_cache(county, today, page_cache, django_assert_num_queries):
    first = get("/open/330521000000/?p=2025-10")
    assert first.status_code == 200 and first["Cache-Control"].startswith("public")
    with django_assert_num_queries(0):
        again = get("/open/330521000000/?p=2025-10")
    assert again.content == first.content
