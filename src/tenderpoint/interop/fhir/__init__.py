"""The one FHIR R4 mapping of tenderpoint data: pure functions from plain dicts to FHIR JSON.

Used by the patient's own export (``/me/export.fhir.json``) and, later, by the FHIR API. No
Django here: the web layer turns its records into the plain dicts documented on each function.
Resources validate under ``fhir.resources.R4B`` (the tests check it).
"""

from tenderpoint.interop.fhir.mapping import (
    DIARY_CODES,
    bundle,
    diary_observations,
    patient_resource,
    questionnaire_response,
)

__all__ = [
    "DIARY_CODES",
    "bundle",
    "diary_observations",
    "patient_resource",
    "questionnaire_response",
]
