"""The shared linear-compartment engine: sums of exponentials, exact for piecewise-constant input.

Every model is reduced to *structural* parameters (central volume, clearance, up to two
peripheral compartments, optional driven compartments). The engine knows nothing about which
model produced them.

A mammillary model with input into the central compartment has, per mg given as a bolus, the
plasma response ``Cp(t) = sum_i A_i exp(-lambda_i t)`` (reference section 5.2). Every other
output is a sum of exponentials too:

* amount in the central compartment: ``V1 A_i``;
* amount in peripheral ``k``: ``k1k prod_{l != k}(kl1 - lambda_i) / prod_{j != i}(lambda_j -
  lambda_i)`` (the ``kk1`` term cancels exactly);
* a *driven* compartment ``dY/dt = g Cp - r Y`` (effect site: g = r = ke0; metabolite on the
  apparent scale: g = CL/Vm, r = CLm/Vm; the slow relief compartment: g = r = k_slow) has
  coefficients ``g A_i / (r - lambda_i)`` on ``exp(-lambda_i t)`` and minus their sum on
  ``exp(-r t)`` (section 5.3).

A schedule is then evaluated by superposition of closed-form infusion and bolus terms
(``evaluate``), or by the exact state recursion on a time grid (``Recursion``, used for
populations). When a driven rate coincides with a disposition rate (the degenerate case of
5.3, within 1e-7 relative), the driven rate is nudged by 1e-6 relative, stanpumpR's choice; the
error is of that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tenderpoint.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]
MG_PER_L_TO_NG_PER_ML = 1000.0
_NUDGE = 1e-7

#: (infusion starts, ends, rates mg/min, bolus times, bolus doses mg)
Schedule = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]


@dataclass(frozen=True)
class Driven:
    """A compartment driven by plasma concentration: dY/dt = gain*Cp - rate*Y (Y in mg/L)."""

    gain_per_min: FloatArray
    rate_per_min: FloatArray
    volume_l: FloatArray | None = None  # for an amount output, when the compartment has mass


@dataclass(frozen=True)
class Disposition:
    """Exponential rates and the coefficients of every output, vectorised over subjects.

    Attributes
    ----------
    rates_per_min : ndarray, shape (n_subjects, n_rates)
        Distinct exponential rates (1/min): disposition eigenvalues, then driven rates.
    coefficients : dict[str, ndarray of shape (n_subjects, n_rates)]
        Response of each output to 1 mg given as a bolus: concentrations in mg/L, amounts in mg.
    n_disposition : int
        Number of disposition eigenvalues (the first columns).
    """

    rates_per_min: FloatArray
    coefficients: dict[str, FloatArray]
    n_disposition: int

    @property
    def n_subjects(self) -> int:
        """Number of subjects (rows)."""
        return int(self.rates_per_min.shape[0])


def _as_column(value: FloatArray | float, n: int) -> FloatArray:
    return np.broadcast_to(np.asarray(value, dtype=np.float64).reshape(-1), (n,)).copy()


def disposition_rates(k10: FloatArray, k1: list[FloatArray], kback: list[FloatArray]) -> FloatArray:
    """Eigenvalues (as positive rates, descending) of a mammillary model, shape (n, 1+n_periph).

    One compartment: k10. Two: the quadratic of section 5.2 (the smaller root as
    ``k10 k21 / lambda1`` to avoid cancellation). Three: the trigonometric cubic of section 5.2,
    polished by two Newton steps.
    """
    n_periph = len(k1)
    if n_periph == 0:
        return k10[:, None].copy()
    if n_periph == 1:
        a = k10 + k1[0] + kback[0]
        b = k10 * kback[0]
        lam1 = 0.5 * (a + np.sqrt(a * a - 4.0 * b))
        return np.stack([lam1, b / lam1], axis=1)
    if n_periph == 2:
        k12, k13 = k1
        k21, k31 = kback
        a2 = k10 + k12 + k13 + k21 + k31
        a1 = k10 * k31 + k21 * k31 + k21 * k13 + k10 * k21 + k31 * k12
        a0 = k10 * k21 * k31
        p = a1 - a2 * a2 / 3.0
        q = 2.0 * a2**3 / 27.0 - a1 * a2 / 3.0 + a0
        r1 = np.sqrt(-(p**3) / 27.0)
        phi = np.arccos(np.clip(-q / (2.0 * r1), -1.0, 1.0)) / 3.0
        r2 = 2.0 * np.cbrt(r1)
        lam = np.stack(
            [
                a2 / 3.0 - r2 * np.cos(phi + shift)
                for shift in (0.0, 2.0 * np.pi / 3.0, 4.0 * np.pi / 3.0)
            ],
            axis=1,
        )
        for _ in range(2):
            f = ((lam - a2[:, None]) * lam + a1[:, None]) * lam - a0[:, None]
            df = (3.0 * lam - 2.0 * a2[:, None]) * lam + a1[:, None]
            lam = lam - f / df
        return np.asarray(-np.sort(-lam, axis=1), dtype=np.float64)
    raise InvalidInputError(
        "The engine supports up to two peripheral compartments.",
        field="model",
        code="unsupported_structure",
    )


def build_disposition(
    structural: Mapping[str, FloatArray | float], driven: Mapping[str, Driven] | None = None
) -> Disposition:
    """Reduce structural parameters to exponential rates and output coefficients.

    Parameters
    ----------
    structural : mapping
        ``v1_l``, ``cl_l_per_min`` and optionally ``q2_l_per_min``/``v2_l``,
        ``q3_l_per_min``/``v3_l`` (arrays broadcast to n_subjects, or scalars).
    driven : mapping of name to Driven, optional
        Compartments driven by plasma concentration (effect site, metabolite, slow relief).

    Returns
    -------
    Disposition
        Outputs: ``plasma``, ``amount_central``, ``amount_peripheral_2``/``_3``, one per
        driven compartment (mg/L) and ``amount_<name>`` for driven ones with a volume.
    """
    arrays = {k: np.atleast_1d(np.asarray(v, dtype=np.float64)) for k, v in structural.items()}
    driven = dict(driven or {})
    n = max(
        [a.size for a in arrays.values()]
        + [np.size(d.gain_per_min) for d in driven.values()]
        + [np.size(d.rate_per_min) for d in driven.values()]
    )
    v1, k10, k1, kback = _micro_constants(arrays, n)
    lam = disposition_rates(k10, k1, kback)
    coefficients = _mammillary_coefficients(lam, v1, k1, kback)
    rates, padded = _with_driven(lam, coefficients, driven, n)
    return Disposition(rates, padded, lam.shape[1])


def _micro_constants(
    arrays: Mapping[str, FloatArray], n: int
) -> tuple[FloatArray, FloatArray, list[FloatArray], list[FloatArray]]:
    """Central volume, elimination rate k10 and the inter-compartment rates k1j (out of the
    central compartment) and kj1 (back), after checking volumes and clearances are positive."""
    v1 = _as_column(arrays["v1_l"], n)
    cl = _as_column(arrays["cl_l_per_min"], n)
    if np.any(v1 <= 0) or np.any(cl <= 0):
        raise InvalidInputError(
            "Central volume and clearance must be positive.", field="model", code="out_of_range"
        )
    k1: list[FloatArray] = []
    kback: list[FloatArray] = []
    for j in (2, 3):
        if f"q{j}_l_per_min" in arrays:
            q = _as_column(arrays[f"q{j}_l_per_min"], n)
            v = _as_column(arrays[f"v{j}_l"], n)
            if np.any(q <= 0) or np.any(v <= 0):
                raise InvalidInputError(
                    "Peripheral clearances and volumes must be positive.",
                    field="model",
                    code="out_of_range",
                )
            k1.append(q / v1)
            kback.append(q / v)
    return v1, cl / v1, k1, kback


def _mammillary_coefficients(
    lam: FloatArray, v1: FloatArray, k1: list[FloatArray], kback: list[FloatArray]
) -> dict[str, FloatArray]:
    """Coefficients of each exponential in the plasma concentration and the compartments'
    amounts after a unit dose (partial fractions of the mammillary model)."""
    n_disp = lam.shape[1]
    # Pairwise products prod_{j != i} (lambda_j - lambda_i), shape (n, n_disp).
    denom = np.ones_like(lam)
    for i in range(n_disp):
        for j in range(n_disp):
            if i != j:
                denom[:, i] *= lam[:, j] - lam[:, i]
    numer = np.ones_like(lam)
    for kb in kback:
        numer *= kb[:, None] - lam
    plasma = numer / denom / v1[:, None]

    coefficients: dict[str, FloatArray] = {"plasma": plasma, "amount_central": plasma * v1[:, None]}
    for idx, k1k in enumerate(k1):
        others = np.ones_like(lam)
        for jdx, kb in enumerate(kback):
            if jdx != idx:
                others *= kb[:, None] - lam
        coefficients[f"amount_peripheral_{idx + 2}"] = k1k[:, None] * others / denom
    return coefficients


def _with_driven(
    lam: FloatArray, coefficients: dict[str, FloatArray], driven: dict[str, Driven], n: int
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Rates and coefficients with the plasma-driven compartments (effect site, metabolite)
    added: each one adds its own rate, and its coefficients follow from the plasma's."""
    n_disp = lam.shape[1]
    plasma = coefficients["plasma"]
    rate_columns = [lam]
    n_driven = len(driven)
    width = n_disp + n_driven
    padded = {
        k: np.concatenate([v, np.zeros((n, n_driven))], axis=1) for k, v in coefficients.items()
    }
    for col, (name, comp) in enumerate(driven.items(), start=n_disp):
        gain = _as_column(comp.gain_per_min, n)
        rate = _as_column(comp.rate_per_min, n)
        if np.any(rate <= 0) or np.any(gain < 0):
            raise InvalidInputError(
                f"The {name} compartment needs a positive rate.", field=name, code="out_of_range"
            )
        close = np.abs(rate[:, None] - lam) <= _NUDGE * lam
        if np.any(close):
            rate = rate * (1.0 + 10.0 * _NUDGE * np.any(close, axis=1))
        coef = np.zeros((n, width))
        coef[:, :n_disp] = gain[:, None] * plasma / (rate[:, None] - lam)
        coef[:, col] = -coef[:, :n_disp].sum(axis=1)
        padded[name] = coef
        if comp.volume_l is not None:
            padded[f"amount_{name}"] = coef * _as_column(comp.volume_l, n)[:, None]
        rate_columns.append(rate[:, None])
    return np.concatenate(rate_columns, axis=1), padded


