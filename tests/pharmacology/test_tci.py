"""TCI against the worked numbers of reference 5.5 and an independent re-simulation."""

import warnings

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tenderpoint.errors import DoseLimitError, InvalidInputError
from tenderpoint.pharmacology import tci
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.simulate import simulate

ADULT = Patient(70.0, 175.0, 40.0, "male")


def test_plasma_tci_reference_numbers() -> None:
    # The first rate (4.53 mg/min) is far below the default maximum, 0.75 mg/kg/min x 70 kg.
    plan = tci.plan("domino1984", ADULT, 150.0, 60.0)
    assert plan.rate_mg_per_min[0] == pytest.approx(4.5258, abs=1e-4)
    np.testing.assert_allclose(plan.cumulative_mg[[6, 60, 360]], [1.607, 8.589, 35.198], atol=6e-4)
    assert plan.rate_mg_per_min[-1] == pytest.approx(0.4527, abs=1e-4)
    assert plan.peak_plasma_ng_per_ml == pytest.approx(150.0, rel=1e-9)
    reached = np.argmax(plan.effect_ng_per_ml >= 0.95 * 150.0)
    assert plan.times_min[reached] == pytest.approx(36.0, abs=1 / 6)


def test_plasma_tci_holds_target_in_an_independent_simulation() -> None:
    plan = tci.plan("clements1981", ADULT, 120.0, 90.0)
    sim = simulate("clements1981", ADULT, plan.as_regimen(), plan.times_min[1:])
    # Clements' large V1 needs more than the default 52.5 mg/min in the first step.
    assert plan.rate_mg_per_min[0] == pytest.approx(52.5)
    np.testing.assert_allclose(sim.plasma_ng_per_ml[1:], 120.0, rtol=1e-9)
    np.testing.assert_allclose(plan.plasma_ng_per_ml[1:], sim.plasma_ng_per_ml, rtol=1e-9)
    assert plan.cumulative_mg[-1] == pytest.approx(plan.as_regimen().total_dose_mg, rel=1e-12)


def test_effect_site_uncapped_reference_numbers_in_research_mode() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = tci.plan(
            "domino1984",
            ADULT,
            150.0,
            60.0,
            "effect",
            max_rate_mg_per_min=1000.0,
            research_mode=True,
        )
    assert plan.rate_mg_per_min[0] == pytest.approx(81.58, abs=0.01)
    assert plan.peak_plasma_ng_per_ml == pytest.approx(2704.0, rel=1e-3)
    # The reference grid-searches the Ce peak; ours uses a 1-s grid: agree to 0.5 %.
    np.testing.assert_allclose(
        plan.cumulative_mg[[6, 60, 360]], [13.597, 16.229, 40.378], rtol=5e-3
    )
    np.testing.assert_allclose(plan.effect_ng_per_ml[[12, 24]], [145.8, 150.0], atol=0.06)
    assert plan.effect_ng_per_ml.max() <= 150.0 * 1.01


@pytest.mark.parametrize(
    ("ratio", "cum10", "cum60", "t95"), [(2.0, 14.89, 39.04, 7.83), (1.5, 12.88, 38.28, 12.17)]
)
def test_effect_site_with_plasma_cap(ratio, cum10, cum60, t95) -> None:
    plan = tci.plan(
        "domino1984",
        ADULT,
        150.0,
        60.0,
        "effect",
        plasma_cap_ratio=ratio,
    )
    assert plan.peak_plasma_ng_per_ml == pytest.approx(150.0 * ratio, rel=1e-9)
    np.testing.assert_allclose(plan.cumulative_mg[[60, 360]], [cum10, cum60], rtol=5e-3)
    reached = np.argmax(plan.effect_ng_per_ml >= 0.95 * 150.0)
    assert plan.times_min[reached] == pytest.approx(t95, abs=1 / 6)


def test_effect_site_without_cap_is_a_hard_limit() -> None:
    with pytest.raises(DoseLimitError):
        tci.plan("domino1984", ADULT, 150.0, 60.0, "effect")


def test_target_limits() -> None:
    with pytest.raises(DoseLimitError):
        tci.plan("domino1984", ADULT, 450.0, 10.0)
    with pytest.warns(UserWarning, match="TCI target"):
        plan = tci.plan("domino1984", ADULT, 300.0, 10.0)
    assert plan.warnings[0].code == "tci_target"
    with pytest.raises(InvalidInputError) as info:
        tci.plan("domino1984", ADULT, 100.0, 10.0, step_s=0.0)
    assert info.value.field == "step_s"


