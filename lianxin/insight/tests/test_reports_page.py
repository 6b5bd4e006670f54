"""The office's reports page (/office/reports/): the reports of the user's scope, generating one now, downloads
that check the scope (404 outside). Uses the story of test_reports.py."""

import io

import openpyxl
import pytest
from django.urls import reverse

from lianxin.insight.models import Report
from lianxin.insight.reports import report_generate
from lianxin.insight.tests.test_reports import at, needs_font, page_text, story  # noqa: F401  (a fixture)
from lianxin.notifications.models import Notification

pytestmark = needs_font

URL = "/office/reports/"


@pytest.fixture
def filed(story, regions):  # noqa: F811
    """November 2025's reports of the county and both townships, as the worker files them."""
    with at(2025, 12, 1):
        return {
            region.code: report_generate(region=region, period="2025-11")
            for region in (regions.deqing, regions.wukang, regions.qianyuan)
        }


def listed(response) -> set[str]:
    return {f"{r.region.code}:{r.kind}" for r in response.context["page"].object_list}


def test_staff_see_the_reports_of_their_scope_only(client, filed, personas, regions):
    client.force_login(personas.county_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == {f"{r.code}:month" for r in (regions.deqing, regions.wukang, regions.qianyuan)}
    page = response.content.decode()
    assert "<td>德清县</td>" in page and "<td>2025年11月月报</td>" in page and "系统自动" in page
    assert [code for code, _ in response.context["form"].fields["region"].choices] == [
        regions.deqing.code,
        regions.wukang.code,
        regions.qianyuan.code,
    ]
    client.force_login(personas.township_staff)
    response = client.get(URL)
    assert listed(response) == {f"{regions.wukang.code}:month"}
    assert [code for code, _ in response.context["form"].fields["region"].choices] == [regions.wukang.code]
    response = client.get(URL, {"region": regions.deqing.code})
    assert listed(response) == set()  # a filter cannot reach outside the scope


def test_a_download_outside_the_scope_is_a_404(client, filed, personas, regions):
    county = filed[regions.deqing.code]
    wukang = filed[regions.wukang.code]
    client.force_login(personas.township_staff)
    for name in ("office:report_pdf", "office:report_xlsx"):
        assert client.get(reverse(name, args=[county.pk])).status_code == 404
    assert client.get(reverse("office:report_pdf", args=[99999])).status_code == 404
    response = client.get(reverse("office:report_pdf", args=[wukang.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "武康街道2025年11月意见建议办理月报" in page_text(b"".join(response.streaming_content))
    response = client.get(reverse("office:report_xlsx", args=[wukang.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[0] == "总体情况"
    client.force_login(personas.outsider)  # 乾元镇's staff
    assert client.get(reverse("office:report_pdf", args=[wukang.pk])).status_code == 404


def test_who_does_not_supervise_cases_gets_the_403_page_and_no_menu_entry(client, filed, personas):
    for user in (personas.place_staff, personas.unit_handler):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 403, user.username
        assert "统计报表" in response.content.decode()
        assert (
            client.post(reverse("office:reports_generate"), {"region": "330521000000", "period": "2025-11"}).status_code
            == 403
        )
    client.force_login(personas.county_staff)
    menu = [entry["label"] for entry in client.get("/office/").context["office_menu"]]
    assert "统计报表" in menu
    client.force_login(personas.place_staff)
    assert "统计报表" not in [entry["label"] for entry in client.get("/office/").context["office_menu"]]
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_generating_a_report_now_stores_it_for_the_user_and_replaces_the_old_one(client, filed, personas, regions):
    client.force_login(personas.township_staff)
    with at(2025, 12, 15):
        response = client.post(reverse("office:reports_generate"), {"region": regions.wukang.code, "period": "2025-11"})
    report = Report.objects.get(region=regions.wukang, kind="month")
    assert response.status_code == 302 and response["Location"] == f"{URL}#report-{report.pk}"
    assert report.created_by == personas.township_staff and report.pk == filed[regions.wukang.code].pk
    with at(2025, 12, 15):
        response = client.post(reverse("office:reports_generate"), {"region": regions.wukang.code, "period": "2025-Q3"})
    assert Report.objects.filter(region=regions.wukang, kind="quarter").exists()
    assert not Notification.objects.filter(kind="insight.report_ready").exists()  # only the worker notifies


def test_a_bad_period_shows_the_error_and_a_region_outside_the_scope_is_a_404(client, story, personas, regions):  # noqa: F811
    client.force_login(personas.township_staff)
    with at(2025, 12, 15):
        response = client.post(reverse("office:reports_generate"), {"region": regions.wukang.code, "period": "2025-12"})
        assert response.status_code == 400
        assert "统计期间: 2025年12月尚未结束，月报在期满后生成" in response.content.decode()
        response = client.post(reverse("office:reports_generate"), {"region": regions.wukang.code, "period": "11/2025"})
        assert response.status_code == 400 and "应为 2026-11（月）" in response.content.decode()
        for code in (regions.qianyuan.code, regions.deqing.code, "999999999999"):
            response = client.post(reverse("office:reports_generate"), {"region": code, "period": "2025-11"})
            assert response.status_code == 404, code
    assert not Report.objects.exists()


def test_the_back_office_lists_the_reports_of_the_users_scope_read_only(client, filed, personas, regions):
    wukang = filed[regions.wukang.code]
    county = filed[regions.deqing.code]
    client.force_login(personas.township_staff)
    response = client.get("/admin/insight/report/")
    assert response.status_code == 200
    assert [r.pk for r in response.context["cl"].result_list] == [wukang.pk]
    assert client.get(f"/admin/insight/report/{wukang.pk}/change/").status_code == 200
    # Outside the scope: as a report that does not exist (the admin sends back to its index).
    assert client.get(f"/admin/insight/report/{county.pk}/change/").status_code == 302
    assert client.get("/admin/insight/report/add/").status_code == 403
    client.force_login(personas.county_staff)
    assert len(client.get("/admin/insight/report/").context["cl"].result_list) == 3
    client.force_login(personas.unit_handler)  # uses the back office, does not supervise cases
    assert client.get("/admin/insight/report/").status_code == 403
