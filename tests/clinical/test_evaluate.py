"""evaluate_fibromyalgia: every applicable criterion side by side, and 2016-versus-2011 reasons."""

from __future__ import annotations

from typing import Any

import pytest

from tenderpoint.clinical import evaluate_fibromyalgia
from tenderpoint.errors import InvalidResponseError

FIVE_REGIONS = [
    "shoulder_girdle_left",
    "shoulder_girdle_right",
    "hip_left",
    "hip_right",
    "neck",
    "upper_arm_left",
    "upper_arm_right",
]


def _assessment(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "wpi_areas": FIVE_REGIONS,
        "fatigue": 2,
        "waking_unrefreshed": 2,
        "cognitive": 1,
        "headaches_6mo": False,
        "lower_abdominal_pain_or_cramps_6mo": False,
        "depression_6mo": False,
        "duration_ge_3_months": True,
        "other_disorder_explains_pain": False,
    }
    answers.update(changes)
    return answers


def test_minimal_assessment_gives_2016_and_2011_in_agreement() -> None:
    evaluation = evaluate_fibromyalgia(**_assessment())
    assert list(evaluation.results) == ["acr2016", "acr2011"]
    assert evaluation.results["acr2016"].outputs["meets_criteria"] is True
    assert evaluation.results["acr2011"].outputs["meets_criteria"] is True
    assert evaluation.divergences == ()
    assert evaluation.screening_only is False


def test_regional_pain_meets_2011_but_not_2016_and_says_why() -> None:
    # Pain confined to one side: WPI 7, SS 5, two regions.
    areas = [
        "shoulder_girdle_left",
        "upper_arm_left",
        "lower_arm_left",
        "hip_left",
        "upper_leg_left",
        "lower_leg_left",
        "jaw_left",
    ]
    evaluation = evaluate_fibromyalgia(**_assessment(wpi_areas=areas))
    assert evaluation.results["acr2011"].outputs["meets_criteria"] is True
    assert evaluation.results["acr2016"].outputs["meets_criteria"] is False
    assert evaluation.divergences[0] == "2011 criteria met but 2016 not met"
    assert "generalized pain" in evaluation.divergences[1]
    assert "pain is in 2" in evaluation.divergences[1]
    assert len(evaluation.divergences) == 2


def test_wpi_3_meets_2011_only_with_both_reasons() -> None:
    evaluation = evaluate_fibromyalgia(
        **_assessment(
            wpi_areas=["shoulder_girdle_left", "shoulder_girdle_right", "hip_left"],
            fatigue=3,
            waking_unrefreshed=3,
            cognitive=3,
        )
    )
    reasons = evaluation.divergences
    assert reasons[0] == "2011 criteria met but 2016 not met"
    assert any("starts at WPI 4" in reason for reason in reasons)
    assert any("generalized pain" in reason for reason in reasons)


def test_wpi_3_in_three_regions_states_the_lower_band_reason() -> None:
    # Three areas reach at most three regions, so generalized pain fails with WPI 3 too;
    # the lower-band reason must still be stated beside it.
    evaluation = evaluate_fibromyalgia(
        **_assessment(
            wpi_areas=["shoulder_girdle_left", "hip_right", "neck"],
            fatigue=3,
            waking_unrefreshed=3,
            cognitive=3,
        )
    )
    assert any("lower band starts at WPI 4" in reason for reason in evaluation.divergences)


def test_explaining_disorder_blocks_2011_not_2016() -> None:
    evaluation = evaluate_fibromyalgia(**_assessment(other_disorder_explains_pain=True))
    assert evaluation.results["acr2016"].outputs["meets_criteria"] is True
    assert evaluation.results["acr2011"].outputs["meets_criteria"] is False
    assert evaluation.divergences[0] == "2016 criteria met but 2011 not met"
    assert "irrespective of other diagnoses" in evaluation.divergences[1]


def test_optional_criteria_appear_when_their_inputs_are_given() -> None:
    points = [
        f"{pair}_{side}"
        for pair in ("occiput", "trapezius", "supraspinatus", "gluteal", "knee", "second_rib")
        for side in ("left", "right")
    ]
    evaluation = evaluate_fibromyalgia(
        **_assessment(
            wpi_areas=[*FIVE_REGIONS, "lower_back"],
            somatic_symptoms=1,
            positive_tender_points=points,
            aapt_pain_sites=[
                "left_arm",
                "right_arm",
                "left_leg",
                "right_leg",
                "upper_back_and_spine",
                "lower_back_and_spine_including_buttocks",
            ],
            moderate_to_severe_sleep_problems=True,
            moderate_to_severe_fatigue=False,
        )
    )
    assert list(evaluation.results) == ["acr2016", "acr2011", "acr2010", "acr1990", "aapt2019"]
    assert evaluation.results["acr2010"].outputs["ss"] == 6  # 2 + 2 + 1 + somatic 1
    assert evaluation.results["acr2010"].outputs["meets_criteria"] is True
    assert evaluation.results["acr1990"].outputs["tender_point_count"] == 12
    assert evaluation.results["acr1990"].outputs["meets_criteria"] is True
    assert evaluation.results["aapt2019"].outputs["meets_criteria"] is True
    assert "taken from" not in evaluation.results["aapt2019"].explanation


def test_aapt_sleep_and_fatigue_proxies_are_explained() -> None:
    sites = ["head", "left_arm", "right_arm", "chest", "abdomen", "left_leg"]
    proxied = evaluate_fibromyalgia(
        **_assessment(fatigue=2, waking_unrefreshed=1, aapt_pain_sites=sites)
    )
    aapt = proxied.results["aapt2019"]
    assert aapt.outputs["sleep_or_fatigue_met"] is True  # fatigue 2 = moderate
    assert "fatigue taken from the fatigue rating 2" in aapt.explanation
    assert "sleep problems taken from waking unrefreshed 1" in aapt.explanation
    low = evaluate_fibromyalgia(
        **_assessment(fatigue=1, waking_unrefreshed=1, aapt_pain_sites=sites)
    )
    assert low.results["aapt2019"].outputs["sleep_or_fatigue_met"] is False


def test_patient_rater_marks_screening_and_exam_criteria_stay_clinician() -> None:
    evaluation = evaluate_fibromyalgia(
        **_assessment(rater="patient", somatic_symptoms=2, positive_tender_points=[])
    )
    assert evaluation.screening_only is True
    assert evaluation.results["acr2016"].outputs["rater"] == "patient"
    assert evaluation.results["acr2011"].outputs["screening_only"] is True
    assert evaluation.results["acr2010"].outputs["rater"] == "clinician"
    assert evaluation.results["acr1990"].outputs["rater"] == "clinician"
    data = evaluation.as_dict()
    assert data["screening_only"] is True
    assert data["versions"]["acr2016"] == "acr2016/scoring-2"
    assert data["results"]["acr2016"]["meets_criteria"] is True


def test_invalid_input_raises_the_scorer_error() -> None:
    with pytest.raises(InvalidResponseError) as caught:
        evaluate_fibromyalgia(**_assessment(wpi_areas=["elbow"]))
    assert caught.value.code == "unknown_area"
