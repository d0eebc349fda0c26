"""Target-controlled infusion planning (the STANPUMP approach, reference section 5.5).

Every ``step_s`` seconds the rate for the next step is chosen from the current state:

* plasma targeting (Jacobs 1990): ``rate = (C_target - Cp_free(t+dt)) / Cp_unit(dt)``,
  clamped to ``[0, max_rate]``, so Cp equals the target at every update once reached;
* effect-site targeting (Shafer & Gregg 1992): the rate over the next step (then zero) whose
  predicted Ce *peak* equals the target. Ce is linear in the rate, ``Ce(tau) = F(tau) +
  rate U(tau)`` with ``U >= 0``, so on a 1-s future grid the answer is exactly
  ``min_tau (C_target - F(tau)) / U(tau)`` (0 if the free trajectory already reaches it).

Effect-site targeting with Domino's small central volume overshoots plasma massively (first
10-s bolus 13.6 mg, Cp 2,704 ng/mL for a 150 ng/mL target), so it is offered only with a plasma
cap: ``rate = min(rate_effect, rate_plasma(cap_ratio x target))``. Without a cap it is a hard
limit (``DoseLimitError``) outside research mode. The default maximum rate is STANPUMP's
0.75 mg/kg/min of total body weight.

The plan is a *planning* tool: for a conscious outpatient it yields a stepped manual schedule.

Dose limits (reference 3.8): the delivered schedule passes the same hard limits as
``dosing.plan_infusion``, for the product ordered (``product``; esketamine halves the mg/kg,
mg and concentration limits), per kg of dosing weight: the 30-250 kg weight gate, the session
total (mg/kg and mg), the 24-h total (with ``prior_24h_mg``, over every 24-h window of the
schedule), the infusion rate, the predicted peak (the highest typical-patient *effect-site*
peak of Domino, Clements and Hijazi, as ``plan_infusion`` checks it) and the TCI target. The
rate limit is applied to the amount delivered in every 60-min window (mg/kg per hour): the
first 10-s steps of any TCI run far above 2 mg/kg/h by design (they are the loading dose, whose
concentration the peak limit bounds), so a per-step check would refuse every TCI plan. An
effect-site plasma cap above the hard peak limit is refused, and the maximum rate may not
exceed STANPUMP's 0.75 mg/kg/min of total body weight outside research mode. Hard limits raise
one ``DoseLimitError`` listing every limit crossed; nothing is clipped.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from tenderpoint._display import plain
from tenderpoint.errors import DoseLimitError, InvalidInputError
from tenderpoint.pharmacology import engine
from tenderpoint.pharmacology._validate import finite_float
from tenderpoint.pharmacology.dosing.limits import (
    RACEMIC_LIMITS,
    LimitFinding,
    Limits,
    check_weight_gate,
    hard_limit_error,
)
from tenderpoint.pharmacology.dosing.limits import check_limit as _check
from tenderpoint.pharmacology.models import PEAK_CHECK_MODEL_IDS
from tenderpoint.pharmacology.models.base import PKModel
from tenderpoint.pharmacology.patient import DosingWeight, Patient
from tenderpoint.pharmacology.regimen import Infusion, Product, Regimen
from tenderpoint.pharmacology.simulate import (
    individual_system,
    patient_covariates,
    resolve_ke0,
    resolve_model,
    validity,
)

FloatArray = npt.NDArray[np.float64]
Site = Literal["plasma", "effect"]
STANPUMP_MAX_RATE_MG_PER_KG_PER_MIN = 0.75
_HORIZON_MIN = 30.0
_GRID_MIN = 1.0 / 60.0
_PEAK_GRID_MIN = 0.1  # as plan_infusion's peak check
_PEAK_TAIL_MIN = 120.0


@dataclass(frozen=True)
class TCIPlan:
    """A TCI rate schedule and what it predicts.

    Attributes
    ----------
    step_start_min : ndarray, shape (n_steps,)
    rate_mg_per_min : ndarray, shape (n_steps,)
        Constant rate over each step; never negative, never above ``max_rate_mg_per_min``.
    times_min : ndarray, shape (n_steps + 1,)
        Step boundaries.
    plasma_ng_per_ml, effect_ng_per_ml : ndarray, shape (n_steps + 1,)
        Predicted concentrations at the boundaries (effect is None without ke0).
    cumulative_mg : ndarray, shape (n_steps + 1,)
    peak_plasma_ng_per_ml : float
    target_ng_per_ml : float
    site : {"plasma", "effect"}
    plasma_cap_ng_per_ml : float or None
    max_rate_mg_per_min, step_s : float
    model_id, model_version : str
    warnings : tuple[LimitFinding, ...]
    out_of_validity_range : bool
    validity_reasons : tuple[str, ...]
    product : {"racemic", "esketamine"}
        The product ordered; the limits are those of this product.
    dosing_weight : DosingWeight or None
        The weight the mg/kg limits were checked against (obesity rule of reference 3.9).
    predicted_peak_effect_ng_per_ml, predicted_peak_plasma_ng_per_ml : dict[str, float]
        Typical-patient peaks of the delivered schedule per checked model (as plan_infusion).
    limits : Limits
        The limit set applied.
    """

    step_start_min: FloatArray
    rate_mg_per_min: FloatArray
    times_min: FloatArray
    plasma_ng_per_ml: FloatArray
    effect_ng_per_ml: FloatArray | None
    cumulative_mg: FloatArray
    peak_plasma_ng_per_ml: float
    target_ng_per_ml: float
    site: Site
    plasma_cap_ng_per_ml: float | None
    max_rate_mg_per_min: float
    step_s: float
    model_id: str
    model_version: str
    warnings: tuple[LimitFinding, ...]
    out_of_validity_range: bool
    validity_reasons: tuple[str, ...]
    product: Product = "racemic"
    dosing_weight: DosingWeight | None = None
    predicted_peak_effect_ng_per_ml: dict[str, float] = field(default_factory=dict)
    predicted_peak_plasma_ng_per_ml: dict[str, float] = field(default_factory=dict)
    limits: Limits = RACEMIC_LIMITS

    def to_frame(self) -> Any:
        """The schedule as a polars DataFrame, one row per step: ``start_min``,
        ``rate_mg_per_min`` and the predictions at the step's start."""
        import polars as pl

        n = self.step_start_min.size
        cols: dict[str, Any] = {
            "start_min": self.step_start_min,
            "rate_mg_per_min": self.rate_mg_per_min,
            "plasma_ng_per_ml": self.plasma_ng_per_ml[:n],
            "cumulative_mg": self.cumulative_mg[:n],
        }
        if self.effect_ng_per_ml is not None:
            cols["effect_ng_per_ml"] = self.effect_ng_per_ml[:n]
        return pl.DataFrame(cols)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: every field, arrays as lists, non-finite numbers as null."""
        return dict(plain(self))

    def __repr__(self) -> str:
        return (
            f"TCIPlan({self.model_id} {self.model_version}, {self.product}, {self.site} target "
            f"{self.target_ng_per_ml:g} ng/mL, {self.step_start_min.size} steps of "
            f"{self.step_s:g} s, {float(self.cumulative_mg[-1]):.4g} mg, "
            f"{len(self.warnings)} warning(s))"
        )

    def as_regimen(self) -> Regimen:
        """The schedule as a ``Regimen`` (zero-rate steps omitted), for re-simulation."""
        dt = self.step_s / 60.0
        return Regimen(
            [
                Infusion(float(t), dt, float(r))
                for t, r in zip(self.step_start_min, self.rate_mg_per_min, strict=True)
                if r > 0.0
            ],
            product=self.product,
        )


def _checked_peaks(
    patient: Patient, rates_mg_per_min: FloatArray, dt: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Typical-patient (effect-site, plasma) peaks of a step schedule on each checked model.

    The exact step recursion ``s <- s*exp(-l*h) + rate*(1-exp(-l*h))/l`` per exponential mode,
    run as a first-order IIR filter (fast for week-long schedules), on a grid of at most
    0.1 min plus 120 min after the end, as ``plan_infusion``'s peak check.
    """
    # Imported here: scipy.signal takes about 1.5 s to import, and every process that imports
    # the pharmacology package (the demo's seed, every web worker) paid it whether it planned
    # a TCI schedule or not.
    from scipy.signal import lfilter

    n_sub = max(1, math.ceil(dt / _PEAK_GRID_MIN - 1e-9))
    h = dt / n_sub
    tail = math.ceil(_PEAK_TAIL_MIN / h)
    u = np.concatenate([np.repeat(rates_mg_per_min, n_sub), np.zeros(tail)])
    effect: dict[str, float] = {}
    plasma: dict[str, float] = {}
    for model_id in PEAK_CHECK_MODEL_IDS:
        m = resolve_model(model_id, False)
        structural = m.covariates(patient_covariates(patient))
        ke0 = resolve_ke0(m, structural, None, True)
        disp = individual_system(m, structural, ke0)
        rates = disp.rates_per_min[0]
        decay = np.exp(-rates * h)
        gain = -np.expm1(-rates * h) / rates
        modes = np.stack(
            [lfilter([g], [1.0, -d], u) for g, d in zip(gain, decay, strict=True)]
        )  # (R, n): state after each sub-step
        cp = disp.coefficients["plasma"][0] @ modes
        plasma[model_id] = float(max(cp.max(), 0.0) * engine.MG_PER_L_TO_NG_PER_ML)
        ce = disp.coefficients["effect"][0] @ modes
        effect[model_id] = float(max(ce.max(), 0.0) * engine.MG_PER_L_TO_NG_PER_ML)
    return effect, plasma


