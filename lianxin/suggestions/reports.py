"""The compilation (汇编) of a session: its suggestions and bills with their replies, as a Word .docx (python-docx) or
an A4 PDF (reportlab with the embedded CJK font of lianxin.publicweb). A title page, a table of contents by 领域,
then each suggestion: number, title, the lead deputy and the co-signers, 案由, 建议内容 (and a bill's draft), the
units, and each lead unit's reply with its class and signer.

Only what was accepted (立案) and later: drafts, those under review, not accepted or withdrawn are not compiled.
Runs as a long job (lianxin.ops.longjob_kinds) and as `lianxin suggestions_compile`.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from lianxin.core.tabular import Progress
from lianxin.suggestions.models import (
    CoSigner,
    Field,
    Kind,
    Rating,
    ReplyClass,
    Session,
    SignStatus,
    Status,
    Suggestion,
    UnitAssignment,
    UnitRole,
)

COMPILED_STATUSES = (
    Status.ACCEPTED,
    Status.TO_PRESIDIUM,
    Status.ON_AGENDA,
    Status.ASSIGNED,
    Status.REPLIED,
    Status.RATED,
    Status.CLOSED,
)
FORMATS = ("docx", "pdf")
ORDINALS = "一二三四五六七八九十"


@dataclass
class Reply:
    unit: str
    replied: bool
    reply_class: str = ""  # the label: A类（已解决或采纳）
    signed_by: str = ""
    replied_on: datetime.date | None = None
    text: str = ""
    due_date: datetime.date | None = None
    rating: str = ""
    rehandled: bool = False

    @property
    def heading(self) -> str:
        if not self.replied:
            return f"{self.unit}：尚未答复（答复期限 {self.due_date:%Y年%m月%d日}）" if self.due_date else self.unit
        parts = [self.reply_class, f"签发人：{self.signed_by}"]
        if self.replied_on:
            parts.append(f"{self.replied_on:%Y年%m月%d日}答复")
        if self.rehandled:
            parts.append("重新办理后答复")
        return f"{self.unit}（{'，'.join(parts)}）"


@dataclass
class Entry:
    number_label: str
    title: str
    kind: str
    status: str
    lead: str
    co_signers: list[str]
    reasons: str
    content: str
    draft_resolution: str
    lead_units: list[str]
    co_units: list[str]
    replies: list[Reply] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number_label}　{self.title}"

    @property
    def signers_line(self) -> str:
        line = f"领衔代表：{self.lead}"
        return line + (f"；附议代表：{'、'.join(self.co_signers)}" if self.co_signers else "")

    @property
    def units_line(self) -> str:
        if not self.lead_units:
            return "承办单位：尚未交办"
        line = f"主办单位：{'、'.join(self.lead_units)}"
        return line + (f"；协办单位：{'、'.join(self.co_units)}" if self.co_units else "")


@dataclass
class Section:
    label: str  # the 领域
    entries: list[Entry]


@dataclass
class Compilation:
    session: Session
    sections: list[Section]

    @property
    def entries(self) -> list[Entry]:
        return [entry for section in self.sections for entry in section.entries]

    @property
    def title(self) -> str:
        return f"{self.session.name}代表建议、议案及答复汇编"

    @property
    def summary(self) -> str:
        entries = self.entries
        bills = sum(1 for e in entries if e.kind == Kind.BILL.label)
        return f"共 {len(entries)} 件：建议 {len(entries) - bills} 件，议案 {bills} 件"


def _suggestions(user: Any, session: Session) -> QuerySet[Suggestion]:
    """`user` None: the command line (a trusted operator) compiles every suggestion of the session."""
    rows = Suggestion.objects.all() if user is None else Suggestion.objects.visible_to(user)
    return (
        rows.filter(session=session, status__in=COMPILED_STATUSES)
        .select_related("lead_deputy")
        .prefetch_related(
            Prefetch("units", queryset=UnitAssignment.objects.filter(is_active=True).select_related("unit")),
            Prefetch(
                "co_signers",
                queryset=CoSigner.objects.filter(status=SignStatus.SIGNED).select_related("deputy"),
                to_attr="signed",
            ),
        )
        .order_by("kind", "number", "id")
    )


def compilation_collect(*, user: Any, session: Session, progress: Progress | None = None) -> Compilation:
    if progress is not None:
        progress(0, 0, "正在读取本次会议的建议和答复")
    by_field: dict[str, list[Entry]] = {}
    for s in _suggestions(user, session):
        by_field.setdefault(s.field, []).append(_entry(s))
    sections = [Section(str(label), by_field[value]) for value, label in Field.choices if value in by_field]
    return Compilation(session=session, sections=sections)


def _entry(s: Suggestion) -> Entry:
    units = sorted(s.units.all(), key=lambda u: (u.role != UnitRole.LEAD, u.pk))
    return Entry(
        number_label=s.number_label,
        title=s.title,
        kind=s.get_kind_display(),
        status=s.get_status_display(),
        lead=s.lead_deputy.name if s.lead_deputy else s.get_proposer_display(),
        co_signers=[c.deputy.name for c in s.signed],  # type: ignore[attr-defined]
        reasons=s.reasons,
        content=s.content,
        draft_resolution=s.draft_resolution if s.kind == Kind.BILL else "",
        lead_units=[u.unit.name for u in units if u.role == UnitRole.LEAD],
        co_units=[u.unit.name for u in units if u.role == UnitRole.CO],
        replies=[_reply(u) for u in units if u.role == UnitRole.LEAD],
    )


def _reply(part: UnitAssignment) -> Reply:
    if part.replied_at is None:
        return Reply(unit=part.unit.name, replied=False, due_date=part.due_date, rehandled=part.rehandle_count > 0)
    return Reply(
        unit=part.unit.name,
        replied=True,
        reply_class=ReplyClass(part.reply_class).label if part.reply_class else "",
        signed_by=part.signed_by,
        replied_on=timezone.localtime(part.replied_at).date(),
        text=part.reply_text or ("（答复函见附件）" if part.reply_file else ""),
        rating=Rating(part.rating).label if part.rating else "",
        rehandled=part.rehandle_count > 0,
    )


def _section_label(index: int, section: Section) -> str:
    ordinal = ORDINALS[index] if index < len(ORDINALS) else str(index + 1)
    return f"{ordinal}、{section.label}（{len(section.entries)}件）"


def _ticker(compilation: Compilation, progress: Progress | None) -> Callable[[int], None]:
    total = len(compilation.entries)

    def tick(done: int) -> None:
        if progress is not None:
            progress(done, total, f"正在编排第{min(done + 1, total)}件（共{total}件）")

    return tick


def _bodies(entry: Entry) -> list[tuple[str, str]]:
    """The entry's labelled texts in the order printed."""
    parts = [
        ("案由", entry.reasons),
        ("建议内容" if entry.kind == Kind.SUGGESTION.label else "议案内容", entry.content),
    ]
    if entry.draft_resolution:
        parts.append(("议案草案", entry.draft_resolution))
    return [(label, text) for label, text in parts if text.strip()]


