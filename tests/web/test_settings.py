"""The settings module refuses unsafe configurations, and production settings pass
``check --deploy``. These run in a fresh interpreter because settings are read at import."""

from __future__ import annotations

import os
import subprocess
import sys

PRODUCTION_ENV = {
    "TENDERPOINT_SECRET_KEY": "p" * 20 + "R0duct10n-Secret-kEy-With-Variety-0123456789",
    "DATABASE_URL": "postgres://tenderpoint@db.internal:5432/tenderpoint",
    "TENDERPOINT_ALLOWED_HOSTS": "clinic.example",
    "TENDERPOINT_EMAIL_HOST": "smtp.example",
    "TENDERPOINT_TOTP_KEY": "totp-" + "k" * 40,
    "TENDERPOINT_AUDIT_KEY": "audit-" + "k" * 40,
}


def _django(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TENDERPOINT_", "DATABASE", "DJANGO_"))
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "tenderpoint.web.settings"}
    clean |= {"TENDERPOINT_DATA_DIR": str(tmp_path)} | env
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "TENDERPOINT_SECRET_KEY"}
    result = _django(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "TENDERPOINT_SECRET_KEY (or TENDERPOINT_SECRET_KEY_FILE) is not set" in result.stderr


def test_settings_refuse_a_malformed_boolean(tmp_path):
    result = _django(["check"], PRODUCTION_ENV | {"TENDERPOINT_DEBUG": "ture"}, tmp_path)
    assert result.returncode != 0
    assert "TENDERPOINT_DEBUG='ture' is not a boolean" in result.stderr


def test_sqlite_without_opt_in_fails_the_deploy_check(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = _django(["check", "--deploy"], env, tmp_path)
    assert result.returncode != 0
    assert "tenderpoint.E001" in result.stderr
