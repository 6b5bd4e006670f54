# ruff: noqa: F811  (fixtures imported from the portal's browser tests are named by each test)
"""Commenting on an article and exporting the summary, in a real browser (Debian's Chromium through Playwright): a
citizen on a phone opens the draft, picks an article, selects a passage to quote it (lianxin/portal/static/portal/
legislation.js), answers the question and submits, and sees the comment with its quote and the article's count go
up; the contact point's staff download the summary as .docx and PDF and read the article's count and conclusion in
them. axe finds no serious violation on the pages."""

import io
import re
from pathlib import Path

from docx import Document

from lianxin.legislation import services
from lianxin.legislation.models import Comment
from lianxin.legislation.services import Author, comment_submit
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    login_admin,
    phone,
    pytestmark,
    shots,
    solve_captcha,
)
from lianxin.portal.tests.test_qr_and_posters import page_text

assert pytestmark  # skip without playwright or Chromium; transactional database for the live server


def test_a_citizen_quotes_a_passage_of_an_article_and_comments_on_it(browser, live_server, world, shots):
    article = world.articles[0]
    page = phone(browser)
    page.goto(f"{live_server.url}/laws/")
    page.get_by_role("link", name=world.draft.title).click()
    page.wait_for_selector("#article-" + str(article.pk))
    assert axe_violations(page) == []
    link = page.locator(f"#article-{article.pk} .article-actions a")
    assert link.inner_text() == "评论本条（0）"
    link.click()
    page.wait_for_load_state()
    # Select "推进农村生活垃圾分类" in the article as a person would with a finger: a range over the text.
    start = article.text.index("推进农村生活垃圾分类")
    page.evaluate(
        """([first, last]) => {
            const node = document.getElementById("article-text").firstChild;
            const range = document.createRange();
            range.setStart(node, first);
            range.setEnd(node, last);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [start, start + 10],
    )
    page.wait_for_selector("#quote-box:not([hidden])")
    assert page.locator("#quote-preview").inner_text() == "推进农村生活垃圾分类"
    page.fill("#id_text", "建议写明“分类”包括源头减量。")
    page.fill("#id_person_name", "王小明")
    page.fill("#id_person_phone", "13912345678")
    solve_captcha(page)
    assert axe_violations(page) == []
    shots(page, "legislation-article")
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_selector("text=感谢您的意见，已收到。")
    assert page.locator("#comment-count").inner_text() == "1"
    shown = page.locator(".comments .comment").first
    assert shown.locator("blockquote").inner_text() == "推进农村生活垃圾分类"
    assert "王**" in shown.inner_text() and "13912345678" not in page.content()
    comment = Comment.objects.get()
    assert (comment.quote_start, comment.quote_end, comment.section_id) == (start, start + 10, article.pk)
    page.goto(f"{live_server.url}/laws/{world.draft.pk}/")
    assert page.locator(f"#article-{article.pk} .article-actions a").inner_text() == "评论本条（1）"


def test_staff_export_the_summary_as_word_and_pdf(browser, live_server, world, personas, shots):
    staff = personas.township_staff
    first = world.articles[0]
    opinions = ("建议写明上位法的名称。", "“美丽乡村”应写入立法目的。", "赞成本条。")
    for n, text in enumerate(opinions):
        comment_submit(draft=world.draft, section_id=first.pk, text=text, author=Author(participant=f"b:{n}"))
    services.draft_transition(actor=staff, draft=world.draft, action="close")
    services.summary_set(
        actor=staff, draft=world.draft, section_id=first.pk, outcome="partly", reason="部分吸收进修改稿"
    )
    page = phone(browser, viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    login_admin(page, live_server, "township_staff")
    page.goto(f"{live_server.url}/office/legislation/{world.draft.pk}/summary/")
    assert "部分采纳" in page.locator(f"#s{first.pk}").inner_text()
    assert axe_violations(page) == []
    shots(page, "legislation-summary")
    with page.expect_download() as word:
        page.get_by_role("link", name="导出 Word").click()
    document = Document(io.BytesIO(Path(word.value.path()).read_bytes()))
    rows = [" | ".join(c.text for c in row.cells) for table in document.tables for row in table.rows]
    assert "第一条 | 3 | 0 | 0 | 部分采纳 | 部分吸收进修改稿" in rows
    assert word.value.suggested_filename.endswith("意见汇总.docx")
    with page.expect_download() as pdf:
        page.get_by_role("link", name="导出 PDF").click()
    text = page_text(Path(pdf.value.path()).read_bytes())
    assert re.search(r"第一条\s*3", text) and "部分吸收进修改稿" in text


def test_a_deputy_comments_on_an_article_from_the_phone(browser, live_server, world, shots):
    article = world.articles[3]
    page = phone(browser)
    page.goto(f"{live_server.url}/w/legislation/")
    page.fill("#id_username", "deputy")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button:has-text('登录')")
    page.get_by_role("link", name=world.draft.title).click()
    assert axe_violations(page) == []
    page.get_by_role("link", name=article.label).click()
    page.wait_for_load_state()
    page.evaluate(
        """() => {
            const node = document.getElementById("article-text").firstChild;
            const range = document.createRange();
            range.setStart(node, 0);
            range.setEnd(node, 2);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }"""
    )
    page.wait_for_selector("#quote-box:not([hidden])")
    page.fill("#id_text", "“村民”应包括常住的外来人员。")
    assert axe_violations(page) == []
    page.get_by_role("button", name="以代表身份提交").click()
    page.wait_for_selector("text=意见已提交")
    shown = page.locator(".comments .comment").first.inner_text()
    assert "代表" in shown and "沈立法 代表" in shown and "“村民”应包括常住的外来人员。" in shown
    comment = Comment.objects.get()
    assert (comment.deputy, comment.quote_text) == (world.deputy, article.text[:2])
