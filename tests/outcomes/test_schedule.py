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
