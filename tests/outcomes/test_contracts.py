import datetime as dt

import polars as pl
import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.contracts import (
    cast_by_runs,
    daily_values,
    validate_diary,
    validate_diary_keyed,
    validate_infusions,
    validate_infusions_keyed,
    validate_patients,
)

from .helpers import NOW, at, day, diary, infusions


def _codes(err: InvalidInputError) -> set[tuple[str, str]]:
    return {(e["code"], e["field"]) for e in err.params["errors"]}


def test_valid_diary_is_conformed_with_optional_columns_added() -> None:
    out = validate_diary(diary([("a", 0, 5), ("a", 1, 6)]), patient_ids=["a"], now=NOW)
    assert out.columns[:4] == ["patient_id", "recorded_at", "local_date", "pain"]
    assert out["fatigue"].null_count() == 2
    assert out.schema["recorded_at"] == pl.Datetime("us", "UTC")


def test_every_problem_is_reported_with_code_and_field() -> None:
    bad = pl.concat(
        [
            diary([("a", 0, 11)]),  # pain 11
            diary([("zz", 1, 5)]),  # unknown patient
            diary([("a", 400, 5)]),  # future
            diary([("a", 2, 4), ("a", 2, 4)]),  # duplicated rows
        ]
    )
    with pytest.raises(InvalidInputError) as info:
        validate_diary(bad, patient_ids=["a"], now=NOW)
    assert _codes(info.value) == {
        ("out_of_range", "pain"),
        ("unknown_patient", "patient_id"),
        ("future_date", "recorded_at"),
        ("duplicate_rows", "recorded_at"),
    }
    assert info.value.field == "pain"
    assert "pain" in info.value.message


def test_missing_column_and_naive_datetime() -> None:
    df = pl.DataFrame({"patient_id": ["a"], "recorded_at": [dt.datetime(2025, 1, 1)]})  # noqa: DTZ001
    with pytest.raises(InvalidInputError) as info:
        validate_diary(df, now=NOW)
    assert ("naive_datetime", "recorded_at") in _codes(info.value)
    assert ("missing_column", "pain") in _codes(info.value)


def test_local_date_more_than_a_day_from_utc_is_refused() -> None:
    df = diary([("a", 5, 5)]).with_columns(pl.lit(day(8)).alias("local_date"))
    with pytest.raises(InvalidInputError) as info:
        validate_diary(df, now=NOW)
    assert info.value.code == "inconsistent_local_date"


@pytest.mark.parametrize(
    ("local_date", "refused"),
    [
        (dt.date(1969, 12, 30), False),  # one day before the UTC date: kept
        (dt.date(1970, 1, 1), False),  # one day after: kept
        (dt.date(1969, 12, 29), True),  # two days before: refused
        (dt.date(1970, 1, 2), True),  # two days after: refused
    ],
)
def test_local_date_limit_holds_for_times_before_1970(local_date: dt.date, refused: bool) -> None:
    # 23:00 UTC on 31 Dec 1969 is a negative number of microseconds: its UTC date must be
    # rounded down (31 Dec), not towards zero (1 Jan), or 2 Jan would pass as one day away
    df = pl.DataFrame(
        {
            "patient_id": ["a"],
            "recorded_at": [dt.datetime(1969, 12, 31, 23, tzinfo=dt.UTC)],
            "local_date": [local_date],
            "pain": [5.0],
        }
    )
    if not refused:
        assert validate_diary(df, now=NOW)["local_date"][0] == local_date
        return
    with pytest.raises(InvalidInputError) as info:
        validate_diary(df, now=NOW)
    assert _codes(info.value) == {("inconsistent_local_date", "local_date")}


def test_other_time_zones_are_converted_to_utc() -> None:
    df = diary([("a", 5, 5)]).with_columns(
        pl.col("recorded_at").dt.convert_time_zone("America/New_York")
    )
    out = validate_diary(df, now=NOW)
    assert out["recorded_at"][0] == at(5)


def test_daily_rule_mean_and_flare_any() -> None:
    df = diary([("a", 0, 4), ("a", 0, 7), ("a", 1, 5)], hours=[8, 20, 20]).with_columns(
        pl.Series("flare", [False, True, None])
    )
    daily = daily_values(validate_diary(df, now=NOW))
    assert daily["pain"].to_list() == [5.5, 5.0]
    assert daily["flare"].to_list() == [True, False]
    assert daily["n_entries"].to_list() == [2, 1]
    last = daily_values(validate_diary(df, now=NOW), "last")
    assert last["pain"].to_list() == [7.0, 5.0]


