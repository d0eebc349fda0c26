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
from tenderpoint.web.infusions.selectors import valid_sessions
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
    """A FHIR R4 collection Bundle: the Patient, diary, questionnaires and infusion sessions."""
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
    resources.extend(_session_resources(patient))
    return bundle(resources, bundle_id=f"export-{pid}", timestamp=timezone.now())


def _session_resources(patient: Patient) -> list[dict[str, Any]]:
    """The patient's signed sessions (those the CSV lists) as the FHIR API maps them.

    Encounter, MedicationAdministration, AdverseEvents and the vitals and score Observations,
    through the API's one mapping. Without them the FHIR copy, the right-of-access export,
    left out the sessions the CSV has."""
    from tenderpoint.interop.fhir.adverse_event import adverse_event
    from tenderpoint.interop.fhir.encounter import encounter
    from tenderpoint.interop.fhir.medication import medication_administration
    from tenderpoint.web.api import adapters
    from tenderpoint.web.api.sources import session_observations

    found: list[dict[str, Any]] = []
    sessions = valid_sessions(patient).prefetch_related("vitals", "scores", "adverse_events")
    for session in sessions:
        data = adapters.session_dict(session)
        found.append(encounter(data))
        found.append(medication_administration(data))
        found.extend(
            adverse_event(adapters.adverse_event_dict(session, event, index))
            for index, event in enumerate(session.adverse_events.all(), start=1)
        )
        found.extend(session_observations(session))
    return found
