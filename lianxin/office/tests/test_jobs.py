"""导入与任务 in the office: the import page of each kind, the job page with its progress and rejected rows, cancel,
the result file, and nobody outside the job's region seeing any of it (404)."""

import io
import json
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Case, Channel
from lianxin.cases.tests.test_hotline import HEADERS, order
from lianxin.ops import longjobs
from lianxin.ops.longjobs import job_start, longjobs_run
from lianxin.ops.models import JobStatus, LongJob
from lianxin.testing import xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path, monkeypatch):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(longjobs, "REPORT_EVERY", 0.05)


def upload(client, kind: str, name: str, data: bytes, **fields):
    return client.post(f"/office/jobs/new/{kind}/", {"file": SimpleUploadedFile(name, data), **fields})


def status_of(client, url: str) -> int:
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end: the test client then closes the file
    return response.status_code


def bad_sheet() -> bytes:
    return xlsx_bytes(
        HEADERS,
        [
            order("ZJ-1"),
            order("ZJ-2", 联系电话="12345", **{"所在乡镇/村社区": "不存在的村"}),
            order("ZJ-1"),
        ],
    )


def good_sheet() -> bytes:
    return xlsx_bytes(
        HEADERS, [order("ZJ-1"), order("ZJ-2", 诉求标题="城东村村道坑洼", **{"所在乡镇/村社区": "城东村"})]
    )


def test_the_menu_leads_to_the_jobs_and_each_kind_the_user_may_start(client, personas):
    client.force_login(personas.township_staff)
    page = client.get("/office/").content.decode()
    assert 'href="/office/jobs/"' in page and "导入与任务" in page

    page = client.get("/office/jobs/").content.decode()
    assert "导入12345热线工单" in page and "导出意见建议台账" in page and "导入人大代表名册" in page
    assert "导入节假日安排" not in page  # the calendar is the platform administrators'
    assert client.get("/office/jobs/new/calendar_import/").status_code == 404
    assert client.get("/office/jobs/new/nope/").status_code == 404

    client.force_login(personas.place_staff)  # handles cases, keeps no registry
    page = client.get("/office/jobs/").content.decode()
    assert "导入12345热线工单" in page and "导入人大代表名册" not in page
    assert client.get("/office/jobs/new/deputies_import/").status_code == 404


def test_the_import_page_lists_the_expected_columns_and_offers_a_template(client, personas):
    client.force_login(personas.county_staff)
    page = client.get("/office/jobs/new/hotline_import/").content.decode()
    assert "工单编号 *" in page and "所在乡镇/村社区 *" in page and "工单号、工单编码" in page
    assert 'type="file"' in page

    response = client.get("/office/jobs/new/hotline_import/template.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["工单编号", "来电时间", "来电人"]
    assert sheet.max_row == 1
    assert client.get("/office/jobs/new/ledger_export/template.xlsx").status_code == 404  # an export has none


def test_a_rejected_import_shows_its_row_numbered_errors_and_writes_nothing_then_the_corrected_file_succeeds(
    client, personas, regions
):
    client.force_login(personas.county_staff)
    response = upload(client, "hotline_import", "工单.xlsx", bad_sheet())
    job = LongJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/office/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and "office/jobs.js" in page and 'id="job-cancel"' in page

    longjobs_run()

    page = client.get(f"/office/jobs/{job.pk}/").content.decode()
    assert "未完成" in page and "共3处错误" in page and "office/jobs.js" not in page
    assert 'id="job-progress"' not in page and "改正后重新上传" in page  # no empty bar for a refused file
    assert '<table class="grid job-errors">' in page
    assert "<tr><td>3</td><td>联系电话</td>" in page
    assert "<tr><td>3</td><td>所在乡镇/村社区</td>" in page and "不存在的村" in page
    assert "<tr><td>4</td><td>工单编号</td><td>与第2行重复</td></tr>" in page
    assert Case.objects.count() == 0

    upload(client, "hotline_import", "工单（改正）.xlsx", good_sheet())
    longjobs_run()

    corrected = LongJob.objects.latest("pk")
    page = client.get(f"/office/jobs/{corrected.pk}/").content.decode()
    assert "已完成" in page and "导入完成：新增 2 件工单" in page and "job-errors" not in page
    assert sorted(Case.objects.values_list("external_id", flat=True)) == ["ZJ-1", "ZJ-2"]
    assert set(Case.objects.values_list("channel", flat=True)) == {Channel.HOTLINE}
    listing = client.get("/office/jobs/").content.decode()
    assert listing.count('<tr class="job-') == 2 and "工单（改正）.xlsx" in listing


def test_the_status_endpoint_reports_progress_as_json(client, personas):
    client.force_login(personas.county_staff)
    job = job_start(actor=personas.county_staff, kind="ledger_export")
    LongJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=30, total=120, message="正在读取台账")

    response = client.get(f"/office/jobs/{job.pk}/status/")

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    state = json.loads(response.content)
    assert state | {"id": 0} == {
        "id": 0,
        "status": "running",
        "status_label": "进行中",
        "done": 30,
        "total": 120,
        "percent": 25,
        "message": "正在读取台账",
        "finished": False,
        "cancel_requested": False,
        "errors": 0,
        "result_url": None,
    }
    page = client.get(f"/office/jobs/{job.pk}/").content.decode()
    assert '<progress id="job-progress" max="120" value="30">' in page  # a reload shows where it is