def test_infusion_checks() -> None:
    df = infusions([("a", 0), ("a", 0)]).with_columns(pl.lit("coffee").alias("drug"))
    with pytest.raises(InvalidInputError) as info:
        validate_infusions(df, now=NOW)
    assert {c for c, _ in _codes(info.value)} >= {"duplicate_rows", "unknown_drug"}
    swapped = infusions([("a", 0)]).with_columns(
        pl.col("start").alias("end"), pl.col("end").alias("start")
    )
    with pytest.raises(InvalidInputError, match="before it starts"):
        validate_infusions(swapped, now=NOW)


def test_patient_defaults_and_checks() -> None:
    out = validate_patients(pl.DataFrame({"patient_id": ["a"]}))
    assert out.row(0, named=True) == {
        "patient_id": "a",
        "sex": "unknown",
        "age_years": None,
        "timezone": "UTC",
        "planned_induction_infusions": 5,
    }
    with pytest.raises(InvalidInputError) as info:
        validate_patients(
            pl.DataFrame({"patient_id": ["a", "a"], "timezone": ["Mars/Olympus", "UTC"]})
        )
    assert {c for c, _ in _codes(info.value)} == {"duplicate_rows", "unknown_timezone"}


def test_daily_values_do_not_depend_on_row_order() -> None:
    rows = [("b", 0, 3), ("a", 1, 4), ("a", 0, 6), ("a", 0, 2), ("b", 0, 5)]
    df = diary(rows, hours=[8, 20, 8, 20, 20])
    valid = validate_diary(df, now=NOW)
    in_order = daily_values(valid)
    shuffled_rows = valid.sample(fraction=1.0, shuffle=True, seed=3)
    shuffled = daily_values(shuffled_rows)  # not sorted: takes the hash group-by path
    assert in_order.equals(shuffled)
    assert in_order.select("patient_id", "pain", "n_entries").rows() == [
        ("a", 4.0, 2),
        ("a", 4.0, 1),
        ("b", 4.0, 2),
    ]
    for rule in ("median", "max", "last"):
        assert daily_values(valid, rule).equals(daily_values(shuffled_rows, rule))


def test_daily_values_of_pain_only_keep_the_schema() -> None:
    df = validate_diary(diary([("a", 0, 4), ("a", 0, 6)], hours=[8, 20]), now=NOW)
    out = daily_values(df, scores=("pain",))
    assert out.columns == daily_values(df).columns
    assert out["pain"].to_list() == [5.0]
    assert out["fatigue"].to_list() == [None]


def _key(ids: list[str]) -> pl.Enum:
    return pl.Enum(sorted(ids))


def test_keyed_validation_returns_the_validated_diary_on_the_key() -> None:
    # scores at both limits, and a secondary score left empty (null): all valid
    in_order = diary([("a", 0, 0), ("a", 1, 10), ("b", 0, 3)]).with_columns(
        pl.Series("fatigue", [None, 10.0, 0.0], dtype=pl.Float64)
    )
    shuffled = in_order.reverse()
    for frame in (in_order, shuffled):
        out = validate_diary_keyed(frame, _key(["a", "b", "c"]), now=NOW)
        expected = validate_diary(frame, patient_ids=["a", "b", "c"], now=NOW)
        assert out.schema["patient_id"] == _key(["a", "b", "c"])
        assert out.with_columns(pl.col("patient_id").cast(pl.String)).equals(expected)
        assert out["patient_id"].cast(pl.String).to_list() == ["a", "a", "b"]


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (diary([("a", 0, 5), ("x", 0, 5)]), ("unknown_patient", "patient_id")),
        (diary([("a", 0, 11)]), ("out_of_range", "pain")),
        (diary([("a", 0, 5), ("a", 0, 6)]), ("duplicate_rows", "recorded_at")),
        (
            diary([("a", 0, 5)]).with_columns(pl.lit(None, dtype=pl.Float64).alias("pain")),
            ("missing_value", "pain"),
        ),
        (
            diary([("a", 0, 5)]).with_columns(pl.lit(day(8)).alias("local_date")),
            ("inconsistent_local_date", "local_date"),
        ),
        (diary([("a", 400, 5)]), ("future_date", "recorded_at")),
        (diary([("a", 0, 5), ("a", 1, -0.5)]), ("out_of_range", "pain")),
        (
            diary([("a", 0, 5), ("a", 1, 6)]).with_columns(
                pl.Series("fatigue", [None, float("nan")], dtype=pl.Float64)
            ),
            ("out_of_range", "fatigue"),
        ),
    ],
)
def test_keyed_validation_raises_what_validate_diary_raises(
    frame: pl.DataFrame, problem: tuple[str, str]
) -> None:
    with pytest.raises(InvalidInputError) as reference:
        validate_diary(frame, patient_ids=["a", "b"], now=NOW)
    with pytest.raises(InvalidInputError) as keyed:
        validate_diary_keyed(frame, _key(["a", "b"]), now=NOW)
    _assert_same_error(keyed.value, reference.value, problem)


