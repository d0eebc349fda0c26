"""Writes to patient records: ``check_*`` authorises, ``do_*`` writes and audits."""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.patients.models import Patient


def check_can_add_patient(user: Any) -> None:
    if not rules.has_perm("patients.add_patient", user):
        raise PermissionDenied("Only nurses and clinicians can register patients.")


@transaction.atomic  # the write and its audit event commit together, or neither
def do_create_patient(*, user: Any, request: Any = None, **fields: Any) -> Patient:
    """Register a patient at the user's clinic and record who did it."""
    check_can_add_patient(user)
    patient = Patient(clinic=user.clinic, created_by=user, updated_by=user, **fields)
    patient.full_clean()
    patient.save()
    audit.record(Action.CREATE, request=request, user=user, obj=patient, patient=patient)
    return patient


@transaction.atomic  # the write and its audit event commit together, or neither
def do_update_patient(
    patient: Patient, *, user: Any, request: Any = None, changed: list[str]
) -> Patient:
    """Save changes a form already applied to ``patient``; the audit event lists the fields."""
    if not rules.has_perm("patients.change_patient", user, patient):
        raise PermissionDenied("You cannot change this patient's record.")
    patient.updated_by = user
    patient.full_clean()
    patient.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=patient,
        patient=patient,
        detail={"fields": sorted(changed)},
    )
    return patient
