import math

import numpy as np
import pytest

from tenderpoint.outcomes.baseline import baseline_scores
from tenderpoint.outcomes.contracts import daily_values, validate_diary, validate_patients
from tenderpoint.outcomes.forecast import (
    BoosterForecast,
    ForecastPrior,
    cohort_prior,
    forecast_booster,
)
from tenderpoint.outcomes.schedule import infusion_courses

from .helpers import NOW, day, diary, infusions, patients
from .test_response import BASE


def _forecast(post_days: int):
    # relief 0.6 * exp(-k t) after a course on day 10 with a 10-day half-life:
    # relief falls to 30 % when exp(-k t) = 1/2, i.e. t = 10 days -> day 20
    k = math.log(2) / 10
    rows = [("a", d, p) for d, p in BASE]
    rows += [("a", 10 + t, 8 * (1 - 0.6 * math.exp(-k * t))) for t in range(1, post_days + 1)]
    daily = daily_values(validate_diary(diary(rows), now=NOW))
    ses = infusion_courses(infusions([("a", 10)]), validate_patients(patients(["a"])))
    return forecast_booster("a", daily, ses, baseline_scores(daily, ses), today=day(10 + post_days))


def test_exponential_fit_recovers_the_crossing_date() -> None:
    f = _forecast(8)
    assert f.basis == "exponential"
    assert f.status == "ok"
    assert f.predicted_date is not None
    assert day(20) <= f.predicted_date <= day(21)  # ceil of ~10 days, prior pulls slightly
    assert f.interval_low is not None
    assert f.interval_high is not None
    assert f.interval_low <= f.predicted_date <= f.interval_high
    assert f.threshold_pain == 8 * 0.7
    assert any("exponential" in r for r in f.reasons)


def test_scarce_data_falls_back_to_the_cohort_prior_and_says_so() -> None:
    f = _forecast(2)
    assert f.basis == "cohort_prior"
    assert any("cohort prior" in r for r in f.reasons)


def test_no_baseline_is_a_result() -> None:
    daily = daily_values(validate_diary(diary([("a", 12, 5)]), now=NOW))
    ses = infusion_courses(infusions([("a", 10)]), validate_patients(patients(["a"])))
    f = forecast_booster("a", daily, ses, baseline_scores(daily, ses))
    assert f.status == "insufficient_data"
    assert f.predicted_date is None
    assert "baseline" in f.reasons[0].lower()
    assert f.as_dict()["predicted_date"] is None


def _fake(half_life: float, basis: str = "relief_model") -> BoosterForecast:
    return BoosterForecast("x", "ok", basis, 5.0, None, None, None, half_life, 20, ("r",), "c", "v")  # type: ignore[arg-type]


def test_cohort_prior_from_fitted_patients() -> None:
    fits = [_fake(h) for h in (5.0, 10.0, 20.0)] + [_fake(99.0, "cohort_prior")]
    prior = cohort_prior(fits, min_patients=3)
    # median of log half-lives (5, 10, 20) is log 10; prior-based forecasts are ignored
    assert prior.half_life_days == pytest.approx(10.0, rel=1e-12)
    assert prior.half_life_log_sd == pytest.approx(math.log(2), rel=1e-9)
    assert "3 patients" in prior.source
    assert cohort_prior(fits, min_patients=4) == ForecastPrior()


@pytest.mark.parametrize("basis", ["exponential", "relief_model"])
def test_fast_jacobian_fit_takes_scipys_path_to_the_same_bits(basis) -> None:
    """ForwardDifference reproduces least_squares' own "2-point" Jacobian: every fitted
    depth, rate and SE is bit-identical, including patients whose pain worsens."""
    from tenderpoint.outcomes.forecast import _fit
    from tenderpoint.pharmacology.pd.relief import DAHAN2011

    rng = np.random.default_rng(11)
    for trial in range(60):
        m = int(rng.integers(1, 400))
        t = np.sort(rng.choice(np.arange(1, 600), m, replace=False)).astype(float)
        base = float(rng.uniform(3, 9))
        depth = rng.uniform(-0.5, 1.2)  # includes worsening (a fit pushed to a bound)
        half_life = rng.lognormal(2.5, 1.2)
        noise = rng.normal(0, rng.uniform(0.3, 2.0), m)
        pain = np.clip(
            np.round(base * (1 - depth * np.exp(-np.log(2) / half_life * t)) + noise), 0, 10
        )
        args = (t, pain, base, basis, ForecastPrior(), DAHAN2011, float(rng.uniform(0.3, 1.5)))
        prior_sd = [None, 1.0, 0.3][trial % 3]
        fast = _fit(*args, prior_sd, fast_jacobian=True)
        scipy_own = _fit(*args, prior_sd, fast_jacobian=False)
        assert fast == scipy_own


