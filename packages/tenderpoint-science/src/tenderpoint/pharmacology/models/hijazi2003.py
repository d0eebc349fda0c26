"""Hijazi 2003: racemic ketamine, two compartments, adult ICU patients.

Parameters as transcribed by opentiva (reference 1.2): V1 = 1.08 L/kg x TBW, k10 0.0333,
k12 0.0088, k21 0.0030 1/min; they reproduce the paper's summary (CL 36.0 mL/min/kg,
Vbeta 15.4 vs 16.0 L/kg, t1/2 4.95 vs 4.9 h).

Variability decision: the paper reports between-patient SD/mean (two-stage), CL 37 % and
Vbeta 54 % (reference 1.4). We use CL 37 % CV and apply the Vbeta 54 % CV to V1 and V2
independently, with the illustrative 30 % on Q; this is labelled illustrative, since a
two-stage SD is not a population Omega.
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
    Variability,
    micro_to_structural,
    omega_sq_from_cv,
)

V1_L_PER_KG = 1.08
K10, K12, K21 = 0.0333, 0.0088, 0.0030


def _covariates(cov: Covariates) -> dict[str, FloatArray]:
    out = micro_to_structural(V1_L_PER_KG * _common.weight(cov), K10, ((K12, K21),))
    out["ke0_per_min"] = _common.ke0(cov)
    return out


MODEL = PKModel(
    model_id="hijazi2003",
    name="Hijazi 2003 (racemic, 2-compartment, ICU)",
    version="hijazi2003/1.0",
    drug="racemic",
    citation=(
        "Hijazi Y, Bodonian C, Bolon M, Salord F, Boulieu R. Pharmacokinetics and "
        "haemodynamics of ketamine in intensive care patients with brain or spinal cord "
        "injury. Br J Anaesth 2003;90:155-160. Parameters as transcribed in opentiva."
    ),
    doi="10.1093/bja/aeg028",
    population="12 adult ICU patients with brain or spinal-cord injury (not chronic pain)",
    sampling_site="not stated in the retrieved abstract",
    structure="2 compartments + effect site (ke0 transplanted from Olofsen 2022)",
    parameters=(
        Parameter("v1", V1_L_PER_KG, "L/kg", "central volume per kg total body weight"),
        Parameter("k10", K10, "1/min", "elimination rate constant"),
        Parameter("k12", K12, "1/min", "central to peripheral"),
        Parameter("k21", K21, "1/min", "peripheral to central"),
    ),
    covariate_equations=("V1 = 1.08 L/kg x TBW; rate constants fixed",),
    covariates=_covariates,
    variability=Variability(
        omega_sq={
            "cl_l_per_min": omega_sq_from_cv(0.37),
            "v1_l": omega_sq_from_cv(0.54),
            "v2_l": omega_sq_from_cv(0.54),
            "q2_l_per_min": 0.294**2,
        },
        source=(
            "Hijazi 2003 between-patient SD/mean: CL 37 %, Vbeta 54 % (applied to V1 and "
            "V2); Q illustrative 30 %. Two-stage, not a population Omega."
        ),
        illustrative=True,
    ),
    validity=Validity(
        _common.ADULT_AGE,
        Range(40.0, 150.0, "kg", "adult clinic convention; study range not retrieved"),
        "adult ICU (brain/spinal-cord injury)",
    ),
    lacks=(
        "population Omega (two-stage SD/mean only)",
        "a published ke0",
        "norketamine/dehydronorketamine parameters (measured but not retrieved)",
    ),
    notes=(
        "opentiva marks the model valid only to age 18; the reference judges that a bug and "
        "this declaration uses the adult range.",
    ),
)
