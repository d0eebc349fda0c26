"""A shared cache of public (Wagtail) pages as anonymous visitors see them.

A clinic's page that is shared widely must not fall over, so the rendered page is kept in the
database cache ``public_pages`` (shared by every app server; never process memory) and served
from there to the next anonymous visitor. The middleware sits at the top of ``MIDDLEWARE``: a
hit costs one query and skips everything else (sessions, authentication, CSRF, audit, CSP
building), and the response it stores is the one the whole stack produced, so a cached answer
carries the same security headers as a rendered one (CSP, HSTS when on, X-Content-Type-Options,
Referrer-Policy, X-Frame-Options, Cross-Origin-Opener-Policy...). The body is also gzipped
once, when it is stored, for visitors whose browser accepts it.

What is never cached, so no visitor can see another's state:
- anything but a GET of a Wagtail page whose class opts in (``public_cache = True``; pages with
  a form, contact and self-check, do not), with no view restriction;
- any request carrying a session or messages cookie, an Authorization header, an htmx request,
  or a signed-in user;
- any request with a query string, except one made only of the link-tracking parameters in
  ``IGNORED_QUERY_PARAMETERS`` (a shared link gains ``?fbclid=...``): those are answered with
  the page without them, but only a request without any query string fills the cache;
- any response that used the CSRF token, sets a cookie, is not a 200, says it must not be
  stored, varies on anything but the cookie (which the hit condition already covers), or
  holds a CSRF form field.

Publishing, unpublishing, moving or deleting a page, restricting who may view one, or editing
the clinic, a reference or the site, empties the whole page cache (Wagtail's signals) once the
change commits, because pages list one another and show the clinic's details; a page whose
rendering began before an emptying is not kept. The timeout bounds anything else
(``TENDERPOINT_PUBLIC_CACHE_SECONDS``, 0 switches the cache off).
"""

from __future__ import annotations

import gzip
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

CACHE_ALIAS = "public_pages"
REQUEST_FLAG = "_tenderpoint_public_cacheable"
# Bumped whenever what is stored changes shape, so an entry of the old shape is never read.
KEY_PREFIX = "page-v2:"
# Parameters that only tell analytics where a link was shared; no page reads them.
IGNORED_QUERY_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "mc_cid",
        "mc_eid",
        "utm_campaign",
        "utm_content",
        "utm_medium",
        "utm_source",
        "utm_term",
    }
)
# Changed by every emptying, in the shared default cache: a page whose rendering began before
# an emptying is not kept (it may show what the editor has just replaced).
GENERATION_KEY = "tenderpoint-public-pages-generation"
_STORABLE_VARY = {"cookie"}
_UNCACHEABLE_DIRECTIVES = ("no-store", "no-cache", "private")
_CSRF_FIELD = b"csrfmiddlewaretoken"
# Left out of what is stored: they describe one response's encoding, set again when served.
_ENCODING_HEADERS = {"content-length", "content-encoding", "vary", "set-cookie"}


@dataclass(frozen=True)
class CachedPage:
    """What is kept of a rendered page: its headers as the whole middleware stack set them,
    the body, and the body gzipped once (None when gzip would not make it smaller)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    vary: str
    body: bytes
    body_gzip: bytes | None


def _cache() -> BaseCache:
    return caches[CACHE_ALIAS]


def timeout_s() -> int:
    """How long a cached page lives at most; 0 means the cache is off."""
    return int(getattr(settings, "TENDERPOINT_PUBLIC_CACHE_SECONDS", 0))


def _only_ignored_parameters(query_string: str) -> bool:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return bool(pairs) and all(name in IGNORED_QUERY_PARAMETERS for name, _ in pairs)


def _may_be_a_page(path: str) -> bool:
    """Wagtail's page URLs end with a slash; files, robots.txt and the like do not."""
    return path.endswith("/") and not path.startswith(settings.STATIC_URL or "/static/")


def request_key(request: HttpRequest) -> str | None:
    """The cache key of an anonymous GET/HEAD request that may be answered from the cache,
    or None when the request must go through the whole stack."""
    if request.method not in {"GET", "HEAD"} or timeout_s() <= 0:
        return None
    if not _may_be_a_page(request.path):
        return None
    query_string = request.META.get("QUERY_STRING", "")
    if query_string and not _only_ignored_parameters(query_string):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    if "HTTP_HX_REQUEST" in request.META or "HTTP_AUTHORIZATION" in request.META:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the ordinary path answers it (400)
    url = f"{request.scheme}://{host}{request.path}"
    return KEY_PREFIX + hashlib.sha256(url.encode()).hexdigest()


