"""One patient's full analysis: baseline, response by window, relief, flares, forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from tenderpoint.outcomes.baseline import BaselineRule, baseline_scores
from tenderpoint.outcomes.contracts import daily_values
from tenderpoint.outcomes.flares import (
    FlareRule,
    change_points,
    flare_episodes,
    remission_periods,
)
from tenderpoint.outcomes.forecast import BoosterForecast, ForecastPrior, forecast_booster
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


def analyse_patient(
    patient_id: str,
    diary: pl.DataFrame,
    infusions: pl.DataFrame,
    patients: pl.DataFrame,
    *,
    today: dt.date | None = None,
    prior: ForecastPrior | None = None,
    baseline_rule: BaselineRule | None = None,
    relief_rule: ReliefRule | None = None,
    flare_rule: FlareRule | None = None,
) -> PatientAnalysis:
    """Analyse one patient from validated frames (which may hold the whole clinic).

    Parameters
    ----------
    patient_id : str
        The patient.
    diary, infusions, patients : polars.DataFrame
        Validated contract frames.
    today : date, optional
        Forecast reference date.
    prior : ForecastPrior, optional
        Cohort prior for the forecast.
    baseline_rule, relief_rule, flare_rule : optional
        Rules (defaults documented in their modules).

    Returns
    -------
    PatientAnalysis
    """
    one = pl.col("patient_id") == patient_id
    diary = diary.filter(one)
    daily = daily_values(diary)
    sessions = infusion_courses(infusions.filter(one), patients.filter(one))
    baseline = baseline_scores(daily, sessions, baseline_rule)
    episodes = flare_episodes(daily, flare_rule)
    return PatientAnalysis(
        patient_id=patient_id,
        baseline=baseline,
        responses=window_responses(daily, baseline),
        relief=relief_episodes(diary, daily, sessions, baseline, relief_rule),
        flares=episodes,
        remissions=remission_periods(daily, episodes),
        change_points=change_points(daily),
        forecast=forecast_booster(patient_id, daily, sessions, baseline, today=today, prior=prior),
    )
