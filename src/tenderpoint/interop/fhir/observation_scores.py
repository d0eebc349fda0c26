"""Questionnaire totals and subscales as Observations derived from their QuestionnaireResponse.

Reference clinical.md §13.8: each score is an Observation (category survey, derivedFrom the
response) with the LOINC code where one exists (PHQ-9 44261-6, GAD-7 70274-6, pain NRS
72514-3), else the clinical core's local score code ``<instrument>.score.<output>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.interop.fhir.codes import category, iso, meta, quantity, reference
from tenderpoint.interop.fhir.observation_session import numeric_outputs, score_code


def questionnaire_score_observations(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``response``: id, patient_id, instrument_id, instrument_version, submitted_at,
    last_updated, outputs (the core's named outputs), entered_in_error. Ids are
    ``<response id>-<output>``.
    """
    status = "entered-in-error" if response.get("entered_in_error") else "final"
    found = []
    for output, value in numeric_outputs(response["outputs"]):
        code = score_code(response["instrument_id"], output)
        found.append(
            {
                "resourceType": "Observation",
                "id": f"{response['id']}-{output.replace('_', '-')}",
                "meta": meta(response["last_updated"]),
                "status": status,
                "category": category("survey"),
                "code": {"coding": [code], "text": code["display"]},
                "subject": reference("Patient", response["patient_id"]),
                "effectiveDateTime": iso(response["submitted_at"]),
                "valueQuantity": quantity(value, "{score}", "{score}"),
                "derivedFrom": [reference("QuestionnaireResponse", response["id"])],
                "note": [{"text": f"Scored by tenderpoint {response['instrument_version']}."}],
            }
        )
    return found
