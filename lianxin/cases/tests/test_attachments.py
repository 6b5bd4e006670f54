"""Issue 12, item 12 (part): the citizen's photos are shown to the staff handling the case, on the case page in
the back office, and served only to users who can see the case; a user outside the case's scope gets a 404."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from lianxin.cases.models import Attachment


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(side: int = 1200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side // 2), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def photo(loop):
    case = loop.register()  # 居仁社区, inside 武康街道
    data = jpeg()
    attachment = Attachment(case=case, content_type="image/jpeg", size=len(data))
    attachment.file.save(f"{case.receipt_code}-1.jpg", ContentFile(data), save=False)
    attachment.save()
    return attachment


def photo_url(attachment: Attachment, thumb: bool = False) -> str:
    url = reverse("admin:cases_case_attachment", args=[attachment.case_id, attachment.pk])
    return url + ("?thumb=1" if thumb else "")


def test_the_case_page_shows_the_photos_as_thumbnails_linking_to_the_file(client, personas, photo):
    client.force_login(personas.township_staff)

    page = client.get(reverse("admin:cases_case_change", args=[photo.case_id]))

    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="case-attachments"' in body
    assert f'href="{photo_url(photo)}"' in body and f'src="{photo_url(photo, thumb=True)}"' in body
    assert "/media/" not in body


def test_staff_who_can_see_the_case_get_the_photo_and_a_small_thumbnail(client, personas, photo):
    client.force_login(personas.township_staff)

    full = client.get(photo_url(photo))
    thumb = client.get(photo_url(photo, thumb=True))

    assert (full.status_code, full["Content-Type"]) == (200, "image/jpeg")
    served = b"".join(full.streaming_content)
    full.close()
    with photo.file.open("rb") as stored:
        assert served == stored.read()
    assert full["Cache-Control"].startswith("private")
    assert thumb.status_code == 200
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 240


def test_a_user_outside_the_cases_scope_gets_404_for_the_photo(client, personas, photo):
    client.force_login(personas.outsider)  # township staff of 乾元镇; the case is in 武康街道

    assert client.get(photo_url(photo)).status_code == 404
    assert client.get(photo_url(photo, thumb=True)).status_code == 404


@pytest.mark.parametrize("persona", ["deputy", "no_role"])
def test_users_without_the_back_office_are_sent_to_the_login_page(client, personas, photo, persona):
    client.force_login(getattr(personas, persona))

    response = client.get(photo_url(photo))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_photo_is_not_found_under_another_case(client, personas, photo, loop):
    other = loop.register(title="另一件", body="另一件事")
    client.force_login(personas.township_staff)

    response = client.get(reverse("admin:cases_case_attachment", args=[other.pk, photo.pk]))

    assert response.status_code == 404
