"""An import from the browser (Debian's Chromium through Playwright, as the portal's journeys): a county clerk uploads
a 12345 sheet with mistakes, watches the job's page turn from queued to its row-numbered errors without reloading,
uploads the corrected sheet and sees it finish with a full progress bar. A worker runs in a thread, as
`run_worker` would in its own process."""

import threading

import pytest
from django.db import connection

from lianxin.cases.models import Case
from lianxin.office.tests.test_jobs import bad_sheet, good_sheet
from lianxin.ops import longjobs
from lianxin.ops.models import JobStatus, LongJob
from lianxin.portal.tests import test_browser as portal_browser

# Skip without playwright or Chromium; a transactional database for the live server; one browser for the module.
browser, shots, _migration_data = portal_browser.browser, portal_browser.shots, portal_browser._migration_data
pytestmark = portal_browser.pytestmark
phone, axe_violations = portal_browser.phone, portal_browser.axe_violations

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path, monkeypatch):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(longjobs, "REPORT_EVERY", 0.1)


@pytest.fixture
def worker():
    """The worker's long-job step every 0.2 s in a thread, until the test ends."""
    stopping = threading.Event()

    def loop() -> None:
        try:
            while not stopping.wait(0.2):
                longjobs.longjobs_run()
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="test-worker")
    thread.start()
    yield
    stopping.set()
    thread.join()


def test_a_clerk_imports_a_hotline_sheet_sees_its_errors_then_imports_the_corrected_one(
    browser, live_server, personas, regions, worker, shots, tmp_path
):
    bad, good = tmp_path / "工单.xlsx", tmp_path / "工单-改正.xlsx"
    bad.write_bytes(bad_sheet())
    good.write_bytes(good_sheet())
    page = phone(browser, **DESKTOP)
    page.goto(f"{live_server.url}/admin/login/?next=/office/jobs/")
    page.fill("#id_username", "county_staff")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/office/jobs/")
    assert page.locator("nav.menu a[aria-current]").inner_text() == "导入与任务"

    page.click("text=导入12345热线工单")
    assert page.locator("table.columns").inner_text().count("工单编号") == 1
    assert axe_violations(page) == []
    shots(page, "office-import")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('上传并导入')")
    page.wait_for_url(f"{live_server.url}/office/jobs/*/")
    # The page polls and reloads itself when the job has finished: the rejected rows appear without a click.
    page.locator("table.job-errors").wait_for()
    assert page.locator("#job-status").inner_text() == "未完成"
    rows = page.locator("table.job-errors tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).inner_text().split("\t")[:2] == ["3", "联系电话"]
    assert "与第2行重复" in rows.nth(2).inner_text()
    assert Case.objects.count() == 0
    assert axe_violations(page) == []
    shots(page, "office-import-errors")

    page.click("a:has-text('改正后重新上传')")
    page.set_input_files("input[type=file]", str(good))
    page.click("button:has-text('上传并导入')")
    page.wait_for_url(f"{live_server.url}/office/jobs/*/")
    page.locator("#job-status:has-text('已完成')").wait_for()
    assert "导入完成：新增 2 件工单" in page.locator("#job-message").inner_text()
    bar = page.locator("#job-progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "2"
    assert Case.objects.count() == 2
    assert list(LongJob.objects.order_by("pk").values_list("status", flat=True)) == [JobStatus.FAILED, JobStatus.DONE]
    shots(page, "office-import-done")

    page.click("text=← 导入与任务")
    page.wait_for_url(f"{live_server.url}/office/jobs/")  # count() does not wait: read the list, not the job's page
    page.locator("table.jobs").wait_for()
    assert page.locator("table.jobs tbody tr").count() == 2
