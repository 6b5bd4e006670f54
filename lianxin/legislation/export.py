"""The summary of a draft's comments for the legislature (意见汇总), as a Word file (.docx) and a PDF: the draft,
the period and the figures, then a table of the articles with comments (counts, outcome, reason), then, article by
article, the comments themselves (visible ones; hidden ones are left out and only counted). Names are printed as
the public sees them; phones never. Built synchronously: a draft has tens of articles and hundreds of comments, a
second's work, not a long job."""

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from reportlab.platypus import Spacer

from lianxin.legislation.models import Draft
from lianxin.legislation.selectors import SummaryRow, draft_totals, public_author, summary_rows
from lianxin.publicweb import printing as p


def _figures(draft: Draft) -> list[str]:
    t = draft_totals(draft=draft)
    rate = f"{t.adoption_rate:.0%}" if t.adoption_rate is not None else "尚未作结论"
    return [
        f"立法联系点：{draft.contact_point.place.name}",
        f"类别：{draft.get_kind_display()}；立法阶段：{draft.get_stage_display()}",
        f"征求意见期：{draft.opens_on:%Y年%m月%d日}至{draft.closes_on:%Y年%m月%d日}",
        f"收到意见{t.comments + t.hidden}条（公开{t.comments}条，屏蔽{t.hidden}条），参与{t.participants}人次，"
        f"其中代表{t.deputies}人",
        f"逐条结论：采纳{t.adopted}处，部分采纳{t.partly}处，未采纳{t.not_adopted}处；采纳率{rate}",
    ]


def _rows(draft: Draft) -> list[SummaryRow]:
    return summary_rows(draft=draft, only_commented=True)


def _outcome(row: SummaryRow) -> tuple[str, str]:
    if row.summary is None:
        return "未作结论", ""
    return row.summary.get_outcome_display(), row.summary.reason


def summary_docx(draft: Draft) -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")  # Word reads the East Asian font from here
    document.add_heading(f"《{draft.title}》意见汇总", level=1)
    for line in _figures(draft):
        document.add_paragraph(line)
    document.add_heading("逐条意见统计", level=2)
    rows = _rows(draft)
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("条文", "意见数", "代表意见", "点赞", "采纳情况", "理由"), strict=True):
        cell.text = text
    for row in rows:
        outcome, reason = _outcome(row)
        cells = table.add_row().cells
        for cell, text in zip(
            cells, (row.label, str(row.visible), str(row.deputies), str(row.supports), outcome, reason), strict=True
        ):
            cell.text = text
    document.add_heading("意见原文（按条文）", level=2)
    for row in rows:
        shown = [c for c in row.comments if c.is_visible]
        if not shown:
            continue
        document.add_heading(f"{row.label}（{len(shown)}条）", level=3)
        if row.section is not None and row.section.text:
            document.add_paragraph(f"条文：{row.section.text}")
        for n, comment in enumerate(shown, start=1):
            quote = f"〔引：“{comment.quote_text}”〕" if comment.quote_text else ""
            document.add_paragraph(
                f"{n}. {public_author(comment)}（{comment.created_at:%m-%d}，点赞{comment.support_count}）：{quote}{comment.text}"
            )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def summary_pdf(draft: Draft) -> bytes:
    width = p.content_width()
    story: list = [p.para(f"《{draft.title}》意见汇总", 16, color=p.RED, leading=24), Spacer(1, 4)]
    story += [p.para(line, 10) for line in _figures(draft)]
    story += [Spacer(1, 6), p.heading("逐条意见统计")]
    rows = _rows(draft)
    story.append(
        p.table(
            ("条文", "意见数", "代表意见", "点赞", "采纳情况", "理由"),
            [(r.label, r.visible, r.deputies, r.supports, *_outcome(r)) for r in rows],
            p.widths(width, 4, 1.2, 1.2, 1.2, 1.6, 6),
        )
    )
    story.append(p.heading("意见原文（按条文）"))
    for row in rows:
        shown = [c for c in row.comments if c.is_visible]
        if not shown:
            continue
        story.append(p.para(f"{row.label}（{len(shown)}条）", 11, color=p.RED))
        for n, comment in enumerate(shown, start=1):
            quote = f"〔引：“{comment.quote_text}”〕" if comment.quote_text else ""
            story.append(
                p.para(f"{n}. {public_author(comment)}（点赞{comment.support_count}）：{quote}{comment.text}", 9)
            )
        story.append(Spacer(1, 4))
    return p.render(story, title=f"{draft.title} 意见汇总", footer=f"{draft.contact_point.place.name} 意见汇总")
