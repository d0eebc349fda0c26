"""Boundary checks shared by the pharmacology core: finite, in range, named in the error."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from tenderpoint.errors import InvalidInputError


def finite_float(
    value: Any,
    field: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
) -> float:
    """Return ``value`` as a float, or raise ``InvalidInputError`` naming ``field``."""
    if isinstance(value, bool):
        raise InvalidInputError(
            f"{field} must be a number, not a boolean.",
            field=field,
            code="not_a_number",
            params={"value": value},
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{field} must be a number, got {value!r}.",
            field=field,
            code="not_a_number",
            params={"value": repr(value)},
        ) from None
    if not math.isfinite(number):
        raise InvalidInputError(
            f"{field} must be finite, got {number}.",
            field=field,
            code="not_finite",
            params={"value": number},
        )
    if minimum is not None and (number < minimum or (strict_minimum and number == minimum)):
        relation = "greater than" if strict_minimum else "at least"
        raise InvalidInputError(
            f"{field} must be {relation} {minimum:g}, got {number:g}.",
            field=field,
            code="out_of_range",
            params={"value": number, "minimum": minimum},
        )
    if maximum is not None and number > maximum:
        raise InvalidInputError(
            f"{field} must be at most {maximum:g}, got {number:g}.",
            field=field,
            code="out_of_range",
            params={"value": number, "maximum": maximum},
        )
    return number


def finite_array(
    value: Any, field: str, *, minimum: float | None = None, ndim: int | None = 1
) -> npt.NDArray[np.float64]:
    """Return ``value`` as a float64 array; raise naming ``field`` if not finite or too small."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{field} must be an array of numbers.", field=field, code="not_a_number"
        ) from None
    if ndim is not None and array.ndim != ndim:
        if ndim == 1 and array.ndim == 0:
            array = array.reshape(1)
        else:
            raise InvalidInputError(
                f"{field} must be {ndim}-dimensional, got shape {array.shape}.",
                field=field,
                code="bad_shape",
                params={"shape": list(array.shape)},
            )
    if not np.all(np.isfinite(array)):
        raise InvalidInputError(
            f"{field} must contain only finite numbers.", field=field, code="not_finite"
        )
    if minimum is not None and array.size and float(array.min()) < minimum:
        raise InvalidInputError(
            f"{field} must be at least {minimum:g}; smallest value is {float(array.min()):g}.",
            field=field,
            code="out_of_range",
            params={"minimum": minimum, "value": float(array.min())},
        )
    return array
