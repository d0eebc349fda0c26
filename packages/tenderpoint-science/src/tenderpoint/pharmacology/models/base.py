"""The declaration every published PK model fills in; the engine reads only this.

A model module builds one frozen ``PKModel``: the parameters as published (with units), a
covariate function turning covariate arrays into *structural* parameters the engine
understands (central volume, clearance, peripheral (Q, V) pairs, optional S-norketamine-style
metabolite, ke0), the variability, validity ranges, provenance and what is missing.

Structural parameter names (all arrays broadcast over subjects):
``v1_l``, ``cl_l_per_min``, ``q2_l_per_min``, ``v2_l``, ``q3_l_per_min``, ``v3_l``,
``cl_m_l_per_min`` and ``v_m_l`` (metabolite), ``ke0_per_min``. IIV names in ``Variability``
are these same names.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Drug = Literal["racemic", "S-ketamine"]

#: Olofsen 2022: blood-effect-site t1/2 8.3 min for S-ketamine antinociception and
#: external perception; the reference recommends it as the default for every model.
KE0_OLOFSEN2022_PER_MIN = math.log(2.0) / 8.3
KE0_SOURCE = (
    "Olofsen E, Kamp J, Henthorn TK, et al. Ketamine psychedelic and antinociceptive effects "
    "are connected. Anesthesiology 2022;136:792-801. doi:10.1097/aln.0000000000004176 "
    "(t1/2ke0 8.3 min, 95 % CI 5.1-13.0; S-ketamine; transplanted to this model)"
)
KE0_SENSITIVITY_HALF_LIVES_MIN = (6.1, 11.8)  # Olofsen 2012 mean and pain-intensity values


@dataclass(frozen=True)
class Parameter:
    """One published number with its unit and where it comes from."""

    name: str
    value: float
    unit: str
    description: str


@dataclass(frozen=True)
class Range:
    """Closed interval ``[low, high]`` of a covariate with the basis of the bounds."""

    low: float
    high: float
    unit: str
    basis: str

    def contains(self, value: float) -> bool:
        """True when ``low <= value <= high``."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Validity:
    """Where a model was studied; outside it a prediction is flagged, not refused."""

    age_years: Range
    weight_kg: Range
    population: str

    def reasons(self, age_years: float, weight_kg: float) -> tuple[str, ...]:
        """Why a patient lies outside the studied range (empty when inside)."""
        out: list[str] = []
        if not self.age_years.contains(age_years):
            out.append(
                f"age {age_years:g} y outside {self.age_years.low:g}-"
                f"{self.age_years.high:g} y ({self.age_years.basis})"
            )
        if not self.weight_kg.contains(weight_kg):
            out.append(
                f"weight {weight_kg:g} kg outside {self.weight_kg.low:g}-"
                f"{self.weight_kg.high:g} kg ({self.weight_kg.basis})"
            )
        return tuple(out)


def omega_sq_from_cv(cv: float) -> float:
    """Log-normal variance from a coefficient of variation: ln(1 + CV^2)."""
    return math.log1p(cv * cv)


@dataclass(frozen=True)
class Variability:
    """Log-normal inter-individual variability: P_i = TV * exp(eta_i), eta ~ N(0, Omega).

    Attributes
    ----------
    omega_sq : Mapping[str, float]
        Variances on the log scale, keyed by structural parameter name.
    correlations : Mapping[tuple[str, str], float]
        Correlations between etas (pairs not listed are independent).
    source : str
        Where the numbers come from.
    illustrative : bool
        True when no published Omega exists and the reference's illustrative defaults are used.
    """

    omega_sq: Mapping[str, float]
    source: str
    illustrative: bool
    correlations: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def covariance(self) -> tuple[tuple[str, ...], FloatArray]:
        """Names and the covariance matrix of the etas."""
        names = tuple(self.omega_sq)
        sd = np.sqrt(np.array([self.omega_sq[n] for n in names], dtype=np.float64))
        corr = np.eye(len(names))
        for (a, b), r in self.correlations.items():
            i, j = names.index(a), names.index(b)
            corr[i, j] = corr[j, i] = r
        return names, np.asarray(corr * np.outer(sd, sd), dtype=np.float64)


