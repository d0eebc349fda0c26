"""Infusion schedule: each session's local date, and courses (induction series, boosters).

Decision (the reference is silent): sessions whose local start dates are at most
``course_gap_days`` (default 7) apart belong to one *course*. An induction of five infusions on
consecutive days, or six over two weeks, is one course; a booster weeks later starts a new one.
Response, time to relief and durability are measured per course, so the "next infusion" that
censors durability is the first session of the next course (otherwise every induction session
would censor the relief the previous one started).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

DEFAULT_COURSE_GAP_DAYS: Final = 7


def local_start_date(infusions: pl.DataFrame, patients: pl.DataFrame) -> pl.Expr:
    """Expression giving each session's start date in its patient's home time zone.

    ``infusions`` must already carry the patient's ``timezone`` column (join it first); the
    expression branches once per distinct time zone, never once per patient.
    """
    zones = sorted(set(patients["timezone"].unique().to_list()) | {"UTC"})
    expr: pl.Expr = pl.col("start").dt.date()
    for zone in zones:
        expr = (
            pl.when(pl.col("timezone") == zone)
            .then(pl.col("start").dt.convert_time_zone(zone).dt.date())
            .otherwise(expr)
        )
    return expr


def infusion_courses(
    infusions: pl.DataFrame,
    patients: pl.DataFrame,
    *,
    course_gap_days: int = DEFAULT_COURSE_GAP_DAYS,
) -> pl.DataFrame:
    """Give every session its local date, its number and its course.

    Parameters
    ----------
    infusions : polars.DataFrame
        Validated infusions.
    patients : polars.DataFrame
        Validated patients (for the time zone).
    course_gap_days : int
        Largest gap in days between consecutive sessions of one course.

    Returns
    -------
    polars.DataFrame
        The sessions with ``local_date``, ``infusion_number`` (1-based), ``course`` (1-based),
        ``course_start`` (UTC datetime of the course's first session), ``course_date``
        (its local date), ``course_size`` (sessions in the course), ``next_course_start`` and
        ``next_course_date`` (null for the last course).
    """
    tz = patients.select("patient_id", "timezone")
    df = (
        infusions.join(tz, on="patient_id", how="left")
        .with_columns(pl.col("timezone").fill_null("UTC"))
        .sort("patient_id", "start")
    )
    df = df.with_columns(local_start_date(df, patients).alias("local_date"))
    return _number_courses(df.drop("timezone"), course_gap_days)


def _number_courses(df: pl.DataFrame, course_gap_days: int) -> pl.DataFrame:
    """Number the sessions and courses of ``df`` (sorted by patient and start, with
    ``local_date``) and add each course's first start, local date, last end, size and the
    next course's start and date.

    The rows are sorted by patient, so each patient is one run of rows and each course a
    run within it: numbering is a running count minus its value on the patient's first row,
    and a course's figures are read off its run (numpy on the columns: the group-by, sort
    and join on the session rows cost most of the schedule's time in a 10,000-patient
    summary). Start times increase within a patient, so a course's first start is its
    earliest."""
    n = df.height
    if n == 0:
        return _empty_courses(df)
    pid = pl.col("patient_id")
    first_row = df.select((pid != pid.shift(1)).fill_null(True)).to_series().to_numpy()
    day = df["local_date"].to_physical().to_numpy().astype(np.int64)
    new_course = first_row.copy()
    new_course[1:] |= (day[1:] - day[:-1]) > course_gap_days
    row = np.arange(n, dtype=np.int64)
    patient_head = np.maximum.accumulate(np.where(first_row, row, 0))
    running = np.cumsum(new_course, dtype=np.int64)
    heads = np.flatnonzero(new_course)
    same_patient_next = np.append(~first_row[heads[1:]], False)
    end = df["end"]
    end_us = end.to_physical().to_numpy()
    courses = pl.DataFrame(
        [
            df["start"].gather(heads).alias("course_start"),
            pl.Series("course_date", np.minimum.reduceat(day, heads), dtype=pl.Int32).cast(pl.Date),
            pl.Series("course_end", np.maximum.reduceat(end_us, heads)).cast(end.dtype),
            pl.Series("course_size", np.diff(np.append(heads, n)), dtype=pl.Int64),
        ]
    )
    same_next = pl.lit(pl.Series(same_patient_next))
    courses = courses.with_columns(
        pl.when(same_next).then(pl.col("course_start").shift(-1)).alias("next_course_start"),
        pl.when(same_next).then(pl.col("course_date").shift(-1)).alias("next_course_date"),
    )
    numbered = df.with_columns(
        pl.Series("infusion_number", row - patient_head + 1, dtype=pl.Int64),
        pl.Series("course", running - running[patient_head] + 1, dtype=pl.Int64),
    )
    return pl.concat([numbered, courses[running - 1]], how="horizontal")


def _empty_courses(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.lit(None, dtype=pl.Int64).alias("infusion_number"),
        pl.lit(None, dtype=pl.Int64).alias("course"),
        pl.col("start").alias("course_start"),
        pl.col("local_date").alias("course_date"),
        pl.col("end").alias("course_end"),
        pl.lit(None, dtype=pl.Int64).alias("course_size"),
        pl.col("start").alias("next_course_start"),
        pl.col("local_date").alias("next_course_date"),
    )


_COURSE_COLUMNS: Final = (
    "course_start",
    "course_date",
    "course_end",
    "course_size",
    "next_course_start",
    "next_course_date",
)


def course_table(sessions: pl.DataFrame) -> pl.DataFrame:
    """One row per (patient, course) from :func:`infusion_courses` output.

    Sessions keyed by an Enum and in (patient, course) order - as :func:`infusion_courses`
    returns them in the cohort summary - give the table by keeping each course's first row
    (the group-by's first value, already in the sort's order; ``tests/outcomes/
    test_schedule.py`` holds the two equal); anything else is grouped and sorted."""
    heads = _course_heads(sessions)
    if heads is not None:
        return sessions.filter(pl.Series(heads)).select("patient_id", "course", *_COURSE_COLUMNS)
    return _grouped_course_table(sessions)


def _grouped_course_table(sessions: pl.DataFrame) -> pl.DataFrame:
    return (
        sessions.group_by("patient_id", "course")
        .agg(pl.col(*_COURSE_COLUMNS).first())
        .sort("patient_id", "course")
    )


def _course_heads(sessions: pl.DataFrame) -> npt.NDArray[np.bool_] | None:
    """Each course's first row, when the rows are in (patient code, course) order under an
    Enum key without nulls (an Enum sorts by its codes); None otherwise."""
    pid, course = sessions["patient_id"], sessions["course"]
    if not isinstance(pid.dtype, pl.Enum) or pid.null_count() or course.null_count():
        return None
    code = pid.to_physical().to_numpy().astype(np.int64)
    number = course.to_numpy().astype(np.int64)
    same_patient = code[1:] == code[:-1]
    in_order = (code[1:] > code[:-1]) | (same_patient & (number[1:] >= number[:-1]))
    if not bool(np.all(in_order)):
        return None
    heads = np.ones(code.size, dtype=bool)
    heads[1:] = ~same_patient | (number[1:] != number[:-1])
    return heads
