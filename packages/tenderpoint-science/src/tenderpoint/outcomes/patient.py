"""One patient's full analysis: baseline, response by window, relief, flares, forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl

from tenderpoint._display import html_table
from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.baseline import BaselineRule, baseline_scores
from tenderpoint.outcomes.contracts import daily_values, plain_rows
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
    forecast_settings,
)
from tenderpoint.outcomes.latent import (
    DEFAULT_LATENT_MODEL,
    EPOCH,
    LatentLevelModel,
    patient_level,
)
from tenderpoint.outcomes.patient_rows import PatientRows, patient_rows, validated_frames
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


FlareRules = FlareRule | SustainedFlareRule | FlareStateRule


Run = tuple[int, int, float, float, float | None]


def _detected_runs(
    daily: pl.DataFrame,
    session_dates: list[dt.date],
    flare_rule: SustainedFlareRule | FlareStateRule,
    relief_rule: ReliefRule | LatentReliefRule,
) -> tuple[dt.date, npt.NDArray[np.float64], list[Run]]:
    """Grid start, daily pain and the detected episodes of rules 2.0 and 3.0."""
    model = relief_rule.model if isinstance(relief_rule, LatentReliefRule) else DEFAULT_LATENT_MODEL
    start, pain, count, mean, var, noise_var = patient_level(daily, session_dates, model)
    lo = (start - EPOCH).days
    declared = np.zeros(pain.size, dtype=bool)
    days = daily["local_date"].to_physical().to_numpy().astype(np.int64) - lo
    declared[days] = daily["flare"].fill_null(False).to_numpy()
    grid = LevelGrid(pain, count, declared, np.array([(x - start).days for x in session_dates]))
    return start, pain, detected_runs(grid, (mean, var, noise_var), flare_rule, model)


@dataclass(frozen=True)
class LevelGrid:
    """One patient's day grid: daily mean pain (NaN: no entry), entries, declared-flare
    marks and the grid days of their sessions."""

    pain: npt.NDArray[np.float64]
    count: npt.NDArray[np.int64]
    declared: npt.NDArray[np.bool_]
    session_days: npt.NDArray[np.int64]


def detected_runs(
    grid: LevelGrid,
    level: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float],
    flare_rule: SustainedFlareRule | FlareStateRule,
    model: LatentLevelModel,
    *,
    compiled: bool = False,
) -> list[Run]:
    """Detected episodes of rules 2.0 and 3.0 from the latent level ``(mean, variance, noise
    variance)`` on ``grid`` (``compiled``: rule 3.0's recursions in ``kernels.py``)."""
    mean, var, noise_var = level
    if isinstance(flare_rule, SustainedFlareRule):
        runs = sustained_flare_runs(grid.pain, grid.count, mean, noise_var, flare_rule)
        return [(a, b, r, se, None) for a, b, r, se in runs]
    process_var = np.full(grid.pain.size, model.process_sd_points_per_day**2)
    process_var[grid.session_days.tolist()] += model.jump_sd_points**2
    found = flare_state_runs(
        grid.pain,
        grid.count,
        grid.declared,
        process_var,
        (mean, var, noise_var),
        flare_rule,
        compiled=compiled,
    )
    return [(a, b, r, se, p) for a, b, r, se, p in found]


DETECTED_SCHEMA: Final = {
    "patient_id": pl.String,
    "start": pl.Date,
    "end": pl.Date,
    "peak_pain": pl.Float64,
    "length_days": pl.Int64,
    "rise_points": pl.Float64,
    "rise_se_points": pl.Float64,
    "probability": pl.Float64,
}


def detected_frame(
    patient_id: str,
    start: dt.date,
    pain: npt.NDArray[np.float64],
    runs: list[Run],
    version: str,
) -> pl.DataFrame:
    """The detected episodes as rows of the flare frame (grid days from ``start``)."""
    return pl.DataFrame(
        {
            "patient_id": [patient_id] * len(runs),
            "start": [start + dt.timedelta(days=r[0]) for r in runs],
            "end": [start + dt.timedelta(days=r[1]) for r in runs],
            "peak_pain": [float(np.nanmax(pain[r[0] : r[1] + 1])) for r in runs],
            "length_days": [r[1] - r[0] + 1 for r in runs],
            "rise_points": [round(r[2], 2) for r in runs],
            "rise_se_points": [round(r[3], 2) for r in runs],
            "probability": [None if r[4] is None else round(r[4], 3) for r in runs],
        },
        schema=DETECTED_SCHEMA,
    ).with_columns(pl.lit("detected").alias("source"), pl.lit(version).alias("rule"))


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
    detected = detected_frame(str(pid), start, pain, runs, flare_rule.version)
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
    rows = patient_rows(patient_id, diary, infusions, patients, now)
    chosen_relief = pick_relief_rule(relief_rule)
    chosen_flare = flare_rule or FlareStateRule()
    if isinstance(chosen_relief, ReliefRule) or isinstance(chosen_flare, FlareRule):
        # rules 1.0 read the frames (kept so stored results reproduce)
        return analyse_frames(
            patient_id,
            diary,
            infusions,
            patients,
            today=today,
            prior=prior,
            rules=(baseline_rule, chosen_relief, chosen_flare, forecast_rule),
            now=now,
        )
    return _analyse_rows(
        rows,
        today,
        prior,
        (baseline_rule or BaselineRule(), chosen_relief, chosen_flare, forecast_rule),
    )


def _analyse_rows(
    rows: PatientRows,
    today: dt.date | None,
    prior: ForecastPrior | None,
    rules: tuple[BaselineRule, LatentReliefRule, SustainedFlareRule | FlareStateRule, Any],
) -> PatientAnalysis:
    """The analysis on arrays (``single.py``): daily values, courses and the latent level
    built once and shared."""
    from tenderpoint.outcomes import single

    baseline_rule, relief_rule, flare_rule, forecast_rule = rules
    pid = rows.patient_id
    if today is not None:
        rows = rows.sessions_up_to((today - EPOCH).days)
        diary_rows = rows.diary.up_to((today - EPOCH).days)
    else:
        diary_rows = rows.diary
    daily = single.daily_arrays(diary_rows)
    courses = single.courses_of(rows)
    baseline = single.baseline_of(daily, courses, baseline_rule)
    level = single.level_of(daily, courses.session_day, relief_rule.model)
    flare_rows = single.flare_rows(pid, daily, level, flare_rule, relief_rule.model)
    state = single.PatientState(pid, daily, courses, baseline, level, relief_rule.model)
    forecast = single.forecast_of(state, today, forecast_settings(prior, forecast_rule))
    return PatientAnalysis(
        patient_id=pid,
        baseline=single.baseline_frame(pid, baseline, courses),
        responses=single.responses_frame(
            pid,
            daily,
            courses,
            baseline,
            noise_var=single.response_noise_var(level, relief_rule.model),
        ),
        relief=single.relief_frame(
            pid,
            single.relief_level(daily, level, relief_rule.model),
            courses,
            baseline,
            relief_rule,
        ),
        flares=single.flares_from_rows(flare_rows),
        remissions=single.remissions_from_rows(pid, daily, flare_rows),
        change_points=single.change_points_frame(daily),
        forecast=forecast,
        rules={
            "relief": relief_rule.version,
            "flare": flare_rule.version,
            "forecast": forecast.version,
        },
    )


def analyse_frames(
    patient_id: str,
    diary: pl.DataFrame,
    infusions: pl.DataFrame,
    patients: pl.DataFrame,
    *,
    today: dt.date | None = None,
    prior: ForecastPrior | None = None,
    rules: tuple[
        BaselineRule | None,
        ReliefRule | LatentReliefRule | str | None,
        FlareRules | None,
        ForecastRule | str | None,
    ] = (None, None, None, None),
    now: dt.datetime | None = None,
) -> PatientAnalysis:
    """:func:`analyse_patient` through polars frames (the path of rules 1.0 and the reference
    the array path is tested against; ``rules``: baseline, relief, flare, forecast)."""
    from tenderpoint.outcomes.response import relief_rule as pick_relief_rule

    baseline_rule, relief_rule, flare_rule, forecast_rule = rules
    if today is not None and not isinstance(today, dt.date):
        raise InvalidInputError("today must be a date.", code="wrong_type", field="today")
    diary, infusions, patients = validated_frames(patient_id, diary, infusions, patients, now)
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
