"""The public query of suggestions on a phone 360 px wide (WeChat's browser): filter, open, read; nothing wider than
the screen, no serious accessibility violation."""

import os

import pytest

from lianxin.portal.tests.test_browser import CHROMIUM, _migration_data, axe_violations, browser, phone, shots
from lianxin.suggestions.models import UnitRole
from lianxin.suggestions.tests.conftest import world

__all__ = ["_migration_data", "browser", "shots", "world"]  # fixtures used by name

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]


def _published(world, personas, **fields):
    s = world.assigned(public_consent=True, **fields)
    lead = s.units.get(role=UnitRole.LEAD)
    co = s.units.get(role=UnitRole.CO)
    world.act(s, "co_opinion", world.other_handler, assignment=co.pk, opinion="同意主办单位的方案。")
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A",
              reply_text="已列入明年计划，正在设计施工图。", signed_by="王局长")  # fmt: skip
    world.act(s, "publish")
    return s


def test_a_citizen_finds_a_published_suggestion_on_a_narrow_phone(live_server, browser, shots, world, personas):
    _published(world, personas, content="建议修复城东路，电话13957211234。")
    world.assigned(title="关于未公开事项的建议", public_consent=True)
    page = phone(browser, viewport={"width": 360, "height": 740})

    page.goto(f"{live_server.url}/suggestions/")
    assert page.locator("#count").inner_text() == "共 1 件"
    page.select_option("#class", "A")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "class=A" in page.url and page.locator("#count").inner_text() == "共 1 件"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    shots(page, "suggestions-list")

    page.click("ul.suggestions a")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "已答复"
    text = page.locator("#text").inner_text()
    assert "13957211234" not in text and "已列入明年计划" in text
    assert "关于未公开事项的建议" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    shots(page, "suggestion-detail")
