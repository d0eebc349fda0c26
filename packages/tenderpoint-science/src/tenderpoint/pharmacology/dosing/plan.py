"""Infusion planning: dose, bag, pump rates, every step in words, and the limits of section 3.8.

``plan_infusion`` turns a protocol (or a direct dose) into an ``InfusionPlan`` for one patient,
in the steps a pharmacist would name: the order (``order``), dosing weight (``patient``), doses
and preparation (``preparation``), pump program (``pump``), predictions (``predictions``), limit
checks (``checks``) and the explanation (``explain`` here). For each plan:
dosing weight and why, total dose, drug volume, final concentration, pump rate per segment,
and the arithmetic written out so a second clinician can check it. Hard limits raise
``DoseLimitError`` listing every limit crossed (``params["findings"]``); soft limits come back
as warnings a clinician must acknowledge before the plan is ``ready``.

Pump math (reference section 4)::

    V_drug = dose_mg / vial_mg_per_ml
    C      = dose_mg / (bag_volume_ml + V_drug)        (whole dose added to the bag)
    rate   = dose_rate_mg_per_h / C                     (mL/h)

The predicted-peak limit is checked on the typical patient of each shipped adult model with a
distribution phase (Domino, Clements, Hijazi) using total body weight, and the highest
prediction is the one compared with the limit (reference 3.8, 0.2).

Decision (the reference is inconsistent here): section 3.8 states the peak limit on plasma
Cp, but Domino's small central volume gives a one-minute plasma spike of 2,815 ng/mL for the
guideline's own 0.35 mg/kg bolus (reference VP4), so a plasma limit of 800 ng/mL would refuse
every guideline bolus. The 400/800 ng/mL limits derive from equilibrated concentrations (the
640 ng/mL recovery level of Idvall 1979 is a steady-state value), and the early spike is the
arterial-mixing artefact the reference describes (0.2, Otto 2021). The limit is therefore
applied to the predicted *effect-site* peak (ke0 = ln 2/8.3 min, Olofsen 2022), which equals the
plasma level for infusions lasting more than a few minutes; plasma peaks are still reported.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tenderpoint._display import html_table, plain
from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology.dosing.checks import (
    Decision,
    check_day,
    check_doses,
    check_patient,
    check_peak,
    check_preparation,
    decide,
)
from tenderpoint.pharmacology.dosing.limits import (
    LIMITS_SOURCE,
    RACEMIC_LIMITS,
    LimitFinding,
    Limits,
)
from tenderpoint.pharmacology.dosing.order import (
    Container,
    InfusionOrder,
    Prescription,
    resolve_order,
)
from tenderpoint.pharmacology.dosing.predictions import PeakPrediction, predict_peaks
from tenderpoint.pharmacology.dosing.preparation import (
    Doses,
    Preparation,
    compute_doses,
    prepare,
)
from tenderpoint.pharmacology.dosing.protocols import Protocol
from tenderpoint.pharmacology.dosing.pump import (
    PUMP_RESOLUTION_ML_PER_H,
    PumpProgram,
    PumpSegment,
    program_pump,
)
from tenderpoint.pharmacology.patient import DosingWeight, Patient, WeightBasis
from tenderpoint.pharmacology.regimen import Product, Regimen

__all__ = [
    "PLAN_VERSION",
    "PUMP_RESOLUTION_ML_PER_H",
    "Container",
    "InfusionOrder",
    "InfusionPlan",
    "PlanSteps",
    "PumpSegment",
    "explain",
    "plan_infusion",
    "plan_order",
]

PLAN_VERSION = "dosing/1.0"


@dataclass(frozen=True)
class InfusionPlan:
    """A checked infusion plan.

    Attributes
    ----------
    protocol_id : str or None
        ``None`` for a direct dose.
    protocol_citation : str
    product : {"racemic", "esketamine"}
    dosing_weight : DosingWeight
        The weight used and why.
    total_dose_mg, drug_volume_ml, final_concentration_mg_per_ml, total_volume_ml : float
    duration_min : float
        From the first segment's start to the last segment's end.
    segments : tuple[PumpSegment, ...]
    regimen : Regimen
        The plan as a simulator input.
    predicted_peak_effect_ng_per_ml : dict[str, float]
        Typical-patient effect-site peak per checked model (the limit uses the highest).
    predicted_peak_plasma_ng_per_ml : dict[str, float]
        Typical-patient plasma peak per checked model (reported, see the module docstring).
    peak_model_id : str
        The model with the highest effect-site prediction.
    steps : tuple[str, ...]
        Every arithmetic step in words.
    warnings : tuple[LimitFinding, ...]
        Soft limits crossed.
    acknowledged : frozenset[str]
        Warning codes the clinician acknowledged.
    overridden : dict[str, str]
        Hard-limit codes overridden by a physician, with the reason (to be audited).
    out_of_validity_range : bool
        The patient lies outside a checked model's studied range (the peaks are less certain).
    validity_reasons : tuple[str, ...]
    limits_source : str
    version : str
    limits : Limits
        The limit set applied (for the ordered product, i.e. halved for esketamine).
    limits_custom : bool
        True when the clinic passed its own (tighter) limits instead of the section 3.8 set.
    """

    protocol_id: str | None
    protocol_citation: str
    product: Product
    dosing_weight: DosingWeight
    total_dose_mg: float
    drug_volume_ml: float
    final_concentration_mg_per_ml: float
    total_volume_ml: float
    duration_min: float
    segments: tuple[PumpSegment, ...]
    regimen: Regimen
    predicted_peak_effect_ng_per_ml: dict[str, float]
    predicted_peak_plasma_ng_per_ml: dict[str, float]
    peak_model_id: str
    steps: tuple[str, ...]
    warnings: tuple[LimitFinding, ...]
    acknowledged: frozenset[str] = field(default_factory=frozenset)
    overridden: dict[str, str] = field(default_factory=dict)
    out_of_validity_range: bool = False
    validity_reasons: tuple[str, ...] = ()
    limits_source: str = LIMITS_SOURCE
    version: str = PLAN_VERSION
    limits: Limits = RACEMIC_LIMITS
    limits_custom: bool = False

    @property
    def unacknowledged_warnings(self) -> tuple[LimitFinding, ...]:
        """Soft-limit warnings still awaiting acknowledgement."""
        return tuple(w for w in self.warnings if w.code not in self.acknowledged)

    @property
    def ready(self) -> bool:
        """True when every warning has been acknowledged."""
        return not self.unacknowledged_warnings

    def acknowledge(self, codes: Collection[str]) -> InfusionPlan:
        """A copy with ``codes`` acknowledged (unknown codes raise ``InvalidInputError``)."""
        known = {w.code for w in self.warnings}
        unknown = set(codes) - known
        if unknown:
            raise InvalidInputError(
                f"No such warning to acknowledge: {sorted(unknown)}.",
                field="acknowledged",
                code="unknown_warning",
            )
        return replace(self, acknowledged=self.acknowledged | frozenset(codes))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: every field, nested results as dicts, sets as sorted lists."""
        return dict(plain(self))

    def to_frame(self) -> Any:
        """The pump program as a polars DataFrame, one row per segment (``PumpSegment`` fields)."""
        import polars as pl

        return pl.DataFrame([plain(segment) for segment in self.segments])

    def __repr__(self) -> str:
        pending = len(self.unacknowledged_warnings)
        return (
            f"InfusionPlan({self.protocol_id or 'direct dose'}, {self.product}, "
            f"{self.total_dose_mg:.4g} mg over {self.duration_min:g} min at "
            f"{self.final_concentration_mg_per_ml:.4g} mg/mL, {len(self.segments)} pump segments, "
            f"peak effect {max(self.predicted_peak_effect_ng_per_ml.values(), default=0.0):.4g} "
            f"ng/mL ({self.peak_model_id}), {pending} warning(s) to acknowledge)"
        )

    def _repr_html_(self) -> str:
        """The plan's numbers and pump program as tables, then every step (rich display)."""
        rows: list[tuple[str, Any]] = [
            ("protocol", self.protocol_id or "direct dose"),
            ("product", self.product),
            ("dosing weight (kg)", self.dosing_weight.weight_kg),
            ("total dose (mg)", self.total_dose_mg),
            ("final concentration (mg/mL)", self.final_concentration_mg_per_ml),
            ("total volume (mL)", self.total_volume_ml),
            ("duration (min)", self.duration_min),
            *(
                (f"peak effect site, {model} (ng/mL)", peak)
                for model, peak in self.predicted_peak_effect_ng_per_ml.items()
            ),
            *((f"warning {w.code}", w.message) for w in self.warnings),
            ("ready (warnings acknowledged)", self.ready),
        ]
        pump = [
            (
                f"{s.label} from {s.start_min:g} min",
                f"{s.rate_ml_per_h_display:g} mL/h for {s.duration_min:g} min "
                f"({s.dose_mg:.4g} mg, VTBI {s.vtbi_ml:.4g} mL)",
            )
            for s in self.segments
        ]
        return html_table(f"Infusion plan ({self.version})", rows) + html_table(
            "Pump program", pump, self.steps
        )


