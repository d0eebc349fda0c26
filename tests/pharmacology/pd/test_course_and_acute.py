"""Relief over a course driven by the exact PK curve; acute sigmoid Emax with provenance."""

import numpy as np
import pytest

from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.pd.acute import (
    OLOFSEN2022_ANALGESIA,
    OLOFSEN2022_DISSOCIATION,
    effect_fraction,
    predict_acute,
)
from tenderpoint.pharmacology.pd.relief import DAHAN2011, predict_course, slow_compartment
from tenderpoint.pharmacology.regimen import Infusion, Regimen

ADULT = Patient(70.0, 175.0, 40.0, "male")
DAY = 1440.0


def test_five_daily_sessions_reproduce_reference_table() -> None:
    # Reference 2.3: Domino racemic, 70 kg, 0.5 mg/kg/h x 4 h daily x 5 days, C_S = 0.5 C_rac:
    # day 5: 6.70; day 14: 3.78; day 28: 1.55; day 42: 0.64 ng/mL; R 0.390/0.265/0.129/0.057.
    session = Regimen.mg_per_kg_per_h(0.5, 240.0, 70.0)
    pred = predict_course(
        "domino1984", ADULT, session, np.arange(5) * DAY, np.array([5, 14, 28, 42]) * DAY
    )
    np.testing.assert_allclose(pred.c_slow_ng_per_ml, [6.70, 3.78, 1.55, 0.64], atol=0.005)
    np.testing.assert_allclose(pred.relief_fraction, [0.390, 0.265, 0.129, 0.057], atol=0.0005)
    np.testing.assert_allclose(pred.expected_relief_fraction, 0.67 * pred.relief_fraction)
    assert pred.enantiomer == "S"
    assert pred.extrapolated
    assert any("0.5 x racemic" in f for f in pred.flags)


def test_one_compartment_course_matches_the_hand_formula() -> None:
    # Kamp one-compartment at 70 kg: C_S(t) = Css (1 - exp(-k t)) during a constant infusion,
    # so C_slow(t) = Css (1 - e^{-ks t}) - Css ks (e^{-k t} - e^{-ks t}) / (ks - k).
    session = Regimen([Infusion(0.0, 6000.0, 35.0 / 60.0)])
    pred = predict_course("kamp2020", ADULT, session, [0.0], [3000.0, 6000.0])
    css = 0.5 * (35.0 / 60.0) / (79.0 / 60.0) * 1000.0
    k = (79.0 / 60.0) / 252.0
    ks = DAHAN2011.k_slow_per_min
    t = np.array([3000.0, 6000.0])
    want = css * (1 - np.exp(-ks * t)) - css * ks * (np.exp(-k * t) - np.exp(-ks * t)) / (ks - k)
    np.testing.assert_allclose(pred.c_slow_ng_per_ml, want, rtol=1e-8)
    # ...and close to the constant-concentration formula once the transient is small.
    approx = slow_compartment([0.0], [6000.0], [css], [6000.0])[0]
    assert pred.c_slow_ng_per_ml[1] == pytest.approx(approx, rel=0.05)


def test_a_single_short_infusion_leaves_almost_nothing() -> None:
    # Reference 2.3: a single 30-min 0.5 mg/kg infusion leaves almost nothing behind (Noppers).
    session = Regimen.mg_per_kg_over(0.5, 30.0, 70.0, product="esketamine")
    pred = predict_course("domino1984", ADULT, session, [0.0], [7 * DAY])
    assert pred.relief_fraction[0] < 0.05


def test_effect_fraction_is_half_at_c50() -> None:
    assert OLOFSEN2022_ANALGESIA.c50_ng_per_ml == pytest.approx(121.2, abs=0.1)
    assert float(effect_fraction(OLOFSEN2022_ANALGESIA.c50_ng_per_ml)) == pytest.approx(0.5)
    assert float(effect_fraction(0.0)) == 0.0


def test_acute_prediction_carries_provenance() -> None:
    regimen = Regimen.mg_per_kg_over(0.5, 40.0, 70.0)
    pred = predict_acute("domino1984", ADULT, regimen, [40.0])
    # VP10: racemic Ce(40) = 215.0 ng/mL with the same ke0 -> C_S = 107.5 ng/mL.
    assert pred.effect_site_s_ng_per_ml[0] == pytest.approx(107.5, abs=0.05)
    assert pred.effect_fraction[0] == pytest.approx(107.5 / (121.227 + 107.5), abs=2e-4)
    assert pred.enantiomer == "S"
    assert pred.pk_model_id == "domino1984"
    assert pred.extrapolated
    dis = predict_acute("domino1984", ADULT, regimen, [40.0], OLOFSEN2022_DISSOCIATION)
    assert dis.endpoint.startswith("external perception")
    assert DAHAN2011.version in {"dahan2011-relief/1.0"}
