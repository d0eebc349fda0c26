"""One patient's full analysis: baseline, response by window, relief, flares, forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
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
    FlareStateRule,
    SustainedFlareRule,
    change_points,
    declared_flares,
    flare_episodes,
    flare_state_runs,
    remission_periods,
    sustained_flare_runs,
)
from tenderpoint.outcomes.forecast import (
    BoosterForecast,
    ForecastPrior,
    ForecastRule,
    forecast_booster,
)
from tenderpoint.outcomes.latent import DEFAULT_LATENT_MODEL, EPOCH, patient_level
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


FlareRules = FlareRule | SustainedFlareRule | FlareStateRule


def _detected_runs(
    daily: pl.DataFrame,
    session_dates: list[dt.date],
    flare_rule: SustainedFlareRule | FlareStateRule,
    relief_rule: ReliefRule | LatentReliefRule,
) -> tuple[dt.date, npt.NDArray[np.float64], list[tuple[int, int, float, float, float | None]]]:
    """Grid start, daily pain and the detected episodes of rules 2.0 and 3.0."""
    model = relief_rule.model if isinstance(relief_rule, LatentReliefRule) else DEFAULT_LATENT_MODEL
    start, pain, count, mean, var, noise_var = patient_level(daily, session_dates, model)
    if isinstance(flare_rule, SustainedFlareRule):
        runs = sustained_flare_runs(pain, count, mean, noise_var, flare_rule)
        return start, pain, [(a, b, r, se, None) for a, b, r, se in runs]
    lo = (start - EPOCH).days
    declared = np.zeros(pain.size, dtype=bool)
    days = daily["local_date"].to_physical().to_numpy().astype(np.int64) - lo
    declared[days] = daily["flare"].fill_null(False).to_numpy()
    process_var = np.full(pain.size, model.process_sd_points_per_day**2)
    process_var[[(x - start).days for x in session_dates]] += model.jump_sd_points**2
    found = flare_state_runs(pain, count, declared, process_var, (mean, var, noise_var), flare_rule)
    return start, pain, [(a, b, r, se, p) for a, b, r, se, p in found]


def patient_flares(
    daily: pl.DataFrame,
    sessions: pl.DataFrame,
    flare_rule: FlareRules,
    relief_rule: ReliefRule | LatentReliefRule,
) -> pl.DataFrame:
    """One patient's declared flares plus those the rule detects (2.0 and 3.0: on the latent
    level; 3.0 gives each episode the highest daily probability of being in a flare).

    ``daily`` holds one patient's daily values; ``sessions`` their infusion sessions.
    """
    if isinstance(flare_rule, FlareRule):
        return flare_episodes(daily, flare_rule)
    start, pain, runs = _detected_runs(
        daily, sessions["local_date"].to_list(), flare_rule, relief_rule
    )
    pid = daily["patient_id"][0] if daily.height else ""
    detected = pl.DataFrame(
        {
            "patient_id": [str(pid)] * len(runs),
            "start": [start + dt.timedelta(days=r[0]) for r in runs],
            "end": [start + dt.timedelta(days=r[1]) for r in runs],
            "peak_pain": [float(np.nanmax(pain[r[0] : r[1] + 1])) for r in runs],
            "length_days": [r[1] - r[0] + 1 for r in runs],
            "rise_points": [round(r[2], 2) for r in runs],
            "rise_se_points": [round(r[3], 2) for r in runs],
            "probability": [None if r[4] is None else round(r[4], 3) for r in runs],
        },
        schema={
            "patient_id": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "peak_pain": pl.Float64,
            "length_days": pl.Int64,
            "rise_points": pl.Float64,
            "rise_se_points": pl.Float64,
            "probability": pl.Float64,
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
        pl.lit(None, dtype=pl.Float64).alias("probability"),
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
    flare_rule: FlareRules | None = None,
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
    chosen_flare = flare_rule or FlareStateRule()
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
