"""Fibromyalgia criteria assessments and the diagnosis decisions taken on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenderpoint.web.common.models import ClinicalRecord, ClinicalRecordQuerySet
from tenderpoint.web.patients.choices import DiagnosisStatus
from tenderpoint.web.patients.models import Patient

USER = settings.AUTH_USER_MODEL


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    AMENDED = "amended", "Amended"


class CriteriaAssessment(ClinicalRecord):
    """One body-map assessment: the inputs given to ``evaluate_fibromyalgia`` and its result.

    ``inputs`` are the core's keyword arguments; ``result`` is ``FibromyalgiaEvaluation`` as
    JSON with each criterion's outputs, steps and version; ``core_version`` the versions joined.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    inputs = models.JSONField()
    result = models.JSONField()
    core_version = models.CharField(max_length=300)
    assessed_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at"]

    def __str__(self) -> str:
        return f"Criteria assessment {self.assessed_at:%Y-%m-%d}"


class DiagnosisDecision(models.Model):
    """A clinician set the patient's diagnosis status, on the basis of an assessment."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="diagnosis_decisions"
    )
    assessment = models.ForeignKey(
        CriteriaAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=DiagnosisStatus.choices)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} by {self.decided_by}"
