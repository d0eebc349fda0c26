"""Choices of the accounts app."""

from django.db import models


class Role(models.TextChoices):
    """What a member does at a clinic; it decides what they may see."""

    PATIENT = "patient", "Patient"
    NURSE = "nurse", "Nurse"
    CLINICIAN = "clinician", "Clinician"
    CLINIC_ADMIN = "clinic_admin", "Clinic administrator"


CARE_TEAM_ROLES = frozenset({Role.NURSE, Role.CLINICIAN})
STAFF_ROLES = frozenset({Role.NURSE, Role.CLINICIAN, Role.CLINIC_ADMIN})