def _window_max(cumulative: FloatArray, width_steps: int) -> float:
    """The largest amount delivered in any window of ``width_steps`` steps."""
    if cumulative.size - 1 <= width_steps:
        return float(cumulative[-1])
    return float(np.max(cumulative[width_steps:] - cumulative[:-width_steps]))


def plan(
    model: PKModel | str,
    patient: Patient,
    target_ng_per_ml: float,
    duration_min: float,
    site: Site = "plasma",
    max_rate_mg_per_min: float | None = None,
    step_s: float = 10.0,
    *,
    plasma_cap_ratio: float | None = None,
    ke0_per_min: float | None = None,
    research_mode: bool = False,
    product: Product = "racemic",
    prior_24h_mg: float = 0.0,
) -> TCIPlan:
    """Plan a TCI schedule that reaches and holds a target concentration.

    Parameters
    ----------
    model : PKModel or str
    patient : Patient
    target_ng_per_ml : float
        Target plasma or effect-site concentration (ng/mL); > 400 is refused, > 250 warns.
    duration_min : float
        Length of the schedule (min).
    site : {"plasma", "effect"}
        What is targeted (default plasma).
    max_rate_mg_per_min : float, optional
        Pump maximum (mg/min); default and upper bound 0.75 mg/kg/min x total body weight
        (STANPUMP); above it is an ``InvalidInputError`` outside research mode.
    step_s : float
        Update interval (s), default 10.
    plasma_cap_ratio : float, optional
        Effect-site mode: plasma never targeted above ``ratio x target`` (1 to 2 recommended;
        above 2 warns; a cap above the hard peak limit, 800 ng/mL racemic, is refused).
        Required outside research mode.
    ke0_per_min : float, optional
        Overrides the model's ke0.
    research_mode : bool
        Allows research-only models, uncapped effect-site targeting (with a warning) and a
        maximum rate above the STANPUMP bound. The dose limits apply in every mode.
    product : {"racemic", "esketamine"}
        The product ordered (default racemic); the limits are those of this product, whatever
        the model's drug (esketamine halves them, as in ``plan_infusion``).
    prior_24h_mg : float
        Ketamine given in the 24 h before the schedule starts (mg), for the 24-h total.

    Returns
    -------
    TCIPlan

    Raises
    ------
    InvalidInputError
        Bad input, naming the field.
    DoseLimitError
        Hard limits crossed; ``params["findings"]`` lists every one.
    """
    m = resolve_model(model, research_mode)
    request = _check_request(
        m, patient, target_ng_per_ml, duration_min, site, step_s, product, prior_24h_mg
    )
    max_rate = _max_rate(patient, max_rate_mg_per_min, research_mode)
    lim = RACEMIC_LIMITS.for_product(request.product)
    found = _check_target(request, lim)
    cap = _plasma_cap(request, lim, plasma_cap_ratio, research_mode, found)
    disp = _patient_system(m, patient, request.site, ke0_per_min)
    run = _control(disp, request, max_rate, cap)
    dw = patient.dosing_weight()
    effect_peaks, plasma_peaks = _checked_peaks(patient, run.rates_mg_per_min, run.dt_min)
    found += _check_delivered(request, lim, dw.weight_kg, run, effect_peaks)
    _refuse_hard(found)
    checked = (tuple(found), (effect_peaks, plasma_peaks), validity(m, patient))
    if found:
        warnings.warn("; ".join(f.message for f in found), UserWarning, stacklevel=2)
    context = _PlanContext(cap, max_rate, *checked, lim)
    return _assembled_plan(m, patient, request, run, context)


