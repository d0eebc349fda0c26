"""The patient record: identity and profile. Clinical detail lives in its own apps."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from tenderpoint.web.accounts.models import Clinic, phone_validator
from tenderpoint.web.common.models import ClinicalRecord, ClinicalRecordQuerySet
from tenderpoint.web.patients.choices import ContactPreference, DiagnosisStatus, Sex


class PatientQuerySet(ClinicalRecordQuerySet):
    def for_user(self, user: object) -> PatientQuerySet:
        """The patients ``user`` may see: the one access rule (see ``policies``)."""
        from tenderpoint.web.patients.policies import patients_visible_to

        return patients_visible_to(user, self)


class Patient(ClinicalRecord):
    """A person treated at a clinic; optionally linked to a portal account."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient_record",
        help_text="The patient's own portal account, if any.",
    )
    medical_record_number = models.CharField(
        "record number", max_length=40, help_text="The clinic's own identifier for the patient."
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True, validators=[phone_validator])
    contact_preference = models.CharField(
        max_length=10, choices=ContactPreference.choices, default=ContactPreference.PORTAL
    )
    height_cm = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(250)],
    )
    weight_kg = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(350)],
    )
    diagnosis_status = models.CharField(
        max_length=12, choices=DiagnosisStatus.choices, default=DiagnosisStatus.UNKNOWN
    )
    referral_source = models.CharField(max_length=200, blank=True)
    emergency_contact = models.CharField(max_length=200, blank=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "medical_record_number"], name="unique_record_number_per_clinic"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("patients:detail", kwargs={"patient_id": self.public_id})

    @property
    def display_name(self) -> str:
        given = self.preferred_name or self.given_name
        return f"{given} {self.family_name}"

    def age_years(self, on: datetime.date | None = None) -> int:
        """Age in whole years on ``on`` (default: today in UTC)."""
        today = on or datetime.datetime.now(tz=datetime.UTC).date()
        before_birthday = (today.month, today.day) < (
            self.date_of_birth.month,
            self.date_of_birth.day,
        )
        return today.year - self.date_of_birth.year - int(before_birthday)


class ProblemStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    INACTIVE = "inactive", "Inactive"


class Problem(ClinicalRecord):
    """One entry of the problem list (a comorbidity), coded SNOMED CT and ICD-10-CM."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="problems")
    code = models.CharField(max_length=40, help_text="Key of the clinic's coded problem list.")
    label = models.CharField(max_length=200)
    snomed_ct = models.CharField("SNOMED CT", max_length=20, blank=True)
    icd10cm = models.CharField("ICD-10-CM", max_length=10, blank=True)
    onset = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.ACTIVE
    )
    note = models.CharField(max_length=300, blank=True)

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Medication(ClinicalRecord):
    """A current or past medication, with dose and start/stop dates."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    name = models.CharField(max_length=200)
    drug_class = models.CharField(
        max_length=40, blank=True, help_text="Interaction class, e.g. benzodiazepine."
    )
    dose = models.CharField(max_length=100, blank=True, help_text="e.g. 10 mg twice daily")
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Allergy(ClinicalRecord):
    """An allergy or intolerance and the reaction."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    substance = models.CharField(max_length=200)
    reaction = models.CharField(max_length=200, blank=True)

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        ordering = ["substance"]
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance
