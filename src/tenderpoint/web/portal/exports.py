"""The patient's own data as plain rows, CSV and a FHIR Bundle (right of access)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone

from tenderpoint.interop.fhir import bundle, diary_observations, patient_resource
from tenderpoint.interop.fhir import questionnaire_response as fhir_response
from tenderpoint.outcomes.contracts import SCORE_COLUMNS
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.portal.infusion_links import session_rows
from tenderpoint.web.questionnaires.models import QuestionnaireResponse

CSV_COLUMNS = [
    "record",
    "id",
    "date",
    "time_utc",
    "status",
    "instrument",
    "version",
    "item",
    "value",
]


def _diary(patient: Patient) -> list[DiaryEntry]:
    return list(DiaryEntry.objects.filter(patient=patient).order_by("recorded_at"))


def _responses(patient: Patient) -> list[QuestionnaireResponse]:
    return list(QuestionnaireResponse.objects.filter(patient=patient).order_by("submitted_at"))


def _status(record: Any) -> str:
    return "entered_in_error" if record.is_entered_in_error else "current"


def export_csv(patient: Patient) -> str:
    """One row per value (long format), so every kind of record fits one sheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in _diary(patient):
        base = ["diary", e.public_id, e.local_date, e.recorded_at.isoformat(), _status(e), "", ""]
        for name in (*SCORE_COLUMNS, "flare"):
            writer.writerow([*base, name, getattr(e, name)])
        writer.writerow([*base, "pain_areas", " ".join(e.pain_areas)])
        writer.writerow([*base, "note", e.note])
    for r in _responses(patient):
        base = [
            "questionnaire",
            r.public_id,
            r.local_date,
            r.submitted_at.isoformat(),
            _status(r),
            r.instrument_id,
            r.instrument_version,
        ]
        for item_id, value in r.answers.items():
            writer.writerow([*base, item_id, value])
        for name, value in r.outputs.items():
            writer.writerow([*base, f"score.{name}", value])
    for s in session_rows(patient):
        base = ["infusion_session", s["id"], s["date"], s["start"], "signed", "", ""]
        writer.writerow([*base, "end_utc", s["end"]])
        writer.writerow([*base, "delivered_mg", s["delivered_mg"]])
    return out.getvalue()


def export_fhir(patient: Patient) -> dict[str, Any]:
    """A FHIR R4 collection Bundle: the Patient, diary Observations, QuestionnaireResponses."""
    pid = str(patient.public_id)
    resources = [
        patient_resource(
            {
                "id": pid,
                "family_name": patient.family_name,
                "given_name": patient.given_name,
                "date_of_birth": patient.date_of_birth,
                "sex": patient.sex,
                "email": patient.email,
                "phone": patient.phone,
                "medical_record_number": patient.medical_record_number,
            }
        )
    ]
    for e in _diary(patient):
        plain = {name: getattr(e, name) for name in (*SCORE_COLUMNS, "flare")}
        resources.extend(
            diary_observations(
                {
                    "id": str(e.public_id),
                    "recorded_at": e.recorded_at,
                    "entered_in_error": e.is_entered_in_error,
                    **plain,
                },
                pid,
            )
        )
    for r in _responses(patient):
        resources.append(
            fhir_response(
                {
                    "id": str(r.public_id),
                    "instrument_id": r.instrument_id,
                    "instrument_version": r.instrument_version,
                    "submitted_at": r.submitted_at,
                    "answers": r.answers,
                    "entered_in_error": r.is_entered_in_error,
                },
                pid,
            )
        )
    return bundle(resources, bundle_id=f"export-{pid}", timestamp=timezone.now())
