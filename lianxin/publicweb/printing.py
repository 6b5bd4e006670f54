"""What the printed sheets share (the notice board, the registers): A4 pages built from reportlab's flowables, so
tables break across pages by themselves, with the embedded CJK font, Chinese line breaking, a page footer, and
the QR codes drawn as vector squares (medium error correction, as portal/qr.py makes them for the screen).

Below the domain apps (publicweb), so that the notice board and the registers (cases) and the projects' report can
share it and every interface (office, portal, commands) can print them."""

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import segno
from django.utils import timezone
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from lianxin.publicweb.fonts import FONT, font_register

RED = Color(0.64, 0.08, 0.11)
GREY = Color(0.34, 0.38, 0.42)
LIGHT = Color(0.95, 0.93, 0.93)
SHADE = Color(0.88, 0.88, 0.88)
RULE = Color(0.75, 0.75, 0.75)
MARGIN = 14 * mm


def style(size: float = 10, *, color: Color = black, leading: float | None = None, align: int = 0) -> ParagraphStyle:
    font_register()  # a paragraph looks its font up when it is made, before the document is built
    return ParagraphStyle(
        f"cjk{size}",
        fontName=FONT,
        fontSize=size,
        leading=leading or size * 1.4,
        textColor=color,
        alignment=align,
        wordWrap="CJK",  # Chinese breaks between any two characters
    )


def para(text: str, size: float = 10, **kwargs) -> Paragraph:
    """Text as a paragraph; escaped, so a title with < or & prints as written."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style(size, **kwargs))


def heading(text: str) -> Paragraph:
    return Paragraph(
        escape(text),
        ParagraphStyle("heading", parent=style(13, color=RED, leading=20), spaceBefore=6, spaceAfter=3, keepWithNext=1),
    )


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    size: float = 9,
    total: bool = False,
) -> Table:
    """A ruled table with a shaded header row that repeats on every page; every cell wraps (a cell that is already
    a Paragraph keeps its own style). With `total` the last row (the totals) is shaded."""
    data: list[list[Any]] = [[para(h, size, color=white) for h in header]]
    data += [[cell if isinstance(cell, Paragraph) else para(str(cell), size) for cell in row] for row in rows]
    result = Table(data, colWidths=list(widths), repeatRows=1)
    commands: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), RED),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [white, LIGHT]),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if total:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
    result.setStyle(TableStyle(commands))
    return result


def widths(total: float, *shares: float) -> list[float]:
    """Column widths in proportion to the shares, filling `total`."""
    return [total * share / sum(shares) for share in shares]


class QRCode(Flowable):
    """The QR code of a public URL with a caption under it."""

    def __init__(self, url: str, caption: str, size: float = 32 * mm) -> None:
        super().__init__()
        self.url, self.caption, self.size = url, caption, size
        self.width, self.height = size, size + 9 * mm

    def draw(self) -> None:
        canvas = self.canv
        matrix = segno.make(self.url, error="m", micro=False).matrix
        cell = self.size / (len(matrix) + 8)  # a quiet zone of 4 modules each side
        top = self.height
        canvas.setFillColor(black)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    canvas.rect((c + 4) * cell, top - (r + 5) * cell, cell, cell, stroke=0, fill=1)
        canvas.setFont(FONT, 8)
        for n, line in enumerate(self.caption.split("\n")[:2]):
            canvas.drawCentredString(self.size / 2, 5 * mm - n * 10, line)


def qr_grid(codes: Sequence[QRCode], width: float, per_row: int = 4) -> Table:
    rows: list[list[QRCode | str]] = [list(codes[i : i + per_row]) for i in range(0, len(codes), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    grid = Table(rows, colWidths=[width / per_row] * per_row)
    grid.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return grid


def render(story: list, *, title: str, footer: str, wide: bool = False) -> bytes:
    """The story as an A4 PDF (landscape when wide) with the font embedded and "footer · 第n页" on every page."""
    font_register()
    out = io.BytesIO()
    pagesize = landscape(A4) if wide else A4
    printed = f"{timezone.localdate():%Y-%m-%d}打印"

    def on_page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 8 * mm, f"{footer} · {printed}")
        canvas.drawRightString(pagesize[0] - MARGIN, 8 * mm, f"第{doc.page}页")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title=title,
        author="连心",
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


def content_width(*, wide: bool = False) -> float:
    return (landscape(A4) if wide else A4)[0] - 2 * MARGIN
