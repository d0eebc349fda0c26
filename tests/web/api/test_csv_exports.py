"""Streamed CSV exports: who gets which, de-identification of the outcome table, audit."""

from __future__ import annotations

import csv
import io

import pytest

from tenderpoint.web.api.csv_exports import age_band, pseudonym
from tenderpoint.web.audit.models import AuditEvent
from tests.web.conftest import World

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


def test_outcome_table_is_de_identified_and_clinic_bound(world: World, client_for, charted) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.clinic_admin).get("/clinic/exports/outcomes.csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["pseudonym"] for r in rows} == {
        pseudonym(world.patient_record.public_id),
        pseudonym(world.other_patient_record.public_id),
    }
    for record in (world.patient_record, world.other_patient_record):
        for identifier in (
            str(record.public_id),
            record.family_name,
            record.medical_record_number,
            record.date_of_birth.isoformat(),
        ):
            assert identifier not in text
    charted_row = next(
        r for r in rows if r["pseudonym"] == pseudonym(world.patient_record.public_id)
    )
    assert charted_row["infusions"] == "2"
    assert charted_row["first_infusion_month"] == "2026-03"


def test_sessions_of_the_clinic_only(world: World, client_for, charted) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(client_for(world.clinician).get("/clinic/exports/sessions.csv"))
    assert {r["patient_id"] for r in rows} == {str(world.patient_record.public_id)}
    assert [r["delivered_mg"] for r in rows] == ["35.00", "35.00"]


@pytest.mark.parametrize(("age", "band"), [(39, "30-39"), (40, "40-49"), (41, "40-49")])
def test_age_band_edges(age: int, band: str) -> None:
    assert age_band(age) == band
