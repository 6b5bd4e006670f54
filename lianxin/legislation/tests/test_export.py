"""The summary for the legislature as .docx and PDF: Chinese text, the counts per article, the outcome and reason,
the comments as the public reads them (no phone, no hidden comment)."""

import io

import pytest
from docx import Document

from lianxin.legislation import services
from lianxin.legislation.export import summary_docx, summary_pdf
from lianxin.legislation.services import Author, comment_submit
from lianxin.portal.tests.test_qr_and_posters import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def summarised(world, personas):
    staff = personas.township_staff
    first, second = world.articles[0], world.articles[1]
    comment_submit(
        draft=world.draft, section_id=first.pk, text="建议写明依据的上位法", author=Author(participant="b:1")
    )
    comment_submit(draft=world.draft, section_id=first.pk, text="赞成本条", author=Author(user=world.deputy.user))
    bad = comment_submit(
        draft=world.draft, section_id=second.pk, text="广告电话13700001234", author=Author(person_phone="13700001234")
    )
    services.comment_hide(actor=staff, comment=bad, reason="广告")
    services.draft_transition(actor=staff, draft=world.draft, action="close")
    services.summary_set(actor=staff, draft=world.draft, section_id=first.pk, outcome="adopted", reason="已补充依据")
    world.draft.refresh_from_db()
    return world.draft


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_the_docx_has_the_counts_outcomes_and_comments(summarised):
    text = docx_text(summary_docx(summarised))
    assert "《德清县农村生活垃圾分类管理条例（草案）》意见汇总" in text
    assert "第一条 | 2 | 1 | 0 | 采纳 | 已补充依据" in text
    assert "第二条 | 0 | 0 | 0 | 未作结论" in text  # only a hidden comment: counted apart, not printed
    assert "建议写明依据的上位法" in text and "沈立法 代表" in text
    assert "13700001234" not in text and "广告电话" not in text
    assert "收到意见3条（公开2条，屏蔽1条）" in text


def test_the_pdf_prints_the_same_in_chinese(summarised):
    text = page_text(summary_pdf(summarised))
    assert "意见汇总" in text and "第一条" in text and "已补充依据" in text and "采纳率100%" in text
    assert "13700001234" not in text
