import io

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command
from PIL import Image, ImageChops

from lianxin.core.errors import DomainError
from lianxin.core.services import public_code_rotate
from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.portal import posters
from lianxin.portal.qr import qr_code
from lianxin.publicweb import fonts

try:
    fonts.font_path()
    FONT_MISSING = ""
except DomainError as error:
    FONT_MISSING = error.message

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(bool(FONT_MISSING), reason=f"no CJK font for posters: {FONT_MISSING} (make test installs it)"),
]

SCALE = 2  # 144 dpi


def pages(pdf: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=SCALE).to_pil().convert("L") for i in range(len(document))]
    finally:
        document.close()


def page_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def name_band(image: Image.Image) -> Image.Image:
    """The strip of the page where the deputy's name is printed (see posters.NAME_BASELINE)."""
    top = int((posters.HEIGHT - posters.NAME_BASELINE - posters.NAME_SIZE) * SCALE)
    bottom = int((posters.HEIGHT - posters.NAME_BASELINE + posters.NAME_SIZE * 0.3) * SCALE)
    left = int((posters.MARGIN + 38 * posters.mm) * SCALE)
    return image.crop((left, top, image.width - int(posters.MARGIN * SCALE), bottom))


def ink(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


def test_the_qr_code_encodes_the_public_url_as_svg_and_png(client, world, settings):
    settings.SITE_URL = "http://192.168.1.20:8000"
    code = world.deputy.public_code
    svg = client.get(f"/d/{code}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert f"http://192.168.1.20:8000/d/{code}".encode() in svg.content  # the title names what it encodes
    png = client.get(f"/p/{world.place.public_code}/qr.png")
    with Image.open(io.BytesIO(png.content)) as image:
        assert image.format == "PNG" and image.width == image.height
    assert qr_code(f"http://192.168.1.20:8000/d/{code}").designator.endswith("-M")


def test_a_deputys_poster_prints_chinese_glyphs_not_boxes(client, world, regions):
    other = Deputy.objects.create(name="王秀英", gender="female")
    Mandate.objects.create(deputy=other, level=MandateLevel.TOWNSHIP, congress_region=regions.wukang, term=17)
    first = client.get(f"/d/{world.deputy.public_code}/poster.pdf")
    assert first["Content-Type"] == "application/pdf"
    second = posters.deputy_poster(deputy=other)
    [page_one], [page_two] = pages(first.content), pages(second)
    assert page_one.size == (round(595.28 * SCALE), round(841.89 * SCALE))  # A4
    one, two = name_band(page_one), name_band(page_two)
    # Glyphs: both names leave ink, and different names leave different ink. A missing font draws the same
    # empty box (tofu) for every character, so the two strips would be equal.
    assert ink(one) > 500 and ink(two) > 500
    assert ImageChops.difference(one, two).getbbox() is not None
    text = page_text(first.content)
    assert "沈建国 代表" in text and "德清县第十七届人民代表大会代表（县级）" in text and "接待安排" in text


def test_a_places_poster_names_the_place_and_its_reception_days(client, world):
    response = client.get(f"/p/{world.place.public_code}/poster.pdf")
    text = page_text(response.content)
    assert "居仁社区代表工作站" in text and "每周二 9:00-11:30" in text and "沈建国代表" in text


def test_a_township_batch_has_one_page_per_deputy_and_place_and_only_its_staff_may_print_it(
    client, world, personas, regions, tmp_path
):
    url = f"/posters/{regions.wukang.code}.pdf"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
    client.force_login(personas.township_staff)
    response = client.get(url)
    assert response.status_code == 200 and len(pages(response.content)) == 2
    out = tmp_path / "wukang.pdf"
    call_command("print_posters", regions.wukang.code, str(out))
    assert len(pages(out.read_bytes())) == 2


def test_a_rotated_code_retires_the_old_poster_url(client, world):
    old = world.deputy.public_code
    public_code_rotate(actor=None, obj=world.deputy, region_path="")
    world.deputy.refresh_from_db()
    assert client.get(f"/d/{old}").status_code == 404
    assert client.get(f"/d/{world.deputy.public_code}").status_code == 200


def test_terms_are_written_in_chinese_numerals():
    assert [posters.term_words(n) for n in (1, 10, 14, 17, 20, 23)] == ["一", "十", "十四", "十七", "二十", "二十三"]


def test_a_deputy_with_a_photo_gets_the_photo_instead_of_initials(world, settings):
    from django.core.files.base import ContentFile

    from lianxin.portal.tests.conftest import photo_bytes

    [plain] = pages(posters.deputy_poster(deputy=world.deputy))
    world.deputy.photo.save("shen.jpg", ContentFile(photo_bytes(size=(300, 400))), save=True)
    [with_photo] = pages(posters.deputy_poster(deputy=world.deputy))
    box = (int(posters.MARGIN * SCALE), int((posters.HEIGHT - posters.NAME_BASELINE - 20 * posters.mm) * SCALE))
    region = (*box, box[0] + int(30 * posters.mm * SCALE), box[1] + int(25 * posters.mm * SCALE))
    assert ImageChops.difference(plain.crop(region), with_photo.crop(region)).getbbox() is not None


def printed_modules(image: Image.Image, size: int) -> list[list[bool]]:
    """Read the QR code's modules off the rendered page: find the top-left finder pattern (a dark run of seven
    modules in its first column), then sample the centre of every module."""
    cell = posters.QR_SIZE * SCALE / (size + 8)
    x0 = (posters.WIDTH - posters.QR_SIZE) / 2 * SCALE
    column = int(x0 + 4.5 * cell)
    header = int(40 * posters.mm * SCALE)
    run = 0
    for y in range(header, image.height):
        run = run + 1 if image.getpixel((column, y)) < 128 else 0
        if run >= 6.5 * cell:
            top = y - run + 1
            break
    else:
        raise AssertionError("no finder pattern on the page")
    y0 = top - 4 * cell
    return [
        [image.getpixel((int(x0 + (c + 4.5) * cell), int(y0 + (r + 4.5) * cell))) < 128 for c in range(size)]
        for r in range(size)
    ]


def test_the_posters_qr_code_carries_the_public_url_module_for_module(world, settings):
    settings.SITE_URL = "http://192.168.1.20:8000"
    world.deputy.refresh_from_db()
    matrix = [[bool(v) for v in row] for row in qr_code(world.deputy.public_url).matrix]
    [page] = pages(posters.deputy_poster(deputy=world.deputy))
    assert printed_modules(page, len(matrix)) == matrix
