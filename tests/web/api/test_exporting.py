"""The streamed bulk export writes exactly the resources the mapping gives, and validates a
sample of every file with fhir.resources.R4B."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from tenderpoint.interop.fhir import validate as validation
from tenderpoint.web.api import exporting, sources
from tenderpoint.web.api.models import BulkExport, ExportStatus
from tenderpoint.web.api.sources import PROVIDERS, last_updated
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.questionnaires.models import QuestionnaireResponse
from tests.web.conftest import World

pytestmark = pytest.mark.django_db
DAY = datetime.datetime(2026, 4, 1, 20, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clinic_records(world: World, charted: Any) -> None:
    """Diary entries of both clinic A patients and one of clinic B (some scores left out, a
    flare, one entry marked in error), a PHQ-9, a confirmed diagnosis, the charted sessions."""
    Patient.objects.filter(pk=world.patient_record.pk).update(diagnosis_status="confirmed")
    owners = (world.patient_record, world.other_patient_record, world.other_clinic_patient_record)
    for n, patient in enumerate(owners):
        for i in range(4):
            DiaryEntry.objects.create(
                patient=patient,
                recorded_at=DAY + datetime.timedelta(days=i, hours=n),
                local_date=(DAY + datetime.timedelta(days=i)).date(),
                time_zone="UTC",
                pain=i + n,
                fatigue=None if i == 1 else 5,
                sleep_quality=4,
                fog=None,
                mood=2,
                headache=i,
                flare=i == 2,
            )
    DiaryEntry.objects.filter(patient=world.patient_record, pain=3).update(
        entered_in_error_at=DAY + datetime.timedelta(days=4)
    )
    QuestionnaireResponse.objects.create(
        patient=world.patient_record,
        instrument_id="phq9",
        instrument_version="phq9/scoring-1",
        answers={f"item{i}": 1 for i in range(1, 10)} | {"item9": 0},
        outputs={"total": 8, "severity": "mild", "item9_positive": False},
        explanation="",
        submitted_at=DAY,
        local_date=DAY.date(),
    )


def mapped(world: World, resource_type: str) -> list[dict[str, Any]]:
    """The resources of clinic A as the API's providers map them, one owner at a time."""
    patients = Patient.objects.current().filter(clinic=world.clinic)
    provider = PROVIDERS[resource_type]
    return [
        json.loads(json.dumps(resource, default=str))
        for owner in provider.owners(patients, None)
        for resource in provider.resources(owner)
    ]


def written(export: BulkExport, resource_type: str) -> list[dict[str, Any]]:
    path = exporting.export_dir(export) / f"{resource_type}.ndjson"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run_export(world: World, since: datetime.datetime | None = None) -> BulkExport:
    return exporting.run(
        BulkExport.objects.create(
            clinic=world.clinic, request_url="test", since=since, requested_at=exporting.now()
        )
    )


def test_export_writes_exactly_the_mapped_resources(world: World, clinic_records: None) -> None:
    export = run_export(world)
    assert export.status == ExportStatus.COMPLETE
    counts = {item["type"]: item["count"] for item in export.output}
    for resource_type in exporting.EXPORT_TYPES:
        expected = mapped(world, resource_type)
        assert written(export, resource_type) == expected, resource_type
        assert counts.get(resource_type, 0) == len(expected)
    # clinic A's 8 diary entries: pain, sleep, mood and headache each, fatigue in 6 (not on the
    # second day), a flare on the third day, fog never: 32 + 6 + 2 Observations
    entries = {
        str(key)
        for key in DiaryEntry.objects.filter(patient__clinic=world.clinic).values_list(
            "public_id", flat=True
        )
    }
    observations = written(export, "Observation")
    assert len([r for r in observations if r["id"][:36] in entries]) == 40
    in_error = [r for r in observations if r["status"] == "entered-in-error"]
    assert len(in_error) == 5  # patient A's fourth day: pain, fatigue, sleep, mood, headache


def test_since_keeps_only_resources_updated_from_then(world: World, clinic_records: None) -> None:
    since = DAY + datetime.timedelta(days=10)
    old = since - datetime.timedelta(microseconds=1)
    DiaryEntry.objects.filter(pain__in=(0, 1)).update(updated_at=old)
    DiaryEntry.objects.filter(pain=2).update(updated_at=since)  # exactly at _since: kept
    export = run_export(world, since=since)
    for resource_type in exporting.EXPORT_TYPES:
        expected = [
            r
            for r in mapped(world, resource_type)
            if (updated := last_updated(r)) is None or updated >= since
        ]
        assert written(export, resource_type) == expected, resource_type
    diary_pain = {
        r["valueQuantity"]["value"]
        for r in written(export, "Observation")
        if r["code"]["coding"][0]["code"] == "72514-3" and r["id"][36:] == "-pain"
    }
    assert diary_pain == {2, 3, 4}


def test_every_file_has_its_sample_validated(
    world: World, clinic_records: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[tuple[str, str]] = []

    def recording(resource: dict[str, Any]) -> Any:
        model = validation.validate(resource)
        validated.append((resource["resourceType"], resource["id"]))
        return model

    monkeypatch.setattr(exporting, "validate", recording)
    export = run_export(world)
    for item in export.output:
        lines = written(export, item["type"])
        sample = [(item["type"], r["id"]) for r in lines[:20]]
        assert [v for v in validated if v[0] == item["type"]] == sample
    assert {item["type"] for item in export.output} == set(exporting.EXPORT_TYPES)


def test_a_resource_that_fails_validation_fails_the_export(
    world: World, clinic_records: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sources.diary_observations

    def broken(entry: Any, patient_id: str) -> list[dict[str, Any]]:
        found = real(entry, patient_id)
        for resource in found:
            resource["subject"] = resource["subject"]["reference"]  # text, not a Reference
        return found

    monkeypatch.setattr(sources, "diary_observations", broken)
    export = run_export(world)
    assert export.status == ExportStatus.FAILED
    assert export.error.startswith("Observation/")
    assert not exporting.export_dir(export).exists()
