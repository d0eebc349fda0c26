"""The fibromyalgia diagnosis as a Condition (SNOMED CT 203082005, ICD-10-CM M79.7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.interop.fhir.codes import (
    CONDITION_CATEGORY_SYSTEM,
    CONDITION_CLINICAL_SYSTEM,
    CONDITION_VERIFICATION_SYSTEM,
    FIBROMYALGIA_ICD10CM,
    FIBROMYALGIA_SNOMED,
    iso,
    meta,
    reference,
)

# tenderpoint's diagnosis status -> FHIR verificationStatus; "unknown" has no Condition.
_VERIFICATION = {"suspected": "provisional", "confirmed": "confirmed", "ruled_out": "refuted"}


def fibromyalgia_condition(diagnosis: Mapping[str, Any]) -> dict[str, Any] | None:
    """The patient's fibromyalgia diagnosis, or None while it is "not yet assessed".

    ``diagnosis``: id (public UUID of the diagnosis decision), patient_id, status (suspected,
    confirmed, ruled_out, unknown), recorded_at, last_updated; optionally recorder (the deciding
    clinician's name), note and criteria (the criteria sets met, e.g. ["ACR 2016"]).
    """
    verification = _VERIFICATION.get(diagnosis["status"])
    if verification is None:
        return None
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": str(diagnosis["id"]),
        "meta": meta(diagnosis["last_updated"]),
        "verificationStatus": {
            "coding": [{"system": CONDITION_VERIFICATION_SYSTEM, "code": verification}]
        },
        "category": [
            {"coding": [{"system": CONDITION_CATEGORY_SYSTEM, "code": "problem-list-item"}]}
        ],
        "code": {
            "coding": [dict(FIBROMYALGIA_SNOMED), dict(FIBROMYALGIA_ICD10CM)],
            "text": "Fibromyalgia",
        },
        "subject": reference("Patient", diagnosis["patient_id"]),
        "recordedDate": iso(diagnosis["recorded_at"]),
    }
    # clinicalStatus must be absent for a refuted condition (FHIR invariant con-5).
    if verification != "refuted":
        resource["clinicalStatus"] = {
            "coding": [{"system": CONDITION_CLINICAL_SYSTEM, "code": "active"}]
        }
    if diagnosis.get("criteria"):
        resource["evidence"] = [
            {"detail": [{"display": f"Criteria met: {', '.join(diagnosis['criteria'])}"}]}
        ]
    if diagnosis.get("recorder"):
        resource["recorder"] = {"display": diagnosis["recorder"]}
    if diagnosis.get("note"):
        resource["note"] = [{"text": diagnosis["note"]}]
    return resource
