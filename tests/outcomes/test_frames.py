"""``_frames.frame_from_rows`` builds exactly the frame of polars' public row constructor."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tenderpoint.outcomes import _frames
from tenderpoint.outcomes._frames import frame_from_rows
from tenderpoint.outcomes.flares import CHANGE_POINT_SCHEMA
from tenderpoint.outcomes.single import BASELINE_SCHEMA, REMISSION_SCHEMA, RESPONSE_SCHEMA

PLAIN = {
    "name": pl.String,
    "day": pl.Date,
    "value": pl.Float64,
    "count": pl.Int64,
    "flag": pl.Boolean,
    "at": pl.Datetime("us", "UTC"),
}


def _value(dtype: pl.DataType, rng: np.random.Generator) -> object:
    """A value of ``dtype`` (a Date as days since 1970), null one time in five."""
    if rng.random() < 0.2:
        return None
    if dtype == pl.String:
        return str(rng.integers(0, 1000))
    if dtype == pl.Date:
        return int(rng.integers(-1000, 30000))
    if dtype == pl.Float64:
        return float(rng.choice([rng.normal(), np.nan, np.inf, -0.0, 1e-300]))
    if dtype == pl.Int64:
        return int(rng.integers(-(2**62), 2**62))
    if dtype == pl.Boolean:
        return bool(rng.random() < 0.5)
    return int(rng.integers(0, 2**52))


@pytest.mark.parametrize(
    "schema", [PLAIN, BASELINE_SCHEMA, RESPONSE_SCHEMA, REMISSION_SCHEMA, CHANGE_POINT_SCHEMA]
)
@pytest.mark.parametrize("n_rows", [0, 1, 2, 11])
def test_frame_from_rows_is_the_public_constructors_frame(schema, n_rows) -> None:
    """Same schema, values, nulls, NaN and signed zeros, for empty and non-empty rows."""
    rng = np.random.default_rng(n_rows)
    for _ in range(20):
        rows = [tuple(_value(t, rng) for t in schema.values()) for _ in range(n_rows)]
        ours = frame_from_rows(rows, schema)
        public = pl.DataFrame(rows, schema=schema, orient="row")
        assert ours.schema == public.schema
        assert_frame_equal(ours, public, check_exact=True)


def test_the_fast_path_is_taken_with_this_polars() -> None:
    """The private binding exists in the locked polars (else the speed work is lost)."""
    assert _frames._RAW_ROWS