def plan_infusion(
    protocol: Protocol | str | None,
    patient: Patient,
    *,
    vial_mg_per_ml: float,
    bag_volume_ml: float,
    container: Container = "bag",
    standard_conc_mg_per_ml: float | None = None,
    dose_mg_per_kg: float | None = None,
    dose_mg_per_kg_per_h: float | None = None,
    duration_min: float | None = None,
    bolus_mg_per_kg: float | None = None,
    bolus_duration_min: float | None = None,
    product: Product | None = None,
    dosing_weight_basis: WeightBasis | None = None,
    dosing_weight_reason: str | None = None,
    first_pain_infusion: bool | None = None,
    prior_24h_mg: float = 0.0,
    device_max_ml_per_h: float = 999.0,
    acknowledged: Collection[str] = (),
    hard_limit_overrides: Mapping[str, str] | None = None,
    limits: Limits = RACEMIC_LIMITS,
) -> InfusionPlan:
    """Plan one infusion session and check it against the limits of reference section 3.8.

    The keyword arguments are the fields of the order (``InfusionOrder``, where each is
    documented); ``plan_order`` takes the order itself.

    Parameters
    ----------
    protocol : Protocol, str or None
        A protocol (or its id from ``PROTOCOLS``); ``None`` to give the dose directly.
    patient : Patient
        Total body weight, height, age and sex (the dosing weight is derived).
    vial_mg_per_ml, bag_volume_ml, container, standard_conc_mg_per_ml, dose_mg_per_kg, \
dose_mg_per_kg_per_h, duration_min, bolus_mg_per_kg, bolus_duration_min, product, \
dosing_weight_basis, dosing_weight_reason, first_pain_infusion, prior_24h_mg, \
device_max_ml_per_h, acknowledged, hard_limit_overrides, limits
        The order, as ``InfusionOrder``'s attributes of the same names.

    Returns
    -------
    InfusionPlan

    Raises
    ------
    InvalidInputError
        Missing, contradictory or implausible input (naming the field).
    DoseLimitError
        One or more hard limits crossed; ``params["findings"]`` lists them all.
    """
    order = InfusionOrder(
        protocol,
        vial_mg_per_ml=vial_mg_per_ml,
        bag_volume_ml=bag_volume_ml,
        container=container,
        standard_conc_mg_per_ml=standard_conc_mg_per_ml,
        dose_mg_per_kg=dose_mg_per_kg,
        dose_mg_per_kg_per_h=dose_mg_per_kg_per_h,
        duration_min=duration_min,
        bolus_mg_per_kg=bolus_mg_per_kg,
        bolus_duration_min=bolus_duration_min,
        product=product,
        dosing_weight_basis=dosing_weight_basis,
        dosing_weight_reason=dosing_weight_reason,
        first_pain_infusion=first_pain_infusion,
        prior_24h_mg=prior_24h_mg,
        device_max_ml_per_h=device_max_ml_per_h,
        acknowledged=acknowledged,
        hard_limit_overrides=hard_limit_overrides,
        limits=limits,
    )
    return plan_order(order, patient)


