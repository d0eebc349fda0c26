"""Numeric dose limits for the calculator (reference section 3.8), as data.

All mg/kg limits are per kg of *dosing weight*, racemic ketamine base. Esketamine orders halve
every mg/kg limit (reference rule, from the ~2x potency). Decision: the same factor is applied
to the absolute mg limits (50 mg bolus, 400 mg session, 80 mg first-infusion minimum) and to the
predicted-peak concentration limits, because the potency argument is the same; this is more
conservative than the reference, never less.

Decision (final concentration): the reference's hard limit reads "100 mg/mL undiluted for IV".
The Ketalar label requires the 100 mg/mL strength to be diluted with at least an equal volume
before IV use, so anything above 50 mg/mL is the undiluted 100 mg/mL strength in all but name
(100 mg/mL plus 0.1 mL of diluent is 77.8 mg/mL). The hard limit is therefore any final
concentration above 50 mg/mL (the 50 mg/mL strength may be given undiluted from a syringe, with
the soft warning). Vial strengths must be a marketed strength of the product
(``MARKETED_VIAL_MG_PER_ML``): a free-typed strength is an input error, not a plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Literal

from tenderpoint.errors import DoseLimitError, InvalidInputError
from tenderpoint.pharmacology.regimen import Product

Severity = Literal["hard", "soft"]
ESKETAMINE_FACTOR = 0.5


@dataclass(frozen=True)
class Limits:
    """One set of limits (racemic by default; ``for_product`` gives the esketamine set)."""

    bolus_soft_mg_per_kg: float = 0.35
    bolus_hard_mg_per_kg: float = 0.5
    bolus_hard_mg: float = 50.0
    bolus_duration_soft_min: float = 2.0
    bolus_duration_hard_min: float = 1.0
    rate_soft_mg_per_kg_per_h: float = 1.0
    rate_hard_mg_per_kg_per_h: float = 2.0
    session_soft_mg_per_kg: float = 2.0
    session_hard_mg_per_kg: float = 4.0
    session_hard_mg: float = 400.0
    first_infusion_min_mg: float = 80.0
    first_infusion_min_duration_min: float = 120.0
    day_soft_mg_per_kg: float = 4.0
    day_hard_mg_per_kg: float = 6.0
    peak_soft_ng_per_ml: float = 400.0
    peak_hard_ng_per_ml: float = 800.0
    bag_conc_soft_mg_per_ml: float = 2.0
    syringe_conc_soft_mg_per_ml: float = 10.0
    conc_hard_mg_per_ml: float = 50.0
    pump_soft_ml_per_h: float = 300.0
    weight_soft_kg: tuple[float, float] = (40.0, 150.0)
    weight_hard_kg: tuple[float, float] = (30.0, 250.0)
    adult_age_years: float = 18.0
    tci_target_soft_ng_per_ml: float = 250.0
    tci_target_hard_ng_per_ml: float = 400.0
    tci_cap_soft_ratio: float = 2.0

    def for_product(self, product: Product) -> Limits:
        """The limits for ``product``: dose and concentration limits halved for esketamine."""
        if product == "racemic":
            return self
        f = ESKETAMINE_FACTOR
        return Limits(
            bolus_soft_mg_per_kg=self.bolus_soft_mg_per_kg * f,
            bolus_hard_mg_per_kg=self.bolus_hard_mg_per_kg * f,
            bolus_hard_mg=self.bolus_hard_mg * f,
            rate_soft_mg_per_kg_per_h=self.rate_soft_mg_per_kg_per_h * f,
            rate_hard_mg_per_kg_per_h=self.rate_hard_mg_per_kg_per_h * f,
            session_soft_mg_per_kg=self.session_soft_mg_per_kg * f,
            session_hard_mg_per_kg=self.session_hard_mg_per_kg * f,
            session_hard_mg=self.session_hard_mg * f,
            first_infusion_min_mg=self.first_infusion_min_mg * f,
            day_soft_mg_per_kg=self.day_soft_mg_per_kg * f,
            day_hard_mg_per_kg=self.day_hard_mg_per_kg * f,
            peak_soft_ng_per_ml=self.peak_soft_ng_per_ml * f,
            peak_hard_ng_per_ml=self.peak_hard_ng_per_ml * f,
            tci_target_soft_ng_per_ml=self.tci_target_soft_ng_per_ml * f,
            tci_target_hard_ng_per_ml=self.tci_target_hard_ng_per_ml * f,
        )


RACEMIC_LIMITS = Limits()

# How each limit tightens: "upper" limits may only go down, "lower" limits (minimum bolus
# duration, the first-infusion minimum, the adult age) only up, and a weight range only narrow.
_LOWER_BOUNDS = frozenset(
    {
        "bolus_duration_soft_min",
        "bolus_duration_hard_min",
        "first_infusion_min_mg",
        "first_infusion_min_duration_min",
        "adult_age_years",
    }
)


def _refuse(name: str, why: str, value: object, default: object) -> InvalidInputError:
    return InvalidInputError(
        f"Custom limit {name} = {value!r} {why} (section 3.8 default {default!r}); a clinic may "
        "only tighten the limits.",
        field="limits",
        code="limit_loosened",
        params={"limit": name, "value": repr(value), "default": repr(default)},
    )


def check_custom_limits(limits: object) -> bool:
    """Validate a clinic's limit set against the section 3.8 defaults; True if it differs.

    Every value must be finite and positive, and no limit may be looser than the default
    (``Limits()``, racemic; esketamine halves both alike). Raises ``InvalidInputError`` with
    ``field="limits"`` and ``params["limit"]`` naming the offending limit.
    """
    if type(limits) is not Limits:
        raise InvalidInputError(
            "limits must be a Limits instance.", field="limits", code="invalid_type"
        )
    default = RACEMIC_LIMITS
    for f in fields(Limits):
        value = getattr(limits, f.name)
        base = getattr(default, f.name)
        if isinstance(base, tuple):
            if not (
                isinstance(value, tuple)
                and len(value) == 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
                and all(math.isfinite(v) and v > 0 for v in value)
            ):
                raise _refuse(f.name, "is not a pair of finite positive numbers", value, base)
            if value[0] < base[0] or value[1] > base[1] or value[0] > value[1]:
                raise _refuse(f.name, "is wider than the default range", value, base)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refuse(f.name, "is not a number", value, base)
        if not math.isfinite(value) or value <= 0:
            raise _refuse(f.name, "is not finite and positive", value, base)
        if f.name in _LOWER_BOUNDS:
            if value < base:
                raise _refuse(f.name, "is below the default minimum", value, base)
        elif value > base:
            raise _refuse(f.name, "is above the default", value, base)
    return limits != default


MARKETED_VIAL_MG_PER_ML: dict[str, tuple[float, ...]] = {
    # mg of base per mL: Ketalar and generics (racemic); esketamine injection (Ketanest S).
    "racemic": (10.0, 50.0, 100.0),
    "esketamine": (5.0, 25.0),
}
LIMITS_SOURCE = (
    "tenderpoint reference pharmacology.md section 3.8 (proposed guard-rails for clinician "
    "review; anchors: ASRA/AAPM/ASA 2018 consensus bolus 0.35 mg/kg, infusion 0.5-2 mg/kg/h, "
    ">= 80 mg over > 2 h first infusion; Ketalar label; Idvall 1979 recovery concentration)"
)


@dataclass(frozen=True)
class LimitFinding:
    """A limit crossed by a plan.

    Attributes
    ----------
    code : str
        Stable identifier (e.g. ``"bolus_mg_per_kg"``).
    severity : {"hard", "soft"}
        Hard limits refuse the plan; soft limits need acknowledgement.
    message : str
        What was crossed, in words.
    value, limit : float
        The plan's value and the limit it crossed.
    unit : str
    """

    code: str
    severity: Severity
    message: str
    value: float
    limit: float
    unit: str


def _fmt(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"


def check_limit(
    findings: list[LimitFinding],
    code: str,
    value: float,
    soft: float | None,
    hard: float | None,
    unit: str,
    what: str,
    *,
    below: bool = False,
) -> None:
    """Append a finding when ``value`` crosses a limit (above, or below when ``below``).

    The hard limit is tested first; a value past the hard limit gets one (hard) finding.
    """

    def crossed(limit: float) -> bool:
        return value < limit if below else value > limit

    word = "below" if below else "above"
    if hard is not None and crossed(hard):
        findings.append(
            LimitFinding(
                code,
                "hard",
                f"{what} {_fmt(value)} {unit} is {word} the hard limit of {_fmt(hard)} {unit}.",
                value,
                hard,
                unit,
            )
        )
    elif soft is not None and crossed(soft):
        findings.append(
            LimitFinding(
                code,
                "soft",
                f"{what} {_fmt(value)} {unit} is {word} the soft limit of {_fmt(soft)} {unit}.",
                value,
                soft,
                unit,
            )
        )


def finding_record(finding: LimitFinding) -> dict[str, object]:
    """The JSON-ready record of a crossed limit (``DoseLimitError.crossed`` entries)."""
    return {
        "code": finding.code,
        "message": finding.message,
        "value": finding.value,
        "limit": finding.limit,
        "unit": finding.unit,
    }


def hard_limit_error(what: str, hard: list[LimitFinding]) -> DoseLimitError:
    """One ``DoseLimitError`` naming every hard limit in ``hard`` (which must not be empty).

    ``field`` is the first limit's id; ``params["findings"]`` (``.crossed``) lists them all with
    value and limit, so a page can show each crossed limit beside the number that crossed it.
    """
    return DoseLimitError(
        f"The {what} crosses hard limits: " + " ".join(f.message for f in hard),
        field=hard[0].code,
        params={"findings": [finding_record(f) for f in hard]},
    )


def check_weight_gate(weight_kg: float, lim: Limits) -> None:
    """Refuse an entered weight outside the hard 30-250 kg range (implausible input, 3.8).

    The limit is not product-specific. Raises ``DoseLimitError`` with code and limit id
    ``weight_implausible``, ``field="weight_kg"`` and the nearer bound as ``limit``.
    """
    w_lo, w_hi = lim.weight_hard_kg
    if w_lo <= weight_kg <= w_hi:
        return
    message = (
        f"Entered weight {weight_kg:g} kg is outside {w_lo:g}-{w_hi:g} kg: "
        "implausible for an adult infusion; re-weigh the patient."
    )
    record = finding_record(
        LimitFinding(
            "weight_implausible",
            "hard",
            message,
            weight_kg,
            w_lo if weight_kg < w_lo else w_hi,
            "kg",
        )
    )
    raise DoseLimitError(
        message,
        code="weight_implausible",
        field="weight_kg",
        params={"value": weight_kg, "limits": [w_lo, w_hi], "findings": [record]},
    )
