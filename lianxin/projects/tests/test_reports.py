import datetime

import pypdfium2 as pdfium
import pytest
from PIL import Image

from lianxin.core.errors import DomainError
from lianxin.projects.reports import FILL, progress_pdf, progress_rows
from lianxin.projects.tests.test_pages import states  # noqa: F401  (the three sites: blue, yellow, red)
from lianxin.publicweb import fonts

try:
    fonts.font_path()
    FONT_MISSING = ""
except DomainError as error:
    FONT_MISSING = error.message

pytestmark = [
    pytest.mark.usefixtures("world"),
    pytest.mark.skipif(bool(FONT_MISSING), reason=f"no CJK font: {FONT_MISSING} (make test installs it)"),
]


def rendered(pdf: bytes) -> tuple[str, list[Image.Image]]:
    document = pdfium.PdfDocument(pdf)
    try:
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        return text, [document[i].render(scale=1.5).to_pil().convert("RGB") for i in range(len(document))]
    finally:
        document.close()


def share_of(image: Image.Image, hex_colour: str) -> float:
    rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    small = image.resize((image.width // 3, image.height // 3), Image.Resampling.NEAREST)
    hits = sum(
        count
        for count, pixel in small.getcolors(maxcolors=small.width * small.height)
        if all(abs(a - b) <= 6 for a, b in zip(pixel, rgb, strict=True))
    )
    return hits / (small.width * small.height)


def test_the_monthly_pdf_has_the_summary_table_with_totals_and_the_sites_in_the_maps_colours(states):  # noqa: F811
    month = datetime.date.today().replace(day=1)
    report = progress_rows(user=None, year=month.year, month=month)
    text, pages = rendered(progress_pdf(report))
    for words in (
        "民生实事项目进度通报",
        "一、项目进度汇总",
        "计划投资(万元)",
        "合计",
        "1个项目",
        "二、点位明细",
        "领办代表",
        "本月完成情况",
        "居仁路",
        "城东桥",
        "城东村道",
        "雨季",
        "已完成（蓝）",
        "推进中（黄）",
        "未开工（红）",
    ):
        assert words in text, words
    # Each of the map's three colours fills the legend, the summary's header and the sites' status cells.
    for colour in ("blue", "yellow", "red"):
        assert share_of(pages[0], FILL[colour]) > 0.0005, colour


def test_without_a_colour_the_share_is_nothing():
    assert share_of(Image.new("RGB", (30, 30), "white"), FILL["blue"]) == 0
