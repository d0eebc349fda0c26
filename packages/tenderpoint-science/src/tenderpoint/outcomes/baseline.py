"""Baseline: mean daily scores over the days before the first infusion.

Reference (clinical.md section 11): "Baseline pain = mean of daily NRS over the 7 days before the
first infusion". Decisions: the window is the ``window_days`` local dates strictly before the
local date of the first session (the infusion day itself is excluded because the entry may be
made after the session); the baseline exists only if at least ``min_days`` of those days have a
diary value (default 4 of 7). Otherwise the status says why, and the value is null: "not enough
data" is a result, not an exception (habit 7). The same window gives baselines of the secondary
scores (fatigue, sleep, mood, fog) used by the FM30 composite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from tenderpoint.errors import InvalidInputError

BASELINE_OK: Final = "ok"
BASELINE_INSUFFICIENT: Final = "insufficient_data"
BASELINE_NO_INFUSION: Final = "no_infusion"

SECONDARY_SCORES: Final = ("fatigue", "sleep_quality", "fog", "mood")


@dataclass(frozen=True)
class BaselineRule:
    """How a baseline is formed.

    Attributes
    ----------
    window_days : int
        Days before the first infusion that form the window (default 7).
    min_days : int
        Days with a diary value needed in that window (default 4).
    """

    window_days: int = 7
    min_days: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.min_days <= self.window_days:
            raise InvalidInputError(
                "min_days must be between 1 and window_days.",
                code="out_of_range",
                field="min_days",
                params={"min_days": self.min_days, "window_days": self.window_days},
            )


def baseline_scores(
    daily: pl.DataFrame, sessions: pl.DataFrame, rule: BaselineRule | None = None
) -> pl.DataFrame:
    """Baseline of every patient in ``daily`` or ``sessions``.

    Parameters
    ----------
    daily : polars.DataFrame
        Daily values (:func:`tenderpoint.outcomes.contracts.daily_values`).
    sessions : polars.DataFrame
        Sessions with local dates (:func:`tenderpoint.outcomes.schedule.infusion_courses`).
    rule : BaselineRule, optional
        Window and minimum-data rule.

    Returns
    -------
    polars.DataFrame
        ``patient_id, first_infusion_date, induction_end_date`` (local date of the last
        session of the first course), ``baseline_days, baseline_pain, baseline_fatigue,
        baseline_sleep_quality, baseline_fog, baseline_mood, baseline_status`` where status is
        ``ok``, ``insufficient_data`` or ``no_infusion``; values are null unless ``ok``.
    """
    rule = rule or BaselineRule()
    first = first_sessions(sessions)
    ids = pl.concat(
        [daily.select("patient_id").unique(), first.select("patient_id")], how="vertical"
    ).unique()
    window = (
        daily.join(first, on="patient_id", how="inner")
        .filter(
            (pl.col("local_date") < pl.col("first_infusion_date"))
            & (
                pl.col("local_date")
                >= pl.col("first_infusion_date") - pl.duration(days=rule.window_days)
            )
        )
        .group_by("patient_id")
        .agg(
            pl.col("pain").drop_nulls().len().cast(pl.Int64).alias("baseline_days"),
            pl.col("pain").mean().alias("baseline_pain"),
            *(pl.col(s).mean().alias(f"baseline_{s}") for s in SECONDARY_SCORES),
        )
    )
    return assemble_baselines(ids, first, window, rule)


def first_sessions(sessions: pl.DataFrame) -> pl.DataFrame:
    """Per patient: local date of the first session and of the last session of course 1."""
    return sessions.group_by("patient_id").agg(
        pl.col("local_date").min().alias("first_infusion_date"),
        pl.col("local_date").filter(pl.col("course") == 1).max().alias("induction_end_date"),
    )


def assemble_baselines(
    ids: pl.DataFrame, first: pl.DataFrame, window: pl.DataFrame, rule: BaselineRule
) -> pl.DataFrame:
    """The documented baseline frame from the patients, their first sessions and the window
    means (one row per patient with at least one diary day in the window)."""
    out = ids.join(first, on="patient_id", how="left").join(window, on="patient_id", how="left")
    status = (
        pl.when(pl.col("first_infusion_date").is_null())
        .then(pl.lit(BASELINE_NO_INFUSION))
        .when(pl.col("baseline_days").fill_null(0) < rule.min_days)
        .then(pl.lit(BASELINE_INSUFFICIENT))
        .otherwise(pl.lit(BASELINE_OK))
    )
    values = ["baseline_pain", *(f"baseline_{s}" for s in SECONDARY_SCORES)]
    return (
        out.with_columns(status.alias("baseline_status"), pl.col("baseline_days").fill_null(0))
        .with_columns(
            pl.when(pl.col("baseline_status") == BASELINE_OK).then(pl.col(v)).alias(v)
            for v in values
        )
        .sort("patient_id")
    )
