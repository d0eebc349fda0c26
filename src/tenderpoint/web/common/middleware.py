"""Session idle time-out and the staff MFA requirement."""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tenderpoint.web.common.timeouts import idle_timeout_min

LAST_SEEN_SESSION_KEY = "tenderpoint.last_seen"

# Paths a signed-in user may reach before enrolling MFA: the enrolment pages themselves,
# signing out, and things that carry no patient data.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/session/")


class IdleTimeoutMiddleware:
    """Sign the user out after their role's idle time-out; the page warns before it happens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
            if last_seen is not None and now - float(last_seen) > idle_timeout_min(user) * 60:
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                return redirect(f"{reverse('account_login')}?next={request.path}")
            request.session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


class StaffMFARequiredMiddleware:
    """Send clinic staff without a second factor to enrol before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.TENDERPOINT_STAFF_MFA_REQUIRED
            and user.is_authenticated
            and (user.is_clinic_staff or user.is_superuser)
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                "Staff accounts need two-factor authentication. Set up an authenticator app "
                "to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class CMSContentSecurityPolicyMiddleware:
    """Wagtail's editor ships inline scripts (inline panels, date pickers), so the CMS, and
    only the CMS, may run inline scripts. Everything else keeps the strict policy; eval stays
    forbidden everywhere. The CMS is reachable only by clinic administrators, behind MFA."""

    PREFIX = "/cms/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(self.PREFIX):
            response._csp_update = {"script-src": ["'unsafe-inline'"]}  # type: ignore[attr-defined]
        return response
