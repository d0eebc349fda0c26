"""Writes to patient records: ``check_*`` authorises, ``do_*`` writes and audits."""

from __future__ import annotations

import datetime
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tenderpoint.web.accounts.models import MAX_PLAUSIBLE_AGE_YEARS, Clinic
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.patients.models import Patient


def validate_date_of_birth(
    date_of_birth: datetime.date, clinic: Clinic, today: datetime.date | None = None
) -> None:
    """Refuse a date of birth in the future, one older than any living person, or one that
    makes the patient younger than the clinic's minimum age. ``today`` is the clinic's
    today (its time zone), so a birthday counts from local midnight."""
    if today is None:
        today = datetime.datetime.now(tz=clinic.tzinfo).date()
    if date_of_birth > today:
        raise ValidationError(
            {"date_of_birth": f"The date of birth {date_of_birth:%Y-%m-%d} is in the future."},
            code="future",
        )
    age = _age_years(date_of_birth, today)
    if age > MAX_PLAUSIBLE_AGE_YEARS:
        raise ValidationError(
            {
                "date_of_birth": (
                    f"The date of birth {date_of_birth:%Y-%m-%d} gives an age of {age} years, "
                    f"more than {MAX_PLAUSIBLE_AGE_YEARS}; please check the year."
                )
            },
            code="too_old",
        )
    minimum = clinic.minimum_patient_age_years
    if age < minimum:
        raise ValidationError(
            {
                "date_of_birth": (
                    f"The date of birth {date_of_birth:%Y-%m-%d} gives an age of {age}; "
                    f"{clinic.name} treats patients from {minimum} years."
                )
            },
            code="under_minimum_age",
        )


def _age_years(date_of_birth: datetime.date, today: datetime.date) -> int:
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - int(before_birthday)


def check_can_add_patient(user: Any) -> None:
    if not rules.has_perm("patients.add_patient", user):
        raise PermissionDenied("Only nurses and clinicians can register patients.")


@transaction.atomic  # the write and its audit event commit together, or neither
def do_create_patient(*, user: Any, request: Any = None, **fields: Any) -> Patient:
    """Register a patient at the user's clinic and record who did it."""
    check_can_add_patient(user)
    patient = Patient(clinic=user.clinic, created_by=user, updated_by=user, **fields)
    patient.full_clean()
    validate_date_of_birth(patient.date_of_birth, patient.clinic)
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
    if "date_of_birth" in changed:
        validate_date_of_birth(patient.date_of_birth, patient.clinic)
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
