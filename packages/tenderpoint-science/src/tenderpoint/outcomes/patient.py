"""One patient's full analysis: baseline, response by window, relief, flares, forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from tenderpoint._display import html_table
from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.baseline import BaselineRule, baseline_scores
from tenderpoint.outcomes.contracts import (
    daily_values,
    plain_rows,
    validate_diary,
    validate_infusions,
    validate_patients,
)
from tenderpoint.outcomes.flares import (
    FlareRule,
    SustainedFlareRule,
    change_points,
    declared_flares,
    flare_episodes,
    remission_periods,
    sustained_flare_runs,
)
from tenderpoint.outcomes.forecast import (
    BoosterForecast,
    ForecastPrior,
    ForecastRule,
    forecast_booster,
)
from tenderpoint.outcomes.latent import patient_level
from tenderpoint.outcomes.relief import LatentReliefRule
from tenderpoint.outcomes.response import ReliefRule, relief_episodes, window_responses
from tenderpoint.outcomes.schedule import infusion_courses


@dataclass(frozen=True)
class PatientAnalysis:
    """Everything the clinician's outcome page shows for one patient."""

    patient_id: str
    baseline: pl.DataFrame
    responses: pl.DataFrame
    relief: pl.DataFrame
    flares: pl.DataFrame
    remissions: pl.DataFrame
    change_points: pl.DataFrame
    forecast: BoosterForecast
    rules: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (frames as lists of rows, dates as ISO strings)."""

        rows = plain_rows

        return {
            "patient_id": self.patient_id,
            "baseline": rows(self.baseline),
            "responses": rows(self.responses),
            "relief": rows(self.relief),
            "flares": rows(self.flares),
            "remissions": rows(self.remissions),
            "change_points": rows(self.change_points),
            "forecast": self.forecast.as_dict(),
            "rules": dict(self.rules),
        }

    def __repr__(self) -> str:
        return (
            f"PatientAnalysis({self.patient_id!r}, {self.responses.height} response windows, "
            f"{self.relief.height} relief rows, {self.flares.height} flares)"
        )

    def _repr_html_(self) -> str:
        """The rules, then the baseline, responses and relief frames (rich display)."""
        head = html_table(f"Patient {self.patient_id}", self.rules.items())
        frames = (self.baseline, self.responses, self.relief)
        return head + "".join(frame._repr_html_() for frame in frames)


def _validated(
    patient_id: str,
    diary: pl.DataFrame,
    infusions: pl.DataFrame,
    patients: pl.DataFrame,
    now: dt.datetime | None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The patient's own rows of each frame, validated (every problem named)."""
    if not isinstance(patient_id, str) or not patient_id:
        raise InvalidInputError(
            "patient_id must be a non-empty string.", code="wrong_type", field="patient_id"
        )
    for name, frame in (("diary", diary), ("infusions", infusions), ("patients", patients)):
        if not isinstance(frame, pl.DataFrame) or "patient_id" not in frame.columns:
            raise InvalidInputError(
                f"{name} must be a polars DataFrame with a patient_id column.",
                code="wrong_type",
                field=name,
            )
    one = pl.col("patient_id") == patient_id
    pts = validate_patients(patients.filter(one))
    if pts.height == 0:
        raise InvalidInputError(
            f"Patient {patient_id!r} is not in the patients frame.",
            code="unknown_patient",
            field="patient_id",
        )
    ids = [patient_id]
    return (
        validate_diary(diary.filter(one), patient_ids=ids, now=now),
        validate_infusions(infusions.filter(one), patient_ids=ids, now=now),
        pts,
    )


