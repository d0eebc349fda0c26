"""Second factors: TOTP secrets encrypted at rest, each code accepted once, failures audited.

- **Encryption at rest** (issue 13, defect 10): allauth stores the TOTP secret and the
  recovery-code seed through its adapter's ``encrypt``/``decrypt``; ours uses Fernet
  (AES-128-CBC + HMAC-SHA256) with a key derived from ``TENDERPOINT_TOTP_KEY`` (or
  ``_FILE``), which lives in the environment, never in the database. A database dump alone
  no longer yields anyone's second factor.
- **One use per code** (defect 3): allauth accepts the codes of ``MFA_TOTP_TOLERANCE`` steps
  either side (90 s with tolerance 1) but remembered used codes in the cache for only 30 s,
  so a code seen over a shoulder worked again 33–38 s later. RFC 6238 §5.2 asks that a
  verifier accept a code once; we keep the time step of the last accepted code on the
  authenticator row (under a row lock) and accept only later steps. Nothing expires, nothing
  depends on the cache.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

ENCRYPTED_PREFIX = "fernet:"
LAST_STEP_KEY = "last_accepted_step"


def _fernet() -> Fernet:
    secret = getattr(settings, "TENDERPOINT_TOTP_KEY", None)
    if not secret:
        raise ImproperlyConfigured("TENDERPOINT_TOTP_KEY is not set.")
    key = hashlib.sha256(b"tenderpoint-totp-at-rest:" + secret.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(text: str) -> str:
    return ENCRYPTED_PREFIX + _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_secret(stored: str) -> str:
    """Decrypt a stored secret; a value without our prefix was written before encryption
    and is refused (the 0002 migration encrypts them all), never used as it is."""
    if not stored.startswith(ENCRYPTED_PREFIX):
        raise ImproperlyConfigured(
            "A second-factor secret is stored unencrypted; run `tenderpoint manage migrate`."
        )
    try:
        return _fernet().decrypt(stored[len(ENCRYPTED_PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ImproperlyConfigured(
            "A second-factor secret cannot be decrypted: TENDERPOINT_TOTP_KEY is not the key "
            "it was encrypted with."
        ) from None


class MFAAdapter(DefaultMFAAdapter):
    """allauth's adapter with our encryption at rest."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)


def accept_totp_code_once(totp: Any, code: str) -> bool:
    """``TOTP.validate_code`` with single use: the code's time step must be later than the
    last step accepted for this authenticator. Installed by ``AccountsConfig.ready``."""
    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal import auth
    from allauth.mfa.utils import decrypt

    if auth._is_insecure_bypass(code):  # allauth's test-only bypass; unset in our settings
        return True
    secret = decrypt(totp.instance.data["secret"])
    step = _matching_step(secret, code, auth, app_settings.TOTP_TOLERANCE)
    if step is None:
        totp.instance.tenderpoint_failure = "wrong code"
        return False
    with transaction.atomic():
        row = Authenticator.objects.select_for_update().get(pk=totp.instance.pk)
        last = row.data.get(LAST_STEP_KEY)
        if last is not None and step <= int(last):
            totp.instance.tenderpoint_failure = "code already used"
            return False
        row.data[LAST_STEP_KEY] = step
        row.save(update_fields=["data"])
    totp.instance.data = row.data
    return True


def _matching_step(secret: str, code: str, auth: Any, tolerance: int) -> int | None:
    from allauth.core.internal.cryptokit import compare_user_code

    for step in auth.yield_hotp_counters_from_time():
        expected = auth.format_hotp_value(auth.hotp_value(secret, step))
        if compare_user_code(actual=code, expected=expected):
            return int(step)
    return None


def install_single_use_totp() -> None:
    """Replace allauth's cache-based replay memory by ``accept_totp_code_once``."""
    from allauth.mfa.totp.internal.auth import TOTP

    if not hasattr(TOTP, "validate_code"):  # pragma: no cover - an allauth upgrade
        raise ImproperlyConfigured("allauth's TOTP no longer has validate_code; review mfa.py.")
    TOTP.validate_code = accept_totp_code_once  # type: ignore[method-assign]
