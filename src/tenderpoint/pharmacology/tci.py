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
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from tenderpoint.errors import DoseLimitError, InvalidInputError
from tenderpoint.pharmacology import engine
from tenderpoint.pharmacology._validate import finite_float
from tenderpoint.pharmacology.dosing.limits import RACEMIC_LIMITS, LimitFinding
from tenderpoint.pharmacology.models.base import PKModel
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Infusion, Regimen
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

    def as_regimen(self) -> Regimen:
        """The schedule as a ``Regimen`` (zero-rate steps omitted), for re-simulation."""
        dt = self.step_s / 60.0
        return Regimen(
            [
                Infusion(float(t), dt, float(r))
                for t, r in zip(self.step_start_min, self.rate_mg_per_min, strict=True)
                if r > 0.0
            ]
        )


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
        Pump maximum (mg/min); default 0.75 mg/kg/min x total body weight (STANPUMP).
    step_s : float
        Update interval (s), default 10.
    plasma_cap_ratio : float, optional
        Effect-site mode: plasma never targeted above ``ratio x target`` (1 to 2 recommended;
        above 2 warns). Required outside research mode.
    ke0_per_min : float, optional
        Overrides the model's ke0.
    research_mode : bool
        Allows research-only models and uncapped effect-site targeting (with a warning).

    Returns
    -------
    TCIPlan

    Raises
    ------
    InvalidInputError, DoseLimitError
    """
    m = resolve_model(model, research_mode)
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
    max_rate = finite_float(
        max_rate_mg_per_min
        if max_rate_mg_per_min is not None
        else STANPUMP_MAX_RATE_MG_PER_KG_PER_MIN * patient.weight_kg,
        "max_rate_mg_per_min",
        minimum=0.0,
        strict_minimum=True,
    )
    lim = RACEMIC_LIMITS.for_product("esketamine" if m.drug == "S-ketamine" else "racemic")
    found: list[LimitFinding] = []
    if target > lim.tci_target_hard_ng_per_ml:
        raise DoseLimitError(
            f"TCI target {target:g} ng/mL is above the hard limit of "
            f"{lim.tci_target_hard_ng_per_ml:g} ng/mL.",
            code="dose_limit",
            field="target_ng_per_ml",
            params={"value": target, "limit": lim.tci_target_hard_ng_per_ml},
        )
    if target > lim.tci_target_soft_ng_per_ml:
        found.append(
            LimitFinding(
                "tci_target",
                "soft",
                f"TCI target {target:g} ng/mL is above {lim.tci_target_soft_ng_per_ml:g} ng/mL.",
                target,
                lim.tci_target_soft_ng_per_ml,
                "ng/mL",
            )
        )
    cap: float | None = None
    if site == "effect":
        if plasma_cap_ratio is None:
            if not research_mode:
                raise DoseLimitError(
                    "Effect-site targeting needs a plasma cap (plasma_cap_ratio, e.g. 1.5-2): "
                    "uncapped, Domino predicts plasma peaks in the anaesthetic range.",
                    code="dose_limit",
                    field="plasma_cap_ratio",
                )
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
        else:
            ratio = finite_float(plasma_cap_ratio, "plasma_cap_ratio", minimum=1.0)
            cap = ratio * target
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
    elif plasma_cap_ratio is not None:
        raise InvalidInputError(
            "plasma_cap_ratio applies to effect-site targeting only.",
            field="plasma_cap_ratio",
            code="not_applicable",
        )

    structural = m.covariates(patient_covariates(patient))
    ke0 = resolve_ke0(m, structural, ke0_per_min, True)
    if site == "effect" and ke0 is None:
        raise InvalidInputError(
            f"{m.model_id} has no effect site.", field="site", code="no_effect_site"
        )
    disp = individual_system(m, structural, ke0)
    rates = disp.rates_per_min[0]
    a_plasma = disp.coefficients["plasma"][0]
    a_effect = disp.coefficients["effect"][0] if "effect" in disp.coefficients else None
    dt = step / 60.0
    n_steps = math.ceil(duration / dt - 1e-9)
    decay = np.exp(-rates * dt)
    gain = -np.expm1(-rates * dt) / rates
    plasma_unit = float(a_plasma @ gain)

    if a_effect is not None and site == "effect":
        tau = np.arange(1, round(_HORIZON_MIN / _GRID_MIN) + 1) * _GRID_MIN
        free_basis = np.exp(-np.outer(tau, rates))  # (J, R)
        during = tau < dt
        pulse = np.where(
            during[:, None],
            -np.expm1(-np.outer(tau, rates)) / rates,
            gain[None, :] * np.exp(-np.outer(np.maximum(tau - dt, 0.0), rates)),
        )
        effect_unit = pulse @ a_effect  # (J,) Ce response to 1 mg/min over one step
    state = np.zeros_like(rates)
    target_mg_per_l = target / engine.MG_PER_L_TO_NG_PER_ML
    cap_mg_per_l = None if cap is None else cap / engine.MG_PER_L_TO_NG_PER_ML
    out_rates = np.zeros(n_steps)
    plasma = np.zeros(n_steps + 1)
    effect = np.zeros(n_steps + 1)

    def plasma_rate(level: float) -> float:
        free = float(a_plasma @ (state * decay))
        return max((level - free) / plasma_unit, 0.0)

    for k in range(n_steps):
        if site == "plasma":
            rate = plasma_rate(target_mg_per_l)
        else:
            assert a_effect is not None  # noqa: S101  (checked above)
            free = free_basis @ (a_effect * state)
            if free.max() >= target_mg_per_l:
                rate = 0.0
            else:
                ok = effect_unit > 0.0
                rate = float(np.min((target_mg_per_l - free[ok]) / effect_unit[ok]))
            if cap_mg_per_l is not None:
                rate = min(rate, plasma_rate(cap_mg_per_l))
        rate = min(max(rate, 0.0), max_rate)
        out_rates[k] = rate
        state = state * decay + rate * gain
        plasma[k + 1] = float(a_plasma @ state)
        if a_effect is not None:
            effect[k + 1] = float(a_effect @ state)

    outside, reasons = validity(m, patient)
    if found:
        warnings.warn("; ".join(f.message for f in found), UserWarning, stacklevel=2)
    scale = engine.MG_PER_L_TO_NG_PER_ML
    starts = np.arange(n_steps, dtype=np.float64) * dt
    return TCIPlan(
        step_start_min=starts,
        rate_mg_per_min=out_rates,
        times_min=np.arange(n_steps + 1, dtype=np.float64) * dt,
        plasma_ng_per_ml=plasma * scale,
        effect_ng_per_ml=effect * scale if a_effect is not None else None,
        cumulative_mg=np.concatenate([[0.0], np.cumsum(out_rates * dt)]),
        peak_plasma_ng_per_ml=float(plasma.max() * scale),
        target_ng_per_ml=target,
        site=site,
        plasma_cap_ng_per_ml=cap,
        max_rate_mg_per_min=max_rate,
        step_s=step,
        model_id=m.model_id,
        model_version=m.version,
        warnings=tuple(found),
        out_of_validity_range=outside,
        validity_reasons=reasons,
    )
