"""One-patient result frames built fast (issue 14 speed).

A one-patient frame has a handful of rows; ``pl.DataFrame(rows, schema=..., orient="row")``
spends most of its time outside the construction itself (orientation inference, schema
unpacking, renaming the columns it has just named), and polars' row constructor then converts
every value through its "any value" path (about 100 us for the relief or responses frame of one
patient; 200 us for an empty frame). :func:`frame_from_columns` builds each column with the
typed constructor of its dtype (about 1 us a column) and the frame from those columns;
:func:`frame_from_rows` turns rows into columns and does the same. Both fall back to the
public constructor when the private bindings are missing or refuse a value (strict
constructors: a value not of the column's own Python type), so the frame is the public
constructor's either way (``test_frames.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

try:  # polars' typed series constructors and its frame-from-series constructor
    from polars._plr import PyDataFrame as _PyDataFrame
    from polars._plr import PySeries as _PySeries

    _RAW = callable(getattr(pl.DataFrame, "_from_pydf", None)) and all(
        callable(getattr(_PySeries, name, None))
        for name in ("new_str", "new_opt_i64", "new_opt_i32", "new_opt_f64", "new_f64")
    )
except ImportError:  # pragma: no cover - a polars that moved its bindings
    _RAW = False
_RAW_ROWS = _RAW  # (the name the tests and callers know)

_Build = Callable[[str, Any], Any]
_SCHEMAS: dict[tuple[tuple[str, Any], ...], tuple[pl.Schema, list[_Build] | None]] = {}


def _builder(dtype: Any) -> _Build | None:
    """The typed constructor of one column (None: a dtype built only the public way). A
    Date column is given as days since 1970 and a Datetime as integers of its time unit;
    a Float64 column may be a float64 array, whose NaN are read as null."""
    if dtype == pl.String:
        return lambda name, values: _PySeries.new_str(name, values, True)
    if dtype == pl.Int64:
        return lambda name, values: _PySeries.new_opt_i64(name, values, True)
    if dtype == pl.Boolean:
        return lambda name, values: _PySeries.new_opt_bool(name, values, True)
    if dtype == pl.Float64:

        def floats(name: str, values: Any) -> Any:
            if isinstance(values, np.ndarray):
                return _PySeries.new_f64(name, values.astype(np.float64, copy=False), True)
            return _PySeries.new_opt_f64(name, values, True)

        return floats
    if dtype == pl.Date:
        date = pl.Date()
        return lambda name, values: _PySeries.new_opt_i32(name, values, True).cast(
            date, True, False
        )
    if isinstance(dtype, pl.Datetime):
        fixed = pl.Datetime(dtype.time_unit, dtype.time_zone)
        return lambda name, values: _PySeries.new_opt_i64(name, values, True).cast(
            fixed, True, False
        )
    return None


def _fixed(schema: Mapping[str, Any]) -> tuple[pl.Schema, list[_Build] | None]:
    """The schema built once and each column's constructor (None: the public way)."""
    key = tuple(schema.items())
    got = _SCHEMAS.get(key)
    if got is None:
        builds = [_builder(dtype) for dtype in schema.values()] if _RAW else []
        ready = None if any(b is None for b in builds) or not _RAW else builds
        got = _SCHEMAS.setdefault(key, (pl.Schema(schema), ready))  # type: ignore[arg-type]
    return got


def _typed(
    builds: list[_Build] | None, fixed: pl.Schema, columns: Sequence[Any]
) -> pl.DataFrame | None:
    """The frame from the typed constructors; None without them or when one refuses a
    value (strict: a value not of the column's own Python type, or a ragged column)."""
    if builds is None:
        return None
    try:
        series = [
            build(name, values) for build, name, values in zip(builds, fixed, columns, strict=True)
        ]
        return pl.DataFrame._from_pydf(_PyDataFrame(series))
    except (TypeError, ValueError, OverflowError):
        return None


def frame_from_columns(columns: Sequence[Any], schema: Mapping[str, Any]) -> pl.DataFrame:
    """The frame of ``columns`` (one per schema entry, in its order, equal lengths): each a
    list of Python values (None: null; a Date as days since 1970, a Datetime as integers of
    its unit) or, for a Float64 column, a float64 array whose NaN are null. The schema's
    dtypes are plain (String, Int64, Float64, Boolean, Date, Datetime); equal to
    ``pl.DataFrame`` of those columns with that schema (``test_frames.py``)."""
    fixed, builds = _fixed(schema)
    typed = _typed(builds, fixed, columns)
    if typed is not None:
        return typed
    # the public row constructor, as before (an array's NaN as null)
    listed = [
        [None if v != v else v for v in values.tolist()]
        if isinstance(values, np.ndarray)
        else values
        for values in columns
    ]
    return pl.DataFrame(list(zip(*listed, strict=True)) or None, schema=fixed, orient="row")


def frame_from_rows(rows: list[tuple[Any, ...]], schema: Mapping[str, Any]) -> pl.DataFrame:
    """``pl.DataFrame(rows, schema=schema, orient="row")`` for a schema of plain dtypes
    (String, Int64, Float64, Boolean, Date, Datetime; a Date given as days since 1970):
    the rows' columns through :func:`frame_from_columns`, or the public constructor when
    the private bindings are missing or refuse a value. ``test_frames.py`` holds the two
    equal."""
    fixed, builds = _fixed(schema)
    if builds is not None:
        columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in fixed]
        typed = _typed(builds, fixed, columns)
        if typed is not None:
            return typed
    return pl.DataFrame(rows or None, schema=fixed, orient="row")
