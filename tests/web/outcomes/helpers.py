"""A patient with a synthetic history stored as real records: diary entries and signed sessions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from django.utils import timezone

from tenderpoint.outcomes.synthetic import SyntheticParams, generate_cohort
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.infusions.choices import SessionStatus
from tenderpoint.web.infusions.models import InfusionSession
from tenderpoint.web.patients.models import Patient
from tests.web.infusions.helpers import make_prescriber, verified_plan

SCORES = ("pain", "fatigue", "sleep_quality", "fog", "mood", "headache")


def synthetic_history(
    patient: Patient, clinician: Any, nurse: Any, *, days: int = 120, seed: int = 7
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Store one synthetic patient's diary and sessions for ``patient``; return the frames used.

    The history ends yesterday in the clinic's time zone. Returns the cohort's own diary and
    infusions rows of that patient (``patient_id`` replaced by the record's public id), so a
    test can run the core on exactly what was stored.
    """
    today = timezone.now().astimezone(patient.clinic.tzinfo).date()
    params = SyntheticParams(
        start_date=today - dt.timedelta(days=days),
        timezones=(patient.clinic.time_zone,),
        timezone_weights=(1.0,),
        responder_fraction=1.0,
        dropout_per_year=0.001,
    )
    cohort = generate_cohort(1, days, seed=seed, params=params)
    pid = str(patient.public_id)
    diary = cohort.diary.with_columns(pl.lit(pid).alias("patient_id"))
    infusions = cohort.infusions.with_columns(pl.lit(pid).alias("patient_id"))
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=patient,
            recorded_at=row["recorded_at"],
            local_date=row["local_date"],
            time_zone=patient.clinic.time_zone,
            flare=row["flare"],
            **{s: None if row[s] is None else int(row[s]) for s in SCORES},
        )
        for row in diary.iter_rows(named=True)
    )
    make_prescriber(clinician)
    plan = verified_plan(patient, clinician, nurse)
    for row in infusions.iter_rows(named=True):
        InfusionSession.objects.create(
            patient=patient,
            plan=plan,
            status=SessionStatus.SIGNED,
            started_at=row["start"],
            ended_at=row["end"],
            delivered_mg=Decimal(str(round(row["total_dose_mg"], 2))),
            signed_by=clinician,
            signed_at=row["end"],
        )
    # The stored sessions deliver what the plan's product and dose say; the frame reflects that.
    stored = infusions.with_columns(
        pl.col("total_dose_mg").round(2),
        (pl.col("total_dose_mg").round(2) / float(plan.weight_kg)).round(4).alias("dose_mg_per_kg"),
        pl.lit("racemic_ketamine").alias("drug"),
    )
    return diary, stored
