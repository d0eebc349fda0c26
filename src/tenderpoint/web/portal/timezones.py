"""The patient's own time zone and calendar date (a diary day is the patient's local date)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone

from tenderpoint.web.patients.models import Patient


def patient_zone(patient: Patient) -> zoneinfo.ZoneInfo:
    """The patient's chosen time zone, else their clinic's (looked up once per loaded record:
    a portal request asks for it several times)."""
    from tenderpoint.web.portal.models import PortalPreferences

    cached: zoneinfo.ZoneInfo | None = getattr(patient, "_portal_zone", None)
    if cached is not None:
        return cached
    chosen = (
        PortalPreferences.objects.filter(patient=patient)
        .values_list("time_zone", flat=True)
        .first()
    )
    zone = zoneinfo.ZoneInfo(chosen or patient.clinic.time_zone)
    patient._portal_zone = zone  # type: ignore[attr-defined]
    return zone


def local_now(patient: Patient, now: datetime.datetime | None = None) -> datetime.datetime:
    """``now`` (default: the current time) in the patient's time zone."""
    return (now or timezone.now()).astimezone(patient_zone(patient))
