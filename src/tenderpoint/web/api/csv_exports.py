"""Streamed CSV exports of a clinic: rows are written as they are read (``iterator``), so
100,000 rows never sit in memory. Each download writes one ``export`` audit event.

- ``outcomes.csv``: de-identified, one row per patient (clinicians, nurses and clinic admins):
  a keyed pseudonym instead of any identifier, age in 10-year bands, month of the first
  infusion, no dates of birth, names, record numbers or free text.
- ``sessions.csv`` and ``questionnaires.csv``: identified (care team only).

Who gets which is the ``api.export_*`` permissions (``tenderpoint.web.api.policies``).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Avg, Count, Min, Sum
from django.http import HttpRequest, StreamingHttpResponse

from tenderpoint.outcomes.response import immpact_category
from tenderpoint.web.api import adapters
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import ClinicView
from tenderpoint.web.infusions.models import InfusionSession
from tenderpoint.web.patients.models import Patient

BASELINE_DAYS = 7
RECENT_DAYS = 28


class _Echo:
    def write(self, value: str) -> str:
        return value


def _stream(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def pseudonym(patient_public_id: object) -> str:
    """A stable keyed pseudonym: the same patient gets the same one in every export of this
    server, and it cannot be reversed without the server's secret key."""
    key = hashlib.sha256(f"tenderpoint-export:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, str(patient_public_id).encode(), hashlib.sha256).hexdigest()[:16]


def age_band(age: int) -> str:
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def _mean_pain(patient: Patient, start: datetime.date, end: datetime.date) -> float | None:
    model = adapters.diary_model()
    if model is None:
        return None
    found = (
        model.objects.current()
        .filter(patient=patient, local_date__gte=start, local_date__lt=end)
        .aggregate(mean=Avg("pain"))["mean"]
    )
    return round(float(found), 2) if found is not None else None


def outcome_rows(clinic_id: int, today: datetime.date) -> Iterator[list[Any]]:
    patients = Patient.objects.current().filter(clinic_id=clinic_id).order_by("pk")
    for patient in patients.iterator(chunk_size=500):
        infusions = (
            InfusionSession.objects.current()
            .filter(patient=patient, started_at__isnull=False)
            .aggregate(n=Count("pk"), total=Sum("delivered_mg"), first=Min("started_at"))
        )
        first = infusions["first"].date() if infusions["first"] else None
        baseline = (
            _mean_pain(patient, first - datetime.timedelta(days=BASELINE_DAYS), first)
            if first
            else None
        )
        recent = _mean_pain(patient, today - datetime.timedelta(days=RECENT_DAYS), today)
        reduction = category = ""
        if baseline is not None and recent is not None:
            category = immpact_category(baseline, recent)
            if baseline > 0:
                reduction = round((baseline - recent) / baseline * 100, 1)
        yield [
            pseudonym(patient.public_id),
            patient.sex,
            age_band(patient.age_years(today)),
            patient.diagnosis_status,
            infusions["n"],
            infusions["total"] or 0,
            first.strftime("%Y-%m") if first else "",
            "" if baseline is None else baseline,
            "" if recent is None else recent,
            reduction,
            category,
        ]


OUTCOME_HEADER = [
    "pseudonym",
    "sex",
    "age_band",
    "diagnosis_status",
    "infusions",
    "delivered_mg_total",
    "first_infusion_month",
    f"baseline_pain_mean_{BASELINE_DAYS}d",
    f"recent_pain_mean_{RECENT_DAYS}d",
    "pain_reduction_pct",
    "immpact_category",
]


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
    header = OUTCOME_HEADER

    def rows(self, clinic: Any) -> Iterable[list[Any]]:
        today = datetime.datetime.now(tz=clinic.tzinfo).date()
        return outcome_rows(clinic.pk, today)


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
