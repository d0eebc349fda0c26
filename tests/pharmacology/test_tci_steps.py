"""tci.plan's steps: the request, the target and cap limits, the controller, delivered limits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tenderpoint.errors import DoseLimitError, InvalidInputError
from tenderpoint.pharmacology import tci
from tenderpoint.pharmacology.dosing.limits import RACEMIC_LIMITS
from tenderpoint.pharmacology.models import get as get_model
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.simulate import individual_system, patient_covariates, resolve_ke0

MAN_70 = Patient(70.0, 175.0, 40.0, "male")
DOMINO = get_model("domino1984")


def _request(**kwargs):
    args = {
        "target_ng_per_ml": 150.0,
        "duration_min": 60.0,
        "site": "plasma",
        "step_s": 10.0,
        "product": "racemic",
        "prior_24h_mg": 0.0,
    } | kwargs
    return tci._check_request(DOMINO, MAN_70, **args)


def test_request_names_the_field_at_fault() -> None:
    with pytest.raises(InvalidInputError) as info:
        _request(site="brain")
    assert info.value.field == "site"
    with pytest.raises(InvalidInputError) as info:
        _request(step_s=0.5)
    assert info.value.field == "step_s"


def test_target_limit_and_cap_limits() -> None:
    lim = RACEMIC_LIMITS
    assert [f.code for f in tci._check_target(_request(target_ng_per_ml=300.0), lim)] == [
        "tci_target"
    ]
    found: list = []
    cap = tci._plasma_cap(_request(site="effect", target_ng_per_ml=300.0), lim, 3.0, False, found)
    assert cap == 900.0
    assert [(f.code, f.severity) for f in found] == [
        ("tci_plasma_cap", "hard"),
        ("tci_cap_ratio", "soft"),
    ]
    with pytest.raises(DoseLimitError) as info:
        tci._plasma_cap(_request(site="effect"), lim, None, False, [])
    assert info.value.limit_ids == ("tci_uncapped_effect_site",)
    research: list = []
    assert tci._plasma_cap(_request(site="effect"), lim, None, True, research) is None
    assert research[0].value == math.inf


def test_controller_reproduces_reference_5_5_first_rate_and_holds_the_target() -> None:
    structural = DOMINO.covariates(patient_covariates(MAN_70))
    disp = individual_system(DOMINO, structural, resolve_ke0(DOMINO, structural, None, True))
    run = tci._control(disp, _request(), 52.5, None)
    assert run.rates_mg_per_min[0] == pytest.approx(4.5258, abs=5e-5)
    assert np.allclose(run.plasma_mg_per_l[1:] * 1000.0, 150.0, rtol=1e-9)
    assert run.cumulative_mg[-1] == pytest.approx(np.sum(run.rates_mg_per_min) * 10.0 / 60.0)


def test_delivered_limits_use_the_busiest_hour() -> None:
    # 1 mg/min for 60 min then nothing: 60 mg in the busiest hour, 0.857 mg/kg/h at 70 kg.
    rates = np.concatenate([np.ones(360), np.zeros(360)])
    cumulative = np.concatenate([[0.0], np.cumsum(rates * (10.0 / 60.0))])
    run = tci.ControlRun(10.0 / 60.0, rates, np.zeros(721), np.zeros(721), True, cumulative)
    found = tci._check_delivered(_request(), RACEMIC_LIMITS, 70.0, run, {"domino1984": 100.0})
    assert found == []
    found = tci._check_delivered(_request(), RACEMIC_LIMITS, 25.0, run, {"domino1984": 900.0})
    by_code = {f.code: f for f in found}
    assert by_code["rate_mg_per_kg_per_h"].value == pytest.approx(60.0 / 25.0)
    assert by_code["rate_mg_per_kg_per_h"].severity == "hard"
    assert by_code["predicted_peak"].severity == "hard"
