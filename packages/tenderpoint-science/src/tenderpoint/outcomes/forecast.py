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

These are rule 1.0's choices. Rules 2.0-2.2 (:class:`ForecastRule`; 2.2 the default) use the
patient's own noise, a weak prior, the exponential solved to its global minimum
(:mod:`tenderpoint.outcomes.forecast_profile`) and a "due now" read from the measured relief;
docs/outcomes.md explains each with its validation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.optimize import least_squares

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes import _trf
from tenderpoint.outcomes.forecast_profile import DecayProblem, fit_decay
from tenderpoint.pharmacology.pd.relief import (
    DAHAN2011,
    ReliefModel,
    relief_fraction,
    time_until_relief_below,
)

Basis = Literal["relief_model", "exponential", "cohort_prior", "none"]
FORECAST_VERSION: Final = "tenderpoint-booster-forecast/1.0"
FORECAST_V2: Final = "tenderpoint-booster-forecast/2.0"
FORECAST_V21: Final = "tenderpoint-booster-forecast/2.1"
FORECAST_V22: Final = "tenderpoint-booster-forecast/2.2"
FORECAST_V23: Final = "tenderpoint-booster-forecast/2.3"
MIN_PER_DAY: Final = 1440.0
# a forecast date further ahead than this is not given (the interval's end is left open): a
# decay that slow says no booster is in sight, and a date centuries ahead would be noise
FORECAST_HORIZON_DAYS: Final = 3650
# rule 2.2: a flare marked on the reference day or the two days before it holds back "due now"
FLARE_HOLD_DAYS: Final = 3
ASSUMED_NOISE_POINTS: Final = 0.8
NO_INFUSION_REASON: Final = "No infusion is recorded, so there is nothing to forecast."
NO_BASELINE_REASON: Final = (
    "No baseline: fewer than the required diary days in the week before the first "
    "infusion, so relief cannot be measured."
)
NO_PAIN_REASON: Final = (
    "Baseline pain was 0/10: relief is a fraction of the baseline, so there is none to "
    "measure and no booster to forecast from pain."
)


@dataclass(frozen=True)
class ForecastPrior:
    """Prior for the decay of relief (and its depth when data are scarce)."""

    half_life_days: float = DAHAN2011.half_life_days
    half_life_log_sd: float = 4.0 / 10.9
    depth: float = 0.5
    source: str = "Dahan 2011 relief model (prior)"


@dataclass(frozen=True)
class ForecastRule:
    """How the forecast weighs the patient's data against the prior (versioned).

    Rule 2.3 (default): rule 2.2, and the days the patient marked as a flare are set aside
    from the fit (``fit_sets_aside_flares``; a flare is a passing worsening above the current
    level, as the latent level already reads it, not relief fading). And when the fitted
    curve has already crossed the threshold
    but the measured relief still holds (``from_measured_relief``), the forecast starts from
    the measured relief instead of saying "any day" with a one-day range: the crossing is
    expected ``ln(relief / threshold) / k`` days after the reference day, at the fitted decay
    rate, and the range runs from the next day to where the measured relief's upper 95 %
    bound would reach the threshold at the slow end of the decay rate's 95 % range. Under
    rules 2.0-2.2 the true crossing lay inside such a one-day range in about half the cases.
    Rule 2.2 (``FORECAST_RULES["tenderpoint-booster-forecast/2.2"]``): rule 2.1, and "due
    now" is surer of itself. The measured relief's SD
    carries the baseline week's uncertainty as well as the level's (``baseline_uncertainty``;
    relief is a ratio to a baseline measured on a few noisy days), and a flare the patient
    marked on the reference day or the ``flare_hold_days - 1`` days before it holds "due now"
    back (pain during a flare is a passing worsening, not relief ending).
    Rule 2.1 (``FORECAST_RULES["tenderpoint-booster-forecast/2.1"]``): rule 2.0's model and
    objective, solved to its global minimum
    (``fit="profile"``, :mod:`tenderpoint.outcomes.forecast_profile`) instead of by a bounded
    least-squares fit from one start, which sometimes stopped in a local minimum.
    Rule 2.0 (``FORECAST_RULES["tenderpoint-booster-forecast/2.0"]``): the fit uses the
    patient's own diary noise (from their pre-infusion weeks) instead of an assumed 0.8
    points; the prior on the decay rate is weak (log-SD 1.0, a factor of e either way), so a
    few weeks of the patient's own data outweigh it; "due now" is said only when the measured
    latent relief is below the threshold with probability >= ``due_probability``, never
    because the fitted curve says so while relief still holds.
    Rule 1.0 (``FORECAST_RULES["tenderpoint-booster-forecast/1.0"]``): assumed noise 0.8,
    the prior's own log-SD, due now when the fitted curve has crossed.
    """

    prior_log_sd: float | None = 1.0
    use_patient_noise: bool = True
    due_probability: float | None = 0.8
    shape: Literal["relief_model", "exponential"] = "exponential"
    fit: Literal["profile", "trf"] = "profile"
    baseline_uncertainty: bool = True
    flare_hold_days: int | None = FLARE_HOLD_DAYS
    from_measured_relief: bool = True
    fit_sets_aside_flares: bool = True
    version: str = FORECAST_V23

    def __post_init__(self) -> None:
        if self.flare_hold_days is not None and self.flare_hold_days < 1:
            raise InvalidInputError(
                "flare_hold_days must be at least 1 (or None for no hold).",
                code="out_of_range",
                field="flare_hold_days",
            )
        if self.fit == "profile" and self.shape != "exponential":
            raise InvalidInputError(
                "The profile fit solves the exponential shape only; use fit='trf' for the "
                "relief model's shape.",
                code="invalid_rule",
                field="fit",
            )


