"""Validation: stable codes, messages that name the field and the allowed values, all problems."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from tenderpoint.clinical import score
from tenderpoint.errors import InvalidResponseError, UnknownInstrumentError


def _error(instrument: str, answers: object) -> InvalidResponseError:
    with pytest.raises(InvalidResponseError) as caught:
        score(instrument, answers)  # type: ignore[arg-type]
    return caught.value


def test_message_names_field_and_allowed_values() -> None:
    error = _error("phq9", {"items": [0, 0, 0, 0, 0, 0, 0, 0, 4]})
    assert error.code == "value_out_of_range"
    assert error.field == "items[8]"
    assert "items[8]" in error.message
    assert "from 0 to 3" in error.message
    assert error.params["allowed"] == [0, 3]
    assert error.params["value"] == 4


def test_unknown_area_lists_the_vocabulary() -> None:
    error = _error("acr2016", {"wpi_areas": ["wrist_left"]})
    assert error.code == "unknown_area"
    assert "wrist_left" in error.message
    assert "shoulder_girdle_left" in error.message


def test_all_problems_are_collected() -> None:
    error = _error("acr2016", {"wpi_areas": ["neck", "neck"], "fatigue": 9})
    codes = [problem["code"] for problem in error.problems]
    assert codes[0] == "duplicate_area"
    assert "value_out_of_range" in codes
    assert codes.count("missing_item") == 6  # 2 ratings, 3 six-month answers, duration
    assert error.problems == error.params["errors"]
    for problem in error.problems:
        assert problem["message"] in error.message  # the message names every problem


def test_single_problem_names_the_list_position_and_the_item() -> None:
    error = _error("gad7", {"items": [0] * 6 + [None]})
    assert error.code == "missing_item"
    assert error.message == ("gad7: items[6] (item7) is missing; an answer from 0 to 3 is required")
    assert error.problems == [
        {
            "code": "missing_item",
            "field": "items[6]",
            "item": "item7",
            "message": "items[6] (item7) is missing; an answer from 0 to 3 is required",
            "params": {},
        }
    ]


def test_a_misspelt_field_does_not_hide_the_missing_items() -> None:
    error = _error("gad7", {"itmes": [0] * 7})
    assert error.code == "unknown_field"  # the first problem, as before
    missing = [p["item"] for p in error.problems if p["code"] == "missing_item"]
    assert missing == [f"item{n}" for n in range(1, 8)]


def test_answers_keyed_by_item_id_score_like_the_list() -> None:
    by_id = {f"item{n}": n % 4 for n in range(1, 10)}
    as_list = {"items": [n % 4 for n in range(1, 10)]}
    assert score("phq9", by_id) == score("phq9", as_list)
    assert (
        score(
            "isi",
            {
                "difficulty_falling_asleep": 4,
                "difficulty_staying_asleep": 4,
                "waking_too_early": 0,
                "satisfaction_with_sleep": 0,
                "noticeable_to_others": 0,
                "worry_distress": 0,
                "interference_with_daily_functioning": 0,
            },
        ).outputs["total"]
        == 8
    )


def test_item_id_answers_report_problems_by_item_id() -> None:
    answers = {f"item{n}": 1 for n in range(1, 10) if n not in (3, 9)} | {"item2": 4}
    error = _error("phq9", answers)
    assert [(p["code"], p["field"], p["item"]) for p in error.problems] == [
        ("value_out_of_range", "item2", "item2"),
        ("missing_item", "item3", "item3"),
        ("missing_item", "item9", "item9"),
    ]
    assert error.message == (
        "phq9: item2 must be from 0 to 3; got 4; item3 is missing; an answer from 0 to 3 is "
        "required; item9 is missing; an answer from 0 to 3 is required"
    )


def test_a_list_and_its_item_ids_together_are_refused() -> None:
    error = _error("gad7", {"items": [0] * 7, "item1": 0})
    assert (error.code, error.field, error.params["value"]) == (
        "conflicting_fields",
        "items",
        ["item1"],
    )


def test_fields_that_are_not_items_have_no_item() -> None:
    error = _error("cadss6", {"items": [0] * 6, "hold_discharge_at": 25})
    assert (error.field, error.problems[0]["item"]) == ("hold_discharge_at", None)


def test_an_error_raised_before_collecting_is_its_own_only_problem() -> None:
    error = _error("phq9", [0] * 9)
    assert error.problems == [{"code": "wrong_type", "field": None, "message": error.message}]


def test_answers_must_be_a_mapping() -> None:
    error = _error("phq9", [0] * 9)
    assert error.code == "wrong_type"
    assert "items" in error.message


def test_areas_must_be_text() -> None:
    assert _error("acr2016", {"wpi_areas": [None]}).code == "wrong_type"


def test_every_unknown_field_is_named() -> None:
    error = _error("gad7", {"items": [0] * 7, "extra": 1, "other": 2})
    assert error.code == "unknown_field"
    assert [p["field"] for p in error.problems] == ["extra", "other"]


def test_null_list_counts_as_missing() -> None:
    assert _error("gad7", {"items": None}).code == "missing_item"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (float("nan"), "wrong_type"),
        (float("inf"), "wrong_type"),
        (Decimal("NaN"), "wrong_type"),
        ("5", "wrong_type"),
        (None, "missing_item"),
    ],
)
def test_numbers_reject_non_finite_and_text(value: object, code: str) -> None:
    error = _error("pain_nrs_severity", {"nrs": value})
    assert error.code == code


def test_exact_number_types_are_accepted() -> None:
    assert score("pain_nrs_severity", {"nrs": Decimal("4.5")}).outputs["severity_band"] == "mild"
    assert score("pain_nrs_severity", {"nrs": Fraction(9, 2)}).outputs["nrs"] == 4.5


def test_params_are_json_friendly_for_odd_values() -> None:
    error = _error("psd_category", {"fs": float("nan")})
    assert error.params["value"] == "nan"
    error = _error("psd_category", {"fs": [1]})
    assert error.params["value"] == "[1]"
    error = _error("psd_category", {"fs": 1.5})
    assert error.params["value"] == 1.5


def test_unknown_instrument() -> None:
    with pytest.raises(UnknownInstrumentError) as caught:
        score("fiq", {})
    assert caught.value.code == "unknown_instrument"
    assert "fiqr" in caught.value.message
    with pytest.raises(UnknownInstrumentError):
        score(["acr2016"], {})  # type: ignore[arg-type]


def test_cadss6_by_item_id_agrees_with_the_full_cadss() -> None:
    full = [0] * 23
    answers = {1: 1, 2: 2, 6: 3, 7: 4, 15: 0, 22: 1}
    for number, value in answers.items():
        full[number - 1] = value
    six = score("cadss6", {f"item{n}": value for n, value in answers.items()})
    assert six.outputs["total"] == score("cadss", {"items": full}).outputs["cadss6_total"] == 11
    error = _error("cadss6", {f"item{n}": 0 for n in (1, 2, 3, 7, 15, 22)})
    assert [(p["code"], p["field"]) for p in error.problems] == [
        ("unknown_field", "item3"),
        ("missing_item", "item6"),
    ]
