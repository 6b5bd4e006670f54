"""Journeys in a real browser: Debian's Chromium driven by Playwright (no browser download), against the live
server. One browser for the module; a context (like a separate phone) per person.

Screenshots go to a temporary folder; `LIANXIN_SCREENSHOTS=docs/screenshots pytest lianxin/portal -k browser`
refreshes the ones shown in the README.
"""

import importlib
import os
import re
from pathlib import Path

import pytest

from lianxin.cases.models import Case, Status

CHROMIUM = os.getenv("LIANXIN_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "data" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is missing (pip install -e '.[dev]')"),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium with apt-get where it can "
        "(or set LIANXIN_CHROMIUM); browser journeys skipped",
    ),
    # The live server runs in another thread and must see committed rows.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _migration_data(transactional_db):
    """A transactional test ends by emptying every table, data migrations' rows too (categories, deadline
    policies, the holiday calendar): put them back the way the migrations wrote them."""
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    schema_editor = SimpleNamespace(connection=connection)  # the seeds read only the connection's alias
    for module in (
        "lianxin.cases.migrations.0002_defaults",
        "lianxin.workdays.migrations.0002_seed_from_chinese_calendar",
    ):
        importlib.import_module(module).seed(apps, schema_editor)


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread with a
    # running loop unless told that this is deliberate (the test's own setup queries, not the server's).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.getenv("LIANXIN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def shot(page: "Page", name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shot


def phone(browser: "Browser", **options) -> "Page":
    settings = {"viewport": PHONE, "device_scale_factor": 1, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
    context = browser.new_context(**{**settings, **options})
    context.set_default_timeout(15_000)
    return context.new_page()


def axe_violations(page: "Page") -> list[str]:
    """Serious and critical axe-core violations of the current page, as readable lines."""
    # Evaluated through the DevTools protocol, not as a <script> tag: the page's Content-Security-Policy (script-src
    # 'self') blocks inline scripts, and the pages are tested under the policy they are served with.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def solve_captcha(page: "Page") -> None:
    label = page.locator("label[for=id_captcha]").inner_text()
    a, op, b = re.search(r"(\d+) (加|减) (\d+)", label).groups()
    page.fill("#id_captcha", str(int(a) + int(b) if op == "加" else int(a) - int(b)))


def admin_act(page: "Page", live_server, case: Case, action: str, **fields: str) -> None:
    """Staff act on the office's case page: one form per action (lianxin/office/case_page.py)."""
    page.goto(f"{live_server.url}/office/cases/{case.pk}/")
    block = page.locator(f"#action-{action}")
    if block.get_attribute("open") is None:
        block.locator("summary").click()
    for name, value in fields.items():
        element = block.locator(f"[name={name}]")
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)
    block.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#flash .notice").count() == 1, page.locator("main").inner_text()[:500]


