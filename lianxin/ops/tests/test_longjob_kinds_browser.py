"""Grid assignment from the browser (Debian's Chromium through Playwright, as the office's import journey): a
township clerk starts 代表进网格 from 导入与任务, watches the job finish without reloading, and downloads the
coverage report. A worker runs in a thread, as `run_worker` would in its own process."""

import openpyxl

from lianxin.deputies.models import GridAssignment
from lianxin.deputies.tests.test_assignment import county, make_deputy  # noqa: F401  (fixture)
from lianxin.office.tests import test_jobs_browser as jobs_browser
from lianxin.ops.models import JobStatus, LongJob

# Skip without playwright or Chromium; a transactional database for the live server; one browser for the module.
browser, shots, _migration_data = jobs_browser.browser, jobs_browser.shots, jobs_browser._migration_data
_private_files, worker = jobs_browser._private_files, jobs_browser.worker
pytestmark = jobs_browser.pytestmark
phone, axe_violations, DESKTOP = jobs_browser.phone, jobs_browser.axe_violations, jobs_browser.DESKTOP


def test_a_township_clerk_assigns_grids_and_downloads_the_coverage_report(
    browser,
    live_server,
    personas,
    county,  # noqa: F811
    worker,
    shots,
    tmp_path,
):
    regions, *_ = county
    make_deputy("姚丽华", congress=regions.deqing, district=regions.jueren)
    make_deputy("沈建国", congress=regions.deqing, district=regions.chengdong)
    page = phone(browser, **DESKTOP)
    page.goto(f"{live_server.url}/admin/login/?next=/office/jobs/")
    page.fill("#id_username", "township_staff")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/office/jobs/")

    page.click("text=代表进网格")
    assert axe_violations(page) == []
    page.click("form.job-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/office/jobs/*/")
    page.locator("#job-status:has-text('已完成')").wait_for()
    assert page.locator("#job-message").inner_text().startswith("已编入 2 名")
    assert axe_violations(page) == []
    shots(page, "office-grids-assigned")

    with page.expect_download() as download:
        page.click("#job-download")
    assert download.value.suggested_filename == "网格覆盖报告-武康街道.xlsx"
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    figures = dict(openpyxl.load_workbook(saved, read_only=True)["覆盖情况"].iter_rows(min_row=2, values_only=True))
    assert (figures["区划"], figures["网格覆盖率"], figures["本次编入"]) == ("武康街道", "100.0%", 2)
    # 乾元镇's deputy and grid are outside the clerk's township.
    assert set(GridAssignment.objects.values_list("grid__code", flat=True)) == {"G-JR-1", "G-JR-2"}
    assert list(LongJob.objects.values_list("status", flat=True)) == [JobStatus.DONE]
