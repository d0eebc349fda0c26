"""The planner's steps one by one: order, doses, preparation, pump program, predictions, checks.

Numbers are the worked examples of reference section 4 (pump math) and VP1 (Domino 0.5 mg/kg
over 40 min, 240.3 ng/mL at 70 kg).
"""

from __future__ import annotations

import pytest

from tenderpoint.errors import DoseLimitError, InvalidInputError
from tenderpoint.pharmacology.dosing.checks import (
    check_day,
    check_doses,
    check_patient,
    check_peak,
    check_preparation,
    decide,
)
from tenderpoint.pharmacology.dosing.limits import RACEMIC_LIMITS, LimitFinding
from tenderpoint.pharmacology.dosing.order import InfusionOrder, resolve_order
from tenderpoint.pharmacology.dosing.plan import PlanSteps, explain
from tenderpoint.pharmacology.dosing.predictions import predict_peaks
from tenderpoint.pharmacology.dosing.preparation import compute_doses, prepare
from tenderpoint.pharmacology.dosing.pump import program_pump, pump_setting
from tenderpoint.pharmacology.patient import Patient

MAN_70 = Patient(70.0, 175.0, 40.0, "male")
MAN_80 = Patient(80.0, 180.0, 40.0, "male")


def _rx(**kwargs):
    args = {"vial_mg_per_ml": 50.0, "bag_volume_ml": 100.0} | kwargs
    protocol = args.pop("protocol", None)
    return resolve_order(InfusionOrder(protocol, **args), MAN_70)


def test_order_takes_the_protocols_dose_and_derives_the_rate() -> None:
    rx = _rx(protocol="depression-0.5-over-40")
    assert (rx.kind, rx.dose_mg_per_kg, rx.duration_min) == ("mg_per_kg_over", 0.5, 40.0)
    assert rx.rate_mg_per_kg_per_h == pytest.approx(0.75)
    assert rx.product == "racemic"
    assert rx.limits == RACEMIC_LIMITS


def test_order_derives_the_dose_from_a_rate_and_halves_esketamine_limits() -> None:
    rx = _rx(dose_mg_per_kg_per_h=0.5, duration_min=240, vial_mg_per_ml=25, product="esketamine")
    assert rx.dose_mg_per_kg == pytest.approx(2.0)
    assert rx.limits.session_hard_mg_per_kg == 2.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "protocol"),
        ({"dose_mg_per_kg": 0.5, "dose_mg_per_kg_per_h": 0.5}, "dose_mg_per_kg_per_h"),
        ({"dose_mg_per_kg_per_h": 0.5}, "duration_min"),
        ({"dose_mg_per_kg_per_h": 0.5, "duration_min": 60, "vial_mg_per_ml": 20}, "vial_mg_per_ml"),
    ],
)
def test_order_names_the_field_at_fault(kwargs, field) -> None:
    with pytest.raises(InvalidInputError) as info:
        _rx(**kwargs)
    assert info.value.field == field


def test_doses_example_2_chronic_pain() -> None:
    # 0.5 mg/kg/h x 80 kg = 40 mg/h; 4 h = 160 mg.
    rx = _rx(dose_mg_per_kg_per_h=0.5, duration_min=240)
    doses = compute_doses(rx, 80.0)
    assert (doses.rate_mg_per_h, doses.infusion_mg, doses.total_mg) == (40.0, 160.0, 160.0)
    assert doses.steps[-1] == "Session total: 0.00 + 160.00 = 160.00 mg (2 mg/kg)."


def test_preparation_example_1a_whole_dose_in_the_bag() -> None:
    # 35 mg (0.70 mL of 50 mg/mL) in 100 mL: C = 35/100.7 = 0.3476 mg/mL.
    rx = _rx(protocol="depression-0.5-over-40")
    prep = prepare(rx, 35.0)
    assert prep.drug_volume_ml == pytest.approx(0.70)
    assert prep.total_volume_ml == pytest.approx(100.7)
    assert prep.final_concentration_mg_per_ml == pytest.approx(35.0 / 100.7)


def test_preparation_example_1b_standard_concentration_and_a_bag_too_small() -> None:
    rx = _rx(protocol="depression-0.5-over-40", standard_conc_mg_per_ml=1.0)
    prep = prepare(rx, 35.0)
    assert (prep.drug_volume_ml, prep.final_concentration_mg_per_ml) == (2.0, 1.0)
    with pytest.raises(InvalidInputError) as info:
        prepare(rx, 100.01)
    assert info.value.code == "bag_too_small"


def test_preparation_undiluted_is_the_vial_strength() -> None:
    rx = _rx(dose_mg_per_kg=0.5, duration_min=40, bag_volume_ml=0)
    prep = prepare(rx, 35.0)
    assert (prep.final_concentration_mg_per_ml, prep.total_volume_ml) == (50.0, 0.7)


@pytest.mark.parametrize(
    ("ml_per_h", "shown"), [(151.05, 151.1), (1.2000000000000002, 1.2), (0.04, 0.0), (0.05, 0.1)]
)
def test_pump_setting_rounds_half_up_to_0_1(ml_per_h, shown) -> None:
    assert pump_setting(ml_per_h) == shown


