"""Correcting charted rows: edit while a draft, amendment after signing, never delete."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tenderpoint.web.common.models import ClinicalRecordDeletionError
from tenderpoint.web.infusions import corrections, services
from tenderpoint.web.infusions.models import AdverseEvent, PumpEvent, VitalSigns
from tenderpoint.web.infusions.services import RecordLockedError
from tests.web.infusions import helpers

AE = {
    "at": None,
    "event_type": "nausea",
    "severity": "mild",
    "description": "",
    "action": "Ondansetron 4 mg IV",
    "outcome": "Resolved",
}


@pytest.fixture
def session(world: Any) -> Any:
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    return helpers.charted_session(plan, world.nurse)


def _ae(session: Any, nurse: Any) -> AdverseEvent:
    fields = {**AE, "at": session.started_at + datetime.timedelta(minutes=30)}
    return services.do_record_adverse_event(session, user=nurse, fields=fields)


def _sign(session: Any, world: Any) -> Any:
    helpers.discharge(session, world.nurse)
    helpers.controlled_record(session, world.nurse, world.clinician)
    return services.do_sign_session(session, user=world.clinician)


def test_draft_adverse_event_is_edited_in_place_with_history(world, session):
    event = _ae(session, world.nurse)
    corrections.do_edit_row(
        event, user=world.nurse, changes={"severity": "moderate", "outcome": "Resolved by 30 min"}
    )
    event.refresh_from_db()
    assert (event.severity, event.outcome) == ("moderate", "Resolved by 30 min")
    assert [h.severity for h in event.history.order_by("history_date")] == ["mild", "moderate"]


def test_signed_session_refuses_a_direct_adverse_event_edit(world, session):
    event = _ae(session, world.nurse)
    _sign(session, world)
    with pytest.raises(RecordLockedError):
        corrections.do_edit_row(event, user=world.clinician, changes={"severity": "severe"})
    with pytest.raises(RecordLockedError):
        corrections.do_mark_row_in_error(event, user=world.clinician, reason="wrong patient")
    event.refresh_from_db()
    assert event.severity == "mild"
    assert not event.is_entered_in_error


def test_signed_adverse_event_is_corrected_by_amendment(world, session):
    event = _ae(session, world.nurse)
    _sign(session, world)
    amendment = corrections.do_amend_row(
        event,
        user=world.clinician,
        reason="Severity recorded before the review",
        changes={"severity": "moderate"},
    )
    event.refresh_from_db()
    session.refresh_from_db()
    assert event.severity == "moderate"
    assert session.status == "amended"
    assert amendment.changes == {
        f"adverse event {event.public_id}: severity": {"old": "mild", "new": "moderate"}
    }


def test_amendment_needs_a_clinician_and_a_reason(world, session):
    event = _ae(session, world.nurse)
    _sign(session, world)
    with pytest.raises(PermissionDenied):
        corrections.do_amend_row(
            event, user=world.nurse, reason="typo", changes={"severity": "moderate"}
        )
    with pytest.raises(ValidationError) as error:
        corrections.do_amend_row(
            event, user=world.clinician, reason=" ", changes={"severity": "moderate"}
        )
    assert "reason" in error.value.message_dict


def test_draft_is_not_amended(world, session):
    event = _ae(session, world.nurse)
    with pytest.raises(ValidationError):
        corrections.do_amend_row(event, user=world.clinician, reason="x", entered_in_error=True)


def test_entered_in_error_instead_of_delete(world, session):
    event = _ae(session, world.nurse)
    with pytest.raises(ClinicalRecordDeletionError):
        event.delete()
    corrections.do_mark_row_in_error(event, user=world.nurse, reason="Charted on the wrong chair")
    assert not session.adverse_events.exists()  # left out of what the chart counts
    kept = AdverseEvent.with_errors.get(pk=event.pk)
    assert kept.entered_in_error_reason == "Charted on the wrong chair"
    assert kept.entered_in_error_by == world.nurse
    with pytest.raises(ValidationError):
        corrections.do_edit_row(kept, user=world.nurse, changes={"severity": "severe"})


def test_signed_adverse_event_marked_in_error_by_amendment(world, session):
    event = _ae(session, world.nurse)
    _sign(session, world)
    corrections.do_amend_row(
        event, user=world.clinician, reason="Belongs to another session", entered_in_error=True
    )
    assert AdverseEvent.with_errors.get(pk=event.pk).is_entered_in_error
    assert session.amendments.get().changes == {
        f"adverse event {event.public_id}: entered in error": {"old": "no", "new": "yes"}
    }


def test_edited_vitals_are_rechecked_against_the_alert_thresholds(world, session):
    vitals = session.vitals.get()
    with pytest.raises(ValidationError) as error:
        corrections.do_edit_row(vitals, user=world.nurse, changes={"spo2_pct": 91})
    assert "action_taken" in error.value.message_dict
    corrections.do_edit_row(
        vitals, user=world.nurse, changes={"spo2_pct": 91, "action_taken": "Paused; O2 2 L/min"}
    )
    vitals.refresh_from_db()
    assert [a["code"] for a in vitals.alerts] == ["spo2_low"]


def test_signed_vitals_refuse_direct_edit_and_accept_amendment(world, session):
    _sign(session, world)
    vitals = session.vitals.get()
    with pytest.raises(RecordLockedError):
        corrections.do_edit_row(vitals, user=world.clinician, changes={"heart_rate_bpm": 80})
    corrections.do_amend_row(
        vitals, user=world.clinician, reason="Transcription error", changes={"heart_rate_bpm": 80}
    )
    assert VitalSigns.objects.get(pk=vitals.pk).heart_rate_bpm == 80


def test_only_the_latest_pump_event_is_undone_and_the_dose_recomputed(world, session):
    start, stop = list(session.pump_events.all())
    delivered = session.delivered_mg
    with pytest.raises(ValidationError):
        corrections.do_mark_row_in_error(start, user=world.nurse, reason="wrong")
    with pytest.raises(ValidationError):
        corrections.do_edit_row(stop, user=world.nurse, changes={"rate_ml_per_h": 10})
    corrections.do_mark_row_in_error(stop, user=world.nurse, reason="Stopped too early in chart")
    session.refresh_from_db()
    assert session.ended_at is None
    assert session.delivered_mg >= delivered  # still running: counted up to now
    assert list(session.pump_events.all()) == [start]
    assert PumpEvent.with_errors.filter(session=session).count() == 2


def test_signed_pump_events_are_not_amended(world, session):
    _sign(session, world)
    stop = session.pump_events.last()
    with pytest.raises(ValidationError):
        corrections.do_amend_row(stop, user=world.clinician, reason="x", entered_in_error=True)
    with pytest.raises(RecordLockedError):
        corrections.do_mark_row_in_error(stop, user=world.clinician, reason="x")


def test_views_edit_and_refuse(world, session, client_for):
    event = _ae(session, world.nurse)
    client = client_for(world.nurse)
    url = f"/patients/{world.patient_record.public_id}/sessions/{session.public_id}/"
    page = client.get(url, {"edit": f"adverse:{event.public_id}"})
    assert page.status_code == 200
    assert 'name="action" value="edit_row"' in page.content.decode()
    posted = {
        "action": "edit_row",
        "row-row_kind": "adverse",
        "row-row_id": str(event.public_id),
        "row-at": "2026-01-01T10:00",
        "row-event_type": "nausea",
        "row-severity": "moderate",
        "row-action": "Ondansetron",
        "row-outcome": "Resolved",
    }
    assert client.post(url, posted).status_code == 302
    assert AdverseEvent.objects.get(pk=event.pk).severity == "moderate"
    _sign(session, world)
    refused = client.post(url, {**posted, "row-severity": "severe"})
    assert refused.status_code == 409
    assert AdverseEvent.objects.get(pk=event.pk).severity == "moderate"
    missing = client.post(url, {**posted, "row-row_id": "00000000-0000-0000-0000-000000000000"})
    assert missing.status_code == 404


def test_marking_in_error_without_a_reason_is_a_422_naming_it(world, session, client_for):
    event = _ae(session, world.nurse)
    client = client_for(world.nurse)
    url = f"/patients/{world.patient_record.public_id}/sessions/{session.public_id}/"
    posted = {
        "action": "in_error",
        "row-row_kind": "adverse",
        "row-row_id": str(event.public_id),
        "row-reason": "",
    }
    response = client.post(url, posted)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Mark entered in error: adverse event" in body  # the form shown again, same action
    assert "This field is required" in body
    assert not AdverseEvent.with_errors.get(pk=event.pk).is_entered_in_error
    done = client.post(url, posted | {"row-reason": "Wrong chair"})
    assert done.status_code == 302
    assert AdverseEvent.with_errors.get(pk=event.pk).entered_in_error_reason == "Wrong chair"
