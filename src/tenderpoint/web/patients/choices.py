from django.db import models


class Sex(models.TextChoices):
    """Sex recorded for dosing models and criteria studies (FHIR administrative-gender codes)."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class ContactPreference(models.TextChoices):
    CALL = "call", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"
    PORTAL = "portal", "Portal message"


class DiagnosisStatus(models.TextChoices):
    SUSPECTED = "suspected", "Suspected fibromyalgia"
    CONFIRMED = "confirmed", "Fibromyalgia confirmed"
    RULED_OUT = "ruled_out", "Fibromyalgia ruled out"
    UNKNOWN = "unknown", "Not yet assessed"
