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
from tenderpoint.outcomes._frames import frame_from_rows

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
    df = daily_one_patient.filter(pl.col("pain").is_not_null()).sort("local_date")
    if df["patient_id"].n_unique() > 1:
        raise InvalidInputError(
            "change_points takes one patient's diary.", code="several_patients", field="patient_id"
        )
    signal = df["pain"].to_numpy().astype(np.float64)
    return change_points_of(df["local_date"], signal, penalty=penalty, min_size_days=min_size_days)


CHANGE_POINT_SCHEMA: Final = {
    "local_date": pl.Date,
    "mean_before": pl.Float64,
    "mean_after": pl.Float64,
    "kind": pl.String,
    "note": pl.String,
}


def change_points_of(
    dates: pl.Series | npt.NDArray[np.int64],
    signal: npt.NDArray[np.float64],
    *,
    penalty: float | None = None,
    min_size_days: int = 7,
) -> pl.DataFrame:
    """:func:`change_points` of one patient's diary days in date order (``dates``, a Date
    series or days since 1970) and their daily pain ``signal``."""
    import ruptures as rpt  # deferred: only the per-patient view needs it

    if signal.size < 2 * min_size_days:
        return pl.DataFrame(schema=CHANGE_POINT_SCHEMA)
    if penalty is None:
        # the day-to-day differences as np.diff computes them (its wrapper skipped)
        noise = float(_variance(signal[1:] - signal[:-1]) / 2.0) or 1.0
        penalty = 3.0 * float(np.log(signal.size)) * noise
    # KernelCPD with the linear kernel is PELT with the L2 cost, implemented in C (~100x faster
    # than rpt.Pelt(model="l2") in Python for a two-year diary)
    breaks = rpt.KernelCPD(kernel="linear", min_size=min_size_days).fit(signal).predict(pen=penalty)
    cuts = breaks[:-1]
    # built from rows in one call, the cut dates by numpy indexing (Series.gather runs a query)
    day_numbers = dates if isinstance(dates, np.ndarray) else dates.to_numpy()
    days = day_numbers.astype(np.int64)[cuts].tolist()
    # each segment's mean once: the mean after one cut is the mean before the next
    means = [_mean(signal[a:b]) for a, b in zip([0, *cuts], breaks, strict=True)]
    rows = [
        (day, means[i], means[i + 1], "annotation", ANNOTATION_NOTE) for i, day in enumerate(days)
    ]
    return frame_from_rows(rows, CHANGE_POINT_SCHEMA)


def _variance(values: npt.NDArray[np.float64]) -> float:
    """``np.var(values)`` of a non-empty 1-D float array without its wrapper: numpy's
    variance is these steps (the mean by ``np.add.reduce`` over the count, the squared
    deviations in place, their sum over the count), so the same bits."""
    deviation = values - np.add.reduce(values) / values.size
    np.multiply(deviation, deviation, out=deviation)
    return float(np.add.reduce(deviation) / values.size)


def _mean(segment: npt.NDArray[np.float64]) -> float:
    """``segment.mean()`` without its wrapper: numpy's mean is this sum (pairwise, by
    ``np.add.reduce``) over the count."""
    return float(np.add.reduce(segment)) / segment.size


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


