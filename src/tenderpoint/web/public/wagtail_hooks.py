"""Wagtail hooks of the public site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from wagtail import hooks

from tenderpoint.web.public import page_cache

ServePage = Callable[[Any, HttpRequest, Any, Any], HttpResponse]


@hooks.register("on_serve_page")
def mark_cacheable_pages(next_serve_page: ServePage) -> ServePage:
    """Tell the page cache whether the page now being served may be kept (see page_cache)."""

    def serve(page: Any, request: HttpRequest, args: Any, kwargs: Any) -> HttpResponse:
        page_cache.mark_cacheable(page, request)
        return next_serve_page(page, request, args, kwargs)

    return serve