def _refuse_hard(found: list[LimitFinding]) -> None:
    """Every hard limit crossed refuses the plan, all of them named."""
    hard = [f for f in found if f.severity == "hard"]
    if hard:
        raise hard_limit_error("TCI plan", hard)


def _patient_system(
    m: PKModel, patient: Patient, site: Site, ke0_per_min: float | None
) -> engine.Disposition:
    """The patient's own disposition (typical values for their covariates, no IIV), with the
    effect site the target needs."""
    structural = m.covariates(patient_covariates(patient))
    ke0 = resolve_ke0(m, structural, ke0_per_min, True)
    if site == "effect" and ke0 is None:
        raise InvalidInputError(
            f"{m.model_id} has no effect site.", field="site", code="no_effect_site"
        )
    return individual_system(m, structural, ke0)


@dataclass(frozen=True)
class _PlanContext:
    """What the checks settled for a TCI plan, beside the request and the controller's run."""

    cap: float | None
    max_rate: float
    found: tuple[LimitFinding, ...]
    peaks: tuple[dict[str, float], dict[str, float]]
    validity: tuple[bool, tuple[str, ...]]
    limits: Limits


def _assembled_plan(
    m: PKModel, patient: Patient, request: TCIRequest, run: ControlRun, context: _PlanContext
) -> TCIPlan:
    """The plan as returned: the pump steps, the predicted curves in ng/mL, and its basis."""
    outside, reasons = context.validity
    scale = engine.MG_PER_L_TO_NG_PER_ML
    n_steps = run.rates_mg_per_min.size
    return TCIPlan(
        step_start_min=np.arange(n_steps, dtype=np.float64) * run.dt_min,
        rate_mg_per_min=run.rates_mg_per_min,
        times_min=np.arange(n_steps + 1, dtype=np.float64) * run.dt_min,
        plasma_ng_per_ml=run.plasma_mg_per_l * scale,
        effect_ng_per_ml=run.effect_mg_per_l * scale if run.has_effect else None,
        cumulative_mg=run.cumulative_mg,
        peak_plasma_ng_per_ml=float(run.plasma_mg_per_l.max() * scale),
        target_ng_per_ml=request.target_ng_per_ml,
        site=request.site,
        plasma_cap_ng_per_ml=context.cap,
        max_rate_mg_per_min=context.max_rate,
        step_s=request.step_s,
        model_id=m.model_id,
        model_version=m.version,
        warnings=context.found,
        out_of_validity_range=outside,
        validity_reasons=reasons,
        product=request.product,
        dosing_weight=patient.dosing_weight(),
        predicted_peak_effect_ng_per_ml=context.peaks[0],
        predicted_peak_plasma_ng_per_ml=context.peaks[1],
        limits=context.limits,
    )


