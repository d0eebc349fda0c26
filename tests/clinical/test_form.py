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
    codes = [problem["code"] for problem in error.params["errors"]]
    assert codes[0] == "duplicate_area"
    assert "value_out_of_range" in codes
    assert codes.count("missing_item") == 6  # 2 ratings, 3 six-month answers, duration
    assert "more problems" in error.message


def test_single_problem_message_has_no_tail() -> None:
    error = _error("gad7", {"items": [0] * 6 + [None]})
    assert error.code == "missing_item"
    assert "more problem" not in error.message
    assert "item 7" in error.message


def test_answers_must_be_a_mapping() -> None:
    error = _error("phq9", [0] * 9)
    assert error.code == "wrong_type"
    assert "items" in error.message


def test_areas_must_be_text() -> None:
    assert _error("acr2016", {"wpi_areas": [None]}).code == "wrong_type"


def test_two_problems_say_problem_singular() -> None:
    error = _error("gad7", {"items": [0] * 7, "extra": 1, "other": 2})
    assert error.code == "unknown_field"
    assert error.message.endswith("(and 1 more problem)")


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
    assert score("pain_nrs_severity", {"nrs": Decimal("4.5")}).outputs["severity"] == "mild"
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