def mark_cacheable(page: Any, request: HttpRequest) -> None:
    """Note on the request that the Wagtail page being served may be cached (see module doc)."""
    cacheable = bool(getattr(page.specific_class, "public_cache", False))
    if cacheable and page.get_view_restrictions().exists():
        cacheable = False
    setattr(request, REQUEST_FLAG, cacheable)


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return False
    if not getattr(request, REQUEST_FLAG, False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page rendered a CSRF token: it belongs to this visitor only
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if response.get("Content-Encoding"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in _UNCACHEABLE_DIRECTIVES):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if not vary <= _STORABLE_VARY:
        return False
    return _CSRF_FIELD not in response.content  # whatever the flags say, never a token


def _freeze(response: HttpResponse) -> CachedPage:
    headers = tuple((k, v) for k, v in response.items() if k.lower() not in _ENCODING_HEADERS)
    body = response.content
    body_gzip = gzip.compress(body, compresslevel=9, mtime=0)
    vary = response.get("Vary", "")
    return CachedPage(
        response.status_code, headers, vary, body, body_gzip if len(body_gzip) < len(body) else None
    )


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether the request's Accept-Encoding allows gzip (RFC 9110: ``gzip;q=0`` refuses it)."""
    for coding in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, _, params = coding.partition(";")
        if name.strip().lower() not in {"gzip", "x-gzip"}:
            continue
        quality = params.strip().lower().removeprefix("q=").strip()
        try:
            return not params.strip() or float(quality) > 0
        except ValueError:
            return False
    return False


def serve(page: CachedPage, request: HttpRequest) -> HttpResponse:
    """The response for a cached page: the stored headers, gzipped if the visitor accepts it,
    and ``Vary: Accept-Encoding`` either way (a shared cache must keep the two apart)."""
    gzipped = page.body_gzip is not None and accepts_gzip(request)
    response = HttpResponse(page.body_gzip if gzipped else page.body, status=page.status)
    for name, value in page.headers:
        response[name] = value
    if page.vary:
        response["Vary"] = page.vary
    if page.body_gzip is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))
    return response


class PublicPageCacheMiddleware:
    """Answer anonymous visitors from the shared page cache; fill it from pages that may be.
    First in ``MIDDLEWARE``, so that a hit costs one query and nothing else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request_key(request)
        if key is None:
            return self.get_response(request)
        cached = _cache().get(key)
        if isinstance(cached, CachedPage):
            return serve(cached, request)
        generation = _generation()
        response = self.get_response(request)
        if not _storable(request, response):
            return response
        page = _freeze(response)
        _store(key, page, generation)
        return serve(page, request)  # the first visitor gets exactly what the next ones will


def _generation() -> str | None:
    return caches["default"].get(GENERATION_KEY)


def _store(key: str, page: CachedPage, rendered_in: str | None) -> None:
    """Keep a page unless the cache was emptied since its rendering began. Checked before and
    again after writing: an emptying that ran in between has changed the generation, so the
    entry it may have missed is removed."""
    if _generation() != rendered_in:
        return
    _cache().set(key, page, timeout_s())
    if _generation() != rendered_in:
        _cache().delete(key)


def empty() -> None:
    """Empty the page cache now: a new generation first, then the table (see ``_store``)."""
    caches["default"].set(GENERATION_KEY, uuid.uuid4().hex, None)
    _cache().clear()


def clear(**_kwargs: Any) -> None:
    """Empty the page cache once the change commits (signal receiver: something every page may
    show has changed). Emptied inside the editor's transaction, the cache could be refilled
    with the old content before the new one is visible."""
    transaction.on_commit(empty)


def connect_signals() -> None:
    """Empty the cache whenever published content, the site or the clinic changes."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from tenderpoint.web.accounts.models import Clinic
    from tenderpoint.web.public.models import Reference

    uid = "tenderpoint-public-page-cache"
    page_published.connect(clear, dispatch_uid=f"{uid}-published")
    page_unpublished.connect(clear, dispatch_uid=f"{uid}-unpublished")
    post_page_move.connect(clear, dispatch_uid=f"{uid}-moved")
    # A page given a view restriction must stop being served to everyone at once.
    for model in (Site, Clinic, Reference, PageViewRestriction):
        post_save.connect(clear, sender=model, dispatch_uid=f"{uid}-save-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"{uid}-delete-{model.__name__}")
