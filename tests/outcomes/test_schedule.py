import datetime as dt

import polars as pl

from tenderpoint.outcomes.contracts import validate_patients
from tenderpoint.outcomes.schedule import infusion_courses

from .helpers import day, infusions


def test_session_local_date_uses_the_patient_time_zone() -> None:
    inf = infusions([("ny", 10), ("ams", 10)]).with_columns(
        pl.col("start") - dt.timedelta(hours=9),  # 01:00 UTC
        pl.col("end") - dt.timedelta(hours=9),
    )
    pts = validate_patients(
        pl.DataFrame(
            {"patient_id": ["ny", "ams"], "timezone": ["America/New_York", "Europe/Amsterdam"]}
        )
    )
    out = infusion_courses(inf, pts).sort("patient_id")
    # 01:00 UTC is 20:00 the evening before in New York (EST), 02:00 the same day in Amsterdam
    assert out["local_date"].to_list() == [day(10), day(9)]


def test_course_gap_is_inclusive_of_seven_days() -> None:
    out = infusion_courses(
        infusions([("a", 0), ("a", 7), ("a", 15)]),
        validate_patients(pl.DataFrame({"patient_id": ["a"]})),
    )
    assert out["course"].to_list() == [1, 1, 2]
    assert out["next_course_date"].to_list() == [day(15), day(15), None]


def test_numbers_and_courses_restart_for_each_patient() -> None:
    # interleaved rows of three patients: numbering, courses and the next course are each
    # patient's own (b's first session is not a continuation of a's last course)
    out = infusion_courses(
        infusions([("b", 0), ("a", 0), ("a", 20), ("b", 8), ("c", 3), ("a", 1), ("b", 9)]),
        validate_patients(pl.DataFrame({"patient_id": ["a", "b", "c"]})),
    ).sort("patient_id", "start")
    assert out["patient_id"].to_list() == ["a", "a", "a", "b", "b", "b", "c"]
    assert out["infusion_number"].to_list() == [1, 2, 3, 1, 2, 3, 1]
    assert out["course"].to_list() == [1, 1, 2, 1, 2, 2, 1]
    assert out["course_size"].to_list() == [2, 2, 1, 1, 2, 2, 1]
    assert out["next_course_date"].to_list() == [day(20), day(20), None, day(8), None, None, None]


def _keyed_sessions(categories_reversed: bool = False) -> pl.DataFrame:
    from tenderpoint.outcomes.synthetic import generate_cohort

    cohort = generate_cohort(60, 200, seed=4)
    pts = validate_patients(cohort.patients)
    ids = pts["patient_id"].sort(descending=categories_reversed)
    key = pl.Enum(ids)
    inf = cohort.infusions.with_columns(pl.col("patient_id").cast(key))
    return infusion_courses(inf, pts.with_columns(pl.col("patient_id").cast(key)))


def test_course_table_from_course_heads_equals_the_grouped_table() -> None:
    from polars.testing import assert_frame_equal

    from tenderpoint.outcomes.schedule import (
        _course_heads,
        _grouped_course_table,
        course_table,
    )

    for reverse in (False, True):  # an Enum sorts by its codes, not by the strings
        sessions = _keyed_sessions(reverse)
        assert _course_heads(sessions) is not None
        table = course_table(sessions)
        assert table.height > sessions["patient_id"].n_unique()  # boosters: several courses
        assert_frame_equal(table, _grouped_course_table(sessions), check_exact=True)
    shuffled = sessions.sample(fraction=1.0, shuffle=True, seed=1)
    assert _course_heads(shuffled) is None  # out of order: grouped
    assert_frame_equal(course_table(shuffled), _grouped_course_table(sessions), check_exact=True)
    as_strings = sessions.with_columns(pl.col("patient_id").cast(pl.String))
    assert _course_heads(as_strings) is None
