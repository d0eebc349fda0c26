"""Patient validation and dosing weights (reference 3.9 worked examples)."""

import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology.patient import Patient


def test_obese_woman_worked_example() -> None:
    # 165 cm, 110 kg (BMI 40.4): IBW 56.9, ABW 78.1, LBW 54.7 kg; dosing weight = ABW.
    woman = Patient(110.0, 165.0, 45.0, "female")
    assert woman.bmi_kg_per_m2 == pytest.approx(40.4, abs=0.05)
    assert woman.ideal_body_weight_kg == pytest.approx(56.9, abs=0.05)
    assert woman.adjusted_body_weight_kg == pytest.approx(78.1, abs=0.05)
    assert woman.lean_body_weight_kg == pytest.approx(54.7, abs=0.05)
    dw = woman.dosing_weight()
    assert dw.basis == "adjusted"
    assert dw.weight_kg == pytest.approx(78.1, abs=0.05)
    assert 0.5 * dw.weight_kg == pytest.approx(39.1, abs=0.05)  # mg/h at 0.5 mg/kg/h
    assert "1.2" in dw.reason


def test_obese_man_worked_example() -> None:
    man = Patient(130.0, 180.0, 50.0, "male")
    assert man.ideal_body_weight_kg == pytest.approx(75.0, abs=0.05)
    assert man.adjusted_body_weight_kg == pytest.approx(97.0, abs=0.05)
    assert man.lean_body_weight_kg == pytest.approx(78.5, abs=0.05)


def test_non_obese_uses_actual_weight_and_override_needs_reason() -> None:
    p = Patient(70.0, 175.0, 40.0, "male")
    assert p.dosing_weight().basis == "actual"
    assert p.dosing_weight().weight_kg == 70.0
    with pytest.raises(InvalidInputError) as info:
        p.dosing_weight("ideal")
    assert info.value.field == "dosing_weight_reason"
    chosen = p.dosing_weight("lean", "sarcopenia, clinician's judgement")
    assert chosen.basis == "lean"
    assert chosen.weight_kg <= 70.0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0.0, 170, 40, "female"), "weight_kg"),
        ((70, 300, 40, "female"), "height_cm"),
        ((70, 170, -1, "female"), "age_years"),
        ((70, 170, 40, "other"), "sex"),
        ((float("nan"), 170, 40, "male"), "weight_kg"),
        (("heavy", 170, 40, "male"), "weight_kg"),
    ],
)
def test_implausible_values_name_the_field(args, field) -> None:
    with pytest.raises(InvalidInputError) as info:
        Patient(*args)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("sex", "ibw_kg"),
    [("male", 50.0), ("female", 45.5)],  # Devine IBW at 152.4 cm (60 in) is the base value
)
def test_obesity_boundary_tbw_at_most_1_2_ibw_uses_actual_weight(sex, ibw_kg) -> None:
    """Reference 3.9: TBW <= 1.2 x IBW -> TBW; above it -> ABW (at the boundary: TBW)."""
    boundary = 1.2 * ibw_kg  # 60.0 kg (men), 54.6 kg (women), exactly representable
    for tbw, basis, expected in (
        (boundary - 0.01, "actual", boundary - 0.01),
        (boundary, "actual", boundary),
        (boundary + 0.01, "adjusted", ibw_kg + 0.4 * (boundary + 0.01 - ibw_kg)),
    ):
        patient = Patient(tbw, 152.4, 40.0, sex)
        assert patient.ideal_body_weight_kg == ibw_kg
        dw = patient.dosing_weight()
        assert dw.basis == basis, tbw
        assert dw.weight_kg == pytest.approx(expected, rel=1e-12), tbw


def test_obesity_boundary_reaches_the_plan() -> None:
    """The planner multiplies by the rule's weight: 60 kg at the boundary, 54.004 kg above."""
    from tenderpoint.pharmacology.dosing import plan_infusion

    for tbw, kg in ((60.0, 60.0), (60.01, 50.0 + 0.4 * 10.01)):
        plan = plan_infusion(
            None,
            Patient(tbw, 152.4, 40.0, "male"),
            vial_mg_per_ml=50,
            bag_volume_ml=250,
            dose_mg_per_kg_per_h=0.5,
            duration_min=60,
        )
        assert plan.dosing_weight.weight_kg == pytest.approx(kg, rel=1e-12)
        assert plan.total_dose_mg == pytest.approx(0.5 * kg, rel=1e-12)
