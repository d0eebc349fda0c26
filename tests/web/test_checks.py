"""Each project system check fires exactly when its invariant is broken."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tenderpoint.web import checks

SQLITE = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}
POSTGRES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}}


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize(
    ("debug", "databases", "opt_in", "ids"),
    [
        (False, SQLITE, False, ["tenderpoint.E001"]),
        (False, SQLITE, True, []),
        (True, SQLITE, False, []),
        (False, POSTGRES, False, []),
    ],
)
def test_e001_sqlite_in_production(debug, databases, opt_in, ids):
    with override_settings(
        DEBUG=debug, DATABASES=databases, TENDERPOINT_SQLITE_IN_PRODUCTION=opt_in
    ):
        assert [m.id for m in checks.check_sqlite_in_production(None)] == ids


@pytest.mark.parametrize(
    ("debug", "required", "ids"),
    [(False, False, ["tenderpoint.E002"]), (False, True, []), (True, False, [])],
)
def test_e002_staff_mfa(debug, required, ids):
    with override_settings(DEBUG=debug, TENDERPOINT_STAFF_MFA_REQUIRED=required):
        assert [m.id for m in checks.check_staff_mfa(None)] == ids


@pytest.mark.parametrize(
    ("backend", "ids"),
    [
        ("django.core.mail.backends.console.EmailBackend", ["tenderpoint.W003"]),
        ("django.core.mail.backends.smtp.EmailBackend", []),
    ],
)
def test_w003_email_backend(backend, ids):
    with override_settings(DEBUG=False, EMAIL_BACKEND=backend):
        assert [m.id for m in checks.check_email_backend(None)] == ids


@pytest.mark.django_db
def test_e004_audit_table_present():
    assert checks.check_audit_table(None, databases=["default"]) == []
    assert checks.check_audit_table(None) == []


@pytest.mark.django_db
def test_e004_audit_table_missing(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(
        connection.introspection, "table_names", lambda: ["django_migrations", "other"]
    )
    assert [m.id for m in checks.check_audit_table(None, databases=["default"])] == [
        "tenderpoint.E004"
    ]


@pytest.mark.django_db
def test_an_empty_database_is_only_a_warning_so_migrate_can_create_it(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection.introspection, "table_names", list)
    assert [m.id for m in checks.check_audit_table(None, databases=["default"])] == [
        "tenderpoint.W004"
    ]


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize(
    ("version", "databases", "ids"),
    [
        ((3, 34, 1), SQLITE, ["tenderpoint.E005"]),  # just under: no RETURNING
        ((3, 35, 0), SQLITE, []),  # at the minimum
        ((3, 35, 1), SQLITE, []),  # just over
        ((3, 34, 1), POSTGRES, []),  # PostgreSQL has RETURNING
    ],
)
def test_e005_sqlite_needs_returning(monkeypatch, version, databases, ids):
    from django.db.backends.sqlite3.base import Database

    monkeypatch.setattr(Database, "sqlite_version_info", version)
    monkeypatch.setattr(Database, "sqlite_version", ".".join(map(str, version)))
    with override_settings(DATABASES=databases):
        assert [m.id for m in checks.check_sqlite_version(None)] == ids