def _runs(*runs: tuple[str | None, int]) -> pl.Series:
    return pl.Series("patient_id", [pid for pid, n in runs for _ in range(n)], dtype=pl.String)


@pytest.mark.parametrize(
    "ids",
    [
        _runs(("a", 10), ("b", 12), ("c", 9)),  # sorted: one run per patient
        _runs(("b", 10), ("a", 12), ("b", 9)),  # one patient in two runs, out of order
        _runs(("a", 10), ("x", 12), ("b", 9)),  # an unknown patient's run
        _runs(("a", 10), (None, 1), ("b", 9)),  # a missing id
        _runs(("a", 1), ("b", 1), ("a", 1), ("b", 1)),  # runs too short to pay
        _runs(),
    ],
)
def test_run_wise_cast_equals_the_row_wise_cast(ids: pl.Series) -> None:
    key = _key(["a", "b", "c"])
    out = cast_by_runs(ids, key)
    assert out.dtype == key
    assert out.name == "patient_id"
    assert out.equals(ids.cast(key, strict=False))


def test_keyed_validation_of_long_runs_raises_and_sorts_as_validate_diary() -> None:
    """Runs long enough for the run-wise cast: an unknown patient is named, and a diary
    whose patients come back out of order is sorted, exactly as by validate_diary."""
    with_unknown = diary([(p, d, 5) for p in ("a", "x", "b") for d in range(10)])
    with pytest.raises(InvalidInputError) as reference:
        validate_diary(with_unknown, patient_ids=["a", "b"], now=NOW)
    with pytest.raises(InvalidInputError) as keyed:
        validate_diary_keyed(with_unknown, _key(["a", "b"]), now=NOW)
    _assert_same_error(keyed.value, reference.value, ("unknown_patient", "patient_id"))
    unsorted = diary(
        [
            (p, d, 5)
            for p, days in (("b", (0, 10)), ("a", (0, 10)), ("b", (10, 20)))
            for d in range(*days)
        ]
    )
    out = validate_diary_keyed(unsorted, _key(["a", "b"]), now=NOW)
    expected = validate_diary(unsorted, patient_ids=["a", "b"], now=NOW)
    assert out.with_columns(pl.col("patient_id").cast(pl.String)).equals(expected)
    assert out["patient_id"].cast(pl.String).to_list() == ["a"] * 10 + ["b"] * 20


_CLINIC = ["a", "b", *(f"z{i:03d}" for i in range(500))]  # compiled checks from 500


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (diary([("a", 0, 5), ("a", 1, 10.5)]), ("out_of_range", "pain")),
        (diary([("a", 0, 5), ("a", 1, float("nan"))]), ("out_of_range", "pain")),
        (diary([("a", 0, -0.5), ("b", 1, 3)]), ("out_of_range", "pain")),
        (
            diary([("a", 0, 5), ("a", 1, 6)]).with_columns(
                pl.Series("mood", [3.0, 11.0], dtype=pl.Float64)
            ),
            ("out_of_range", "mood"),
        ),
        (  # a column with some nulls is checked by polars
            diary([("a", 0, 5), ("a", 1, 6)]).with_columns(
                pl.Series("fatigue", [None, 11.0], dtype=pl.Float64)
            ),
            ("out_of_range", "fatigue"),
        ),
        (
            diary([("a", 0, 5), ("a", 1, 5)]).with_columns(
                pl.Series("local_date", [day(0), day(3)])
            ),
            ("inconsistent_local_date", "local_date"),
        ),
        (
            diary([("a", 0, 5), ("a", 1, 5)]).with_columns(
                pl.Series("local_date", [day(0), day(-1)])
            ),
            ("inconsistent_local_date", "local_date"),
        ),
        (diary([("a", 0, 5), ("a", 400, 5)]), ("future_date", "recorded_at")),
    ],
)
def test_compiled_checks_of_a_clinic_raise_what_validate_diary_raises(
    frame: pl.DataFrame, problem: tuple[str, str]
) -> None:
    with pytest.raises(InvalidInputError) as reference:
        validate_diary(frame, patient_ids=_CLINIC, now=NOW)
    with pytest.raises(InvalidInputError) as keyed:
        validate_diary_keyed(frame, _key(_CLINIC), now=NOW)
    _assert_same_error(keyed.value, reference.value, problem)


