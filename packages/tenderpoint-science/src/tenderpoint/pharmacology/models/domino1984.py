"""Domino 1984: racemic ketamine, three compartments, adults (the default model).

Parameters as shipped by the original STANPUMP, stanpumpR and opentiva (reference 1.2, 5.7):
V1 = 0.063 L/kg x TBW, k10 0.4381, k12 0.5921, k13 0.5900, k21 0.2470, k31 0.0146 1/min
(STANPUMP rounds to 0.438/0.592/0.590/0.247/0.0146). All volumes scale with total body weight
and the rate constants are fixed, so a mg/kg dose gives weight-independent concentrations.
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

V1_L_PER_KG = 0.063
K10, K12, K13, K21, K31 = 0.4381, 0.5921, 0.5900, 0.2470, 0.0146


def _covariates(cov: Covariates) -> dict[str, FloatArray]:
    out = micro_to_structural(V1_L_PER_KG * _common.weight(cov), K10, ((K12, K21), (K13, K31)))
    out["ke0_per_min"] = _common.ke0(cov)
    return out


MODEL = PKModel(
    model_id="domino1984",
    name="Domino 1984 (racemic, 3-compartment)",
    version="domino1984/1.0",
    drug="racemic",
    citation=(
        "Domino EF, Domino SE, Smith RE, et al. Ketamine kinetics in unmedicated and "
        "diazepam-premedicated subjects. Clin Pharmacol Ther 1984;36:645-653. "
        "Parameters as shipped in STANPUMP DRUGS.C, stanpumpR R/drugs_ketamine.R and "
        "opentiva ketamine.py."
    ),
    doi="not retrieved (PMID 6488686 per stanpumpR; opentiva lists PMID 7198883)",
    population="Adult volunteers/patients, unmedicated and diazepam-premedicated",
    sampling_site="probably arterial-like early data (small V1); not confirmed",
    structure="3 compartments + effect site (ke0 transplanted from Olofsen 2022)",
    parameters=(
        Parameter("v1", V1_L_PER_KG, "L/kg", "central volume per kg total body weight"),
        Parameter("k10", K10, "1/min", "elimination rate constant"),
        Parameter("k12", K12, "1/min", "central to fast peripheral"),
        Parameter("k13", K13, "1/min", "central to slow peripheral"),
        Parameter("k21", K21, "1/min", "fast peripheral to central"),
        Parameter("k31", K31, "1/min", "slow peripheral to central"),
    ),
    covariate_equations=(
        "V1 = 0.063 L/kg x TBW; rate constants fixed (all volumes and "
        "clearances proportional to TBW)",
    ),
    covariates=_covariates,
    variability=illustrative_variability(
        ("cl_l_per_min", "v1_l", "q2_l_per_min", "v2_l", "q3_l_per_min", "v3_l")
    ),
    validity=Validity(_common.ADULT_AGE, _common.ADULT_WEIGHT, "adults"),
    lacks=(
        "population inter-individual variability (two-stage study; no Omega published)",
        "a published ke0 (Olofsen 2022 S-ketamine value used)",
        "DOI (PMID conflicts between stanpumpR and opentiva)",
    ),
    notes=(
        "Clearance 27.6 mL/kg/min is ~45 % above the meta-analytic and model-free anchors, "
        "so Domino under-predicts multi-hour infusions (reference 0.2, 5.7).",
    ),
)
