"""The slow "relief" compartment for ketamine's long-lasting analgesia (Dahan et al. 2011).

Structure (reference ``pharmacology.md`` sections 2.3 and 5.4)::

    k_slow      = ln 2 / t_half                      (t_half = 10.9 days = 15,696 min)
    dC_slow/dt  = k_slow * (C_S(t) - C_slow)         C_S = plasma S-ketamine, ng/mL
    R(t)        = Emax * C_slow / (C50 + C_slow)     C50 = 10.5 ng/mL

Decisions written down here because the reference is silent or only half-specific:

* ``Emax`` defaults to 1.0 (the reference writes ``R = C_slow/(C50 + C_slow)`` and applies Emax
  in the pain equation); ``relief_fraction`` returns ``Emax * C/(C50 + C)`` so a re-fitted
  Emax < 1 flows through every function, including the booster-timing inversion, where the
  threshold concentration becomes ``C* = C50 * R* / (Emax - R*)`` (the reference's
  ``C50 * R*/(1 - R*)`` is the Emax = 1 case).
* A session is represented by its *mean* S-ketamine concentration over the session. With the
  exact linear solution that is exact for a constant-concentration session and, because
  k_slow is ~2,000 times slower than any PK rate constant, accurate to far better than the
  model's own uncertainty for a real session (the AUC is what matters; see
  ``slow_compartment_from_auc``).
* Fitted to S-ketamine in CRPS-1 with 100-h infusions. Applying it to fibromyalgia and to
  short outpatient sessions is an extrapolation; every model carries that note and the
  enantiomer so callers can show it. For a racemic order pass C_S = 0.5 * C_racemic and say so
  (reference 2.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology._validate import finite_array, finite_float
from tenderpoint.pharmacology.models.base import PKModel
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Regimen

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

MIN_PER_DAY = 1440.0


@dataclass(frozen=True)
class ReliefModel:
    """A slow effect compartment driving a hyperbolic relief fraction.

    Attributes
    ----------
    k_slow_per_min : float
        Equilibration rate constant of the slow compartment (1/min).
    c50_ng_per_ml : float
        Slow-compartment S-ketamine concentration giving half of ``emax`` (ng/mL).
    emax : float
        Maximal relief as a fraction of baseline pain (0 < emax <= 1).
    responder_probability : float
        Probability that a patient responds at all (mixture weight), 0..1.
    citation : str
        Source with DOI.
    version : str
        Changes whenever a number changes; stored beside every result.
    enantiomer : str
        The enantiomer the model was fitted to ("S").
    extrapolation_note : str
        What using the model for fibromyalgia outpatient sessions assumes.
    model_id : str
        Registry-style identifier.
    """

    k_slow_per_min: float
    c50_ng_per_ml: float
    responder_probability: float
    citation: str
    version: str
    extrapolation_note: str
    emax: float = 1.0
    enantiomer: str = "S"
    model_id: str = "dahan2011-relief"

    def __post_init__(self) -> None:
        finite_float(self.k_slow_per_min, "k_slow_per_min", minimum=0.0, strict_minimum=True)
        finite_float(self.c50_ng_per_ml, "c50_ng_per_ml", minimum=0.0, strict_minimum=True)
        finite_float(self.emax, "emax", minimum=0.0, maximum=1.0, strict_minimum=True)
        finite_float(self.responder_probability, "responder_probability", minimum=0.0, maximum=1.0)

    @property
    def half_life_days(self) -> float:
        """Onset/offset half-life of the slow compartment (days)."""
        return math.log(2.0) / self.k_slow_per_min / MIN_PER_DAY


DAHAN2011 = ReliefModel(
    k_slow_per_min=math.log(2.0) / (10.9 * MIN_PER_DAY),
    c50_ng_per_ml=10.5,
    emax=1.0,
    responder_probability=0.67,
    citation=(
        "Dahan A, Olofsen E, Sigtermans M, et al. Population pharmacokinetic-pharmacodynamic "
        "modeling of ketamine-induced pain relief of chronic pain. Eur J Pain 2011;15:258-267. "
        "doi:10.1016/j.ejpain.2010.06.016"
    ),
    version="dahan2011-relief/1.0",
    enantiomer="S",
    extrapolation_note=(
        "Fitted to S-ketamine in 60 CRPS-1 patients given 100-h infusions (t1/2 10.9 +/- 4.0 d, "
        "C50 10.5 +/- 4.8 ng/mL, responder probability 0.67 vs 0.23 placebo). Use for "
        "fibromyalgia and short outpatient sessions is an extrapolation: hypothesis-generating "
        "(booster timing), to be re-fitted on clinic outcome data. Placebo/baseline terms of the "
        "published model are not implemented."
    ),
)


def relief_fraction(c_slow_ng_per_ml: ArrayLike, model: ReliefModel = DAHAN2011) -> FloatArray:
    """Relief as a fraction of baseline pain for a responder.

    Parameters
    ----------
    c_slow_ng_per_ml : array_like, shape (...)
        Slow-compartment S-ketamine concentration (ng/mL), non-negative.
    model : ReliefModel
        The relief model (default Dahan 2011).

    Returns
    -------
    numpy.ndarray, shape (...)
        ``emax * C / (C50 + C)``, in [0, emax).
    """
    c = finite_array(c_slow_ng_per_ml, "c_slow_ng_per_ml", minimum=0.0, ndim=None)
    return np.asarray(model.emax * c / (model.c50_ng_per_ml + c), dtype=np.float64)


def _decay_difference(k: float, a_min: FloatArray, b_min: FloatArray) -> FloatArray:
    """exp(-k a) - exp(-k b) for 0 <= a <= b, without cancellation (expm1)."""
    return np.asarray(-np.exp(-k * a_min) * np.expm1(-k * (b_min - a_min)), dtype=np.float64)


def slow_compartment(
    session_start_min: ArrayLike,
    session_end_min: ArrayLike,
    session_mean_conc_s_ng_per_ml: ArrayLike,
    times_min: ArrayLike,
    model: ReliefModel = DAHAN2011,
) -> FloatArray:
    """Exact slow-compartment concentration for a course of constant-concentration sessions.

    Between sessions the driving concentration is zero; during session ``j`` it is the session
    mean. The linear ODE has the exact solution (superposition over sessions)::

        C_slow(t) = sum_j C_j * (exp(-k max(t - e_j, 0)) - exp(-k max(t - s_j, 0)))

    Parameters
    ----------
    session_start_min, session_end_min : array_like, shape (n_sessions,)
        Start and end of each session (min from the course reference), end >= start.
    session_mean_conc_s_ng_per_ml : array_like, shape (n_sessions,)
        Mean plasma S-ketamine concentration during each session (ng/mL), >= 0.
    times_min : array_like, shape (n_times,)
        Times at which to evaluate (min), any order.
    model : ReliefModel
        Supplies ``k_slow_per_min``.

    Returns
    -------
    numpy.ndarray, shape (n_times,)
        C_slow (ng/mL of S-ketamine) at ``times_min``.
    """
    start = finite_array(session_start_min, "session_start_min")
    end = finite_array(session_end_min, "session_end_min")
    conc = finite_array(session_mean_conc_s_ng_per_ml, "session_mean_conc_s_ng_per_ml", minimum=0.0)
    times = finite_array(times_min, "times_min")
    if not (start.shape == end.shape == conc.shape):
        raise InvalidInputError(
            "session_start_min, session_end_min and session_mean_conc_s_ng_per_ml must have the "
            "same length.",
            field="session_end_min",
            code="bad_shape",
            params={"lengths": [start.size, end.size, conc.size]},
        )
    if np.any(end < start):
        raise InvalidInputError(
            "Every session must end at or after its start.",
            field="session_end_min",
            code="out_of_range",
        )
    k = model.k_slow_per_min
    t = times[:, None]
    since_end = np.maximum(t - end[None, :], 0.0)
    since_start = np.maximum(t - start[None, :], 0.0)
    contributions = conc[None, :] * _decay_difference(k, since_end, since_start)
    return np.asarray(contributions.sum(axis=1), dtype=np.float64)


def slow_compartment_from_auc(
    session_end_min: ArrayLike,
    session_auc_s_ng_min_per_ml: ArrayLike,
    times_min: ArrayLike,
    model: ReliefModel = DAHAN2011,
) -> FloatArray:
    """Slow-compartment concentration from session AUCs (the ``k_slow * AUC`` approximation).

    Each session is treated as an impulse of size ``k_slow * AUC`` delivered at its end, then
    decaying with the 10.9-day half-life::

        C_slow(t) = sum_{j: e_j <= t} k * AUC_j * exp(-k (t - e_j))

    Placing the impulse at the session end shifts it by about half a session, so the result is
    high by about ``k * duration / 2`` relative to the exact solution (0.5 % for a 4-h
    session), far below the model's own uncertainty (t1/2 10.9 +/- 4.0 days).

    Parameters
    ----------
    session_end_min : array_like, shape (n_sessions,)
        End of each session (min).
    session_auc_s_ng_min_per_ml : array_like, shape (n_sessions,)
        Area under the plasma S-ketamine curve of each session (ng*min/mL), >= 0.
    times_min : array_like, shape (n_times,)
        Evaluation times (min).
    model : ReliefModel
        Supplies ``k_slow_per_min``.

    Returns
    -------
    numpy.ndarray, shape (n_times,)
        C_slow (ng/mL); sessions ending after a time contribute nothing to it.
    """
    end = finite_array(session_end_min, "session_end_min")
    auc = finite_array(session_auc_s_ng_min_per_ml, "session_auc_s_ng_min_per_ml", minimum=0.0)
    times = finite_array(times_min, "times_min")
    if end.shape != auc.shape:
        raise InvalidInputError(
            "session_end_min and session_auc_s_ng_min_per_ml must have the same length.",
            field="session_auc_s_ng_min_per_ml",
            code="bad_shape",
        )
    k = model.k_slow_per_min
    elapsed = times[:, None] - end[None, :]
    weights = np.where(elapsed >= 0.0, np.exp(-k * np.maximum(elapsed, 0.0)), 0.0)
    return np.asarray((k * auc[None, :] * weights).sum(axis=1), dtype=np.float64)


def threshold_concentration(threshold_fraction: float, model: ReliefModel = DAHAN2011) -> float:
    """Slow-compartment concentration at which relief equals ``threshold_fraction`` (ng/mL).

    ``C* = C50 * R* / (Emax - R*)``; requires ``0 < R* < Emax``.
    """
    r_star = finite_float(
        threshold_fraction, "threshold_fraction", minimum=0.0, strict_minimum=True
    )
    if r_star >= model.emax:
        raise InvalidInputError(
            f"threshold_fraction must be below the model's Emax ({model.emax:g}); relief never "
            f"reaches {r_star:g}.",
            field="threshold_fraction",
            code="out_of_range",
            params={"value": r_star, "maximum": model.emax},
        )
    return model.c50_ng_per_ml * r_star / (model.emax - r_star)


def time_until_relief_below(
    c_slow_ng_per_ml: float, threshold_fraction: float, model: ReliefModel = DAHAN2011
) -> float:
    """Minutes until relief falls below ``threshold_fraction`` with no further sessions.

    ``t = ln(C_slow / C*) / k_slow`` with ``C* = C50 R*/(Emax - R*)``; 0 when relief is already
    at or below the threshold.

    Parameters
    ----------
    c_slow_ng_per_ml : float
        Current slow-compartment concentration (ng/mL), >= 0.
    threshold_fraction : float
        Relief fraction R*, with 0 < R* < Emax.
    model : ReliefModel
        The relief model.

    Returns
    -------
    float
        Time in minutes (divide by 1440 for days).
    """
    c_now = finite_float(c_slow_ng_per_ml, "c_slow_ng_per_ml", minimum=0.0)
    c_star = threshold_concentration(threshold_fraction, model)
    if c_now <= c_star:
        return 0.0
    return math.log(c_now / c_star) / model.k_slow_per_min


@dataclass(frozen=True)
class ReliefPrediction:
    """Predicted long-lasting relief over a course of sessions.

    Attributes
    ----------
    times_min : ndarray, shape (n_times,)
    c_slow_ng_per_ml : ndarray, shape (n_times,)
        Slow-compartment S-ketamine (ng/mL).
    relief_fraction : ndarray, shape (n_times,)
        Relief for a responder (fraction of baseline pain).
    expected_relief_fraction : ndarray, shape (n_times,)
        ``responder_probability x relief_fraction`` (population expectation).
    model_id, version, enantiomer : str
        Of the relief model.
    pk_model_id, pk_model_version : str
    extrapolated : bool
    flags : tuple[str, ...]
    """

    times_min: FloatArray
    c_slow_ng_per_ml: FloatArray
    relief_fraction: FloatArray
    expected_relief_fraction: FloatArray
    model_id: str
    version: str
    enantiomer: str
    pk_model_id: str
    pk_model_version: str
    extrapolated: bool
    flags: tuple[str, ...]


def predict_course(
    pk_model: PKModel | str,
    patient: Patient,
    session: Regimen,
    session_starts_min: ArrayLike,
    times_min: ArrayLike,
    model: ReliefModel = DAHAN2011,
    *,
    research_mode: bool = False,
) -> ReliefPrediction:
    """Relief over days for a course of identical sessions, exactly.

    The slow compartment is added to the PK system as one more compartment driven by plasma
    S-ketamine (gain = rate = k_slow), so the whole course is a sum of exponentials evaluated
    at ``times_min`` directly (reference 5.4: no 1-min grid over 60 days).

    Parameters
    ----------
    pk_model : PKModel or str
    patient : Patient
    session : Regimen
        One session, starting at 0.
    session_starts_min : array_like, shape (n_sessions,)
        When each session starts (min from the course reference).
    times_min : array_like, shape (n_times,)
        Evaluation times (min); days x 1440.
    model : ReliefModel
    research_mode : bool

    Returns
    -------
    ReliefPrediction
    """
    from tenderpoint.pharmacology import engine
    from tenderpoint.pharmacology.simulate import (
        individual_system,
        input_fraction,
        patient_covariates,
        resolve_model,
        schedule_arrays,
        validity,
    )

    m = resolve_model(pk_model, research_mode)
    starts = finite_array(session_starts_min, "session_starts_min", minimum=0.0)
    times = finite_array(times_min, "times_min")
    if not isinstance(session, Regimen):
        raise InvalidInputError("session must be a Regimen.", field="session", code="invalid_type")
    course = Regimen(product=session.product)
    for start in starts:
        course = course + session.shifted(float(start))
    fraction, notes = input_fraction(m, course)
    flags = [*notes, model.extrapolation_note]
    if m.drug == "racemic" and session.product == "racemic":
        fraction *= 0.5
        flags.append("Plasma S-ketamine taken as 0.5 x racemic (approximation).")
    k = np.array([model.k_slow_per_min])
    disp = individual_system(
        m, m.covariates(patient_covariates(patient)), None, {"slow": engine.Driven(k, k)}
    )
    values = engine.evaluate(disp, schedule_arrays(course, fraction), times, ("slow",))
    c_slow = np.maximum(values["slow"][0], 0.0) * engine.MG_PER_L_TO_NG_PER_ML
    _, reasons = validity(m, patient)
    if reasons:
        flags.append("PK outside validity range: " + "; ".join(reasons))
    relief = relief_fraction(c_slow, model)
    return ReliefPrediction(
        times,
        c_slow,
        relief,
        model.responder_probability * relief,
        model.model_id,
        model.version,
        model.enantiomer,
        m.model_id,
        m.version,
        True,
        tuple(flags),
    )