def test_compiled_checks_pass_a_valid_diary_at_the_limits(monkeypatch) -> None:
    # scores 0 and 10, a secondary score partly empty, local dates one day either side:
    # answered by the one pass, without falling back on validate_diary
    from tenderpoint.outcomes import contracts

    frame = diary([("a", 0, 0), ("a", 1, 10), ("b", 2, 4)]).with_columns(
        pl.Series("fatigue", [None, 10.0, 0.0], dtype=pl.Float64),
        pl.Series("local_date", [day(-1), day(2), day(2)]),
    )
    expected = validate_diary(frame, patient_ids=_CLINIC, now=NOW)

    def no_fallback(*args: object, **kwargs: object) -> None:
        raise AssertionError("the valid diary fell back on validate_diary")

    monkeypatch.setattr(contracts, "validate_diary", no_fallback)
    out = validate_diary_keyed(frame, _key(_CLINIC), now=NOW)
    assert out.with_columns(pl.col("patient_id").cast(pl.String)).equals(expected)


def test_keyed_infusion_validation_returns_the_sorted_sessions_on_the_key() -> None:
    frame = infusions([("b", 3), ("a", 9), ("a", 1), ("b", 0)])
    out = validate_infusions_keyed(frame, _key(["a", "b"]), now=NOW)
    expected = validate_infusions(frame, patient_ids=["a", "b"], now=NOW)
    assert out.schema["patient_id"] == _key(["a", "b"])
    assert out.with_columns(pl.col("patient_id").cast(pl.String)).equals(expected)
    assert out["start"].to_list() == [at(1, 10), at(9, 10), at(0, 10), at(3, 10)]


def _overlapping() -> pl.DataFrame:
    # b's second session starts before its first ends (10:00-14:00 the same day)
    frame = infusions([("a", 0), ("b", 2), ("b", 2)])
    return frame.with_columns(
        pl.Series("start", [at(0, 10), at(2, 10), at(2, 13)]),
        pl.Series("end", [at(0, 14), at(2, 14), at(2, 16)]),
    )


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (infusions([("a", 0), ("x", 1)]), ("unknown_patient", "patient_id")),
        (infusions([("a", 0), ("a", 0)]), ("duplicate_rows", "start")),
        (_overlapping(), ("overlapping_sessions", "start")),
        (
            infusions([("a", 0)]).with_columns(pl.col("start") + dt.timedelta(hours=5)),
            ("end_before_start", "end"),
        ),
        (infusions([("a", 400)]), ("future_date", "start")),
        (
            infusions([("a", 0)]).with_columns(pl.lit("ketamine").alias("drug")),
            ("unknown_drug", "drug"),
        ),
        (
            infusions([("a", 0), ("a", 9)]).with_columns(
                pl.Series("dose_mg_per_kg", [float("nan"), -0.1])
            ),
            ("out_of_range", "dose_mg_per_kg"),
        ),
    ],
)
def test_keyed_infusion_validation_raises_what_validate_infusions_raises(
    frame: pl.DataFrame, problem: tuple[str, str]
) -> None:
    with pytest.raises(InvalidInputError) as reference:
        validate_infusions(frame, patient_ids=["a", "b"], now=NOW)
    with pytest.raises(InvalidInputError) as keyed:
        validate_infusions_keyed(frame, _key(["a", "b"]), now=NOW)
    _assert_same_error(keyed.value, reference.value, problem)


def _assert_same_error(
    keyed: InvalidInputError, reference: InvalidInputError, problem: tuple[str, str]
) -> None:
    """The keyed validator names the expected problem, exactly as the reference one does."""
    assert problem in _codes(keyed)
    assert (keyed.code, keyed.field, keyed.message) == (
        reference.code,
        reference.field,
        reference.message,
    )
    # repr: an example row holding NaN equals itself only as text
    assert repr(keyed.params) == repr(reference.params)
