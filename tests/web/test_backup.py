"""Backup and restore round trip: every record back, the audit trail verifying, and a
restore told apart from a truncation (issue 13). Each database run tests its own engine's path:
SQLite's online backup API on SQLite, pg_dump and pg_restore on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.audit.verification import verify_chain
from tenderpoint.web.backup import (
    PG_DUMP_FILE,
    SQLITE_FILE,
    BackupError,
    make_backup,
    read_manifest,
    restore_backup,
)
from tenderpoint.web.patients.models import Patient
from tests.web.factories import ClinicFactory, PatientFactory


def _database_file() -> str:
    """The backup's database file on this run's engine (SQLite online backup, or pg_dump)."""
    return SQLITE_FILE if connection.vendor == "sqlite" else PG_DUMP_FILE


def _events(n: int) -> None:
    for number in range(n):
        audit.record("view", object_type="patients.patient", object_id=f"e{number}")


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_record_and_the_trail_verifies(tmp_path: Path, settings):
    settings.TENDERPOINT_AUDIT_CHECKPOINT_EVERY = 3
    clinic = ClinicFactory()
    kept = [PatientFactory(clinic=clinic) for _ in range(5)]
    _events(7)
    backup_dir = tmp_path / "nightly"
    result = make_backup(backup_dir)
    manifest = read_manifest(backup_dir)
    assert manifest["audit_head"]["sequence"] == result.head_sequence == 7
    assert set(manifest["files"]) == {_database_file(), "audit-checkpoints.log"}

    # Life goes on after the backup: more patients, more events, more checkpoints.
    PatientFactory(clinic=clinic, family_name="Afterwards")
    _events(5)
    assert verify_chain().ok

    restore_backup(backup_dir)

    assert sorted(Patient.objects.values_list("public_id", flat=True)) == sorted(
        p.public_id for p in kept
    )
    assert AuditEvent.objects.count() == 7
    report = verify_chain()
    assert report.ok, report.problems
    assert report.last_checkpoint.kind == "restore"
    assert report.last_checkpoint.sequence == 7

    # The trail goes on from the restored head, and still verifies.
    _events(4)
    assert verify_chain().ok


@pytest.mark.sqlite_only  # copies the SQLite file back by hand
@pytest.mark.django_db(transaction=True)
def test_a_truncation_without_a_restore_checkpoint_still_fails(tmp_path: Path, settings):
    settings.TENDERPOINT_AUDIT_CHECKPOINT_EVERY = 3
    _events(4)
    make_backup(tmp_path / "b")
    _events(5)  # checkpoints at 6 and 9
    # Someone copies the old database file back in without `tenderpoint restore`.
    import sqlite3

    old = sqlite3.connect(str(tmp_path / "b" / "database.sqlite3"))
    old.backup(connection.connection)
    old.close()
    problems = verify_chain().problems
    assert any("#9" in problem and "truncated" in problem for problem in problems)


@pytest.mark.django_db(transaction=True)
def test_a_changed_backup_is_refused(tmp_path: Path):
    _events(2)
    make_backup(tmp_path / "b")
    with (tmp_path / "b" / _database_file()).open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(BackupError, match="changed since the backup") as error:
        restore_backup(tmp_path / "b")
    assert error.value.field == _database_file()
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_a_non_empty_directory(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "other").write_text("x")
    with pytest.raises(BackupError, match="not empty"):
        make_backup(tmp_path / "b")
