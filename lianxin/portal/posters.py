"""A4 posters (PDF) for deputies and places: who they are, when they receive the public, and the QR code of
their public page. One poster per page; a township's batch is one PDF.

Chinese text is drawn with a TrueType CJK font from Debian (fonts-wqy-zenhei, installed by the Makefile) and
embedded in the PDF, so the poster prints the same anywhere. reportlab cannot embed CFF/OpenType outlines
(fonts-noto-cjk), hence WenQuanYi first; PORTAL_CJK_FONT may name another TrueType file (".ttc" or ".ttf").
"""

import datetime
import io
from collections.abc import Iterable

from django.db.models import Prefetch, Q
from django.utils import timezone
from PIL import Image
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from lianxin.core.errors import DomainError
from lianxin.deputies.models import SERVING_STATUSES, Deputy, DeputyGroup, DutyShift, GridAssignment, Mandate
from lianxin.deputies.schedule import schedule_lines
from lianxin.portal.qr import qr_code
from lianxin.publicweb.fonts import FONT, font_register
from lianxin.regions.models import Region
from lianxin.venues.models import Place

RED = Color(0.64, 0.08, 0.11)
GREY = Color(0.34, 0.38, 0.42)
WIDTH, HEIGHT = A4
MARGIN = 18 * mm
# Where the big name sits (its baseline), so that tests can find it on the rendered page.
NAME_BASELINE = HEIGHT - 70 * mm
NAME_SIZE = 34
QR_SIZE = 80 * mm
# The roster read for a poster's schedule (its rhythm, not its dates), and how many lines of it fit.
SCHEDULE_DAYS = 60
SCHEDULE_LINES = 4
DIGITS = "〇一二三四五六七八九"


