"""Exact arithmetic and presentation rounding (reference §13.4).

Scores are kept exact (int or Fraction) and rounded only for presentation, half-up, because
Python's ``round()`` rounds half to even (2.25 would display as 2.2, not 2.3).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def round_half_up(value: Fraction | int, places: int) -> float:
    """``value`` rounded half away from zero to ``places`` decimals, as a float for display."""
    exact = Fraction(value)
    decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
    return float(decimal.quantize(_QUANTA[places], rounding=ROUND_HALF_UP))


def percent_reduction(baseline: Fraction, follow_up: Fraction) -> float | None:
    """(baseline - follow-up) / baseline x 100, rounded half-up to 4 decimals; None if baseline 0.

    Comparisons against thresholds use this rounded figure (reference §11), so a reduction of
    29.99995 % counts as 30 %.
    """
    if baseline == 0:
        return None
    return round_half_up((baseline - follow_up) / baseline * 100, 4)


def plain(value: Fraction | int) -> str:
    """A short human form of an exact number: integers as such, others to at most 4 decimals."""
    exact = Fraction(value)
    if exact.denominator == 1:
        return str(exact.numerator)
    return f"{round_half_up(exact, 4):.4f}".rstrip("0").rstrip(".")
