"""Sign-up is by invitation: clinics create accounts, visitors cannot register themselves.
Attempts refused by a log-in rate limit go to the audit trail."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.core.exceptions import ValidationError
from django.http import HttpRequest

LOCKOUT_CODE = "too_many_login_attempts"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        """Every refusal for too many attempts (password or second factor) is recorded: the
        attempts a lock-out turns away are part of the attack."""
        if code == LOCKOUT_CODE:
            _record_lockout(getattr(context, "request", None))
        return super().validation_error(code, *args)


def _record_lockout(request: HttpRequest | None) -> None:
    from tenderpoint.web.audit import services as audit
    from tenderpoint.web.audit.choices import Action

    attempted = ""
    if request is not None and request.method == "POST":
        attempted = str(request.POST.get("login", ""))[:254]
    audit.record(
        Action.LOCKED_OUT,
        request=request,
        object_type="accounts.user",
        detail={"attempted_email": attempted} if attempted else {},
    )
