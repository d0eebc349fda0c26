"""The current authenticator code of a demo staff account, so the demo needs no phone."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tenderpoint.web.demo.seed import DEMO_DOMAIN


def current_code(email: str) -> str:
    """Refuses anything but a demo account: this must never become a way round MFA."""
    if not email.lower().endswith("@" + DEMO_DOMAIN):
        raise PermissionError(f"{email} is not a demo account.")
    authenticator = Authenticator.objects.get(
        user__email=email.lower(), type=Authenticator.Type.TOTP
    )
    secret = get_adapter().decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))
