"""Portal writes: the patient's own contact details and reminder settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.portal.models import PortalPreferences


def preferences_for(patient: Patient) -> PortalPreferences:
    prefs, _ = PortalPreferences.objects.get_or_create(patient=patient)
    return prefs


def do_update_settings(
    patient: Patient,
    prefs: PortalPreferences,
    *,
    user: Any,
    request: HttpRequest | None,
    changed: list[str],
) -> None:
    """Save both; simple-history keeps the earlier contact details for the clinician."""
    with transaction.atomic():
        patient.updated_by = user
        patient.save()
        prefs.save()
        audit.record(
            Action.UPDATE,
            request=request,
            user=user,
            obj=patient,
            patient=patient,
            detail={"changed": changed, "by": "patient"},
        )
