"""Clements & Nimmo 1981 "Clements250": racemic ketamine, two compartments, adults.

Parameters as transcribed by opentiva (reference 1.2): V1 = 1.7522 L/kg x TBW, k10 0.0109,
k12 0.0186, k21 0.0137 1/min. A 1.75 L/kg *central* volume is physiologically implausible
(probably venous/late sampling); the reference asks to verify against the paper before clinical
display, so the model says so in ``notes``.
"""

from __future__ import annotations

from tenderpoint.pharmacology.models import _common
from tenderpoint.pharmacology.models.base import (
    Covariates,
    FloatArray,
    Parameter,
    PKModel,
    Validity,
    illustrative_variability,
    micro_to_structural,
)

V1_L_PER_KG = 1.7522
K10, K12, K21 = 0.0109, 0.0186, 0.0137


def _covariates(cov: Covariates) -> dict[str, FloatArray]:
    out = micro_to_structural(V1_L_PER_KG * _common.weight(cov), K10, ((K12, K21),))
    out["ke0_per_min"] = _common.ke0(cov)
    return out


MODEL = PKModel(
    model_id="clements1981",
    name="Clements & Nimmo 1981, Clements250 (racemic, 2-compartment)",
    version="clements1981/1.0",
    drug="racemic",
    citation=(
        "Clements JA, Nimmo WS. Pharmacokinetics and analgesic effect of ketamine in man. "
        "Br J Anaesth 1981;53:27-30. Parameters as transcribed in opentiva ketamine.py "
        "(Clements250)."
    ),
    doi="10.1093/bja/53.1.27",
    population="Adult volunteers, 250 ug/kg IV bolus data",
    sampling_site="venous-like (large V1); not confirmed",
    structure="2 compartments + effect site (ke0 transplanted from Olofsen 2022)",
    parameters=(
        Parameter("v1", V1_L_PER_KG, "L/kg", "central volume per kg total body weight"),
        Parameter("k10", K10, "1/min", "elimination rate constant"),
        Parameter("k12", K12, "1/min", "central to peripheral"),
        Parameter("k21", K21, "1/min", "peripheral to central"),
    ),
    covariate_equations=("V1 = 1.7522 L/kg x TBW; rate constants fixed",),
    covariates=_covariates,
    variability=illustrative_variability(("cl_l_per_min", "v1_l", "q2_l_per_min", "v2_l")),
    validity=Validity(_common.ADULT_AGE, _common.ADULT_WEIGHT, "adults"),
    lacks=(
        "population inter-individual variability (no Omega published)",
        "a published ke0 (Olofsen 2022 S-ketamine value used)",
        "verification of the opentiva transcription against the paper",
    ),
    notes=(
        "V1 1.75 L/kg is implausible as a central volume: verify against the paper before "
        "clinical display (reference 1.2, 7.3).",
    ),
)
