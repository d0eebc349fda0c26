"""Herd 2007: racemic ketamine in children, two compartments, allometric (research mode only).

Reference 1.2/5.7: V1 38.7 L/70 kg, V2 102 L/70 kg (proportional to weight); CL 90 L/h/70 kg,
Q 215 L/h/70 kg (scaled by (WT/70)^0.75). At 70 kg: CL 1.5 L/min, Q 3.5833 L/min.
"""

from __future__ import annotations

from tenderpoint.pharmacology.models import _common
from tenderpoint.pharmacology.models.base import (
    Covariates,
    FloatArray,
    Parameter,
    PKModel,
    Range,
    Validity,
    illustrative_variability,
)

V1_L, V2_L, CL_L_PER_H, Q_L_PER_H = 38.7, 102.0, 90.0, 215.0


def _covariates(cov: Covariates) -> dict[str, FloatArray]:
    size = _common.weight(cov) / 70.0
    allometric = size**0.75
    return {
        "v1_l": V1_L * size,
        "v2_l": V2_L * size,
        "cl_l_per_min": CL_L_PER_H / 60.0 * allometric,
        "q2_l_per_min": Q_L_PER_H / 60.0 * allometric,
        "ke0_per_min": _common.ke0(cov),
    }


MODEL = PKModel(
    model_id="herd2007",
    name="Herd 2007 (racemic, 2-compartment, children)",
    version="herd2007/1.0",
    drug="racemic",
    citation=(
        "Herd DW, Anderson BJ, Holford NHG. Paediatr Anaesth 2007 (PMID 17564643). "
        "Parameters as transcribed in opentiva."
    ),
    doi="not retrieved (PMID 17564643)",
    population="Children 1-14 years, 10.8-74.8 kg",
    sampling_site="not stated in the retrieved sources",
    structure="2 compartments + effect site (ke0 transplanted from Olofsen 2022)",
    parameters=(
        Parameter("v1", V1_L, "L/70 kg", "central volume, proportional to weight"),
        Parameter("v2", V2_L, "L/70 kg", "peripheral volume, proportional to weight"),
        Parameter("cl", CL_L_PER_H, "L/h/70 kg", "clearance, (WT/70)^0.75"),
        Parameter("q", Q_L_PER_H, "L/h/70 kg", "inter-compartmental clearance, (WT/70)^0.75"),
    ),
    covariate_equations=("V = V_70 x (WT/70)", "CL, Q = value_70 x (WT/70)^0.75"),
    covariates=_covariates,
    variability=illustrative_variability(("cl_l_per_min", "v1_l", "q2_l_per_min", "v2_l")),
    validity=Validity(
        Range(1.0, 14.0, "years", "published study range"),
        Range(10.8, 74.8, "kg", "published study range"),
        "children",
    ),
    lacks=(
        "norketamine parameters (the paper models the metabolite; not retrieved)",
        "inter-individual variability (not retrieved)",
        "a published ke0",
    ),
    research_only=True,
    notes=("Paediatric: not offered in adult clinic mode (research mode only).",),
)