def test_the_ledger_export_runs_with_its_filters_and_its_file_is_downloaded(client, personas, regions):
    from lianxin.cases.services import case_register

    for region, title in ((regions.jueren, "居仁路路灯不亮"), (regions.jueren, "居仁路井盖缺失")):
        case_register(
            actor=personas.county_staff,
            draft=CaseDraft(channel=Channel.VISIT, title=title, body=title * 3, region=region),
        )
    client.force_login(personas.township_staff)
    page = client.get("/office/jobs/new/ledger_export/").content.decode()
    assert 'name="registered_from"' in page and 'name="channel"' in page and "开始导出" in page

    refused = client.post("/office/jobs/new/ledger_export/", {"region": regions.qianyuan.code})
    assert refused.status_code == 200 and "不存在" in refused.content.decode() and not LongJob.objects.exists()

    response = client.post("/office/jobs/new/ledger_export/", {"region": regions.jueren.code, "channel": "visit"})
    job = LongJob.objects.get()
    assert response.status_code == 302 and job.params == {"region": regions.jueren.code, "channel": "visit"}
    assert job.region == regions.jueren
    longjobs_run()

    page = client.get(f"/office/jobs/{job.pk}/").content.decode()
    assert 'id="job-download"' in page and "台账已导出" in page
    response = client.get(f"/office/jobs/{job.pk}/download/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sorted(row[6] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "居仁路井盖缺失",
        "居仁路路灯不亮",
    ]


def test_cancel_from_the_page_stops_a_queued_job(client, personas):
    client.force_login(personas.county_staff)
    job = job_start(actor=personas.county_staff, kind="ledger_export")

    response = client.post(f"/office/jobs/{job.pk}/cancel/")

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert longjobs_run() == 0
    page = client.get(f"/office/jobs/{job.pk}/").content.decode()
    assert "已取消" in page and 'id="job-cancel"' not in page
    assert client.get(f"/office/jobs/{job.pk}/cancel/").status_code == 405


def test_a_running_job_is_asked_to_stop(client, personas):
    client.force_login(personas.county_staff)
    job = job_start(actor=personas.county_staff, kind="ledger_export")
    LongJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    client.post(f"/office/jobs/{job.pk}/cancel/")

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.cancel_requested
    page = client.get(f"/office/jobs/{job.pk}/").content.decode()
    assert "已请求取消" in page and 'id="job-cancel"' not in page


def test_outside_the_region_a_job_its_status_and_its_file_do_not_exist(client, personas, regions):
    job = job_start(actor=personas.township_staff, kind="ledger_export")  # 武康街道
    longjobs_run()
    job.refresh_from_db()
    assert job.result_path
    urls = [f"/office/jobs/{job.pk}/{tail}" for tail in ("", "status/", "download/")]

    client.force_login(personas.outsider)  # 乾元镇
    assert [status_of(client, url) for url in urls] == [404, 404, 404]
    assert client.post(f"/office/jobs/{job.pk}/cancel/").status_code == 404
    assert f"/office/jobs/{job.pk}/" not in client.get("/office/jobs/").content.decode()

    client.force_login(personas.county_staff)  # above: sees it, may not cancel it
    assert [status_of(client, url) for url in urls] == [200, 200, 200]
    assert 'id="job-cancel"' not in client.get(urls[0]).content.decode()
    assert f"/office/jobs/{job.pk}/" in client.get("/office/jobs/").content.decode()  # listed, as it may be seen

    client.force_login(personas.unit_handler)  # in the office, without the permission
    assert client.get(urls[0]).status_code == 404