def login_admin(page: "Page", live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_a_citizen_scans_submits_with_a_photo_tracks_the_reply_and_an_unsatisfied_rating_reopens_it(
    browser, live_server, world, personas, shots, tmp_path
):
    from lianxin.portal.tests.conftest import photo_bytes

    photo = tmp_path / "road.jpg"
    photo.write_bytes(photo_bytes())
    citizen = phone(browser)
    citizen.goto(f"{live_server.url}/d/{world.deputy.public_code}")
    assert citizen.locator("h1").inner_text() == "沈建国 代表"
    shots(citizen, "deputy")
    citizen.click("text=向沈建国代表提意见建议")
    citizen.fill("#id_text", "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。")
    assert citizen.locator("#category-hint").inner_text().startswith("建议类别：城乡建设")  # from its keywords
    citizen.click("#category-hint button")
    assert citizen.locator("#id_category option:checked").inner_text() == "城乡建设"
    citizen.set_input_files("#id_photos", str(photo))
    citizen.fill("#id_person_name", "王秀英")
    citizen.fill("#id_person_phone", "13957211234")
    solve_captcha(citizen)
    shots(citizen, "submit")
    citizen.click("button:has-text('提交')")
    code = citizen.locator("#receipt-code").inner_text()
    shots(citizen, "receipt")
    assert len(code) == 9 and code[4] == "-"  # 3F7K-92QX: two groups of four, as people read it out
    case = Case.objects.get(receipt_code=code.replace("-", ""))
    assert case.attachments.count() == 1

    staff_page = phone(browser, viewport={"width": 1280, "height": 900}, is_mobile=False)
    login_admin(staff_page, live_server, "county_staff")
    admin_act(staff_page, live_server, case, "accept", category=str(world.category.pk))
    admin_act(staff_page, live_server, case, "transfer", unit=str(world.unit.pk))
    unit = phone(browser, viewport={"width": 1280, "height": 900}, is_mobile=False)
    login_admin(unit, live_server, "unit_handler")
    admin_act(unit, live_server, case, "reply", reply="已更换路灯，恢复照明。")
    admin_act(staff_page, live_server, case, "feed_back")

    citizen.goto(f"{live_server.url}/track/")
    citizen.fill("#id_code", code.lower())
    citizen.click("button:has-text('查询')")
    assert citizen.locator("#reply").inner_text() == "已更换路灯，恢复照明。"
    assert "王*" in citizen.content() and "13957211234" not in citizen.content()
    shots(citizen, "track")
    citizen.check("input[value=unsatisfied]")
    citizen.fill("#id_comment", "晚上还是黑的")
    citizen.click("button:has-text('提交评价')")
    assert citizen.locator("#status").inner_text() == Status.TRANSFERRED.label
    assert "已退回承办单位重新办理" in citizen.content()
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (Status.TRANSFERRED, 1)


def test_a_deputy_on_a_phone_runs_a_reception_and_registers_two_cases(browser, live_server, world, personas, shots):
    page = phone(browser)
    page.goto(f"{live_server.url}/w/")
    page.fill("#id_username", "deputy")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button:has-text('登录')")
    assert "沈建国代表的工作台" in page.content()
    shots(page, "workbench")
    assert axe_violations(page) == []
    page.click("text=开始接待")
    page.check("input[name=kind][value=station]")
    page.select_option("#id_place", str(world.place.pk))
    page.click("button:has-text('开始接待')")
    page.evaluate("window.sameDocument = true")  # gone if a registration reloaded the whole page
    for n, (text, name) in enumerate([("村口道路坑洼，雨天积水", "李大伯"), ("希望增设老年食堂", "赵阿姨")], start=1):
        page.fill("#id_text", text)
        page.fill("#id_person_name", name)
        page.click("#register button")
        # A function, not a string: a string predicate is eval()'d in the page, which its CSP forbids.
        page.wait_for_function("n => document.getElementById('case-count').textContent === n", arg=str(n))
        assert "已登记，查询码" in page.locator("#flash").inner_text()
        assert page.input_value("#id_text") == ""  # a fresh form for the next person
    assert page.evaluate("window.sameDocument") is True  # htmx swapped the list and the form in place
    assert page.input_value("#id_people_received") == "2"  # the closing form was refreshed with the count
    shots(page, "reception")
    assert axe_violations(page) == []
    page.fill("#id_people_received", "3")
    page.click("button:has-text('结束接待')")
    assert page.locator("#people").inner_text() == "3"
    assert Case.objects.filter(session__deputy=world.deputy, channel="station").count() == 2


def test_the_public_pages_have_no_serious_accessibility_violations_and_location_finds_the_grid(
    browser, live_server, world, shots
):
    from lianxin.portal.tests.conftest import LAT, LNG

    page = phone(browser, geolocation={"latitude": LAT + 0.005, "longitude": LNG + 0.005}, permissions=["geolocation"])
    found = {}
    for path in [
        "/home/",
        f"/d/{world.deputy.public_code}",
        f"/d/{world.deputy.public_code}/submit",
        f"/p/{world.place.public_code}",
        "/track/",
        "/results/",
        "/find/",
    ]:
        page.goto(live_server.url + path)
        found[path] = axe_violations(page)
    assert found == {path: [] for path in found}
    page.set_content('<html lang="zh-Hans"><title>t</title><main><input type="text"></main></html>')
    assert any(line.startswith("label ") for line in axe_violations(page))  # axe itself works: it sees this
    page.goto(live_server.url + "/find/")
    page.select_option("#town", world.grid.region.parent.code)  # each choice loads the next list
    page.select_option("#village", world.grid.region.code)
    page.select_option("#grid", world.grid.code)
    assert "沈建国" in page.locator("#grid-info").inner_text()
    page.goto(live_server.url + "/find/")
    page.click("#locate-find")
    page.wait_for_selector("#grid-info")
    assert "居仁一网格" in page.locator("#grid-info").inner_text()
    shots(page, "find")
