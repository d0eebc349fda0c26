"""Shared pieces of the change and responder calculations (reference §11).

Every scale scored here is higher = worse, so ``improvement = baseline - follow-up`` (positive =
better) and ``improvement_pct = improvement / baseline x 100`` (the percent reduction), computed
exactly, rounded half up to 4 decimals, then compared with inclusive thresholds; both always carry
the same sign (docs/clinical.md, "Vocabulary"). A baseline of 0 makes it not computable:
the percentage is None and so is every yes/no that depends on it (three-valued logic: a
composite is False as soon as one part is False, None if a part is unknown and none is False).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from tenderpoint.clinical.numbers import percent_reduction, plain
from tenderpoint.clinical.responder import immpact_category as immpact_category


def at_least(percent: float | None, threshold: float) -> bool | None:
    """percent >= threshold, or None when the percentage is not computable."""
    return None if percent is None else percent >= threshold


def all3(values: Iterable[bool | None]) -> bool | None:
    """Kleene AND: False if any is False, else None if any is None, else True."""
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def any3(values: Iterable[bool | None]) -> bool | None:
    """Kleene OR: True if any is True, else None if any is None, else False."""
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def count_true(values: Iterable[bool | None]) -> tuple[int, int]:
    """(number True, number unknown)."""
    true = unknown = 0
    for value in values:
        true += value is True
        unknown += value is None
    return true, unknown


def change_step(name: str, baseline: Fraction, follow_up: Fraction) -> tuple[float | None, str]:
    """Percent improvement and its explanation step."""
    percent = percent_reduction(baseline, follow_up)
    if percent is None:
        return None, f"{name}: baseline 0 → percent improvement not computable"
    exact = (baseline - follow_up) / baseline * 100
    shown = f"{percent:.4f}".rstrip("0").rstrip(".")
    rounded = "" if Fraction(shown) == exact else " (rounded half up to 4 decimals)"
    return percent, (
        f"{name}: ({plain(baseline)} − {plain(follow_up)}) / {plain(baseline)} × 100 = "
        f"{shown} % improvement{rounded}"
    )


def words(flag: bool | None) -> str:
    """yes / no / not computable."""
    return "not computable" if flag is None else ("yes" if flag else "no")