@dataclass(frozen=True)
class TCIRequest:
    """A checked TCI request: what is targeted, for how long, for which product."""

    patient: Patient
    target_ng_per_ml: float
    duration_min: float
    site: Site
    step_s: float
    product: Product
    prior_24h_mg: float


def _check_request(
    m: PKModel,
    patient: object,
    target_ng_per_ml: float,
    duration_min: float,
    site: str,
    step_s: float,
    product: str,
    prior_24h_mg: float,
) -> TCIRequest:
    """Boundary checks (each error names its field) and the weight gate of reference 3.8."""
    if not isinstance(patient, Patient):
        raise InvalidInputError("patient must be a Patient.", field="patient", code="invalid_type")
    if site not in ("plasma", "effect"):
        raise InvalidInputError(
            "site must be 'plasma' or 'effect'.", field="site", code="invalid_choice"
        )
    target = finite_float(target_ng_per_ml, "target_ng_per_ml", minimum=0.0, strict_minimum=True)
    duration = finite_float(
        duration_min, "duration_min", minimum=0.0, strict_minimum=True, maximum=7 * 24 * 60.0
    )
    step = finite_float(step_s, "step_s", minimum=1.0, maximum=600.0)
    if product not in ("racemic", "esketamine"):
        raise InvalidInputError(
            "product must be 'racemic' or 'esketamine'.", field="product", code="invalid_choice"
        )
    prior = finite_float(prior_24h_mg, "prior_24h_mg", minimum=0.0)
    request = TCIRequest(
        patient, target, duration, cast(Site, site), step, cast(Product, product), prior
    )
    check_weight_gate(patient.weight_kg, RACEMIC_LIMITS.for_product(request.product))
    return request


