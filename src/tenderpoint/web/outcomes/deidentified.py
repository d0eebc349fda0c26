"""The one de-identified per-patient outcome table, of the dashboard snapshot and the clinic export.

Each row is one patient's outcome from the outcomes core (``cohort_summary``'s per-patient
table) without identity: a random subject label (new at every computation, so two downloads
cannot be linked), sex, the core's age band, every date shifted by a random number of days per
patient, no names, record numbers, dates of birth or free text. Under ``MIN_CELL_PATIENTS``
patients no row is given at all (the same small-cell rule as the dashboard's figures).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Iterator
from typing import Any

import polars as pl

from tenderpoint.web.outcomes.frames import frames_for
from tenderpoint.web.patients.models import Patient

MIN_CELL_PATIENTS = 11
SUPPRESSED = "suppressed"
DATE_SHIFT_MAX_DAYS = 30
CHUNK_PATIENTS = 500

TABLE_COLUMNS: tuple[str, ...] = (
    "subject",
    "sex",
    "age_band",
    "baseline_pain",
    "first_infusion_date_shifted",
    "infusions",
    "responder",
    "pct_reduction_pain",
    "relief",
    "time_to_relief_hours",
    "durability_days",
    "durability_event",
)


def deidentified_table(
    per_patient: pl.DataFrame,
    infusions: pl.DataFrame | None = None,
    *,
    first_subject: int = 1,
) -> list[dict[str, Any]]:
    """Rows of ``TABLE_COLUMNS`` for the core's per-patient table, shuffled and relabelled.

    ``infusions`` (the contract frame the table was computed from) gives each patient's number
    of charted sessions; ``first_subject`` continues the labels across chunks.
    """
    counts: dict[str, int] = {}
    if infusions is not None and infusions.height:
        counts = dict(infusions.group_by("patient_id").len().iter_rows())
    rows = []
    shuffled = per_patient.sample(fraction=1.0, shuffle=True, seed=secrets.randbits(32))
    for n, row in enumerate(shuffled.iter_rows(named=True), start=first_subject):
        shift = dt.timedelta(
            days=secrets.randbelow(2 * DATE_SHIFT_MAX_DAYS + 1) - DATE_SHIFT_MAX_DAYS
        )
        first = row.get("first_infusion_date")
        baseline = row["baseline_pain"]
        rows.append(
            {
                "subject": f"S{n:04d}",
                "sex": row["sex"],
                "age_band": row["age_band"],
                "baseline_pain": None if baseline is None else round(baseline, 1),
                "first_infusion_date_shifted": (first + shift).isoformat() if first else None,
                "infusions": counts.get(row["patient_id"], 0),
                "responder": row["responder"],
                "pct_reduction_pain": row["primary_pct_reduction_pain"],
                "relief": row["relief"],
                "time_to_relief_hours": row["time_to_relief_hours"],
                "durability_days": row["durability_days"],
                "durability_event": row["durability_event"],
            }
        )
    return rows


def clinic_table(clinic: Any, today: dt.date) -> Iterator[dict[str, Any]]:
    """The whole clinic's table, computed ``CHUNK_PATIENTS`` patients at a time.

    Patients are put in a random order first, so neither the labels nor the chunks follow the
    order records were created in. Memory is bounded by one chunk's records.
    """
    # Imported here, not at module level: the outcomes core loads scipy.stats and
    # scipy.optimize (~1.5 s), which every web worker paid on its first request (the URLconf
    # imports this module) whether or not it ever showed an outcome.
    from tenderpoint.outcomes.cohort import cohort_summary

    patients = list(Patient.objects.current().filter(clinic=clinic).select_related("clinic"))
    if len(patients) < MIN_CELL_PATIENTS:
        return
    secrets.SystemRandom().shuffle(patients)
    subject = 1
    for start in range(0, len(patients), CHUNK_PATIENTS):
        frames = frames_for(patients[start : start + CHUNK_PATIENTS], today)
        summary = cohort_summary(frames.diary, frames.infusions, frames.patients)
        rows = deidentified_table(summary.patients, frames.infusions, first_subject=subject)
        subject += len(rows)
        yield from rows


def table_lines(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """The CSV rows (header first) of a de-identified table."""
    yield list(TABLE_COLUMNS)
    for row in rows:
        yield ["" if row.get(c) is None else row.get(c) for c in TABLE_COLUMNS]