@settings(max_examples=40, deadline=None)
@given(
    target=st.floats(20.0, 250.0),
    max_rate=st.floats(0.3, 52.5),  # up to STANPUMP's 0.75 mg/kg/min x 70 kg
    model_id=st.sampled_from(["domino1984", "clements1981", "hijazi2003", "kamp2020"]),
    site=st.sampled_from(["plasma", "effect"]),
    step=st.sampled_from([5.0, 10.0, 30.0]),
)
def test_tci_never_exceeds_max_rate_and_reaches_target(
    target, max_rate, model_id, site, step
) -> None:
    cap = 2.0 if site == "effect" else None
    try:
        plan = tci.plan(model_id, ADULT, target, 240.0, site, max_rate, step, plasma_cap_ratio=cap)
    except DoseLimitError:
        # kamp2020 is an S-ketamine model: its schedule holds an S-ketamine target, which the
        # racemic peak check (Domino) sees as up to ~800 ng/mL racemic; refusing that is right.
        # The racemic models at <= 250 ng/mL for 4 h in a 70 kg adult stay inside every limit.
        assert model_id == "kamp2020"
        return
    assert np.all(plan.rate_mg_per_min >= 0.0)
    assert np.all(plan.rate_mg_per_min <= max_rate * (1 + 1e-12))
    level = plan.plasma_ng_per_ml if site == "plasma" else plan.effect_ng_per_ml
    assert level.max() <= target * 1.01
    # In plasma mode, once the target is reached it is held within 1 % to the end (the rate
    # needed to hold it only falls with time).
    reached = np.flatnonzero(level >= 0.99 * target)
    if site == "plasma" and reached.size:
        assert np.all(np.abs(level[reached[0] :] - target) <= 0.01 * target)


# --- defect review: TCI plans pass the same hard limits as plan_infusion ------------------------


def _codes(info: pytest.ExceptionInfo[DoseLimitError]) -> set[str]:
    return {f["code"] for f in info.value.params["findings"]}


def test_a_week_at_400_ng_per_ml_is_refused_on_the_session_and_day_totals() -> None:
    # Domino, 400 ng/mL for 7 days delivered 7,867 mg with only a soft warning.
    with pytest.raises(DoseLimitError) as info:
        tci.plan("domino1984", ADULT, 400.0, 7 * 24 * 60.0)
    assert {"session_mg_per_kg", "session_mg", "day_mg_per_kg"} <= _codes(info)


def test_a_250_kg_patient_for_24_h_on_clements_is_refused() -> None:
    heavy = Patient(250.0, 180.0, 40.0, "male")
    with pytest.raises(DoseLimitError) as info:
        tci.plan("clements1981", heavy, 150.0, 24 * 60.0)
    assert "session_mg" in _codes(info)


@pytest.mark.parametrize("weight", [25.0, 260.0])
def test_tci_weight_gate(weight: float) -> None:
    with pytest.raises(DoseLimitError) as info:
        tci.plan("domino1984", Patient(weight, 175.0, 40.0, "male"), 100.0, 30.0)
    assert info.value.field == "weight_kg"


def test_a_plasma_cap_above_the_hard_peak_limit_is_refused() -> None:
    # Effect-site mode with cap ratio 10 reached Cp 4,000 ng/mL with a soft warning.
    with pytest.raises(DoseLimitError) as info:
        tci.plan("domino1984", ADULT, 400.0, 60.0, "effect", plasma_cap_ratio=10.0)
    assert "tci_plasma_cap" in _codes(info)


def test_max_rate_has_an_upper_bound() -> None:
    with pytest.raises(InvalidInputError) as info:
        tci.plan("domino1984", ADULT, 150.0, 60.0, max_rate_mg_per_min=1000.0)
    assert info.value.field == "max_rate_mg_per_min"


def test_the_limits_follow_the_product_ordered() -> None:
    # 300 ng/mL is allowed (soft) for racemic but above the 200 ng/mL esketamine hard limit,
    # whatever the model's drug; esketamine halves the mg/kg limits as plan_infusion does.
    with pytest.warns(UserWarning, match="TCI target"):
        plan = tci.plan("domino1984", ADULT, 300.0, 30.0)
    assert plan.product == "racemic"
    with pytest.raises(DoseLimitError) as info:
        tci.plan("domino1984", ADULT, 300.0, 30.0, product="esketamine")
    assert "tci_target" in _codes(info)
    with pytest.raises(InvalidInputError) as bad:
        tci.plan("domino1984", ADULT, 100.0, 30.0, product="ketamine")  # type: ignore[arg-type]
    assert bad.value.field == "product"


def test_hourly_rate_limit_applies_to_the_delivered_schedule() -> None:
    # Obese man, 150 kg / 170 cm: Clements' V1 scales with total weight (263 L), so holding
    # 400 ng/mL delivers ~250 mg in the first hour, 2.5 mg/kg/h of his 99.6 kg dosing weight.
    obese = Patient(150.0, 170.0, 40.0, "male")
    with pytest.raises(DoseLimitError) as info:
        tci.plan("clements1981", obese, 400.0, 60.0)
    (finding,) = info.value.params["findings"]
    assert finding["code"] == "rate_mg_per_kg_per_h"
    assert finding["value"] > 2.0


