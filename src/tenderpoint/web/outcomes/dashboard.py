"""The clinic's aggregate outcomes: computed once into a snapshot, small cells suppressed.

``compute_snapshot_figures`` selects the clinic's patients by the dashboard's filters, runs the
outcomes core's ``cohort_summary`` on their records and keeps only what may be shown: any count
or rate whose denominator is under ``MIN_CELL_PATIENTS`` is replaced by "suppressed" (a common
disclosure-control threshold for small cells), so a narrow filter cannot single a person out.
The per-patient table is the one de-identified table (``deidentified``), stored with the snapshot.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from tenderpoint.web.infusions.models import InfusionSession
from tenderpoint.web.outcomes.deidentified import (
    MIN_CELL_PATIENTS,
    SUPPRESSED,
    deidentified_table,
)
from tenderpoint.web.outcomes.frames import frames_for
from tenderpoint.web.patients.models import Patient

AGE_BANDS = {"18-39": (18, 39), "40-59": (40, 59), "60+": (60, 200)}


@dataclass(frozen=True)
class Filters:
    """What the dashboard narrows the clinic to (all optional)."""

    first_infusion_from: dt.date | None = None
    first_infusion_to: dt.date | None = None
    protocol: str = ""
    product: str = ""
    sex: str = ""
    age_band: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in self.__dict__.items()
            if v not in (None, "")
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Filters:
        def day(key: str) -> dt.date | None:
            return dt.date.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            first_infusion_from=day("first_infusion_from"),
            first_infusion_to=day("first_infusion_to"),
            protocol=data.get("protocol", ""),
            product=data.get("product", ""),
            sex=data.get("sex", ""),
            age_band=data.get("age_band", ""),
        )


def select_patients(clinic: Any, filters: Filters, today: dt.date) -> list[Patient]:
    """The clinic's current patients who match ``filters`` (sessions decide product/protocol)."""
    patients = Patient.objects.current().filter(clinic=clinic).select_related("clinic")
    if filters.sex:
        patients = patients.filter(sex=filters.sex)
    chosen = list(patients)
    if filters.age_band:
        low, high = AGE_BANDS[filters.age_band]
        chosen = [p for p in chosen if low <= p.age_years(today) <= high]
    if (
        filters.product
        or filters.protocol
        or filters.first_infusion_from
        or filters.first_infusion_to
    ):
        sessions = (
            InfusionSession.objects.current()
            .filter(patient__in=chosen, started_at__isnull=False)
            .select_related("plan")
        )
        first: dict[int, dt.datetime] = {}
        matching: set[int] = set()
        for s in sessions:
            if s.patient_id not in first or s.started_at < first[s.patient_id]:
                first[s.patient_id] = s.started_at
            if (not filters.product or s.plan.product == filters.product) and (
                not filters.protocol or s.plan.inputs.get("protocol_id") == filters.protocol
            ):
                matching.add(s.patient_id)
        tz = clinic.tzinfo

        def in_range(pk: int) -> bool:
            if pk not in first:
                return False
            day = first[pk].astimezone(tz).date()
            return (not filters.first_infusion_from or day >= filters.first_infusion_from) and (
                not filters.first_infusion_to or day <= filters.first_infusion_to
            )

        chosen = [p for p in chosen if p.pk in matching and in_range(p.pk)]
    return chosen


def _rate(n: int, k: int, low: float | None, high: float | None) -> dict[str, Any]:
    if n < MIN_CELL_PATIENTS:
        return {"n": SUPPRESSED, "count": SUPPRESSED, "rate": SUPPRESSED}
    return {
        "n": n,
        "count": k,
        "rate": round(k / n, 4) if n else None,
        "ci_low": None if low is None else round(low, 4),
        "ci_high": None if high is None else round(high, 4),
    }


def _finite(value: Any) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 1)


def _at_risk(curve: pl.DataFrame, day: float) -> int:
    """Patients still followed and in relief at ``day``: the core's count at the first time
    on or after it (none after the last time)."""
    later = curve.filter(pl.col("time") >= day)
    return int(later["at_risk"][0]) if later.height else 0


def _km_range(row: dict[str, Any]) -> dict[str, Any] | None:
    """Durability's range (the core counts courses whose diary cannot say relief still held
    at the end of follow-up both ways); None where the core gives none."""
    if row.get("range_low") is None:
        return None
    return {
        "low": _finite(row["range_low"]),
        "high": _finite(row["range_high"]),
        "unsure": row["unsure"],
        "median_if_ended": _finite(row["median_if_ended"]),
    }


