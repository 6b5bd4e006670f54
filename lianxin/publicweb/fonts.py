"""The CJK TrueType font printed documents embed (the portal's posters, the projects' monthly report).

reportlab cannot embed CFF/OpenType outlines (fonts-noto-cjk), hence WenQuanYi first; PORTAL_CJK_FONT may name
another TrueType file (".ttc" or ".ttf").
"""

import os
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from lianxin.core.errors import DomainError

FONT = "LianxinCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def font_path() -> Path:
    configured = os.getenv("PORTAL_CJK_FONT") or getattr(settings, "PORTAL_CJK_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise DomainError(
        "font_missing",
        "未找到中文字体，无法生成海报：请安装 fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei）或设置 PORTAL_CJK_FONT",
    )


def font_register() -> None:
    """Register FONT with reportlab once per process."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        path = font_path()
        if path.suffix.lower() == ".ttc":
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
        else:
            pdfmetrics.registerFont(TTFont(FONT, str(path)))
