"""A zone a view activates for its own page must not leak into the next request."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from tenderpoint.web.common.middleware import ResetTimeZoneMiddleware


def test_each_request_starts_and_ends_in_utc():
    seen: list[str] = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        timezone.activate("America/Chicago")  # as the clinic views do
        return HttpResponse("ok")

    middleware = ResetTimeZoneMiddleware(view)
    timezone.activate("Asia/Tokyo")  # left behind by an earlier request on this thread
    try:
        middleware(RequestFactory().get("/"))
        assert seen == ["UTC"]
        assert timezone.get_current_timezone_name() == "UTC"
    finally:
        timezone.deactivate()


def test_the_reset_runs_on_every_request():
    assert "tenderpoint.web.common.middleware.ResetTimeZoneMiddleware" in settings.MIDDLEWARE
