import polars as pl

from tenderpoint.outcomes.contracts import daily_values, validate_diary
from tenderpoint.outcomes.flares import (
    change_points,
    declared_flares,
    detected_flares,
    flare_episodes,
    remission_periods,
)

from .helpers import NOW, day, diary


def _daily(rows, flags=None):
    df = diary(rows)
    if flags is not None:
        df = df.with_columns(pl.Series("flare", flags))
    return daily_values(validate_diary(df, now=NOW))


def _series():
    pain = dict.fromkeys(range(40), 5.0)
    pain.update({14: 7.0, 15: 7.0, 21: 8.0, 30: 8.0, 32: 8.0})
    del pain[31]  # a missing day between two high days
    return [("a", d, p) for d, p in sorted(pain.items())]


def test_default_rule_two_days_at_median_plus_two() -> None:
    out = detected_flares(_daily(_series()))
    # days 14-15: 7 >= median(5) + 2 (inclusive); day 21 alone is too short; 30 and 32 are
    # not consecutive because day 31 is missing
    assert out.select("start", "end", "peak_pain", "length_days").rows() == [
        (day(14), day(15), 7.0, 2)
    ]


def test_too_little_history_cannot_flag() -> None:
    rows = [("a", d, 5.0) for d in range(5)] + [("a", 5, 9.0), ("a", 6, 9.0)]
    assert detected_flares(_daily(rows)).height == 0


def test_declared_flares_and_remission() -> None:
    rows = _series()
    flags = [r[1] in (14, 15) for r in rows]
    daily = _daily(rows, flags)
    declared = declared_flares(daily)
    assert declared.select("start", "end", "source").rows() == [(day(14), day(15), "declared")]
    episodes = flare_episodes(daily)
    assert episodes["source"].to_list() == ["declared", "detected"]
    rem = remission_periods(daily, episodes)
    # days 0-13 (14 days) and 16-30 (day 31 is missing, which ends the run: 15 days)
    assert rem.select("start", "end", "length_days").rows() == [
        (day(0), day(13), 14),
        (day(16), day(30), 15),
    ]


def test_change_points_are_annotations() -> None:
    rows = [("a", d, 2.0) for d in range(30)] + [("a", d, 8.0) for d in range(30, 60)]
    out = change_points(_daily(rows))
    assert out.select("local_date", "mean_before", "mean_after", "kind").rows() == [
        (day(30), 2.0, 8.0, "annotation")
    ]
    assert change_points(_daily(rows[:5])).height == 0