@pytest.mark.parametrize("basis", ["exponential", "relief_model"])
def test_written_out_residuals_are_the_models_to_the_bit(basis) -> None:
    """The fit's residuals write the relief model's curve out (no model rebuilt per
    evaluation); they must equal, bit for bit, the residuals built from the pharmacology
    core's own functions, over the whole box the fit searches."""
    import dataclasses

    from tenderpoint.outcomes.forecast import MIN_PER_DAY, _residuals
    from tenderpoint.pharmacology.pd.relief import (
        DAHAN2011,
        relief_fraction,
        slow_compartment_from_auc,
    )

    rng = np.random.default_rng(5)
    for _ in range(300):
        m = int(rng.integers(1, 800))
        t = np.sort(rng.choice(np.arange(1, 900), m, replace=False)).astype(float)
        pain = rng.integers(0, 11, m).astype(float)
        base, noise, k0, log_sd = (float(x) for x in rng.uniform([3, 0.3, -5, 0.2], [9, 2, 0, 2]))
        theta = rng.uniform([-6.0, -8.0], [4.0, 1.0])
        k = math.exp(theta[1])
        if basis == "relief_model":
            fitted = dataclasses.replace(DAHAN2011, emax=1.0, k_slow_per_min=k / MIN_PER_DAY)
            c0 = math.exp(theta[0]) * DAHAN2011.c50_ng_per_ml
            c = slow_compartment_from_auc(
                [0.0], [c0 / fitted.k_slow_per_min], t * MIN_PER_DAY, fitted
            )
            relief = relief_fraction(c, fitted)
        else:
            relief = math.exp(theta[0]) * np.exp(-k * t)
        expected = np.append((pain - base * (1.0 - relief)) / noise, (theta[1] - k0) / log_sd)
        got = _residuals(t, pain, base, basis, DAHAN2011, (noise, k0, log_sd))(theta)
        assert np.array_equal(got, expected)


def test_residuals_reusing_the_last_decay_factors_are_a_fresh_evaluations_bits() -> None:
    """The exponential's residuals keep the decay factors exp(-k t) of the last rate for the
    Jacobian's depth column; evaluated in any order (same rate again, a new rate, back to an
    old one, a step one float away) they must equal a fresh evaluation's bits."""
    from tenderpoint.outcomes.forecast import _residuals
    from tenderpoint.pharmacology.pd.relief import DAHAN2011

    rng = np.random.default_rng(8)
    for _ in range(100):
        m = int(rng.integers(1, 700))
        t = np.sort(rng.choice(np.arange(1, 800), m, replace=False)).astype(float)
        pain = rng.integers(0, 11, m).astype(float)
        args = (t, pain, float(rng.uniform(3, 9)), "exponential", DAHAN2011, (0.8, -2.7, 1.0))
        kept = _residuals(*args)
        thetas = [rng.uniform([-6.0, -8.0], [4.0, 1.0]) for _ in range(4)]
        thetas += [np.array([thetas[0][0] + 1e-8, thetas[0][1]]), thetas[0]]
        thetas += [np.array([thetas[0][0], math.nextafter(thetas[0][1], 2.0)]), thetas[2]]
        for theta in thetas:
            assert np.array_equal(kept(theta), _residuals(*args)(theta))


@pytest.mark.parametrize("basis", ["exponential", "relief_model"])
def test_trf_loop_is_least_squares_to_the_bit(basis) -> None:
    """``_trf.trf_fit`` is scipy's bounded TRF loop without its wrappers: on 200 fits
    (improving, worsening and flat diaries; fits pushed to a bound, some started on one; one
    to 700 points) it returns least_squares' own parameters and Jacobian, bit for bit."""
    from scipy.optimize import least_squares

    from tenderpoint.outcomes import _trf
    from tenderpoint.outcomes.forecast import _LOWER, _UPPER, ForwardDifference, _residuals
    from tenderpoint.pharmacology.pd.relief import DAHAN2011

    assert _trf.AVAILABLE
    rng = np.random.default_rng(23)
    for _ in range(200):
        m = int(rng.integers(1, 700))
        t = np.sort(rng.choice(np.arange(1, 800), m, replace=False)).astype(float)
        base = float(rng.uniform(2, 9))
        depth = rng.uniform(-0.8, 1.5)
        rate = np.log(2) / rng.lognormal(2.5, 1.5)
        noise = rng.normal(0, rng.uniform(0.0, 2.0), m)
        pain = np.clip(np.round(base * (1 - depth * np.exp(-rate * t)) + noise), 0, 10)
        scales = (
            float(rng.uniform(0.3, 1.5)),
            float(rng.uniform(-5, 0)),
            float(rng.uniform(0.2, 2)),
        )
        fun = _residuals(t, pain, base, basis, DAHAN2011, scales)
        x0 = rng.uniform(_LOWER, _UPPER)
        if rng.random() < 0.2:  # a start on the bounds: steps reflected and pulled inside
            x0 = np.where(rng.random(2) < 0.5, _LOWER, _UPPER).astype(float)
        jac = ForwardDifference(fun, _LOWER, _UPPER)
        ours = _trf.trf_fit(fun, jac, x0, (_LOWER, _UPPER))
        scipy_own = least_squares(fun, x0, jac=jac, bounds=(_LOWER, _UPPER))
        assert np.array_equal(ours.x, scipy_own.x)
        assert np.array_equal(ours.jac, scipy_own.jac)
