"""Values every template needs: the clinic shown in the header, the idle timeout, demo mode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tenderpoint.web.common.timeouts import idle_timeout_min


def site(request: HttpRequest) -> dict[str, Any]:
    from tenderpoint.web.accounts.models import Clinic

    user = getattr(request, "user", None)
    clinic = getattr(user, "clinic", None) if user and user.is_authenticated else None
    if clinic is None:
        # Public pages show the clinic this installation serves (the first one).
        clinic = Clinic.objects.order_by("pk").first()
    return {
        "site_clinic": clinic,
        "idle_timeout_min": idle_timeout_min(user) if user and user.is_authenticated else None,
        "demo_mode": settings.TENDERPOINT_DEMO,
    }
