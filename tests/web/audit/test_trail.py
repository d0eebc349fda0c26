"""The audit trail is append-only and its hash chain exposes edits and deletions."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenderpoint.web.audit import services
from tenderpoint.web.audit.models import GENESIS_HASH, AuditEvent, AuditTrailIsAppendOnly
from tenderpoint.web.audit.verification import verify_chain


@pytest.fixture
def three_events(db):
    return [
        services.record("view", object_type="patients.patient", object_id=str(n)) for n in range(3)
    ]


def test_events_are_numbered_and_chained(three_events):
    first, second, third = three_events
    assert [e.sequence for e in three_events] == [1, 2, 3]
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert third.entry_hash == third.compute_hash()
    assert verify_chain().ok


def test_the_orm_cannot_change_or_delete_events(three_events):
    event = three_events[0]
    event.action = "export"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="export")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_changed_row_is_detected(three_events):
    _raw("UPDATE audit_auditevent SET action = %s WHERE sequence = %s", ["export", 2])
    report = verify_chain()
    assert report.problems == ["Event #2 was changed after it was written."]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_audit")


def test_a_deleted_row_in_the_middle_is_detected(three_events):
    _raw("DELETE FROM audit_auditevent WHERE sequence = %s", [2])
    problems = verify_chain().problems
    assert "Events #2–#2 are missing." in problems
    assert "Event #3 does not link to the event before it." in problems


def test_a_deleted_last_row_is_detected(three_events):
    _raw("DELETE FROM audit_auditevent WHERE sequence = %s", [3])
    problems = verify_chain().problems
    assert len(problems) == 1
    assert "events at the end are missing" in problems[0]


def test_verify_command_reports_an_intact_trail(three_events, capsys):
    call_command("verify_audit")
    assert "Audit trail intact: 3 events" in capsys.readouterr().out


def test_sign_in_and_failed_sign_in_are_recorded(world, client):
    client.post("/accounts/login/", {"login": world.patient.email, "password": "wrong password"})
    failed = AuditEvent.objects.get(action="failed_login")
    assert failed.actor_id is None
    assert failed.detail == {"attempted_email": world.patient.email}
    assert "wrong password" not in str(failed.hashed_fields())

    client.post(
        "/accounts/login/",
        {"login": world.patient.email, "password": "correct horse battery staple"},
    )
    login = AuditEvent.objects.get(action="login")
    assert login.actor_email == world.patient.email
    assert login.role == "patient"
    assert login.clinic_id == world.clinic.pk


def test_client_address_behind_trusted_proxies(settings, rf):
    from tenderpoint.web.audit.services import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.TENDERPOINT_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy configured: the header is ignored
    settings.TENDERPOINT_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the spoofed left-hand entry is not used


# --- anchoring outside the database (issue 13, defect 4) ---------------------------------
# Each of these tampering kinds left `verify_audit` saying "intact" before the keyed MACs and
# checkpoints; an attacker here can write to the database but does not hold the audit key.


@pytest.fixture
def six_checkpointed(db, settings, django_capture_on_commit_callbacks):
    """Six events, checkpointed after #2, #4 and #6 (as they commit)."""
    settings.TENDERPOINT_AUDIT_CHECKPOINT_EVERY = 2
    events = []
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            events.append(
                services.record("view", object_type="patients.patient", object_id=str(n), user=None)
            )
    assert verify_chain().ok
    return events


def _set_head(sequence: int) -> None:
    row = AuditEvent.objects.filter(sequence=sequence).first()
    _raw(
        "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
        [sequence, row.entry_hash if row else GENESIS_HASH],
    )


def _rehash_from(sequence: int) -> None:
    """What an attacker with database access does to make the chain consistent again: renumber
    and recompute every hash from ``sequence`` on (they cannot compute the keyed MAC)."""
    previous = AuditEvent.objects.filter(sequence__lt=sequence).order_by("-sequence").first()
    previous_hash = previous.entry_hash if previous else GENESIS_HASH
    expected = (previous.sequence if previous else 0) + 1
    for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        old_sequence = event.sequence
        event.sequence = expected
        event.previous_hash = previous_hash
        new_hash = event.compute_hash()
        _raw(
            "UPDATE audit_auditevent SET sequence = %s, previous_hash = %s, entry_hash = %s "
            "WHERE sequence = %s",
            [expected, previous_hash, new_hash, old_sequence],
        )
        previous_hash, expected = new_hash, expected + 1
    _set_head(expected - 1)


