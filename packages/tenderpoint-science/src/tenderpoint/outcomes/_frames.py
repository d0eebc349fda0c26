"""One-patient result frames built from rows, fast (issue 14 speed).

A one-patient frame has a handful of rows; ``pl.DataFrame(rows, schema=..., orient="row")``
spends most of its time outside the construction itself (orientation inference, schema
unpacking, renaming the columns it has just named). :func:`frame_from_rows` calls the row
constructor that path ends in, with the schema built once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

try:  # polars' row constructor, which ``pl.DataFrame(rows, schema=..., orient="row")`` calls
    from polars._plr import PyDataFrame as _PyDataFrame
    from polars.datatypes.constants import N_INFER_DEFAULT as _N_INFER

    _RAW_ROWS = callable(getattr(_PyDataFrame, "from_rows", None)) and callable(
        getattr(pl.DataFrame, "_from_pydf", None)
    )
except ImportError:  # pragma: no cover - a polars that moved its bindings
    _RAW_ROWS = False

_SCHEMAS: dict[tuple[tuple[str, Any], ...], pl.Schema] = {}


def frame_from_rows(rows: list[tuple[Any, ...]], schema: Mapping[str, Any]) -> pl.DataFrame:
    """``pl.DataFrame(rows, schema=schema, orient="row")`` for a schema of plain dtypes
    (String, Int64, Float64, Boolean, Date, Datetime; a Date given as days since 1970):
    polars' own row constructor with the schema built once, without the public
    constructor's orientation inference, schema unpacking and column renaming, which cost
    three quarters of a one-patient frame. ``test_frames.py`` holds the two equal; a polars
    without the private binding takes the public constructor."""
    key = tuple(schema.items())
    fixed = _SCHEMAS.get(key)
    if fixed is None:
        fixed = _SCHEMAS.setdefault(key, pl.Schema(schema))
    if not rows or not _RAW_ROWS:
        return pl.DataFrame(rows or None, schema=fixed, orient="row")
    try:
        # the inference length the public constructor passes (unused: the schema is complete)
        built = _PyDataFrame.from_rows(
            rows,  # type: ignore[arg-type]  # the binding's stub says series; it takes rows
            schema=fixed,
            infer_schema_length=_N_INFER,
        )
    except TypeError:  # a polars whose binding changed its signature: the public way
        return pl.DataFrame(rows, schema=fixed, orient="row")
    return pl.DataFrame._from_pydf(built)
