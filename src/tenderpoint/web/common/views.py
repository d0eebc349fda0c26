"""Health check, session keep-alive and the friendly error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tenderpoint.web.common.access import public_view


@public_view("health check for load balancers; reports only whether the database answers")
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@public_view("refreshes the signed-in session's idle timer; returns no data")
@never_cache
@login_required
@require_POST
def keepalive(request: HttpRequest) -> JsonResponse:
    """'Stay signed in': the idle-timeout middleware has already refreshed the session."""
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from the database they would query.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


@public_view("the admin sites' log-in URLs: sign-in for visitors, a refusal for the signed-in")
def admin_login(request: HttpRequest) -> HttpResponse:
    """Where ``/operator/`` and ``/cms/`` send a user they do not admit. Sending a signed-in
    user on to the sign-in page looped (sign-in sends them back, the admin sends them
    to sign in again, ten "no permission" messages later the browser gives up): a signed-in
    user gets a 403 page and an audit event; a visitor signs in once."""
    if request.user.is_authenticated:
        from tenderpoint.web.audit import services as audit
        from tenderpoint.web.audit.choices import Action

        audit.record(
            Action.DENIED,
            request=request,
            object_type="admin_site",
            detail={"next": request.GET.get("next", "")[:200]},
        )
        return render(request, "403.html", status=403)
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("account_login") + (f"?{query}" if query else ""))