# --- Word ------------------------------------------------------------------------------------------------------

CJK_FONT = "宋体"
HEADING_FONT = "黑体"


def _cjk(run_or_style: Any, name: str) -> None:
    """Set the East Asian font (Word picks the Latin font for Chinese text otherwise)."""
    from docx.oxml.ns import qn

    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def compilation_docx(compilation: Compilation, progress: Progress | None = None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt, RGBColor

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = CJK_FONT, Pt(12)
    _cjk(normal, CJK_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        document.styles[name].font.name = HEADING_FONT
        document.styles[name].font.color.rgb = RGBColor(0, 0, 0)
        _cjk(document.styles[name], HEADING_FONT)
    document.core_properties.title = compilation.title
    document.core_properties.author = "连心"

    # Title page.
    for _ in range(6):
        document.add_paragraph()
    heading = document.add_paragraph(style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(compilation.session.name).font.size = Pt(22)
    subtitle = document.add_paragraph(style="Title")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run("代表建议、议案及答复汇编").font.size = Pt(26)
    for line in (compilation.summary, f"{timezone.localdate():%Y年%m月}"):
        paragraph = document.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # Contents, by 领域.
    document.add_heading("目　录", level=1)
    for index, section in enumerate(compilation.sections):
        document.add_paragraph().add_run(_section_label(index, section)).bold = True
        for entry in section.entries:
            item = document.add_paragraph(f"{entry.heading}（{entry.lead}）")
            item.paragraph_format.left_indent = Pt(24)
            item.paragraph_format.space_after = Pt(0)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    tick = _ticker(compilation, progress)
    done = 0
    for index, section in enumerate(compilation.sections):
        document.add_heading(_section_label(index, section), level=1)
        for entry in section.entries:
            tick(done)
            _docx_entry(document, entry)
            done += 1
    tick(done)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_entry(document: Any, entry: Entry) -> None:
    document.add_heading(entry.heading, level=2)
    document.add_paragraph(entry.signers_line)
    for label, text in _bodies(entry):
        document.add_heading(label, level=3)
        for line in text.splitlines() or [""]:
            document.add_paragraph(line)
    document.add_paragraph(entry.units_line)
    if entry.replies:
        document.add_heading("办理答复", level=3)
    for reply in entry.replies:
        document.add_paragraph().add_run(reply.heading).bold = True
        for line in reply.text.splitlines():
            document.add_paragraph(line)
        if reply.rating:
            document.add_paragraph(f"代表评价：{reply.rating}")


# --- PDF -------------------------------------------------------------------------------------------------------


def compilation_pdf(compilation: Compilation, progress: Progress | None = None) -> bytes:
    """A4 portrait: a title page, the contents with page numbers (reportlab's two-pass TableOfContents), then the
    sections; the PDF's outline (bookmarks) has every 领域 and suggestion."""
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Spacer
    from reportlab.platypus.tableofcontents import TableOfContents

    from lianxin.publicweb.printing import RED, heading, para, style

    tick = _ticker(compilation, progress)
    story: list[Any] = [
        Spacer(0, 60 * mm),
        para(compilation.session.name, 20, leading=30, align=1),
        Spacer(0, 6 * mm),
        para("代表建议、议案及答复汇编", 26, leading=36, align=1, color=RED),
        Spacer(0, 14 * mm),
        para(compilation.summary, 12, align=1),
        para(f"{timezone.localdate():%Y年%m月}", 12, align=1),
        PageBreak(),
        para("目　录", 18, leading=28, align=1),
        Spacer(0, 4 * mm),
    ]
    contents = TableOfContents()
    contents.levelStyles = [
        _toc_style(style(12, leading=20), 0),
        _toc_style(style(10, leading=15), 14),
    ]
    story += [contents, PageBreak()]
    done = 0
    for index, section in enumerate(compilation.sections):
        label = _section_label(index, section)
        story.append(_marked(heading(label), 0, label, f"s{index}"))
        for entry in section.entries:
            tick(done)
            story += _pdf_entry(entry, f"e{done}")
            done += 1
    tick(done)
    return _build(story, title=compilation.title)


def _toc_style(base: Any, indent: float) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"toc{indent}", parent=base, leftIndent=indent, firstLineIndent=0)


def _marked(flowable: Any, level: int, text: str, key: str) -> Any:
    """A heading the contents and the outline list (read back in `_CompilationDoc.afterFlowable`)."""
    flowable.toc_entry = (level, text, key)
    return flowable


def _pdf_entry(entry: Entry, key: str) -> list[Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer

    from lianxin.publicweb.printing import GREY, para, style

    title = Paragraph(
        escape(entry.heading), ParagraphStyle("entry", parent=style(12.5, leading=19), spaceBefore=8, keepWithNext=1)
    )
    out: list[Any] = [
        _marked(title, 1, f"{entry.heading}（{entry.lead}）", key),
        para(entry.signers_line, 10, color=GREY),
    ]
    for label, text in _bodies(entry):
        out += [para(f"【{label}】", 10.5, leading=17), para(text, 10.5, leading=17)]
    out.append(para(entry.units_line, 10, color=GREY))
    for reply in entry.replies:
        out.append(para(f"【答复】{reply.heading}", 10.5, leading=17))
        if reply.text:
            out.append(para(reply.text, 10.5, leading=17))
        if reply.rating:
            out.append(para(f"代表评价：{reply.rating}", 10, color=GREY))
    out.append(Spacer(0, 6))
    return out


def _build(story: list[Any], *, title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Frame, PageTemplate
    from reportlab.platypus.doctemplate import BaseDocTemplate

    from lianxin.publicweb.fonts import FONT, font_register
    from lianxin.publicweb.printing import GREY, MARGIN

    font_register()

    class _CompilationDoc(BaseDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:  # reportlab's hook
            entry = getattr(flowable, "toc_entry", None)
            if entry is None:
                return
            level, text, key = entry
            self.notify("TOCEntry", (level, text, self.page, key))
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=level == 0)

    def on_page(canvas: Any, doc: Any) -> None:
        if doc.page == 1:
            return  # the title page has no footer
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 8 * mm, title)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, f"第{doc.page}页")
        canvas.restoreState()

    out = io.BytesIO()
    doc = _CompilationDoc(
        out,
        pagesize=A4,
        leftMargin=MARGIN + 4 * mm,
        rightMargin=MARGIN + 4 * mm,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="连心",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    doc.multiBuild(story)
    return out.getvalue()


def compilation_render(compilation: Compilation, fmt: str, progress: Progress | None = None) -> bytes:
    if fmt == "pdf":
        return compilation_pdf(compilation, progress)
    return compilation_docx(compilation, progress)


def compilation_filename(session: Session, fmt: str) -> str:
    return f"{session.name}代表建议议案汇编.{fmt}"
