"""The plain-words steps say what a clinician needs to re-check each result by hand."""

from __future__ import annotations

import pytest

from tenderpoint.clinical import score
from tenderpoint.errors import InvalidResponseError


def test_phq9_item9_flag_is_spelled_out_even_with_a_low_total() -> None:
    steps = score("phq9", {"items": [0, 0, 0, 0, 0, 0, 0, 0, 1]}).steps
    assert steps[0] == "total 1 = 0 + 0 + 0 + 0 + 0 + 0 + 0 + 0 + 1"
    assert steps[1].startswith("total 1 of 27: severity none–minimal (0–4 none–minimal, 5–9 mild")
    assert steps[2] == "total ≥ 10 (screening cut point for major depression): no"
    assert "item 9 answered 1 → safety flag RAISED" in steps[3]
    assert "independent of the total" in steps[3]


def test_fiqr_steps_show_each_domain_and_the_half_up_display() -> None:
    answers = {"function": [6, 0, 0, 0, 0, 0, 0, 0, None], "overall": [1, 2], "symptoms": [1] * 10}
    assert score("fiqr", answers).steps == (
        "function 2.25 = 6 × 9/8 ÷ 3 (one item missing, prorated)",
        "overall impact 3 = 3 ÷ 1",
        "symptoms 5 = 10 ÷ 2",
        "total 10.25 → 10.3 of 100 (rounded half up to 1 decimal)",
    )


def test_fiqr_non_terminating_values_are_marked_approximate() -> None:
    answers = {"function": [1] + [0] * 8, "overall": [0, 0], "symptoms": [0] * 10}
    steps = score("fiqr", answers).steps
    assert steps[0] == "function ≈0.3333 = 1 ÷ 3"
    assert steps[3] == "total ≈0.3333 → 0.3 of 100 (rounded half up to 1 decimal)"


def test_unscoreable_fiqr_names_every_missing_item_and_the_rule() -> None:
    answers = {"function": [0] * 7 + [None, None], "overall": [0, None], "symptoms": [0] * 10}
    with pytest.raises(InvalidResponseError) as caught:
        score("fiqr", answers)
    assert [(p["field"], p["item"]) for p in caught.value.problems] == [
        ("function[7]", "function_8"),
        ("function[8]", "function_9"),
        ("overall[1]", "overall_2"),
    ]
    assert caught.value.message == (
        "fiqr: function[7] (function_8) is missing; the FIQR is scored with at most one function "
        "item missing (fiqr.info); function[8] (function_9) is missing; the FIQR is scored with "
        "at most one function item missing (fiqr.info); overall[1] (overall_2) is missing; the "
        "FIQR needs both overall-impact items (fiqr.info)"
    )


def test_one_missing_function_item_is_allowed_but_not_with_a_missing_symptom() -> None:
    answers = {"function": [0] * 8 + [None], "overall": [0, 0], "symptoms": [0] * 9 + [None]}
    with pytest.raises(InvalidResponseError) as caught:
        score("fiqr", answers)
    assert [p["item"] for p in caught.value.problems] == ["symptoms_10"]


def test_fiqr_by_item_id_with_one_function_item_left_blank() -> None:
    answers = {f"function_{n}": 3 for n in range(1, 9)}
    answers |= {"overall_1": 5, "overall_2": 5} | {f"symptoms_{n}": 4 for n in range(1, 11)}
    outputs = score("fiqr", answers).outputs
    assert outputs["function_domain"] == 9.0  # 24 x 9/8 / 3
    assert (outputs["complete"], outputs["missing_items"], outputs["prorated"]) == (
        False,
        ["function_9"],
        True,
    )
    assert outputs["total"] == 9.0 + 10 + 20


def test_acr1990_lists_components_and_points() -> None:
    result = score(
        "acr1990",
        {
            "pain_areas": ["shoulder_girdle_left", "hip_right"],
            "positive_tender_points": ["knee_left", "occiput_right"],
            "pain_duration_ge_3_months": True,
        },
    )
    assert result.steps[1].startswith(
        "left side yes, right side yes, above waist yes, below waist yes, axial no"
    )
    assert result.steps[3] == "2 of 18 tender points painful (right occiput, left knee) → < 11"


def test_acr2011_exclusion_is_named() -> None:
    result = score(
        "acr2011",
        {
            "wpi_areas": [],
            "fatigue": 0,
            "waking_unrefreshed": 0,
            "cognitive": 0,
            "headaches_6mo": True,
            "lower_abdominal_pain_or_cramps_6mo": False,
            "depression_6mo": True,
            "symptoms_similar_level_ge_3_months": True,
            "other_disorder_explains_pain": True,
        },
    )
    assert (
        "SS 2 = fatigue 0 + waking unrefreshed 0 + cognitive symptoms 0 + 6-month symptoms "
        "(headaches, depression) 2" in result.explanation
    )
    assert "another disorder explains the pain: yes → excludes" in result.explanation
    assert "WPI 0 < 3 → threshold not met" in result.explanation
    assert result.steps[-1] == "rater: patient — screening only, requires clinician confirmation"


def test_pain_change_explains_exact_percentages() -> None:
    steps = score("pain_nrs_change", {"baseline": 3, "follow_up": 2.1}).steps
    assert steps[1] == "pain: (3 − 2.1) / 3 × 100 = 30 % improvement"
    assert steps[2].startswith("IMMPACT category moderate")


def test_aldrete_rule_is_named() -> None:
    answers = {
        "activity": 1,
        "respiration": 2,
        "circulation": 1,
        "consciousness": 2,
        "spo2": 2,
        "rule": "total_ge_8_resp_spo2_2",
    }
    steps = score("modified_aldrete", answers).steps
    assert steps[1] == ("rule: total ≥ 8 with respiration 2 and SpO2 2 → discharge eligible: yes")
