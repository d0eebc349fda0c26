"""Deployment invariants as Django system checks with stable ids (``tenderpoint.E001`` …)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError, connection


@register(Tags.security, deploy=True)
def check_sqlite_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    """E001: SQLite with DEBUG off needs an explicit opt-in (it is for one machine)."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if (
        not settings.DEBUG
        and engine.endswith("sqlite3")
        and not settings.TENDERPOINT_SQLITE_IN_PRODUCTION
    ):
        return [
            Error(
                "DEBUG is off but the database is SQLite.",
                hint="Set DATABASE_URL to PostgreSQL for a clinic deployment, or set "
                "TENDERPOINT_SQLITE_IN_PRODUCTION=true for a single-machine installation.",
                id="tenderpoint.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_staff_mfa(app_configs: Any, **kwargs: Any) -> list[Error]:
    """E002: staff MFA must be enforced outside debug."""
    if not settings.DEBUG and not settings.TENDERPOINT_STAFF_MFA_REQUIRED:
        return [
            Error(
                "Two-factor authentication is not enforced for staff.",
                hint="Remove TENDERPOINT_STAFF_MFA_REQUIRED=false: staff see patient data.",
                id="tenderpoint.E002",
            )
        ]
    return []


@register(Tags.compatibility, deploy=True)
def check_email_backend(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """W003: outside debug, e-mail must really leave the server (password resets, invitations)."""
    if not settings.DEBUG and settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        return [
            Warning(
                "E-mail is written to the console, not sent.",
                hint="Set TENDERPOINT_EMAIL_HOST (and _PORT, _USER, _PASSWORD) to an SMTP server.",
                id="tenderpoint.W003",
            )
        ]
    return []


@register(Tags.database)
def check_audit_table(
    app_configs: Any, databases: Any = None, **kwargs: Any
) -> list[Error | Warning]:
    """E004: the audit table must exist (run only with ``check --database default``).

    Django's ``migrate`` runs the database checks too, before migrating: on a database no
    migration has touched yet this is only a warning, or a new database could never be migrated.
    """
    if not databases:
        return []
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        return [Error(f"The database cannot be reached: {exc}", id="tenderpoint.E004")]
    if "django_migrations" not in tables:
        return [
            Warning(
                "The database is empty.",
                hint="Run `tenderpoint manage migrate`.",
                id="tenderpoint.W004",
            )
        ]
    if "audit_auditevent" not in tables:
        return [
            Error(
                "The audit trail table does not exist.",
                hint="Run `tenderpoint manage migrate`.",
                id="tenderpoint.E004",
            )
        ]
    return []


#: the audit trail extends its chain with ``UPDATE ... RETURNING`` (audit/services.py)
SQLITE_MINIMUM = (3, 35, 0)


@register(Tags.compatibility)
def check_sqlite_version(app_configs: Any, **kwargs: Any) -> list[Error]:
    """E005: SQLite must understand ``RETURNING`` (3.35, March 2021)."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return []
    from django.db.backends.sqlite3.base import Database

    if tuple(Database.sqlite_version_info) < SQLITE_MINIMUM:
        return [
            Error(
                f"SQLite {Database.sqlite_version} is too old: the audit trail needs "
                f"{'.'.join(map(str, SQLITE_MINIMUM))} or later.",
                hint="Use a Python built with a newer SQLite, or PostgreSQL (DATABASE_URL).",
                id="tenderpoint.E005",
            )
        ]
    return []
