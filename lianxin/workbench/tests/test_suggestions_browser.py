"""The deputy's suggestion journey on a phone, in a real browser (Debian's Chromium through Playwright, as the portal's
journeys): draft from a citizen's case, invite a co-signer who signs on their own phone, submit; after the staff and
the unit have done their part through the workflow, read the unit's reply and rate it."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.cases.models import Status as CaseStatus
from lianxin.cases.workflow import case_transition
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    phone,
    pytestmark,
    shots,
)
from lianxin.suggestions.models import CoSigner, SignStatus, Status, Suggestion, UnitRole
from lianxin.suggestions.tests.conftest import world  # noqa: F401

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark


WECHAT = {"width": 360, "height": 740}  # the narrow phones WeChat's browser runs on


def fits(page) -> bool:
    """Nothing wider than the screen: no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/w/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/w/")


def test_a_deputy_drafts_from_a_case_gets_a_co_signer_submits_and_rates_the_reply_on_a_phone(
    browser,  # noqa: F811
    live_server,
    world,  # noqa: F811
    personas,
    shots,  # noqa: F811
):
    case = world.case()
    case_transition(case=case, action="accept", actor=personas.county_staff, params={"category": "transport"})
    page = phone(browser, viewport=WECHAT)
    log_in(page, live_server, "deputy")

    # From the citizen's case to a draft prefilled from it.
    page.goto(f"{live_server.url}/w/cases/{case.pk}")
    page.click("#to-suggestion a")
    page.wait_for_url(f"{live_server.url}/w/suggestions/new?case={case.pk}")
    assert page.input_value("#id_title") == "关于城东路口积水的建议"
    assert "城东路口一下雨就积水" in page.input_value("#id_reasons") and "王秀英" not in page.input_value("#id_reasons")
    assert page.is_checked(f"input[name=case_ids][value='{case.pk}']")
    page.select_option("#id_field", label="城乡建设与管理")
    page.fill("#id_content", "建议县交通运输局今年汛期前改造城东路口排水管网。")
    page.check("#id_public_consent")
    shots(page, "suggestion-new")
    assert axe_violations(page) == [] and fits(page)
    page.click("#draft button[type=submit]")
    page.wait_for_url(f"{live_server.url}/w/suggestions/*")
    assert "草稿已保存" in page.locator("#flash").inner_text()
    s = Suggestion.objects.get()
    assert (s.status, list(s.cases.all())) == (Status.DRAFT, [case])

    # Invite 钱立新, found by name.
    page.click("#steps a:has-text('邀请代表附议')")
    page.fill("#q", "钱")
    page.click("#search button")
    page.check("#invite label:has-text('钱立新') input")
    shots(page, "suggestion-invite")
    assert axe_violations(page) == [] and fits(page)
    page.click("#invite button[type=submit]")
    page.wait_for_load_state()
    assert "已邀请钱立新附议" in page.locator("#flash").inner_text()
    assert "已邀请" in page.locator("#co-signers").inner_text()

    # 钱立新 signs on his own phone.
    other = phone(browser)
    log_in(other, live_server, "co_deputy")
    assert "待我附议 1 件" in other.locator("#my-suggestions").inner_text()
    other.click("nav a:has-text('我的建议')")
    other.click(f"#invitations a:has-text('{s.title}')")
    other.click("#step-sign button")
    other.wait_for_load_state()
    assert "已附议" in other.locator("#flash").inner_text()
    assert CoSigner.objects.get(suggestion=s).status == SignStatus.SIGNED
    other.context.close()

    # The lead sees the signature and submits.
    page.goto(f"{live_server.url}/w/suggestions/{s.pk}")
    assert "钱立新" in page.locator("#co-signers").inner_text()
    assert "已附议" in page.locator("#co-signers").inner_text()
    shots(page, "suggestion-draft")
    assert axe_violations(page) == [] and fits(page)
    page.click("#step-submit button")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "待预审"
    case.refresh_from_db()
    assert case.status == CaseStatus.CONVERTED

    # Staff review and assign it; the unit contacts the deputy and replies with a signed letter.
    s.refresh_from_db()
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}])
    part = s.units.get(role=UnitRole.LEAD)
    world.act(s, "contact", personas.unit_handler, assignment=part.pk, way="phone", person="张科长",
              contacted_on=datetime.date.today().isoformat())  # fmt: skip
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    world.act(s, "reply", personas.unit_handler, assignment=part.pk, reply_class="B", signed_by="王局长",
              reply_text="已列入明年排水改造计划，汛期前完成。", reply_file=letter,
              promised_on=(datetime.date.today() + datetime.timedelta(days=120)).isoformat())  # fmt: skip

    # The deputy reads the reply and rates it.
    page.goto(f"{live_server.url}/w/")
    assert "待我评价答复 1 件" in page.locator("#my-suggestions").inner_text()
    page.goto(f"{live_server.url}/w/suggestions/{s.pk}")
    reply = page.locator(f"#part-{part.pk}")
    assert "B类（正在解决或列入计划）" in reply.inner_text() and "王局长" in reply.inner_text()
    assert "电话 · 张科长" in reply.inner_text()
    href = reply.locator("a:has-text('查看答复函')").get_attribute("href")
    assert page.request.get(f"{live_server.url}{href}").body() == b"%PDF-1.4 letter"
    reply.locator("label:has-text('基本满意') input").check()
    page.fill(f"#id_rate{part.pk}-comment", "希望按期完成")
    shots(page, "suggestion-reply")
    assert axe_violations(page) == [] and fits(page)
    page.click(f"#rate-{part.pk} button[type=submit]")
    page.wait_for_load_state()
    assert "已评价：基本满意" in page.locator("#flash").inner_text()
    assert page.locator("#status").inner_text() == "已评价"
    part.refresh_from_db()
    assert (part.rating, part.rating_comment) == ("basic", "希望按期完成")
    page.context.close()
