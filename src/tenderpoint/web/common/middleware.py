"""Session idle time-out, the staff MFA requirement and a per-request time zone."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from tenderpoint.web.common.timeouts import idle_timeout_min

LAST_SEEN_SESSION_KEY = "tenderpoint.last_seen"
#: the last-seen time is rewritten at most this often: each rewrite is a database write (the
#: session), and a busy patient or nurse would otherwise write on every request. Idle time is
#: then counted up to this much too long, so a sign-out comes at most this much early.
LAST_SEEN_RESOLUTION_S = 30

# Paths a signed-in user may reach before enrolling MFA: the enrolment pages themselves,
# signing out, and things that carry no patient data.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/session/")
# ... except the personal API tokens, which live beside the security page under /accounts/:
# a token reads patient data through the FHIR API, so issuing one needs the second factor.
MFA_REQUIRED_PREFIXES = ("/accounts/api-tokens/",)


def _mfa_exempt(path: str) -> bool:
    return path.startswith(MFA_EXEMPT_PREFIXES) and not path.startswith(MFA_REQUIRED_PREFIXES)


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
                return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
            if last_seen is None or now - float(last_seen) >= LAST_SEEN_RESOLUTION_S:
                request.session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in included the second factor (allauth records each
    authentication method used in the session)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffMFARequiredMiddleware:
    """Clinic staff and operators reach nothing but enrolment until they have a second factor,
    and nothing at all in a session that was not signed in with it (any other log-in path,
    such as a third-party log-in form, ends here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not (
            settings.TENDERPOINT_STAFF_MFA_REQUIRED
            and user.is_authenticated
            and (user.is_clinic_staff or user.is_superuser or user.is_staff)
        ):
            return self.get_response(request)
        if not is_mfa_enabled(user):
            # A first second factor needs an invitation sent to the account's own e-mail:
            # whoever holds the password alone must not choose it (issue 13, defect 2).
            from tenderpoint.web.accounts.services import may_enrol_now

            enrolling = request.path == reverse("mfa_activate_totp")
            if enrolling and not may_enrol_now(request):
                return redirect("mfa_enrolment_needed")
            if not _mfa_exempt(request.path):
                if may_enrol_now(request):
                    return redirect("mfa_activate_totp")
                return redirect("mfa_enrolment_needed")
            return self.get_response(request)
        if not _mfa_exempt(request.path) and not passed_second_factor(request):
            logout(request)
            messages.warning(request, "Please sign in again with your authenticator code.")
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
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
            if self.is_preview(request.path):
                # The editor shows the preview in a same-origin frame; only the preview may be
                # framed, and only by this site.
                response._csp_replace = {"frame-ancestors": ["'self'"]}  # type: ignore[attr-defined]
                response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    @staticmethod
    def is_preview(path: str) -> bool:
        return "/preview/" in path


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user is ``Cache-Control: no-store``: pages with patient
    data must not stay in a browser's or a proxy's cache (a shared clinic computer, the back
    button after signing out). Runs for every view, so a new page cannot forget it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.pop("Expires", None)
            response["Cache-Control"] = "no-store, private"
            patch_vary_headers(response, ["Cookie"])
        return response


class ResetTimeZoneMiddleware:
    """Start and end every request in the default zone (UTC).

    Several views call ``timezone.activate`` with the clinic's or patient's zone. Django keeps
    that in a thread-local that outlives the request, so without this a later request served by
    the same thread (another user, another clinic) rendered its times in that zone while its
    template still labelled them UTC.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ClinicTimeZoneMiddleware:
    """Show clinic staff every time in their clinic's zone.

    A nurse in Chicago reads "raised 05:47 CST" where the UTC time would have to be converted in
    the head. Patients' pages set the patient's own zone in their views; anyone else (visitors,
    operators) stays in UTC. Runs after authentication; ResetTimeZoneMiddleware clears it after.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_clinic_staff:
            timezone.activate(user.clinic.tzinfo)
        return self.get_response(request)
