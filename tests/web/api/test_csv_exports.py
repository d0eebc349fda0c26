"""Streamed CSV exports: who gets which, de-identification of the outcome table, audit."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from tenderpoint.outcomes.cohort import cohort_summary
from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.outcomes.deidentified import MIN_CELL_PATIENTS, TABLE_COLUMNS
from tenderpoint.web.outcomes.frames import frames_for
from tenderpoint.web.patients.models import Patient
from tests.web.conftest import World
from tests.web.factories import PatientFactory
from tests.web.outcomes.helpers import synthetic_history

pytestmark = pytest.mark.django_db

MATRIX = [
    ("outcomes", "clinician", 200),
    ("outcomes", "nurse", 200),
    ("outcomes", "clinic_admin", 200),
    ("outcomes", "patient", 403),
    ("sessions", "clinician", 200),
    ("sessions", "clinic_admin", 403),
    ("sessions", "patient", 403),
    ("questionnaires", "clinician", 200),
    ("questionnaires", "clinic_admin", 403),
]


def _rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(("what", "persona", "status"), MATRIX)
def test_who_gets_which_export(
    world: World, client_for, charted, what: str, persona: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.persona(persona)).get(f"/clinic/exports/{what}.csv")
    assert response.status_code == status
    if status == 200:
        assert response.streaming
        assert AuditEvent.objects.filter(action="export", object_type=f"export.{what}").exists()
        _rows(response)
    else:
        assert AuditEvent.objects.filter(action="denied", object_type=f"export.{what}").exists()


def test_outcome_table_is_the_dashboards_de_identified_table(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    for k in range(MIN_CELL_PATIENTS):
        patient = PatientFactory(clinic=world.clinic, sex="female", weight_kg=70, height_cm=165)
        synthetic_history(patient, world.clinician, world.nurse, days=60, seed=300 + k)
    response = client_for(world.clinic_admin).get("/clinic/exports/outcomes.csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == TABLE_COLUMNS
    patients = list(Patient.objects.current().filter(clinic=world.clinic))
    assert len(rows) == len(patients) == MIN_CELL_PATIENTS + 2  # the world's own two as well
    for record in patients:
        for identifier in (
            str(record.public_id),
            record.family_name,
            record.medical_record_number,
            record.date_of_birth.isoformat(),
        ):
            assert identifier not in text
    # The numbers are the outcomes core's, patient by patient (compared as multisets).
    today = timezone.now().astimezone(world.clinic.tzinfo).date()
    frames = frames_for(patients, today)
    core = cohort_summary(frames.diary, frames.infusions, frames.patients).patients
    expected = sorted(
        "" if v is None else f"{round(v, 1)}" for v in core["baseline_pain"].to_list()
    )
    assert sorted(r["baseline_pain"] for r in rows) == expected
    assert sorted(r["durability_days"] for r in rows) == sorted(
        "" if v is None else str(v) for v in core["durability_days"].to_list()
    )
    assert sorted(int(r["infusions"]) for r in rows) == sorted(
        frames.infusions.filter(frames.infusions["patient_id"] == str(p.public_id)).height
        for p in patients
    )


def test_outcome_table_of_a_small_clinic_has_no_rows(world: World, client_for, charted) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.clinic_admin).get("/clinic/exports/outcomes.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == [",".join(TABLE_COLUMNS)]


def test_sessions_of_the_clinic_only(world: World, client_for, charted) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(client_for(world.clinician).get("/clinic/exports/sessions.csv"))
    assert {r["patient_id"] for r in rows} == {str(world.patient_record.public_id)}
    assert [r["delivered_mg"] for r in rows] == ["35.00", "35.00"]
