"""``_frames.frame_from_rows`` and ``frame_from_columns`` build exactly the frame of polars'
public row constructor."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tenderpoint.outcomes import _frames
from tenderpoint.outcomes._frames import frame_from_columns, frame_from_rows
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


@pytest.mark.parametrize("schema", [PLAIN, RESPONSE_SCHEMA])
@pytest.mark.parametrize("n_rows", [0, 1, 11])
def test_frame_from_columns_is_the_public_constructors_frame(schema, n_rows) -> None:
    """Columns as lists, or a Float64 column as a float array whose NaN are read as null:
    the frame of the same rows (NaN given as None) through the public constructor."""
    rng = np.random.default_rng(100 + n_rows)
    for _ in range(20):
        rows = [tuple(_value(t, rng) for t in schema.values()) for _ in range(n_rows)]
        columns: list[object] = [list(c) for c in zip(*rows, strict=True)] or [[] for _ in schema]
        public_rows = rows
        for i, dtype in enumerate(schema.values()):
            if dtype == pl.Float64 and i % 2:  # every other float column as an array
                values = [np.nan if v is None else v for v in columns[i]]  # type: ignore[attr-defined]
                columns[i] = np.array(values, dtype=np.float64)
                public_rows = [
                    (*r[:i], None if v != v else v, *r[i + 1 :])
                    for r, v in zip(public_rows, values, strict=True)
                ]
        ours = frame_from_columns(columns, schema)
        public = pl.DataFrame(public_rows or None, schema=schema, orient="row")
        assert ours.schema == public.schema
        assert_frame_equal(ours, public, check_exact=True)


@pytest.mark.parametrize(
    ("dtype", "values"),
    [
        (pl.Int64, [np.int64(3), None]),  # numpy integers: not a Python int
        (pl.Date, [dt.date(2026, 1, 2), 20000]),  # date objects: not days since 1970
        (pl.Datetime("us", "UTC"), [dt.datetime(2026, 1, 2, 3, tzinfo=dt.UTC), None]),
        (pl.String, [3, "x"]),
    ],
)
def test_values_the_typed_constructors_refuse_go_the_public_way(dtype, values) -> None:
    """A value not of the column's own Python type is left to the public constructor,
    which converts it as it always did."""
    schema = {"a": dtype, "b": pl.Int64}
    rows = [(v, i) for i, v in enumerate(values)]
    public = pl.DataFrame(rows, schema=schema, orient="row")
    assert_frame_equal(frame_from_rows(rows, schema), public, check_exact=True)
    columns = [list(values), list(range(len(values)))]
    assert_frame_equal(frame_from_columns(columns, schema), public, check_exact=True)


def test_the_fast_path_is_taken_with_this_polars() -> None:
    """The private binding exists in the locked polars (else the speed work is lost)."""
    assert _frames._RAW_ROWS


def test_relief_frame_from_rows_is_the_frame_from_series(monkeypatch) -> None:
    """``relief._columns_frame`` builds a few rows (one patient) from rows and more from a
    series per column: forced either way, the relief frames of whole clinics and of single
    patients are the same."""
    from tenderpoint.outcomes import relief
    from tenderpoint.outcomes.baseline import baseline_scores
    from tenderpoint.outcomes.contracts import daily_values, validate_diary
    from tenderpoint.outcomes.patient import analyse_patient
    from tenderpoint.outcomes.schedule import infusion_courses
    from tenderpoint.outcomes.synthetic import generate_cohort

    from .independent_generator import generate

    later = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)

    def frames() -> list[pl.DataFrame]:
        out = []
        for cohort in (generate_cohort(8, 300, seed=11), generate(8, 200, seed=12)):
            d, i, p = cohort.diary, cohort.infusions, cohort.patients
            for pid in p["patient_id"].to_list():
                out.append(analyse_patient(pid, d, i, p, now=later).relief)
            d = validate_diary(d, now=later)
            sessions = infusion_courses(i, p)
            baselines = baseline_scores(daily_values(d), sessions)
            out.append(relief.latent_relief_episodes(d, sessions, baselines))
        return out

    monkeypatch.setattr(relief, "_FEW_ROWS", 10**9)
    from_rows = frames()
    monkeypatch.setattr(relief, "_FEW_ROWS", -1)
    from_series = frames()
    assert sum(f.height for f in from_rows) > 20
    for a, b in zip(from_rows, from_series, strict=True):
        assert_frame_equal(a, b, check_exact=True)
