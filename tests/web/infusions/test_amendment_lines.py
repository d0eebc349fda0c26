"""Amendments on the chart: rows named by their local time, fields by their form labels."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tenderpoint.web.infusions import corrections, services
from tenderpoint.web.infusions.amendment_lines import AmendmentLine, amendment_lines
from tests.web.infusions import helpers
from tests.web.infusions.test_corrections import _ae, _sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(world: Any) -> Any:
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    return helpers.charted_session(plan, world.nurse)


def test_a_row_amendment_names_the_row_by_its_local_time_and_the_field_by_its_label(world, session):
    event = _ae(session, world.nurse)
    _sign(session, world)
    vitals = session.vitals.get()
    systolic_before = vitals.systolic_mmhg
    vitals_amendment = corrections.do_amend_row(
        vitals, user=world.clinician, reason="Transcription", changes={"systolic_mmhg": 131}
    )
    new_time = event.at + datetime.timedelta(minutes=5)
    ae_amendment = corrections.do_amend_row(
        event, user=world.clinician, reason="Time from the monitor", changes={"at": new_time}
    )
    in_error = corrections.do_amend_row(
        event, user=world.clinician, reason="Wrong patient", entered_in_error=True
    )
    with timezone.override(world.clinic.tzinfo):
        vitals_at = f"{timezone.localtime(vitals.at):%H:%M}"
        event_at = f"{timezone.localtime(new_time):%H:%M}"
        assert amendment_lines(vitals_amendment.changes, session) == [
            AmendmentLine(
                f"Vitals charted at {vitals_at}",
                "Systolic (mmHg)",
                str(systolic_before),
                "131",
            )
        ]
        [moved] = amendment_lines(ae_amendment.changes, session)
        assert moved.row == f"Adverse event charted at {event_at}"
        assert moved.field == "Time"
        # stored in UTC, shown in the clinic's zone
        assert moved.new == f"{timezone.localtime(new_time):%Y-%m-%d %H:%M}"
        assert moved.old == f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}"
        [marked] = amendment_lines(in_error.changes, session)
        assert (marked.field, marked.old, marked.new) == ("Entered in error", "no", "yes")
    assert str(event.public_id) not in repr(amendment_lines(ae_amendment.changes, session))


def test_a_session_amendment_shows_its_field_labels(world, session):
    _sign(session, world)
    amendment = services.do_amend_session(
        session, user=world.clinician, reason="Lot misread", changes={"vial_lot": "B-22"}
    )
    [line] = amendment_lines(amendment.changes, session)
    assert (line.row, line.field, line.new) == ("", "Vial lot", "B-22")


def test_the_chart_shows_the_words_not_the_ids(world, session, client_for):
    event = _ae(session, world.nurse)
    _sign(session, world)
    corrections.do_amend_row(
        event, user=world.clinician, reason="Reviewed", changes={"severity": "moderate"}
    )
    url = reverse(
        "console:session",
        kwargs={"patient_id": session.patient.public_id, "session_id": session.public_id},
    )
    body = client_for(world.clinician).get(url).content.decode()
    with timezone.override(world.clinic.tzinfo):
        assert f"Adverse event charted at {timezone.localtime(event.at):%H:%M}" in body
    assert "Severity: “mild” → “moderate”" in body
    assert f"adverse event {event.public_id}" not in body
