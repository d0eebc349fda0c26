"""Second-factor events go to the audit trail: a wrong or replayed code, an enrolment, a
removal. (Sign-in, sign-out and failed passwords are recorded by ``audit.signals``.)"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.dispatch import receiver

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action


@receiver(mfa_signals.authentication_failed)
def _second_factor_failed(
    sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any
) -> None:
    reason = getattr(authenticator, "tenderpoint_failure", "wrong code")
    audit.record(
        Action.FAILED_MFA,
        request=request,
        user=user,
        obj=user,
        detail={"reason": reason, "authenticator": authenticator.type},
    )


@receiver(mfa_signals.authenticator_added)
def _authenticator_added(
    sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any
) -> None:
    audit.record(
        Action.CREATE,
        request=request,
        user=user,
        object_type="mfa.authenticator",
        object_id=str(authenticator.pk),
        detail={"authenticator": authenticator.type},
    )


@receiver(mfa_signals.authenticator_removed)
def _authenticator_removed(
    sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any
) -> None:
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        object_type="mfa.authenticator",
        object_id=str(authenticator.pk),
        detail={"authenticator": authenticator.type, "removed": True},
    )
