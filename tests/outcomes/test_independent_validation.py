"""The validation harness's flare-mark oracles mark (or drop) exactly the planted flare entries."""

import datetime as dt

import polars as pl
import pytest

from .independent_generator import CALENDAR_START, IndependentCohort, generate
from .independent_validation import censoring_misreads, flare_marked_diary


@pytest.fixture(scope="module")
def cohort() -> IndependentCohort:
    return generate(n_patients=8, n_days=90, seed=1)


def _planted_days(c: IndependentCohort) -> set[tuple[str, dt.date]]:
    """(patient, local day) of every planted flare day, from the planted episodes directly."""
    days = set()
    for pid, start, end in c.flares.iter_rows():
        for k in range((end - start).days + 1):
            days.add((pid, start + dt.timedelta(days=k)))
    return days


def test_oracle_marks_exactly_the_planted_flare_entries(cohort: IndependentCohort) -> None:
    planted = _planted_days(cohort)
    expected = [
        (p, d) in planted for p, d in cohort.diary.select("patient_id", "local_date").iter_rows()
    ]
    # the patient's own marks miss some flare entries (and may mark others): a real difference
    assert cohort.diary["flare"].to_list() != expected
    assert sum(expected) > 20
    oracle = flare_marked_diary(cohort, "oracle")
    assert oracle["flare"].to_list() == expected
    # same entries, same scores and times: only the marks differ
    assert oracle.drop("flare").equals(cohort.diary.drop("flare"))


def test_drop_oracle_removes_exactly_the_planted_flare_entries(cohort: IndependentCohort) -> None:
    planted = _planted_days(cohort)
    kept = flare_marked_diary(cohort, "drop")
    keep = [
        (p, d) not in planted
        for p, d in cohort.diary.select("patient_id", "local_date").iter_rows()
    ]
    assert kept.equals(cohort.diary.filter(pl.Series(keep)))
    assert kept.height < cohort.diary.height


def test_patient_marks_are_the_diary_as_written(cohort: IndependentCohort) -> None:
    assert flare_marked_diary(cohort, "patient").equals(cohort.diary)


def test_unknown_flare_marks_are_refused_by_name(cohort: IndependentCohort) -> None:
    with pytest.raises(ValueError, match="flare_marks"):
        flare_marked_diary(cohort, "all")


def test_misread_counts_an_unmarked_flare_in_the_last_seven_days_only() -> None:
    """One truly ongoing course read as ended, with an unmarked planted flare entry on the
    last day (day 50), 6 days before it (counted) or 7 days before it (not counted)."""
    truth = pl.DataFrame(
        {
            "patient_id": ["A"],
            "true_relief": [True],
            "true_durability_event": [False],
            "follow_up_limit_day": [50],
        }
    )
    relief = pl.DataFrame({"patient_id": ["A"], "relief": [True], "durability_event": [True]})

    def counts(flare_day: int, marked: bool) -> dict:
        day = CALENDAR_START + dt.timedelta(days=flare_day)
        diary = pl.DataFrame({"patient_id": ["A"], "local_date": [day], "flare": [marked]})
        flares = pl.DataFrame({"patient_id": ["A"], "start": [day], "end": [day]})
        c = IndependentCohort(pl.DataFrame(), diary, pl.DataFrame(), truth, flares, 60)
        return censoring_misreads(c, relief)

    assert counts(50, False) == {
        "ended_read_as_ongoing": 0,
        "ongoing_read_as_ended": 1,
        "read_as_ended_unmarked_flare_last_7d": 1,
    }
    assert counts(44, False)["read_as_ended_unmarked_flare_last_7d"] == 1
    assert counts(43, False)["read_as_ended_unmarked_flare_last_7d"] == 0
    assert counts(50, True)["read_as_ended_unmarked_flare_last_7d"] == 0


def test_misread_counts_ended_relief_left_censored() -> None:
    truth = pl.DataFrame(
        {
            "patient_id": ["A", "B"],
            "true_relief": [True, True],
            "true_durability_event": [True, True],
            "follow_up_limit_day": [50, 50],
        }
    )
    relief = pl.DataFrame(
        {"patient_id": ["A", "B"], "relief": [True, True], "durability_event": [False, True]}
    )
    empty = pl.DataFrame(
        {"patient_id": [], "local_date": [], "flare": []},
        schema={"patient_id": pl.String, "local_date": pl.Date, "flare": pl.Boolean},
    )
    flares = pl.DataFrame(
        {"patient_id": [], "start": [], "end": []},
        schema={"patient_id": pl.String, "start": pl.Date, "end": pl.Date},
    )
    c = IndependentCohort(pl.DataFrame(), empty, pl.DataFrame(), truth, flares, 60)
    assert censoring_misreads(c, relief) == {
        "ended_read_as_ongoing": 1,
        "ongoing_read_as_ended": 0,
        "read_as_ended_unmarked_flare_last_7d": 0,
    }
