"""The verified infusion plan (MedicationRequest) and the delivered dose (MedicationAdministration).

The drug is coded in the project's interop system, not RxNorm: neither the ketamine nor the
esketamine RxCUI could be confirmed against NLM's published RxNorm data (docs/interop.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.interop.fhir.codes import SNOMED_SYSTEM, interop, iso, meta, quantity, reference

_DRUG = {"racemic": "drug.ketamine", "esketamine": "drug.esketamine"}
# SNOMED CT 47625008 "Intravenous route (qualifier value)", the HL7 example route value set.
INTRAVENOUS = {"system": SNOMED_SYSTEM, "code": "47625008", "display": "Intravenous route"}
_REQUEST_STATUS = {"draft": "draft", "verified": "active", "in_use": "completed"}


def medication_concept(product: str) -> dict[str, Any]:
    code = interop(_DRUG[product])
    return {"coding": [code], "text": code["display"]}


def medication_request(plan: Mapping[str, Any]) -> dict[str, Any]:
    """``plan``: id, patient_id, status (draft, verified, in_use), product (racemic,
    esketamine), total_dose_mg, final_concentration_mg_per_ml, pump_rate_ml_per_h,
    dosing_weight_kg, prescribed_at, prescriber (name), last_updated, entered_in_error;
    optionally verified_by (name), verified_at, course_id.
    """
    status = "entered-in-error" if plan.get("entered_in_error") else _REQUEST_STATUS[plan["status"]]
    dose_text = (
        f"{plan['total_dose_mg']} mg IV over the planned infusion, diluted to "
        f"{plan['final_concentration_mg_per_ml']} mg/mL at {plan['pump_rate_ml_per_h']} mL/h "
        f"(dosing weight {plan['dosing_weight_kg']} kg)"
    )
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": str(plan["id"]),
        "meta": meta(plan["last_updated"]),
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": medication_concept(plan["product"]),
        "subject": reference("Patient", plan["patient_id"]),
        "authoredOn": iso(plan["prescribed_at"]),
        "requester": {"display": plan["prescriber"]},
        "dosageInstruction": [
            {
                "text": dose_text,
                "route": {"coding": [dict(INTRAVENOUS)]},
                "doseAndRate": [
                    {
                        "doseQuantity": quantity(float(plan["total_dose_mg"]), "mg", "mg"),
                        "rateQuantity": quantity(float(plan["pump_rate_ml_per_h"]), "mL/h", "mL/h"),
                    }
                ],
            }
        ],
    }
    if plan.get("verified_by"):
        resource["note"] = [
            {
                "text": f"Independent double check passed: {plan['verified_by']}, "
                f"{iso(plan['verified_at'])}."
            }
        ]
    return resource


_ADMIN_STATUS = {"signed": "completed", "amended": "completed", "draft": "in-progress"}


def medication_administration(session: Mapping[str, Any]) -> dict[str, Any]:
    """The dose delivered in one session (computed from the pump events, never typed).

    ``session``: id, patient_id, plan_id, status (draft, signed, amended), product,
    delivered_mg, started_at, ended_at (or None), last_updated, entered_in_error.
    """
    if session.get("entered_in_error"):
        status = "entered-in-error"
    else:
        status = _ADMIN_STATUS[session["status"]]
    effective: dict[str, Any]
    if session.get("ended_at"):
        effective = {
            "effectivePeriod": {
                "start": iso(session["started_at"]),
                "end": iso(session["ended_at"]),
            }
        }
    else:
        effective = {"effectivePeriod": {"start": iso(session["started_at"])}}
    return {
        "resourceType": "MedicationAdministration",
        "id": str(session["id"]),
        "meta": meta(session["last_updated"]),
        "status": status,
        "medicationCodeableConcept": medication_concept(session["product"]),
        "subject": reference("Patient", session["patient_id"]),
        "context": reference("Encounter", session["id"]),
        **effective,
        "request": reference("MedicationRequest", session["plan_id"]),
        "dosage": {
            "text": "Delivered dose computed from the charted pump events.",
            "route": {"coding": [dict(INTRAVENOUS)]},
            "dose": quantity(float(session["delivered_mg"]), "mg", "mg"),
        },
    }
