"""The pages: the public draft and comment pages (with the portal's abuse protection), the deputies' phone pages,
and the office's drafts, split confirmation, moderation, summary, export and figures, each with its scope."""

import io
import re

import pytest
from docx import Document

from lianxin.core.models import AuditEvent
from lianxin.legislation import services
from lianxin.legislation.models import AuthorKind, Comment, CommentStatus, Draft, DraftStatus
from lianxin.legislation.services import Author, comment_submit
from lianxin.portal.tests.conftest import solve_captcha

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def post_comment(client, url, **fields):
    page = client.get(url)
    token, captcha_token, answer = solve_captcha(page.content.decode())
    data = {"form_token": token, "captcha_token": captcha_token, "captcha": answer, "text": "意见", **fields}
    return client.post(url, data)


# --- public -------------------------------------------------------------------------------------------------------


def test_the_public_list_shows_published_drafts_only(client, world, personas):
    services.draft_create(
        actor=personas.county_staff,
        contact_point=world.point,
        title="尚未发布的草案",
        text="第一条 甲。",
        opens_on=world.today,
        closes_on=world.today,
    )
    page = text_of(client.get("/laws/"))
    assert world.draft.title in page
    assert "尚未发布的草案" not in page
    unpublished = Draft.objects.get(title="尚未发布的草案")
    assert client.get(f"/laws/{unpublished.pk}/").status_code == 404


def test_the_draft_page_shows_chapters_articles_and_their_counts(client, world, personas):
    first = world.articles[0]
    comment_submit(draft=world.draft, section_id=first.pk, text="好", author=Author(participant="b:1"))
    hidden = comment_submit(draft=world.draft, section_id=first.pk, text="广告", author=Author(participant="b:2"))
    services.comment_hide(actor=personas.township_staff, comment=hidden, reason="广告")
    page = client.get(f"/laws/{world.draft.pk}/").content.decode()
    assert "第一章 总则" in page and "第二章 分类投放" in page
    assert f'href="/laws/{world.draft.pk}/articles/{first.pk}/" data-count="1"' in page  # the hidden one not counted


def test_a_citizen_comments_on_an_article_with_a_quote_and_sees_it(client, world):
    article = world.articles[1]
    url = f"/laws/{world.draft.pk}/articles/{article.pk}/"
    response = post_comment(
        client,
        url,
        text="建议明确“行政区域”的范围。",
        quote_start=3,
        quote_end=7,
        person_name="李四",
        person_phone="13900001111",
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.section, comment.quote_text, comment.person_phone) == (article, article.text[3:7], "13900001111")
    assert comment.participant.startswith("b:")
    page = client.get(response["Location"]).content.decode()
    assert "建议明确“行政区域”的范围。" in page and "李*" in page
    assert "13900001111" not in page and "李四" not in page
    assert 'id="comment-count">1<' in page


