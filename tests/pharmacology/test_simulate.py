"""simulate() against an independent ODE solution, published validation points and identities."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from tenderpoint.errors import InvalidInputError, UnknownModelError
from tenderpoint.pharmacology import models
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Bolus, Infusion, Regimen
from tenderpoint.pharmacology.simulate import (
    ExtrapolationWarning,
    OutOfValidityRangeWarning,
    input_fraction,
    patient_covariates,
    simulate,
)
from tests.pharmacology.oracle import ode_solution

ADULT = Patient(70.0, 170.0, 40.0, "male")
CHILD = Patient(25.0, 120.0, 8.0, "female")
VP_TIMES = [5, 10, 20, 40, 45, 60, 100, 160, 280]
VP1 = Regimen([Infusion(0.0, 40.0, 0.875)])  # 0.5 mg/kg over 40 min, 70 kg

# A schedule that exercises every closed-form term: a bolus at 0, overlapping infusions,
# a late bolus and evaluation times off any grid.
MIXED = Regimen(
    [Infusion(1.0, 120.0, 35.0 / 60.0), Infusion(30.0, 10.5, 0.8), Infusion(200.0, 33.3, 0.2)],
    [Bolus(0.0, 24.5), Bolus(150.25, 5.0)],
)
MIXED_TIMES = np.array(
    [0.0, 0.37, 1.0, 5.5, 29.9, 40.5, 121.0, 150.25, 180.0, 233.3, 600.0, 1440.0]
)


@pytest.mark.filterwarnings("ignore::tenderpoint.pharmacology.simulate.ExtrapolationWarning")
@pytest.mark.parametrize("model_id", sorted(models.MODELS))
def test_every_model_matches_solve_ivp(model_id: str) -> None:
    model = models.get(model_id)
    patient = CHILD if model.research_only else ADULT
    sim = simulate(model, patient, MIXED, MIXED_TIMES, research_mode=True)
    structural = model.covariates(patient_covariates(patient))
    fraction, _ = input_fraction(model, MIXED)
    want = ode_solution(structural, MIXED, MIXED_TIMES, sim.ke0_per_min, fraction)
    np.testing.assert_allclose(sim.plasma_ng_per_ml, want["plasma"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(sim.effect_ng_per_ml, want["effect"], rtol=1e-6, atol=1e-9)
    for name, amount in sim.amounts_mg.items():
        if name == "metabolite":
            continue
        np.testing.assert_allclose(amount, want[name], rtol=1e-6, atol=1e-12)
    if model.metabolite:
        np.testing.assert_allclose(
            sim.metabolite_ng_per_ml, want["metabolite"], rtol=1e-6, atol=1e-9
        )


# Reference 5.7, computed points (one decimal printed -> tolerance 0.05 ng/mL + rounding).
VALIDATION_POINTS = [
    ("domino1984", VP1, VP_TIMES, [155.3, 181.8, 209.6, 240.3, 91.4, 55.1, 40.4, 28.1, 13.6]),
    ("clements1981", VP1, VP_TIMES, [33.2, 62.0, 109.5, 177.3, 157.4, 115.4, 68.4, 47.7, 29.7]),
    ("hijazi2003", VP1, [5, 10, 20, 40, 60, 100, 160], [52.2, 94.5, 156.7, 225.3, 99.6, 23.1, 6.8]),
    (
        "domino1984",
        Regimen([Infusion(0, 1, 24.5), Infusion(1, 120, 35 / 60)]),
        [1, 5, 15, 30, 60, 121, 180],
        [2814.7, 306.4, 207.5, 191.9, 207.7, 236.7, 80.6],
    ),
    (
        "clements1981",
        Regimen([Infusion(0, 1, 24.5), Infusion(1, 120, 35 / 60)]),
        [1, 5, 15, 30, 60, 121, 180],
        [196.8, 193.3, 189.0, 190.4, 206.7, 250.4, 138.7],
    ),
    (
        "domino1984",
        Regimen([Infusion(0, 120, 80 / 120)]),
        [30, 60, 120, 180, 240],
        [172.5, 201.7, 245.3, 74.0, 51.5],
    ),
    (
        "domino1984",
        Regimen([Infusion(0, 30, 35 / 30)]),
        [15, 30, 45, 60, 150, 180],
        [264.2, 302.0, 64.8, 51.0, 29.0, 24.2],
    ),
    ("herd2007", VP1, [10, 40, 60, 160], [132.0, 253.4, 119.3, 48.3]),
]


@pytest.mark.parametrize(("model_id", "regimen", "times", "expected"), VALIDATION_POINTS)
def test_reference_validation_points(model_id, regimen, times, expected) -> None:
    with pytest.warns(OutOfValidityRangeWarning) if model_id == "herd2007" else _nothing():
        sim = simulate(model_id, ADULT, regimen, times, research_mode=True)
    np.testing.assert_allclose(sim.plasma_ng_per_ml, expected, atol=0.051)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_vp1_by_hand() -> None:
    # Reference 5.7 VP1-hand: lambda and A given; Cp(40) = 107.548 + 74.659 + 58.124 = 240.33.
    lam = np.array([1.72424, 0.151513, 0.0060475])
    a = np.array([0.211930, 0.0129580, 0.00186963])
    cp40 = (0.875 * a / lam * (1 - np.exp(-40 * lam))).sum() * 1000
    cp60 = (0.875 * a / lam * (1 - np.exp(-40 * lam)) * np.exp(-20 * lam)).sum() * 1000
    sim = simulate("domino1984", ADULT, VP1, [40.0, 60.0])
    np.testing.assert_allclose(sim.plasma_ng_per_ml, [cp40, cp60], rtol=2e-5)
    assert cp40 == pytest.approx(240.33, abs=0.01)


def test_effect_site_vp10() -> None:
    sim = simulate("domino1984", ADULT, VP1, [5, 10, 20, 40, 45, 60, 100])
    np.testing.assert_allclose(
        sim.effect_ng_per_ml, [42.7, 86.4, 150.2, 215.0, 182.1, 98.0, 45.2], atol=0.051
    )


@pytest.mark.parametrize(
    ("ke0", "t_peak"),
    [(0.652, 1.000), (np.log(2) / 8.3, 3.07), (np.log(2) / 11.8, 4.63), (np.log(2) / 6.1, 2.41)],
)
def test_bolus_effect_peak_time_vp11(ke0: float, t_peak: float) -> None:
    times = np.arange(0.0, 10.0, 0.001)
    sim = simulate("domino1984", ADULT, Regimen(boluses=[Bolus(0.0, 10.0)]), times, ke0_per_min=ke0)
    i = int(np.argmax(sim.effect_ng_per_ml))
    assert times[i] == pytest.approx(t_peak, abs=0.006)
    # Peak Ce occurs where Ce = Cp (reference 5.3).
    assert sim.effect_ng_per_ml[i] == pytest.approx(sim.plasma_ng_per_ml[i], rel=1e-3)


def test_steady_state_vp9() -> None:
    long = Regimen([Infusion(0.0, 1e6, 35.0 / 60.0)])
    expected = {"domino1984": 301.9, "clements1981": 436.3, "hijazi2003": 231.7, "kamp2020": 443.0}
    for model_id, css in expected.items():
        sim = simulate(model_id, ADULT, long, [9e5])
        assert sim.plasma_ng_per_ml[0] == pytest.approx(css, abs=0.051), model_id


def test_vp14_domino_73kg() -> None:
    patient = Patient(73.0, 175.0, 30.0, "male")
    regimen = Regimen([Infusion(0.0, 20.0, 1.0)])
    got = {
        m: simulate(m, patient, regimen, [20.0]).plasma_ng_per_ml[0]
        for m in ("domino1984", "clements1981", "hijazi2003")
    }
    assert got == pytest.approx(
        {"domino1984": 229.7, "clements1981": 120.0, "hijazi2003": 171.8}, abs=0.051
    )


def test_weight_invariance_and_allometry() -> None:
    for weight in (50.0, 100.0):
        p = Patient(weight, 175.0, 40.0, "male")
        reg = Regimen.mg_per_kg_over(0.5, 40.0, weight)
        assert simulate("domino1984", p, reg, [40.0]).plasma_ng_per_ml[0] == pytest.approx(
            240.33, abs=0.01
        )
    with pytest.warns(OutOfValidityRangeWarning, match="weight 100 kg"):
        herd = [
            simulate(
                "herd2007",
                Patient(w, 175.0, 10.0, "male"),
                Regimen.mg_per_kg_over(0.5, 40.0, w),
                [40.0],
                research_mode=True,
            ).plasma_ng_per_ml[0]
            for w in (50.0, 100.0)
        ]
    assert herd == pytest.approx([242.1, 266.1], abs=0.051)


@pytest.mark.parametrize("model_id", ["domino1984", "clements1981", "hijazi2003", "kamp2020"])
def test_mass_balance(model_id: str) -> None:
    # Infused = amounts in all compartments + CL * integral of Cp (reference 5.6).
    model = models.get(model_id)
    cl = float(model.covariates(patient_covariates(ADULT))["cl_l_per_min"][0])
    t_end = 300.0
    sim = simulate(model, ADULT, MIXED, [t_end])
    breaks = sorted(
        {b.time_min for b in MIXED.boluses}
        | {i.start_min for i in MIXED.infusions}
        | {i.end_min for i in MIXED.infusions}
        | {t_end}
    )
    auc = 0.0
    for a, b in zip([0.0, *breaks[:-1]], breaks, strict=True):
        if b > a:
            auc += quad(
                lambda t: simulate(model, ADULT, MIXED, [t]).plasma_ng_per_ml[0] / 1000,
                a,
                b,
                epsabs=1e-12,
                epsrel=1e-11,
                limit=200,
            )[0]
    in_body = sum(v[0] for v in sim.amounts_mg.values())
    assert in_body + cl * auc == pytest.approx(MIXED.delivered_mg(t_end), rel=1e-8)


durations = st.floats(0.5, 300.0)
rates = st.floats(0.0, 5.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.0, 300.0), durations, rates), min_size=1, max_size=4),
    # Bolus times on a 0.01-min grid: a time shift must not move one across an output time.
    st.lists(
        st.tuples(st.integers(0, 30000).map(lambda i: i / 100), st.floats(0.0, 50.0)), max_size=3
    ),
    st.sampled_from(["domino1984", "clements1981", "hijazi2003", "kamp2020"]),
)
def test_superposition_linearity_and_non_negativity(infusions, boluses, model_id) -> None:
    times = np.linspace(0.0, 700.0, 71)
    parts = [Regimen([Infusion(*i)]) for i in infusions] + [
        Regimen(boluses=[Bolus(*b)]) for b in boluses
    ]
    whole = Regimen([Infusion(*i) for i in infusions], [Bolus(*b) for b in boluses])
    total = simulate(model_id, ADULT, whole, times)
    pieces = sum(simulate(model_id, ADULT, part, times).plasma_ng_per_ml for part in parts)
    scale = max(1.0, float(np.max(total.plasma_ng_per_ml)))
    np.testing.assert_allclose(total.plasma_ng_per_ml, pieces, atol=1e-9 * scale)
    assert np.all(total.plasma_ng_per_ml >= -1e-9 * scale)
    assert np.all(total.effect_ng_per_ml >= -1e-9 * scale)
    doubled = simulate(model_id, ADULT, whole.scaled(2.0), times).plasma_ng_per_ml
    np.testing.assert_allclose(doubled, 2 * total.plasma_ng_per_ml, atol=1e-9 * scale)
    shifted = simulate(model_id, ADULT, whole.shifted(17.0), times + 17.0).plasma_ng_per_ml
    np.testing.assert_allclose(shifted, total.plasma_ng_per_ml, atol=1e-9 * scale)


def test_monotone_rise_and_fall_around_a_constant_infusion() -> None:
    times = np.linspace(0.0, 600.0, 601)
    cp = simulate("domino1984", ADULT, Regimen([Infusion(0.0, 240.0, 0.5)]), times)
    rising = cp.plasma_ng_per_ml[:241]
    falling = cp.plasma_ng_per_ml[240:]
    assert np.all(np.diff(rising) > 0)
    assert np.all(np.diff(falling) < 0)


def test_metabolite_and_enantiomer_note() -> None:
    with pytest.warns(ExtrapolationWarning, match="50 %"):
        sim = simulate("flint2017", CHILD, MIXED, [10.0], research_mode=True)
    assert sim.metabolite == "S-norketamine"
    assert sim.metabolite_ng_per_ml is not None
    assert any("50 %" in note for note in sim.notes)
    esk = Regimen([Infusion(0.0, 10.0, 1.0)], product="esketamine")
    assert not simulate("flint2017", CHILD, esk, [10.0], research_mode=True).notes[:-1]


def test_research_only_and_validity_flags() -> None:
    with pytest.raises(InvalidInputError) as info:
        simulate("herd2007", CHILD, VP1, [1.0])
    assert info.value.code == "research_only_model"
    with pytest.warns(OutOfValidityRangeWarning):
        old = simulate("domino1984", Patient(160.0, 180.0, 85.0, "female"), VP1, [1.0])
    assert old.out_of_validity_range
    assert len(old.validity_reasons) == 2
    assert not simulate("domino1984", ADULT, VP1, [1.0]).out_of_validity_range
    with pytest.raises(UnknownModelError):
        simulate("nope", ADULT, VP1, [1.0])
    with pytest.raises(InvalidInputError) as bad:
        simulate("domino1984", ADULT, VP1, [float("inf")])
    assert bad.value.field == "times_min"


def test_degenerate_ke0_equal_to_an_eigenvalue() -> None:
    # ke0 = lambda2 of Domino: the coefficient formula divides by zero; the engine nudges the
    # rate by 1e-6 relative, so the result stays within ~1e-5 of the ODE solution.
    model = models.get("domino1984")
    structural = model.covariates(patient_covariates(ADULT))
    from tenderpoint.pharmacology.engine import build_disposition

    lam2 = float(build_disposition(structural).rates_per_min[0, 1])
    times = np.array([1.0, 5.0, 30.0, 60.0, 200.0])
    sim = simulate(model, ADULT, VP1, times, ke0_per_min=lam2)
    want = ode_solution(structural, VP1, times, lam2)
    assert np.all(np.isfinite(sim.effect_ng_per_ml))
    np.testing.assert_allclose(sim.effect_ng_per_ml, want["effect"], rtol=1e-5)
