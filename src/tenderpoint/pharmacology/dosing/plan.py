"""Infusion planning: dose, bag, pump rates, every step in words, and the limits of section 3.8.

``plan_infusion`` turns a protocol (or a direct dose) into an ``InfusionPlan`` for one patient:
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

import math
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology._validate import finite_float
from tenderpoint.pharmacology.dosing.limits import (
    LIMITS_SOURCE,
    MARKETED_VIAL_MG_PER_ML,
    RACEMIC_LIMITS,
    LimitFinding,
    Limits,
    check_custom_limits,
    check_weight_gate,
    hard_limit_error,
)
from tenderpoint.pharmacology.dosing.limits import check_limit as _check
from tenderpoint.pharmacology.dosing.protocols import Protocol, get_protocol
from tenderpoint.pharmacology.models import PEAK_CHECK_MODEL_IDS
from tenderpoint.pharmacology.patient import DosingWeight, Patient, WeightBasis
from tenderpoint.pharmacology.regimen import Infusion, Product, Regimen
from tenderpoint.pharmacology.simulate import simulate

Container = Literal["bag", "syringe"]
PLAN_VERSION = "dosing/1.0"
PUMP_RESOLUTION_ML_PER_H = 0.1


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
        from dataclasses import replace

        return replace(self, acknowledged=self.acknowledged | frozenset(codes))


def _pump_setting(rate_ml_per_h: float) -> float:
    """Round half-up to the pump resolution (the 1e-9 absorbs binary representation error).

    The result is stored as ``round(x, 1)`` so no float noise (1.2000000000000002) reaches a
    pump screen or a record.
    """
    steps = math.floor(rate_ml_per_h / PUMP_RESOLUTION_ML_PER_H + 0.5 + 1e-9)
    return round(steps * PUMP_RESOLUTION_ML_PER_H, 1)


def _fmt(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"


def _peak_predictions(
    patient: Patient, regimen: Regimen
) -> tuple[dict[str, float], dict[str, float], tuple[str, ...]]:
    """Typical-patient (plasma, effect-site) peaks per checked model (ng/mL), validity reasons."""
    starts, ends, _, bolus_t, _ = regimen.arrays()
    end = regimen.end_min
    times = np.union1d(np.concatenate([starts, ends, bolus_t]), np.arange(0.0, end + 120.0, 0.1))
    plasma: dict[str, float] = {}
    effect: dict[str, float] = {}
    reasons: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in PEAK_CHECK_MODEL_IDS:
            sim = simulate(m, patient, regimen, times)
            plasma[m] = sim.peak_plasma_ng_per_ml
            assert sim.effect_ng_per_ml is not None  # noqa: S101  (every checked model has ke0)
            effect[m] = float(sim.effect_ng_per_ml.max())
            reasons += [f"{m}: {r}" for r in sim.validity_reasons]
    return plasma, effect, tuple(reasons)


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

    Parameters
    ----------
    protocol : Protocol, str or None
        A protocol (or its id from ``PROTOCOLS``); ``None`` to give the dose directly.
    patient : Patient
        Total body weight, height, age and sex (the dosing weight is derived).
    vial_mg_per_ml : float
        Vial strength, mg of ketamine base per mL: a marketed strength of the product
        (racemic 10, 50 or 100; esketamine 5 or 25), else ``InvalidInputError``. A final
        concentration above 50 mg/mL is refused for IV use (the label's 1:1 dilution of the
        100 mg/mL strength).
    bag_volume_ml : float
        Diluent volume in the bag or syringe before adding drug (mL); 0 = undiluted.
    container : {"bag", "syringe"}
        Sets the soft final-concentration limit (2 mg/mL bag, 10 mg/mL syringe).
    standard_conc_mg_per_ml : float, optional
        Prepare a clinic-standard concentration instead of putting the session dose in the bag:
        remove the drug's volume of diluent, add drug to reach this concentration in
        ``bag_volume_ml``, and infuse only the volume the dose needs.
    dose_mg_per_kg, duration_min : float, optional
        Direct "mg/kg over minutes" dose (or overrides of the protocol's values).
    dose_mg_per_kg_per_h : float, optional
        Direct "mg/kg/h for ``duration_min``" dose.
    bolus_mg_per_kg, bolus_duration_min : float, optional
        A loading dose given over ``bolus_duration_min`` before the infusion.
    product : {"racemic", "esketamine"}, optional
        Defaults to the protocol's product (racemic for direct doses); a product that
        contradicts the protocol is refused (``InvalidInputError`` naming ``product``).
    dosing_weight_basis, dosing_weight_reason : optional
        Override the obesity rule (reason required).
    first_pain_infusion : bool, optional
        Whether the guideline's first-infusion minimum applies (default: protocol's flag).
    prior_24h_mg : float
        Ketamine already given in the 24 h before this session (mg).
    device_max_ml_per_h : float
        The pump's maximum rate (hard limit), mL/h.
    acknowledged : collection of str
        Warning codes already acknowledged.
    hard_limit_overrides : mapping of code to reason, optional
        Physician overrides of hard limits; each needs a reason and is recorded on the plan.
    limits : Limits
        The racemic limit set (esketamine halves it automatically). A clinic may only tighten
        the section 3.8 defaults: every value finite and positive, none looser than the
        default, else ``InvalidInputError`` (``field="limits"``, ``params["limit"]`` names it).
        The set used is recorded on the plan (``limits``, ``limits_custom``).

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
    proto = get_protocol(protocol) if protocol is not None else None
    if proto is None and dose_mg_per_kg is None and dose_mg_per_kg_per_h is None:
        raise InvalidInputError(
            "Give a protocol or a direct dose (dose_mg_per_kg or "
            "dose_mg_per_kg_per_h with duration_min).",
            field="protocol",
            code="dose_required",
        )
    if dose_mg_per_kg is not None and dose_mg_per_kg_per_h is not None:
        raise InvalidInputError(
            "Give either dose_mg_per_kg or dose_mg_per_kg_per_h, not both.",
            field="dose_mg_per_kg_per_h",
            code="conflicting_dose",
        )
    if not isinstance(patient, Patient):
        raise InvalidInputError("patient must be a Patient.", field="patient", code="invalid_type")
    vial = finite_float(
        vial_mg_per_ml, "vial_mg_per_ml", minimum=0.0, strict_minimum=True, maximum=200.0
    )
    bag = finite_float(bag_volume_ml, "bag_volume_ml", minimum=0.0, maximum=5000.0)
    if container not in ("bag", "syringe"):
        raise InvalidInputError(
            "container must be 'bag' or 'syringe'.", field="container", code="invalid_choice"
        )
    prior = finite_float(prior_24h_mg, "prior_24h_mg", minimum=0.0)
    device_max = finite_float(
        device_max_ml_per_h, "device_max_ml_per_h", minimum=0.0, strict_minimum=True
    )
    limits_custom = check_custom_limits(limits)
    overrides = dict(hard_limit_overrides or {})
    for code, reason in overrides.items():
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInputError(
                f"Overriding {code} needs a reason.",
                field="hard_limit_overrides",
                code="reason_required",
            )

    # --- the prescription ---------------------------------------------------------------
    kind: str
    if dose_mg_per_kg is not None:
        kind = "mg_per_kg_over"
    elif dose_mg_per_kg_per_h is not None:
        kind = "mg_per_kg_per_h"
    else:
        assert proto is not None  # noqa: S101  (guarded above)
        kind = proto.kind
    prod: Product = product or (proto.product if proto else "racemic")
    if prod not in ("racemic", "esketamine"):
        raise InvalidInputError(
            "product must be 'racemic' or 'esketamine'.", field="product", code="invalid_choice"
        )
    if proto is not None and prod != proto.product:
        raise InvalidInputError(
            f"product {prod!r} contradicts protocol {proto.protocol_id!r}, which is dosed as "
            f"{proto.product}; choose the matching protocol or give the dose directly.",
            field="product",
            code="product_mismatch",
            params={"value": prod, "protocol_product": proto.product},
        )
    lim = limits.for_product(prod)
    strengths = MARKETED_VIAL_MG_PER_ML[prod]
    if vial not in strengths:
        raise InvalidInputError(
            f"vial_mg_per_ml {vial:g} is not a marketed {prod} strength "
            f"({', '.join(f'{v:g}' for v in strengths)} mg/mL).",
            field="vial_mg_per_ml",
            code="unknown_strength",
            params={"value": vial, "allowed": list(strengths)},
        )
    if duration_min is None and proto is None:
        raise InvalidInputError(
            "duration_min is required with a direct dose.", field="duration_min", code="required"
        )
    duration = finite_float(
        duration_min if duration_min is not None else proto.duration_min if proto else 0.0,
        "duration_min",
        minimum=0.0,
        strict_minimum=True,
        maximum=7 * 24 * 60.0,
    )
    if kind == "mg_per_kg_over":
        amount = (
            dose_mg_per_kg
            if dose_mg_per_kg is not None
            else (proto.dose_mg_per_kg if proto else 0.0)
        )
        dose_per_kg = finite_float(amount, "dose_mg_per_kg", minimum=0.0, strict_minimum=True)
        rate_per_kg_h = dose_per_kg / (duration / 60.0)
    else:
        amount = (
            dose_mg_per_kg_per_h
            if dose_mg_per_kg_per_h is not None
            else (proto.rate_mg_per_kg_per_h if proto else 0.0)
        )
        rate_per_kg_h = finite_float(
            amount, "dose_mg_per_kg_per_h", minimum=0.0, strict_minimum=True
        )
        dose_per_kg = rate_per_kg_h * duration / 60.0
    bolus_per_kg = finite_float(
        bolus_mg_per_kg
        if bolus_mg_per_kg is not None
        else (proto.bolus_mg_per_kg if proto else 0.0),
        "bolus_mg_per_kg",
        minimum=0.0,
    )
    bolus_min = finite_float(
        bolus_duration_min
        if bolus_duration_min is not None
        else (proto.bolus_duration_min if proto else 0.0),
        "bolus_duration_min",
        minimum=0.0,
        maximum=60.0,
    )
    first = (
        first_pain_infusion
        if first_pain_infusion is not None
        else (proto.first_pain_infusion if proto else False)
    )

    findings: list[LimitFinding] = []
    steps: list[str] = []
    # --- patient -------------------------------------------------------------------------
    check_weight_gate(patient.weight_kg, lim)
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
    dw = patient.dosing_weight(dosing_weight_basis, dosing_weight_reason)
    steps.append(f"Dosing weight: {dw.reason}")
    kg = dw.weight_kg

    # --- doses ---------------------------------------------------------------------------
    bolus_mg = bolus_per_kg * kg
    infusion_mg = dose_per_kg * kg
    rate_mg_h = rate_per_kg_h * kg
    total_mg = bolus_mg + infusion_mg
    if bolus_mg > 0:
        steps.append(
            f"Bolus: {bolus_per_kg:g} mg/kg x {kg:.1f} kg = {bolus_mg:.2f} mg over "
            f"{bolus_min:g} min."
        )
    if kind == "mg_per_kg_over":
        steps.append(
            f"Infusion dose: {dose_per_kg:g} mg/kg x {kg:.1f} kg = {infusion_mg:.2f} mg "
            f"over {duration:g} min, i.e. {infusion_mg:.2f} mg / {duration / 60:.4g} h "
            f"= {rate_mg_h:.2f} mg/h ({rate_per_kg_h:.3g} mg/kg/h)."
        )
    else:
        steps.append(
            f"Infusion rate: {rate_per_kg_h:g} mg/kg/h x {kg:.1f} kg = "
            f"{rate_mg_h:.2f} mg/h for {duration:g} min = {rate_mg_h:.2f} mg/h x "
            f"{duration / 60:.4g} h = {infusion_mg:.2f} mg."
        )
    steps.append(
        f"Session total: {bolus_mg:.2f} + {infusion_mg:.2f} = {total_mg:.2f} mg "
        f"({total_mg / kg:.3g} mg/kg)."
    )

    # --- bag -----------------------------------------------------------------------------
    if standard_conc_mg_per_ml is not None:
        conc = finite_float(
            standard_conc_mg_per_ml,
            "standard_conc_mg_per_ml",
            minimum=0.0,
            strict_minimum=True,
            maximum=vial,
        )
        if bag <= 0:
            raise InvalidInputError(
                "A standard concentration needs a bag volume.",
                field="bag_volume_ml",
                code="required",
            )
        in_bag_mg = conc * bag
        drug_ml = in_bag_mg / vial
        total_volume = bag
        steps.append(
            f"Standard concentration {conc:g} mg/mL: remove {drug_ml:.2f} mL of diluent "
            f"from the {bag:g} mL bag and add {drug_ml:.2f} mL of {vial:g} mg/mL "
            f"= {in_bag_mg:.1f} mg in {bag:g} mL."
        )
        if total_mg / conc > bag + 1e-9:
            raise InvalidInputError(
                f"The session needs {total_mg / conc:.1f} mL at {conc:g} mg/mL but the bag holds "
                f"{bag:g} mL.",
                field="bag_volume_ml",
                code="bag_too_small",
                params={"needed_ml": total_mg / conc, "bag_volume_ml": bag},
            )
    elif bag > 0:
        drug_ml = total_mg / vial
        steps.append(f"Drug volume: {total_mg:.2f} mg / {vial:g} mg/mL = {drug_ml:.2f} mL.")
        total_volume = bag + drug_ml
        conc = total_mg / total_volume
    else:
        drug_ml = total_mg / vial
        total_volume = drug_ml
        conc = vial
    if standard_conc_mg_per_ml is None and bag > 0:
        steps.append(
            f"Final concentration: {total_mg:.2f} mg / ({bag:g} mL + {drug_ml:.2f} mL) "
            f"= {conc:.4g} mg/mL in {total_volume:.2f} mL."
        )
    elif bag == 0:
        steps.append(f"Undiluted: final concentration = vial strength {conc:g} mg/mL.")

    # --- pump segments -------------------------------------------------------------------
    segments: list[PumpSegment] = []
    infusions: list[Infusion] = []
    t0 = 0.0
    if bolus_mg > 0:
        _check(
            findings,
            "bolus_duration",
            bolus_min,
            lim.bolus_duration_soft_min,
            lim.bolus_duration_hard_min,
            "min",
            "Bolus duration",
            below=True,
        )
        # A zero duration is refused above; a floor keeps the arithmetic finite meanwhile.
        bolus_min = max(bolus_min, 1e-6)
        b_ml = bolus_mg / conc
        b_rate_ml = b_ml / bolus_min * 60.0
        b_disp = _pump_setting(b_rate_ml)
        steps.append(
            f"Bolus pump rate: {bolus_mg:.2f} mg / {conc:.4g} mg/mL = {b_ml:.2f} mL; "
            f"{b_ml:.2f} mL / {bolus_min:g} min x 60 = {b_rate_ml:.1f} mL/h."
        )
        if b_disp <= 0.0:
            findings.append(
                LimitFinding(
                    "pump_resolution",
                    "hard",
                    f"The bolus needs {b_rate_ml:.3f} mL/h, which the pump sets as 0.0 mL/h: "
                    "choose a more dilute concentration.",
                    b_rate_ml,
                    PUMP_RESOLUTION_ML_PER_H / 2,
                    "mL/h",
                )
            )
        elif b_disp > b_rate_ml:
            # Rounded up, the pump gives the bolus volume faster than prescribed.
            b_given_min = b_ml / b_disp * 60.0
            if b_given_min < bolus_min:
                _check(
                    findings,
                    "delivered_bolus_duration",
                    b_given_min,
                    lim.bolus_duration_soft_min,
                    lim.bolus_duration_hard_min,
                    "min",
                    f"Bolus duration at the pump setting {b_disp:.1f} mL/h",
                    below=True,
                )
        segments.append(
            PumpSegment(
                "bolus",
                0.0,
                bolus_min,
                bolus_mg,
                bolus_mg / bolus_min * 60,
                bolus_mg / bolus_min * 60 / kg,
                b_rate_ml,
                b_disp,
                b_disp * conc / kg,
                b_ml,
            )
        )
        infusions.append(Infusion(0.0, bolus_min, bolus_mg / bolus_min))
        t0 = bolus_min
    i_ml = infusion_mg / conc
    i_rate_ml = rate_mg_h / conc
    i_disp = _pump_setting(i_rate_ml)
    delivered = i_disp * conc / kg
    if i_disp <= 0.0:
        findings.append(
            LimitFinding(
                "pump_resolution",
                "hard",
                f"The infusion needs {i_rate_ml:.3f} mL/h, which the pump sets as 0.0 mL/h: "
                "choose a more dilute concentration.",
                i_rate_ml,
                PUMP_RESOLUTION_ML_PER_H / 2,
                "mL/h",
            )
        )
    steps.append(
        f"Infusion pump rate: {rate_mg_h:.2f} mg/h / {conc:.4g} mg/mL = "
        f"{i_rate_ml:.2f} mL/h (pump setting {i_disp:.1f} mL/h); volume to be infused "
        f"{i_ml:.2f} mL over {duration:g} min."
    )
    steps.append(
        f"Reverse check: {i_disp:.1f} mL/h x {conc:.4g} mg/mL / {kg:.1f} kg = "
        f"{delivered:.4g} mg/kg/h delivered (prescribed {rate_per_kg_h:.4g} mg/kg/h)."
    )
    segments.append(
        PumpSegment(
            "infusion",
            t0,
            duration,
            infusion_mg,
            rate_mg_h,
            rate_per_kg_h,
            i_rate_ml,
            i_disp,
            delivered,
            i_ml,
        )
    )
    infusions.append(Infusion(t0, duration, rate_mg_h / 60.0))
    regimen = Regimen(infusions, product=prod)

    # --- limits --------------------------------------------------------------------------
    if bolus_mg > 0:
        _check(
            findings,
            "bolus_mg_per_kg",
            bolus_per_kg,
            lim.bolus_soft_mg_per_kg,
            lim.bolus_hard_mg_per_kg,
            "mg/kg",
            "Bolus",
        )
        _check(findings, "bolus_mg", bolus_mg, None, lim.bolus_hard_mg, "mg", "Bolus")
    _check(
        findings,
        "rate_mg_per_kg_per_h",
        rate_per_kg_h,
        lim.rate_soft_mg_per_kg_per_h,
        lim.rate_hard_mg_per_kg_per_h,
        "mg/kg/h",
        "Infusion rate",
    )
    # The rounded pump setting is what the patient receives: check it too (reference 4).
    if delivered > rate_per_kg_h:
        _check(
            findings,
            "delivered_rate_mg_per_kg_per_h",
            delivered,
            lim.rate_soft_mg_per_kg_per_h,
            lim.rate_hard_mg_per_kg_per_h,
            "mg/kg/h",
            f"Delivered infusion rate (pump setting {i_disp:.1f} mL/h)",
        )
    _check(
        findings,
        "session_mg_per_kg",
        total_mg / kg,
        lim.session_soft_mg_per_kg,
        lim.session_hard_mg_per_kg,
        "mg/kg",
        "Session total",
    )
    _check(findings, "session_mg", total_mg, None, lim.session_hard_mg, "mg", "Session total")
    if first and (
        total_mg < lim.first_infusion_min_mg
        or duration + bolus_min <= lim.first_infusion_min_duration_min
    ):
        findings.append(
            LimitFinding(
                "below_guideline_minimum",
                "soft",
                f"A first pain infusion of {total_mg:.1f} mg over {duration + bolus_min:g} min is "
                f"below the guideline minimum of {lim.first_infusion_min_mg:g} mg over more than "
                f"{lim.first_infusion_min_duration_min:g} min.",
                total_mg,
                lim.first_infusion_min_mg,
                "mg",
            )
        )
    day_per_kg = (prior + total_mg) / kg
    if prior > 0:
        steps.append(
            f"24-h total: {prior:.2f} mg before + {total_mg:.2f} mg = "
            f"{prior + total_mg:.2f} mg ({day_per_kg:.3g} mg/kg)."
        )
    _check(
        findings,
        "day_mg_per_kg",
        day_per_kg,
        lim.day_soft_mg_per_kg,
        lim.day_hard_mg_per_kg,
        "mg/kg",
        "24-h total",
    )
    _check(
        findings,
        "final_concentration",
        conc,
        lim.bag_conc_soft_mg_per_ml if container == "bag" else lim.syringe_conc_soft_mg_per_ml,
        None,
        "mg/mL",
        "Final concentration",
    )
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
    fastest = max(max(s.rate_ml_per_h, s.rate_ml_per_h_display) for s in segments)
    _check(findings, "pump_rate", fastest, lim.pump_soft_ml_per_h, device_max, "mL/h", "Pump rate")
    plasma_peaks, effect_peaks, validity_reasons = _peak_predictions(patient, regimen)
    peak_model = max(effect_peaks, key=lambda m: effect_peaks[m])
    steps.append(
        "Predicted peaks (typical patient, total body weight "
        f"{patient.weight_kg:g} kg), effect site / plasma: "
        + ", ".join(
            f"{m} {effect_peaks[m]:.0f} / {plasma_peaks[m]:.0f} ng/mL" for m in effect_peaks
        )
        + f"; the highest effect-site peak ({peak_model}) is checked against the limit. "
        "The effect site uses ke0 = ln 2/8.3 min = 0.0835 /min, Olofsen 2022's S-ketamine value "
        "applied to these racemic models (an extrapolation). Checking the effect site departs "
        "from reference 3.8, which states the limit on plasma Cp: the one-minute plasma spike "
        "of a guideline bolus (Domino) would otherwise refuse every guideline bolus; see "
        "docs/pharmacology.md, decision 1."
    )
    _check(
        findings,
        "predicted_peak",
        effect_peaks[peak_model],
        lim.peak_soft_ng_per_ml,
        lim.peak_hard_ng_per_ml,
        "ng/mL",
        f"Predicted effect-site peak ({peak_model})",
    )

    hard = [f for f in findings if f.severity == "hard" and f.code not in overrides]
    if hard:
        raise hard_limit_error("plan", hard)
    soft = tuple(f for f in findings if f.severity == "soft")
    overridden = {
        f.code: overrides[f.code] for f in findings if f.severity == "hard" and f.code in overrides
    }
    for code, reason in overridden.items():
        steps.append(f"Hard limit {code} overridden by the physician: {reason}")
    ack = frozenset(acknowledged)
    unknown = ack - {w.code for w in soft}
    if unknown:
        raise InvalidInputError(
            f"No such warning to acknowledge: {sorted(unknown)}.",
            field="acknowledged",
            code="unknown_warning",
        )
    return InfusionPlan(
        protocol_id=proto.protocol_id if proto else None,
        protocol_citation=proto.citation if proto else "direct dose (no protocol)",
        product=prod,
        dosing_weight=dw,
        total_dose_mg=total_mg,
        drug_volume_ml=drug_ml,
        final_concentration_mg_per_ml=conc,
        total_volume_ml=total_volume,
        duration_min=t0 + duration,
        segments=tuple(segments),
        regimen=regimen,
        predicted_peak_effect_ng_per_ml=effect_peaks,
        predicted_peak_plasma_ng_per_ml=plasma_peaks,
        peak_model_id=peak_model,
        steps=tuple(steps),
        warnings=soft,
        acknowledged=ack,
        overridden=overridden,
        out_of_validity_range=bool(validity_reasons),
        validity_reasons=validity_reasons,
        limits_source=(
            "clinic limits, tighter than the defaults of " + LIMITS_SOURCE
            if limits_custom
            else LIMITS_SOURCE
        ),
        limits=lim,
        limits_custom=limits_custom,
    )
