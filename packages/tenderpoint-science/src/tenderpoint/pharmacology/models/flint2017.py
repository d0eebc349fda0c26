"""Flint 2017: S-ketamine with S-norketamine in PICU children (research mode only).

From the nlmixr2lib transcription of Flint 2017 Table 3 (reference 1.2): S-ketamine CL 112 L/h,
V1 7.73 L, Q 196 L/h, V2 545 L at 70 kg; S-norketamine apparent CL/Fm 53.2 L/h and V/Fm 1 L
(fixed), formed from the parent's elimination flux (Fm cancels on the apparent scale);
clearances scale with (WT/70)^0.75, volumes with WT/70. IIV: CL 40.2 % CV, CL_NK 104 % CV,
correlation 0.506 (omega^2 = ln(1 + CV^2)). Proportional residual error 41.9 % / 47.5 %.

Decision: the published time-after-first-dose multiplier on the S-norketamine clearance,
(1 + 0.0087 t[h]), makes the system time-varying. The engine is linear time-invariant, so the
factor is not applied (it is 1 at the first dose and at most 1.035 over a 4-h session; the
predicted S-norketamine is therefore slightly high late in long infusions). The model lists
this in ``lacks``.
"""

from __future__ import annotations

import numpy as np

from tenderpoint.pharmacology.models import _common
from tenderpoint.pharmacology.models.base import (
    Covariates,
    FloatArray,
    Parameter,
    PKModel,
    Range,
    Validity,
    Variability,
    omega_sq_from_cv,
)

CL_L_PER_H, V1_L, Q_L_PER_H, V2_L = 112.0, 7.73, 196.0, 545.0
CL_M_L_PER_H, V_M_L = 53.2, 1.0


def _covariates(cov: Covariates) -> dict[str, FloatArray]:
    size = _common.weight(cov) / 70.0
    allometric = size**0.75
    return {
        "cl_l_per_min": CL_L_PER_H / 60.0 * allometric,
        "v1_l": V1_L * size,
        "q2_l_per_min": Q_L_PER_H / 60.0 * allometric,
        "v2_l": V2_L * size,
        "cl_m_l_per_min": CL_M_L_PER_H / 60.0 * allometric,
        "v_m_l": np.asarray(V_M_L * size, dtype=np.float64),
        "ke0_per_min": _common.ke0(cov),
    }


MODEL = PKModel(
    model_id="flint2017",
    name="Flint 2017 (S-ketamine + S-norketamine, 2+1 compartments, PICU children)",
    version="flint2017/1.0",
    drug="S-ketamine",
    citation=(
        "Flint RB, Brouwer CNM, Kranzlin ASC, Lie-A-Huen L, Bos AP, Mathot RAA. "
        "Pharmacokinetics of S-ketamine during prolonged sedation at the pediatric "
        "intensive care unit. Pediatr Anesth 2017;27:1098-1107. Parameters as in "
        "nlmixr2lib Flint_2017_s_ketamine.R."
    ),
    doi="10.1111/pan.13239",
    population="25 mechanically ventilated PICU children, 0.02-12.5 years, 3.4-35 kg",
    sampling_site="plasma (sparse, venous/arterial not stated)",
    structure="2 compartments + apparent S-norketamine compartment + effect site",
    parameters=(
        Parameter("cl", CL_L_PER_H, "L/h/70 kg", "S-ketamine clearance, (WT/70)^0.75"),
        Parameter("v1", V1_L, "L/70 kg", "S-ketamine central volume, WT/70"),
        Parameter("q", Q_L_PER_H, "L/h/70 kg", "inter-compartmental clearance, (WT/70)^0.75"),
        Parameter("v2", V2_L, "L/70 kg", "peripheral volume, WT/70"),
        Parameter(
            "cl_nk_over_fm",
            CL_M_L_PER_H,
            "L/h/70 kg",
            "S-norketamine apparent clearance, (WT/70)^0.75",
        ),
        Parameter("v_nk_over_fm", V_M_L, "L/70 kg", "S-norketamine apparent volume (fixed)"),
        Parameter(
            "time_slope_cl_nk",
            0.0087,
            "1/h",
            "CL_NK x (1 + 0.0087 t[h]) after the first dose (not applied, see lacks)",
        ),
    ),
    covariate_equations=(
        "CL, Q, CL_NK/Fm = value_70 x (WT/70)^0.75",
        "V1, V2, V_NK/Fm = value_70 x (WT/70)",
    ),
    covariates=_covariates,
    variability=Variability(
        omega_sq={
            "cl_l_per_min": omega_sq_from_cv(0.402),
            "cl_m_l_per_min": omega_sq_from_cv(1.04),
        },
        correlations={("cl_l_per_min", "cl_m_l_per_min"): 0.506},
        source="Flint 2017 Table 3: CL 40.2 % CV, CL_NK 104 % CV, r = 0.506",
        illustrative=False,
    ),
    validity=Validity(
        Range(0.02, 12.5, "years", "published study range"),
        Range(3.4, 35.0, "kg", "published study range"),
        "PICU children",
    ),
    lacks=(
        "the time-dependent S-norketamine clearance (1 + 0.0087 t[h]) - not applied by "
        "the time-invariant engine",
        "a published ke0",
        "adult data (paediatric ICU population)",
    ),
    research_only=True,
    metabolite="S-norketamine",
    residual_error="proportional 41.9 % (S-ketamine), 47.5 % (S-norketamine)",
    notes=(
        "Paediatric: research mode only.",
        "S-norketamine concentrations are on the apparent (Fm-scaled) scale of the paper.",
    ),
)