def test_tci_plan_records_the_checked_peaks() -> None:
    plan = tci.plan("domino1984", ADULT, 150.0, 240.0)
    assert set(plan.predicted_peak_effect_ng_per_ml) == {"domino1984", "clements1981", "hijazi2003"}
    assert plan.predicted_peak_effect_ng_per_ml["clements1981"] == pytest.approx(180.70, abs=0.05)
    assert plan.predicted_peak_effect_ng_per_ml["domino1984"] == pytest.approx(150.0, abs=0.05)


# Section 3.8 hard limits, written out (racemic; esketamine halves them, see dosing/limits.py).
HARD_SESSION_MG_PER_KG = 4.0
HARD_SESSION_MG = 400.0
HARD_RATE_MG_PER_KG_PER_H = 2.0
HARD_DAY_MG_PER_KG = 6.0
HARD_PEAK_NG_PER_ML = 800.0
HARD_TARGET_NG_PER_ML = 400.0


def _max_window(cumulative: np.ndarray, width: int) -> float:
    if cumulative.size - 1 <= width:
        return float(cumulative[-1])
    return float(np.max(cumulative[width:] - cumulative[:-width]))


@settings(max_examples=60, deadline=None)
@given(
    weight=st.one_of(st.floats(30.0, 250.0), st.floats(20.0, 260.0)),
    height=st.floats(145.0, 200.0),
    sex=st.sampled_from(["female", "male"]),
    model_id=st.sampled_from(["domino1984", "clements1981", "hijazi2003", "kamp2020"]),
    product=st.sampled_from(["racemic", "esketamine"]),
    target=st.floats(10.0, 450.0),
    duration=st.one_of(st.floats(5.0, 300.0), st.floats(300.0, 1600.0)),
    site=st.sampled_from(["plasma", "effect"]),
    cap=st.floats(1.0, 12.0),
    max_rate_per_kg=st.one_of(st.none(), st.floats(0.01, 0.75)),
    prior=st.one_of(st.just(0.0), st.floats(0.0, 300.0)),
)
def test_no_tci_plan_exceeds_the_session_total_and_rate_hard_limits(
    weight, height, sex, model_id, product, target, duration, site, cap, max_rate_per_kg, prior
) -> None:
    patient = Patient(weight, height, 40.0, sex)
    max_rate = None if max_rate_per_kg is None else max_rate_per_kg * weight
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plan = tci.plan(
                model_id,
                patient,
                target,
                duration,
                site,
                max_rate,
                plasma_cap_ratio=cap if site == "effect" else None,
                product=product,
                prior_24h_mg=prior,
            )
    except (DoseLimitError, InvalidInputError) as error:
        event(f"refused: {error.field}")
        return
    event("planned")
    f = 0.5 if product == "esketamine" else 1.0
    assert 30.0 <= weight <= 250.0
    kg = patient.dosing_weight().weight_kg
    assert plan.dosing_weight.weight_kg == kg
    dt_h = plan.step_s / 3600.0
    cumulative = plan.cumulative_mg
    assert cumulative[-1] == pytest.approx(plan.as_regimen().total_dose_mg, rel=1e-9, abs=1e-9)
    assert cumulative[-1] / kg <= HARD_SESSION_MG_PER_KG * f * (1 + 1e-9)
    assert cumulative[-1] <= HARD_SESSION_MG * f * (1 + 1e-9)
    per_hour = _max_window(cumulative, round(1.0 / dt_h))
    assert per_hour / kg <= HARD_RATE_MG_PER_KG_PER_H * f * (1 + 1e-9)
    day_steps = round(24.0 / dt_h)
    day = max(
        prior + cumulative[min(day_steps, cumulative.size - 1)], _max_window(cumulative, day_steps)
    )
    assert day / kg <= HARD_DAY_MG_PER_KG * f * (1 + 1e-9)
    assert np.all(plan.rate_mg_per_min <= 0.75 * weight * (1 + 1e-12))
    assert plan.target_ng_per_ml <= HARD_TARGET_NG_PER_ML * f
    assert max(plan.predicted_peak_effect_ng_per_ml.values()) <= HARD_PEAK_NG_PER_ML * f
    if plan.plasma_cap_ng_per_ml is not None:
        assert plan.plasma_cap_ng_per_ml <= HARD_PEAK_NG_PER_ML * f
        assert plan.peak_plasma_ng_per_ml <= HARD_PEAK_NG_PER_ML * f * (1 + 1e-9)
