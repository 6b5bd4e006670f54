"""Photos people attach to an opinion: checked (really an image, of a known kind, not too big), turned upright,
resized and re-encoded as JPEG, which drops every piece of metadata (EXIF with GPS position, camera serial …)."""

import io
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from lianxin.core.errors import DomainError

MAX_PHOTOS = 6
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000  # refuse decompression bombs well before Pillow's own limit
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}


def photo_clean(upload: IO[bytes], *, size: int, number: int) -> bytes:
    """The photo as a clean JPEG of at most MAX_SIDE pixels a side; DomainError naming the photo otherwise."""
    label = f"照片{number}"
    if size > MAX_BYTES:
        raise DomainError("photo_too_large", f"{label}: 不能超过10MB", field="photos")
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
        if kind not in FORMATS:
            raise DomainError("photo_type", f"{label}: 只能上传 JPG、PNG、WEBP、GIF 图片", field="photos")
        if width * height > MAX_PIXELS:
            raise DomainError("photo_too_large", f"{label}: 图片像素过大", field="photos")
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            rgb = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise DomainError("photo_type", f"{label}: 不是有效的图片文件", field="photos") from error
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    # A fresh image saved without exif/icc arguments carries no metadata.
    rgb.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