def test_a_county_clerk_lists_a_townships_jobs_and_the_township_does_not_list_the_countys(client, personas):
    township_job = job_start(actor=personas.township_staff, kind="ledger_export")  # 武康街道
    county_job = job_start(actor=personas.county_staff, kind="ledger_export")  # 德清县

    client.force_login(personas.county_staff)
    page = client.get("/office/jobs/").content.decode()
    assert f"/office/jobs/{township_job.pk}/" in page and f"/office/jobs/{county_job.pk}/" in page
    owners = re.findall(r'class="job-owner">([^<]*)<', page)
    assert owners == ["本人", str(personas.township_staff)]  # newest first, the other clerk by name

    client.force_login(personas.township_staff)
    page = client.get("/office/jobs/").content.decode()
    assert f"/office/jobs/{township_job.pk}/" in page and f"/office/jobs/{county_job.pk}/" not in page

    client.force_login(personas.outsider)  # 乾元镇: neither
    assert 'id="no-jobs"' in client.get("/office/jobs/").content.decode()


def test_each_kinds_start_button_says_what_it_does(client, personas):
    client.force_login(personas.admin)
    buttons = {}
    for name, kind in longjobs.KINDS.items():
        page = client.get(f"/office/jobs/new/{name}/").content.decode()
        [buttons[name]] = re.findall(r'id="job-start">([^<]*)<', page)
        assert buttons[name] == kind.button_label
        assert kind.button, f"{name}: no button label of its own"
        assert ("导出" in buttons[name]) == (name == "ledger_export"), name
    assert buttons["grids_assign"] == "开始编入网格" and buttons["router_train"] == "开始训练"
    assert buttons["hotline_import"] == "上传并导入" and buttons["ledger_export"] == "开始导出"


def test_the_pages_need_an_office_account(client, personas):
    job = job_start(actor=personas.county_staff, kind="ledger_export")
    assert client.get("/office/jobs/").status_code == 302
    assert client.get(f"/office/jobs/{job.pk}/status/").status_code == 302
    client.force_login(personas.deputy)
    assert client.get("/office/jobs/").status_code == 403


def test_the_holiday_calendar_import_takes_its_year_and_is_the_platform_administrators(client, personas):
    from lianxin.workdays.models import CalendarDay, CalendarYear

    sheet = "日期,类型,名称\n2031-10-01,放假,国庆节\n2031-10-02,放假,国庆节\n2031-09-28,调休上班,国庆节调休\n"
    client.force_login(personas.county_staff)
    assert client.get("/office/jobs/new/calendar_import/").status_code == 404
    client.force_login(personas.admin)
    page = client.get("/office/jobs/new/calendar_import/").content.decode()
    assert 'name="year"' in page and "类型" in page

    missing_year = upload(client, "calendar_import", "2031.csv", sheet.encode())
    assert missing_year.status_code == 200 and not LongJob.objects.exists()
    upload(client, "calendar_import", "2031.csv", sheet.encode(), year="2031")
    job = LongJob.objects.get()
    assert job.params == {"year": 2031}
    longjobs_run()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.message.startswith("2031 年节假日安排已导入：新增 3 条")
    assert CalendarDay.objects.filter(date__year=2031).count() == 3
    assert CalendarYear.objects.get(year=2031).is_complete


def test_the_status_poll_and_the_list_cost_a_fixed_number_of_queries(client, personas, django_assert_num_queries):
    client.force_login(personas.county_staff)
    job = job_start(actor=personas.county_staff, kind="ledger_export")
    with django_assert_num_queries(4):  # session, user, roles, the job
        client.get(f"/office/jobs/{job.pk}/status/")

    def list_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/office/jobs/").status_code == 200
        return len(queries)

    few = list_queries()
    for _ in range(5):
        job_start(actor=personas.county_staff, kind="hotline_import", upload=("a.csv", b"x"))
    assert list_queries() == few
