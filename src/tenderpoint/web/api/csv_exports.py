"""Streamed CSV exports of a clinic: rows are written as they are read (``iterator``), so
100,000 rows never sit in memory. Each download writes one ``export`` audit event.

- ``outcomes.csv``: de-identified, one row per patient (clinicians, nurses and clinic admins):
  the same table as the dashboard snapshot's download (``outcomes.deidentified``), computed
  by the outcomes core for the whole clinic, a chunk of patients at a time.
- ``sessions.csv`` and ``questionnaires.csv``: identified (care team only).

Who gets which is the ``api.export_*`` permissions (``tenderpoint.web.api.policies``).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from django.http import HttpRequest, StreamingHttpResponse

from tenderpoint.web.api import adapters
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import ClinicView
from tenderpoint.web.infusions.models import InfusionSession
from tenderpoint.web.outcomes import deidentified


class _Echo:
    def write(self, value: str) -> str:
        return value


def _stream(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def session_rows(clinic_id: int) -> Iterator[list[Any]]:
    sessions = (
        InfusionSession.objects.filter(patient__clinic_id=clinic_id, started_at__isnull=False)
        .select_related("patient", "plan", "signed_by")
        .order_by("started_at", "pk")
    )
    for s in sessions.iterator(chunk_size=2000):
        yield [
            s.public_id,
            s.patient.public_id,
            s.patient.medical_record_number,
            s.patient.family_name,
            s.patient.given_name,
            s.started_at.isoformat(),
            s.ended_at.isoformat() if s.ended_at else "",
            s.plan.product,
            s.plan.total_dose_mg,
            s.delivered_mg,
            s.status,
            adapters.person_name(s.signed_by),
            "yes" if s.is_entered_in_error else "",
        ]


SESSION_HEADER = [
    "session_id", "patient_id", "record_number", "family_name", "given_name", "started_at_utc",
    "ended_at_utc", "product", "planned_dose_mg", "delivered_mg", "status", "signed_by",
    "entered_in_error",
]  # fmt: skip


def questionnaire_rows(clinic_id: int) -> Iterator[list[Any]]:
    model = adapters.response_model()
    if model is None:
        return
    responses = (
        model.objects.filter(patient__clinic_id=clinic_id)
        .select_related("patient")
        .order_by("submitted_at", "pk")
    )
    for r in responses.iterator(chunk_size=2000):
        outputs = r.outputs
        band = next(
            (outputs[k] for k in ("severity", "category", "band", "label") if outputs.get(k)), ""
        )
        yield [
            r.public_id,
            r.patient.public_id,
            r.patient.medical_record_number,
            r.patient.family_name,
            r.patient.given_name,
            r.instrument_id,
            r.instrument_version,
            r.submitted_at.isoformat(),
            outputs.get("total", outputs.get("nrs", outputs.get("response", ""))),
            band,
            "yes" if r.is_entered_in_error else "",
        ]


QUESTIONNAIRE_HEADER = [
    "response_id", "patient_id", "record_number", "family_name", "given_name", "instrument_id",
    "instrument_version", "submitted_at_utc", "score", "band", "entered_in_error",
]  # fmt: skip


def _response(
    request: HttpRequest, what: str, clinic_id: int, header: list[str], rows: Iterable[list[Any]]
) -> StreamingHttpResponse:
    audit.record(
        Action.EXPORT, request=request, object_type=f"export.{what}", detail={"format": "csv"}
    )
    response = StreamingHttpResponse(_stream(header, rows), content_type="text/csv; charset=utf-8")
    today = datetime.datetime.now(tz=datetime.UTC).date()
    response["Content-Disposition"] = f'attachment; filename="{what}-{today:%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


class _CsvExportView(ClinicView):
    """One streamed CSV table of the signed-in user's clinic (GET only); the access mixin
    checks the permission and writes ``view``/``denied``, the download its ``export`` event."""

    abstract_policy = True
    http_method_names = ["get", "head"]
    what: ClassVar[str]
    header: ClassVar[list[str]]

    def rows(self, clinic: Any) -> Iterable[list[Any]]:
        raise NotImplementedError

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        clinic = self.clinic
        return _response(request, self.what, clinic.pk, self.header, self.rows(clinic))


class OutcomesCsvView(_CsvExportView):
    """De-identified: the care team and the clinic administrator."""

    permission = "api.export_outcomes_csv"
    audit_object_type = "export.outcomes"
    what = "outcomes"
    header = list(deidentified.TABLE_COLUMNS)

    def rows(self, clinic: Any) -> Iterable[list[Any]]:
        today = datetime.datetime.now(tz=clinic.tzinfo).date()
        lines = deidentified.table_lines(deidentified.clinic_table(clinic, today))
        next(lines)  # the header is written by the response
        return lines


class SessionsCsvView(_CsvExportView):
    """Identified: the care team only."""

    permission = "api.export_identified_csv"
    audit_object_type = "export.sessions"
    what = "sessions"
    header = SESSION_HEADER

    def rows(self, clinic: Any) -> Iterable[list[Any]]:
        return session_rows(clinic.pk)


class QuestionnairesCsvView(_CsvExportView):
    """Identified: the care team only."""

    permission = "api.export_identified_csv"
    audit_object_type = "export.questionnaires"
    what = "questionnaires"
    header = QUESTIONNAIRE_HEADER

    def rows(self, clinic: Any) -> Iterable[list[Any]]:
        return questionnaire_rows(clinic.pk)


outcomes_csv = OutcomesCsvView.as_view()
sessions_csv = SessionsCsvView.as_view()
questionnaires_csv = QuestionnairesCsvView.as_view()
