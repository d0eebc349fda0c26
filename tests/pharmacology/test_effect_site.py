"""The effect-site update is the exact solution of dCe/dt = ke0 (Cp - Ce), rate changes included.

opentiva 1.1.2's effect-site update, run beside ours with the same ke0, differs by up to 1.9 %
(a bracket error in its per-step formula, issue 15). Ours is the exact solution: it must match
an independent solve_ivp of the compartment ODEs plus the effect-site ODE to 1e-7 relative,
with infusion rates that change *between* output times (where a per-step formula that brackets
the wrong terms goes wrong), for slow and fast ke0 (Herd 2008's 11-s sedation half-time).
"""

from __future__ import annotations

import numpy as np
import pytest

from tenderpoint.pharmacology import models
from tenderpoint.pharmacology.models.herd2007 import SEDATION_KE0_PER_MIN
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Bolus, Infusion, Regimen
from tenderpoint.pharmacology.simulate import input_fraction, patient_covariates, simulate
from tests.pharmacology.oracle import ode_solution

# Rates change at 7.3 and 20.6 min and a bolus falls at 25.55 min: none is an output time.
REGIMEN = Regimen([Infusion(0.0, 7.3, 3.0), Infusion(7.3, 13.3, 1.1)], [Bolus(25.55, 5.0)])
TIMES = np.arange(0.0, 61.0, 5.0)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    ("model_id", "patient", "ke0"),
    [
        ("domino1984", Patient(70.0, 170.0, 40.0, "male"), 0.0835),  # Olofsen 2022 default
        ("domino1984", Patient(70.0, 170.0, 40.0, "male"), 0.652),  # opentiva's tpeak-1-min
        ("herd2007", Patient(25.0, 120.0, 8.0, "female"), SEDATION_KE0_PER_MIN),
    ],
)
def test_effect_site_matches_solve_ivp_with_rate_changes_mid_interval(model_id, patient, ke0):
    model = models.get(model_id)
    sim = simulate(model, patient, REGIMEN, TIMES, ke0_per_min=ke0, research_mode=True)
    structural = model.covariates(patient_covariates(patient))
    fraction, _ = input_fraction(model, REGIMEN)
    want = ode_solution(structural, REGIMEN, TIMES, ke0, fraction)
    assert sim.effect_ng_per_ml is not None
    np.testing.assert_allclose(sim.effect_ng_per_ml[1:], want["effect"][1:], rtol=1e-7)
    # The error the test guards against is large: a 1.9 % difference fails it by 10^5.
    assert np.max(np.abs(sim.effect_ng_per_ml[1:] / want["effect"][1:] - 1.0)) < 1e-7


def test_herd_sedation_ke0_is_ln2_over_11_s() -> None:
    assert np.log(2) / (11 / 60) == pytest.approx(SEDATION_KE0_PER_MIN, rel=1e-15)
    assert models.get("herd2007").doi == "10.1111/j.1460-9592.2006.02145.x"