@dataclass(frozen=True)
class FlareStateRule:
    """Detected-flare rule 3.0: a two-state hidden Markov model on the latent level.

    Every day the patient is either at their own current level or in a flare. The current level
    is the latent level (``latent.py``); on a flare day pain sits ``expected_rise_points``
    (give or take ``rise_sd_points``) above it. The patient's own noise, the level's
    uncertainty, the number of entries of the day, the top of the scale (a 10 only says "at
    least 9.5") and whether the patient marked the day as a flare are the evidence; the
    forward-backward recursion (Rabiner 1989) gives each day's probability of being in a flare.
    Runs of days with probability >= ``posterior_threshold`` lasting ``min_days`` to
    ``max_days`` calendar days are set aside from the level, the level is estimated again
    without them and the model run once more (``passes``). An episode is reported when its
    measured excess over the level is not clearly below ``rise_points`` (excess + one standard
    error >= ``rise_points``): the 2.0 rule's "sustained worsening of about two points above
    the patient's own current level", judged with the episode's own precision rather than on
    single days. A worsening that lasts longer than ``max_days`` is a change of level (relief
    ending), not a flare.

    Attributes
    ----------
    start_per_day : float
        Prior probability that a flare starts on a given day (about one a month).
    mean_length_days : float
        Prior mean length of a flare (the end probability per day is its inverse).
    expected_rise_points, rise_sd_points : float
        Prior for how far a flare lifts pain above the level (points).
    declared_if_flare, declared_if_not : float
        Probability that a day carries a patient-declared flare mark in a flare and outside
        one (a declaration is evidence, not proof).
    posterior_threshold : float
        Probability of being in a flare that puts a day in an episode.
    rise_points : float
        Smallest excess over the level an episode must be consistent with (points).
    min_days, max_days : int
        Shortest and longest episode (calendar days).
    passes : int
        Level-and-decode passes (1: no re-estimation of the level).
    scale_max : float
        Top of the pain scale (entries there are censored: the true pain may be higher).
    """

    start_per_day: float = 1.0 / 30.0
    mean_length_days: float = 7.0
    expected_rise_points: float = 3.0
    rise_sd_points: float = 1.0
    declared_if_flare: float = 0.5
    declared_if_not: float = 0.02
    posterior_threshold: float = 0.5
    rise_points: float = 2.0
    min_days: int = 3
    max_days: int = 14
    passes: int = 2
    scale_max: float = 10.0
    version: str = "tenderpoint-flare/3.0"
    citation: str = (
        "No agreed flare definition (Gomez-Arguelles 2022, clinical.md 11): a sustained "
        "worsening above the patient's own current level, platform rule; hidden Markov model "
        "and forward-backward recursion: Rabiner LR. Proc IEEE 1989;77:257-286."
    )

    def __post_init__(self) -> None:
        unit = ("start_per_day", "declared_if_flare", "declared_if_not", "posterior_threshold")
        for name in unit:
            if not 0 < getattr(self, name) < 1:
                raise InvalidInputError(
                    f"{name} must lie strictly between 0 and 1.", code="out_of_range", field=name
                )
        for name in ("mean_length_days", "expected_rise_points", "rise_sd_points", "rise_points"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                raise InvalidInputError(
                    f"{name} must be a positive number.", code="out_of_range", field=name
                )
        if self.mean_length_days < 1:
            raise InvalidInputError(
                "mean_length_days must be at least 1.",
                code="out_of_range",
                field="mean_length_days",
            )
        if not 1 <= self.min_days <= self.max_days or self.passes < 1:
            raise InvalidInputError(
                "Need 1 <= min_days <= max_days and passes >= 1.",
                code="out_of_range",
                field="min_days",
            )


def _day_log_likelihoods(
    pain: npt.NDArray[np.float64],
    count: npt.NDArray[np.int64],
    declared: npt.NDArray[np.bool_],
    level: npt.NDArray[np.float64],
    level_var: npt.NDArray[np.float64],
    noise_var: float,
    rule: FlareStateRule,
    *,
    compiled: bool = False,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Log-likelihood of each day's entries outside and inside a flare (0 without entries);
    ``compiled``: the same operations in ``kernels.flare_log_likelihoods`` (the logarithms
    and the top-of-scale tails stay numpy's and scipy's)."""
    marks = (
        math.log(rule.declared_if_not),
        math.log1p(-rule.declared_if_not),
        math.log(rule.declared_if_flare),
        math.log1p(-rule.declared_if_flare),
    )
    have = count > 0
    top = have & (pain >= rule.scale_max - 0.5)
    if compiled:
        from tenderpoint.outcomes.kernels import flare_log_likelihoods

        constants = (rule.rise_sd_points**2, rule.expected_rise_points, *marks)
        got = flare_log_likelihoods(pain, count, declared, level, level_var, noise_var, constants)
        log_out, log_in, var_out, var_in = got
        if top.any():
            tail_out, tail_in = _top_tails(pain, level, var_out, var_in, top, rule)
            on = declared[top]
            log_out[top] = tail_out + np.where(on, marks[0], marks[1])
            log_in[top] = tail_in + np.where(on, marks[2], marks[3])
        return log_out, log_in
    var_out = np.where(have, noise_var / np.maximum(count, 1) + level_var, 1.0)
    var_in = var_out + rule.rise_sd_points**2
    excess = np.where(have, pain - level, 0.0)
    rise = rule.expected_rise_points
    out = -0.5 * excess**2 / var_out - 0.5 * np.log(var_out)
    inside = -0.5 * (excess - rise) ** 2 / var_in - 0.5 * np.log(var_in)
    if top.any():
        out[top], inside[top] = _top_tails(pain, level, var_out, var_in, top, rule)
    mark_out = np.where(declared, marks[0], marks[1])
    mark_in = np.where(declared, marks[2], marks[3])
    return np.where(have, out + mark_out, 0.0), np.where(have, inside + mark_in, 0.0)


def _top_tails(
    pain: npt.NDArray[np.float64],
    level: npt.NDArray[np.float64],
    var_out: npt.NDArray[np.float64],
    var_in: npt.NDArray[np.float64],
    top: npt.NDArray[np.bool_],
    rule: FlareStateRule,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Log-likelihoods outside and inside a flare of the ``top`` days: at the top of the
    scale the entry only says "at least this high" (the normal's tail, computed on those
    days only: every step is elementwise)."""
    from scipy.special import log_ndtr

    edge = rule.scale_max - 0.5 - level[top]
    half_log_2pi = 0.5 * math.log(2.0 * math.pi)
    rise = rule.expected_rise_points
    tail_out = log_ndtr(-edge / np.sqrt(var_out[top])) + half_log_2pi
    tail_in = log_ndtr(-(edge - rise) / np.sqrt(var_in[top])) + half_log_2pi
    return tail_out, tail_in


def flare_probability(
    log_out: npt.NDArray[np.float64],
    log_in: npt.NDArray[np.float64],
    rule: FlareStateRule,
    *,
    compiled: bool = False,
) -> npt.NDArray[np.float64]:
    """Posterior probability of a flare on each day (scaled forward-backward, two states);
    ``compiled`` runs the same operations in ``kernels.forward_backward``."""
    d = log_out.size
    if d == 0:
        return np.zeros(0)
    top = np.maximum(log_out, log_in)
    enter, leave = rule.start_per_day, 1.0 / rule.mean_length_days
    if compiled:
        from tenderpoint.outcomes.kernels import forward_backward

        return forward_backward(np.exp(log_out - top), np.exp(log_in - top), enter, leave)
    b_out, b_in = np.exp(log_out - top).tolist(), np.exp(log_in - top).tolist()
    stay_out, stay_in = 1.0 - enter, 1.0 - leave
    f_out, f_in = [0.0] * d, [0.0] * d
    p_in = enter / (enter + leave)
    p_out = 1.0 - p_in
    for t in range(d):
        if t:
            p_out, p_in = p_out * stay_out + p_in * leave, p_out * enter + p_in * stay_in
        p_out, p_in = p_out * b_out[t], p_in * b_in[t]
        total = p_out + p_in
        p_out, p_in = p_out / total, p_in / total
        f_out[t], f_in[t] = p_out, p_in
    post = [0.0] * d
    post[-1] = f_in[-1]
    g_out, g_in = 1.0, 1.0
    for t in range(d - 2, -1, -1):
        g_out, g_in = (
            stay_out * b_out[t + 1] * g_out + enter * b_in[t + 1] * g_in,
            leave * b_out[t + 1] * g_out + stay_in * b_in[t + 1] * g_in,
        )
        total = g_out + g_in
        g_out, g_in = g_out / total, g_in / total
        a, b = f_out[t] * g_out, f_in[t] * g_in
        post[t] = b / (a + b)
    return np.asarray(post, dtype=np.float64)


def _runs_of(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """First and last index of each run of True: the True indices split where they stop
    being consecutive (a few numpy calls, not a Python step per True day)."""
    on = np.flatnonzero(mask)
    if on.size == 0:
        return []
    breaks = np.flatnonzero(on[1:] != on[:-1] + 1)
    firsts = on[np.concatenate(([0], breaks + 1))].tolist()
    lasts = on[np.concatenate((breaks, [on.size - 1]))].tolist()
    return list(zip(firsts, lasts, strict=True))


def flare_state_runs(
    pain: npt.NDArray[np.float64],
    count: npt.NDArray[np.int64],
    declared: npt.NDArray[np.bool_],
    process_var: npt.NDArray[np.float64],
    level: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float],
    rule: FlareStateRule,
    *,
    compiled: bool = False,
) -> list[tuple[int, int, float, float, float]]:
    """Flare episodes of one patient's day grid under rule 3.0 (``compiled``: the level's
    second pass and the forward-backward recursion run in ``kernels.py``, same numbers).

    Parameters
    ----------
    pain, count, declared : numpy.ndarray
        Daily mean pain (NaN: no entry), entry counts and declared-flare marks.
    process_var : numpy.ndarray
        The latent model's variance of the level's change into each day.
    level : tuple
        ``(mean, variance, noise variance)`` of the latent level (``latent.patient_level``).
    rule : FlareStateRule

    Returns
    -------
    list of tuple
        ``(first day, last day, excess, SE of the excess, highest daily probability)``.
    """
    from tenderpoint.outcomes.latent import smooth_level

    mean, var, noise_var = level
    have = count > 0
    y = np.where(have, pain, 0.0)
    runs: list[tuple[int, int]] = []
    post = np.zeros(pain.size)
    for step in range(rule.passes):
        if step:
            # the level again, without the days of the episodes found (nor declared days)
            precision = np.where(have & ~declared, count / noise_var, 0.0)
            for a, b in runs:
                precision[a : b + 1] = 0.0
            if compiled:
                from tenderpoint.outcomes.kernels import smooth_one

                mean, var = smooth_one(y, precision, process_var)
            else:
                m, v = smooth_level(y[:, None], precision[:, None], process_var[:, None])
                mean, var = m[:, 0], v[:, 0]
        log_out, log_in = _day_log_likelihoods(
            pain, count, declared, mean, var, noise_var, rule, compiled=compiled
        )
        post = flare_probability(log_out, log_in, rule, compiled=compiled)
        runs = [
            (a, b)
            for a, b in _runs_of(post >= rule.posterior_threshold)
            if b - a + 1 <= rule.max_days
        ]
    found: list[tuple[int, int, float, float, float]] = []
    runs = [(a, b) for a, b in runs if b - a + 1 >= rule.min_days]
    if not runs:
        return found
    # each day's weighted excess once; a span's sum and maximum by the reductions that
    # ndarray.sum and .max call (the same bits)
    excess = np.where(have, (pain - mean) * count, 0.0)
    for a, b in runs:
        weight = float(np.add.reduce(count[a : b + 1]))
        if weight == 0:
            continue
        rise = float(np.add.reduce(excess[a : b + 1])) / weight
        se = math.sqrt(noise_var / weight)
        if rise + se >= rule.rise_points:
            found.append((a, b, rise, se, float(np.maximum.reduce(post[a : b + 1]))))
    return found
