"""Forecast rule 2.1: the exponential decay fit solved to its global minimum."""

import dataclasses
import math

import numpy as np
import pytest
from scipy.optimize import least_squares

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.forecast import (
    ForecastPrior,
    ForwardDifference,
    _fit,
    _residuals,
)
from tenderpoint.outcomes.forecast_profile import DecayProblem, fit_decay
from tenderpoint.pharmacology.pd.relief import DAHAN2011

LOG_K_PRIOR = math.log(math.log(2.0) / ForecastPrior().half_life_days)
BOUNDS = {"depth_bounds": (math.exp(-6.0), math.exp(4.0)), "log_k_bounds": (-8.0, 1.0)}


def _problem(t, pain, baseline, noise_sd, prior_sd=1.0, log_k_prior=LOG_K_PRIOR):
    return DecayProblem(
        t_days=np.asarray(t, dtype=float),
        relief=1.0 - np.asarray(pain, dtype=float) / baseline,
        weight=(baseline / noise_sd) ** 2,
        log_k_prior=log_k_prior,
        log_k_prior_sd=prior_sd,
        **BOUNDS,
    )


def _cost(t, pain, baseline, noise_sd, theta, prior_sd=1.0):
    """Rule 2.0's objective (sum of squared residuals, prior term included) at theta."""
    scales = (noise_sd, LOG_K_PRIOR, prior_sd)
    r = _residuals(
        np.asarray(t, float), np.asarray(pain, float), baseline, "exponential", DAHAN2011, scales
    )(np.asarray(theta, float))
    return float(r @ r)


def _diaries(n, seed):
    """Whole-number diaries after a course: exponential, linear and step relief, worsening,
    flares of a few days, missed days, noise 0.3-2 points."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        m = int(rng.integers(5, 120))
        t = np.sort(rng.choice(np.arange(1, 2 * m + 1), m, replace=False)).astype(float)
        base = float(rng.uniform(3, 9))
        depth, half_life = rng.uniform(-0.3, 0.95), rng.lognormal(2.5, 1.0)
        family = rng.integers(3)
        if family == 0:
            relief = depth * np.exp(-math.log(2) / half_life * t)
        elif family == 1:
            relief = np.clip(depth * (1 - t / (2 * half_life)), min(depth, 0), None)
        else:
            relief = np.where(t < half_life, depth, 0.0)
        pain = base * (1 - relief) + rng.normal(0, rng.uniform(0.3, 2.0), m)
        if rng.random() < 0.3:  # a flare of 3-7 days
            start = int(rng.integers(0, m))
            pain[start : start + int(rng.integers(3, 8))] += 3
        yield t, np.clip(np.round(pain), 0, 10), base, float(rng.uniform(0.4, 1.5))


def test_the_profile_fit_is_never_worse_than_rule_2_0_nor_than_many_starts() -> None:
    """On 150 varied diaries the 2.1 fit's cost is at most 2.0's and at most the best of
    scipy's bounded least squares from eight starts across log k's range."""
    lower, upper = np.array([-6.0, -8.0]), np.array([4.0, 1.0])
    improved = 0
    for t, pain, base, noise in _diaries(150, seed=5):
        found = fit_decay(_problem(t, pain, base, noise))
        assert found.cost == pytest.approx(
            _cost(t, pain, base, noise, (found.log_depth, found.log_k)), rel=1e-12
        )
        depth, log_k, _ = _fit(t, pain, base, "exponential", ForecastPrior(), DAHAN2011, noise, 1.0)
        rule_2_0 = _cost(t, pain, base, noise, (depth, log_k))
        assert found.cost <= rule_2_0 * (1 + 1e-9)
        improved += found.cost < rule_2_0 - 1e-3
        residuals = _residuals(t, pain, base, "exponential", DAHAN2011, (noise, LOG_K_PRIOR, 1.0))
        starts = [
            least_squares(residuals, (math.log(0.3), s), bounds=(lower, upper)).x
            for s in np.linspace(-7.5, 0.5, 8)
        ]
        best_start = min(_cost(t, pain, base, noise, x) for x in starts)
        assert found.cost <= best_start * (1 + 1e-9)
    assert improved >= 1  # the diaries include ones where 2.0 stops in a local minimum


def test_the_profile_fit_is_a_two_dimensional_brute_force_minimum() -> None:
    """A 1,201 x 1,201 grid over (log depth, log k) never finds a lower cost, and finds one
    within its resolution of the fit's."""
    log_depths, log_ks = np.linspace(-6, 4, 1201), np.linspace(-8, 1, 1201)
    for t, pain, base, noise in list(_diaries(40, seed=9))[::8]:
        found = fit_decay(_problem(t, pain, base, noise))
        u = np.exp(-np.exp(log_ks)[:, None] * t[None, :])  # log k x days
        y = 1 - pain / base
        a = np.exp(log_depths)
        # sum_i (A u_i - y_i)^2 over the grid, expanded: A^2 S_uu - 2 A S_uy + S_yy
        misfit = (
            a[None, :] ** 2 * (u * u).sum(1)[:, None] - 2 * a[None, :] * (u @ y)[:, None] + y @ y
        )
        costs = (base / noise) ** 2 * misfit + ((log_ks - LOG_K_PRIOR) ** 2)[:, None]
        assert found.cost <= costs.min() * (1 + 1e-9)
        assert found.cost >= costs.min() * (1 - 2e-3)


