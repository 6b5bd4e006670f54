# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""履职积分 in a real browser (Debian's Chromium through Playwright, at a clerk's 1280 px): county staff open 代表履职
from the menu, confirm one deputy's self-assessed points as claimed, are told that a correction needs a note, then
correct another deputy's points with a note; the ranking counts the confirmed points."""

from decimal import Decimal

import pytest
from django.utils import timezone

from lianxin.core.models import AuditEvent
from lianxin.duties import services
from lianxin.duties.models import EntryStatus, ScoreEntry, ScoreItem, ScoreSource
from lianxin.duties.tests.conftest import duty  # noqa: F401
from lianxin.office.tests.test_case_page_browser import DESKTOP
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    login_admin,
    phone,
    pytestmark,
    shots,
)

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark


@pytest.fixture
def claims(duty, personas, regions):
    year = timezone.localdate().year
    training = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=1, name="参加履职培训",
        source=ScoreSource.SELF, points_each=Decimal("1"), max_points=Decimal("5"),
    )  # fmt: skip
    first = services.score_claim(actor=personas.deputy, item=training, points="4", evidence="参加县人大培训4次")
    second = services.score_claim(actor=duty.second_user, item=training, points="5", evidence="参加培训5次")
    return first, second


def test_in_a_browser_staff_confirm_one_self_assessment_and_correct_another_with_a_note(
    browser, live_server, personas, duty, claims, shots
):
    first, second = claims
    page = phone(browser, **DESKTOP)
    login_admin(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/office/")
    page.click("nav.menu >> text=代表履职")
    page.wait_for_url(f"{live_server.url}/office/duties/activities/")
    page.click("nav.duty-tabs >> text=履职积分")
    page.wait_for_url(f"{live_server.url}/office/duties/scores/")
    assert page.locator("#claims tbody tr").count() == 2
    assert page.locator("#ranking td .pending-mark").count() == 2  # claims count once confirmed
    assert axe_violations(page) == []
    shots(page, "office-duty-scores")

    # 沈建国: confirmed as claimed.
    row = page.locator(f"#claim-{first.pk}")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#flash .notice").inner_text() == "已评定 沈建国“参加履职培训” 4.0 分"
    assert page.locator("#claims tbody tr").count() == 1

    # 钱立新: corrected from 5 to 3, first without the note it needs.
    row = page.locator(f"#claim-{second.pk}")
    row.locator("input[name=points]").fill("3")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#flash .notice.error").inner_text() == "钱立新“参加履职培训”未评定：评定说明: 不能为空"
    second.refresh_from_db()
    assert second.status == EntryStatus.CLAIMED
    row = page.locator(f"#claim-{second.pk}")
    row.locator("input[name=points]").fill("3")
    row.locator("input[name=note]").fill("培训签到记录只有3次")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#flash .notice").inner_text() == "已评定 钱立新“参加履职培训” 3.0 分（已修正）"
    assert page.locator("#no-claims").is_visible()

    totals = {
        name: page.locator(f"#ranking tr[data-deputy='{name}'] td.total").inner_text() for name in ("沈建国", "钱立新")
    }
    assert totals == {"沈建国": "4.0", "钱立新": "3.0"}
    corrected = ScoreEntry.objects.get(pk=second.pk)
    assert (corrected.confirmed, corrected.note) == (Decimal("3.0"), "培训签到记录只有3次")
    assert AuditEvent.objects.filter(action="duties.score_confirm").count() == 2
    # No page of the journey scrolls sideways at 1280 px.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
