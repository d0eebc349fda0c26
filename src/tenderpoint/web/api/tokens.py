"""Personal API tokens and system clients: the checks and the writes (audited).

A personal token is a django-oauth-toolkit ``AccessToken`` without an application, issued to a
user for scripts: on the user's security page or by ``tenderpoint manage issue_api_token`` (by
someone with the server's shell, who can read the database anyway). It expires, is listed on
the user's security page, and is revoked there.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from oauth2_provider.models import AccessToken, Application
from oauthlib.common import generate_token

from tenderpoint.web.accounts.choices import CARE_TEAM_ROLES, Role
from tenderpoint.web.api.models import SystemClient
from tenderpoint.web.api.scopes import ScopeError, parse_scopes
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.text import refuse_longer_than, refuse_null_characters

#: django-oauth-toolkit's Application.name column
CLIENT_NAME_MAX_CHARS = 255


def now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def allowed_context(user: Any) -> str | None:
    """The one scope context a user's personal tokens may carry: patients their own record,
    the care team what they see; clinic admins and operators none (no clinical records)."""
    if not user.is_active:
        return None
    if user.role == Role.PATIENT:
        return "patient"
    if user.role in CARE_TEAM_ROLES:
        return "user"
    return None


def check_issue_token(user: Any, scope: str, days: int) -> list[str]:
    """Every problem with the request, by field; empty when it may be issued."""
    problems: dict[str, str] = {}
    max_days = settings.TENDERPOINT_API_TOKEN_MAX_DAYS
    if not 1 <= days <= max_days:
        problems["days"] = f"A token lives between 1 and {max_days} days; {days} was asked."
    context = allowed_context(user)
    try:
        scopes = parse_scopes(scope)
        if not scopes:
            raise ScopeError("Name at least one SMART scope, e.g. user/*.read.")
    except ScopeError as error:
        problems["scope"] = str(error)
    else:
        if context is None:
            problems["scope"] = (
                "This account reads no clinical records, so it cannot hold an API token."
            )
        elif any(s.context != context for s in scopes):
            problems["scope"] = f"This account's tokens use {context}/ scopes only."
    if problems:
        raise ValidationError(problems)
    return [str(s) for s in scopes]


def do_issue_token(
    user: Any, scope: str, days: int, *, via: str, request: HttpRequest | None = None
) -> tuple[AccessToken, str]:
    """Issue a personal token; returns the row and the secret (shown once)."""
    scopes = check_issue_token(user, scope, days)
    secret = generate_token()
    with transaction.atomic():
        token = AccessToken.objects.create(
            user=user,
            token=secret,
            application=None,
            expires=now() + datetime.timedelta(days=days),
            scope=" ".join(scopes),
        )
        audit.record(
            Action.CREATE,
            request=request,
            user=user,
            object_type="api.token",
            object_id=str(token.pk),
            detail={"scope": token.scope, "days": days, "via": via},
        )
    return token, secret


def personal_tokens(user: Any) -> list[AccessToken]:
    return list(
        AccessToken.objects.filter(user=user, application__isnull=True, expires__gt=now()).order_by(
            "-created"
        )
    )


def do_revoke_token(user: Any, token_id: int, *, request: HttpRequest | None = None) -> None:
    token = AccessToken.objects.filter(pk=token_id, user=user, application__isnull=True).first()
    if token is None:
        raise PermissionDenied("No such token of yours.")
    with transaction.atomic():
        scope = token.scope
        token.revoke()
        audit.record(
            Action.UPDATE,
            request=request,
            user=user,
            object_type="api.token",
            object_id=str(token_id),
            detail={"revoked": True, "scope": scope},
        )


# --- system clients ------------------------------------------------------------------------


def do_register_client(
    admin: Any, name: str, *, request: HttpRequest | None = None
) -> tuple[SystemClient, str]:
    """A clinic admin registers a backend client; returns it and its secret (shown once)."""
    if admin.role != Role.CLINIC_ADMIN or admin.membership is None:
        raise PermissionDenied("Only a clinic administrator registers system clients.")
    if not name.strip():
        raise ValidationError({"name": "Name the system, e.g. the registry it feeds."})
    refuse_null_characters("name", name)
    refuse_longer_than("name", name.strip(), CLIENT_NAME_MAX_CHARS)
    secret = generate_token()
    with transaction.atomic():
        application = Application.objects.create(
            name=name.strip(),
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            user=None,
        )
        client = SystemClient.objects.create(
            application=application,
            clinic_id=admin.membership.clinic_id,
            name=name.strip()[:200],
            registered_by=admin,
            registered_at=now(),
        )
        audit.record(Action.CREATE, request=request, user=admin, obj=client)
    return client, secret


def do_approve_client(
    clinician: Any, client: SystemClient, *, request: HttpRequest | None = None
) -> None:
    """A clinician of the client's clinic approves it: from now on it may read the clinic."""
    membership = clinician.membership
    if (
        membership is None
        or membership.role != Role.CLINICIAN
        or membership.clinic_id != client.clinic_id
    ):
        raise PermissionDenied("Only a clinician of the client's clinic approves it.")
    with transaction.atomic():
        SystemClient.objects.filter(pk=client.pk).update(
            approved_by=clinician, approved_at=now(), revoked_at=None
        )
        audit.record(
            Action.UPDATE, request=request, user=clinician, obj=client, detail={"approved": True}
        )


def do_revoke_client(
    user: Any, client: SystemClient, *, request: HttpRequest | None = None
) -> None:
    """The clinic's admin or a clinician withdraws the client; its tokens stop at once."""
    membership = user.membership
    if (
        membership is None
        or membership.clinic_id != client.clinic_id
        or membership.role
        not in (
            Role.CLINIC_ADMIN,
            Role.CLINICIAN,
        )
    ):
        raise PermissionDenied("Only the clinic's admin or a clinician withdraws a client.")
    with transaction.atomic():
        SystemClient.objects.filter(pk=client.pk).update(revoked_at=now())
        AccessToken.objects.filter(application_id=client.application_id).delete()
        audit.record(
            Action.UPDATE, request=request, user=user, obj=client, detail={"revoked": True}
        )