def illustrative_variability(structural: tuple[str, ...]) -> Variability:
    """The reference's default Monte Carlo settings (section 1.4) for models without Omega."""
    omega = {
        "cl_l_per_min": 0.294,
        "v1_l": 0.385,
        "q2_l_per_min": 0.294,
        "v2_l": 0.294,
        "q3_l_per_min": 0.294,
        "v3_l": 0.294,
    }
    return Variability(
        omega_sq={name: omega[name] ** 2 for name in structural if name in omega},
        source=(
            "Illustrative variability (reference section 1.4): omega CL 0.294 (30 % CV), "
            "V1 0.385 (40 %), Q2, Q3, V2, V3 0.294; no correlations. No published Omega "
            "exists for this model."
        ),
        illustrative=True,
    )


Covariates = Mapping[str, FloatArray]
CovariateFunction = Callable[[Covariates], dict[str, FloatArray]]


@dataclass(frozen=True)
class PKModel:
    """A published pharmacokinetic model as a declaration.

    Attributes
    ----------
    model_id : str
        Registry key, e.g. ``"domino1984"``.
    name : str
        Human-readable name.
    version : str
        Changes whenever a number changes; stored with every result.
    drug : {"racemic", "S-ketamine"}
        What the concentrations are of.
    citation, doi : str
        Provenance.
    population : str
        Who was studied.
    sampling_site : str
        Arterial or venous, as far as known.
    structure : str
        Compartments, effect site, metabolite.
    parameters : tuple[Parameter, ...]
        The published numbers with units.
    covariate_equations : tuple[str, ...]
        The covariate model in words/formulae.
    covariates : CovariateFunction
        Maps covariate arrays (``weight_kg``, ``age_years``, ``height_cm``, ``is_female``) to
        structural parameters (see module docstring).
    variability : Variability
        IIV used by ``simulate_population``.
    validity : Validity
        Studied ranges.
    lacks : tuple[str, ...]
        What the model does not have (not invented here).
    research_only : bool
        Paediatric or otherwise not for adult clinic use.
    metabolite : str or None
        Name of the modelled metabolite.
    ke0_source : str
        Where the default ke0 comes from.
    residual_error : str
        The residual error model, when published.
    notes : tuple[str, ...]
        Decisions and caveats.
    """

    model_id: str
    name: str
    version: str
    drug: Drug
    citation: str
    doi: str
    population: str
    sampling_site: str
    structure: str
    parameters: tuple[Parameter, ...]
    covariate_equations: tuple[str, ...]
    covariates: CovariateFunction
    variability: Variability
    validity: Validity
    lacks: tuple[str, ...]
    research_only: bool = False
    metabolite: str | None = None
    ke0_source: str = KE0_SOURCE
    residual_error: str = "not published"
    notes: tuple[str, ...] = ()

    @property
    def enantiomer(self) -> str:
        """``"S"`` for S-ketamine models, ``"racemic"`` otherwise."""
        return "S" if self.drug == "S-ketamine" else "racemic"

    def parameter(self, name: str) -> Parameter:
        """The published parameter called ``name``."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


def micro_to_structural(
    v1_l: FloatArray, k10: float, peripherals: tuple[tuple[float, float], ...]
) -> dict[str, FloatArray]:
    """Convert a V1 plus micro-constants (k10; (k1j, kj1) pairs, 1/min) to CL, Q, V."""
    out: dict[str, FloatArray] = {"v1_l": v1_l, "cl_l_per_min": k10 * v1_l}
    for j, (k1j, kj1) in enumerate(peripherals, start=2):
        q = k1j * v1_l
        out[f"q{j}_l_per_min"] = q
        out[f"v{j}_l"] = q / kj1
    return out
