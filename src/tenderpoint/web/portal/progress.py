"""A patient's own trends: 7-day means of the diary scores, flares, questionnaire totals.

Daily values come from the outcomes core (``daily_values``: the mean of a day's entries, flare
if any entry declared one); the 7-day mean is over the seven calendar days ending on each day,
shown only when at least four of them have entries, so a sparse week is not over-read.
Wording states what changed; it never advises a treatment change.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import polars as pl

from tenderpoint.outcomes.contracts import SCORE_COLUMNS, daily_values
from tenderpoint.web.diary.forms import SCALES

WINDOW_DAYS = 7
MIN_DAYS_IN_WINDOW = 4
LABELS = {
    "pain": "Pain",
    "fatigue": "Tiredness",
    "sleep_quality": "Waking unrefreshed",
    "fog": "Fog",
    "mood": "Low mood",
    "headache": "Headache",
}
assert set(LABELS) == set(SCALES)  # noqa: S101


@dataclass(frozen=True)
class Trend:
    score: str
    label: str
    latest: float | None
    earlier: float | None
    summary: str


def weekly_means(diary: pl.DataFrame) -> pl.DataFrame:
    """``local_date, <score>_7d..., flare, n_entries`` for every day with an entry."""
    if diary.is_empty():
        return pl.DataFrame(
            schema={"local_date": pl.Date(), **{f"{s}_7d": pl.Float64() for s in SCORE_COLUMNS}}
        )
    daily = daily_values(diary).sort("local_date")
    window = f"{WINDOW_DAYS}d"
    return (
        daily.with_columns(
            pl.col("local_date").cast(pl.Int32).alias("_one"),
            *(
                pl.col(score).rolling_mean_by("local_date", window_size=window).alias(f"{score}_7d")
                for score in SCORE_COLUMNS
            ),
            pl.col("pain")
            .is_not_null()
            .cast(pl.Int32)
            .rolling_sum_by("local_date", window_size=window)
            .alias("_days"),
        )
        .with_columns(
            *(
                pl.when(pl.col("_days") >= MIN_DAYS_IN_WINDOW)
                .then(pl.col(f"{score}_7d"))
                .otherwise(None)
                .alias(f"{score}_7d")
                for score in SCORE_COLUMNS
            )
        )
        .drop("_one", "_days")
    )


def _value_on_or_before(weekly: pl.DataFrame, column: str, day: datetime.date) -> float | None:
    rows = weekly.filter((pl.col("local_date") <= day) & pl.col(column).is_not_null())
    return None if rows.is_empty() else float(rows[column][-1])


def trends(weekly: pl.DataFrame, today: datetime.date, compare_days: int = 28) -> list[Trend]:
    """For each score: the latest 7-day mean against the one ``compare_days`` earlier."""
    found = []
    for score in SCORE_COLUMNS:
        column = f"{score}_7d"
        latest = _value_on_or_before(weekly, column, today)
        earlier = _value_on_or_before(weekly, column, today - datetime.timedelta(compare_days))
        found.append(
            Trend(score, LABELS[score], latest, earlier, _summary(LABELS[score], latest, earlier))
        )
    return found


def _summary(label: str, latest: float | None, earlier: float | None) -> str:
    if latest is None:
        return f"{label}: not enough entries in the last week to show an average."
    if earlier is None:
        return f"{label}: your 7-day average is {latest:.1f} out of 10."
    change = latest - earlier
    if abs(change) < 0.5:
        direction = "about the same as"
    elif change < 0:
        direction = "lower (better) than"
    else:
        direction = "higher (worse) than"
    return (
        f"{label}: your 7-day average is {latest:.1f} out of 10, {direction} four weeks "
        f"earlier ({earlier:.1f})."
    )


def flare_days(diary: pl.DataFrame) -> list[datetime.date]:
    if diary.is_empty():
        return []
    daily = daily_values(diary)
    return list(daily.filter(pl.col("flare"))["local_date"])


def as_rows(weekly: pl.DataFrame, last_days: int = 180) -> list[dict[str, Any]]:
    """The table alternative: one row a week (each Sunday's 7-day means), newest first."""
    if weekly.is_empty():
        return []
    recent = weekly.filter(
        pl.col("local_date") >= weekly["local_date"].max() - datetime.timedelta(last_days)
    )  # type: ignore[operator]
    weekly_rows = recent.filter(pl.col("local_date").dt.weekday() == 7)
    return list(reversed(weekly_rows.to_dicts()))
