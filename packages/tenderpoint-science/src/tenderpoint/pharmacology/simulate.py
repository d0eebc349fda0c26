"""Exact PK simulation of one patient: closed-form superposition at arbitrary times.

``simulate(model, patient, regimen, times_min)`` reduces the model's declaration to exponential
rates and coefficients (``engine``) and sums the closed-form response of every infusion and
bolus. Nothing here depends on a particular model.

Enantiomers (reference 2.2, 1.1): an S-ketamine model given a racemic regimen is driven with
50 % of the racemic amounts, and the result says so (R-ketamine inhibits S elimination, so the
true fraction is not exactly 0.5). A racemic model given an esketamine regimen predicts with the
racemic disposition, also flagged.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tenderpoint._display import html_table, plain, require_altair
from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology import engine
from tenderpoint.pharmacology._validate import finite_array, finite_float
from tenderpoint.pharmacology.models import get as get_model
from tenderpoint.pharmacology.models.base import PKModel
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Regimen

FloatArray = npt.NDArray[np.float64]


class OutOfValidityRangeWarning(UserWarning):
    """A prediction was made for covariates outside the model's studied range."""


class ExtrapolationWarning(UserWarning):
    """A prediction relies on an approximation the model was not fitted for."""


@dataclass(frozen=True)
class Simulation:
    """Predicted concentrations and amounts for one patient.

    Attributes
    ----------
    times_min : ndarray, shape (n_times,)
    plasma_ng_per_ml : ndarray, shape (n_times,)
        Plasma concentration of the model's drug (racemic or S-ketamine), ng/mL.
    effect_ng_per_ml : ndarray or None, shape (n_times,)
        Effect-site concentration (when the model has a ke0), ng/mL.
    amounts_mg : dict[str, ndarray]
        Amount in each compartment (``central``, ``peripheral_2``, ``peripheral_3``), mg.
    metabolite_ng_per_ml : ndarray or None
        Metabolite concentration where the model has one (apparent scale), ng/mL.
    metabolite : str or None
        Name of the metabolite.
    model_id, model_version, drug : str
        Provenance.
    ke0_per_min : float or None
    out_of_validity_range : bool
    validity_reasons : tuple[str, ...]
    notes : tuple[str, ...]
        Approximations used (enantiomer fractions, transplanted ke0, ...).
    """

    times_min: FloatArray
    plasma_ng_per_ml: FloatArray
    effect_ng_per_ml: FloatArray | None
    amounts_mg: dict[str, FloatArray]
    metabolite_ng_per_ml: FloatArray | None
    metabolite: str | None
    model_id: str
    model_version: str
    drug: str
    ke0_per_min: float | None
    out_of_validity_range: bool
    validity_reasons: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def peak_plasma_ng_per_ml(self) -> float:
        """Largest plasma concentration on the requested times (ng/mL)."""
        return float(self.plasma_ng_per_ml.max(initial=0.0))

    def columns(self) -> dict[str, FloatArray]:
        """The curves by column name: ``time_min``, ``plasma_ng_per_ml``, ``effect_ng_per_ml``,
        ``metabolite_ng_per_ml`` (those computed) and ``<compartment>_mg`` amounts."""
        cols = {"time_min": self.times_min, "plasma_ng_per_ml": self.plasma_ng_per_ml}
        if self.effect_ng_per_ml is not None:
            cols["effect_ng_per_ml"] = self.effect_ng_per_ml
        if self.metabolite_ng_per_ml is not None:
            cols["metabolite_ng_per_ml"] = self.metabolite_ng_per_ml
        cols.update({f"{name}_mg": amount for name, amount in self.amounts_mg.items()})
        return cols

    def to_frame(self) -> Any:
        """The curves as a polars DataFrame, one row per time (columns as ``columns()``)."""
        import polars as pl

        return pl.DataFrame(self.columns())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: every field, arrays as lists, non-finite numbers as null."""
        return dict(plain(self))

    def chart(self) -> Any:
        """An Altair line chart of the plasma (and effect-site) curves; needs the plot extra."""
        alt = require_altair()
        cols = {k: v for k, v in self.columns().items() if k.endswith("ng_per_ml")}
        rows = [
            {"time_min": float(t), "curve": name.removesuffix("_ng_per_ml"), "ng_per_ml": float(c)}
            for name, values in cols.items()
            for t, c in zip(self.times_min, values, strict=True)
        ]
        return (
            alt.Chart(alt.Data(values=rows), title=f"{self.model_id} ({self.drug})")
            .mark_line()
            .encode(
                x=alt.X("time_min:Q", title="time (min)"),
                y=alt.Y("ng_per_ml:Q", title="concentration (ng/mL)"),
                color=alt.Color("curve:N", title=None),
            )
        )

    def __repr__(self) -> str:
        effect = (
            f", peak effect {float(self.effect_ng_per_ml.max()):.4g} ng/mL"
            if self.effect_ng_per_ml is not None and self.effect_ng_per_ml.size
            else ""
        )
        return (
            f"Simulation({self.model_id} {self.model_version}, {self.drug}, "
            f"{self.times_min.size} times, peak plasma {self.peak_plasma_ng_per_ml:.4g} ng/mL"
            f"{effect}{', OUT OF VALIDITY RANGE' if self.out_of_validity_range else ''})"
        )

    def _repr_html_(self) -> str:
        """Provenance and peaks as a table, the notes below (Jupyter's rich display)."""
        rows: list[tuple[str, Any]] = [
            ("model", f"{self.model_id} ({self.model_version})"),
            ("drug", self.drug),
            (
                "times",
                f"{self.times_min.size} from {self.times_min[0]:g} to {self.times_min[-1]:g} min"
                if self.times_min.size
                else "none",
            ),
            ("peak plasma (ng/mL)", self.peak_plasma_ng_per_ml),
            ("ke0 (1/min)", self.ke0_per_min),
            ("out of validity range", self.out_of_validity_range),
        ]
        return html_table("Simulation", rows, (*self.validity_reasons, *self.notes))


def patient_covariates(patient: Patient) -> dict[str, FloatArray]:
    """Covariate arrays (shape (1,)) for one patient, as model covariate functions expect."""
    return {
        "weight_kg": np.array([patient.weight_kg]),
        "age_years": np.array([patient.age_years]),
        "height_cm": np.array([patient.height_cm]),
        "is_female": np.array([1.0 if patient.sex == "female" else 0.0]),
    }


def resolve_model(model: PKModel | str, research_mode: bool) -> PKModel:
    """Look a model up and refuse research-only models outside research mode."""
    resolved = get_model(model) if isinstance(model, str) else model
    if not isinstance(resolved, PKModel):
        raise InvalidInputError(
            "model must be a PKModel or a registered model id.", field="model", code="invalid_type"
        )
    if resolved.research_only and not research_mode:
        raise InvalidInputError(
            f"{resolved.model_id} is a research-only model ({resolved.population}); pass "
            "research_mode=True to use it.",
            field="model",
            code="research_only_model",
            params={"model_id": resolved.model_id},
        )
    return resolved


def input_fraction(model: PKModel, regimen: Regimen) -> tuple[float, tuple[str, ...]]:
    """Fraction of the regimen's amounts that drives the model, and why."""
    if model.drug == "S-ketamine" and regimen.product == "racemic":
        return 0.5, (
            "S-ketamine model driven with 50 % of the racemic amounts: an "
            "approximation (R-ketamine inhibits S-ketamine elimination).",
        )
    if model.drug == "racemic" and regimen.product == "esketamine":
        return 1.0, (
            "Racemic model driven with an esketamine regimen: predicts with racemic "
            "disposition (S-ketamine is cleared faster than the racemate).",
        )
    return 1.0, ()


def individual_system(
    model: PKModel,
    structural: Mapping[str, FloatArray],
    ke0_per_min: float | FloatArray | None,
    extra_driven: Mapping[str, engine.Driven] | None = None,
) -> engine.Disposition:
    """Structural parameters -> engine disposition with effect site and metabolite."""
    driven: dict[str, engine.Driven] = {}
    if ke0_per_min is not None:
        ke0 = np.asarray(ke0_per_min, dtype=np.float64)
        driven["effect"] = engine.Driven(ke0, ke0)
    if "cl_m_l_per_min" in structural:
        v_m = np.asarray(structural["v_m_l"], dtype=np.float64)
        driven["metabolite"] = engine.Driven(
            np.asarray(structural["cl_l_per_min"]) / v_m,
            np.asarray(structural["cl_m_l_per_min"]) / v_m,
            v_m,
        )
    driven.update(extra_driven or {})
    core = {
        k: v
        for k, v in structural.items()
        if k in ("v1_l", "cl_l_per_min", "q2_l_per_min", "v2_l", "q3_l_per_min", "v3_l")
    }
    return engine.build_disposition(core, driven)


def validity(model: PKModel, patient: Patient) -> tuple[bool, tuple[str, ...]]:
    """Whether the patient is outside the model's studied range, and why (warns if so)."""
    reasons = model.validity.reasons(patient.age_years, patient.weight_kg)
    if reasons:
        warnings.warn(
            f"{model.model_id}: " + "; ".join(reasons), OutOfValidityRangeWarning, stacklevel=3
        )
    return bool(reasons), reasons


def schedule_arrays(regimen: Regimen, fraction: float) -> engine.Schedule:
    """The regimen as engine arrays, amounts multiplied by ``fraction``."""
    starts, ends, rates, bolus_t, bolus_mg = regimen.arrays()
    return starts, ends, rates * fraction, bolus_t, bolus_mg * fraction


def resolve_ke0(
    model: PKModel,
    structural: Mapping[str, FloatArray],
    ke0_per_min: float | None,
    with_effect_site: bool,
) -> float | None:
    """The ke0 to use: an explicit override, the model's default, or none."""
    if not with_effect_site:
        return None
    if ke0_per_min is not None:
        return finite_float(ke0_per_min, "ke0_per_min", minimum=0.0, strict_minimum=True)
    if "ke0_per_min" in structural:
        return float(np.asarray(structural["ke0_per_min"]).reshape(-1)[0])
    return None


def simulate(
    model: PKModel | str,
    patient: Patient,
    regimen: Regimen,
    times_min: npt.ArrayLike,
    *,
    ke0_per_min: float | None = None,
    with_effect_site: bool = True,
    research_mode: bool = False,
) -> Simulation:
    """Exact concentrations for one patient under a regimen.

    Parameters
    ----------
    model : PKModel or str
        A model declaration or registry id.
    patient : Patient
    regimen : Regimen
    times_min : array_like, shape (n_times,)
        Evaluation times (min, same reference as the regimen), any order, finite.
    ke0_per_min : float, optional
        Overrides the model's effect-site rate constant (sensitivity analysis).
    with_effect_site : bool
        Compute the effect site (default True when the model has a ke0).
    research_mode : bool
        Required to use research-only (paediatric) models.

    Returns
    -------
    Simulation
    """
    m = resolve_model(model, research_mode)
    if not isinstance(patient, Patient):
        raise InvalidInputError("patient must be a Patient.", field="patient", code="invalid_type")
    if not isinstance(regimen, Regimen):
        raise InvalidInputError("regimen must be a Regimen.", field="regimen", code="invalid_type")
    times = finite_array(times_min, "times_min")
    structural = m.covariates(patient_covariates(patient))
    ke0 = resolve_ke0(m, structural, ke0_per_min, with_effect_site)
    disp = individual_system(m, structural, ke0)
    fraction, notes = input_fraction(m, regimen)
    if notes:
        warnings.warn(" ".join(notes), ExtrapolationWarning, stacklevel=2)
    names = [n for n in disp.coefficients if n != "amount_metabolite"]
    values = engine.evaluate(disp, schedule_arrays(regimen, fraction), times, tuple(names))
    outside, reasons = validity(m, patient)
    scale = engine.MG_PER_L_TO_NG_PER_ML
    amounts = {
        name.removeprefix("amount_"): values[name][0]
        for name in names
        if name.startswith("amount_")
    }
    if ke0 is not None and ke0_per_min is None:
        notes = (*notes, f"Effect site: {m.ke0_source}.")
    return Simulation(
        times_min=times,
        plasma_ng_per_ml=values["plasma"][0] * scale,
        effect_ng_per_ml=values["effect"][0] * scale if "effect" in values else None,
        amounts_mg=amounts,
        metabolite_ng_per_ml=values["metabolite"][0] * scale if "metabolite" in values else None,
        metabolite=m.metabolite,
        model_id=m.model_id,
        model_version=m.version,
        drug=m.drug,
        ke0_per_min=ke0,
        out_of_validity_range=outside,
        validity_reasons=reasons,
        notes=notes,
    )
