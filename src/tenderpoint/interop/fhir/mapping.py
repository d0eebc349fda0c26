"""Patient, diary Observations, QuestionnaireResponse and Bundle as JSON-ready dicts.

Codes: the pain score uses LOINC 72514-3 (pain severity 0-10 numeric rating, reported); the
other diary scores and the flare mark have no LOINC code and use the project's local code
system (``diary.<score>``), the same system the clinical core publishes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tenderpoint.clinical import get_instrument
from tenderpoint.clinical.fhir import CANONICAL_BASE
from tenderpoint.clinical.instruments._common import LOCAL_SYSTEM, LOINC_SYSTEM

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"

DIARY_CODES: dict[str, dict[str, str]] = {
    "pain": {
        "system": LOINC_SYSTEM,
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    },
    "fatigue": {"system": LOCAL_SYSTEM, "code": "diary.fatigue", "display": "Tiredness 0-10"},
    "sleep_quality": {
        "system": LOCAL_SYSTEM,
        "code": "diary.sleep_quality",
        "display": "Waking unrefreshed 0-10",
    },
    "fog": {"system": LOCAL_SYSTEM, "code": "diary.fog", "display": "Cognitive fog 0-10"},
    "mood": {"system": LOCAL_SYSTEM, "code": "diary.mood", "display": "Low mood 0-10"},
    "headache": {"system": LOCAL_SYSTEM, "code": "diary.headache", "display": "Headache 0-10"},
    "flare": {"system": LOCAL_SYSTEM, "code": "diary.flare", "display": "Flare declared"},
}


def _iso(value: datetime.datetime | datetime.date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def patient_resource(patient: Mapping[str, Any]) -> dict[str, Any]:
    """``patient``: id, family_name, given_name, date_of_birth, sex, and optionally email,
    phone, identifier_system, medical_record_number."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient["id"]),
        "name": [{"family": patient["family_name"], "given": [patient["given_name"]]}],
        "birthDate": _iso(patient["date_of_birth"]),
        "gender": patient.get("sex", "unknown"),
    }
    if patient.get("medical_record_number"):
        resource["identifier"] = [
            {
                "system": patient.get("identifier_system", "urn:tenderpoint:mrn"),
                "value": patient["medical_record_number"],
            }
        ]
    telecom = [
        {"system": system, "value": patient[key]}
        for system, key in (("email", "email"), ("phone", "phone"))
        if patient.get(key)
    ]
    if telecom:
        resource["telecom"] = telecom
    return resource


# Per score: its name, the id suffix and its Coding (the constant parts, computed once).
_DIARY_SCORES = tuple(
    (name, f"-{name.replace('_', '-')}", code) for name, code in DIARY_CODES.items()
)


def diary_observations(entry: Mapping[str, Any], patient_id: str) -> list[dict[str, Any]]:
    """One Observation per score (and one for a declared flare) of a diary entry.

    ``entry``: id, recorded_at (aware datetime), the six scores (int or None), flare (bool),
    entered_in_error (bool). An entry marked in error exports with status entered-in-error.
    The entry's shared parts (time, subject) are formatted once, not once per score: the bulk
    export maps millions of these. Every resource gets its own dicts (callers may change them).
    """
    status = "entered-in-error" if entry.get("entered_in_error") else "final"
    entry_id = entry["id"]
    subject = f"Patient/{patient_id}"
    effective = _iso(entry["recorded_at"])
    found = []
    for name, suffix, code in _DIARY_SCORES:
        value = entry.get(name)
        if value is None or (name == "flare" and not value):
            continue
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"{entry_id}{suffix}",
            "status": status,
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
            "code": {"coding": [dict(code)], "text": code["display"]},
            "subject": {"reference": subject},
            "effectiveDateTime": effective,
        }
        if name == "flare":
            observation["valueBoolean"] = True
        else:
            observation["valueQuantity"] = {
                "value": int(value),
                "unit": "{score}",
                "system": UCUM,
                "code": "{score}",
            }
        found.append(observation)
    return found


def _answer(instrument_id: str, item_id: str, value: Any) -> dict[str, Any]:
    instrument = get_instrument(instrument_id)
    item = instrument.item(item_id)
    for option in item.options:
        if option.value == value:
            if option.loinc:
                return {
                    "valueCoding": {
                        "system": LOINC_SYSTEM,
                        "code": option.loinc,
                        "display": option.label,
                    }
                }
            return {
                "valueCoding": {
                    "system": LOCAL_SYSTEM,
                    "code": f"{instrument_id}.{item_id}.{option.value}",
                    "display": option.label,
                }
            }
    if isinstance(value, bool):
        return {"valueBoolean": value}
    return {"valueInteger": int(value)}


def questionnaire_response(response: Mapping[str, Any], patient_id: str) -> dict[str, Any]:
    """``response``: id, instrument_id, instrument_version, submitted_at, answers (item id ->
    value, None when unanswered), entered_in_error (bool)."""
    instrument_id = response["instrument_id"]
    items = [
        {"linkId": item_id, "answer": [_answer(instrument_id, item_id, value)]}
        for item_id, value in response["answers"].items()
        if value is not None
    ]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response["id"]),
        "questionnaire": f"{CANONICAL_BASE}/Questionnaire/{instrument_id.replace('_', '-')}"
        f"|{response['instrument_version']}",
        "status": "entered-in-error" if response.get("entered_in_error") else "completed",
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": _iso(response["submitted_at"]),
        "item": items,
    }


def bundle(
    resources: Iterable[Mapping[str, Any]],
    *,
    bundle_id: str,
    timestamp: datetime.datetime,
    bundle_type: str = "collection",
    base_url: str | None = None,
) -> dict[str, Any]:
    """A Bundle of the given resources; with ``base_url`` (the server's FHIR base) each entry
    gets its full URL, without it (a download) none is claimed."""
    entries: Sequence[Mapping[str, Any]] = list(resources)

    def entry(resource: Mapping[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {"resource": dict(resource)}
        if base_url:
            found["fullUrl"] = f"{base_url.rstrip('/')}/{resource['resourceType']}/{resource['id']}"
        return found

    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": bundle_type,
        "timestamp": _iso(timestamp),
        "entry": [entry(r) for r in entries],
    }
