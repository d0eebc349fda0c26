"""The pump program: one constant setting per segment, rounded as the pump shows it.

    rate [mL/h]       = dose_rate [mg/h] / C [mg/mL]
    bolus rate [mL/h] = bolus_mL / bolus_duration_min x 60

The pump setting is rounded half-up to 0.1 mL/h; what that setting delivers is worked back to
mg/kg/h beside the prescription (the independent reverse check of reference section 4). The
settings that the pump cannot deliver as prescribed (0.0 mL/h, or a bolus that the rounded-up
setting gives faster than the minimum duration) are limit findings of this step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tenderpoint.pharmacology.dosing.limits import LimitFinding
from tenderpoint.pharmacology.dosing.limits import check_limit as _check
from tenderpoint.pharmacology.dosing.order import Prescription
from tenderpoint.pharmacology.dosing.preparation import Doses, Preparation
from tenderpoint.pharmacology.regimen import Infusion, Regimen

PUMP_RESOLUTION_ML_PER_H = 0.1
# A zero bolus duration is refused by the limits; this floor keeps the arithmetic finite.
_MIN_BOLUS_MIN = 1e-6


@dataclass(frozen=True)
class PumpSegment:
    """One constant pump setting.

    Attributes
    ----------
    label : str
        ``"bolus"`` or ``"infusion"``.
    start_min, duration_min : float
    dose_mg : float
    rate_mg_per_h, rate_mg_per_kg_per_h : float
        Prescribed dose rate (per kg of dosing weight).
    rate_ml_per_h : float
        Unrounded pump rate (stored).
    rate_ml_per_h_display : float
        Rounded to the pump's 0.1 mL/h resolution.
    delivered_mg_per_kg_per_h : float
        What the rounded pump rate actually delivers (the reverse check).
    vtbi_ml : float
        Volume to be infused in this segment.
    """

    label: str
    start_min: float
    duration_min: float
    dose_mg: float
    rate_mg_per_h: float
    rate_mg_per_kg_per_h: float
    rate_ml_per_h: float
    rate_ml_per_h_display: float
    delivered_mg_per_kg_per_h: float
    vtbi_ml: float


@dataclass(frozen=True)
class PumpProgram:
    """The segments, the same schedule as a simulator input, and what this step found.

    ``bolus_duration_min`` is the bolus duration the schedule uses (floored above zero when
    there is a bolus); ``duration_min`` runs from the first segment's start to the last's end.
    """

    segments: tuple[PumpSegment, ...]
    regimen: Regimen
    bolus_duration_min: float
    duration_min: float
    findings: tuple[LimitFinding, ...]
    steps: tuple[str, ...]


def pump_setting(rate_ml_per_h: float) -> float:
    """Round half-up to the pump resolution (the 1e-9 absorbs binary representation error).

    The result is stored as ``round(x, 1)`` so no float noise (1.2000000000000002) reaches a
    pump screen or a record.
    """
    steps = math.floor(rate_ml_per_h / PUMP_RESOLUTION_ML_PER_H + 0.5 + 1e-9)
    return round(steps * PUMP_RESOLUTION_ML_PER_H, 1)


def _unsettable(what: str, rate_ml_per_h: float) -> LimitFinding:
    """A rate the pump would set as 0.0 mL/h (a hard limit)."""
    return LimitFinding(
        "pump_resolution",
        "hard",
        f"The {what} needs {rate_ml_per_h:.3f} mL/h, which the pump sets as 0.0 mL/h: "
        "choose a more dilute concentration.",
        rate_ml_per_h,
        PUMP_RESOLUTION_ML_PER_H / 2,
        "mL/h",
    )


def _bolus_segment(
    rx: Prescription, doses: Doses, conc: float, findings: list[LimitFinding]
) -> tuple[PumpSegment, str]:
    """The bolus segment and its step; duration findings are appended to ``findings``."""
    lim, kg, bolus_mg = rx.limits, doses.dosing_weight_kg, doses.bolus_mg
    soft, hard = lim.bolus_duration_soft_min, lim.bolus_duration_hard_min
    what = "Bolus duration"
    _check(findings, "bolus_duration", rx.bolus_duration_min, soft, hard, "min", what, below=True)
    minutes = max(rx.bolus_duration_min, _MIN_BOLUS_MIN)
    b_ml = bolus_mg / conc
    b_rate_ml = b_ml / minutes * 60.0
    b_disp = pump_setting(b_rate_ml)
    step = (
        f"Bolus pump rate: {bolus_mg:.2f} mg / {conc:.4g} mg/mL = {b_ml:.2f} mL; "
        f"{b_ml:.2f} mL / {minutes:g} min x 60 = {b_rate_ml:.1f} mL/h."
    )
    if b_disp <= 0.0:
        findings.append(_unsettable("bolus", b_rate_ml))
    elif b_disp > b_rate_ml:
        # Rounded up, the pump gives the bolus volume faster than prescribed.
        b_given_min = b_ml / b_disp * 60.0
        if b_given_min < minutes:
            what = f"Bolus duration at the pump setting {b_disp:.1f} mL/h"
            code = "delivered_bolus_duration"
            _check(findings, code, b_given_min, soft, hard, "min", what, below=True)
    rate_mg_h = bolus_mg / minutes * 60
    segment = PumpSegment(
        "bolus", 0.0, minutes, bolus_mg, rate_mg_h, rate_mg_h / kg, b_rate_ml, b_disp,
        b_disp * conc / kg, b_ml,
    )  # fmt: skip
    return segment, step


def program_pump(rx: Prescription, doses: Doses, prep: Preparation) -> PumpProgram:
    """The bolus (if any) then the infusion, as pump settings and as a ``Regimen``."""
    findings: list[LimitFinding] = []
    steps: list[str] = []
    segments: list[PumpSegment] = []
    infusions: list[Infusion] = []
    conc, kg = prep.final_concentration_mg_per_ml, doses.dosing_weight_kg
    t0 = 0.0
    bolus_min = rx.bolus_duration_min
    if doses.bolus_mg > 0:
        bolus, step = _bolus_segment(rx, doses, conc, findings)
        segments.append(bolus)
        steps.append(step)
        bolus_min = bolus.duration_min
        infusions.append(Infusion(0.0, bolus_min, doses.bolus_mg / bolus_min))
        t0 = bolus_min
    rate_mg_h, duration = doses.rate_mg_per_h, rx.duration_min
    i_ml = doses.infusion_mg / conc
    i_rate_ml = rate_mg_h / conc
    i_disp = pump_setting(i_rate_ml)
    delivered = i_disp * conc / kg
    if i_disp <= 0.0:
        findings.append(_unsettable("infusion", i_rate_ml))
    steps.append(
        f"Infusion pump rate: {rate_mg_h:.2f} mg/h / {conc:.4g} mg/mL = "
        f"{i_rate_ml:.2f} mL/h (pump setting {i_disp:.1f} mL/h); volume to be infused "
        f"{i_ml:.2f} mL over {duration:g} min."
    )
    steps.append(
        f"Reverse check: {i_disp:.1f} mL/h x {conc:.4g} mg/mL / {kg:.1f} kg = "
        f"{delivered:.4g} mg/kg/h delivered (prescribed {rx.rate_mg_per_kg_per_h:.4g} mg/kg/h)."
    )
    segments.append(
        PumpSegment(
            "infusion", t0, duration, doses.infusion_mg, rate_mg_h, rx.rate_mg_per_kg_per_h,
            i_rate_ml, i_disp, delivered, i_ml,
        )
    )  # fmt: skip
    infusions.append(Infusion(t0, duration, rate_mg_h / 60.0))
    regimen = Regimen(infusions, product=rx.product)
    return PumpProgram(
        tuple(segments), regimen, bolus_min, t0 + duration, tuple(findings), tuple(steps)
    )
