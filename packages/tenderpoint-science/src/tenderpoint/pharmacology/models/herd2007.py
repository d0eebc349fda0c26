"""Herd 2007: racemic ketamine in children, two compartments, allometric (research mode only).

Reference 1.2/5.7: V1 38.7 L/70 kg, V2 102 L/70 kg (proportional to weight); CL 90 L/h/70 kg,
Q 215 L/h/70 kg (scaled by (WT/70)^0.75). At 70 kg: CL 1.5 L/min, Q 3.5833 L/min. These four
values and the DOI were checked against the paper's abstract (PMID 17564643).

ke0 (decision, issue 15): the same group's pharmacodynamic paper (Herd 2008, Paediatr Anaesth
18:36-42, PMID 18095964) published an equilibration half-time of 11 s (95 % CI 0.07-20 s) for
*sedation* in these children. It is not the default here: the effect site in tenderpoint stands
for analgesia and dissociation (Olofsen 2022's 8.3 min, as in every other model), an 11-s
half-time cannot be resolved by this study's sampling (first sample after 14 min, median 3
samples), and its interval reaches almost zero. It is recorded as a published alternative for a
caller who models sedation (``SEDATION_KE0_PER_MIN``, pass it as ``ke0_per_min``).
"""

from __future__ import annotations

import math

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
# Herd 2008: t1/2ke0 = 11 s for sedation -> ke0 = ln 2 / (11/60 min) = 3.78 /min.
SEDATION_KE0_PER_MIN = math.log(2.0) / (11.0 / 60.0)


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
        "Herd DW, Anderson BJ. Ketamine disposition in children presenting for procedural "
        "sedation and analgesia in a children's emergency department. Paediatr Anaesth "
        "2007;17:622-629 (PMID 17564643). Parameters checked against the abstract."
    ),
    doi="10.1111/j.1460-9592.2006.02145.x",
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
        "inter-individual variability in a usable form: the abstract gives BSV V1 64 %, "
        "V2 51.7 %, CL 38.1 %, Q 19 % without saying whether these are sqrt(omega^2) or CV; "
        "the illustrative defaults are used until the paper's table is checked",
        "a ke0 for analgesia: Herd 2008 (PMID 18095964) published t1/2ke0 11 s (95 % CI "
        "0.07-20 s) for sedation only (SEDATION_KE0_PER_MIN); the default is Olofsen 2022's",
    ),
    research_only=True,
    notes=("Paediatric: not offered in adult clinic mode (research mode only).",),
)