def _max_rate(patient: Patient, max_rate_mg_per_min: float | None, research_mode: bool) -> float:
    """The pump maximum: STANPUMP's 0.75 mg/kg/min of TBW by default and as the bound."""
    rate_bound = STANPUMP_MAX_RATE_MG_PER_KG_PER_MIN * patient.weight_kg
    return finite_float(
        max_rate_mg_per_min if max_rate_mg_per_min is not None else rate_bound,
        "max_rate_mg_per_min",
        minimum=0.0,
        strict_minimum=True,
        maximum=None if research_mode else rate_bound,
    )


def _check_target(request: TCIRequest, lim: Limits) -> list[LimitFinding]:
    """An unusual weight (soft) and the TCI target limits."""
    found: list[LimitFinding] = []
    weight = request.patient.weight_kg
    s_lo, s_hi = lim.weight_soft_kg
    if not s_lo <= weight <= s_hi:
        found.append(
            LimitFinding(
                "weight_unusual",
                "soft",
                f"Weight {weight:g} kg is outside {s_lo:g}-{s_hi:g} kg: check the entry.",
                weight,
                s_lo if weight < s_lo else s_hi,
                "kg",
            )
        )
    soft, hard = lim.tci_target_soft_ng_per_ml, lim.tci_target_hard_ng_per_ml
    _check(found, "tci_target", request.target_ng_per_ml, soft, hard, "ng/mL", "TCI target")
    return found


def _refuse_uncapped() -> DoseLimitError:
    message = (
        "Effect-site targeting needs a plasma cap (plasma_cap_ratio, e.g. 1.5-2): "
        "uncapped, Domino predicts plasma peaks in the anaesthetic range."
    )
    record = {
        "code": "tci_uncapped_effect_site",
        "message": message,
        "value": None,
        "limit": None,
        "unit": "",
    }
    return DoseLimitError(
        message, code="dose_limit", field="plasma_cap_ratio", params={"findings": [record]}
    )


def _plasma_cap(
    request: TCIRequest,
    lim: Limits,
    plasma_cap_ratio: float | None,
    research_mode: bool,
    found: list[LimitFinding],
) -> float | None:
    """The effect-site mode's plasma cap (ng/mL); its findings are appended to ``found``."""
    if request.site != "effect":
        if plasma_cap_ratio is not None:
            raise InvalidInputError(
                "plasma_cap_ratio applies to effect-site targeting only.",
                field="plasma_cap_ratio",
                code="not_applicable",
            )
        return None
    if plasma_cap_ratio is None:
        if not research_mode:
            raise _refuse_uncapped()
        found.append(
            LimitFinding(
                "tci_uncapped_effect_site",
                "soft",
                "Effect-site targeting without a plasma cap (research mode).",
                math.inf,
                lim.tci_cap_soft_ratio,
                "x target",
            )
        )
        return None
    ratio = finite_float(plasma_cap_ratio, "plasma_cap_ratio", minimum=1.0)
    target = request.target_ng_per_ml
    cap = ratio * target
    if cap > lim.peak_hard_ng_per_ml:
        found.append(
            LimitFinding(
                "tci_plasma_cap",
                "hard",
                f"Plasma cap {ratio:g} x {target:g} = {cap:g} ng/mL lets plasma exceed "
                f"the hard peak limit of {lim.peak_hard_ng_per_ml:g} ng/mL.",
                cap,
                lim.peak_hard_ng_per_ml,
                "ng/mL",
            )
        )
    if ratio > lim.tci_cap_soft_ratio:
        found.append(
            LimitFinding(
                "tci_cap_ratio",
                "soft",
                f"Plasma cap {ratio:g} x target allows overshoot beyond 2 x target.",
                ratio,
                lim.tci_cap_soft_ratio,
                "x target",
            )
        )
    return cap


@dataclass(frozen=True)
class ControlRun:
    """The controller's rate per step and the predicted concentrations at step boundaries."""

    dt_min: float
    rates_mg_per_min: FloatArray
    plasma_mg_per_l: FloatArray
    effect_mg_per_l: FloatArray
    has_effect: bool
    cumulative_mg: FloatArray


def _effect_unit_response(
    rates: FloatArray, gain: FloatArray, a_effect: FloatArray, dt: float
) -> tuple[FloatArray, FloatArray]:
    """(free-decay basis (J, R), Ce response to 1 mg/min over one step (J,)) on the 1-s grid."""
    tau = np.arange(1, round(_HORIZON_MIN / _GRID_MIN) + 1) * _GRID_MIN
    free_basis = np.exp(-np.outer(tau, rates))
    pulse = np.where(
        (tau < dt)[:, None],
        -np.expm1(-np.outer(tau, rates)) / rates,
        gain[None, :] * np.exp(-np.outer(np.maximum(tau - dt, 0.0), rates)),
    )
    return free_basis, pulse @ a_effect


