"""Acute effects: sigmoid Emax analgesia and dissociation driven by effect-site S-ketamine.

Reference 2.2/2.5: Olofsen 2022 found one concentration-effect relationship for S-ketamine
antinociception and external perception (psychedelic effect): C50 0.51 nmol/mL (~121 ng/mL),
blood-effect-site t1/2 8.3 min; R-ketamine contributes nothing. Hill coefficients and Emax per
endpoint were not retrieved, so gamma = 1 and Emax = 1 (output = fraction of the maximal
effect) are declared as assumptions in ``lacks``, not presented as published values.

A racemic PK model predicts racemic concentrations; the S-ketamine concentration is taken as
0.5 x racemic, an explicit, flagged approximation (R inhibits S elimination; S is cleared
faster, so the true fraction is not 0.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tenderpoint.pharmacology._validate import finite_array, finite_float
from tenderpoint.pharmacology.models.base import PKModel
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Regimen
from tenderpoint.pharmacology.simulate import resolve_model, simulate

FloatArray = npt.NDArray[np.float64]
OLOFSEN2022 = (
    "Olofsen E, Kamp J, Henthorn TK, et al. Ketamine psychedelic and antinociceptive effects "
    "are connected. Anesthesiology 2022;136:792-801. doi:10.1097/aln.0000000000004176"
)


@dataclass(frozen=True)
class EmaxModel:
    """A sigmoid Emax model on effect-site S-ketamine: E = Emax C^g / (C50^g + C^g)."""

    model_id: str
    endpoint: str
    c50_ng_per_ml: float
    ke0_per_min: float
    citation: str
    version: str
    lacks: tuple[str, ...]
    gamma: float = 1.0
    emax: float = 1.0
    enantiomer: str = "S"

    def __post_init__(self) -> None:
        finite_float(self.c50_ng_per_ml, "c50_ng_per_ml", minimum=0.0, strict_minimum=True)
        finite_float(self.ke0_per_min, "ke0_per_min", minimum=0.0, strict_minimum=True)
        finite_float(self.gamma, "gamma", minimum=0.0, strict_minimum=True)
        finite_float(self.emax, "emax", minimum=0.0, maximum=1.0, strict_minimum=True)


_LACKS = (
    "Hill coefficient (gamma = 1 assumed)",
    "Emax per endpoint (1 = fraction of maximum)",
    "hyperalgesia after infusion (Sigtermans 2009)",
    "S-norketamine's small antagonistic effect",
)
OLOFSEN2022_ANALGESIA = EmaxModel(
    "olofsen2022-antinociception",
    "antinociception (pressure pain)",
    0.51 * 237.7,
    math.log(2.0) / 8.3,
    OLOFSEN2022,
    "olofsen2022-antinociception/1.0",
    _LACKS,
)
OLOFSEN2022_DISSOCIATION = EmaxModel(
    "olofsen2022-external-perception",
    "external perception (dissociation)",
    0.51 * 237.7,
    math.log(2.0) / 8.3,
    OLOFSEN2022,
    "olofsen2022-external-perception/1.0",
    _LACKS,
)


@dataclass(frozen=True)
class PDPrediction:
    """An effect prediction with its provenance and extrapolation flags.

    Attributes
    ----------
    times_min : ndarray, shape (n_times,)
    effect_fraction : ndarray, shape (n_times,)
        Fraction of the maximal effect (0..emax).
    effect_site_s_ng_per_ml : ndarray, shape (n_times,)
        Effect-site S-ketamine concentration that drives it.
    endpoint, model_id, version, enantiomer, pk_model_id, pk_model_version : str
    extrapolated : bool
    flags : tuple[str, ...]
    """

    times_min: FloatArray
    effect_fraction: FloatArray
    effect_site_s_ng_per_ml: FloatArray
    endpoint: str
    model_id: str
    version: str
    enantiomer: str
    pk_model_id: str
    pk_model_version: str
    extrapolated: bool
    flags: tuple[str, ...]


def effect_fraction(
    c_s_ng_per_ml: npt.ArrayLike, model: EmaxModel = OLOFSEN2022_ANALGESIA
) -> FloatArray:
    """Sigmoid Emax of effect-site S-ketamine.

    Parameters
    ----------
    c_s_ng_per_ml : array_like, shape (...)
        Effect-site S-ketamine concentration (ng/mL), >= 0.
    model : EmaxModel

    Returns
    -------
    ndarray, shape (...)
        ``emax * C^g / (C50^g + C^g)``.
    """
    c = finite_array(c_s_ng_per_ml, "c_s_ng_per_ml", minimum=0.0, ndim=None)
    cg = c**model.gamma
    return np.asarray(model.emax * cg / (model.c50_ng_per_ml**model.gamma + cg), dtype=np.float64)


def predict_acute(
    pk_model: PKModel | str,
    patient: Patient,
    regimen: Regimen,
    times_min: npt.ArrayLike,
    pd_model: EmaxModel = OLOFSEN2022_ANALGESIA,
    *,
    research_mode: bool = False,
) -> PDPrediction:
    """Acute effect over time for a regimen (effect site with the PD model's ke0).

    Parameters
    ----------
    pk_model : PKModel or str
    patient : Patient
    regimen : Regimen
    times_min : array_like, shape (n_times,)
    pd_model : EmaxModel
        Analgesia (default) or dissociation.
    research_mode : bool

    Returns
    -------
    PDPrediction
    """
    m = resolve_model(pk_model, research_mode)
    sim = simulate(
        m,
        patient,
        regimen,
        times_min,
        ke0_per_min=pd_model.ke0_per_min,
        research_mode=research_mode,
    )
    assert sim.effect_ng_per_ml is not None  # noqa: S101  (ke0 given explicitly)
    flags = list(sim.notes)
    if m.drug == "racemic" and regimen.product == "racemic":
        c_s = 0.5 * sim.effect_ng_per_ml
        flags.append(
            "S-ketamine taken as 0.5 x racemic effect-site concentration "
            "(approximation; enantioselective clearance ignored)."
        )
    else:
        c_s = sim.effect_ng_per_ml
    flags.append(
        f"ke0 {pd_model.ke0_per_min:.4g}/min from the PD model (S-ketamine, "
        "Olofsen 2022) applied to the PK model's plasma prediction."
    )
    if sim.out_of_validity_range:
        flags.append(
            "PK prediction outside the model's validity range: " + "; ".join(sim.validity_reasons)
        )
    flags.append(
        "Fitted in healthy volunteers (experimental pain); clinical fibromyalgia pain "
        "relief is an extrapolation."
    )
    values = effect_fraction(c_s, pd_model)
    return PDPrediction(
        sim.times_min,
        values,
        c_s,
        pd_model.endpoint,
        pd_model.model_id,
        pd_model.version,
        pd_model.enantiomer,
        m.model_id,
        m.version,
        True,
        tuple(flags),
    )