def test_the_comment_form_keeps_the_portals_protection(client, world):
    url = f"/laws/{world.draft.pk}/general/"
    page = client.get(url).content.decode()
    token, captcha_token, answer = solve_captcha(page)
    wrong = str(int(answer) + 1)
    response = client.post(url, {"form_token": token, "captcha_token": captcha_token, "captcha": wrong, "text": "x"})
    assert response.status_code == 400 and "答案不对" in response.content.decode()
    page = client.get(url).content.decode()
    token, captcha_token, answer = solve_captcha(page)
    response = client.post(
        url, {"form_token": token, "captcha_token": captcha_token, "captcha": answer, "text": "x", "website": "spam"}
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_public_comment_after_the_period_is_refused_with_the_chinese_message(client, world, personas):
    url = f"/laws/{world.draft.pk}/general/"
    page = client.get(url).content.decode()
    token, captcha_token, answer = solve_captcha(page)
    services.draft_transition(actor=personas.township_staff, draft=world.draft, action="close")
    response = client.post(url, {"form_token": token, "captcha_token": captcha_token, "captcha": answer, "text": "x"})
    assert response.status_code == 400
    assert "征求意见已于" in response.content.decode()
    assert not Comment.objects.exists()
    assert 'id="comment-form"' not in client.get(url).content.decode()  # no form once closed


def test_an_article_that_does_not_exist_is_a_404(client, world):
    assert client.get(f"/laws/{world.draft.pk}/articles/999999/").status_code == 404
    assert client.post(f"/laws/{world.draft.pk}/articles/999999/", {"text": "x"}).status_code == 404


def test_empty_and_too_long_comments_are_field_errors(client, world):
    url = f"/laws/{world.draft.pk}/general/"
    assert post_comment(client, url, text="").status_code == 400
    response = post_comment(client, url, text="长" * 2001)
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_one_support_per_browser(client, world):
    comment = comment_submit(draft=world.draft, section_id=None, text="赞成", author=Author(participant="b:1"))
    url = f"/laws/comments/{comment.pk}/support/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    comment.refresh_from_db()
    assert comment.support_count == 1
    other = client.__class__()
    other.post(url)
    comment.refresh_from_db()
    assert comment.support_count == 2


def test_a_hidden_comment_is_never_shown_nor_supported(client, world, personas):
    comment = comment_submit(draft=world.draft, section_id=None, text="隐藏的原文", author=Author(participant="b:1"))
    services.comment_hide(actor=personas.township_staff, comment=comment, reason="人身攻击")
    assert "隐藏的原文" not in client.get(f"/laws/{world.draft.pk}/general/").content.decode()
    assert client.post(f"/laws/comments/{comment.pk}/support/").status_code == 404


def test_a_phone_typed_into_the_text_is_redacted_publicly(client, world):
    comment_submit(draft=world.draft, section_id=None, text="请联系我13812345678", author=Author(participant="b:1"))
    assert "13812345678" not in client.get(f"/laws/{world.draft.pk}/general/").content.decode()


def test_feedback_is_public_after_the_regulation_passes(client, world, personas):
    staff = personas.township_staff
    first = world.articles[0]
    comment_submit(draft=world.draft, section_id=first.pk, text="意见", author=Author(participant="b:1"))
    assert client.get(f"/laws/{world.draft.pk}/feedback/").status_code == 404
    services.draft_transition(actor=staff, draft=world.draft, action="close")
    services.summary_set(actor=staff, draft=world.draft, section_id=first.pk, outcome="adopted", reason="已采纳修改")
    services.draft_transition(actor=staff, draft=world.draft, action="summarise")
    services.draft_transition(actor=staff, draft=world.draft, action="pass")
    page = text_of(client.get(f"/laws/{world.draft.pk}/feedback/"))
    assert "第一条" in page and "采纳" in page and "已采纳修改" in page


# --- deputies -----------------------------------------------------------------------------------------------------


def test_a_deputy_comments_from_the_workbench_and_is_marked(client, world):
    client.force_login(world.deputy.user)
    assert world.draft.title in text_of(client.get("/w/legislation/"))
    article = world.articles[0]
    url = f"/w/legislation/{world.draft.pk}/articles/{article.pk}/"
    response = client.post(url, {"text": "建议增加村规民约的作用。", "quote_start": 0, "quote_end": 4})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author_kind, comment.deputy, comment.quote_text) == (AuthorKind.DEPUTY, world.deputy, "为了推进")
    assert "沈立法 代表" in text_of(client.get(f"/laws/{world.draft.pk}/articles/{article.pk}/"))
    assert client.post(url, {"text": ""}).status_code == 400


def test_the_workbench_is_for_deputies(client, world, personas):
    client.force_login(personas.county_staff)
    assert client.get("/w/legislation/").status_code == 403


# --- office -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["county_staff", "township_staff", "admin"])
def test_staff_of_the_region_open_the_drafts(client, world, personas, who):
    client.force_login(getattr(personas, who))
    page = text_of(client.get("/office/legislation/"))
    assert world.draft.title in page
    assert client.get(f"/office/legislation/{world.draft.pk}/").status_code == 200
    assert "立法联系点" in text_of(client.get("/office/"))


@pytest.mark.parametrize("who", ["deputy", "grid_worker", "unit_handler"])
def test_others_are_refused_every_office_page(client, world, personas, who):
    client.force_login(getattr(personas, who))
    pk = world.draft.pk
    for url in ("", "new/", "stats/", f"{pk}/", f"{pk}/comments/", f"{pk}/summary/", f"{pk}/summary.docx"):
        assert client.get(f"/office/legislation/{url}").status_code in (302, 403), url


def test_staff_of_another_township_get_a_404(client, world, personas):
    client.force_login(personas.outsider)
    pk = world.draft.pk
    assert world.draft.title not in text_of(client.get("/office/legislation/"))
    for url in (f"{pk}/", f"{pk}/comments/", f"{pk}/summary/", f"{pk}/summary.docx", f"{pk}/summary.pdf"):
        assert client.get(f"/office/legislation/{url}").status_code == 404, url
    assert client.post(f"/office/legislation/{pk}/act/", {"action": "close"}).status_code == 404
    world.draft.refresh_from_db()
    assert world.draft.status == DraftStatus.OPEN


def test_a_draft_is_previewed_then_created_from_a_docx(client, world, personas):
    client.force_login(personas.township_staff)
    document = Document()
    for line in ("德清县某某条例（草案）", "第一章 总则", "第一条 为了……。", "第二条 ……。", "第四条 ……。"):
        document.add_paragraph(line)
    raw = io.BytesIO()
    document.save(raw)
    upload = io.BytesIO(raw.getvalue())
    upload.name = "草案.docx"
    fields = {
        "contact_point": world.point.pk,
        "title": "",
        "kind": "local",
        "stage": "review",
        "opens_on": world.today.isoformat(),
        "closes_on": world.today.isoformat(),
        "intro": "",
    }
    preview = client.post("/office/legislation/new/", {**fields, "file": upload, "step": "preview", "text": ""})
    page = text_of(preview)
    assert preview.status_code == 200
    assert "共 3 条" in page and "第四条：编号不连续" in page
    assert Draft.objects.count() == 1  # nothing written by a preview
    text = re.search(r'<textarea name="text"[^>]*>\s*(.*?)</textarea>', preview.content.decode(), re.S).group(1)
    created = client.post(
        "/office/legislation/new/", {**fields, "text": text.replace("&hellip;", "…"), "step": "confirm"}
    )
    assert created.status_code == 302
    draft = Draft.objects.exclude(pk=world.draft.pk).get()
    assert (draft.title, draft.status, draft.sections.filter(level="article").count()) == (
        "德清县某某条例（草案）",
        DraftStatus.DRAFT,
        3,
    )