def _km(km: Any) -> dict[str, Any]:
    medians = km.medians.filter(pl.col("stratum") == "all")
    if medians.is_empty() or medians["n"][0] < MIN_CELL_PATIENTS:
        return {"status": SUPPRESSED}
    row = medians.row(0, named=True)
    curve = km.curve.filter(pl.col("stratum") == "all").sort("time")
    at_risk = []
    for day in (0, 30, 60, 90, 180):
        n = _at_risk(curve, day)
        at_risk.append({"days": day, "at_risk": n if n >= MIN_CELL_PATIENTS else "fewer than 11"})
    # The curve is drawn only while at least MIN_CELL_PATIENTS remain at risk (a small cell).
    shown = curve.filter(pl.col("at_risk") >= MIN_CELL_PATIENTS)
    return {
        "status": row["status"],
        "n": row["n"],
        "events": row["events"],
        "count": row["events"],  # for the public page's small-count rule
        "range": _km_range(row),
        "median": _finite(row["median"]),
        "median_ci_low": _finite(row["median_ci_low"]),
        "median_ci_high": _finite(row["median_ci_high"]),
        "unit": km.unit,
        "curve": [
            {"days": r["time"], "survival": r["survival"], "low": r["ci_low"], "high": r["ci_high"]}
            for r in shown.iter_rows(named=True)
        ],
        "at_risk": at_risk,
    }


def _responders(rates: pl.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for r in rates.filter(pl.col("stratum") == "all").iter_rows(named=True):
        rows.append(
            {
                "window": r["window"],
                **_rate(
                    r["n_evaluable"],
                    r["n_responders"],
                    r["responder_ci_low"],
                    r["responder_ci_high"],
                ),
            }
        )
    return rows


def _dropoff(dropoff: pl.DataFrame, n_started: int) -> list[dict[str, Any]]:
    if n_started < MIN_CELL_PATIENTS:
        return []
    rows = dropoff.filter(pl.col("stratum") == "all").sort("dropped_after_infusion")
    # Counts per infusion number can be small even when the cohort is not: merge, never show <11.
    out = []
    for r in rows.iter_rows(named=True):
        count = r["n_patients"]
        out.append(
            {
                "after_infusion": r["dropped_after_infusion"],
                "patients": count if count >= MIN_CELL_PATIENTS else "fewer than 11",
            }
        )
    return out


def _flare_rate(diary: pl.DataFrame, n_patients: int) -> dict[str, Any]:
    if n_patients < MIN_CELL_PATIENTS or diary.is_empty():
        return {"status": SUPPRESSED}
    days = diary.group_by("patient_id", "local_date").agg(pl.col("flare").any())
    flare_days = int(days["flare"].sum())
    return {
        "status": "ok",
        "flare_days_per_100_diary_days": round(100 * flare_days / days.height, 1),
        "diary_days": days.height,
    }


def compute_snapshot_figures(
    clinic: Any, filters: Filters, today: dt.date, open_safety_flags: int
) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """(figures, de-identified patient table, core version) for the selected patients."""
    patients = select_patients(clinic, filters, today)
    figures: dict[str, Any] = {
        "n_patients": len(patients) if len(patients) >= MIN_CELL_PATIENTS else SUPPRESSED,
        "min_cell_patients": MIN_CELL_PATIENTS,
        "filters": filters.as_dict(),
        "open_safety_flags": open_safety_flags,
        "as_of": today.isoformat(),
    }
    if len(patients) < MIN_CELL_PATIENTS:
        figures["status"] = SUPPRESSED
        return figures, [], ""
    # Imported here: the outcomes core loads scipy.stats (about 1 s), which whoever only
    # needs ``Filters`` (the demo's seed queueing the first snapshot) should not pay.
    from tenderpoint.outcomes.cohort import cohort_summary

    frames = frames_for(patients, today)
    summary = cohort_summary(frames.diary, frames.infusions, frames.patients, frames.assessments)
    induction = summary.induction.filter(pl.col("stratum") == "all").row(0, named=True)
    figures.update(
        {
            "status": "ok",
            "induction": _rate(
                induction["n_started"],
                induction["n_completed"],
                induction["completion_ci_low"],
                induction["completion_ci_high"],
            ),
            "dropoff": _dropoff(summary.dropoff, induction["n_started"]),
            "responders": _responders(summary.responder_rates),
            "durability": _km(summary.durability),
            "time_to_relief": _km(summary.time_to_relief),
            "flares": _flare_rate(frames.diary, len(patients)),
            "questionnaire_patients_30d": _questionnaire_completion(
                frames.assessments, today, len(patients)
            ),
        }
    )
    return figures, deidentified_table(summary.patients, frames.infusions), summary.version


def _questionnaire_completion(assessments: pl.DataFrame, today: dt.date, n: int) -> dict[str, Any]:
    recent = assessments.filter(pl.col("date") > today - dt.timedelta(days=30))
    answered = recent["patient_id"].n_unique() if recent.height else 0
    return _rate(n, answered, None, None)