@dataclass(frozen=True)
class PlanSteps:
    """The result of each step of a plan, in order (what ``explain`` and the plan are made of)."""

    prescription: Prescription
    dosing_weight: DosingWeight
    doses: Doses
    preparation: Preparation
    pump: PumpProgram
    day_steps: tuple[str, ...]
    prediction: PeakPrediction
    decision: Decision


def plan_order(order: InfusionOrder, patient: Patient) -> InfusionPlan:
    """Plan ``order`` for ``patient``: the steps of ``plan_infusion``, which calls this."""
    rx = resolve_order(order, patient)
    findings = check_patient(patient, rx.limits)
    dw = patient.dosing_weight(rx.dosing_weight_basis, rx.dosing_weight_reason)
    doses = compute_doses(rx, dw.weight_kg)
    prep = prepare(rx, doses.total_mg)
    pump = program_pump(rx, doses, prep)
    findings += pump.findings
    findings += check_doses(rx, doses, pump)
    day_findings, day_steps = check_day(rx, doses)
    findings += day_findings
    findings += check_preparation(rx, prep, pump)
    prediction = predict_peaks(patient, pump.regimen)
    findings += check_peak(prediction, rx.limits)
    decision = decide(rx, findings)
    return _assemble(PlanSteps(rx, dw, doses, prep, pump, day_steps, prediction, decision))


