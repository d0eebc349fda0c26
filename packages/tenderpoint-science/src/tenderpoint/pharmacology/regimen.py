"""Dosing schedules: piecewise-constant infusions and instantaneous boluses into plasma.

Infusions may overlap (two lines, or a loading infusion over a maintenance one); the engine
adds them by superposition, so overlap is exact. All amounts are mg of ketamine base of the
product named on the regimen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology._validate import finite_float

Product = Literal["racemic", "esketamine"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Infusion:
    """A constant-rate infusion.

    Attributes
    ----------
    start_min : float
        Start (min from the regimen's reference time), >= 0.
    duration_min : float
        Duration (min), > 0.
    rate_mg_per_min : float
        Rate (mg/min), >= 0.
    """

    start_min: float
    duration_min: float
    rate_mg_per_min: float

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "start_min", finite_float(self.start_min, "start_min", minimum=0.0)
        )
        object.__setattr__(
            self,
            "duration_min",
            finite_float(self.duration_min, "duration_min", minimum=0.0, strict_minimum=True),
        )
        object.__setattr__(
            self,
            "rate_mg_per_min",
            finite_float(self.rate_mg_per_min, "rate_mg_per_min", minimum=0.0),
        )

    @property
    def end_min(self) -> float:
        """End of the infusion (min)."""
        return self.start_min + self.duration_min

    @property
    def dose_mg(self) -> float:
        """Amount delivered (mg)."""
        return self.rate_mg_per_min * self.duration_min


@dataclass(frozen=True)
class Bolus:
    """An instantaneous dose (a bolus given over minutes is an ``Infusion``).

    Attributes
    ----------
    time_min : float
        When (min), >= 0.
    dose_mg : float
        Amount (mg), >= 0.
    """

    time_min: float
    dose_mg: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_min", finite_float(self.time_min, "time_min", minimum=0.0))
        object.__setattr__(self, "dose_mg", finite_float(self.dose_mg, "dose_mg", minimum=0.0))


@dataclass(frozen=True)
class Regimen:
    """Infusions and boluses of one product.

    Parameters
    ----------
    infusions : iterable of Infusion
    boluses : iterable of Bolus
    product : {"racemic", "esketamine"}
        The product the amounts are of.
    """

    infusions: tuple[Infusion, ...] = field(default_factory=tuple)
    boluses: tuple[Bolus, ...] = field(default_factory=tuple)
    product: Product = "racemic"

    def __init__(
        self,
        infusions: Iterable[Infusion] = (),
        boluses: Iterable[Bolus] = (),
        product: Product = "racemic",
    ) -> None:
        infusions_t = tuple(infusions)
        boluses_t = tuple(boluses)
        for i, inf in enumerate(infusions_t):
            if not isinstance(inf, Infusion):
                raise InvalidInputError(
                    f"infusions[{i}] must be an Infusion.", field="infusions", code="invalid_type"
                )
        for i, bol in enumerate(boluses_t):
            if not isinstance(bol, Bolus):
                raise InvalidInputError(
                    f"boluses[{i}] must be a Bolus.", field="boluses", code="invalid_type"
                )
        if product not in ("racemic", "esketamine"):
            raise InvalidInputError(
                "product must be 'racemic' or 'esketamine'.", field="product", code="invalid_choice"
            )
        object.__setattr__(
            self, "infusions", tuple(sorted(infusions_t, key=lambda x: (x.start_min, x.end_min)))
        )
        object.__setattr__(self, "boluses", tuple(sorted(boluses_t, key=lambda b: b.time_min)))
        object.__setattr__(self, "product", product)

    # --- weight-based constructors -------------------------------------------------------
    @classmethod
    def mg_per_kg_over(
        cls,
        dose_mg_per_kg: float,
        duration_min: float,
        weight_kg: float,
        *,
        start_min: float = 0.0,
        product: Product = "racemic",
    ) -> Regimen:
        """A fixed mg/kg dose infused at constant rate over ``duration_min`` (e.g. 0.5 mg/kg
        over 40 min). ``weight_kg`` is the dosing weight."""
        dose = finite_float(dose_mg_per_kg, "dose_mg_per_kg", minimum=0.0)
        duration = finite_float(duration_min, "duration_min", minimum=0.0, strict_minimum=True)
        weight = finite_float(weight_kg, "weight_kg", minimum=0.0, strict_minimum=True)
        return cls([Infusion(start_min, duration, dose * weight / duration)], product=product)

    @classmethod
    def mg_per_kg_per_h(
        cls,
        rate_mg_per_kg_per_h: float,
        duration_min: float,
        weight_kg: float,
        *,
        start_min: float = 0.0,
        product: Product = "racemic",
    ) -> Regimen:
        """A constant mg/kg/h infusion for ``duration_min`` (``weight_kg`` = dosing weight)."""
        rate = finite_float(rate_mg_per_kg_per_h, "rate_mg_per_kg_per_h", minimum=0.0)
        weight = finite_float(weight_kg, "weight_kg", minimum=0.0, strict_minimum=True)
        return cls([Infusion(start_min, duration_min, rate * weight / 60.0)], product=product)

    @classmethod
    def bolus_then_infusion(
        cls,
        bolus_mg_per_kg: float,
        bolus_duration_min: float,
        rate_mg_per_kg_per_h: float,
        infusion_duration_min: float,
        weight_kg: float,
        *,
        product: Product = "racemic",
    ) -> Regimen:
        """A loading dose (instantaneous if ``bolus_duration_min`` is 0, else a short infusion)
        followed by a mg/kg/h infusion starting when the bolus ends."""
        bolus = finite_float(bolus_mg_per_kg, "bolus_mg_per_kg", minimum=0.0)
        bolus_duration = finite_float(bolus_duration_min, "bolus_duration_min", minimum=0.0)
        weight = finite_float(weight_kg, "weight_kg", minimum=0.0, strict_minimum=True)
        infusion = cls.mg_per_kg_per_h(
            rate_mg_per_kg_per_h,
            infusion_duration_min,
            weight,
            start_min=bolus_duration,
            product=product,
        )
        if bolus == 0.0:
            return infusion
        if bolus_duration == 0.0:
            return cls(infusion.infusions, [Bolus(0.0, bolus * weight)], product=product)
        loading = Infusion(0.0, bolus_duration, bolus * weight / bolus_duration)
        return cls((loading, *infusion.infusions), product=product)

    def __add__(self, other: Regimen) -> Regimen:
        if self.product != other.product:
            raise InvalidInputError(
                "Cannot combine regimens of different products.",
                field="product",
                code="product_mismatch",
            )
        return Regimen(self.infusions + other.infusions, self.boluses + other.boluses, self.product)

    def shifted(self, offset_min: float) -> Regimen:
        """The same regimen starting ``offset_min`` later."""
        return Regimen(
            [
                Infusion(i.start_min + offset_min, i.duration_min, i.rate_mg_per_min)
                for i in self.infusions
            ],
            [Bolus(b.time_min + offset_min, b.dose_mg) for b in self.boluses],
            self.product,
        )

    # --- derived quantities ------------------------------------------------------------
    @property
    def total_dose_mg(self) -> float:
        """Everything the regimen delivers (mg)."""
        return sum(i.dose_mg for i in self.infusions) + sum(b.dose_mg for b in self.boluses)

    @property
    def end_min(self) -> float:
        """When the last input ends (min)."""
        ends = [i.end_min for i in self.infusions] + [b.time_min for b in self.boluses]
        return max(ends, default=0.0)

    def delivered_mg(self, time_min: float) -> float:
        """Cumulative amount delivered by ``time_min`` (boluses at t count at t)."""
        total = sum(b.dose_mg for b in self.boluses if b.time_min <= time_min)
        for i in self.infusions:
            total += i.rate_mg_per_min * min(max(time_min - i.start_min, 0.0), i.duration_min)
        return total

    def arrays(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """(infusion starts, ends, rates mg/min, bolus times, bolus doses mg) as arrays."""
        inf = self.infusions
        return (
            np.array([i.start_min for i in inf], dtype=np.float64),
            np.array([i.end_min for i in inf], dtype=np.float64),
            np.array([i.rate_mg_per_min for i in inf], dtype=np.float64),
            np.array([b.time_min for b in self.boluses], dtype=np.float64),
            np.array([b.dose_mg for b in self.boluses], dtype=np.float64),
        )

    def scaled(self, factor: float) -> Regimen:
        """Every amount multiplied by ``factor`` (used for enantiomer fractions)."""
        return Regimen(
            [
                Infusion(i.start_min, i.duration_min, i.rate_mg_per_min * factor)
                for i in self.infusions
            ],
            [Bolus(b.time_min, b.dose_mg * factor) for b in self.boluses],
            self.product,
        )
