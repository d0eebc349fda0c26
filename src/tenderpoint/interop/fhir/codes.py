"""Code systems and codes the mapping uses, with where each came from.

LOINC codes are used only where reference/clinical.md §12 marks them verified or gives them for
vital signs. Codes without a published standard code live in the project's local systems: the
clinical core's (instruments and scores) and ``INTEROP_SYSTEM`` (everything else here), which
:func:`interop_code_system` publishes in full (docs/fhir/CodeSystem-tenderpoint-interop.json).

RxNorm: ketamine (ingredient 6130 in the reference, marked "confirm") and esketamine could not
be confirmed against NLM's published RxNorm data from this build environment, so no RxNorm code
is sent; the drug is coded in ``INTEROP_SYSTEM`` with its name as text (docs/interop.md).
"""

from __future__ import annotations

from typing import Any

from tenderpoint.clinical.fhir import CANONICAL_BASE
from tenderpoint.clinical.instruments._common import LOCAL_SYSTEM, LOINC_SYSTEM

__all__ = ["CANONICAL_BASE", "LOCAL_SYSTEM", "LOINC_SYSTEM"]

SNOMED_SYSTEM = "http://snomed.info/sct"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM_SYSTEM = "http://unitsofmeasure.org"
INTEROP_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/interop"
OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-category"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PROVENANCE_PARTICIPANT_SYSTEM = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
ROUTE_SYSTEM = SNOMED_SYSTEM

# reference clinical.md §12, both marked [V]
FIBROMYALGIA_SNOMED = {"system": SNOMED_SYSTEM, "code": "203082005", "display": "Fibromyalgia"}
FIBROMYALGIA_ICD10CM = {"system": ICD10CM_SYSTEM, "code": "M79.7", "display": "Fibromyalgia"}

# reference clinical.md §12 "Vital signs during infusion" (LOINC)
VITALS_PANEL = {"system": LOINC_SYSTEM, "code": "85353-1", "display": "Vital signs panel"}
BP_PANEL = {
    "system": LOINC_SYSTEM,
    "code": "85354-9",
    "display": "Blood pressure panel with all children optional",
}
SYSTOLIC = {"system": LOINC_SYSTEM, "code": "8480-6", "display": "Systolic blood pressure"}
DIASTOLIC = {"system": LOINC_SYSTEM, "code": "8462-4", "display": "Diastolic blood pressure"}
HEART_RATE = {"system": LOINC_SYSTEM, "code": "8867-4", "display": "Heart rate"}
RESPIRATORY_RATE = {"system": LOINC_SYSTEM, "code": "9279-1", "display": "Respiratory rate"}
SPO2 = {
    "system": LOINC_SYSTEM,
    "code": "59408-5",
    "display": "Oxygen saturation in Arterial blood by Pulse oximetry",
}

# The local codes of INTEROP_SYSTEM: code -> display.
INTEROP_CODES: dict[str, str] = {
    "vitals.moaas": "Modified Observer's Assessment of Alertness/Sedation (MOAA/S), 0-5",
    "vitals.etco2": "End-tidal carbon dioxide (mmHg)",
    "drug.ketamine": "Ketamine (racemic), intravenous",
    "drug.esketamine": "Esketamine, intravenous",
    "encounter.infusion": "Intravenous ketamine infusion session",
    "adverse.nausea": "Nausea or vomiting",
    "adverse.dissociation": "Distressing dissociation or hallucinations",
    "adverse.hypertension": "Blood pressure rise",
    "adverse.tachycardia": "Tachycardia",
    "adverse.desaturation": "Oxygen desaturation",
    "adverse.sedation": "Excessive sedation",
    "adverse.headache": "Headache",
    "adverse.dizziness": "Dizziness",
    "adverse.anxiety": "Anxiety or agitation",
    "adverse.other": "Other adverse event",
}


def interop(code: str) -> dict[str, str]:
    """A Coding in ``INTEROP_SYSTEM``; an unknown code is a programming error (KeyError)."""
    return {"system": INTEROP_SYSTEM, "code": code, "display": INTEROP_CODES[code]}


def category(code: str) -> list[dict[str, Any]]:
    """An Observation.category of the HL7 observation-category system."""
    return [{"coding": [{"system": OBSERVATION_CATEGORY_SYSTEM, "code": code}]}]


def interop_code_system() -> dict[str, Any]:
    """The complete local CodeSystem of the codes above (published under docs/fhir/)."""
    return {
        "resourceType": "CodeSystem",
        "id": "tenderpoint-interop",
        "url": INTEROP_SYSTEM,
        "version": "1",
        "name": "TenderpointInterop",
        "title": "tenderpoint codes for session observations, drugs and adverse events",
        "status": "active",
        "content": "complete",
        "publisher": "tenderpoint",
        "description": "Local codes where no verified standard code was available: MOAA/S and "
        "EtCO2 during infusions, the infused drug (RxNorm codes not confirmed, see "
        "docs/interop.md) and the adverse-event types the infusion chart records.",
        "concept": [{"code": code, "display": display} for code, display in INTEROP_CODES.items()],
    }


def reference(resource_type: str, resource_id: object) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def iso(value: Any) -> str:
    """ISO 8601 text of a date or aware datetime; text passes through."""
    return value if isinstance(value, str) else value.isoformat()


def quantity(value: float | int, unit: str, code: str) -> dict[str, Any]:
    """A UCUM quantity; ``unit`` is the human unit, ``code`` its UCUM code."""
    return {"value": value, "unit": unit, "system": UCUM_SYSTEM, "code": code}


def meta(last_updated: Any) -> dict[str, str]:
    return {"lastUpdated": iso(last_updated)}