def term_words(term: int) -> str:
    """17 → 十七 (as printed on congress documents)."""
    if term < 10:
        return DIGITS[term]
    tens, ones = divmod(term, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break Chinese text by width (no spaces to break at)."""
    lines, line = [], ""
    for char in text:
        if char == "\n" or pdfmetrics.stringWidth(line + char, FONT, size) > width:
            lines.append(line)
            line = "" if char == "\n" else char
        else:
            line += char
    if line:
        lines.append(line)
    return lines


class _Page:
    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.y = HEIGHT

    def text(self, text: str, size: float, *, color: Color = black, x: float = MARGIN, gap: float = 1.5) -> None:
        self.c.setFillColor(color)
        self.c.setFont(FONT, size)
        for line in _wrap(text, size, WIDTH - x - MARGIN):
            self.y -= size * gap
            self.c.drawString(x, self.y, line)

    def header(self, title: str, subtitle: str) -> None:
        self.c.setFillColor(RED)
        self.c.rect(0, HEIGHT - 38 * mm, WIDTH, 38 * mm, stroke=0, fill=1)
        self.c.setFillColor(white)
        self.c.setFont(FONT, 28)
        self.c.drawCentredString(WIDTH / 2, HEIGHT - 20 * mm, title)
        self.c.setFont(FONT, 14)
        self.c.drawCentredString(WIDTH / 2, HEIGHT - 31 * mm, subtitle)
        self.y = HEIGHT - 38 * mm

    def initials(self, name: str, x: float, y: float, radius: float) -> None:
        self.c.setFillColor(RED)
        self.c.circle(x, y, radius, stroke=0, fill=1)
        self.c.setFillColor(white)
        self.c.setFont(FONT, radius * 1.1)
        self.c.drawCentredString(x, y - radius * 0.38, name[:1])

    def qr(self, url: str, size: float, y_top: float) -> float:
        """Draw the QR code as vector squares (crisp at any print size); return the y below it."""
        matrix = qr_code(url).matrix
        modules = len(matrix) + 8  # a quiet zone of 4 modules each side
        cell = size / modules
        x0 = (WIDTH - size) / 2
        self.c.setFillColor(white)
        self.c.rect(x0, y_top - size, size, size, stroke=0, fill=1)
        self.c.setFillColor(black)
        for r, row in enumerate(matrix):
            for col, dark in enumerate(row):
                if dark:
                    self.c.rect(x0 + (col + 4) * cell, y_top - (r + 5) * cell, cell, cell, stroke=0, fill=1)
        return y_top - size

    def footer(self, url: str, line: str) -> None:
        self.c.setFillColor(GREY)
        self.c.setFont(FONT, 11)
        self.c.drawCentredString(WIDTH / 2, 24 * mm, url)
        self.c.setFont(FONT, 10)
        self.c.drawCentredString(WIDTH / 2, 16 * mm, line)


def _place_schedule(shifts: Iterable[DutyShift]) -> list[str]:
    """The recurring schedule (每周三上午 9:00–11:30) with the deputies who take turns, not the dates of the next
    shifts: a poster stays on the wall for months (deputies/schedule.py)."""
    return [f"{line.when} {'、'.join(line.deputies)}代表" for line in schedule_lines(shifts, by="")[:SCHEDULE_LINES]]


def _deputy_schedule(deputy: Deputy) -> list[str]:
    """Deputies take turns at a place (one Tuesday in four): a deputy's own dates follow no rhythm, the place's do.
    So the poster prints the rhythm of each place where the deputy is on the roster ("每周二下午 14:00–17:00
    居仁社区代表工作站（代表轮流接待）"), and the deputy's own dates only where a place has no rhythm."""
    own = list(getattr(deputy, "upcoming_shifts", []))
    rosters: dict[int, list[DutyShift]] = getattr(deputy, "place_rosters", {})
    lines: list[str] = []
    for place_id in dict.fromkeys(shift.place_id for shift in own):
        recurring = [
            line for line in schedule_lines(rosters.get(place_id, []), by="place") if deputy.name in line.deputies
        ]
        for line in recurring:
            lines.append(line.text(with_place=True) + ("（代表轮流接待）" if len(line.deputies) > 1 else ""))
        if not any(line.recurring for line in recurring):
            mine = [shift for shift in own if shift.place_id == place_id]
            lines.extend(line.text(with_place=True) for line in schedule_lines(mine, by="place"))
    return lines[:SCHEDULE_LINES]


def _deputy_page(canvas: Canvas, deputy: Deputy) -> None:
    page = _Page(canvas)
    page.header("码上找 · 码上看 · 码上提", "人大代表联系群众 · 一代表一码")
    if not _photo(canvas, deputy, MARGIN + 2 * mm, NAME_BASELINE - 9 * mm, 30 * mm):
        page.initials(deputy.name, MARGIN + 17 * mm, NAME_BASELINE + 6 * mm, 15 * mm)
    canvas.setFillColor(black)
    canvas.setFont(FONT, NAME_SIZE)
    canvas.drawString(MARGIN + 38 * mm, NAME_BASELINE, f"{deputy.name} 代表")
    page.y = NAME_BASELINE - 14 * mm
    for mandate in deputy.mandates.all():
        page.text(
            f"{mandate.congress_region.name}第{term_words(mandate.term)}届人民代表大会代表（{mandate.get_level_display()}）",
            14,
        )
    groups = "、".join(g.name for g in deputy.groups.all())
    if groups:
        page.text(f"所在小组：{groups}", 12, color=GREY)
    if deputy.specialties:
        page.text(f"专业特长：{'、'.join(deputy.specialties)}", 12, color=GREY)
    grids = "、".join(f"{a.grid.region.name}{a.grid.name}" for a in deputy.grid_assignments.all())
    if grids:
        page.text(f"联系网格：{grids}", 12, color=GREY)
    schedule = _deputy_schedule(deputy)
    if schedule:
        page.text("接待安排：", 12)
        for line in schedule:
            page.text(line, 11, color=GREY, x=MARGIN + 6 * mm, gap=1.4)
    y = page.qr(deputy.public_url, QR_SIZE, min(page.y - 6 * mm, HEIGHT - 150 * mm))
    page.y = y
    page.text("手机扫一扫：看代表履职，提意见建议，凭查询码查办理进度", 13, x=MARGIN)
    page.footer(deputy.public_url, "连心 · 事事有回音，件件有落实")


def _photo(canvas: Canvas, deputy: Deputy, x: float, y: float, size: float) -> bool:
    """The deputy's photo, cropped square; False (initials instead) when there is none or it cannot be read."""
    if not deputy.photo:
        return False
    try:
        with deputy.photo.open("rb") as handle, Image.open(handle) as image:
            image.load()
            side = min(image.size)
            left, top = (image.width - side) // 2, (image.height - side) // 2
            square = image.convert("RGB").crop((left, top, left + side, top + side))
    except (OSError, ValueError):
        return False
    canvas.drawImage(ImageReader(square), x, y, size, size)
    return True


def _place_page(canvas: Canvas, place: Place) -> None:
    page = _Page(canvas)
    page.header("码上找 · 码上看 · 码上提", f"{place.get_kind_display()} · 一站一码")
    canvas.setFillColor(black)
    canvas.setFont(FONT, 28)
    for n, line in enumerate(_wrap(place.name, 28, WIDTH - 2 * MARGIN)[:2]):
        canvas.drawString(MARGIN, NAME_BASELINE - n * 36, line)
    page.y = NAME_BASELINE - 14 * mm - (36 if len(place.name) > 14 else 0)
    page.text(f"所在：{place.region.name}", 14)
    if place.address:
        page.text(f"地址：{place.address}", 13, color=GREY)
    if place.opening_hours:
        page.text(f"接待日：{place.opening_hours}", 14)
    schedule = _place_schedule(getattr(place, "upcoming_shifts", []))
    if schedule:
        page.text("值班代表：", 12)
        for line in schedule:
            page.text(line, 11, color=GREY, x=MARGIN + 6 * mm, gap=1.4)
    y = page.qr(place.public_url, QR_SIZE, min(page.y - 6 * mm, HEIGHT - 150 * mm))
    page.y = y
    page.text("手机扫一扫：找值班代表，提意见建议，凭查询码查办理进度", 13, x=MARGIN)
    page.footer(place.public_url, "连心 · 事事有回音，件件有落实")


def _shifts() -> Prefetch:
    today = timezone.localdate()
    qs = (
        DutyShift.objects.filter(date__gte=today, date__lte=today + datetime.timedelta(days=SCHEDULE_DAYS))
        .select_related("place", "deputy")
        .order_by("date", "start_time", "id")
    )
    return Prefetch("duty_shifts", queryset=qs, to_attr="upcoming_shifts")


def _deputies(qs) -> list[Deputy]:
    deputies = list(
        qs.prefetch_related(
            Prefetch(
                "mandates",
                queryset=Mandate.objects.filter(status__in=SERVING_STATUSES)
                .select_related("congress_region")
                .order_by("level", "-term", "id"),
            ),
            Prefetch("groups", queryset=DeputyGroup.objects.order_by("kind", "name", "id")),
            Prefetch(
                "grid_assignments",
                queryset=GridAssignment.objects.select_related("grid__region").order_by("grid__code"),
            ),
            _shifts(),
        )
    )
    # The whole roster of the places they serve (one query), for the places' rhythm (_deputy_schedule).
    place_ids = {shift.place_id for deputy in deputies for shift in getattr(deputy, "upcoming_shifts", [])}
    today = timezone.localdate()
    rosters: dict[int, list[DutyShift]] = {}
    for shift in (
        DutyShift.objects.filter(place_id__in=place_ids, date__gte=today)
        .filter(date__lte=today + datetime.timedelta(days=SCHEDULE_DAYS))
        .select_related("place", "deputy")
    ):
        rosters.setdefault(shift.place_id, []).append(shift)
    for deputy in deputies:
        deputy.place_rosters = rosters  # type: ignore[attr-defined]
    return deputies


def _render(deputies: list[Deputy], places: list[Place], title: str) -> bytes:
    font_register()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("连心")
    for deputy in deputies:
        _deputy_page(canvas, deputy)
        canvas.showPage()
    for place in places:
        _place_page(canvas, place)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def deputy_poster(*, deputy: Deputy) -> bytes:
    return _render(_deputies(Deputy.objects.filter(pk=deputy.pk)), [], f"{deputy.name}代表")


def place_poster(*, place: Place) -> bytes:
    places = list(Place.objects.filter(pk=place.pk).select_related("region").prefetch_related(_shifts()))
    return _render([], places, place.name)


def region_posters(*, region: Region) -> bytes:
    """Every serving deputy placed in the region (a mandate's congress or district, or a grid in it) and every
    active place in it: one PDF to print for a township."""
    path = region.path
    placed = Mandate.objects.filter(status__in=SERVING_STATUSES).filter(
        Q(district_region__path__startswith=path) | Q(congress_region__path__startswith=path)
    )
    in_grids = GridAssignment.objects.filter(grid__region__path__startswith=path).values("deputy_id")
    serving = Mandate.objects.filter(status__in=SERVING_STATUSES).values("deputy_id")
    deputies = _deputies(
        Deputy.objects.filter(Q(id__in=placed.values("deputy_id")) | Q(id__in=in_grids))
        .filter(id__in=serving)
        .order_by("name", "id")
    )
    places = list(
        Place.objects.filter(region__path__startswith=path, is_active=True)
        .select_related("region")
        .prefetch_related(_shifts())
        .order_by("region__path", "kind", "name", "id")
    )
    if not deputies and not places:
        raise DomainError("nothing_to_print", f"{region.name}没有在任代表或家站室")
    return _render(deputies, places, f"{region.name}代表和家站室二维码")