def patient_flares(
    daily: pl.DataFrame,
    sessions: pl.DataFrame,
    flare_rule: FlareRule | SustainedFlareRule,
    relief_rule: ReliefRule | LatentReliefRule,
) -> pl.DataFrame:
    """One patient's declared flares plus those the rule detects (2.0: on the latent level).

    ``daily`` holds one patient's daily values; ``sessions`` their infusion sessions.
    """
    if isinstance(flare_rule, FlareRule):
        return flare_episodes(daily, flare_rule)
    model = relief_rule.model if isinstance(relief_rule, LatentReliefRule) else None
    start, pain, count, mean, _, noise_var = (
        patient_level(daily, sessions["local_date"].to_list(), model)
        if model is not None
        else patient_level(daily, sessions["local_date"].to_list())
    )
    runs = sustained_flare_runs(pain, count, mean, noise_var, flare_rule)
    pid = daily["patient_id"][0] if daily.height else ""
    detected = pl.DataFrame(
        {
            "patient_id": [str(pid)] * len(runs),
            "start": [start + dt.timedelta(days=a) for a, _, _, _ in runs],
            "end": [start + dt.timedelta(days=b) for _, b, _, _ in runs],
            "peak_pain": [float(np.nanmax(pain[a : b + 1])) for a, b, _, _ in runs],
            "length_days": [b - a + 1 for a, b, _, _ in runs],
            "rise_points": [round(r, 2) for _, _, r, _ in runs],
            "rise_se_points": [round(se, 2) for _, _, _, se in runs],
        },
        schema={
            "patient_id": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "peak_pain": pl.Float64,
            "length_days": pl.Int64,
            "rise_points": pl.Float64,
            "rise_se_points": pl.Float64,
        },
    ).with_columns(pl.lit("detected").alias("source"), pl.lit(flare_rule.version).alias("rule"))
    declared = declared_flares(daily).select(
        "patient_id",
        "start",
        "end",
        "peak_pain",
        "length_days",
        pl.lit(None, dtype=pl.Float64).alias("rise_points"),
        pl.lit(None, dtype=pl.Float64).alias("rise_se_points"),
        "source",
        pl.lit("declared by the patient").alias("rule"),
    )
    return pl.concat([declared, detected]).sort("start", "source")


def analyse_patient(
    patient_id: str,
    diary: pl.DataFrame,
    infusions: pl.DataFrame,
    patients: pl.DataFrame,
    *,
    today: dt.date | None = None,
    prior: ForecastPrior | None = None,
    baseline_rule: BaselineRule | None = None,
    relief_rule: ReliefRule | LatentReliefRule | str | None = None,
    flare_rule: FlareRule | SustainedFlareRule | None = None,
    forecast_rule: ForecastRule | str | None = None,
    now: dt.datetime | None = None,
) -> PatientAnalysis:
    """Analyse one patient (the frames may hold the whole clinic; they are validated here).

    Parameters
    ----------
    patient_id : str
        The patient.
    diary, infusions, patients : polars.DataFrame
        Contract frames; the patient's rows are validated and any problem raises
        :class:`~tenderpoint.errors.InvalidInputError` naming the field.
    today : date, optional
        Forecast reference date; diary days and sessions after it are not used.
    prior : ForecastPrior, optional
        Cohort prior for the forecast.
    baseline_rule, relief_rule, flare_rule, forecast_rule : optional
        Rules (defaults: the current versions; older ones by object or version string).
    now : datetime, optional
        Reference "now" for the future-date checks.

    Returns
    -------
    PatientAnalysis
    """
    from tenderpoint.outcomes.response import relief_rule as pick_relief_rule

    if today is not None and not isinstance(today, dt.date):
        raise InvalidInputError("today must be a date.", code="wrong_type", field="today")
    diary, infusions, patients = _validated(patient_id, diary, infusions, patients, now)
    if today is not None:
        diary = diary.filter(pl.col("local_date") <= today)
        infusions = infusions.filter(pl.col("start").dt.date() <= today)
    chosen_relief = pick_relief_rule(relief_rule)
    chosen_flare = flare_rule or SustainedFlareRule()
    daily = daily_values(diary)
    sessions = infusion_courses(infusions, patients)
    baseline = baseline_scores(daily, sessions, baseline_rule)
    episodes = patient_flares(daily, sessions, chosen_flare, chosen_relief)
    forecast = forecast_booster(
        patient_id, daily, sessions, baseline, today=today, prior=prior, rule=forecast_rule
    )
    return PatientAnalysis(
        patient_id=patient_id,
        baseline=baseline,
        responses=window_responses(daily, baseline),
        relief=relief_episodes(diary, daily, sessions, baseline, chosen_relief),
        flares=episodes,
        remissions=remission_periods(daily, episodes),
        change_points=change_points(daily),
        forecast=forecast,
        rules={
            "relief": chosen_relief.version,
            "flare": getattr(chosen_flare, "version", "tenderpoint-flare/1.0"),
            "forecast": forecast.version,
        },
    )
