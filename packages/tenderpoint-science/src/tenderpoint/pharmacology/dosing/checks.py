"""The limit checks of reference section 3.8 on a planned session, and the decision they give.

Each check appends ``LimitFinding``s (hard or soft); ``decide`` refuses the plan when a hard
limit is crossed and not overridden by a physician (one ``DoseLimitError`` naming every limit),
and otherwise returns the soft warnings that need acknowledgement.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology.dosing.limits import (
    LimitFinding,
    Limits,
    check_weight_gate,
    hard_limit_error,
)
from tenderpoint.pharmacology.dosing.limits import check_limit as _check
from tenderpoint.pharmacology.dosing.order import Prescription
from tenderpoint.pharmacology.dosing.predictions import PeakPrediction
from tenderpoint.pharmacology.dosing.preparation import Doses, Preparation
from tenderpoint.pharmacology.dosing.pump import PumpProgram
from tenderpoint.pharmacology.patient import Patient


@dataclass(frozen=True)
class Decision:
    """A plan that passed the hard limits: its warnings, acknowledgements and overrides."""

    warnings: tuple[LimitFinding, ...]
    acknowledged: frozenset[str]
    overridden: dict[str, str]
    steps: tuple[str, ...]


def check_patient(patient: Patient, lim: Limits) -> list[LimitFinding]:
    """The weight gate (hard, raises), an unusual weight and a paediatric age (soft)."""
    check_weight_gate(patient.weight_kg, lim)
    findings: list[LimitFinding] = []
    s_lo, s_hi = lim.weight_soft_kg
    if not s_lo <= patient.weight_kg <= s_hi:
        findings.append(
            LimitFinding(
                "weight_unusual",
                "soft",
                f"Weight {patient.weight_kg:g} kg is outside {s_lo:g}-"
                f"{s_hi:g} kg: check the entry.",
                patient.weight_kg,
                s_lo if patient.weight_kg < s_lo else s_hi,
                "kg",
            )
        )
    if patient.age_years < lim.adult_age_years:
        findings.append(
            LimitFinding(
                "paediatric_patient",
                "soft",
                f"Age {patient.age_years:g} y is under 18: the adult limits "
                "and models do not apply; paediatric models are research "
                "mode only.",
                patient.age_years,
                lim.adult_age_years,
                "years",
            )
        )
    return findings


def check_doses(rx: Prescription, doses: Doses, pump: PumpProgram) -> list[LimitFinding]:
    """Bolus, rate (prescribed and as the pump delivers it) and session limits."""
    lim, kg = rx.limits, doses.dosing_weight_kg
    f: list[LimitFinding] = []
    if doses.bolus_mg > 0:
        soft, hard = lim.bolus_soft_mg_per_kg, lim.bolus_hard_mg_per_kg
        _check(f, "bolus_mg_per_kg", rx.bolus_mg_per_kg, soft, hard, "mg/kg", "Bolus")
        _check(f, "bolus_mg", doses.bolus_mg, None, lim.bolus_hard_mg, "mg", "Bolus")
    soft, hard = lim.rate_soft_mg_per_kg_per_h, lim.rate_hard_mg_per_kg_per_h
    rate = rx.rate_mg_per_kg_per_h
    _check(f, "rate_mg_per_kg_per_h", rate, soft, hard, "mg/kg/h", "Infusion rate")
    # The rounded pump setting is what the patient receives: check it too (reference 4).
    infusion = pump.segments[-1]
    if infusion.delivered_mg_per_kg_per_h > rate:
        what = f"Delivered infusion rate (pump setting {infusion.rate_ml_per_h_display:.1f} mL/h)"
        code = "delivered_rate_mg_per_kg_per_h"
        _check(f, code, infusion.delivered_mg_per_kg_per_h, soft, hard, "mg/kg/h", what)
    total = doses.total_mg
    soft, hard = lim.session_soft_mg_per_kg, lim.session_hard_mg_per_kg
    _check(f, "session_mg_per_kg", total / kg, soft, hard, "mg/kg", "Session total")
    _check(f, "session_mg", total, None, lim.session_hard_mg, "mg", "Session total")
    minutes = rx.duration_min + pump.bolus_duration_min
    if rx.first_pain_infusion and (
        total < lim.first_infusion_min_mg or minutes <= lim.first_infusion_min_duration_min
    ):
        f.append(
            LimitFinding(
                "below_guideline_minimum",
                "soft",
                f"A first pain infusion of {total:.1f} mg over {minutes:g} min is "
                f"below the guideline minimum of {lim.first_infusion_min_mg:g} mg over more than "
                f"{lim.first_infusion_min_duration_min:g} min.",
                total,
                lim.first_infusion_min_mg,
                "mg",
            )
        )
    return f


def check_day(rx: Prescription, doses: Doses) -> tuple[list[LimitFinding], tuple[str, ...]]:
    """The 24-h total (this session plus what was given in the 24 h before), and its step."""
    lim, kg, prior, total = rx.limits, doses.dosing_weight_kg, rx.prior_24h_mg, doses.total_mg
    day_per_kg = (prior + total) / kg
    steps: tuple[str, ...] = ()
    if prior > 0:
        steps = (
            f"24-h total: {prior:.2f} mg before + {total:.2f} mg = "
            f"{prior + total:.2f} mg ({day_per_kg:.3g} mg/kg).",
        )
    findings: list[LimitFinding] = []
    soft, hard = lim.day_soft_mg_per_kg, lim.day_hard_mg_per_kg
    _check(findings, "day_mg_per_kg", day_per_kg, soft, hard, "mg/kg", "24-h total")
    return findings, steps


def check_preparation(rx: Prescription, prep: Preparation, pump: PumpProgram) -> list[LimitFinding]:
    """Final concentration (soft by container; hard above 50 mg/mL) and the pump's maximum."""
    lim, conc = rx.limits, prep.final_concentration_mg_per_ml
    findings: list[LimitFinding] = []
    soft = lim.bag_conc_soft_mg_per_ml if rx.container == "bag" else lim.syringe_conc_soft_mg_per_ml
    _check(findings, "final_concentration", conc, soft, None, "mg/mL", "Final concentration")
    if conc > lim.conc_hard_mg_per_ml:
        findings.append(
            LimitFinding(
                "final_concentration",
                "hard",
                f"Final concentration {conc:.4g} mg/mL is above {lim.conc_hard_mg_per_ml:g} "
                "mg/mL: the 100 mg/mL strength must be diluted with at least an equal volume "
                "before IV use.",
                conc,
                lim.conc_hard_mg_per_ml,
                "mg/mL",
            )
        )
    fastest = max(max(s.rate_ml_per_h, s.rate_ml_per_h_display) for s in pump.segments)
    soft, hard = lim.pump_soft_ml_per_h, rx.device_max_ml_per_h
    _check(findings, "pump_rate", fastest, soft, hard, "mL/h", "Pump rate")
    return findings


