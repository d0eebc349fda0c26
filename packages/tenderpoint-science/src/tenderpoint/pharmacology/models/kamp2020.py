"""Kamp 2020 meta-analysis: a one-compartment clearance/volume *check*, not the general model.

The meta-analysis gives a weighted mean clearance of 79 L/h at 70 kg (95 % CI 69-90) and a
volume of distribution of 252 L/70 kg (200-304), with no covariate effects detected. The paper's
raw-data general model (arterial central + two peripheral + two venous delay compartments) has
no retrieved parameter table, so it is NOT implemented (reference 0.10, 7.1).

Decision: both values are per 70 kg, so both are scaled in proportion to total body weight.
A one-compartment model with these values predicts the steady state correctly
(Css = R/CL: 35 mg/h -> 443 ng/mL) but not early concentrations (no distribution phase):
use it to check long infusions, never peaks.
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
)

CL_L_PER_H, V_L = 79.0, 252.0


def _covariates(cov: Covariates) -> dict[str, FloatArray]:
    size = _common.weight(cov) / 70.0
    return {
        "cl_l_per_min": CL_L_PER_H / 60.0 * size,
        "v1_l": V_L * size,
        "ke0_per_min": _common.ke0(cov),
    }


MODEL = PKModel(
    model_id="kamp2020",
    name="Kamp 2020 meta-analytic one-compartment approximation (racemic)",
    version="kamp2020-meta-1cmt/1.0",
    drug="racemic",
    citation=(
        "Kamp J, Olofsen E, Henthorn TK, van Velzen M, Niesters M, Dahan A. Ketamine "
        "pharmacokinetics: a systematic review of the literature, meta-analysis, and "
        "population analysis. Anesthesiology 2020;133:1192-1213."
    ),
    doi="10.1097/aln.0000000000003577",
    population="18 studies (meta-analysis); weighted means",
    sampling_site="mixed (meta-analysis)",
    structure="1 compartment (meta-analytic approximation) + effect site",
    parameters=(
        Parameter("cl", CL_L_PER_H, "L/h/70 kg", "weighted mean clearance (95 % CI 69-90)"),
        Parameter("v", V_L, "L/70 kg", "weighted mean volume of distribution (200-304)"),
    ),
    covariate_equations=(
        "CL and V proportional to TBW (per-70-kg values; no covariate effects "
        "were detected by the meta-regression)",
    ),
    covariates=_covariates,
    variability=illustrative_variability(("cl_l_per_min", "v1_l")),
    validity=Validity(_common.ADULT_AGE, _common.ADULT_WEIGHT, "adults (meta-analysis)"),
    lacks=(
        "the general raw-data model's parameter table (3 compartments + venous delay; not "
        "retrieved)",
        "distribution phase: early and peak concentrations are not predicted",
        "inter-individual variability",
        "a published ke0",
    ),
    notes=(
        "A clearance/volume check for long infusions; excluded from the peak-concentration "
        "dose limit.",
    ),
)