FORECAST_RULES: Final = {
    FORECAST_V23: ForecastRule(),
    FORECAST_V22: ForecastRule(
        from_measured_relief=False, fit_sets_aside_flares=False, version=FORECAST_V22
    ),
    FORECAST_V21: ForecastRule(
        baseline_uncertainty=False,
        flare_hold_days=None,
        from_measured_relief=False,
        fit_sets_aside_flares=False,
        version=FORECAST_V21,
    ),
    FORECAST_V2: ForecastRule(
        fit="trf",
        baseline_uncertainty=False,
        flare_hold_days=None,
        from_measured_relief=False,
        fit_sets_aside_flares=False,
        version=FORECAST_V2,
    ),
    FORECAST_VERSION: ForecastRule(
        prior_log_sd=None,
        use_patient_noise=False,
        due_probability=None,
        shape="relief_model",
        fit="trf",
        baseline_uncertainty=False,
        flare_hold_days=None,
        from_measured_relief=False,
        fit_sets_aside_flares=False,
        version=FORECAST_VERSION,
    ),
}


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
    prior_share: float | None = None
    current_relief_pct: float | None = None
    current_relief_sd_pct: float | None = None
    noise_sd_points: float | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready form (dates as ISO strings)."""
        out: dict[str, object] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


_LOWER: Final = np.array([-6.0, -8.0])
_UPPER: Final = np.array([4.0, 1.0])
_SQRT_EPS: Final = float(np.finfo(np.float64).eps ** 0.5)


class ForwardDifference:
    """The Jacobian scipy's ``least_squares`` estimates with ``jac="2-point"`` under bounds
    (``scipy.optimize._numdiff.approx_derivative``: relative step sqrt(eps), a step that
    would leave the bounds reversed or shortened), without its general machinery, which
    cost a third of a patient's forecast. The same steps and the same arithmetic give the
    same matrix (a Fortran-ordered view, as scipy's), so the fit takes the same path;
    ``tests/outcomes/test_forecast.py`` holds the two to the same bits."""

    def __init__(
        self,
        fun: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
        lower: npt.NDArray[np.float64],
        upper: npt.NDArray[np.float64],
    ) -> None:
        self.fun, self.lower, self.upper = fun, lower, upper
        self._bounds = (lower.tolist(), upper.tolist())  # as Python floats, once

    def __call__(
        self, x: npt.NDArray[np.float64], f0: npt.NDArray[np.float64] | None = None
    ) -> npt.NDArray[np.float64]:
        """The Jacobian at ``x``; ``f0``: the residuals there when already computed."""
        x0 = np.atleast_1d(np.asarray(x, dtype=np.float64))
        if f0 is None:
            f0 = np.atleast_1d(self.fun(x0))
        jac_t = np.empty((x0.size, f0.size))
        lower, upper = self._bounds
        # each parameter's step in Python floats (the same IEEE operations as scipy's arrays
        # of two, without a dozen small array operations per call); each row's difference
        # and quotient written in place
        for i, xi in enumerate(x0.tolist()):
            h = _step(xi, lower[i], upper[i])
            x1 = x0.copy()
            x1[i] = xi + h
            row = jac_t[i]
            np.subtract(np.atleast_1d(self.fun(x1)), f0, out=row)
            np.divide(row, (xi + h) - xi, out=row)
        out: npt.NDArray[np.float64] = jac_t.T
        return out


def _nan_max(a: float, b: float) -> float:
    """``np.maximum`` of two floats (NaN if either is)."""
    return a if (a >= b or a != a) else b


def _step(x: float, lower: float, upper: float) -> float:
    """``approx_derivative``'s forward step for one parameter at ``x`` within its bounds:
    ``sqrt(eps) * sign(x) * max(1, |x|)``, reversed when it would leave the bounds and fits
    on the other side, else the whole distance to the farther bound."""
    h = _SQRT_EPS * (1.0 if x >= 0 else -1.0) * _nan_max(1.0, abs(x))
    lower_dist, upper_dist = x - lower, upper - x
    stepped = x + h
    violated = stepped < lower or stepped > upper
    fitting = abs(h) <= _nan_max(lower_dist, upper_dist)
    if violated and fitting:
        h = h * -1
    if not fitting:
        h = upper_dist if upper_dist >= lower_dist else -lower_dist
    return h


def _fit(
    t_days: npt.NDArray[np.float64],
    pain: npt.NDArray[np.float64],
    baseline: float,
    basis: Basis,
    prior: ForecastPrior,
    model: ReliefModel,
    noise_sd: float = ASSUMED_NOISE_POINTS,
    prior_log_sd: float | None = None,
    *,
    fast_jacobian: bool = True,
) -> tuple[float, float, float]:
    """Return (depth parameter, log k per day, SE of log k): scipy's bounded TRF fit, run by
    ``_trf.trf_fit`` (the same steps and bits as ``least_squares``); ``fast_jacobian`` false
    runs ``least_squares`` itself with scipy's own Jacobian (the reference of both)."""
    log_sd = prior_log_sd if prior_log_sd is not None else prior.half_life_log_sd
    log_k0 = math.log(math.log(2.0) / prior.half_life_days)

    residuals = _residuals(t_days, pain, baseline, basis, model, (noise_sd, log_k0, log_sd))
    observed = float(np.clip(1.0 - pain[: min(5, pain.size)].mean() / baseline, 0.05, 0.95))
    start_depth = observed / (1.0 - observed) if basis == "relief_model" else observed
    theta0 = np.array([math.log(start_depth), log_k0])
    if fast_jacobian and _trf.AVAILABLE:
        jacobian = ForwardDifference(residuals, _LOWER, _UPPER)
        result = _trf.trf_fit(residuals, jacobian, theta0, (_LOWER, _UPPER))
        x, jac = result.x, result.jac
    else:
        found = least_squares(
            residuals,
            theta0,
            jac=ForwardDifference(residuals, _LOWER, _UPPER) if fast_jacobian else "2-point",
            bounds=(_LOWER, _UPPER),
        )
        x, jac = found.x, found.jac
    try:
        cov = np.linalg.inv(jac.T @ jac)
        se = float(math.sqrt(max(cov[1, 1], 0.0)))
    except np.linalg.LinAlgError:
        se = log_sd
    return float(x[0]), float(x[1]), se


def _profile_fit(
    ctx: _Context, prior: ForecastPrior, noise_sd: float, prior_log_sd: float
) -> tuple[float, float, float]:
    """Rule 2.1's fit of the exponential (its global minimum): (log depth, log k, SE of
    log k), within the same bounds as the TRF fit."""
    problem = DecayProblem(
        t_days=ctx.t_days,
        relief=1.0 - ctx.pain / ctx.baseline,
        weight=(ctx.baseline / noise_sd) ** 2,
        log_k_prior=math.log(math.log(2.0) / prior.half_life_days),
        log_k_prior_sd=prior_log_sd,
        depth_bounds=(math.exp(_LOWER[0]), math.exp(_UPPER[0])),
        log_k_bounds=(float(_LOWER[1]), float(_UPPER[1])),
    )
    found = fit_decay(problem)
    return found.log_depth, found.log_k, found.log_k_se


def _residuals(
    t_days: npt.NDArray[np.float64],
    pain: npt.NDArray[np.float64],
    baseline: float,
    basis: Basis,
    model: ReliefModel,
    scales: tuple[float, float, float],
) -> Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]:
    """The fit's residuals at ``theta = (log depth, log k)``: daily pain misfit over the noise
    SD, then the prior's term on ``log k`` (``scales``: noise SD, prior centre, prior log-SD).

    The relief model's curve is written out: an impulse of ``k AUC = c0`` at ``t = 0`` gives
    ``C(t) = c0 exp(-k t)`` and relief ``Emax C/(C50 + C)`` with Emax 1, with the operations of
    ``slow_compartment_from_auc`` and ``relief_fraction`` in their order (the same bits,
    without re-validating and rebuilding the model on each of the ~35 evaluations of a fit).
    """
    noise_sd, log_k0, log_sd = scales
    minutes = t_days * MIN_PER_DAY
    c50 = model.c50_ng_per_ml
    m = pain.size
    # the exponential's decay factors exp(-k t) of the last decay rate: the Jacobian's
    # depth column keeps the rate of the point it is taken at, so its factors are reused
    # (the exponential is most of an evaluation's time)
    decay: list[tuple[float, npt.NDArray[np.float64]]] = []

    def decay_factors(log_k: float) -> npt.NDArray[np.float64]:
        if decay and decay[0][0] == log_k:
            return decay[0][1]
        factors = np.multiply(-math.exp(log_k), t_days)
        np.exp(factors, out=factors)
        decay[:] = [(log_k, factors)]
        return factors

    def residuals(theta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        log_depth, log_k = float(theta[0]), float(theta[1])
        out = np.empty(m + 1)
        head = out[:m]  # each step below in place: the same operations, no temporaries
        if basis == "relief_model":
            k_slow = math.exp(log_k) / MIN_PER_DAY
            c0 = math.exp(log_depth) * c50
            weights = np.where(minutes >= 0.0, np.exp(-k_slow * np.maximum(minutes, 0.0)), 0.0)
            c = k_slow * (c0 / k_slow) * weights
            head[:] = 1.0 * c / (c50 + c)
        else:
            np.multiply(math.exp(log_depth), decay_factors(log_k), out=head)
        np.subtract(1.0, head, out=head)  # pain predicted: baseline x (1 - relief)
        np.multiply(baseline, head, out=head)
        np.subtract(pain, head, out=head)
        np.divide(head, noise_sd, out=head)
        out[m] = (theta[1] - log_k0) / log_sd
        return out

    return residuals


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


@dataclass(frozen=True)
class _Context:
    """What the forecast knows about one patient after their last course."""

    patient_id: str
    baseline: float
    threshold_pain: float
    course_date: dt.date
    reference: dt.date
    t_days: npt.NDArray[np.float64]
    pain: npt.NDArray[np.float64]
    reasons: list[str]
    baseline_days: int | None = None
    last_flare_mark: dt.date | None = None


def _empty(
    patient_id: str, reason: str, cite: str, model_version: str, version: str
) -> BoosterForecast:
    return BoosterForecast(
        patient_id,
        "insufficient_data",
        "none",
        None,
        None,
        None,
        None,
        None,
        0,
        (reason,),
        cite,
        model_version,
        version,
    )


def _context(
    patient_id: str,
    daily: pl.DataFrame,
    mine: pl.DataFrame,
    baseline: tuple[float, int],
    today: dt.date | None,
    relief_threshold_pct: float,
    *,
    set_aside_flares: bool = False,
) -> _Context:
    """The post-course diary of the last course up to ``today`` (``baseline``: its pain and
    its number of diary days; ``set_aside_flares``: leave the days marked as a flare out of
    the fit)."""
    last_course = int(mine["course"].max())  # type: ignore[arg-type]
    course = mine.filter(pl.col("course") == last_course)
    course_date: dt.date = course["course_date"][0]
    last_session = course["local_date"].max()
    post = daily.filter(
        (pl.col("patient_id") == patient_id)
        & (pl.col("local_date") > last_session)
        & pl.col("pain").is_not_null()
    )
    if today is not None:
        post = post.filter(pl.col("local_date") <= today)
    post_days = post["local_date"].to_physical().to_numpy().astype(np.int64)
    pain = post["pain"].to_numpy().astype(np.float64)
    marked = daily.filter((pl.col("patient_id") == patient_id) & pl.col("flare").fill_null(False))
    return context_of(
        patient_id,
        baseline[0],
        (course_date, post_days, pain),
        today,
        relief_threshold_pct,
        baseline_days=baseline[1],
        flare_days=marked["local_date"].to_physical().to_numpy().astype(np.int64),
        set_aside_flares=set_aside_flares,
    )


def context_of(
    patient_id: str,
    baseline: float,
    post: tuple[dt.date, npt.NDArray[np.int64], npt.NDArray[np.float64]],
    today: dt.date | None,
    relief_threshold_pct: float,
    *,
    baseline_days: int | None = None,
    flare_days: npt.NDArray[np.int64] | None = None,
    set_aside_flares: bool = False,
) -> _Context:
    """The forecast's context from the last course's first local date and the diary days
    after its last session (days since 1970, their pain), up to ``today``; the baseline's
    number of diary days and the days the patient marked a flare (days since 1970), for the
    rules that read them (``set_aside_flares``, rule 2.3: the marked days are left out of
    the post-course days the decay is fitted to)."""
    course_date, post_days, pain = post
    threshold_pain = baseline * (1.0 - relief_threshold_pct / 100.0)
    latest = (
        dt.date(1970, 1, 1) + dt.timedelta(days=int(post_days.max()))
        if post_days.size
        else course_date
    )
    written = int(post_days.size)
    if set_aside_flares and flare_days is not None and written:
        kept = ~np.isin(post_days, flare_days)
        post_days, pain = post_days[kept], pain[kept]
    left_out = written - int(post_days.size)
    t_days = (post_days - (course_date - dt.date(1970, 1, 1)).days).astype(np.float64)
    reasons = [
        f"Baseline pain {baseline:.1f}/10; the booster is due when relief falls below "
        f"{relief_threshold_pct:g} %, i.e. daily pain above {threshold_pain:.1f}.",
        f"Last course started on {course_date.isoformat()}; {written} diary days since its "
        "last session."
        + (
            f" {left_out} of them, marked as a flare, are left out of the fit (a flare is a "
            "passing worsening, not relief fading)."
            if left_out
            else ""
        ),
    ]
    reference = today or latest
    last_mark = None
    if flare_days is not None:
        ref_day = (reference - dt.date(1970, 1, 1)).days
        marks_so_far = flare_days[flare_days <= ref_day]
        if marks_so_far.size:
            last_mark = dt.date(1970, 1, 1) + dt.timedelta(days=int(marks_so_far.max()))
    return _Context(
        patient_id,
        baseline,
        threshold_pain,
        course_date,
        reference,
        t_days,
        pain,
        reasons,
        baseline_days,
        last_mark,
    )


def empty_forecast(
    patient_id: str, no_infusion: bool, settings: ForecastSettings
) -> BoosterForecast:
    """The forecast that says why there is nothing to forecast (no infusion up to today, or
    no baseline)."""
    reason = NO_INFUSION_REASON if no_infusion else NO_BASELINE_REASON
    return _empty(patient_id, reason, *settings.label)


def pain_free_forecast(patient_id: str, settings: ForecastSettings) -> BoosterForecast:
    """The forecast that says there is no pain to relieve (baseline pain 0)."""
    return _empty(patient_id, NO_PAIN_REASON, *settings.label)


def current_relief_at(
    ctx: _Context, level: tuple[dt.date, npt.NDArray[np.float64], npt.NDArray[np.float64], float]
) -> tuple[float, float, float]:
    """Measured relief on the reference day from the latent level ``(grid start, mean,
    variance, noise variance)``: (mean, SD, noise SD)."""
    start, mean, var, noise_var = level
    i = (ctx.reference - start).days
    level_mean, level_var = float(mean[i]), float(var[i])
    relief = 1.0 - level_mean / ctx.baseline
    sd = math.sqrt(level_var) / ctx.baseline
    return relief, sd, math.sqrt(noise_var)


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
    rule: ForecastRule | str | None = None,
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
    rule : ForecastRule or str, optional
        Rule object or version string (default 2.2, see :class:`ForecastRule`).

    Returns
    -------
    BoosterForecast
        ``prior_share`` says how much of the decay estimate came from the prior (0 = all
        from the patient's data); ``current_relief_pct`` is the measured latent relief.
    """
    settings = forecast_settings(
        prior, rule, relief_threshold_pct, (min_days_relief_model, min_days_exponential), model
    )
    found = _patient_rows(patient_id, sessions, baselines, today, settings.label)
    if isinstance(found, BoosterForecast):
        return found
    baseline_pain, baseline_days, mine = found
    ctx = _context(
        patient_id,
        daily,
        mine,
        (baseline_pain, baseline_days),
        today,
        relief_threshold_pct,
        set_aside_flares=settings.rule.fit_sets_aside_flares,
    )
    current = (
        _current_relief(daily, mine, ctx, settings.rule)
        if settings.rule.use_patient_noise
        else None
    )
    return forecast_from_context(ctx, current, settings)


@dataclass(frozen=True)
class ForecastSettings:
    """Everything a forecast is configured with (validated by :func:`forecast_settings`)."""

    prior: ForecastPrior
    rule: ForecastRule
    relief_threshold_pct: float
    min_days_relief_model: int
    min_days_exponential: int
    model: ReliefModel

    @property
    def label(self) -> tuple[str, str, str]:
        """Citation, model version and rule version of a forecast."""
        return _label(self.model, self.rule)


def forecast_settings(
    prior: ForecastPrior | None,
    rule: ForecastRule | str | None,
    relief_threshold_pct: float = 30.0,
    min_days: tuple[int, int] = (14, 5),
    model: ReliefModel = DAHAN2011,
) -> ForecastSettings:
    """Check and gather the forecast's settings (``min_days``: post-course diary days needed
    for the relief model and for the exponential)."""
    chosen = _forecast_rule(rule)
    if not 0 < relief_threshold_pct < 100:
        raise InvalidInputError(
            "relief_threshold_pct must lie between 0 and 100.",
            code="out_of_range",
            field="relief_threshold_pct",
        )
    return ForecastSettings(
        prior or ForecastPrior(), chosen, relief_threshold_pct, min_days[0], min_days[1], model
    )


def forecast_from_context(
    ctx: _Context, current: tuple[float, float, float] | None, settings: ForecastSettings
) -> BoosterForecast:
    """The forecast from the post-course diary (``ctx``) and the measured latent relief
    ``current`` (mean, SD, noise SD; None when the rule does not measure it)."""
    rule = settings.rule
    noise_sd = current[2] if current is not None else ASSUMED_NOISE_POINTS
    n = int(ctx.pain.size)
    basis: Basis = (
        rule.shape
        if n >= settings.min_days_relief_model
        else "exponential"
        if n >= settings.min_days_exponential
        else "cohort_prior"
    )
    fit = _Decay(basis, *_decay(ctx, basis, settings.prior, settings.model, noise_sd, rule))
    if current is not None and rule.baseline_uncertainty:
        current = with_baseline_uncertainty(ctx, current)
    return _assemble(ctx, fit, current, settings.relief_threshold_pct, settings.model, rule)


def _label(model: ReliefModel, rule: ForecastRule) -> tuple[str, str, str]:
    """Citation, model version (with the rule's, as stored results have it) and the rule's
    version of a forecast: ``BoosterForecast.version`` names the rule that made it."""
    return model.citation, f"{model.version}; {rule.version}", rule.version


def _patient_rows(
    patient_id: str,
    sessions: pl.DataFrame,
    baselines: pl.DataFrame,
    today: dt.date | None,
    label: tuple[str, str, str],
) -> tuple[float, int, pl.DataFrame] | BoosterForecast:
    """The patient's baseline pain, its number of diary days and sessions up to ``today``, or
    the empty forecast that says why there is nothing to forecast."""
    base = baselines.filter(pl.col("patient_id") == patient_id)
    mine = sessions.filter(pl.col("patient_id") == patient_id)
    if today is not None:
        mine = mine.filter(pl.col("local_date") <= today)
    if mine.height == 0:
        return _empty(patient_id, NO_INFUSION_REASON, *label)
    if base.height == 0 or base["baseline_status"][0] != "ok":
        return _empty(patient_id, NO_BASELINE_REASON, *label)
    baseline_pain = float(base["baseline_pain"][0])
    if baseline_pain <= 0.0:
        return _empty(patient_id, NO_PAIN_REASON, *label)
    return baseline_pain, int(base["baseline_days"][0]), mine


def _forecast_rule(rule: ForecastRule | str | None) -> ForecastRule:
    if rule is None:
        return FORECAST_RULES[FORECAST_V23]
    if isinstance(rule, str):
        if rule not in FORECAST_RULES:
            raise InvalidInputError(
                f"Unknown forecast rule {rule!r}; known: {sorted(FORECAST_RULES)}.",
                code="unknown_rule",
                field="forecast_rule",
            )
        return FORECAST_RULES[rule]
    return rule


def _current_relief(
    daily: pl.DataFrame, mine: pl.DataFrame, ctx: _Context, rule: ForecastRule
) -> tuple[float, float, float]:
    """Measured relief on the reference day from the latent level: (mean, SD, noise SD)."""
    from tenderpoint.outcomes.latent import patient_level

    one = daily.filter(
        (pl.col("patient_id") == ctx.patient_id) & (pl.col("local_date") <= ctx.reference)
    )
    start, _, _, mean, var, noise_var = patient_level(
        one, mine["local_date"].to_list(), last_date=ctx.reference
    )
    return current_relief_at(ctx, (start, mean, var, noise_var))


def _decay(
    ctx: _Context,
    basis: Basis,
    prior: ForecastPrior,
    model: ReliefModel,
    noise_sd: float,
    rule: ForecastRule,
) -> tuple[float, float, float, float]:
    """Depth, log decay rate, its SE and the prior's share of the information."""
    n = int(ctx.pain.size)
    prior_sd = rule.prior_log_sd if rule.prior_log_sd is not None else prior.half_life_log_sd
    if basis == "cohort_prior":
        observed = 1.0 - float(ctx.pain.mean()) / ctx.baseline if n else prior.depth
        depth = min(max(observed, 0.01), 0.95)
        ctx.reasons.append(
            f"Too few diary days after the course ({n}) to fit this patient: the cohort "
            f"prior fills in ({prior.source}, half-life {prior.half_life_days:.1f} days) - "
            "treat the date as a rough guide."
        )
        log_k = math.log(math.log(2.0) / prior.half_life_days)
        return math.log(depth / (1.0 - depth)), log_k, prior.half_life_log_sd, 1.0
    if rule.fit == "profile":
        log_depth, log_k, se = _profile_fit(ctx, prior, noise_sd, prior_sd)
    else:
        log_depth, log_k, se = _fit(
            ctx.t_days, ctx.pain, ctx.baseline, basis, prior, model, noise_sd, rule.prior_log_sd
        )
    share = min(1.0, (se / prior_sd) ** 2)
    what = (
        "the relief model's shape (Dahan 2011, C50 fixed, depth and decay fitted)"
        if basis == "relief_model"
        # 2.1 on: the exponential is the rule's shape, not a fallback (older rules keep
        # their words, as stored results have them)
        else "an exponential return to baseline (depth and decay fitted, best fit overall)"
        if rule.fit == "profile"
        else "an exponential return to baseline (few days for the full model)"
    )
    whose = "the patient's own data dominate" if share < 0.5 else "the prior still fills in much"
    ctx.reasons.append(
        f"Fitted {what} to {n} daily pain scores (noise {noise_sd:.2f} points); {whose} "
        f"({share:.0%} of the decay estimate's information is the prior's)."
    )
    return log_depth, log_k, se, share


@dataclass(frozen=True)
class _Decay:
    """The fitted (or prior) decay of relief after the last course."""

    basis: Basis
    log_depth: float
    log_k: float
    se: float
    prior_share: float


def _assemble(
    ctx: _Context,
    fit: _Decay,
    current: tuple[float, float, float] | None,
    relief_threshold_pct: float,
    model: ReliefModel,
    rule: ForecastRule,
) -> BoosterForecast:
    """Crossing date, interval, status and reasons."""
    threshold = relief_threshold_pct / 100.0
    half_life = _half_life_reason(ctx, fit)
    extra = _extra_fields(fit, current)
    cite, model_version, version = _label(model, rule)

    def result(
        status: str, dates: tuple[dt.date | None, dt.date | None, dt.date | None]
    ) -> BoosterForecast:
        return BoosterForecast(
            ctx.patient_id,
            status,
            fit.basis,
            ctx.threshold_pain,
            *dates,
            half_life,
            int(ctx.pain.size),
            tuple(ctx.reasons),
            cite,
            model_version,
            version,
            **extra,  # type: ignore[arg-type]
        )

    measured_below = _measured_below(ctx, current, threshold, rule)
    if measured_below and _in_flare(ctx, rule):
        measured_below = False
    crossing = _crossing_days(fit.basis, fit.log_depth, math.exp(fit.log_k), threshold, model)
    if crossing is None and not measured_below:
        ctx.reasons.append("Relief after this course never reached the threshold.")
        return result("no_relief", (None, None, None))
    if measured_below:
        ctx.reasons.append("Relief is measured below the threshold already.")
        return result("due_now", (ctx.reference, ctx.reference, ctx.reference))
    status, dates = _dated(ctx, fit, threshold, model, rule, current)
    ctx.reasons.append(model.extrapolation_note)
    return result(status, dates)


def _half_life_reason(ctx: _Context, fit: _Decay) -> float:
    """The fitted half-life, with its 95 % range added to the reasons."""
    half_life = math.log(2.0) / math.exp(fit.log_k)
    lo_hl, hi_hl = (
        math.log(2.0) / math.exp(fit.log_k + 1.96 * fit.se),
        math.log(2.0) / math.exp(fit.log_k - 1.96 * fit.se),
    )
    ctx.reasons.append(
        f"Relief fades with a half-life of {half_life:.1f} days (95 % range "
        f"{lo_hl:.1f}-{hi_hl:.1f})."
    )
    return half_life


def _extra_fields(
    fit: _Decay, current: tuple[float, float, float] | None
) -> dict[str, float | None]:
    """The prior's share and, when measured, the current relief and the patient's noise."""
    extra: dict[str, float | None] = {"prior_share": round(fit.prior_share, 3)}
    if current is not None:
        extra.update(
            current_relief_pct=round(100 * current[0], 1),
            current_relief_sd_pct=round(100 * current[1], 1),
            noise_sd_points=round(current[2], 3),
        )
    return extra


def _measured_below(
    ctx: _Context,
    current: tuple[float, float, float] | None,
    threshold: float,
    rule: ForecastRule,
) -> bool | None:
    """Whether the measured (latent) relief is below the threshold with the rule's
    probability (None: the rule does not measure it)."""
    if current is None or rule.due_probability is None:
        return None
    z = (threshold - current[0]) / max(current[1], 1e-9)
    below = 0.5 * math.erfc(-z / math.sqrt(2.0))
    if rule.baseline_uncertainty:
        ctx.reasons.append(
            f"Measured relief now: {100 * current[0]:.0f} % (SD {100 * current[1]:.0f} %, the "
            f"smoothed level's and the baseline week's uncertainty); {below:.0%} likely below "
            f'{100 * threshold:g} %, "due now" from {rule.due_probability:.0%}.'
        )
    else:
        ctx.reasons.append(
            f"Measured relief now: {100 * current[0]:.0f} % (SD {100 * current[1]:.0f} %)."
        )
    return below >= rule.due_probability


def _in_flare(ctx: _Context, rule: ForecastRule) -> bool:
    """Whether the patient marked a flare within the rule's hold (rule 2.2): pain above the
    threshold during a flare is not read as relief ending (a flare is a passing worsening
    above the current level), so "due now" waits for it to settle."""
    if rule.flare_hold_days is None or ctx.last_flare_mark is None:
        return False
    if (ctx.reference - ctx.last_flare_mark).days >= rule.flare_hold_days:
        return False
    ctx.reasons.append(
        f"Pain is above the threshold, but a flare was marked on "
        f"{ctx.last_flare_mark.isoformat()}: pain during a flare is not read as relief ending, "
        "so the forecast rests on the fitted curve until the flare settles."
    )
    return True


def with_baseline_uncertainty(
    ctx: _Context, current: tuple[float, float, float]
) -> tuple[float, float, float]:
    """The measured relief's SD with the baseline week's own uncertainty added (rule 2.2):
    relief is ``1 - level / baseline`` and the baseline is a mean of ``baseline_days`` diary
    days with the patient's noise, as in the responder probability; first-order (delta)
    propagation. Unchanged when the baseline's days are not known."""
    relief, level_sd, noise_sd = current
    if not ctx.baseline_days:
        return current
    baseline_var = noise_sd * noise_sd / ctx.baseline_days
    from_baseline = (1.0 - relief) ** 2 * baseline_var / (ctx.baseline * ctx.baseline)
    return relief, math.sqrt(level_sd * level_sd + from_baseline), noise_sd


def _dated(
    ctx: _Context,
    fit: _Decay,
    threshold: float,
    model: ReliefModel,
    rule: ForecastRule,
    current: tuple[float, float, float] | None = None,
) -> tuple[str, tuple[dt.date | None, dt.date | None, dt.date | None]]:
    """Status and the predicted date with its interval from the fitted crossing (rule 2.3:
    from the measured relief ``current`` when the fitted curve has crossed already)."""
    k = math.exp(fit.log_k)
    crossing = _crossing_days(fit.basis, fit.log_depth, k, threshold, model)
    early = _crossing_days(
        fit.basis, fit.log_depth, math.exp(fit.log_k + 1.96 * fit.se), threshold, model
    )
    late = _crossing_days(
        fit.basis, fit.log_depth, math.exp(fit.log_k - 1.96 * fit.se), threshold, model
    )

    def day(x: float | None) -> dt.date | None:
        return None if x is None else _date_after(ctx.course_date, x)

    predicted, low, high = day(crossing), day(early), day(late)
    if crossing is not None and predicted is None:
        ctx.reasons.append(
            f"The fitted crossing is more than {FORECAST_HORIZON_DAYS // 365} years away: no "
            "date is given."
        )
    if rule.due_probability is None:
        status = "due_now" if predicted is not None and predicted <= ctx.reference else "ok"
        if status == "due_now":
            ctx.reasons.append("Relief is estimated to be below the threshold already.")
        return status, (predicted, low, high)
    soonest = ctx.reference + dt.timedelta(days=1)
    if predicted is not None and predicted < soonest:
        if rule.from_measured_relief and current is not None:
            return "ok", _from_measured_relief(ctx, fit, threshold, current)
        ctx.reasons.append(
            "The fitted curve has already crossed, but the measured relief still holds: "
            "expect the crossing any day."
        )
    predicted = max(predicted, soonest) if predicted else None
    low = max(low, soonest) if low else None
    high = max(high, soonest) if high else None
    return "ok", (predicted, low, high)


def _from_measured_relief(
    ctx: _Context, fit: _Decay, threshold: float, current: tuple[float, float, float]
) -> tuple[dt.date, dt.date, dt.date | None]:
    """Rule 2.3: the crossing extrapolated from the measured relief (mean, SD) at the fitted
    decay rate, when the fitted curve has crossed already but the measured relief holds.

    Predicted: ``ln(relief / threshold) / k`` days after the reference day (the next day when
    the measured relief is at or below the threshold). Range: from the next day (the curve
    says the crossing is due) to ``ln((relief + 1.96 SD) / threshold) / k_low`` days, with
    ``k_low = exp(log k - 1.96 SE)``, the slow end of the decay rate's 95 % range.
    """
    relief, sd = current[0], current[1]
    k, k_low = math.exp(fit.log_k), math.exp(fit.log_k - 1.96 * fit.se)

    def after(relief_now: float, rate: float) -> dt.date | None:
        days = math.log(relief_now / threshold) / rate if relief_now > threshold else 0.0
        return _date_after(ctx.reference, max(1.0, days))

    soonest = ctx.reference + dt.timedelta(days=1)
    predicted = after(relief, k) or soonest  # k >= exp(-8): within the horizon
    late = after(relief + 1.96 * sd, k_low)
    high = max(late, predicted) if late else None
    until = high.isoformat() if high else f"an open end (beyond {FORECAST_HORIZON_DAYS} days)"
    measured = f"{100 * relief:.0f} %, SD {100 * sd:.0f} %"
    whose = "the prior's" if fit.basis == "cohort_prior" else "the fitted"
    if relief > threshold:
        said = f"the measured relief still holds ({measured}): from it, at {whose} half-life,"
    else:
        said = f'the measured relief ({measured}) is not surely enough below it for "due now":'
    ctx.reasons.append(
        f"The fitted curve has already crossed the threshold, but {said} the crossing is "
        f"expected on {predicted.isoformat()}, between the next day and {until} (the "
        "relief's upper 95 % bound at the slow end of the half-life's range)."
    )
    return predicted, soonest, high


def _date_after(start: dt.date, days: float) -> dt.date | None:
    """``start`` plus ``days`` rounded up; None beyond ``FORECAST_HORIZON_DAYS``."""
    if not days <= FORECAST_HORIZON_DAYS:  # also NaN
        return None
    return start + dt.timedelta(days=math.ceil(days))