def test_rule_2_0_stops_at_the_depth_bound_where_2_1_finds_the_minimum() -> None:
    """A diary from the benchmark's cohort: relief, a flare, relief again, then pain back.
    2.0's start (the first five days' relief) leads it to the depth's lower bound, a cost
    7 units above the minimum; 2.1 finds the minimum with the depth inside its bounds."""
    t = np.arange(2, 20, dtype=float)
    pain = np.array([4, 3, 3, 8, 8, 8, 7, 7, 6, 4, 4, 4, 4, 5, 8, 9, 9, 9], dtype=float)
    base, noise = 36 / 7, 0.5164
    depth_2_0, log_k_2_0, _ = _fit(
        t, pain, base, "exponential", ForecastPrior(), DAHAN2011, noise, 1.0
    )
    assert depth_2_0 == pytest.approx(-6.0)  # the lower bound of log depth
    found = fit_decay(_problem(t, pain, base, noise))
    assert -6.0 < found.log_depth < 4.0
    assert found.cost < _cost(t, pain, base, noise, (depth_2_0, log_k_2_0)) - 7.0


def test_a_noise_free_exponential_is_recovered_exactly() -> None:
    """Relief 0.6 exp(-k t) with a 10-day half-life, no noise, prior centred on the truth:
    the fit returns the depth and the rate themselves."""
    k = math.log(2) / 10
    t = np.arange(1, 40, dtype=float)
    pain = 8 * (1 - 0.6 * np.exp(-k * t))
    found = fit_decay(_problem(t, pain, 8.0, 0.8, log_k_prior=math.log(k)))
    assert math.exp(found.log_depth) == pytest.approx(0.6, rel=1e-9)
    assert found.log_k == pytest.approx(math.log(k), abs=1e-9)
    assert found.cost == pytest.approx(0.0, abs=1e-15)


def test_the_se_is_the_difference_jacobians() -> None:
    """The SE of log k is the one rule 2.0 reads from its (difference) Jacobian, taken at the
    2.1 optimum."""
    lower, upper = np.array([-6.0, -8.0]), np.array([4.0, 1.0])
    checked = 0
    for t, pain, base, noise in _diaries(30, seed=3):
        found = fit_decay(_problem(t, pain, base, noise))
        if not (-5.9 < found.log_depth < 3.9 and -7.9 < found.log_k < 0.9):
            continue  # a difference step at a bound is one-sided
        residuals = _residuals(t, pain, base, "exponential", DAHAN2011, (noise, LOG_K_PRIOR, 1.0))
        jac = ForwardDifference(residuals, lower, upper)(np.array([found.log_depth, found.log_k]))
        expected = math.sqrt(np.linalg.inv(jac.T @ jac)[1, 1])
        assert found.log_k_se == pytest.approx(expected, rel=1e-4)
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"relief": np.array([0.3, math.nan, 0.2])}, "relief"),
        ({"relief": np.array([0.3, 0.2])}, "relief"),
        ({"t_days": np.array([]), "relief": np.array([])}, "relief"),
        ({"weight": 0.0}, "weight"),
        ({"weight": math.inf}, "weight"),
        ({"log_k_prior_sd": 0.0}, "log_k_prior_sd"),
        ({"log_k_prior": math.nan}, "log_k_prior"),
        ({"depth_bounds": (0.0, 1.0)}, "depth_bounds"),
        ({"log_k_bounds": (1.0, -8.0)}, "log_k_bounds"),
    ],
)
def test_a_problem_the_fit_cannot_solve_is_refused_naming_the_field(change, field) -> None:
    """A NaN in the diary (or a baseline of 0), mismatched or empty arrays, a zero noise
    weight or prior SD, and inverted bounds are errors, not a minimum found somewhere."""
    good = _problem([1.0, 2.0, 3.0], [4.0, 5.0, 5.0], 7.0, 0.8)
    fit_decay(good)  # the unchanged problem is solved
    with pytest.raises(InvalidInputError) as err:
        dataclasses.replace(good, **change)
    assert err.value.field == field