def test_pump_program_example_3_bolus_then_infusion() -> None:
    # 0.35 mg/kg x 80 kg = 28 mg at 2 mg/mL = 14 mL over 2 min -> 420 mL/h; then 20 mL/h, 40 mL.
    rx = _rx(
        bolus_mg_per_kg=0.35,
        bolus_duration_min=2,
        dose_mg_per_kg_per_h=0.5,
        duration_min=120,
        standard_conc_mg_per_ml=2.0,
        bag_volume_ml=250,
    )
    doses = compute_doses(rx, 80.0)
    pump = program_pump(rx, doses, prepare(rx, doses.total_mg))
    bolus, infusion = pump.segments
    assert (bolus.vtbi_ml, bolus.rate_ml_per_h, bolus.rate_ml_per_h_display) == (14, 420, 420)
    assert (infusion.start_min, infusion.rate_ml_per_h, infusion.vtbi_ml) == (2.0, 20.0, 40.0)
    assert pump.duration_min == 122.0
    assert pump.findings == ()
    assert pump.regimen.end_min == 122.0


def test_pump_program_flags_a_bolus_shorter_than_a_minute() -> None:
    rx = _rx(bolus_mg_per_kg=0.1, bolus_duration_min=0.5, dose_mg_per_kg_per_h=0.5, duration_min=60)
    doses = compute_doses(rx, 70.0)
    pump = program_pump(rx, doses, prepare(rx, doses.total_mg))
    assert [(f.code, f.severity, f.limit) for f in pump.findings] == [
        ("bolus_duration", "hard", 1.0)
    ]


def test_predictions_reproduce_vp1_and_name_the_highest_model() -> None:
    rx = _rx(protocol="depression-0.5-over-40")
    doses = compute_doses(rx, 70.0)
    pump = program_pump(rx, doses, prepare(rx, doses.total_mg))
    prediction = predict_peaks(MAN_70, pump.regimen)
    assert prediction.plasma_ng_per_ml["domino1984"] == pytest.approx(240.3, abs=0.1)
    assert prediction.peak_model_id == "domino1984"
    assert prediction.highest_effect_ng_per_ml == max(prediction.effect_ng_per_ml.values())
    assert check_peak(prediction, RACEMIC_LIMITS) == []


def test_checks_on_a_session() -> None:
    rx = _rx(dose_mg_per_kg_per_h=1.5, duration_min=60, prior_24h_mg=300.0)
    doses = compute_doses(rx, 70.0)
    prep = prepare(rx, doses.total_mg)
    pump = program_pump(rx, doses, prep)
    assert [f.code for f in check_doses(rx, doses, pump)] == ["rate_mg_per_kg_per_h"]
    day, steps = check_day(rx, doses)
    assert [(f.code, f.severity) for f in day] == [("day_mg_per_kg", "soft")]  # 5.79 > 4
    assert steps == ("24-h total: 300.00 mg before + 105.00 mg = 405.00 mg (5.79 mg/kg).",)
    assert check_preparation(rx, prep, pump) == []
    assert check_patient(MAN_70, rx.limits) == []


def test_decide_refuses_hard_keeps_soft_and_records_overrides() -> None:
    soft = LimitFinding("rate_mg_per_kg_per_h", "soft", "soft", 1.5, 1.0, "mg/kg/h")
    hard = LimitFinding("day_mg_per_kg", "hard", "hard", 6.5, 6.0, "mg/kg")
    with pytest.raises(DoseLimitError) as info:
        decide(_rx(dose_mg_per_kg_per_h=1.5, duration_min=60), [soft, hard])
    assert info.value.limit_ids == ("day_mg_per_kg",)
    rx = _rx(
        dose_mg_per_kg_per_h=1.5,
        duration_min=60,
        hard_limit_overrides={"day_mg_per_kg": "reviewed"},
        acknowledged=["rate_mg_per_kg_per_h"],
    )
    decision = decide(rx, [soft, hard])
    assert decision.warnings == (soft,)
    assert decision.overridden == {"day_mg_per_kg": "reviewed"}
    assert decision.steps == ("Hard limit day_mg_per_kg overridden by the physician: reviewed",)


def test_explain_lists_the_steps_in_order() -> None:
    rx = _rx(protocol="depression-0.5-over-40")
    dw = MAN_70.dosing_weight()
    doses = compute_doses(rx, dw.weight_kg)
    prep = prepare(rx, doses.total_mg)
    pump = program_pump(rx, doses, prep)
    prediction = predict_peaks(MAN_70, pump.regimen)
    steps = explain(PlanSteps(rx, dw, doses, prep, pump, (), prediction, decide(rx, [])))
    heads = [s.split(":")[0] for s in steps]
    assert heads == [
        "Dosing weight",
        "Infusion dose",
        "Session total",
        "Drug volume",
        "Final concentration",
        "Infusion pump rate",
        "Reverse check",
        "Predicted peaks (typical patient, total body weight 70 kg), effect site / plasma",
    ]
