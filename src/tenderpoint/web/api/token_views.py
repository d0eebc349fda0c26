"""The user's own API tokens (on the security page) and the clinic's system clients."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.api import tokens
from tenderpoint.web.api.models import SystemClient
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action


@login_required
def token_new(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST: issue and show the secret once (422 with every problem named)."""
    context = tokens.allowed_context(request.user)
    scope = request.POST.get("scope", f"{context}/*.read" if context else "")
    days_text = request.POST.get("days", "30")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            days = int(days_text)
        except ValueError:
            errors["days"] = [f"Days must be a whole number; {days_text!r} was typed."]
            days = 0
        if not errors:
            try:
                token, secret = tokens.do_issue_token(
                    request.user, scope, days, via="web", request=request
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(
        request,
        "api/token_new.html",
        {"scope": scope, "days": days_text, "errors": errors, "context_name": context},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        tokens.do_revoke_token(request.user, token_id, request=request)
    except PermissionDenied:
        audit.record(
            Action.DENIED, request=request, object_type="api.token", object_id=str(token_id)
        )
        raise
    return redirect("mfa_index")


def _clinic_member(request: HttpRequest) -> None:
    membership = request.user.membership
    if membership is None or membership.role not in (Role.CLINIC_ADMIN, Role.CLINICIAN):
        audit.record(Action.DENIED, request=request, object_type="api.systemclient")
        raise PermissionDenied("System clients are managed by the clinic's admin and clinicians.")


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    """Admins register clients and see their state; clinicians approve or withdraw them."""
    _clinic_member(request)
    clients = SystemClient.objects.filter(
        clinic_id=request.user.membership.clinic_id
    ).select_related("approved_by", "registered_by")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            client, secret = tokens.do_register_client(
                request.user, request.POST.get("name", ""), request=request
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            return render(request, "api/client_created.html", {"client": client, "secret": secret})
    return render(
        request,
        "api/client_list.html",
        {"clients": clients, "errors": errors, "name": request.POST.get("name", "")},
        status=422 if errors else 200,
    )


def _client(request: HttpRequest, client_id: str) -> SystemClient:
    _clinic_member(request)
    return get_object_or_404(
        SystemClient, public_id=client_id, clinic_id=request.user.membership.clinic_id
    )


@login_required
@require_POST
def client_approve(request: HttpRequest, client_id: str) -> HttpResponse:
    tokens.do_approve_client(request.user, _client(request, client_id), request=request)
    return redirect("api_clients:list")


@login_required
@require_POST
def client_revoke(request: HttpRequest, client_id: str) -> HttpResponse:
    tokens.do_revoke_client(request.user, _client(request, client_id), request=request)
    return redirect("api_clients:list")
