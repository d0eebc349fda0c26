"""A shared cache of public (Wagtail) pages as anonymous visitors see them.

A clinic's page that is shared widely must not fall over, so the rendered page is kept in the
database cache ``public_pages`` (shared by every app server; never process memory) and served
from there to the next anonymous visitor: one query instead of a dozen and the template work.

What is never cached, so no visitor can see another's state:
- anything but a GET of a Wagtail page whose class opts in (``public_cache = True``; pages with
  a form, contact and self-check, do not), with no view restriction;
- any request carrying a session or messages cookie, an htmx request, or a signed-in user;
- any response that used the CSRF token, sets a cookie, is not a 200, says it must not be
  stored, or varies on anything but the cookie (which the hit condition already covers).

Publishing, unpublishing, moving or deleting a page, or editing the clinic, a reference or the
site, empties the whole page cache (Wagtail's signals), because pages list one another and show
the clinic's details; the timeout bounds anything else (``TENDERPOINT_PUBLIC_CACHE_SECONDS``,
0 switches the cache off).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

CACHE_ALIAS = "public_pages"
REQUEST_FLAG = "_tenderpoint_public_cacheable"
_STORABLE_VARY = {"cookie"}
_UNCACHEABLE_DIRECTIVES = ("no-store", "no-cache", "private")


def _cache() -> BaseCache:
    return caches[CACHE_ALIAS]


def timeout_s() -> int:
    """How long a cached page lives at most; 0 means the cache is off."""
    return int(getattr(settings, "TENDERPOINT_PUBLIC_CACHE_SECONDS", 0))


def request_key(request: HttpRequest) -> str | None:
    """The cache key of an anonymous GET/HEAD request that may be answered from the cache."""
    if request.method not in {"GET", "HEAD"} or timeout_s() <= 0:
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
    url = f"{request.scheme}://{host}{request.get_full_path()}"
    return "page:" + hashlib.sha256(url.encode()).hexdigest()


def mark_cacheable(page: Any, request: HttpRequest) -> None:
    """Note on the request that the Wagtail page being served may be cached (see module doc)."""
    cacheable = bool(getattr(page.specific_class, "public_cache", False))
    if cacheable and page.get_view_restrictions().exists():
        cacheable = False
    setattr(request, REQUEST_FLAG, cacheable)


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if request.method != "GET" or not getattr(request, REQUEST_FLAG, False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page rendered a CSRF token: it belongs to this visitor only
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in _UNCACHEABLE_DIRECTIVES):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= _STORABLE_VARY


def _freeze(response: HttpResponse) -> tuple[int, bytes, list[tuple[str, str]]]:
    headers = [(k, v) for k, v in response.items() if k.lower() != "set-cookie"]
    return response.status_code, response.content, headers


def _thaw(frozen: tuple[int, bytes, list[tuple[str, str]]]) -> HttpResponse:
    status, content, headers = frozen
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


class PublicPageCacheMiddleware:
    """Answer anonymous visitors from the shared page cache; fill it from pages that may be."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request_key(request)
        if key is None:
            return self.get_response(request)
        frozen = _cache().get(key)
        if frozen is not None:
            return _thaw(frozen)
        response = self.get_response(request)
        if _storable(request, response):
            _cache().set(key, _freeze(response), timeout_s())
        return response


def clear(**_kwargs: Any) -> None:
    """Empty the page cache (signal receiver: something every page may show has changed)."""
    _cache().clear()


def connect_signals() -> None:
    """Empty the cache whenever published content, the site or the clinic changes."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from tenderpoint.web.accounts.models import Clinic
    from tenderpoint.web.public.models import Reference

    uid = "tenderpoint-public-page-cache"
    page_published.connect(clear, dispatch_uid=f"{uid}-published")
    page_unpublished.connect(clear, dispatch_uid=f"{uid}-unpublished")
    post_page_move.connect(clear, dispatch_uid=f"{uid}-moved")
    for model in (Site, Clinic, Reference):
        post_save.connect(clear, sender=model, dispatch_uid=f"{uid}-save-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"{uid}-delete-{model.__name__}")
