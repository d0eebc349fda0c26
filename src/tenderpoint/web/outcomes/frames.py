"""Stored records → the outcomes core's contract frames (``tenderpoint.outcomes.contracts``).

The one translation between the database and the core: the per-patient page, the clinic
snapshot and the de-identified export all read their frames here. Only current records count
(entered-in-error rows are left out); sessions count once they have started and ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.infusions.choices import CourseKind
from tenderpoint.web.infusions.models import Course, InfusionSession
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.questionnaires.models import QuestionnaireResponse

SCORES = ("pain", "fatigue", "sleep_quality", "fog", "mood", "headache")
DRUGS = {"racemic": "racemic_ketamine", "esketamine": "esketamine"}
DEFAULT_PLANNED_INDUCTION = 5


@dataclass(frozen=True)
class Frames:
    """The contract frames of a set of patients (patient_id = the record's public UUID)."""

    diary: pl.DataFrame
    infusions: pl.DataFrame
    patients: pl.DataFrame
    assessments: pl.DataFrame


def _diary(patient_ids: dict[int, str]) -> pl.DataFrame:
    rows = DiaryEntry.objects.current().filter(patient_id__in=patient_ids)
    values = rows.values_list("patient_id", "recorded_at", "local_date", *SCORES, "flare", "note")
    columns = list(zip(*values, strict=True)) if values else [[] for _ in range(10)]
    frame = {
        "patient_id": [patient_ids[pk] for pk in columns[0]],
        "recorded_at": list(columns[1]),
        "local_date": list(columns[2]),
        **{
            name: [None if v is None else float(v) for v in columns[3 + n]]
            for n, name in enumerate(SCORES)
        },
        "flare": list(columns[9]),
        "note": [None] * len(columns[0]),
    }
    schema = {
        "patient_id": pl.String,
        "recorded_at": pl.Datetime("us", "UTC"),
        "local_date": pl.Date,
        **dict.fromkeys(SCORES, pl.Float64),
        "flare": pl.Boolean,
        "note": pl.String,
    }
    return pl.DataFrame(frame, schema=schema)


def _infusions(patient_ids: dict[int, str]) -> pl.DataFrame:
    sessions = (
        InfusionSession.objects.current()
        .filter(patient_id__in=patient_ids, started_at__isnull=False, ended_at__isnull=False)
        .select_related("plan")
        .order_by("patient_id", "started_at")
    )
    rows = [
        {
            "patient_id": patient_ids[s.patient_id],
            "start": s.started_at,
            "end": s.ended_at,
            "drug": DRUGS[s.plan.product],
            "total_dose_mg": float(s.delivered_mg),
            "dose_mg_per_kg": round(float(s.delivered_mg) / float(s.plan.weight_kg), 4),
        }
        for s in sessions
    ]
    schema = {
        "patient_id": pl.String,
        "start": pl.Datetime("us", "UTC"),
        "end": pl.Datetime("us", "UTC"),
        "drug": pl.String,
        "total_dose_mg": pl.Float64,
        "dose_mg_per_kg": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def _patients(patients: Sequence[Patient], today: dt.date) -> pl.DataFrame:
    planned: dict[int, int] = {}
    inductions = (
        Course.objects.current()
        .filter(patient__in=patients, kind=CourseKind.INDUCTION)
        .order_by("-start_date")
    )
    for course in inductions:
        planned[course.patient_id] = course.planned_infusions
    return pl.DataFrame(
        {
            "patient_id": [str(p.public_id) for p in patients],
            "sex": [p.sex for p in patients],
            "age_years": [p.age_years(today) for p in patients],
            "timezone": [p.clinic.time_zone for p in patients],
            "planned_induction_infusions": [
                planned.get(p.pk, DEFAULT_PLANNED_INDUCTION) for p in patients
            ],
        },
        schema={
            "patient_id": pl.String,
            "sex": pl.String,
            "age_years": pl.Int64,
            "timezone": pl.String,
            "planned_induction_infusions": pl.Int64,
        },
    )


def _assessments(patient_ids: dict[int, str]) -> pl.DataFrame:
    responses = QuestionnaireResponse.objects.current().filter(patient_id__in=patient_ids)
    rows = []
    for pk, day, instrument, outputs in responses.values_list(
        "patient_id", "local_date", "instrument_id", "outputs"
    ):
        total = outputs.get("total") if isinstance(outputs, dict) else None
        if total is None:
            continue
        subscales = [
            {"name": name.removesuffix("_domain"), "score": float(value)}
            for name, value in outputs.items()
            if name.endswith("_domain") and isinstance(value, int | float)
        ]
        rows.append(
            {
                "patient_id": patient_ids[pk],
                "date": day,
                "instrument_id": instrument,
                "total": float(total),
                "subscales": subscales,
            }
        )
    schema = {
        "patient_id": pl.String,
        "date": pl.Date,
        "instrument_id": pl.String,
        "total": pl.Float64,
        "subscales": pl.List(pl.Struct({"name": pl.String, "score": pl.Float64})),
    }
    return pl.DataFrame(rows, schema=schema)


def frames_for(patients: Sequence[Patient], today: dt.date) -> Frames:
    """The four contract frames for ``patients`` (the caller has applied the access rule)."""
    patient_ids = {p.pk: str(p.public_id) for p in patients}
    return Frames(
        diary=_diary(patient_ids),
        infusions=_infusions(patient_ids),
        patients=_patients(patients, today),
        assessments=_assessments(patient_ids),
    )