def _decay_difference(rate: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """exp(-r a) - exp(-r b) for 0 <= a <= b, via expm1 (no cancellation)."""
    return np.asarray(-np.exp(-rate * a) * np.expm1(-rate * (b - a)), dtype=np.float64)


def basis(
    disp: Disposition,
    starts: FloatArray,
    ends: FloatArray,
    rates_mg_per_min: FloatArray,
    bolus_times: FloatArray,
    bolus_mg: FloatArray,
    times_min: FloatArray,
) -> FloatArray:
    """Per-exponential responses to the whole schedule, shape (n_subjects, n_rates, n_times).

    ``B_r(t) = sum_m R_m/r (exp(-r max(t-e_m,0)) - exp(-r max(t-s_m,0)))
    + sum_b D_b exp(-r (t - t_b)) 1[t >= t_b]``; an output is ``sum_r coef_r B_r(t)``.
    """
    r = disp.rates_per_min[:, :, None, None]  # (S, R, 1, 1)
    t = times_min[None, None, None, :]
    out = np.zeros((disp.n_subjects, disp.rates_per_min.shape[1], times_min.size))
    if starts.size:
        since_end = np.maximum(t - ends[None, None, :, None], 0.0)
        since_start = np.maximum(t - starts[None, None, :, None], 0.0)
        terms = (
            rates_mg_per_min[None, None, :, None] / r * _decay_difference(r, since_end, since_start)
        )
        out += terms.sum(axis=2)
    if bolus_times.size:
        elapsed = t - bolus_times[None, None, :, None]
        weights = np.where(elapsed >= 0.0, np.exp(-r * np.maximum(elapsed, 0.0)), 0.0)
        out += (bolus_mg[None, None, :, None] * weights).sum(axis=2)
    return out


def evaluate(
    disp: Disposition,
    schedule: Schedule,
    times_min: FloatArray,
    outputs: tuple[str, ...],
) -> dict[str, FloatArray]:
    """Closed-form superposition: each requested output at each time, shape (n_subjects, n_t)."""
    starts, ends, rates, bolus_times, bolus_mg = schedule
    b = basis(disp, starts, ends, rates, bolus_times, bolus_mg, times_min)
    return {name: np.einsum("sr,srt->st", disp.coefficients[name], b) for name in outputs}
