"""How infusion records name themselves where a form lists them."""

from __future__ import annotations

import datetime

import pytest

from tenderpoint.web.infusions.models import Appointment

pytestmark = pytest.mark.django_db


def test_an_appointment_reads_in_the_clinics_time_zone_as_the_day_list_shows_it(world):
    """The plan form's appointment list said "16:00 UTC" for the visit the nurse's day list
    shows at 10:00 in Chicago; both now read the clinic's local time."""
    world.clinic.time_zone = "America/Chicago"
    world.clinic.save(update_fields=["time_zone"])
    appointment = Appointment.objects.create(
        patient=world.patient_record,
        kind="infusion",
        starts_at=datetime.datetime(2026, 11, 30, 16, 0, tzinfo=datetime.UTC),
        created_by=world.nurse,
        updated_by=world.nurse,
    )
    assert str(appointment) == "Infusion 2026-11-30 10:00 CST"
