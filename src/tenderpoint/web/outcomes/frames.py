"""Stored records → the outcomes core's contract frames (``tenderpoint.outcomes.contracts``).

The one translation between the database and the core: the per-patient page, the clinic
snapshot and the de-identified export all read their frames here. Only current records count
(entered-in-error rows are left out); sessions count once they have started and ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import QuerySet

from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.infusions.choices import CourseKind
from tenderpoint.web.infusions.models import Course, InfusionSession
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.questionnaires.models import QuestionnaireResponse

SCORES = ("pain", "fatigue", "sleep_quality", "fog", "mood", "headache")
DRUGS = {"racemic": "racemic_ketamine", "esketamine": "esketamine"}
DEFAULT_PLANNED_INDUCTION = 5
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S%.f"  # Django's text form of a UTC datetime in SQLite


@dataclass(frozen=True)
class Frames:
    """The contract frames of a set of patients (patient_id = the record's public UUID)."""

    diary: pl.DataFrame
    infusions: pl.DataFrame
    patients: pl.DataFrame
    assessments: pl.DataFrame


def _read(queryset: QuerySet[Any], columns: dict[str, str], schema: dict[str, Any]) -> pl.DataFrame:
    """The queryset's ``columns`` (field lookups, named by the frame column) as a frame of
    ``schema``, read with one cursor and typed by polars.

    Django's per-value converters (time zones, decimals, booleans) cost about 30 µs a row,
    seconds for a clinic's year of diary; the database's own values are typed here instead:
    SQLite's datetime text is UTC by Django's convention, PostgreSQL's values are typed already.
    """
    sql, params = queryset.values_list(*columns.values()).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = list(columns)
    raw = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    if raw.is_empty():
        return pl.DataFrame(schema={n: schema[n] for n in names})
    return raw.select(_typed(raw, name, schema[name]) for name in names)


def _typed(raw: pl.DataFrame, name: str, dtype: Any) -> pl.Expr:
    column, source = pl.col(name), raw.schema[name]
    if isinstance(dtype, pl.Datetime):
        if source == pl.String:
            return column.str.to_datetime(
                SQLITE_DATETIME, time_unit="us", time_zone="UTC", strict=True
            ).alias(name)
        if isinstance(source, pl.Datetime) and source.time_zone is None:
            return column.dt.cast_time_unit("us").dt.replace_time_zone("UTC").alias(name)
        return column.dt.convert_time_zone("UTC").dt.cast_time_unit("us").alias(name)
    if dtype == pl.Date and source == pl.String:
        return column.str.to_date().alias(name)
    return column.cast(dtype).alias(name)


def _diary(patient_ids: dict[int, str]) -> pl.DataFrame:
    rows = DiaryEntry.objects.current().filter(patient_id__in=patient_ids).order_by()
    columns = {
        "patient_pk": "patient_id",
        "recorded_at": "recorded_at",
        "local_date": "local_date",
        **{name: name for name in SCORES},
        "flare": "flare",
    }
    schema = {
        "patient_pk": pl.Int64,
        "recorded_at": pl.Datetime("us", "UTC"),
        "local_date": pl.Date,
        **dict.fromkeys(SCORES, pl.Float64),
        "flare": pl.Boolean,
    }
    frame = _read(rows, columns, schema)
    return frame.select(
        _public_ids(patient_ids).alias("patient_id"),
        *(c for c in frame.columns if c != "patient_pk"),
        pl.lit(None, dtype=pl.String).alias("note"),
    )


def _public_ids(patient_ids: dict[int, str]) -> pl.Expr:
    return pl.col("patient_pk").replace_strict(
        list(patient_ids), list(patient_ids.values()), return_dtype=pl.String
    )


def _infusions(patient_ids: dict[int, str]) -> pl.DataFrame:
    sessions = (
        InfusionSession.objects.current()
        .filter(patient_id__in=patient_ids, started_at__isnull=False, ended_at__isnull=False)
        .order_by("patient_id", "started_at")
    )
    columns = {
        "patient_pk": "patient_id",
        "start": "started_at",
        "end": "ended_at",
        "product": "plan__product",
        "total_dose_mg": "delivered_mg",
        "weight_kg": "plan__weight_kg",
    }
    schema = {
        "patient_pk": pl.Int64,
        "start": pl.Datetime("us", "UTC"),
        "end": pl.Datetime("us", "UTC"),
        "product": pl.String,
        "total_dose_mg": pl.Float64,
        "weight_kg": pl.Float64,
    }
    frame = _read(sessions, columns, schema)
    return frame.select(
        _public_ids(patient_ids).alias("patient_id"),
        "start",
        "end",
        pl.col("product").replace_strict(DRUGS, return_dtype=pl.String).alias("drug"),
        "total_dose_mg",
        (pl.col("total_dose_mg") / pl.col("weight_kg")).round(4).alias("dose_mg_per_kg"),
    )


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