def explain(parts: PlanSteps) -> tuple[str, ...]:
    """Every arithmetic step in words, in the order a second clinician checks them."""
    return (
        f"Dosing weight: {parts.dosing_weight.reason}",
        *parts.doses.steps,
        *parts.preparation.steps,
        *parts.pump.steps,
        *parts.day_steps,
        parts.prediction.step,
        *parts.decision.steps,
    )


def _assemble(parts: PlanSteps) -> InfusionPlan:
    """The ``InfusionPlan`` record of the steps' results."""
    rx, prep, pump, prediction, decision = (
        parts.prescription,
        parts.preparation,
        parts.pump,
        parts.prediction,
        parts.decision,
    )
    proto = rx.protocol
    return InfusionPlan(
        protocol_id=proto.protocol_id if proto else None,
        protocol_citation=proto.citation if proto else "direct dose (no protocol)",
        product=rx.product,
        dosing_weight=parts.dosing_weight,
        total_dose_mg=parts.doses.total_mg,
        drug_volume_ml=prep.drug_volume_ml,
        final_concentration_mg_per_ml=prep.final_concentration_mg_per_ml,
        total_volume_ml=prep.total_volume_ml,
        duration_min=pump.duration_min,
        segments=pump.segments,
        regimen=pump.regimen,
        predicted_peak_effect_ng_per_ml=prediction.effect_ng_per_ml,
        predicted_peak_plasma_ng_per_ml=prediction.plasma_ng_per_ml,
        peak_model_id=prediction.peak_model_id,
        steps=explain(parts),
        warnings=decision.warnings,
        acknowledged=decision.acknowledged,
        overridden=decision.overridden,
        out_of_validity_range=bool(prediction.validity_reasons),
        validity_reasons=prediction.validity_reasons,
        limits_source=(
            "clinic limits, tighter than the defaults of " + LIMITS_SOURCE
            if rx.limits_custom
            else LIMITS_SOURCE
        ),
        limits=rx.limits,
        limits_custom=rx.limits_custom,
    )
