"""Half-up presentation rounding and exact percent reduction."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tenderpoint.clinical.numbers import (
    percent_reduction,
    plain,
    plain_ratio,
    round_half_up,
    whole_or_float,
)


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Fraction(9, 4), 1, 2.3),
        (Fraction(21, 4), 1, 5.3),
        (Fraction(-9, 4), 1, -2.3),
        (Fraction(1, 3), 4, 0.3333),
        (Fraction(2, 3), 4, 0.6667),
        (7, 1, 7.0),
    ],
)
def test_round_half_up(value: Fraction | int, places: int, shown: float) -> None:
    assert round_half_up(value, places) == shown


def test_percent_reduction() -> None:
    assert percent_reduction(Fraction(3), Fraction("2.1")) == 30.0
    assert percent_reduction(Fraction(0), Fraction(1)) is None


def test_plain_ratio_reduces_first() -> None:
    assert plain_ratio(54, 24) == "2.25"  # 54/24 = 9/4 terminates although 24 has a factor 3
    assert plain_ratio(48, 24) == "2"
    assert plain_ratio(8, 24) == "≈0.3333"


def test_plain() -> None:
    assert plain(Fraction(6)) == "6"
    assert plain(Fraction(9, 4)) == "2.25"
    assert plain(Fraction(1, 3)) == "≈0.3333"
    assert plain(Fraction(-9, 4)) == "-2.25"
    assert plain(Fraction(99999, 100000)) == "0.99999"
    assert plain(Fraction("86.00004")) == "86.00004"
    assert plain(Fraction(2, 3)) == "≈0.6667"
    assert plain(Fraction(-1, 3)) == "≈-0.3333"
    assert plain(Fraction(1, 2**13)) == "≈0.0001"  # 13 decimal places: shown rounded


def test_whole_or_float_keeps_whole_inputs_whole() -> None:
    assert type(whole_or_float(Fraction(4), whole=True)) is int
    assert whole_or_float(Fraction(4), whole=False) == 4.0
    assert type(whole_or_float(Fraction(4), whole=False)) is float
    assert whole_or_float(Fraction(9, 2), whole=True) == 4.5  # never truncated
