"""The citizen's photos and files as staff pages serve them: the file itself or a small JPEG thumbnail, never a
public /media/ URL (a file name carries the receipt code; deploy/nginx refuses media under cases/). The caller
finds the attachment through `selectors.attachment_get_visible_to`, so a user outside the case's scope gets a 404
before anything here runs. Shared by the office case page and the Django admin."""

import io

from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from PIL import Image, UnidentifiedImageError

from lianxin.cases.models import Attachment

THUMBNAIL_SIDE = 240


def is_image(attachment: Attachment) -> bool:
    return attachment.content_type.startswith("image/")


def thumbnail(attachment: Attachment) -> bytes:
    """A small JPEG of a photo for the case page (the stored photo is up to 1600 px a side)."""
    try:
        with attachment.file.open("rb") as handle, Image.open(handle) as image:
            image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (OSError, UnidentifiedImageError) as exc:
        raise Http404("附件无法读取") from exc
    return out.getvalue()


def attachment_response(attachment: Attachment, *, thumb: bool) -> HttpResponseBase:
    """The photo (or its thumbnail), shown in the browser; any other file as a download. Private to the browser's
    cache, and never sniffed as another type (an uploaded "image" that is really HTML stays inert)."""
    image = is_image(attachment)
    if image and thumb:
        response: HttpResponseBase = HttpResponse(thumbnail(attachment), content_type="image/jpeg")
    else:
        response = FileResponse(
            attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=not image
        )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
