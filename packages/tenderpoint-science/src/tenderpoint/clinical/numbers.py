"""Exact arithmetic and presentation rounding (reference §13.4).

Scores are kept exact (int or Fraction) and rounded only for presentation, half up (away from
zero), because Python's ``round()`` rounds half to even (2.25 would display as 2.2, not 2.3).
Rounding is done in integers, which is exact and fast.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

_POW10: tuple[int, ...] = tuple(10**n for n in range(13))


def _scaled_half_up(numerator: int, denominator: int, places: int) -> int:
    """numerator / denominator x 10**places, rounded half away from zero, as an integer."""
    scaled = abs(numerator) * _POW10[places]
    rounded = (2 * scaled + denominator) // (2 * denominator)
    return rounded if numerator >= 0 else -rounded


def round_half_up(value: Fraction | int, places: int) -> float:
    """``value`` rounded half away from zero to ``places`` decimals, as a float for display.

    The float is the correctly rounded double of the decimal result (``2.3``, not 2.2999...).
    """
    exact = Fraction(value)
    return _scaled_half_up(exact.numerator, exact.denominator, places) / _POW10[places]


def ratio_half_up(numerator: int, denominator: int, places: int) -> float:
    """Like :func:`round_half_up` for ``numerator / denominator`` without building a Fraction."""
    return _scaled_half_up(numerator, denominator, places) / _POW10[places]


def whole_or_float(value: Fraction, *, whole: bool) -> int | float:
    """An exact value as an output: ``int`` when computed from whole-number inputs by sums and
    differences (``whole``), else ``float`` -- so ``nrs: 4`` comes back as 4, not 4.0."""
    return int(value) if whole and value.denominator == 1 else float(value)


def percent_reduction(baseline: Fraction, follow_up: Fraction) -> float | None:
    """(baseline - follow-up) / baseline x 100, rounded half up to 4 decimals; None if baseline 0.

    Comparisons against thresholds use this rounded figure (reference §11), so a reduction of
    29.99995 % counts as 30 %.
    """
    if baseline == 0:
        return None
    return round_half_up((baseline - follow_up) / baseline * 100, 4)


def plain_ratio(numerator: int, denominator: int) -> str:
    """numerator / denominator for a reader: exact when it is a decimal of <= 12 places
    (``2.25``, ``86.00004``), else rounded half up to 4 places and marked ``≈`` (``≈0.3333``).
    """
    common = gcd(numerator, denominator)
    numerator, denominator = numerator // common, denominator // common
    if denominator == 1:
        return str(numerator)
    rest, twos, fives = denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    places = max(twos, fives)
    exact = rest == 1 and places <= 12
    if not exact:
        places = 4
    scaled = _scaled_half_up(numerator, denominator, places)
    sign = "-" if scaled < 0 else ""
    units, decimals = divmod(abs(scaled), _POW10[places])
    text = f"{sign}{units}.{decimals:0{places}d}".rstrip("0").rstrip(".")
    return text if exact else f"≈{text}"


def plain(value: Fraction | int) -> str:
    """A short human form of an exact number: integers as such, others to at most 4 decimals."""
    exact = Fraction(value)
    return plain_ratio(exact.numerator, exact.denominator)
