"""TOTP accepts the neighbouring 30-s step (clock drift, a code typed as the step turns over),
nothing older, and each code only once."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value


def _code(secret: str, steps_from_now: int) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + steps_from_now))


def test_totp_window_and_single_use(world):
    secret = world.totp_secrets[world.clinician.email]
    totp = TOTP(Authenticator.objects.get(user=world.clinician, type="totp"))
    assert totp.validate_code(_code(secret, -1))
    assert not totp.validate_code(_code(secret, -1))  # replay refused
    assert not totp.validate_code(_code(secret, -3))
