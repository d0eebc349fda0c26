"""Sign-in, sign-out and failed sign-in go to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tenderpoint.web.audit import services
from tenderpoint.web.audit.choices import Action


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.record(Action.LOGIN, request=request, user=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.record(Action.LOGOUT, request=request, user=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # The attempted e-mail is kept (it identifies the account under attack); never the password.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    services.record(
        Action.FAILED_LOGIN,
        request=request,
        user=None,
        object_type="accounts.user",
        detail={"attempted_email": attempted},
    )
