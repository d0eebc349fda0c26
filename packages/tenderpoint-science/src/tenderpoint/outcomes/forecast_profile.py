"""The booster forecast's exponential fit, solved to its global minimum (forecast rule 2.1).

Rule 2.0 fits ``pain = baseline (1 - A exp(-k t))`` by bounded least squares (TRF) from one
start: the prior's half-life and the first days' relief. Its objective can have more than one
minimum in ``log k``, and that start sometimes stops in the wrong one, with the depth ``A`` at
its lower bound (docs/outcomes.md, "Forecast rule 2.1"). The same objective is minimised here
without a start:

* for a fixed decay rate the residuals are linear in ``A``, so the best depth inside its bounds
  has a closed form and the objective becomes a function of ``log k`` alone (the profile);
* the profile is evaluated on a grid 0.1 apart in ``log k`` across its bounds, and each of the
  grid's local minima is refined where the profile's derivative changes sign (brentq; the
  derivative is exact: the depth is optimal at every ``k``, so only ``k``'s own term moves);
* the lowest refined minimum is the fit, and its SE comes from the same Jacobian the TRF fit
  uses, written out.

The objective is rule 2.0's: pain misfit over the patient's noise SD, plus the normal prior on
``log k``. Pure numpy and scipy; no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq, minimize_scalar

from tenderpoint.errors import InvalidInputError

GRID_STEP_LOG_K: Final = 0.1
# as tight as the data allow: brentq stops on the root of the derivative to ~1e-12 in log k
_XTOL: Final = 1e-12


@dataclass(frozen=True)
class DecayProblem:
    """One post-course diary and the objective's scales and bounds.

    ``relief`` is each day's observed relief ``1 - pain / baseline``; ``weight`` is
    ``(baseline / noise_sd)**2``, the misfit's scale in relief units; the prior on ``log k``
    is normal with centre ``log_k_prior`` and SD ``log_k_prior_sd``; ``depth_bounds`` and
    ``log_k_bounds`` are rule 2.0's (depth as ``A`` itself, not its log).
    """

    t_days: npt.NDArray[np.float64]
    relief: npt.NDArray[np.float64]
    weight: float
    log_k_prior: float
    log_k_prior_sd: float
    depth_bounds: tuple[float, float]
    log_k_bounds: tuple[float, float]

    def __post_init__(self) -> None:
        """Refuse a problem the fit cannot solve, naming the field (nothing is clipped)."""
        t, y = self.t_days, self.relief
        if t.ndim != 1 or t.shape != y.shape or not t.size:
            _refuse("t_days and relief must be one-dimensional, of one length, not empty", "relief")
        if not (np.isfinite(t).all() and np.isfinite(y).all()):
            _refuse(
                "t_days and relief must be finite (a missing pain, or a baseline of 0?)", "relief"
            )
        if not (math.isfinite(self.weight) and self.weight > 0):
            _refuse("weight, (baseline / noise SD)^2, must be positive and finite", "weight")
        if not (math.isfinite(self.log_k_prior_sd) and self.log_k_prior_sd > 0):
            _refuse("the prior's SD of log k must be positive and finite", "log_k_prior_sd")
        if not math.isfinite(self.log_k_prior):
            _refuse("the prior's centre of log k must be finite", "log_k_prior")
        for name in ("depth_bounds", "log_k_bounds"):
            low, high = getattr(self, name)
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                _refuse(f"{name} must be finite, the lower bound below the upper", name)
        if self.depth_bounds[0] <= 0:
            _refuse(
                "depth_bounds must be positive (the fit reports the depth's log)", "depth_bounds"
            )

    def best_depth(self, u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The depth that minimises the misfit for each row of decay factors ``u``, inside
        its bounds (the lower bound where every factor has underflowed: there ``A`` does not
        change the misfit)."""
        suu = np.einsum("...i,...i->...", u, u)
        suy = u @ self.relief
        free = np.divide(suy, suu, out=np.full_like(suy, self.depth_bounds[0]), where=suu > 0)
        clipped: npt.NDArray[np.float64] = np.clip(free, *self.depth_bounds)
        return clipped

    def profile(self, log_k: float) -> tuple[float, float, float]:
        """The profile at ``log k``: (cost, its derivative in ``log k``, the best depth)."""
        k = math.exp(log_k)
        u = np.exp(-k * self.t_days)
        depth = float(self.best_depth(u))
        misfit = depth * u - self.relief
        prior_z = (log_k - self.log_k_prior) / self.log_k_prior_sd
        cost = self.weight * float(misfit @ misfit) + prior_z * prior_z
        # d/dlog k of A u_i is -A k t_i u_i; the depth's own derivative drops out (it is
        # optimal, or held at a bound)
        slope = -2.0 * self.weight * depth * k * float(misfit @ (self.t_days * u))
        slope += 2.0 * prior_z / self.log_k_prior_sd
        return cost, slope, depth

    def grid_costs(self, grid: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The profile's cost at every grid point at once."""
        u = np.exp(-np.exp(grid)[:, None] * self.t_days[None, :])
        depth = self.best_depth(u)
        misfit = depth[:, None] * u - self.relief[None, :]
        prior_z = (grid - self.log_k_prior) / self.log_k_prior_sd
        out: npt.NDArray[np.float64] = self.weight * np.einsum("ij,ij->i", misfit, misfit)
        return out + prior_z * prior_z


@dataclass(frozen=True)
class ProfileFit:
    """The global minimum: log depth, log k per day, SE of log k and the cost there."""

    log_depth: float
    log_k: float
    log_k_se: float
    cost: float


def fit_decay(problem: DecayProblem) -> ProfileFit:
    """The global minimum of the profile over ``log k``'s bounds (see the module's doc)."""
    lo, hi = problem.log_k_bounds
    n_steps = max(1, round((hi - lo) / GRID_STEP_LOG_K))
    grid = np.linspace(lo, hi, n_steps + 1)
    costs = problem.grid_costs(grid)
    candidates = []  # (cost, log k, depth) at each refined local minimum; never empty
    for j in _local_minima(costs):
        log_k = _refine(problem, grid, j)
        cost, _, depth = problem.profile(log_k)
        candidates.append((cost, log_k, depth))
    cost, log_k, depth = min(candidates)
    return ProfileFit(math.log(depth), log_k, _log_k_se(problem, log_k, depth), cost)


def _refuse(message: str, field: str) -> None:
    raise InvalidInputError(f"Decay fit: {message}.", code="invalid", field=field)


def _local_minima(costs: npt.NDArray[np.float64]) -> list[int]:
    """Grid indices no higher than their neighbours (the ends count with one neighbour)."""
    left = np.r_[True, costs[1:] <= costs[:-1]]
    right = np.r_[costs[:-1] <= costs[1:], True]
    return [int(j) for j in np.flatnonzero(left & right)]


def _refine(problem: DecayProblem, grid: npt.NDArray[np.float64], j: int) -> float:
    """The profile's minimum between grid point ``j``'s neighbours: the root of its derivative
    where the derivative changes sign there; a bound where the profile still falls towards
    it; else (a flat or kinked stretch) scipy's bounded scalar minimiser."""
    a, b = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
    slope_a, slope_b = problem.profile(a)[1], problem.profile(b)[1]
    if slope_a < 0.0 < slope_b:
        root = float(brentq(lambda x: problem.profile(x)[1], a, b, xtol=_XTOL))
        # one sign change brackets a minimum; should the derivative cross three times, the
        # root found could be a maximum, so it must beat the grid point it refines
        return min((root, float(grid[j])), key=lambda x: problem.profile(x)[0])
    if j == 0 and slope_a >= 0.0:
        return float(a)
    if j == grid.size - 1 and slope_b <= 0.0:
        return float(b)
    found = minimize_scalar(
        lambda x: problem.profile(x)[0], bounds=(a, b), method="bounded", options={"xatol": 1e-9}
    )
    candidates = [float(found.x), float(grid[j])]
    return min(candidates, key=lambda x: problem.profile(x)[0])


def _log_k_se(problem: DecayProblem, log_k: float, depth: float) -> float:
    """SE of ``log k`` from the Jacobian of the residuals in (log depth, log k), the one the
    TRF fit estimates by differences; the prior's SD where the data carry no information."""
    k = math.exp(log_k)
    u = np.exp(-k * problem.t_days)
    tu = problem.t_days * u
    scale = problem.weight * depth * depth
    j_aa = scale * float(u @ u)
    j_al = -scale * k * float(u @ tu)
    j_ll = scale * k * k * float(tu @ tu) + 1.0 / problem.log_k_prior_sd**2
    det = j_aa * j_ll - j_al * j_al
    if not (j_aa > 0.0 and det > 0.0):
        return problem.log_k_prior_sd
    return math.sqrt(j_aa / det)
