"""The one access rule for patient data. Deny by default.

- a patient sees only their own record;
- nurses and clinicians see the patients of the clinic they belong to;
- nobody else sees any patient: not clinic administrators (they manage the clinic, not care),
  not operators (superusers), not anonymous visitors, not staff of another clinic.

``patients_visible_to`` (querysets) and the ``rules`` permissions (single objects) are built
from the same two facts, so a list and a detail page can never disagree; a test checks it.
Every other patient-data model is reached through its patient and so through this rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

if TYPE_CHECKING:
    from tenderpoint.web.patients.models import Patient, PatientQuerySet


def care_team_clinic_id(user: Any) -> int | None:
    """The clinic whose patients ``user`` treats (nurse or clinician), else None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = user.membership
    if membership is None or not user.is_care_team:
        return None
    return int(membership.clinic_id)


def patients_visible_to(user: Any, queryset: PatientQuerySet) -> PatientQuerySet:
    """Restrict ``queryset`` to what ``user`` may see; an empty queryset when in doubt."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    clinic_id = care_team_clinic_id(user)
    if clinic_id is not None:
        return queryset.filter(clinic_id=clinic_id)
    if user.role == "patient":
        return queryset.filter(user_id=user.pk)
    return queryset.none()


@rules.predicate
def is_the_patient(user: Any, patient: Patient | None) -> bool:
    return (
        patient is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == "patient"
        and patient.user_id == user.pk
    )


@rules.predicate
def is_in_care_team(user: Any, patient: Patient | None) -> bool:
    clinic_id = care_team_clinic_id(user)
    return patient is not None and clinic_id is not None and patient.clinic_id == clinic_id


@rules.predicate
def is_care_team_member(user: Any) -> bool:
    return care_team_clinic_id(user) is not None


rules.add_perm("patients.view_patient", is_the_patient | is_in_care_team)
rules.add_perm("patients.change_patient", is_in_care_team)
rules.add_perm("patients.list_patients", is_care_team_member)
rules.add_perm("patients.add_patient", is_care_team_member)
