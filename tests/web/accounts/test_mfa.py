"""Second factors: each TOTP code accepted once (defect 3), secrets encrypted at rest with a
key from the environment (defect 10), and failures audited (defect 5)."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from tenderpoint.web.accounts.mfa import ENCRYPTED_PREFIX, decrypt_secret
from tenderpoint.web.audit.models import AuditEvent
from tests.web.factories import PASSWORD


def _code(secret: str, steps_from_now: int, now: float | None = None) -> str:
    step = int(now if now is not None else time.time()) // 30 + steps_from_now
    return format_hotp_value(hotp_value(secret, step))


def _totp(user) -> TOTP:
    return TOTP(Authenticator.objects.get(user=user, type="totp"))


def test_totp_window_and_single_use(world):
    secret = world.totp_secrets[world.clinician.email]
    totp = _totp(world.clinician)
    assert totp.validate_code(_code(secret, -1))
    assert not totp.validate_code(_code(secret, -1))  # replay refused
    assert not totp.validate_code(_code(secret, -3))


def test_a_used_code_stays_refused_after_the_cache_forgets_it(world, monkeypatch):
    """Defect 3: allauth remembered a used code for 30 s but accepted it for 90 s; 33–38 s
    later, in a new log-in, it worked again. Here the cache is emptied (as 30 s would) and the
    clock moved on 35 s, still inside the code's acceptance window."""
    secret = world.totp_secrets[world.clinician.email]
    start = (int(time.time()) // 30) * 30 + 1.0  # early in a step
    monkeypatch.setattr(time, "time", lambda: start)
    code = _code(secret, 0, start)
    assert _totp(world.clinician).validate_code(code)
    cache.clear()
    monkeypatch.setattr(time, "time", lambda: start + 35)
    assert not _totp(world.clinician).validate_code(code)  # fresh object, as a new log-in
    assert _totp(world.clinician).validate_code(_code(secret, 0, start + 35))  # the next code


def test_an_older_code_is_refused_after_a_newer_one(world):
    secret = world.totp_secrets[world.clinician.email]
    assert _totp(world.clinician).validate_code(_code(secret, 0))
    assert not _totp(world.clinician).validate_code(_code(secret, -1))


def test_secrets_are_encrypted_at_rest_with_the_environment_key(world, settings):
    """Defect 10: TOTP secrets were stored in plain text."""
    authenticator = Authenticator.objects.get(user=world.clinician, type="totp")
    stored = authenticator.data["secret"]
    assert stored.startswith(ENCRYPTED_PREFIX)
    assert world.totp_secrets[world.clinician.email] not in stored
    assert decrypt_secret(stored) == world.totp_secrets[world.clinician.email]
    settings.TENDERPOINT_TOTP_KEY = "another key entirely, " + "z" * 30
    with pytest.raises(ImproperlyConfigured, match="not the key it was encrypted with"):
        decrypt_secret(stored)


def test_a_plain_text_secret_is_refused_not_used():
    with pytest.raises(ImproperlyConfigured, match="unencrypted"):
        decrypt_secret("JBSWY3DPEHPK3PXP")


def _password_step(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")


def test_wrong_and_replayed_codes_are_audited(world, client):
    """Defect 5: 14 wrong or replayed codes left 0 events."""
    secret = world.totp_secrets[world.nurse.email]
    _password_step(client, world.nurse)
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    used = _code(secret, 0)
    assert _totp(world.nurse).validate_code(used)  # seen over a shoulder and used once
    client.post(reverse("mfa_authenticate"), {"code": used})
    failures = AuditEvent.objects.filter(action="failed_mfa", actor_id=world.nurse.pk)
    reasons = [event.detail["reason"] for event in failures.order_by("sequence")]
    assert reasons[-2:] == ["wrong code", "code already used"]


def test_attempts_while_locked_out_are_audited(world, client, settings):
    """Defect 5: attempts while a log-in was locked left no event."""
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "2/m/ip,2/5m/key"}
    for _ in range(4):
        client.post(reverse("account_login"), {"login": world.nurse.email, "password": "wrong!"})
    locked = AuditEvent.objects.filter(action="locked_out")
    assert locked.exists()
    assert locked.first().detail["attempted_email"] == world.nurse.email
