"""The patient as the pharmacology core sees it, and the dosing weights derived from it.

Dosing weight (reference section 3.9, a safety convention, not ketamine-specific evidence):
dosing weight = total body weight (TBW) if TBW <= 1.2 x ideal body weight (IBW, Devine),
otherwise the adjusted body weight ABW = IBW + 0.4 (TBW - IBW), never more than TBW. A clinician
may choose another basis (actual, ideal, adjusted, lean) with a recorded reason. The PK models
always receive total body weight (they were built on it); only mg/kg prescriptions use the
dosing weight.

Plausibility bounds on construction are physiological (so paediatric research models can be
used); the adult clinic limits on entered weight (section 3.8) are dose limits, checked by
``tenderpoint.pharmacology.dosing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology._validate import finite_float

Sex = Literal["female", "male"]
WeightBasis = Literal["actual", "ideal", "adjusted", "lean"]
WEIGHT_BASES: tuple[WeightBasis, ...] = ("actual", "ideal", "adjusted", "lean")

OBESITY_RATIO = 1.2
ADJUSTED_FACTOR = 0.4
DEVINE_CITATION = "Devine BJ. Gentamicin therapy. Drug Intell Clin Pharm 1974;8:650-655."
JANMAHASATIAN_CITATION = (
    "Janmahasatian S, Duffull SB, Ash S, et al. Quantification of lean bodyweight. "
    "Clin Pharmacokinet 2005;44:1051-1065. doi:10.2165/00003088-200544100-00004"
)


@dataclass(frozen=True)
class DosingWeight:
    """The weight a mg/kg prescription is multiplied by, and why.

    Attributes
    ----------
    weight_kg : float
        The dosing weight (kg).
    basis : str
        One of "actual", "ideal", "adjusted", "lean".
    reason : str
        The rule or the clinician's recorded reason, in words.
    """

    weight_kg: float
    basis: WeightBasis
    reason: str


@dataclass(frozen=True)
class Patient:
    """Covariates of one patient, validated on construction.

    Parameters
    ----------
    weight_kg : float
        Total body weight (kg), 0.5-350.
    height_cm : float
        Height (cm), 40-250.
    age_years : float
        Age (years), 0-120.
    sex : {"female", "male"}
        Sex used by the covariate equations (Devine, Janmahasatian).

    Raises
    ------
    InvalidInputError
        Naming the field when a value is missing, not finite or implausible.
    """

    weight_kg: float
    height_cm: float
    age_years: float
    sex: Sex

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "weight_kg", finite_float(self.weight_kg, "weight_kg", minimum=0.5, maximum=350.0)
        )
        object.__setattr__(
            self,
            "height_cm",
            finite_float(self.height_cm, "height_cm", minimum=40.0, maximum=250.0),
        )
        object.__setattr__(
            self, "age_years", finite_float(self.age_years, "age_years", minimum=0.0, maximum=120.0)
        )
        if self.sex not in ("female", "male"):
            raise InvalidInputError(
                f"sex must be 'female' or 'male', got {self.sex!r}.",
                field="sex",
                code="invalid_choice",
                params={"value": repr(self.sex)},
            )

    @property
    def bmi_kg_per_m2(self) -> float:
        """Body-mass index (kg/m^2)."""
        return self.weight_kg / (self.height_cm / 100.0) ** 2

    @property
    def ideal_body_weight_kg(self) -> float:
        """Devine ideal body weight: 50 (men) or 45.5 (women) + 0.9055 x (height_cm - 152.4)."""
        base = 50.0 if self.sex == "male" else 45.5
        return base + 0.9055 * (self.height_cm - 152.4)

    @property
    def adjusted_body_weight_kg(self) -> float:
        """Adjusted body weight: IBW + 0.4 x (TBW - IBW)."""
        ibw = self.ideal_body_weight_kg
        return ibw + ADJUSTED_FACTOR * (self.weight_kg - ibw)

    @property
    def lean_body_weight_kg(self) -> float:
        """Lean body weight (Janmahasatian 2005)."""
        if self.sex == "male":
            return 9270.0 * self.weight_kg / (6680.0 + 216.0 * self.bmi_kg_per_m2)
        return 9270.0 * self.weight_kg / (8780.0 + 244.0 * self.bmi_kg_per_m2)

    def dosing_weight(
        self, basis: WeightBasis | None = None, reason: str | None = None
    ) -> DosingWeight:
        """The dosing weight by the obesity rule, or by a clinician's choice with a reason.

        Parameters
        ----------
        basis : {"actual", "ideal", "adjusted", "lean"}, optional
            Overrides the rule; requires ``reason``.
        reason : str, optional
            The clinician's recorded reason for overriding the rule.

        Returns
        -------
        DosingWeight
        """
        tbw = self.weight_kg
        ibw = self.ideal_body_weight_kg
        if basis is None:
            if ibw <= 0.0 or tbw <= OBESITY_RATIO * ibw:
                return DosingWeight(
                    tbw,
                    "actual",
                    f"Actual body weight {tbw:.1f} kg is at most 1.2 x ideal body weight "
                    f"({ibw:.1f} kg, Devine), so the actual weight is used.",
                )
            abw = min(self.adjusted_body_weight_kg, tbw)
            return DosingWeight(
                abw,
                "adjusted",
                f"Actual body weight {tbw:.1f} kg exceeds 1.2 x ideal body weight "
                f"({ibw:.1f} kg, Devine), so the adjusted body weight is used: "
                f"{ibw:.1f} + 0.4 x ({tbw:.1f} - {ibw:.1f}) = {abw:.1f} kg.",
            )
        if basis not in WEIGHT_BASES:
            raise InvalidInputError(
                f"dosing weight basis must be one of {WEIGHT_BASES}.",
                field="dosing_weight_basis",
                code="invalid_choice",
                params={"value": repr(basis)},
            )
        if not reason or not reason.strip():
            raise InvalidInputError(
                "Choosing a dosing weight other than the rule's needs a recorded reason.",
                field="dosing_weight_reason",
                code="reason_required",
            )
        values = {
            "actual": tbw,
            "ideal": ibw,
            "adjusted": self.adjusted_body_weight_kg,
            "lean": self.lean_body_weight_kg,
        }
        chosen = min(values[basis], tbw)
        if chosen <= 0.0:
            raise InvalidInputError(
                f"The {basis} body weight is not positive for this height.",
                field="dosing_weight_basis",
                code="out_of_range",
            )
        return DosingWeight(
            chosen,
            basis,
            f"Clinician chose the {basis} body weight ({chosen:.1f} kg): {reason.strip()}",
        )
