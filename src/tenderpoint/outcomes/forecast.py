"""Booster forecast: when will this patient's pain cross their own threshold again?

After the patient's last course, relief (1 - pain/baseline) is fitted with the functional form of
the pharmacology core's relief model (Dahan 2011; computed only in
``tenderpoint.pharmacology.pd.relief``): ``R(t) = C(t)/(C50 + C(t))`` with
``C(t) = C0 exp(-k t)``. Two per-patient parameters are fitted - the depth ``C0`` and the decay
rate ``k`` - with ``C50`` and Emax = 1 from the model. With fewer points an exponential return
to baseline ``R(t) = A exp(-k t)`` is fitted instead; with fewer still the cohort prior is used,
and the result says so.

Decisions (the reference is silent):

* Threshold: the booster is "due" when relief falls below 30 % (the IMMPACT moderate
  threshold), i.e. pain rises above ``0.7 x baseline``; configurable.
* Fit: maximum a posteriori. Daily pain residuals are scaled by an assumed diary noise of 0.8
  points; ``log k`` has a normal prior centred on the prior half-life (default the model's
  10.9 days, log-SD 0.37 = 4.0/10.9 from Dahan's reported spread).
* Interval: the crossing time evaluated at ``log k +/- 1.96 SE`` (SE from the Jacobian at the
  optimum), depth held at its estimate - a 95 % interval for the timing, not for a single day.
* Data needed: >= 14 post-course days for the relief model, >= 5 for the exponential;
  otherwise the cohort prior (half-life and the depth observed in the data or the prior depth).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.optimize import least_squares

from tenderpoint.pharmacology.pd.relief import (
    DAHAN2011,
    ReliefModel,
    relief_fraction,
    slow_compartment_from_auc,
    time_until_relief_below,
)

Basis = Literal["relief_model", "exponential", "cohort_prior", "none"]
FORECAST_VERSION: Final = "tenderpoint-booster-forecast/1.0"
MIN_PER_DAY: Final = 1440.0
ASSUMED_NOISE_POINTS: Final = 0.8


@dataclass(frozen=True)
class ForecastPrior:
    """Prior for the decay of relief (and its depth when data are scarce)."""

    half_life_days: float = DAHAN2011.half_life_days
    half_life_log_sd: float = 4.0 / 10.9
    depth: float = 0.5
    source: str = "Dahan 2011 relief model (prior)"


@dataclass(frozen=True)
class BoosterForecast:
    """A forecast with its basis and its reasons in words.

    ``status``: ``ok`` (a date is predicted), ``due_now`` (relief already below the threshold),
    ``no_relief`` (relief never reached the threshold after the last course) or
    ``insufficient_data`` (no baseline or no course).
    """

    patient_id: str
    status: str
    basis: Basis
    threshold_pain: float | None
    predicted_date: dt.date | None
    interval_low: dt.date | None
    interval_high: dt.date | None
    half_life_days: float | None
    n_points: int
    reasons: tuple[str, ...]
    model_citation: str
    model_version: str
    version: str = FORECAST_VERSION
    extrapolated: bool = True


def _fit(
    t_days: npt.NDArray[np.float64],
    pain: npt.NDArray[np.float64],
    baseline: float,
    basis: Basis,
    prior: ForecastPrior,
    model: ReliefModel,
) -> tuple[float, float, float]:
    """Return (depth parameter, log k per day, SE of log k)."""
    log_k0 = math.log(math.log(2.0) / prior.half_life_days)

    def relief(theta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        log_depth, log_k = float(theta[0]), float(theta[1])
        k = math.exp(log_k)
        if basis == "relief_model":
            fitted = dataclasses.replace(model, emax=1.0, k_slow_per_min=k / MIN_PER_DAY)
            c0 = math.exp(log_depth) * model.c50_ng_per_ml
            # an impulse of k*AUC = c0 at t = 0 gives C(t) = c0 exp(-k t)
            c = slow_compartment_from_auc(
                [0.0], [c0 / fitted.k_slow_per_min], t_days * MIN_PER_DAY, fitted
            )
            return relief_fraction(c, fitted)
        return np.asarray(math.exp(log_depth) * np.exp(-k * t_days), dtype=np.float64)

    def residuals(theta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        predicted = baseline * (1.0 - relief(theta))
        prior_term = (theta[1] - log_k0) / prior.half_life_log_sd
        return np.append((pain - predicted) / ASSUMED_NOISE_POINTS, prior_term)

    observed = float(np.clip(1.0 - pain[: min(5, pain.size)].mean() / baseline, 0.05, 0.95))
    start_depth = observed / (1.0 - observed) if basis == "relief_model" else observed
    theta0 = np.array([math.log(start_depth), log_k0])
    result = least_squares(residuals, theta0, bounds=([-6.0, -8.0], [4.0, 1.0]))
    jac = result.jac
    try:
        cov = np.linalg.inv(jac.T @ jac)
        se = float(math.sqrt(max(cov[1, 1], 0.0)))
    except np.linalg.LinAlgError:
        se = prior.half_life_log_sd
    return float(result.x[0]), float(result.x[1]), se


def _crossing_days(
    basis: Basis, log_depth: float, k_per_day: float, threshold: float, model: ReliefModel
) -> float | None:
    """Days after the course until relief falls below ``threshold`` (None: never above it)."""
    if basis == "relief_model" or basis == "cohort_prior":
        c0 = math.exp(log_depth) * model.c50_ng_per_ml
        fitted = dataclasses.replace(model, emax=1.0, k_slow_per_min=k_per_day / MIN_PER_DAY)
        if float(relief_fraction(c0, fitted)) < threshold:
            return None
        return time_until_relief_below(c0, threshold, fitted) / MIN_PER_DAY
    depth = math.exp(log_depth)
    if depth < threshold:
        return None
    return math.log(depth / threshold) / k_per_day


def cohort_prior(forecasts: Sequence[BoosterForecast], *, min_patients: int = 10) -> ForecastPrior:
    """A clinic's own prior from its patients' fitted half-lives.

    Uses the forecasts fitted to the patients' own data (``relief_model`` or ``exponential``
    basis): the median half-life and the spread of log half-lives (floored at 0.1). With fewer
    than ``min_patients`` such fits the model's prior is returned unchanged.

    Parameters
    ----------
    forecasts : sequence of BoosterForecast
        Forecasts of the clinic's patients.
    min_patients : int
        Fits needed before the clinic's data replace the model's values.

    Returns
    -------
    ForecastPrior
    """
    half_lives = np.array(
        [
            f.half_life_days
            for f in forecasts
            if f.basis in ("relief_model", "exponential") and f.half_life_days
        ],
        dtype=np.float64,
    )
    if half_lives.size < min_patients:
        return ForecastPrior()
    logs = np.log(half_lives)
    return ForecastPrior(
        half_life_days=float(np.exp(np.median(logs))),
        half_life_log_sd=max(float(np.std(logs, ddof=1)), 0.1),
        source=f"this clinic's cohort ({half_lives.size} patients fitted)",
    )


def forecast_booster(
    patient_id: str,
    daily: pl.DataFrame,
    sessions: pl.DataFrame,
    baselines: pl.DataFrame,
    *,
    today: dt.date | None = None,
    prior: ForecastPrior | None = None,
    relief_threshold_pct: float = 30.0,
    min_days_relief_model: int = 14,
    min_days_exponential: int = 5,
    model: ReliefModel = DAHAN2011,
) -> BoosterForecast:
    """Predict the date a patient's relief falls below their threshold after the last course.

    Parameters
    ----------
    patient_id : str
        The patient.
    daily, sessions, baselines : polars.DataFrame
        Daily values, sessions with courses, baselines (may hold other patients too).
    today : date, optional
        Only diary days before or on ``today`` are used (default: all).
    prior : ForecastPrior, optional
        Cohort prior (default: the model's values).
    relief_threshold_pct : float
        Relief (percent reduction) below which the booster is due.
    min_days_relief_model, min_days_exponential : int
        Post-course diary days needed for each basis.
    model : ReliefModel
        The relief model giving the functional form and C50.

    Returns
    -------
    BoosterForecast
    """
    prior = prior or ForecastPrior()
    threshold = relief_threshold_pct / 100.0
    cite, version = model.citation, f"{model.version}; {FORECAST_VERSION}"
    base = baselines.filter(pl.col("patient_id") == patient_id)
    mine = sessions.filter(pl.col("patient_id") == patient_id)
    if today is not None:
        mine = mine.filter(pl.col("local_date") <= today)

    def nothing(reason: str, threshold_pain: float | None = None) -> BoosterForecast:
        return BoosterForecast(
            patient_id,
            "insufficient_data",
            "none",
            threshold_pain,
            None,
            None,
            None,
            None,
            0,
            (reason,),
            cite,
            version,
        )

    if mine.height == 0:
        return nothing("No infusion is recorded, so there is nothing to forecast.")
    if base.height == 0 or base["baseline_status"][0] != "ok":
        return nothing(
            "No baseline: fewer than the required diary days in the week before the first "
            "infusion, so relief cannot be measured."
        )
    baseline = float(base["baseline_pain"][0])
    threshold_pain = baseline * (1.0 - threshold)
    last_course = int(mine["course"].max())  # type: ignore[arg-type]
    course_date = mine.filter(pl.col("course") == last_course)["course_date"][0]
    last_session = mine.filter(pl.col("course") == last_course)["local_date"].max()
    post = daily.filter(
        (pl.col("patient_id") == patient_id)
        & (pl.col("local_date") > last_session)
        & pl.col("pain").is_not_null()
    )
    if today is not None:
        post = post.filter(pl.col("local_date") <= today)
    t_days = (
        post.select((pl.col("local_date") - pl.lit(course_date)).dt.total_days())
        .to_series()
        .to_numpy()
        .astype(np.float64)
        if post.height
        else np.zeros(0)
    )
    pain = post["pain"].to_numpy().astype(np.float64) if post.height else np.zeros(0)
    n = int(pain.size)
    reasons = [
        f"Baseline pain {baseline:.1f}/10; the booster is due when relief falls below "
        f"{relief_threshold_pct:g} %, i.e. daily pain above {threshold_pain:.1f}.",
        f"Last course started on {course_date.isoformat()}; {n} diary days since its last session.",
    ]
    log_k_prior = math.log(math.log(2.0) / prior.half_life_days)
    if n >= min_days_relief_model:
        basis: Basis = "relief_model"
    elif n >= min_days_exponential:
        basis = "exponential"
    else:
        basis = "cohort_prior"
    if basis == "cohort_prior":
        observed = 1.0 - float(pain.mean()) / baseline if n else prior.depth
        depth = min(max(observed, 0.01), 0.95)
        log_depth = math.log(depth / (1.0 - depth))
        log_k, se = log_k_prior, prior.half_life_log_sd
        reasons.append(
            f"Too few diary days after the course ({n} < {min_days_exponential}) to fit this "
            f"patient: the cohort prior is used ({prior.source}, half-life "
            f"{prior.half_life_days:.1f} days) - treat the date as a rough guide."
        )
    else:
        log_depth, log_k, se = _fit(t_days, pain, baseline, basis, prior, model)
        what = (
            "the relief model's shape (Dahan 2011, C50 fixed, depth and decay fitted)"
            if basis == "relief_model"
            else "an exponential return to baseline (few days for the full model)"
        )
        reasons.append(f"Fitted {what} to {n} daily pain scores.")
    k = math.exp(log_k)
    half_life = math.log(2.0) / k
    lo_hl, hi_hl = (
        math.log(2.0) / math.exp(log_k + 1.96 * se),
        math.log(2.0) / math.exp(log_k - 1.96 * se),
    )
    reasons.append(
        f"Relief fades with a half-life of {half_life:.1f} days (95 % range "
        f"{lo_hl:.1f}-{hi_hl:.1f})."
    )
    crossing = _crossing_days(basis, log_depth, k, threshold, model)
    if crossing is None:
        reasons.append("Relief after this course never reached the threshold.")
        return BoosterForecast(
            patient_id,
            "no_relief",
            basis,
            threshold_pain,
            None,
            None,
            None,
            half_life,
            n,
            tuple(reasons),
            cite,
            version,
        )
    early = _crossing_days(basis, log_depth, math.exp(log_k + 1.96 * se), threshold, model)
    late = _crossing_days(basis, log_depth, math.exp(log_k - 1.96 * se), threshold, model)

    def day(x: float | None) -> dt.date | None:
        return None if x is None else course_date + dt.timedelta(days=math.ceil(x))

    predicted = day(crossing)
    latest: dt.date = post["local_date"].max() if post.height else course_date  # type: ignore[assignment]
    reference = today or latest
    status = "due_now" if predicted is not None and predicted <= reference else "ok"
    if status == "due_now":
        reasons.append("Relief is estimated to be below the threshold already.")
    reasons.append(model.extrapolation_note)
    return BoosterForecast(
        patient_id,
        status,
        basis,
        threshold_pain,
        predicted,
        day(early),
        day(late),
        half_life,
        n,
        tuple(reasons),
        cite,
        version,
    )
