"""Records → the plain dicts the interop mapping documents. The only place that knows both.

Each function takes a model instance (or a ``values()`` row for the high-volume diary) and
returns the dict shape named in the mapping function's docstring. Diary entries and
questionnaire responses come from the portal's apps; when those apps are not installed the
sources are simply empty (``diary_model`` / ``response_model`` return None).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from tenderpoint.web.infusions.models import InfusionPlan, InfusionSession
from tenderpoint.web.patients.models import Patient

DIARY_FIELDS = (
    "public_id",
    "patient__public_id",
    "recorded_at",
    "updated_at",
    "pain",
    "fatigue",
    "sleep_quality",
    "fog",
    "mood",
    "headache",
    "flare",
    "entered_in_error_at",
)


def _model(label: str, name: str) -> Any:
    try:
        return apps.get_model(label, name)
    except LookupError:
        return None


def diary_model() -> Any:
    return _model("diary", "DiaryEntry")


def response_model() -> Any:
    return _model("questionnaires", "QuestionnaireResponse")


def person_name(user: Any) -> str:
    if user is None:
        return ""
    return user.full_name or user.email


def patient_dict(patient: Patient) -> dict[str, Any]:
    return {
        "id": str(patient.public_id),
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "date_of_birth": patient.date_of_birth,
        "sex": patient.sex,
        "email": patient.email,
        "phone": patient.phone,
        "medical_record_number": patient.medical_record_number,
        "identifier_system": f"urn:tenderpoint:clinic:{patient.clinic.slug}:mrn",
    }


def diagnosis_dict(patient: Patient) -> dict[str, Any]:
    decision = patient.diagnosis_decisions.select_related("decided_by").first()
    return {
        "id": f"{patient.public_id}-fm",
        "patient_id": str(patient.public_id),
        "status": patient.diagnosis_status,
        "recorded_at": decision.decided_at if decision else patient.updated_at,
        "last_updated": patient.updated_at,
        "recorder": person_name(decision.decided_by) if decision else "",
        "note": decision.note if decision else "",
    }


def diary_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A ``values(*DIARY_FIELDS)`` row → the diary entry dict of ``diary_observations``."""
    entry = {name: row[name] for name in DIARY_FIELDS[4:11]}
    entry.update(
        id=str(row["public_id"]),
        recorded_at=row["recorded_at"],
        entered_in_error=row["entered_in_error_at"] is not None,
    )
    return entry


def response_dict(response: Any) -> dict[str, Any]:
    return {
        "id": str(response.public_id),
        "patient_id": str(response.patient.public_id),
        "instrument_id": response.instrument_id,
        "instrument_version": response.instrument_version,
        "submitted_at": response.submitted_at,
        "last_updated": response.updated_at,
        "answers": response.answers,
        "outputs": response.outputs,
        "entered_in_error": response.is_entered_in_error,
    }


def session_dict(session: InfusionSession) -> dict[str, Any]:
    return {
        "id": str(session.public_id),
        "patient_id": str(session.patient.public_id),
        "plan_id": str(session.plan.public_id),
        "status": session.status,
        "product": session.plan.product,
        "delivered_mg": session.delivered_mg,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "last_updated": session.updated_at,
        "entered_in_error": session.is_entered_in_error,
        "clinic_name": session.patient.clinic.name,
    }


def vitals_dict(vitals: Any) -> dict[str, Any]:
    fields = (
        "at",
        "systolic_mmhg",
        "diastolic_mmhg",
        "heart_rate_bpm",
        "spo2_pct",
        "respiratory_rate_per_min",
        "moaas",
        "etco2_mmhg",
    )
    return {name: getattr(vitals, name) for name in fields}


def score_dict(score: Any) -> dict[str, Any]:
    return {
        "instrument_id": score.instrument_id,
        "phase": score.phase,
        "at": score.at,
        "outputs": score.outputs,
        "version": score.version,
    }


def adverse_event_dict(session: InfusionSession, event: Any, index: int) -> dict[str, Any]:
    return {
        "id": f"{session.public_id}-ae{index}",
        "patient_id": str(session.patient.public_id),
        "session_id": str(session.public_id),
        "at": event.at,
        "recorded_at": event.at,
        "last_updated": session.updated_at,
        "event_type": event.event_type,
        "severity": event.severity,
        "description": event.description,
        "action": event.action,
        "outcome": event.outcome,
    }


def plan_dict(plan: InfusionPlan) -> dict[str, Any]:
    return {
        "id": str(plan.public_id),
        "patient_id": str(plan.patient.public_id),
        "status": plan.status,
        "product": plan.product,
        "total_dose_mg": plan.total_dose_mg,
        "final_concentration_mg_per_ml": plan.final_concentration_mg_per_ml,
        "pump_rate_ml_per_h": plan.pump_rate_ml_per_h,
        "dosing_weight_kg": plan.dosing_weight_kg,
        "prescribed_at": plan.prescribed_at,
        "prescriber": person_name(plan.prescribed_by),
        "verified_by": person_name(plan.verified_by),
        "verified_at": plan.verified_at,
        "last_updated": plan.updated_at,
        "entered_in_error": plan.is_entered_in_error,
    }


def signatures(session: InfusionSession) -> list[dict[str, Any]]:
    """The session's signature and each amendment, as Provenance dicts."""
    found = []
    if session.signed_at is not None:
        found.append(
            {
                "id": f"{session.public_id}-sig",
                "target": f"Encounter/{session.public_id}",
                "signed_at": session.signed_at,
                "signer": person_name(session.signed_by),
                "signer_role": "clinician",
                "last_updated": session.updated_at,
            }
        )
    for index, amendment in enumerate(session.amendments.all(), start=1):
        found.append(
            {
                "id": f"{session.public_id}-am{index}",
                "target": f"Encounter/{session.public_id}",
                "signed_at": amendment.amended_at,
                "signer": person_name(amendment.amended_by),
                "last_updated": amendment.amended_at,
                "reason": amendment.reason,
                "activity": "UPDATE",
            }
        )
    return found


def plan_signatures(plan: InfusionPlan) -> list[dict[str, Any]]:
    if plan.verified_at is None:
        return []
    return [
        {
            "id": f"{plan.public_id}-ver",
            "target": f"MedicationRequest/{plan.public_id}",
            "signed_at": plan.verified_at,
            "signer": person_name(plan.verified_by),
            "signer_role": "independent double check",
            "last_updated": plan.updated_at,
        }
    ]
