"""scipy's bounded Trust Region Reflective fit, for the booster forecast's two parameters.

``scipy.optimize.least_squares(fun, x0, jac=jac, bounds=(lb, ub))`` with its defaults (method
"trf", exact trust-region solver, linear loss, unit ``x_scale``, tolerances 1e-8) runs
``scipy.optimize._lsq.trf.trf_bounds``. For a two-parameter fit of a few hundred residuals most
of a call's time goes to its general machinery: argument checks, the memoising
``VectorFunction`` wrapper around ``fun`` and ``jac``, the robust-loss, ``x_scale``, LSMR and
callback branches, and the checks and dispatch around the LAPACK SVD of each iteration.
:func:`trf_fit` is that algorithm's loop with those branches taken out - the same steps on
the same arrays with the same scipy helpers and LAPACK routine, in the same order (a unit
``x_scale`` multiplies by exactly 1.0, so it is left out; the Jacobian is handed the
residuals already computed at its point instead of evaluating them again; the loop's vector
norms are numpy's arithmetic without its dispatch) - and gives the same bits;
``tests/outcomes/test_forecast.py`` holds it to ``least_squares`` on many fits. The helpers
live in scipy's private ``_lsq`` package: if a scipy release moves them, :data:`AVAILABLE` is
false and the forecast calls ``least_squares`` itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.linalg import LinAlgError, norm
from scipy.linalg import get_lapack_funcs

try:
    from scipy.optimize._lsq.common import (
        CL_scaling_vector,
        check_termination,
        compute_grad,
        make_strictly_feasible,
        update_tr_radius,
    )
    from scipy.optimize._lsq.trf import select_step

    AVAILABLE = True
except ImportError:  # pragma: no cover - a scipy that moved its private helpers
    AVAILABLE = False

FloatArray = npt.NDArray[np.float64]
TOLERANCE = 1e-8  # least_squares' ftol, xtol and gtol


@dataclass(frozen=True)
class TrfResult:
    """The fitted parameters and the Jacobian at them (``least_squares``' ``x`` and ``jac``)."""

    x: FloatArray
    jac: FloatArray


def trf_fit(
    fun: Callable[[FloatArray], FloatArray],
    jac: Callable[[FloatArray, FloatArray], FloatArray],
    x0: FloatArray,
    bounds: tuple[FloatArray, FloatArray],
) -> TrfResult:
    """``least_squares(fun, x0, jac=jac, bounds=bounds)`` (method "trf", defaults).

    Parameters
    ----------
    fun : callable
        Residuals at ``x`` (1-D, finite at the start).
    jac : callable
        Jacobian of ``fun`` at ``x`` given ``fun(x)`` (m x n; ``least_squares`` calls it
        without the residuals, so a Jacobian that re-evaluates them gets the same ones).
    x0 : numpy.ndarray
        Start, inside the bounds.
    bounds : tuple of numpy.ndarray
        Lower and upper bounds (finite, lower < upper).

    Returns
    -------
    TrfResult
    """
    lb, ub = bounds
    x = make_strictly_feasible(np.atleast_1d(x0).astype(float), lb, ub)
    f = np.atleast_1d(fun(x.copy()))
    if not np.all(np.isfinite(f)):
        raise ValueError("Residuals are not finite in the initial point.")
    J = np.atleast_2d(jac(x.copy(), f))
    return _trf_bounds(fun, jac, x, f, J, lb, ub)


def _trf_bounds(
    fun: Callable[[FloatArray], FloatArray],
    jac: Callable[[FloatArray, FloatArray], FloatArray],
    x0: FloatArray,
    f: FloatArray,
    J: FloatArray,
    lb: FloatArray,
    ub: FloatArray,
) -> TrfResult:
    """``trf_bounds`` for the exact solver, linear loss and unit ``x_scale`` (scipy's loop,
    statement for statement)."""
    x = x0.copy()
    nfev = 1
    m, n = J.shape
    cost = 0.5 * np.dot(f, f)
    g = compute_grad(J, f)
    f_augmented = np.zeros(m + n)
    J_augmented = np.empty((m + n, n))
    max_nfev = x0.size * 100
    alpha = 0.0  # Levenberg-Marquardt parameter
    termination_status = None
    Delta = _initial_radius(x0, g, lb, ub)
    # the regularising rows: only their diagonal changes (np.diag's zeros written once)
    J_augmented[m:] = 0.0
    diagonal = (np.arange(m, m + n), np.arange(n))

    bounds = (lb.tolist(), ub.tolist())
    while True:
        v, dv = _cl_scaling(x, g, bounds)
        g_norm = float(np.maximum.reduce(np.abs(g * v)))  # norm(g * v, ord=inf)
        if g_norm < TOLERANCE:
            termination_status = 1
        if termination_status is not None or nfev == max_nfev:
            break
        d = v**0.5
        diag_h = g * dv
        g_h = d * g
        f_augmented[:m] = f
        J_augmented[:m] = J * d
        J_h = J_augmented[:m]  # memory view
        J_augmented[diagonal] = diag_h**0.5
        U, s, V = _svd(J_augmented)
        V = V.T
        uf = U.T.dot(f_augmented)
        theta = max(0.995, 1 - g_norm)  # step back from the bounds

        actual_reduction = -1.0
        while actual_reduction <= 0 and nfev < max_nfev:
            p_h, alpha = _trust_region_step(m, uf, s, V, Delta, alpha)
            p = d * p_h
            trial = x + p
            if _inside(trial, bounds):  # select_step's first branch, without its checks
                step, step_h = p, p_h
                predicted_reduction = -_quadratic(J_h, g_h, p_h, diag_h)
            else:
                step, step_h, predicted_reduction = select_step(
                    x, J_h, diag_h, g_h, p, p_h, d, Delta, lb, ub, theta
                )
            x_new = _strictly_feasible(x + step, bounds)
            f_new = np.atleast_1d(fun(x_new.copy()))
            nfev += 1
            step_h_norm = _norm(step_h)
            if not np.isfinite(f_new).all():
                Delta = float(0.25 * step_h_norm)
                continue
            cost_new = 0.5 * np.dot(f_new, f_new)
            actual_reduction = cost - cost_new
            Delta_new, ratio = update_tr_radius(
                Delta,
                actual_reduction,
                predicted_reduction,
                step_h_norm,
                step_h_norm > 0.95 * Delta,
            )
            termination_status = _termination(actual_reduction, cost, step, x, ratio)
            if termination_status is not None:
                break
            alpha *= Delta / Delta_new
            Delta = Delta_new

        if actual_reduction > 0:
            x, f, cost = x_new, f_new, cost_new
            J = np.atleast_2d(jac(x.copy(), f))
            g = compute_grad(J, f)
    return TrfResult(x, J)


def _cl_scaling(
    x: FloatArray, g: FloatArray, bounds: tuple[list[float], list[float]]
) -> tuple[FloatArray, FloatArray]:
    """``CL_scaling_vector(x, g, lb, ub)`` for finite bounds, element by element in Python
    floats (the same subtractions): ``v`` is the distance to the bound the gradient points
    away from (1 where it is zero), ``dv`` its derivative's sign."""
    lb, ub = bounds
    v, dv = [], []
    for xi, gi, lo, hi in zip(x.tolist(), g.tolist(), lb, ub, strict=True):
        if gi > 0:
            v.append(xi - lo)
            dv.append(1.0)
        elif gi < 0:
            v.append(hi - xi)
            dv.append(-1.0)
        else:  # zero or NaN: neither of scipy's masks holds
            v.append(1.0)
            dv.append(0.0)
    return np.array(v), np.array(dv)


def _quadratic(J: FloatArray, g: FloatArray, s: FloatArray, diag: FloatArray) -> float:
    """``evaluate_quadratic(J, g, s, diag=diag)`` for one step ``s`` (its first branch,
    statement for statement): ``0.5 s'(J'J + diag)s + g's``."""
    Js = J.dot(s)
    q = np.dot(Js, Js)
    q += np.dot(s * diag, s)
    value: float = 0.5 * q + np.dot(s, g)  # a numpy float, as scipy's
    return value


def _inside(x: FloatArray, bounds: tuple[list[float], list[float]]) -> bool:
    """``in_bounds(x, lb, ub)``: every element within its closed bounds."""
    return all(lo <= xi <= hi for xi, lo, hi in zip(x.tolist(), *bounds, strict=True))


def _strictly_feasible(x: FloatArray, bounds: tuple[list[float], list[float]]) -> FloatArray:
    """``make_strictly_feasible(x, lb, ub, rstep=0)`` (a copy): an element on or past a
    bound moves to the next float inside it; one still outside (bounds one float apart)
    goes to the middle."""
    lb, ub = bounds
    out = x.tolist()
    moved = False
    for i, (xi, lo, hi) in enumerate(zip(out, lb, ub, strict=True)):
        if lo < xi < hi:
            continue
        moved = True
        if xi >= hi:  # scipy marks upper after lower: upper wins
            xi = math.nextafter(hi, lo)
        elif xi <= lo:
            xi = math.nextafter(lo, hi)
        if xi < lo or xi > hi:
            xi = 0.5 * (lo + hi)
        out[i] = xi
    return np.array(out) if moved else x.copy()


_EPS = np.finfo(float).eps


def _trust_region_step(
    m: int, uf: FloatArray, s: FloatArray, V: FloatArray, Delta: float, initial_alpha: float
) -> tuple[FloatArray, float]:
    """``solve_lsq_trust_region(n, m, uf, s, V, Delta, initial_alpha=...)`` (scipy's
    ``_lsq.common``, default ``rtol`` 0.01 and 10 iterations; ``n`` is ``s.size``) statement
    for statement, its vector norms by :func:`_norm` (numpy's own arithmetic, without the
    dispatch of ``numpy.linalg.norm``): the step in the SVD's basis and the
    Levenberg-Marquardt parameter."""
    rtol = 0.01
    suf = s * uf
    # the squares every evaluation of phi reads, computed once (the same elementwise
    # products), and numpy's sum as the reduction it is (np.sum's wrapper skipped)
    s_squared, suf_squared = s**2, suf**2

    def phi_and_derivative(alpha: float) -> tuple[float, float]:
        denom = s_squared + alpha
        p_norm = _norm(suf / denom)
        phi = p_norm - Delta
        phi_prime = -np.add.reduce(suf_squared / denom**3) / p_norm
        return phi, phi_prime

    full_rank = False
    if m >= s.size:
        threshold = _EPS * m * s[0]
        full_rank = s[-1] > threshold
    if full_rank:
        p = -V.dot(uf / s)
        if _norm(p) <= Delta:
            return p, 0.0

    alpha_upper = _norm(suf) / Delta
    if full_rank:
        phi, phi_prime = phi_and_derivative(0.0)
        alpha_lower = -phi / phi_prime
    else:
        alpha_lower = 0.0
    if not full_rank and initial_alpha == 0:
        alpha = max(0.001 * alpha_upper, (alpha_lower * alpha_upper) ** 0.5)
    else:
        alpha = initial_alpha
    for _ in range(10):
        if alpha < alpha_lower or alpha > alpha_upper:
            alpha = max(0.001 * alpha_upper, (alpha_lower * alpha_upper) ** 0.5)
        phi, phi_prime = phi_and_derivative(alpha)
        if phi < 0:
            alpha_upper = alpha
        ratio = phi / phi_prime
        alpha_lower = max(alpha_lower, alpha - ratio)
        alpha -= (phi + Delta) * ratio / Delta
        if np.abs(phi) < rtol * Delta:
            break
    p = -V.dot(suf / (s_squared + alpha))
    p *= Delta / _norm(p)
    return p, alpha


def _initial_radius(x0: FloatArray, g: FloatArray, lb: FloatArray, ub: FloatArray) -> float:
    """The first trust-region radius: the norm of ``x0`` in Coleman-Li scaling (1 if 0)."""
    v, _ = CL_scaling_vector(x0, g, lb, ub)
    radius = float(norm(x0 / v**0.5))
    return radius if radius != 0 else 1.0


def _norm(x: FloatArray) -> float:
    """``numpy.linalg.norm`` of a vector: the square root of its dot product with itself
    (numpy's own arithmetic, without its dispatch)."""
    return math.sqrt(float(x.dot(x)))


def _termination(
    actual_reduction: float, cost: float, step: FloatArray, x: FloatArray, ratio: float
) -> int | None:
    """scipy's ``check_termination`` with the default tolerances."""
    status: int | None = check_termination(
        actual_reduction, cost, _norm(step), _norm(x), ratio, TOLERANCE, TOLERANCE
    )
    return status


# the LAPACK routine and its workspace size by shape, type and order (a fit's matrices
# keep one shape; the size query is the same call scipy makes, made once)
_GESDD: dict[tuple[int, int, str, bool], tuple[Any, int]] = {}


def _svd(a: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``scipy.linalg.svd(a, full_matrices=False)`` of a finite float64 matrix: the same
    LAPACK routine (gesdd) with the same workspace size, without the wrapper's checks and
    dispatch (a fifth of a fit)."""
    if not np.isfinite(a).all():
        raise ValueError("array must not contain infs or NaNs")
    m, n = a.shape
    key = (m, n, a.dtype.char, a.flags.fortran)
    found = _GESDD.get(key)
    if found is None:
        gesdd, gesdd_lwork = get_lapack_funcs(("gesdd", "gesdd_lwork"), (a,), ilp64="preferred")
        work, info = gesdd_lwork(m, n, compute_uv=True, full_matrices=False)
        if info != 0:
            raise ValueError(f"Internal work array size computation failed: {info}")
        found = _GESDD.setdefault(key, (gesdd, int(work.real)))
    gesdd, lwork = found
    u, s, vt, info = gesdd(a, compute_uv=True, lwork=lwork, full_matrices=False, overwrite_a=False)
    if info > 0:
        raise LinAlgError("SVD did not converge")
    if info < 0:
        raise ValueError(f"illegal value in {-info}th argument of internal gesdd")
    return u, s, vt