def check_peak(prediction: PeakPrediction, lim: Limits) -> list[LimitFinding]:
    """The highest typical-patient effect-site peak against the peak limits."""
    findings: list[LimitFinding] = []
    what = f"Predicted effect-site peak ({prediction.peak_model_id})"
    value = prediction.highest_effect_ng_per_ml
    soft, hard = lim.peak_soft_ng_per_ml, lim.peak_hard_ng_per_ml
    _check(findings, "predicted_peak", value, soft, hard, "ng/mL", what)
    return findings


def decide(rx: Prescription, findings: list[LimitFinding]) -> Decision:
    """Refuse on an un-overridden hard limit; else the warnings, overrides and their steps.

    Raises
    ------
    DoseLimitError
        Every hard limit crossed and not overridden (``.crossed``, ``.limit_ids``).
    InvalidInputError
        An acknowledged code that is not among the warnings (``field="acknowledged"``).
    """
    overrides = rx.hard_limit_overrides
    hard = [f for f in findings if f.severity == "hard" and f.code not in overrides]
    if hard:
        raise hard_limit_error("plan", hard)
    soft = tuple(f for f in findings if f.severity == "soft")
    overridden = {
        f.code: overrides[f.code] for f in findings if f.severity == "hard" and f.code in overrides
    }
    steps = tuple(
        f"Hard limit {code} overridden by the physician: {reason}"
        for code, reason in overridden.items()
    )
    unknown = rx.acknowledged - {w.code for w in soft}
    if unknown:
        raise InvalidInputError(
            f"No such warning to acknowledge: {sorted(unknown)}.",
            field="acknowledged",
            code="unknown_warning",
        )
    return Decision(soft, rx.acknowledged, overridden, steps)
