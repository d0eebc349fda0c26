"""Criteria assessments: evaluate with the clinical core, store, sign, set the diagnosis.

draft → signed (read-only) → amended; only clinicians sign and set the diagnosis status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tenderpoint.clinical import body, evaluate_fibromyalgia
from tenderpoint.web.assessments.models import (
    AssessmentStatus,
    CriteriaAssessment,
    DiagnosisDecision,
)
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.patients.choices import DiagnosisStatus
from tenderpoint.web.patients.models import Patient


class RecordLockedError(Exception):
    """A signed assessment is read-only."""


def evaluate(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Run ``evaluate_fibromyalgia`` and return JSON: each criterion's outputs, steps, version,
    title and citation, plus the divergences. The core's InvalidResponseError passes through."""
    from tenderpoint.clinical import get_instrument

    result = evaluate_fibromyalgia(**inputs)
    criteria = {}
    for key, score in result.results.items():
        instrument = get_instrument(key)
        criteria[key] = {
            "title": instrument.title,
            "citation": instrument.citation,
            "version": score.version,
            "outputs": score.as_dict(),
            "steps": list(score.steps),
            "meets": bool(score.outputs.get("meets_criteria")),
        }
    return {
        "rater": result.rater,
        "criteria": criteria,
        "divergences": list(result.divergences),
        "aapt_sites_derived": True,
    }


def core_inputs(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``evaluate_fibromyalgia`` from a cleaned form."""
    areas = body.in_wpi_order(cleaned["wpi_areas"])
    inputs: dict[str, Any] = {
        "wpi_areas": areas,
        "fatigue": cleaned["fatigue"],
        "waking_unrefreshed": cleaned["waking_unrefreshed"],
        "cognitive": cleaned["cognitive"],
        "headaches_6mo": cleaned["headaches_6mo"],
        "lower_abdominal_pain_or_cramps_6mo": cleaned["lower_abdominal_pain_or_cramps_6mo"],
        "depression_6mo": cleaned["depression_6mo"],
        "duration_ge_3_months": cleaned["duration_ge_3_months"],
        "other_disorder_explains_pain": cleaned["other_disorder_explains_pain"],
        "rater": "clinician",
    }
    if cleaned.get("somatic_symptoms") not in (None, ""):
        inputs["somatic_symptoms"] = int(cleaned["somatic_symptoms"])
    if cleaned.get("tender_points_examined"):
        inputs["positive_tender_points"] = list(cleaned.get("positive_tender_points") or [])
    inputs["aapt_pain_sites"] = body.aapt_sites_from_wpi(areas)
    return inputs


def _require(perm: str, user: Any, patient: Patient, message: str) -> None:
    if not rules.has_perm(perm, user, patient):
        raise PermissionDenied(message)


@transaction.atomic
def do_create_assessment(
    patient: Patient, *, user: Any, inputs: Mapping[str, Any], request: Any = None
) -> CriteriaAssessment:
    """Evaluate and store a draft (nurses may record the examination; clinicians sign)."""
    _require("infusions.chart", user, patient, "Only the care team records assessments.")
    result = evaluate(inputs)
    versions = sorted({c["version"] for c in result["criteria"].values()})
    record = CriteriaAssessment.objects.create(
        patient=patient,
        inputs=dict(inputs),
        result=result,
        core_version="; ".join(versions),
        assessed_at=timezone.now(),
        created_by=user,
        updated_by=user,
    )
    audit.record(Action.CREATE, request=request, user=user, obj=record, patient=patient)
    return record


@transaction.atomic
def do_sign_assessment(
    assessment: CriteriaAssessment, *, user: Any, request: Any = None
) -> CriteriaAssessment:
    _require("infusions.sign", user, assessment.patient, "Only clinicians sign assessments.")
    assessment = CriteriaAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise RecordLockedError("This assessment is already signed.")
    assessment.status = AssessmentStatus.SIGNED
    assessment.signed_by = user
    assessment.signed_at = timezone.now()
    assessment.updated_by = user
    assessment.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=assessment,
        patient=assessment.patient,
        detail={"transition": "signed"},
    )
    return assessment


def check_editable(assessment: CriteriaAssessment) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise RecordLockedError("A signed assessment is read-only; record a new assessment.")


@transaction.atomic
def do_set_diagnosis(
    patient: Patient,
    *,
    user: Any,
    status: str,
    assessment: CriteriaAssessment | None,
    note: str = "",
    request: Any = None,
) -> DiagnosisDecision:
    """A clinician sets the diagnosis status; who, when and on which assessment are recorded."""
    _require("infusions.sign", user, patient, "Only clinicians set the diagnosis.")
    if status not in DiagnosisStatus.values:
        raise ValidationError({"status": ["Choose a diagnosis status."]})
    if assessment is not None and assessment.status == AssessmentStatus.DRAFT:
        raise ValidationError({"status": ["Sign the assessment before basing a diagnosis on it."]})
    decision = DiagnosisDecision.objects.create(
        patient=patient,
        assessment=assessment,
        status=status,
        decided_by=user,
        decided_at=timezone.now(),
        note=note,
    )
    old = patient.diagnosis_status
    patient.diagnosis_status = status
    patient.updated_by = user
    patient.save(update_fields=["diagnosis_status", "updated_by", "updated_at"])
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=patient,
        patient=patient,
        detail={"diagnosis_status": {"old": old, "new": status}},
    )
    return decision
