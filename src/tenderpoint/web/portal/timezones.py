"""The patient's own time zone and calendar date (a diary day is the patient's local date)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone

from tenderpoint.web.patients.models import Patient


def patient_zone(patient: Patient) -> zoneinfo.ZoneInfo:
    """The patient's chosen time zone, else their clinic's."""
    from tenderpoint.web.portal.models import PortalPreferences

    chosen = (
        PortalPreferences.objects.filter(patient=patient)
        .values_list("time_zone", flat=True)
        .first()
    )
    return zoneinfo.ZoneInfo(chosen or patient.clinic.time_zone)


def local_now(patient: Patient, now: datetime.datetime | None = None) -> datetime.datetime:
    """``now`` (default: the current time) in the patient's time zone."""
    return (now or timezone.now()).astimezone(patient_zone(patient))
