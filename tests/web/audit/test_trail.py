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
    assert "Audit trail intact: 3 events." in capsys.readouterr().out


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
