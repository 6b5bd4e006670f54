"""Content-Security-Policy on every response: a browser runs only the platform's own script files.

No page has inline JavaScript (the portal's scripts are static files; data goes in <script type="application/json">,
which is not executed), so script-src is 'self' alone and an injected <script> or onclick= does nothing.
Styles allow 'unsafe-inline': progress bars and Django's admin set style="…" attributes and Swagger UI adds style
elements; a style cannot run code. Images may be data: URLs (Swagger UI's icons) and, when the projects map is
given an online tile layer (PROJECTS_TILE_URL), that layer's host. CSP_REPORT_ONLY=true sends the policy as
Content-Security-Policy-Report-Only, to try a change on a live site first.
"""

import os
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _tile_source() -> str | None:
    """The tile layer's origin as a CSP source; "t{s}.tianditu.gov.cn" (a subdomain per tile) → "*.tianditu.gov.cn"."""
    template = os.getenv("PROJECTS_TILE_URL") or str(getattr(settings, "PROJECTS_TILE_URL", "") or "")
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels):
        return None
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy() -> str:
    images = ["'self'", "data:"]
    tiles = _tile_source()
    if tiles:
        images.append(tiles)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header not in response:  # a view may set a stricter one of its own
            response[self.header] = content_security_policy()
        return response