def _control(
    disp: engine.Disposition, request: TCIRequest, max_rate: float, cap: float | None
) -> ControlRun:
    """Run the controller: each step's rate from the state, then the exact state update."""
    rates = disp.rates_per_min[0]
    a_plasma = disp.coefficients["plasma"][0]
    a_effect = disp.coefficients["effect"][0] if "effect" in disp.coefficients else None
    dt = request.step_s / 60.0
    n_steps = math.ceil(request.duration_min / dt - 1e-9)
    decay = np.exp(-rates * dt)
    gain = -np.expm1(-rates * dt) / rates
    plasma_unit = float(a_plasma @ gain)
    effect_site = a_effect is not None and request.site == "effect"
    if effect_site:
        assert a_effect is not None  # noqa: S101  (for mypy)
        free_basis, effect_unit = _effect_unit_response(rates, gain, a_effect, dt)
    state = np.zeros_like(rates)
    target = request.target_ng_per_ml / engine.MG_PER_L_TO_NG_PER_ML
    cap_mg_per_l = None if cap is None else cap / engine.MG_PER_L_TO_NG_PER_ML
    out_rates = np.zeros(n_steps)
    plasma = np.zeros(n_steps + 1)
    effect = np.zeros(n_steps + 1)

    def plasma_rate(level: float) -> float:
        free = float(a_plasma @ (state * decay))
        return max((level - free) / plasma_unit, 0.0)

    for k in range(n_steps):
        if not effect_site:
            rate = plasma_rate(target)
        else:
            free = free_basis @ (a_effect * state)
            if free.max() >= target:
                rate = 0.0
            else:
                ok = effect_unit > 0.0
                rate = float(np.min((target - free[ok]) / effect_unit[ok]))
            if cap_mg_per_l is not None:
                rate = min(rate, plasma_rate(cap_mg_per_l))
        rate = min(max(rate, 0.0), max_rate)
        out_rates[k] = rate
        state = state * decay + rate * gain
        plasma[k + 1] = float(a_plasma @ state)
        if a_effect is not None:
            effect[k + 1] = float(a_effect @ state)
    cumulative = np.concatenate([[0.0], np.cumsum(out_rates * dt)])
    return ControlRun(dt, out_rates, plasma, effect, a_effect is not None, cumulative)


def _check_delivered(
    request: TCIRequest,
    lim: Limits,
    kg: float,
    run: ControlRun,
    effect_peaks: dict[str, float],
) -> list[LimitFinding]:
    """The delivered schedule against the dose limits (reference 3.8), per kg dosing weight."""
    found: list[LimitFinding] = []
    cumulative, dt = run.cumulative_mg, run.dt_min
    n_steps = run.rates_mg_per_min.size
    total_mg = float(cumulative[-1])
    hour_steps = max(1, round(60.0 / dt))
    day_steps = max(1, round(24 * 60.0 / dt))
    hourly_mg = _window_max(cumulative, hour_steps)
    first_day_mg = request.prior_24h_mg + float(cumulative[min(day_steps, n_steps)])
    day_mg = max(first_day_mg, _window_max(cumulative, day_steps))
    soft, hard = lim.rate_soft_mg_per_kg_per_h, lim.rate_hard_mg_per_kg_per_h
    what = "Largest amount in any hour"
    _check(found, "rate_mg_per_kg_per_h", hourly_mg / kg, soft, hard, "mg/kg/h", what)
    soft, hard = lim.session_soft_mg_per_kg, lim.session_hard_mg_per_kg
    _check(found, "session_mg_per_kg", total_mg / kg, soft, hard, "mg/kg", "Session total")
    _check(found, "session_mg", total_mg, None, lim.session_hard_mg, "mg", "Session total")
    soft, hard = lim.day_soft_mg_per_kg, lim.day_hard_mg_per_kg
    _check(found, "day_mg_per_kg", day_mg / kg, soft, hard, "mg/kg", "24-h total")
    peak_model = max(effect_peaks, key=lambda k: effect_peaks[k])
    soft, hard = lim.peak_soft_ng_per_ml, lim.peak_hard_ng_per_ml
    what = f"Predicted effect-site peak ({peak_model})"
    _check(found, "predicted_peak", effect_peaks[peak_model], soft, hard, "ng/mL", what)
    return found