def test_cutting_the_last_rows_and_moving_the_head_back_is_detected(six_checkpointed):
    _raw("DELETE FROM audit_auditevent WHERE sequence >= %s", [5])
    _set_head(4)
    problems = verify_chain().problems
    assert len(problems) == 1
    assert "#6" in problems[0]
    assert "truncated or emptied" in problems[0]


def test_appending_a_correctly_chained_row_is_detected(six_checkpointed):
    last = six_checkpointed[-1]
    forged = AuditEvent(
        sequence=7,
        occurred_at=last.occurred_at,
        action="view",
        object_type="patients.patient",
        object_id="forged",
        previous_hash=last.entry_hash,
    )
    forged.entry_hash = forged.compute_hash()
    forged.mac = "0" * 64  # the attacker has no key
    forged.save()
    _set_head(7)
    problems = verify_chain().problems
    assert problems == [
        "Event #7 has no valid keyed MAC: it was written or rewritten by something that does "
        "not hold TENDERPOINT_AUDIT_KEY."
    ]


def test_deleting_a_middle_row_and_rehashing_forward_is_detected(six_checkpointed):
    _raw("DELETE FROM audit_auditevent WHERE sequence = %s", [3])
    _rehash_from(4)
    problems = verify_chain().problems
    assert any("Event #3 has no valid keyed MAC" in p for p in problems)
    assert any("does not match event #4" in p for p in problems)
    assert any("#6" in p and "truncated" in p for p in problems)


def test_reattributing_an_event_and_rehashing_is_detected(six_checkpointed):
    _raw("UPDATE audit_auditevent SET actor_email = %s WHERE sequence = %s", ["x@e.org", 2])
    _rehash_from(2)
    problems = verify_chain().problems
    assert "Event #2 has no valid keyed MAC" in problems[0]
    assert any("does not match event #2" in p for p in problems)


def test_emptying_the_table_and_resetting_the_head_is_detected(six_checkpointed):
    _raw("DELETE FROM audit_auditevent", [])
    _set_head(0)
    problems = verify_chain().problems
    assert len(problems) == 3  # checkpoints #2, #4 and #6 name missing events
    assert all("truncated or emptied" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_an_edited_checkpoint_or_a_removed_file_is_detected(six_checkpointed, settings):
    from pathlib import Path

    path = Path(settings.TENDERPOINT_AUDIT_CHECKPOINT_FILE)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0].replace('"sequence": 2', '"sequence": 1'), *lines[1:]]))
    assert any("does not carry a valid MAC" in p for p in verify_chain().problems)
    path.unlink()
    settings.TENDERPOINT_AUDIT_CHECKPOINT_EVERY = 5
    assert any("No checkpoint found" in p for p in verify_chain().problems)


def test_verify_prints_the_last_checkpoint_and_can_write_one(six_checkpointed, capsys):
    call_command("verify_audit", "--checkpoint")
    out = capsys.readouterr().out
    assert "Last checkpoint: #6" in out
    assert "Checkpoint written: #6" in out
    assert "3 checkpoint(s) compared" in out


def test_cross_clinic_attempts_are_filed_for_both_clinics(world, client_for):
    """Defect 5: a refused attempt went only into the attacker's clinic's trail."""
    from django.urls import reverse

    client_for(world.other_clinician).get(world.patient_record.get_absolute_url())
    denied = AuditEvent.objects.get(action="denied", actor_id=world.other_clinician.pk)
    assert (denied.clinic_id, denied.subject_clinic_id) == (world.other_clinic.pk, world.clinic.pk)
    body = client_for(world.clinic_admin).get(reverse("audit:list")).content.decode()
    assert world.other_clinician.email in body
    assert "(another clinic)" in body


def test_reads_of_the_audit_view_and_staff_list_are_audited(world, client_for):
    """Defect 5: reading the audit view and the staff list left no event."""
    from django.urls import reverse

    admin = client_for(world.clinic_admin)
    admin.get(reverse("audit:list"))
    admin.get(reverse("accounts:staff"))
    reads = AuditEvent.objects.filter(action="view", actor_id=world.clinic_admin.pk)
    assert {"audit.auditevent_list", "accounts.staff_list"} <= set(
        reads.values_list("object_type", flat=True)
    )
