"""The order: what the prescriber asked for, and the same order checked and resolved.

``InfusionOrder`` holds the order as given (the keyword arguments of ``plan_infusion``);
``resolve_order`` validates it, fills what the protocol implies (dose, duration, bolus, product,
first-infusion flag) and picks the limit set of the product, giving a ``Prescription``: the
per-kg doses every later step of the plan works from.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology._validate import finite_float
from tenderpoint.pharmacology.dosing.limits import (
    MARKETED_VIAL_MG_PER_ML,
    RACEMIC_LIMITS,
    Limits,
    check_custom_limits,
)
from tenderpoint.pharmacology.dosing.protocols import Protocol, ProtocolKind, get_protocol
from tenderpoint.pharmacology.patient import Patient, WeightBasis
from tenderpoint.pharmacology.regimen import Product

Container = Literal["bag", "syringe"]
MAX_DURATION_MIN = 7 * 24 * 60.0


@dataclass(frozen=True)
class InfusionOrder:
    """One infusion order as the prescriber gave it (``plan_infusion``'s keyword arguments).

    Nothing is checked on construction: ``resolve_order`` checks it, field by field, in the
    order ``plan_infusion`` always has, so the first error named is the same.

    Attributes
    ----------
    protocol : Protocol, str or None
        A protocol (or its id from ``PROTOCOLS``); ``None`` to give the dose directly.
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
    """

    protocol: Protocol | str | None
    vial_mg_per_ml: float
    bag_volume_ml: float
    container: Container = "bag"
    standard_conc_mg_per_ml: float | None = None
    dose_mg_per_kg: float | None = None
    dose_mg_per_kg_per_h: float | None = None
    duration_min: float | None = None
    bolus_mg_per_kg: float | None = None
    bolus_duration_min: float | None = None
    product: Product | None = None
    dosing_weight_basis: WeightBasis | None = None
    dosing_weight_reason: str | None = None
    first_pain_infusion: bool | None = None
    prior_24h_mg: float = 0.0
    device_max_ml_per_h: float = 999.0
    acknowledged: Collection[str] = ()
    hard_limit_overrides: Mapping[str, str] | None = None
    limits: Limits = RACEMIC_LIMITS


@dataclass(frozen=True)
class Prescription:
    """A checked order: per-kg doses resolved against the protocol, the product's limits.

    ``dose_mg_per_kg`` and ``rate_mg_per_kg_per_h`` describe the infusion part (one derived
    from the other over ``duration_min``); the bolus is separate. ``limits`` is the set for the
    product (halved for esketamine); ``limits_custom`` says the clinic tightened the defaults.
    """

    protocol: Protocol | None
    kind: ProtocolKind
    product: Product
    dose_mg_per_kg: float
    rate_mg_per_kg_per_h: float
    duration_min: float
    bolus_mg_per_kg: float
    bolus_duration_min: float
    first_pain_infusion: bool
    vial_mg_per_ml: float
    bag_volume_ml: float
    container: Container
    standard_conc_mg_per_ml: float | None
    dosing_weight_basis: WeightBasis | None
    dosing_weight_reason: str | None
    prior_24h_mg: float
    device_max_ml_per_h: float
    acknowledged: frozenset[str]
    limits: Limits
    limits_custom: bool
    hard_limit_overrides: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Checked:
    """The order's plain inputs after the boundary checks."""

    protocol: Protocol | None
    vial: float
    bag: float
    prior: float
    device_max: float
    limits_custom: bool
    overrides: dict[str, str]


def _check_inputs(order: InfusionOrder, patient: object) -> _Checked:
    """Boundary checks that need no protocol: a dose is given, numbers finite, reasons given."""
    proto = get_protocol(order.protocol) if order.protocol is not None else None
    if proto is None and order.dose_mg_per_kg is None and order.dose_mg_per_kg_per_h is None:
        raise InvalidInputError(
            "Give a protocol or a direct dose (dose_mg_per_kg or "
            "dose_mg_per_kg_per_h with duration_min).",
            field="protocol",
            code="dose_required",
        )
    if order.dose_mg_per_kg is not None and order.dose_mg_per_kg_per_h is not None:
        raise InvalidInputError(
            "Give either dose_mg_per_kg or dose_mg_per_kg_per_h, not both.",
            field="dose_mg_per_kg_per_h",
            code="conflicting_dose",
        )
    if not isinstance(patient, Patient):
        raise InvalidInputError("patient must be a Patient.", field="patient", code="invalid_type")
    vial = finite_float(
        order.vial_mg_per_ml, "vial_mg_per_ml", minimum=0.0, strict_minimum=True, maximum=200.0
    )
    bag = finite_float(order.bag_volume_ml, "bag_volume_ml", minimum=0.0, maximum=5000.0)
    if order.container not in ("bag", "syringe"):
        raise InvalidInputError(
            "container must be 'bag' or 'syringe'.", field="container", code="invalid_choice"
        )
    prior = finite_float(order.prior_24h_mg, "prior_24h_mg", minimum=0.0)
    device_max = finite_float(
        order.device_max_ml_per_h, "device_max_ml_per_h", minimum=0.0, strict_minimum=True
    )
    limits_custom = check_custom_limits(order.limits)
    overrides = dict(order.hard_limit_overrides or {})
    for code, reason in overrides.items():
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInputError(
                f"Overriding {code} needs a reason.",
                field="hard_limit_overrides",
                code="reason_required",
            )
    return _Checked(proto, vial, bag, prior, device_max, limits_custom, overrides)


def _resolve_product(order: InfusionOrder, proto: Protocol | None, vial: float) -> Product:
    """The product ordered (the protocol's, racemic for a direct dose) and its vial strength."""
    prod: Product = order.product or (proto.product if proto else "racemic")
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
    strengths = MARKETED_VIAL_MG_PER_ML[prod]
    if vial not in strengths:
        raise InvalidInputError(
            f"vial_mg_per_ml {vial:g} is not a marketed {prod} strength "
            f"({', '.join(f'{v:g}' for v in strengths)} mg/mL).",
            field="vial_mg_per_ml",
            code="unknown_strength",
            params={"value": vial, "allowed": list(strengths)},
        )
    return prod


def _given_or_protocol(given: float | None, proto: Protocol | None, name: str) -> float:
    """The value the order gives, else the protocol's (0 for a direct dose)."""
    if given is not None:
        return given
    value: float = getattr(proto, name) if proto else 0.0
    return value


def _resolve_dose(
    order: InfusionOrder, proto: Protocol | None
) -> tuple[ProtocolKind, float, float, float]:
    """(kind, infusion mg/kg, infusion mg/kg/h, duration min); one dose derives the other."""
    kind: ProtocolKind
    if order.dose_mg_per_kg is not None:
        kind = "mg_per_kg_over"
    elif order.dose_mg_per_kg_per_h is not None:
        kind = "mg_per_kg_per_h"
    else:
        assert proto is not None  # noqa: S101  (a dose or a protocol is checked first)
        kind = proto.kind
    if order.duration_min is None and proto is None:
        raise InvalidInputError(
            "duration_min is required with a direct dose.", field="duration_min", code="required"
        )
    duration = finite_float(
        _given_or_protocol(order.duration_min, proto, "duration_min"),
        "duration_min",
        minimum=0.0,
        strict_minimum=True,
        maximum=MAX_DURATION_MIN,
    )
    if kind == "mg_per_kg_over":
        amount = _given_or_protocol(order.dose_mg_per_kg, proto, "dose_mg_per_kg")
        dose_per_kg = finite_float(amount, "dose_mg_per_kg", minimum=0.0, strict_minimum=True)
        return kind, dose_per_kg, dose_per_kg / (duration / 60.0), duration
    amount = _given_or_protocol(order.dose_mg_per_kg_per_h, proto, "rate_mg_per_kg_per_h")
    rate_per_kg_h = finite_float(amount, "dose_mg_per_kg_per_h", minimum=0.0, strict_minimum=True)
    return kind, rate_per_kg_h * duration / 60.0, rate_per_kg_h, duration


def resolve_order(order: InfusionOrder, patient: object) -> Prescription:
    """Check ``order`` and resolve it against its protocol.

    Raises
    ------
    InvalidInputError
        Missing, contradictory or implausible input, naming the field (first problem found).
    """
    checked = _check_inputs(order, patient)
    proto = checked.protocol
    prod = _resolve_product(order, proto, checked.vial)
    kind, dose_per_kg, rate_per_kg_h, duration = _resolve_dose(order, proto)
    bolus_per_kg = finite_float(
        _given_or_protocol(order.bolus_mg_per_kg, proto, "bolus_mg_per_kg"),
        "bolus_mg_per_kg",
        minimum=0.0,
    )
    bolus_min = finite_float(
        _given_or_protocol(order.bolus_duration_min, proto, "bolus_duration_min"),
        "bolus_duration_min",
        minimum=0.0,
        maximum=60.0,
    )
    first = (
        order.first_pain_infusion
        if order.first_pain_infusion is not None
        else (proto.first_pain_infusion if proto else False)
    )
    return Prescription(
        protocol=proto,
        kind=kind,
        product=prod,
        dose_mg_per_kg=dose_per_kg,
        rate_mg_per_kg_per_h=rate_per_kg_h,
        duration_min=duration,
        bolus_mg_per_kg=bolus_per_kg,
        bolus_duration_min=bolus_min,
        first_pain_infusion=first,
        vial_mg_per_ml=checked.vial,
        bag_volume_ml=checked.bag,
        container=order.container,
        standard_conc_mg_per_ml=order.standard_conc_mg_per_ml,
        dosing_weight_basis=order.dosing_weight_basis,
        dosing_weight_reason=order.dosing_weight_reason,
        prior_24h_mg=checked.prior,
        device_max_ml_per_h=checked.device_max,
        acknowledged=frozenset(order.acknowledged),
        limits=order.limits.for_product(prod),
        limits_custom=checked.limits_custom,
        hard_limit_overrides=checked.overrides,
    )
