"""Diary entries and questionnaire responses (the portal's records) through the API."""

from __future__ import annotations

import datetime

import pytest

from tenderpoint.interop.fhir.validate import validate
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.questionnaires.models import QuestionnaireResponse
from tests.web.api.conftest import bearer
from tests.web.conftest import World

pytestmark = pytest.mark.django_db
DAY = datetime.datetime(2026, 4, 1, 20, 0, tzinfo=datetime.UTC)


@pytest.fixture
def diary(world: World) -> list[DiaryEntry]:
    return [
        DiaryEntry.objects.create(
            patient=world.patient_record,
            recorded_at=DAY + datetime.timedelta(days=i),
            local_date=(DAY + datetime.timedelta(days=i)).date(),
            time_zone="UTC",
            pain=7 - i,
            fatigue=5,
            flare=i == 0,
        )
        for i in range(3)
    ]


@pytest.fixture
def phq9(world: World) -> QuestionnaireResponse:
    return QuestionnaireResponse.objects.create(
        patient=world.patient_record,
        instrument_id="phq9",
        instrument_version="phq9/scoring-1",
        answers={f"item{i}": 1 for i in range(1, 10)} | {"item9": 0},
        outputs={"total": 8, "severity": "mild", "item9_positive": False},
        explanation="",
        submitted_at=DAY,
        local_date=DAY.date(),
    )


def test_diary_pain_by_loinc_and_date(world: World, api, diary) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.patient, "patient/*.read")
    page = api("/fhir/Observation?code=http://loinc.org|72514-3&date=ge2026-04-02", headers).json()
    values = [e["resource"]["valueQuantity"]["value"] for e in page["entry"]]
    assert values == [6, 5]
    for entry in page["entry"]:
        validate(entry["resource"])
    flare = api(f"/fhir/Observation/{diary[0].public_id}-flare", headers)
    assert flare.status_code == 200
    assert flare.json()["valueBoolean"] is True


def test_questionnaire_response_and_its_total(world: World, api, phq9) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/*.read")
    pid = world.patient_record.public_id
    response = api(f"/fhir/QuestionnaireResponse/{phq9.public_id}", headers).json()
    validate(response)
    assert response["questionnaire"].endswith("Questionnaire/phq9|phq9/scoring-1")
    total = api(f"/fhir/Observation?patient={pid}&code=44261-6", headers).json()["entry"]
    assert [e["resource"]["valueQuantity"]["value"] for e in total] == [8]
    assert total[0]["resource"]["derivedFrom"] == [
        {"reference": f"QuestionnaireResponse/{phq9.public_id}"}
    ]
