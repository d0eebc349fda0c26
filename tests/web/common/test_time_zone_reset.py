"""A zone a view activates for its own page must not leak into the next request."""

from __future__ import annotations

from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from tenderpoint.web.common.middleware import ClinicTimeZoneMiddleware, ResetTimeZoneMiddleware


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


def test_staff_requests_run_in_their_clinic_zone_and_others_in_utc():
    seen: list[str] = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse("ok")

    clinic = SimpleNamespace(tzinfo=ZoneInfo("America/Chicago"))
    nurse = SimpleNamespace(is_authenticated=True, is_clinic_staff=True, clinic=clinic)
    patient = SimpleNamespace(is_authenticated=True, is_clinic_staff=False, clinic=None)
    visitor = SimpleNamespace(is_authenticated=False)
    middleware = ResetTimeZoneMiddleware(ClinicTimeZoneMiddleware(view))
    for user in (nurse, patient, visitor):
        request = RequestFactory().get("/")
        request.user = user
        middleware(request)
    assert seen == ["America/Chicago", "UTC", "UTC"]
    assert timezone.get_current_timezone_name() == "UTC"
    order = settings.MIDDLEWARE
    assert order.index("django.contrib.auth.middleware.AuthenticationMiddleware") < order.index(
        "tenderpoint.web.common.middleware.ClinicTimeZoneMiddleware"
    )
