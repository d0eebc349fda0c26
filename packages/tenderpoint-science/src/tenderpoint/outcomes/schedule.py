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
    # the rows are sorted by patient, so each patient is one run of rows: numbering within a
    # patient is a running count minus its value on the patient's first row (plain column
    # arithmetic; the per-patient windows it replaces cost more than the rest of the summary's
    # schedule work on 140,000 sessions)
    pid = pl.col("patient_id")
    first_row = (pid != pid.shift(1)).fill_null(True)
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    gap = (pl.col("local_date") - pl.col("local_date").shift(1)).dt.total_days()
    new_course = first_row | (gap > course_gap_days)
    running = new_course.cast(pl.Int64).cum_sum()
    df = df.with_columns(
        (row - pl.when(first_row).then(row).forward_fill() + 1).alias("infusion_number"),
        (running - pl.when(first_row).then(running).forward_fill() + 1).alias("course"),
    )
    courses = df.group_by("patient_id", "course").agg(
        pl.col("start").min().alias("course_start"),
        pl.col("local_date").min().alias("course_date"),
        pl.col("end").max().alias("course_end"),
        pl.len().cast(pl.Int64).alias("course_size"),
    )
    same_patient_next = pid == pid.shift(-1)
    courses = courses.sort("patient_id", "course").with_columns(
        pl.when(same_patient_next)
        .then(pl.col("course_start").shift(-1))
        .alias("next_course_start"),
        pl.when(same_patient_next).then(pl.col("course_date").shift(-1)).alias("next_course_date"),
    )
    return df.drop("timezone").join(courses, on=["patient_id", "course"], how="left")


def course_table(sessions: pl.DataFrame) -> pl.DataFrame:
    """One row per (patient, course) from :func:`infusion_courses` output."""
    return (
        sessions.group_by("patient_id", "course")
        .agg(
            pl.col(
                "course_start",
                "course_date",
                "course_end",
                "course_size",
                "next_course_start",
                "next_course_date",
            ).first()
        )
        .sort("patient_id", "course")
    )