def test_an_empty_text_or_no_article_is_said_beside_the_field(client, world, personas):
    client.force_login(personas.township_staff)
    fields = {
        "contact_point": world.point.pk,
        "kind": "local",
        "stage": "review",
        "opens_on": world.today.isoformat(),
        "closes_on": world.today.isoformat(),
        "step": "confirm",
    }
    response = client.post("/office/legislation/new/", {**fields, "text": ""})
    assert response.status_code == 400 and "不能为空" in text_of(response)
    response = client.post("/office/legislation/new/", {**fields, "text": "一、总体要求\n二、主要任务"})
    assert response.status_code == 400 and "未识别到任何条文" in text_of(response)
    assert Draft.objects.count() == 1


def test_moderation_hides_with_a_reason_and_restores(client, world, personas):
    comment = comment_submit(draft=world.draft, section_id=None, text="无关广告", author=Author(participant="b:1"))
    client.force_login(personas.township_staff)
    url = f"/office/legislation/{world.draft.pk}/comments/{comment.pk}/"
    assert client.post(url, {"action": "hide", "reason": ""}).status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE  # no reason, not hidden
    client.post(url, {"action": "hide", "reason": "广告"})
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason) == (CommentStatus.HIDDEN, "广告")
    queue = text_of(client.get(f"/office/legislation/{world.draft.pk}/comments/?status=hidden"))
    assert "无关广告" in queue and "已屏蔽：广告" in queue
    client.post(url, {"action": "restore"})
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE
    assert AuditEvent.objects.filter(action="legislation.comment_restore", actor=personas.township_staff).exists()


def test_the_summary_page_marks_articles_and_the_workflow_moves_on(client, world, personas):
    first = world.articles[0]
    comment_submit(draft=world.draft, section_id=first.pk, text="意见", author=Author(participant="b:1"))
    client.force_login(personas.township_staff)
    base = f"/office/legislation/{world.draft.pk}/"
    client.post(base + "act/", {"action": "close"})
    client.post(base + "summary/", {"section": first.pk, "outcome": "partly", "reason": "部分吸收"})
    response = client.post(base + "act/", {"action": "summarise"})
    world.draft.refresh_from_db()
    assert world.draft.status == DraftStatus.SUMMARISED
    assert "部分采纳" in text_of(client.get(base + "summary/"))
    client.post(base + "act/", {"action": "pass", "passed_on": world.today.isoformat(), "feedback_note": "谢谢"})
    world.draft.refresh_from_db()
    assert (world.draft.status, world.draft.feedback_note) == (DraftStatus.PASSED, "谢谢")
    assert response.status_code == 302


def test_the_statistics_page_counts_per_contact_point(client, world, personas):
    comment_submit(draft=world.draft, section_id=None, text="意见", author=Author(participant="b:1"))
    client.force_login(personas.county_staff)
    page = text_of(client.get(f"/office/legislation/stats/?year={world.today.year}"))
    assert "武康街道代表联络站 1 1 1" in page


def test_the_public_pages_have_no_inline_script(client, world):
    article = world.articles[0]
    for url in (f"/laws/{world.draft.pk}/", f"/laws/{world.draft.pk}/articles/{article.pk}/", "/laws/"):
        page = client.get(url).content.decode()
        scripts = re.findall(r"<script[^>]*>", page)
        assert all("src=" in tag for tag in scripts), (url, scripts)
    assert (
        'src="/static/portal/legislation.js"'
        in client.get(f"/laws/{world.draft.pk}/articles/{article.pk}/").content.decode()
    )


def test_the_statistics_download_as_a_sheet_whose_names_are_never_formulas(client, world, personas):
    import openpyxl

    world.place.name = "=HYPERLINK(1)联络站"
    world.place.save()
    comment_submit(draft=world.draft, section_id=None, text="意见", author=Author(participant="b:1"))
    client.force_login(personas.county_staff)
    response = client.get(f"/office/legislation/stats.xlsx?year={world.today.year}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["立法联系点", "所在区划", "草案", "意见"]
    mine = next(r for r in rows if "HYPERLINK" in str(r[0]))
    assert not str(mine[0]).startswith("=") and mine[2:4] == [1, 1]


def test_a_draft_past_its_closing_date_is_no_longer_listed_as_open(client, world):
    import datetime

    Draft.objects.filter(pk=world.draft.pk).update(closes_on=world.today - datetime.timedelta(days=1))
    page = client.get("/laws/").content.decode()
    assert page.index("往期草案") < page.index(world.draft.title)
    draft_page = text_of(client.get(f"/laws/{world.draft.pk}/"))
    assert "截止，不再接收意见" in draft_page
