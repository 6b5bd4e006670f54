"""Public pages that are the same for every visitor, served from a cache (a QR campaign: hundreds of phones open
one deputy's page at once).

    @public_page
    def deputy_page(request, code): ...

The first GET of an address renders the page; for PUBLIC_PAGE_SECONDS after that every GET of the same address
(path and query) is served from the "pages" cache, already compressed, with an `ETag` and `Last-Modified` so that
a phone revalidates with a 304 and no body. Then the next request renders it again while the others are still
answered with the old page for the few moments that takes. A change to what a page shows reaches it within
PUBLIC_PAGE_SECONDS (plus a render) on the server plus `max-age` in the browser; PUBLIC_PAGE_SECONDS defaults to 25 s
and max-age to 30 s, so a page is never more than a minute stale.
(Invalidating on every change would need each write to know which pages show it; a 30-second lifetime is as
fresh as people need and cannot be forgotten by the next feature.)

Only complete 200 answers that set no cookie are kept: a page that put a CSRF token or a session in its answer
is personal and is never served to someone else. Staff who are logged in get the same public page.
"""

import gzip
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags

# Answers with these headers are copied from the rendered page to every cached answer.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Security-Policy", "X-Robots-Tag")


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    gzipped: bytes
    etag: str
    last_modified: float
    headers: tuple[tuple[str, str], ...]
    stale_at: float  # from then on, the next request renders the page again


def public_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") or settings.PUBLIC_PAGE_SECONDS <= 0:
            return view(request, *args, **kwargs)
        key = _key(request)
        pages = caches["pages"]
        page: CachedPage | None = pages.get(key)
        # When the page has aged, one request renders it again while the others are still answered with it: at
        # the moment a heavy page (the projects map) expires, the threads do not all render it at once.
        if page is None or (page.stale_at <= time.time() and pages.add(key + ":rendering", 1, 30)):
            response = view(request, *args, **kwargs)
            fresh = _keepable(response)
            if fresh is None:
                pages.delete(key + ":rendering")
                return response
            # Kept twice as long as it is fresh, for the moments above; never served once twice as old.
            pages.set(key, fresh, 2 * settings.PUBLIC_PAGE_SECONDS)
            pages.delete(key + ":rendering")
            page = fresh
        return _answer(request, page)

    return wrapped


def _key(request: HttpRequest) -> str:
    address = request.get_full_path().encode("utf-8", "surrogateescape")
    return "page:" + hashlib.sha256(address).hexdigest()


def _keepable(response: HttpResponseBase) -> CachedPage | None:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Content-Encoding")
        or "private" in response.get("Cache-Control", "")
        or not isinstance(response, HttpResponse)
    ):
        return None
    body = response.content
    headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
    return CachedPage(
        body=body,
        gzipped=gzip.compress(body, compresslevel=6, mtime=0),
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=time.time(),
        headers=headers,
        stale_at=time.time() + settings.PUBLIC_PAGE_SECONDS,
    )


def _answer(request: HttpRequest, page: CachedPage) -> HttpResponseBase:
    response: HttpResponseBase
    if page.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        wants_gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
        response = HttpResponse(page.gzipped if wants_gzip else page.body)
        for name, value in page.headers:
            response[name] = value
        if wants_gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = page.etag
    response["Last-Modified"] = http_date(page.last_modified)
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_PAGE_BROWSER_SECONDS}"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
