"""The one FHIR mapping validates under fhir.resources R4B."""

from __future__ import annotations

import datetime

from fhir.resources.R4B.bundle import Bundle

from tenderpoint.interop.fhir import (
    bundle,
    diary_observations,
    patient_resource,
    questionnaire_response,
)

WHEN = datetime.datetime(2026, 11, 29, 20, 0, tzinfo=datetime.UTC)


def test_a_bundle_of_patient_diary_and_response_is_valid_r4b():
    patient = patient_resource(
        {
            "id": "p1",
            "family_name": "Doe",
            "given_name": "Jo",
            "date_of_birth": datetime.date(1980, 1, 2),
            "sex": "female",
            "email": "jo@example.org",
            "medical_record_number": "MRN-1",
        }
    )
    observations = diary_observations(
        {
            "id": "e1",
            "recorded_at": WHEN,
            "pain": 6,
            "fatigue": 5,
            "sleep_quality": None,
            "fog": 3,
            "mood": 2,
            "headache": 0,
            "flare": True,
        },
        "p1",
    )
    response = questionnaire_response(
        {
            "id": "r1",
            "instrument_id": "phq9",
            "instrument_version": "phq9/scoring-1",
            "submitted_at": WHEN,
            "answers": {"item1": 2, "item9": 0, "difficulty": None},
        },
        "p1",
    )
    document = bundle([patient, *observations, response], bundle_id="b1", timestamp=WHEN)
    parsed = Bundle.model_validate(document)
    assert len(parsed.entry) == 1 + 6 + 1  # sleep_quality missing: no Observation
    pain = observations[0]
    assert pain["code"]["coding"][0]["code"] == "72514-3"
    assert pain["valueQuantity"]["value"] == 6
    assert response["item"][0]["answer"][0]["valueCoding"]["code"] == "LA6570-1"  # "more than half"
    assert [i["linkId"] for i in response["item"]] == ["item1", "item9"]


def test_entered_in_error_is_exported_as_such():
    obs = diary_observations(
        {"id": "e", "recorded_at": WHEN, "pain": 1, "entered_in_error": True}, "p"
    )
    assert obs[0]["status"] == "entered-in-error"
