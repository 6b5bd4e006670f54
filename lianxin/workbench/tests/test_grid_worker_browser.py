"""The grid worker's journey on a phone, in a real browser (Debian's Chromium through Playwright, as the portal's
journeys): log in, land on the grid's home, report a problem with a photo and the phone's location, follow it up."""

from lianxin.cases.models import Case, Channel, GridFollowUp
from lianxin.portal.tests.conftest import LAT, LNG, photo_bytes
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    phone,
    pytestmark,
    shots,
)
from lianxin.workbench.tests.test_grid_worker import grid  # noqa: F401

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark


def test_a_grid_worker_on_a_phone_reports_a_problem_with_a_photo_and_location_and_follows_it_up(
    browser,  # noqa: F811
    live_server,
    world,
    grid,  # noqa: F811
    shots,  # noqa: F811
    tmp_path,
):
    picture = tmp_path / "manhole.jpg"
    picture.write_bytes(photo_bytes())
    here = {"latitude": LAT + 0.005, "longitude": LNG + 0.004}
    page = phone(browser, geolocation=here, permissions=["geolocation"])
    page.goto(f"{live_server.url}/w/login/")
    page.fill("#id_username", "grid_worker")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/w/grid/")
    assert page.locator("h1").inner_text() == "陆小芳的网格"
    assert "沈建国" in page.locator("#deputies").inner_text()
    assert page.locator("#deputies a[href^='tel:']").count() == 0  # no contacts for a grid worker
    shots(page, "grid-home")
    assert axe_violations(page) == []

    page.click("#grid a:has-text('上报问题')")
    page.fill("#id_text", "居仁路12号门口井盖松动，晚上有老人险些摔倒")
    page.select_option("#id_category", label=world.category.name)
    page.set_input_files("#id_photos", str(picture))
    page.click("#locate")
    page.wait_for_function("() => document.getElementById('locate-status').textContent === '已获取位置'")
    shots(page, "grid-report")
    assert axe_violations(page) == []
    page.click("#report button[type=submit]")
    page.wait_for_url(f"{live_server.url}/w/grid/cases/*")
    assert "已上报，查询码" in page.locator("#flash").inner_text()
    assert page.locator("#status").inner_text() == "已登记"
    # The photo is served to her (not a public /media/ URL) and the browser decodes it (once it has arrived: it is
    # drawn on request, after the page, and a loaded machine may still be drawing it when the page is there).
    page.wait_for_function("() => document.querySelector('#photos img').complete", timeout=30_000)
    assert page.eval_on_selector("#photos img", "img => img.naturalWidth") > 0

    case = Case.objects.get()
    assert (case.channel, case.grid, case.grid_worker) == (Channel.GRID_WORKER, world.grid, grid.worker)
    assert (round(case.lat, 6), round(case.lng, 6)) == (round(here["latitude"], 6), round(here["longitude"], 6))
    assert case.attachments.count() == 1

    page.fill("#id_text", "已联系社区物业，明天上午更换井盖")
    page.click("button:has-text('记录跟进')")
    page.wait_for_load_state()
    assert "已联系社区物业，明天上午更换井盖" in page.locator("#follow-ups").inner_text()
    shots(page, "grid-case")
    assert axe_violations(page) == []
    assert GridFollowUp.objects.filter(case=case, grid_worker=grid.worker).count() == 1

    page.click("nav a:has-text('我的网格')")
    assert case.title in page.locator("#open").inner_text()
    page.context.close()
