"""Test settings: the real settings module, with a throwaway secret and fast hashing.

The environment is prepared before the import because the settings module reads it at import
time and refuses to start without a secret (as production must).
"""

import os
import tempfile

os.environ.setdefault("TENDERPOINT_SECRET_KEY", "test-only-secret-" + "x" * 48)
os.environ.setdefault("TENDERPOINT_DATA_DIR", tempfile.mkdtemp(prefix="tenderpoint-test-"))
os.environ.setdefault("TENDERPOINT_HTTPS", "false")
os.environ.setdefault("TENDERPOINT_TOTP_KEY", "test-only-totp-key-" + "t" * 40)
os.environ.setdefault("TENDERPOINT_AUDIT_KEY", "test-only-audit-key-" + "a" * 40)

from tenderpoint.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed: tests only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_pages": CACHES["public_pages"],  # noqa: F405  (the real database cache)
}
# Off by default: the page-cache table outlives a test's flush; its own tests switch it on.
TENDERPOINT_PUBLIC_CACHE_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns without it)
# Every chart the suite renders is validated against the Vega-Lite schema (production skips it).
TENDERPOINT_VALIDATE_CHARTS = True
