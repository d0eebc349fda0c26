"""Flares: patient-declared and detected episodes, remission periods, change-point annotations.

There is no agreed definition of a fibromyalgia flare (clinical.md section 11, citing
Gomez-Arguelles 2022). The platform therefore shows both what the patient declared and what a
configurable rule detects. Default detected-flare rule (reference): >= 2 consecutive days with
daily pain >= the patient's median of the previous 14 days + 2.

Decisions where the reference is silent:

* "Previous 14 days" are the 14 local dates before the day (the day itself excluded); the median
  is taken only when at least 7 of them have a value, otherwise the day cannot be judged.
* "Consecutive" means calendar-consecutive: a missing diary day ends an episode.
* A declared flare day is a local date with any entry marked ``flare``; declared episodes are
  runs of such days (one day is enough: the patient said so).
* A remission period is a run of at least ``min_days`` (default 14) diary-covered days between
  flare episodes (declared or detected) - "flare-free", not "pain-free".
* ruptures change points (PELT, L2 cost) are annotations for the clinician's eye, returned with
  ``kind = "annotation"``; they are never counted as flares or used as an end-point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from tenderpoint.errors import InvalidInputError

ANNOTATION_NOTE: Final = "statistical change point: an annotation, not a clinical finding"


@dataclass(frozen=True)
class FlareRule:
    """The detected-flare rule (defaults are the reference's).

    Attributes
    ----------
    history_days : int
        Length of the look-back window for the median (days).
    min_history_days : int
        Days with a value needed in the look-back window.
    rise_points : float
        Points above the look-back median that mark a flare day.
    min_days : int
        Consecutive flare days that make an episode.
    """

    history_days: int = 14
    min_history_days: int = 7
    rise_points: float = 2.0
    min_days: int = 2
    version: str = "tenderpoint-flare/1.0"

    def __post_init__(self) -> None:
        if not 1 <= self.min_history_days <= self.history_days or self.min_days < 1:
            raise InvalidInputError(
                "Flare rule windows must be positive and min_history_days <= history_days.",
                code="out_of_range",
                field="min_history_days",
            )


def _runs(df: pl.DataFrame, flag: str) -> pl.DataFrame:
    """Group calendar-consecutive flagged days of each patient into numbered runs."""
    new_run = pl.col(flag) & ~(
        pl.col(flag).shift(1).fill_null(False)
        & ((pl.col("local_date") - pl.col("local_date").shift(1)).dt.total_days() == 1)
    ).fill_null(False)
    return (
        df.sort("patient_id", "local_date")
        .with_columns(new_run.cum_sum().over("patient_id").alias("run"))
        .filter(pl.col(flag))
    )


def _episodes(runs: pl.DataFrame, source: str, min_days: int) -> pl.DataFrame:
    return (
        runs.group_by("patient_id", "run")
        .agg(
            pl.col("local_date").min().alias("start"),
            pl.col("local_date").max().alias("end"),
            pl.col("pain").max().alias("peak_pain"),
            pl.col("local_date").sort_by("pain", descending=True).first().alias("peak_date"),
            pl.len().cast(pl.Int64).alias("length_days"),
        )
        .filter(pl.col("length_days") >= min_days)
        .with_columns(pl.lit(source).alias("source"))
        .drop("run")
    )


def detected_flares(daily: pl.DataFrame, rule: FlareRule | None = None) -> pl.DataFrame:
    """Flare episodes found by the detection rule, for every patient at once.

    Parameters
    ----------
    daily : polars.DataFrame
        Daily values.
    rule : FlareRule, optional
        Detection rule (default: the reference's).

    Returns
    -------
    polars.DataFrame
        ``patient_id, start, end, peak_pain, peak_date, length_days, source`` (``"detected"``),
        sorted by patient and start.
    """
    rule = rule or FlareRule()
    window = f"{rule.history_days}d"
    flagged = (
        daily.select("patient_id", "local_date", "pain")
        .filter(pl.col("pain").is_not_null())
        .sort("patient_id", "local_date")
        .with_columns(pl.lit(1, dtype=pl.Int32).alias("one"))
        .with_columns(
            pl.col("pain")
            .rolling_median_by("local_date", window_size=window, closed="left")
            .over("patient_id")
            .alias("median_before"),
            pl.col("one")
            .rolling_sum_by("local_date", window_size=window, closed="left")
            .over("patient_id")
            .alias("n_before"),
        )
        .with_columns(
            (
                (pl.col("n_before").fill_null(0) >= rule.min_history_days)
                & (pl.col("pain") >= pl.col("median_before") + rule.rise_points)
            ).alias("flare_day")
        )
    )
    return _episodes(_runs(flagged, "flare_day"), "detected", rule.min_days).sort(
        "patient_id", "start"
    )


def declared_flares(daily: pl.DataFrame) -> pl.DataFrame:
    """Flare episodes the patient declared (runs of days with any entry marked ``flare``).

    Parameters
    ----------
    daily : polars.DataFrame
        Daily values.

    Returns
    -------
    polars.DataFrame
        Same columns as :func:`detected_flares`, ``source = "declared"``.
    """
    df = daily.select(
        "patient_id", "local_date", "pain", pl.col("flare").fill_null(False).alias("flare_day")
    )
    return _episodes(_runs(df, "flare_day"), "declared", 1).sort("patient_id", "start")


def flare_episodes(daily: pl.DataFrame, rule: FlareRule | None = None) -> pl.DataFrame:
    """Declared and detected flares together (``source`` tells them apart)."""
    return pl.concat([declared_flares(daily), detected_flares(daily, rule)]).sort(
        "patient_id", "start", "source"
    )


def remission_periods(
    daily: pl.DataFrame, episodes: pl.DataFrame, *, min_days: int = 14
) -> pl.DataFrame:
    """Flare-free runs of diary-covered days lasting at least ``min_days``.

    Parameters
    ----------
    daily : polars.DataFrame
        Daily values.
    episodes : polars.DataFrame
        Flare episodes (:func:`flare_episodes`), any source.
    min_days : int
        Shortest remission reported (days).

    Returns
    -------
    polars.DataFrame
        ``patient_id, start, end, length_days`` (length counts calendar days, start to end).
    """
    in_flare = (
        episodes.select(
            "patient_id",
            pl.date_ranges("start", "end").alias("local_date"),
        )
        .explode("local_date")
        .unique()
        .with_columns(pl.lit(True).alias("in_flare"))
    )
    days = (
        daily.select("patient_id", "local_date")
        .join(in_flare, on=["patient_id", "local_date"], how="left")
        .with_columns((~pl.col("in_flare").fill_null(False)).alias("free"))
    )
    runs = _runs(days.with_columns(pl.lit(0.0).alias("pain")), "free")
    return (
        runs.group_by("patient_id", "run")
        .agg(pl.col("local_date").min().alias("start"), pl.col("local_date").max().alias("end"))
        .with_columns(((pl.col("end") - pl.col("start")).dt.total_days() + 1).alias("length_days"))
        .filter(pl.col("length_days") >= min_days)
        .drop("run")
        .sort("patient_id", "start")
    )


def change_points(
    daily_one_patient: pl.DataFrame, *, penalty: float | None = None, min_size_days: int = 7
) -> pl.DataFrame:
    """Change points of one patient's daily pain (ruptures PELT, L2 cost) as annotations.

    Parameters
    ----------
    daily_one_patient : polars.DataFrame
        Daily values of one patient.
    penalty : float, optional
        PELT penalty; default ``3 * log(n) * variance`` of the day-to-day differences
        (a BIC-like choice, conservative against noise).
    min_size_days : int
        Shortest segment between change points (diary days).

    Returns
    -------
    polars.DataFrame
        ``local_date, mean_before, mean_after, kind, note``; empty when the series is shorter
        than two segments.
    """
    import ruptures as rpt  # deferred: only the per-patient view needs it

    df = daily_one_patient.filter(pl.col("pain").is_not_null()).sort("local_date")
    schema = {
        "local_date": pl.Date,
        "mean_before": pl.Float64,
        "mean_after": pl.Float64,
        "kind": pl.String,
        "note": pl.String,
    }
    if df["patient_id"].n_unique() > 1:
        raise InvalidInputError(
            "change_points takes one patient's diary.", code="several_patients", field="patient_id"
        )
    signal = df["pain"].to_numpy().astype(np.float64)
    if signal.size < 2 * min_size_days:
        return pl.DataFrame(schema=schema)
    if penalty is None:
        noise = float(np.var(np.diff(signal)) / 2.0) or 1.0
        penalty = 3.0 * float(np.log(signal.size)) * noise
    # KernelCPD with the linear kernel is PELT with the L2 cost, implemented in C (~100x faster
    # than rpt.Pelt(model="l2") in Python for a two-year diary)
    breaks = rpt.KernelCPD(kernel="linear", min_size=min_size_days).fit(signal).predict(pen=penalty)
    bounds = [0, *breaks]
    rows = []
    dates = df["local_date"].to_list()
    for i, b in enumerate(breaks[:-1]):
        rows.append(
            {
                "local_date": dates[b],
                "mean_before": float(signal[bounds[i] : b].mean()),
                "mean_after": float(signal[b : bounds[i + 2]].mean()),
                "kind": "annotation",
                "note": ANNOTATION_NOTE,
            }
        )
    return pl.DataFrame(rows, schema=schema)


@dataclass(frozen=True)
class SustainedFlareRule:
    """Detected-flare rule 2.0: a sustained worsening above the patient's own current level.

    The current level is the latent level (``latent.py``), which follows relief as it wears off
    and ignores the days the patient marked as flares and days far above it. A day is a flare
    day when the mean excess of pain over that level across the day and its two neighbours
    (the diary days among them) is at least ``rise_points`` and at least ``z`` standard errors
    (from the patient's own noise); an episode is a run of flare days, bridging gaps of up to
    ``max_gap_days`` days without an entry, lasting at least ``min_days`` calendar days.

    Attributes
    ----------
    rise_points : float
        Smallest excess over the current level (points; the 1.0 rule's +2).
    z : float
        Standard errors the excess must also reach (so noisy diaries need more).
    min_days : int
        Shortest episode (calendar days).
    max_gap_days : int
        Days without an entry that do not break an episode.
    """

    rise_points: float = 2.0
    z: float = 2.0
    min_days: int = 3
    max_gap_days: int = 2
    version: str = "tenderpoint-flare/2.0"
    citation: str = (
        "No agreed flare definition (Gomez-Arguelles 2022, clinical.md 11): a sustained "
        "worsening above the patient's own current level, platform rule."
    )

    def __post_init__(self) -> None:
        if self.rise_points <= 0 or self.z < 0 or self.min_days < 1 or self.max_gap_days < 0:
            raise InvalidInputError(
                "rise_points must be positive, z and max_gap_days >= 0, min_days >= 1.",
                code="out_of_range",
                field="rise_points",
            )


def sustained_flare_runs(
    pain: npt.NDArray[np.float64],
    n_entries: npt.NDArray[np.int64],
    level: npt.NDArray[np.float64],
    noise_var: float,
    rule: SustainedFlareRule,
) -> list[tuple[int, int, float, float]]:
    """Flare episodes of one patient's day grid: ``(first day, last day, excess, SE)``.

    Parameters
    ----------
    pain, n_entries : numpy.ndarray
        Daily mean pain (NaN: no entry) and entry counts, one patient.
    level : numpy.ndarray
        Posterior mean latent level on the same days.
    noise_var : float
        The patient's entry noise variance.
    rule : SustainedFlareRule

    Returns
    -------
    list of tuple
        Grid days of each episode, its mean excess over the level and that mean's SE.
    """
    have = n_entries > 0
    w = np.where(have, n_entries, 0).astype(np.float64)
    excess = np.where(have, pain - level, 0.0) * w
    kernel = np.ones(3)
    sum_w = np.convolve(w, kernel, mode="same")
    sum_e = np.convolve(excess, kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_excess = sum_e / sum_w
        se = np.sqrt(noise_var / sum_w)
    flagged = have & (sum_w > 0) & (mean_excess >= rule.rise_points) & (mean_excess >= rule.z * se)
    days = np.nonzero(flagged)[0]
    runs: list[tuple[int, int, float, float]] = []
    if days.size == 0:
        return runs
    breaks = np.nonzero(np.diff(days) > rule.max_gap_days + 1)[0]
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [days.size - 1]])
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        first, last = int(days[a]), int(days[b])
        if last - first + 1 < rule.min_days:
            continue
        span = slice(first, last + 1)
        weight = float(w[span].sum())
        rise = float(excess[span].sum() / weight)
        runs.append((first, last, rise, math.sqrt(noise_var / weight)))
    return runs
