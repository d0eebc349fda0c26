"""Who is calling the API, resolved from the bearer token, and which patients they may read.

The patient set comes from the one access rule (``Patient.objects.for_user``) for personal
tokens, so a token never sees more than its user does in the browser; a system client sees
its clinic, and only while a clinician of that clinic has approved it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import get_oauthlib_core

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.api.models import SystemClient
from tenderpoint.web.api.scopes import Scope, ScopeError, parse_scopes
from tenderpoint.web.patients.models import Patient, PatientQuerySet


class NotAuthenticated(Exception):
    """No valid bearer token (401)."""


class Forbidden(Exception):
    """A valid token that does not allow this request (403)."""


@dataclass
class Principal:
    token: Any
    user: Any
    client: SystemClient | None
    scopes: list[Scope]

    @property
    def context(self) -> str:
        return self.scopes[0].context

    def allows(self, resource_type: str) -> bool:
        return any(s.allows(resource_type) for s in self.scopes)

    def patients(self) -> PatientQuerySet:
        """The patients this token may read (empty when in doubt)."""
        queryset = Patient.objects.current()
        if self.context == "system":
            return (
                queryset.filter(clinic_id=self.client.clinic_id) if self.client else queryset.none()
            )
        return queryset.for_user(self.user)

    @property
    def own_patient(self) -> Patient | None:
        """For a patient-context token: the patient record of its user."""
        if self.context != "patient":
            return None
        return self.patients().first()

    def audit_detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"scope": " ".join(str(s) for s in self.scopes)}
        if self.client is not None:
            detail["client"] = str(self.client.public_id)
            detail["client_name"] = self.client.name
        return detail


def system_client_is_approved(client: SystemClient) -> bool:
    """Approved by a clinician who is still an active clinician of the client's clinic."""
    approver = client.approved_by
    if client.revoked_at is not None or approver is None or not approver.is_active:
        return False
    membership = approver.membership
    return (
        membership is not None
        and membership.clinic_id == client.clinic_id
        and membership.role == Role.CLINICIAN
    )


def resolve(request: HttpRequest) -> Principal:
    """Validate the bearer token (django-oauth-toolkit) and build the principal."""
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        raise NotAuthenticated("Send an OAuth 2.0 bearer token in the Authorization header.")
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        raise NotAuthenticated("The token is unknown, expired or revoked.")
    token = oauth_request.access_token
    try:
        scopes = parse_scopes(token.scope)
    except ScopeError as error:
        raise Forbidden(str(error)) from None
    contexts = {s.context for s in scopes}
    if len(contexts) != 1:
        raise Forbidden("The token must hold SMART read scopes of exactly one context.")
    context = contexts.pop()
    client = None
    if context == "system":
        client = (
            SystemClient.objects.select_related("clinic", "approved_by")
            .filter(application_id=token.application_id)
            .first()
        )
        if client is None or not system_client_is_approved(client):
            raise Forbidden(
                "system scopes belong to a registered system client approved by a clinician "
                "of its clinic"
            )
        return Principal(token=token, user=None, client=client, scopes=scopes)
    user = token.user
    if user is None or not user.is_active:
        raise NotAuthenticated("The token's user is no longer active.")
    if context == "patient" and user.role != Role.PATIENT:
        raise Forbidden("patient/ scopes are for a patient's own record.")
    return Principal(token=token, user=user, client=None, scopes=scopes)
