"""The user's own API tokens (on the security page) and the clinic's system clients.

Every view goes through the one access mixin; the ``api.*`` permissions are in
``tenderpoint.web.api.policies``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from oauth2_provider.models import AccessToken

from tenderpoint.web.api import tokens
from tenderpoint.web.api.models import SystemClient
from tenderpoint.web.common.access import AccessPolicyView, ClinicView, RecordView


class TokenNewView(AccessPolicyView):
    """GET: the form; POST: issue and show the secret once (422 with every problem named).
    Every signed-in user may ask; what a token may carry is ``tokens.allowed_context``."""

    permission = "api.issue_own_token"
    audit_object_type = "api.token"
    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def _page(self, request: HttpRequest) -> HttpResponse:
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
                    return render(
                        request, "api/token_created.html", {"token": token, "secret": secret}
                    )
        return render(
            request,
            "api/token_new.html",
            {"scope": scope, "days": days_text, "errors": errors, "context_name": context},
            status=422 if errors else 200,
        )


class TokenRevokeView(RecordView):
    """POST: revoke one of the user's own personal tokens (never another user's)."""

    permission = "api.revoke_own_token"
    model = AccessToken
    url_kwarg = "token_id"
    lookup_field = "pk"
    audit_object_type = "api.token"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, token_id: int) -> HttpResponse:
        tokens.do_revoke_token(request.user, token_id, request=request)
        return redirect("mfa_index")


class ClientListView(ClinicView):
    """Admins register clients and see their state; clinicians approve or withdraw them."""

    permission = "api.list_clients"
    audit_object_type = "api.systemclient"
    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def _page(self, request: HttpRequest) -> HttpResponse:
        clients = SystemClient.objects.filter(clinic=self.clinic).select_related(
            "approved_by", "registered_by"
        )
        errors: dict[str, list[str]] = {}
        if request.method == "POST":
            try:
                client, secret = tokens.do_register_client(
                    request.user, request.POST.get("name", ""), request=request
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                return render(
                    request, "api/client_created.html", {"client": client, "secret": secret}
                )
        return render(
            request,
            "api/client_list.html",
            {"clients": clients, "errors": errors, "name": request.POST.get("name", "")},
            status=422 if errors else 200,
        )


class _ClientActionView(RecordView):
    """POST on one system client of the user's clinic, named by its public id."""

    abstract_policy = True
    model = SystemClient
    url_kwarg = "client_id"
    audit_object_type = "api.systemclient"
    http_method_names = ["post"]


class ClientApproveView(_ClientActionView):
    permission = "api.approve_client"

    def post(self, request: HttpRequest, client_id: str) -> HttpResponse:
        tokens.do_approve_client(request.user, self.object, request=request)
        return redirect("api_clients:list")


class ClientRevokeView(_ClientActionView):
    permission = "api.revoke_client"

    def post(self, request: HttpRequest, client_id: str) -> HttpResponse:
        tokens.do_revoke_client(request.user, self.object, request=request)
        return redirect("api_clients:list")


token_new = TokenNewView.as_view()
token_revoke = TokenRevokeView.as_view()
client_list = ClientListView.as_view()
client_approve = ClientApproveView.as_view()
client_revoke = ClientRevokeView.as_view()
