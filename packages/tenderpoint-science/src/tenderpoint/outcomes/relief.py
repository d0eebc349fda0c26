"""Relief onset, relief end and durability read off the latent pain level (rules 2.0-2.4).

The 1.0 rule (``response.ReliefRule``) compared single raw entries with fixed bands; on real
diaries (whole-number scores, about a point of noise) it reported relief for most patients who
had none and ended relief early. Rule 2.0 asks the same questions of the smoothed level
(``latent.py``), with the uncertainty of both the level and the baseline:

* **relief onset** (IMMPACT moderate, >= 30 % below baseline; Dworkin et al. 2008): relief is
  reported for a course when, on some day within ``horizon_days`` of its first session, the
  probability that the level is >= 30 % below baseline reaches ``onset_probability`` (0.9).
  The onset date is the first day the level's posterior mean is that far below; its interval
  runs from the first day that probability reaches 10 % to the first day it reaches 90 %.
* **relief end** ("pain is back", relief below 10 %, the core's convention since 1.0): the
  first day after onset on which the posterior mean level is back within 10 % of baseline;
  interval from the first day the probability of being back reaches 10 % to the day it reaches
  90 % (open when that never happens within follow-up). Rules 2.1-2.3 also read the diary days
  themselves near the end of follow-up (``LatentReliefRule``); rule 2.4, the default, looks
  for the end only after the last day relief is still present with the onset's probability,
  so pain back for a while and then down to relief again before the next infusion is read as
  a flare, not the end.
* **censoring** comes from the infusion record: when another course follows and the diary runs
  up to it (the patient's last entry is on or after the day before it), relief still present
  the day before the next course is censored there with reason ``next_infusion``, even if that
  very day has no entry; otherwise at the last diary day (``last_entry``).

A flare the patient declared does not end relief: declared flare days carry no measurement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.special import ndtr, ndtri

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.baseline import BASELINE_OK
from tenderpoint.outcomes.latent import (
    COMPILED_FROM_PATIENTS,
    DEFAULT_LATENT_MODEL,
    EPOCH,
    DailyMatrix,
    FloatArray,
    IntArray,
    LatentLevelModel,
    _column_codes,
    daily_matrix,
    latent_level,
)
from tenderpoint.outcomes.schedule import course_table

RELIEF_V2_CITATION: Final = (
    "Dworkin RH, Turk DC, Wyrwich KW, et al. Interpreting the clinical importance of treatment "
    "outcomes in chronic pain clinical trials: IMMPACT recommendations. J Pain 2008;9:105-121 "
    "(30 % threshold); latent level: Durbin and Koopman 2012."
)


@lru_cache(maxsize=64)
def _z(probability: float) -> float:
    """``float(ndtri(probability))``, computed once per probability (the rule's few
    thresholds are read for every patient and course)."""
    return float(ndtri(probability))


@dataclass(frozen=True)
class LatentReliefRule:
    """Relief rules 2.0-2.4: thresholds on the latent level with their probabilities.

    Attributes
    ----------
    relief_reduction_pct : float
        Reduction from baseline that counts as relief (IMMPACT moderate, 30 %).
    return_within_pct : float
        Relief has ended when the level is back within this percentage of baseline (10 %).
    horizon_days : int
        Days after a course's first session in which relief may start.
    onset_probability : float
        Posterior probability of >= 30 % relief needed on some day to report relief.
    interval_probability : float
        Coverage of the onset, end and durability intervals (central, 0.8 = 10 %-90 %).
    return_tail_days : int
        Rule 2.1: how many days before the end of follow-up (or before the smoothed level's
        end) the diary itself is searched for a return of pain; 0 turns it off (rule 2.0).
    return_confirm_days : int
        Rule 2.1: diary days after a candidate end that must be back within 10 %.
    return_min_days : int
        Rule 2.2: a return seen on fewer diary days than this (days with entries, none marked
        as a flare) before the end of follow-up is not yet established: it may be the start
        of a flare the patient did not mark. 4 is the fewest unmarked days that make a flare
        less than ``1 - onset_probability`` likely by the flare rule's own marking model
        (half of flare days marked, 2 % of others: (0.5/0.98)^4 = 0.068 <= 0.1/0.9, three
        days 0.13), at even odds before the diary is read. 0 turns it off (rules 2.0, 2.1).
    return_short_probability : float
        Rule 2.2: the probability of being back that a shorter return needs to count as
        relief ending all the same.
    return_marked_flare_check : bool
        Rule 2.2: an end in the last ``return_tail_days`` before the end of follow-up that runs
        into days the patient marked as a flare stands only when the diary days between the
        end and the first mark are themselves back within 10 % (``onset_probability``, or
        ``return_short_probability`` on fewer than ``return_min_days`` days); otherwise the
        rise is read as the flare and relief stays censored. False: off (rules 2.0, 2.1).
    return_step_check : bool
        Rule 2.3: when no end is found otherwise, relief has also ended at a change point in
        the last ``return_tail_days``: diary days from there to the end of follow-up (at least
        ``return_min_days``, none marked as a flare) above those of the
        ``return_confirm_days`` before it with probability ``return_rise_probability`` and
        back within 10 % of baseline with probability ``return_step_probability``.
        Whole-number scores back at baseline are rarely 90 % surely within 10 % of it (at a
        point of noise the baseline's own uncertainty is more than half of that band), so
        relief that stopped a week before a booster stayed censored; the rise test keeps a
        noisy plateau of relief from counting. False: off (rules 2.0-2.2).
    return_rise_probability : float
        Rule 2.3: probability that the stretch lies above the days before it (0.99).
    return_step_probability : float
        Rule 2.3: probability of being back that a stretch after such a rise needs (0.5: more
        likely back than not, the level's own end test, which reads the posterior mean).
    return_resume_check : bool
        Rule 2.4: relief ends only after the last day before the end of follow-up on which it
        is still present with probability ``onset_probability`` (the level >= 30 % below
        baseline). Pain that comes back and then goes down to relief again, with no infusion
        between, was a flare (marked or not), not the end: under rules 2.0-2.3 the first such
        rise ended relief. The end and its interval are searched from that day on. False: off
        (rules 2.0-2.3).
    model : LatentLevelModel
        Settings of the latent level.
    """

    relief_reduction_pct: float = 30.0
    return_within_pct: float = 10.0
    horizon_days: int = 28
    onset_probability: float = 0.9
    interval_probability: float = 0.8
    return_tail_days: int = 14
    return_confirm_days: int = 7
    return_min_days: int = 4
    return_short_probability: float = 0.99
    return_marked_flare_check: bool = True
    return_step_check: bool = True
    return_rise_probability: float = 0.99
    return_step_probability: float = 0.5
    return_resume_check: bool = True
    model: LatentLevelModel = field(default_factory=lambda: DEFAULT_LATENT_MODEL)
    version: str = "tenderpoint-relief/2.4"
    citation: str = RELIEF_V2_CITATION

    def __post_init__(self) -> None:
        if not 0 < self.return_within_pct < self.relief_reduction_pct < 100:
            raise InvalidInputError(
                "Thresholds must satisfy 0 < return_within_pct < relief_reduction_pct < 100.",
                code="out_of_range",
                field="return_within_pct",
            )
        for name in (
            "onset_probability",
            "interval_probability",
            "return_short_probability",
            "return_rise_probability",
            "return_step_probability",
        ):
            if not 0.5 <= getattr(self, name) < 1:
                raise InvalidInputError(
                    f"{name} must be at least 0.5 and below 1.", code="out_of_range", field=name
                )
        if self.horizon_days < 1:
            raise InvalidInputError(
                "horizon_days must be at least 1.", code="out_of_range", field="horizon_days"
            )
        for name in ("return_tail_days", "return_confirm_days", "return_min_days"):
            if getattr(self, name) < 0:
                raise InvalidInputError(
                    f"{name} must be 0 (off) or more.", code="out_of_range", field=name
                )

    def as_dict(self) -> dict[str, Any]:
        """Plain form (for stored results)."""
        return asdict(self)


def first_true(mask: npt.NDArray[np.bool_]) -> IntArray:
    """Row index of the first True in each column of a ``days x patients`` mask (-1: none)."""
    idx = mask.argmax(axis=0)
    has = mask[idx, np.arange(mask.shape[1])]
    return np.where(has, idx, -1).astype(np.int64)


@dataclass(frozen=True)
class CourseWindow:
    """Per patient (arrays): the course's first day, next course and last diary day (grid)."""

    course_day: IntArray
    next_course_day: IntArray  # -1: no next course
    last_diary_day: IntArray  # -1: no diary

    def follow_up_end(self) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Last day of follow-up for this course and whether it ends at the next infusion."""
        has_next = self.next_course_day >= 0
        reached_next = has_next & (self.last_diary_day >= self.next_course_day - 1)
        limit = np.where(
            reached_next,
            self.next_course_day - 1,
            np.where(
                has_next,
                np.minimum(self.last_diary_day, self.next_course_day - 1),
                self.last_diary_day,
            ),
        )
        return limit.astype(np.int64), reached_next


def _relief_result(
    relief: npt.NDArray[np.bool_],
    onsets: tuple[IntArray, IntArray, IntArray],
    ends: tuple[IntArray, IntArray, IntArray],
    follow_up: tuple[IntArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]],
    best: FloatArray,
) -> dict[str, npt.NDArray[Any]]:
    """Durability, its interval and the result dict of :func:`relief_from_level` from the
    onset days ``(onset, low, high)``, the end days ``(end, low, high)``, the follow-up
    ``(limit, reached_next, evaluable)`` and the best onset ``z`` of each patient."""
    onset, onset_low, onset_high = onsets
    end, end_low, end_high = ends
    limit, reached_next, ok = follow_up
    event = relief & (end >= 0)
    inf = np.inf
    durability = np.where(event, end - onset, limit - onset).astype(np.float64)
    low_end = np.where(end_low >= 0, end_low, np.where(event, end, limit))
    durability_low = np.maximum(low_end - onset_high, 0).astype(np.float64)
    durability_high = np.where(end_high >= 0, end_high - onset_low, inf).astype(np.float64)
    nan = np.nan
    return {
        "onset": onset,
        "onset_low": onset_low,
        "onset_high": onset_high,
        "end": np.where(event, end, -1),
        "end_low": np.where(relief, end_low, -1),
        "end_high": np.where(relief, end_high, -1),
        "limit": limit,
        "relief": relief,
        "event": event,
        "reached_next": reached_next,
        "evaluable": ok,
        "relief_probability": np.where(ok, ndtr(np.where(np.isfinite(best), best, -40.0)), nan),
        "durability": np.where(relief, durability, nan),
        "durability_low": np.where(relief, durability_low, nan),
        "durability_high": np.where(relief, durability_high, nan),
    }


def _horizon_onset(
    mean: FloatArray,
    var: FloatArray,
    on: tuple[FloatArray, FloatArray],
    course_day: IntArray,
    limit: IntArray,
    ok: npt.NDArray[np.bool_],
    rule: LatentReliefRule,
) -> tuple[FloatArray, tuple[IntArray, IntArray, IntArray]]:
    """Best onset ``z`` per patient and the first horizon days with the level at the 30 %
    level and with ``z`` at ``-z_hi`` and ``z_hi`` (grid days, -1: none), reading only the
    horizon's days (a horizon x patients gather). ``on``: the 30 % level and its variance."""
    d, n = mean.shape
    on_level, on_var = on
    z_hi = _z(0.5 + rule.interval_probability / 2.0)
    day = course_day[None, :] + np.arange(rule.horizon_days)[:, None]
    in_horizon = (day >= 0) & (day < d) & (day <= limit[None, :]) & ok[None, :]
    # the row of patient indices broadcasts in the gather itself; maximum/minimum are
    # np.clip on integers without its Python wrapper (a few microseconds on tiny arrays)
    cols = np.arange(n)[None, :]
    rows = np.minimum(np.maximum(day, 0), d - 1)
    h_mean, h_var = mean[rows, cols], var[rows, cols]
    z_on = (on_level[None, :] - h_mean) / np.sqrt(h_var + on_var[None, :])
    z_on_h = np.where(in_horizon, z_on, -np.inf)
    best = z_on_h.max(axis=0) if rule.horizon_days > 0 else np.full(n, -np.inf)

    def in_days(first: IntArray) -> IntArray:
        return np.where(first >= 0, first + course_day, -1).astype(np.int64)

    return best, (
        in_days(first_true(in_horizon & (h_mean <= on_level[None, :]))),
        in_days(first_true(z_on_h >= -z_hi)),
        in_days(first_true(z_on_h >= z_hi)),
    )


def relief_from_level(
    mean: FloatArray,
    var: FloatArray,
    baseline: FloatArray,
    baseline_var: FloatArray,
    window: CourseWindow,
    rule: LatentReliefRule,
) -> dict[str, npt.NDArray[Any]]:
    """Onset, end, durability and their intervals for one course per patient (vectorised).

    Reads only what each answer needs: the horizon's days for the onset (a horizon x patients
    gather) and, for the end, a compiled scan from the day after onset that stops at the first
    day meeting all three conditions; equal to :func:`relief_from_level_reference`.

    Parameters
    ----------
    mean, var : numpy.ndarray
        ``days x patients`` posterior level (``latent.latent_level``).
    baseline, baseline_var : numpy.ndarray
        Baseline pain and the variance of its estimate (NaN baseline: not evaluable).
    window : CourseWindow
        Course days and follow-up.
    rule : LatentReliefRule
        Thresholds and probabilities.

    Returns
    -------
    dict of numpy.ndarray
        Grid days (-1 = none): ``onset``, ``onset_low``, ``onset_high``, ``end``, ``end_low``,
        ``end_high``, ``limit``, ``end_search_from`` (the onset, or under rule 2.4 the last
        day relief is still present); ``relief``, ``event``, ``reached_next`` (bool);
        ``relief_probability``, ``durability``, ``durability_low``, ``durability_high``
        (days, inf = open).
    """
    limit, reached_next = window.follow_up_end()
    c = window.course_day
    ok = np.isfinite(baseline) & (c >= 0)
    base = np.where(ok, baseline, 0.0)
    base_var = np.where(ok, baseline_var, 0.0)
    safe_base = np.where(base > 0, base, 1.0)
    on_level = (1.0 - rule.relief_reduction_pct / 100.0) * base
    back_level = (1.0 - rule.return_within_pct / 100.0) * base
    z_hi = _z(0.5 + rule.interval_probability / 2.0)
    z_onset = _z(rule.onset_probability)

    on_var = (on_level / safe_base) ** 2 * base_var
    best, onsets = _horizon_onset(mean, var, (on_level, on_var), c, limit, ok, rule)
    relief = best >= z_onset
    onset, onset_low, onset_high = (np.where(relief, x, -1) for x in onsets)
    onset_high = np.where(onset_high >= 0, onset_high, onset)

    # end: a scan from the day after onset (rule 2.4: after the last day relief is still
    # present) to the end of follow-up (compiled, stops early)
    from tenderpoint.outcomes.kernels import last_relief_days, relief_end_days

    relief_limit = np.where(relief, limit, -1)
    search_from = onset
    if rule.return_resume_check:
        last = last_relief_days(mean, var, on_level, on_var, onset, relief_limit, z_onset)
        search_from = np.maximum(onset, last)
    end, end_low, end_high = relief_end_days(
        mean,
        var,
        back_level,
        (back_level / safe_base) ** 2 * base_var,
        search_from,
        relief_limit,
        z_hi,
    )
    res = _relief_result(
        relief,
        (onset, onset_low, onset_high),
        (end, end_low, end_high),
        (limit, reached_next, ok),
        best,
    )
    res["end_search_from"] = search_from
    return res


def relief_from_level_reference(
    mean: FloatArray,
    var: FloatArray,
    baseline: FloatArray,
    baseline_var: FloatArray,
    window: CourseWindow,
    rule: LatentReliefRule,
) -> dict[str, npt.NDArray[Any]]:
    """:func:`relief_from_level` computed over the whole grid with numpy (the reference the
    tests hold the faster version to; it reads every day of every patient).

    Parameters
    ----------
    mean, var : numpy.ndarray
        ``days x patients`` posterior level (``latent.latent_level``).
    baseline, baseline_var : numpy.ndarray
        Baseline pain and the variance of its estimate (NaN baseline: not evaluable).
    window : CourseWindow
        Course days and follow-up.
    rule : LatentReliefRule
        Thresholds and probabilities.

    Returns
    -------
    dict of numpy.ndarray
        Grid days (-1 = none): ``onset``, ``onset_low``, ``onset_high``, ``end``, ``end_low``,
        ``end_high``, ``limit``, ``end_search_from`` (the onset, or under rule 2.4 the last
        day relief is still present); ``relief``, ``event``, ``reached_next`` (bool);
        ``relief_probability``, ``durability``, ``durability_low``, ``durability_high``
        (days, inf = open).
    """
    d = mean.shape[0]
    days = np.arange(d)[:, None]
    limit, reached_next = window.follow_up_end()
    c = window.course_day
    ok = np.isfinite(baseline) & (c >= 0)
    base = np.where(ok, baseline, 0.0)[None, :]
    base_var = np.where(ok, baseline_var, 0.0)[None, :]
    on_level = (1.0 - rule.relief_reduction_pct / 100.0) * base
    back_level = (1.0 - rule.return_within_pct / 100.0) * base
    z_hi = _z(0.5 + rule.interval_probability / 2.0)
    z_onset = _z(rule.onset_probability)

    in_horizon = (
        (days >= c[None, :])
        & (days < (c + rule.horizon_days)[None, :])
        & (days <= limit[None, :])
        & ok[None, :]
    )
    z_on = (on_level - mean) / np.sqrt(
        var + (on_level / np.where(base > 0, base, 1.0)) ** 2 * base_var
    )
    z_on_h = np.where(in_horizon, z_on, -np.inf)
    best = z_on_h.max(axis=0)
    relief = best >= z_onset
    onset = np.where(relief, first_true(in_horizon & (mean <= on_level)), -1)
    onset_low = np.where(relief, first_true(z_on_h >= -z_hi), -1)
    onset_high = np.where(relief, first_true(z_on_h >= z_hi), -1)
    onset_high = np.where(onset_high >= 0, onset_high, onset)

    after = (days > onset[None, :]) & (days <= limit[None, :]) & relief[None, :]
    search_from = onset
    if rule.return_resume_check:
        search_from = np.maximum(onset, _last_true(after & (z_on >= z_onset)))
        after = after & (days > search_from[None, :])
    z_back = (mean - back_level) / np.sqrt(
        var + (back_level / np.where(base > 0, base, 1.0)) ** 2 * base_var
    )
    end = first_true(after & (mean >= back_level))
    end_low = first_true(after & (z_back >= -z_hi))
    end_high = first_true(after & (z_back >= z_hi))
    res = _relief_result(
        relief,
        (onset, onset_low, onset_high),
        (end, end_low, end_high),
        (limit, reached_next, ok),
        best,
    )
    res["end_search_from"] = search_from
    return res


@dataclass(frozen=True)
class DiaryDays:
    """Diary days as the relief end reads them: ``days x patients`` daily mean pain, entry
    counts and declared-flare marks (the latent cohort's own matrices, not copied), and the
    matrix column of each patient of a course's result (``columns[j]`` for row ``j``)."""

    pain: FloatArray
    n_entries: IntArray
    declared: npt.NDArray[np.bool_]
    columns: IntArray

    def gather(
        self, days: IntArray, patients: IntArray, keep: npt.NDArray[np.bool_]
    ) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
        """Entry weights (usable days only), weighted pain sums and declared-flare days of a
        ``block x patients`` gather of grid days; ``patients`` index the course's result."""
        d = self.pain.shape[0]
        inside = keep & (days >= 0) & (days < d)
        rows = np.minimum(np.maximum(days, 0), d - 1)  # np.clip without its wrapper
        c = self.columns[patients][None, :]  # broadcast by the gathers themselves
        count = self.n_entries[rows, c]
        declared = inside & (count > 0) & self.declared[rows, c]
        weight = np.where(inside & ~declared, count, 0).astype(np.float64)
        return weight, np.where(weight > 0, self.pain[rows, c], 0.0) * weight, declared


def z_of_return(
    total: FloatArray,
    weight: FloatArray,
    level: FloatArray,
    level_var: FloatArray,
    noise_var: FloatArray,
) -> FloatArray:
    """``z`` of diary days being back within 10 % of baseline: their weighted mean
    (``total / weight``, entries as weights) against the 10 % ``level``, with the patient's
    entry noise over the entries and the level's own variance (from the baseline's); arrays
    broadcast. No entries: NaN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z: FloatArray = (total / weight - level) / np.sqrt(noise_var / weight + level_var)
    return z


def return_before_follow_up_end(
    res: dict[str, npt.NDArray[Any]],
    daily: DiaryDays,
    noise_var: FloatArray,
    baseline: FloatArray,
    baseline_var: FloatArray,
    rule: LatentReliefRule,
) -> dict[str, npt.NDArray[Any]]:
    """Relief that ended in the last ``return_tail_days`` before the end of follow-up.

    The smoothed level follows a sudden return of pain with a lag of days; when a course is
    censored (the level never got back within 10 % of baseline), the diary days from each
    candidate day to the end of follow-up are averaged, and relief is taken to have ended on
    the candidate whose average is most surely back (``z`` of being within 10 % of baseline,
    with the patient's noise and the baseline's uncertainty) when that probability reaches
    ``onset_probability``. A stretch holding a day the patient marked as a flare is a flare,
    not relief ending. Rule 2.2: a stretch with fewer than ``return_min_days`` diary days may
    be the start of a flare the patient did not mark and needs ``return_short_probability``.
    The interval of the end then runs from that day (or the smoothed level's 10 % day, if
    earlier) to the end of follow-up.

    Parameters
    ----------
    res : dict
        Output of :func:`relief_from_level` for one course (updated copy returned).
    daily : DiaryDays
        The diary days (declared flare days carry no measurement).
    noise_var, baseline, baseline_var : numpy.ndarray
        Per patient entry noise variance, baseline and its variance.
    rule : LatentReliefRule
    """
    tail = rule.return_tail_days
    open_ = res["relief"] & ~res["event"]
    if tail <= 0 or not open_.any():
        return res
    todo = np.flatnonzero(open_)
    onset, limit = res["onset"][todo], res["limit"][todo]
    # rule 2.3 also reads the return_confirm_days before the first candidate
    pre = rule.return_confirm_days if rule.return_step_check else 0
    every_day = limit[None, :] - tail + 1 - pre + np.arange(tail + pre)[:, None]
    every = daily.gather(every_day, todo, every_day > onset[None, :])
    day = every_day[pre:]
    weight, total, marked = every[0][pre:], every[1][pre:], every[2][pre:]
    w_after = np.cumsum(weight[::-1], axis=0)[::-1]
    s_after = np.cumsum(total[::-1], axis=0)[::-1]
    # a day the patient marked as a flare says the rise is a flare
    flare_after = np.cumsum(marked[::-1], axis=0)[::-1] > 0
    base = baseline[todo]
    back = (1.0 - rule.return_within_pct / 100.0) * base
    back_var = (back / np.where(base > 0, base, 1.0)) ** 2 * baseline_var[todo]
    z = z_of_return(s_after, w_after, back[None, :], back_var[None, :], noise_var[todo][None, :])
    need: FloatArray | float = _z(rule.onset_probability)
    if rule.return_min_days > 0:
        # rule 2.2: a stretch of fewer than return_min_days diary days needs more
        days_after = np.cumsum(weight[::-1] > 0, axis=0)[::-1]
        short = _z(rule.return_short_probability)
        need = np.where(days_after < rule.return_min_days, short, need)
    z_raw = z
    z = np.where((weight > 0) & ~flare_after & (z >= need), z, -np.inf)
    best = z.argmax(axis=0)
    ended = z[best, np.arange(todo.size)] > -np.inf  # (+inf, a noiseless stretch, counts)
    end = day[best, np.arange(todo.size)]
    if rule.return_step_check:
        stretch = (w_after, s_after, z_raw, ~flare_after & (weight > 0))
        step_end = _step_return(every, pre, stretch, noise_var[todo], rule)
        stepped = ~ended & (step_end >= 0)
        end = np.where(stepped, day[np.maximum(step_end, 0), np.arange(todo.size)], end)
        ended |= stepped
    if not ended.any():
        return res
    hit, end = todo[ended], end[ended]
    out = {k: v.copy() for k, v in res.items()}
    out["event"][hit] = True
    out["end"][hit] = end
    low = out["end_low"][hit]
    out["end_low"][hit] = np.where((low >= 0) & (low < end), low, end)
    out["end_high"][hit] = out["limit"][hit]
    out["durability"][hit] = end - out["onset"][hit]
    out["durability_low"][hit] = np.maximum(out["end_low"][hit] - out["onset_high"][hit], 0)
    out["durability_high"][hit] = out["limit"][hit] - out["onset_low"][hit]
    return out


def _step_return(
    every: tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]],
    pre: int,
    stretch: tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]],
    noise_var: FloatArray,
    rule: LatentReliefRule,
) -> IntArray:
    """Rule 2.3: the candidate day (row of the tail, -1: none) at which the diary steps back up.

    A candidate's rise is how surely its diary days up to the end of follow-up (none marked
    as a flare) lie above the diary days of the ``pre`` days before it (``z`` of the
    difference of the two means, the patient's noise). A candidate counts when its rise
    reaches ``return_rise_probability`` (a change, not a noisy plateau of relief), its days
    are at least ``return_min_days`` diary days and are back within 10 % of baseline with
    probability ``return_step_probability``; the end is the counting candidate with the
    surest rise (the change point). The candidate with the surest rise of all must also span
    ``return_min_days`` diary days, so a short rise at the very end is not lengthened by
    the relief days before it.
    ``every``: weights, weighted sums and marks from ``pre`` days before the first
    candidate; ``stretch``: per candidate the weight and sum of the days from it on, their
    ``z`` of being back, and whether it is usable (an entry, no mark from it on).
    """
    weight_all, total_all, _ = every
    w_after, s_after, z, usable = stretch
    zero = np.zeros((1, weight_all.shape[1]))
    cw = np.concatenate([zero, np.cumsum(weight_all, axis=0)])
    ct = np.concatenate([zero, np.cumsum(total_all, axis=0)])
    tail = w_after.shape[0]
    w_pre = cw[pre : pre + tail] - cw[:tail]
    s_pre = ct[pre : pre + tail] - ct[:tail]
    days_after = np.cumsum(weight_all[pre:][::-1] > 0, axis=0)[::-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        rise = (s_after / w_after - s_pre / w_pre) / np.sqrt(
            noise_var[None, :] * (1.0 / w_after + 1.0 / w_pre)
        )
    min_days = max(rule.return_min_days, 1)
    rise = np.where(usable & (w_pre > 0), rise, -np.inf)
    # the surest rise of all must be seen on min_days diary days: a short rise at the end
    # (a flare's start as much as relief ending) does not count by taking in the relief days
    # before it; the end is then the surest rise among the stretches that are back
    surest = rise.argmax(axis=0)
    long_enough = days_after[surest, np.arange(surest.size)] >= min_days
    counts = (
        (days_after >= min_days)
        & (rise >= _z(rule.return_rise_probability))
        & (z >= _z(rule.return_step_probability))
    )
    best = np.where(counts, rise, -np.inf).argmax(axis=0)
    return np.where(long_enough & counts.any(axis=0), best, -1).astype(np.int64)


def marked_flare_before_follow_up_end(
    res: dict[str, npt.NDArray[Any]],
    daily: DiaryDays,
    noise_var: FloatArray,
    back: tuple[FloatArray, FloatArray],
    rule: LatentReliefRule,
) -> dict[str, npt.NDArray[Any]]:
    """Rule 2.2: an end shortly before the end of follow-up that runs into a marked flare.

    The smoothed level sets aside the days the patient marked as a flare, but a flare's
    unmarked days move it; a flare lasting until the next infusion can then carry the level
    back to baseline and read as relief ending. For each course that ended in the last
    ``return_tail_days`` before the end of follow-up with a marked day between its end and
    the end of follow-up, the diary days from the end to the day before the first mark must
    be back within 10 % of baseline on their own (``z`` as in :func:`earlier_return`, with
    ``onset_probability``, or ``return_short_probability`` on fewer than
    ``return_min_days`` diary days); otherwise the end is withdrawn and relief is censored
    at the end of follow-up, its interval open (:func:`return_before_follow_up_end` may still
    find an end after the last mark). ``back``: the 10 % level and its variance.
    """
    tail = rule.return_tail_days
    if not rule.return_marked_flare_check or tail <= 0:
        return res
    ended = np.flatnonzero(res["event"] & (res["end"] > res["limit"] - tail))
    if ended.size == 0:
        return res
    end, limit = res["end"][ended], res["limit"][ended]
    days = end[None, :] + np.arange(tail)[:, None]
    weight, total, marked = daily.gather(days, ended, days <= limit[None, :])
    first_mark = first_true(marked)
    before = np.arange(tail)[:, None] < np.where(first_mark >= 0, first_mark, tail)[None, :]
    w = np.where(before, weight, 0.0).sum(axis=0)
    total_before = np.where(before, total, 0.0).sum(axis=0)
    n_days = (before & (weight > 0)).sum(axis=0)
    level, level_var = back[0][ended], back[1][ended]
    z = z_of_return(total_before, w, level, level_var, noise_var[ended])
    need = np.where(
        n_days < rule.return_min_days,
        _z(rule.return_short_probability),
        _z(rule.onset_probability),
    )
    undo = (first_mark >= 0) & ~((w > 0) & (z >= need))
    if not undo.any():
        return res
    out = {k: v.copy() for k, v in res.items()}
    hit = ended[undo]
    out["event"][hit] = False
    out["end"][hit] = -1
    out["end_high"][hit] = -1
    out["durability"][hit] = out["limit"][hit] - out["onset"][hit]
    low_end = np.where(out["end_low"][hit] >= 0, out["end_low"][hit], out["limit"][hit])
    out["durability_low"][hit] = np.maximum(low_end - out["onset_high"][hit], 0)
    out["durability_high"][hit] = np.inf
    return out


def earlier_return(
    res: dict[str, npt.NDArray[Any]],
    daily: DiaryDays,
    noise_var: FloatArray,
    back: tuple[FloatArray, FloatArray],
    rule: LatentReliefRule,
) -> dict[str, npt.NDArray[Any]]:
    """Move a relief end earlier to the first day from which the diary is surely back.

    The smoothed level reaches the 10 % band some days after a sudden return of pain. For each
    ended course, the days from ``return_tail_days`` before the smoothed end up to it are
    candidates; the end becomes the first candidate whose following ``return_confirm_days``
    diary days (up to the end of follow-up) are back within 10 % of baseline with probability
    ``onset_probability``. ``back`` holds the 10 % level and its variance per patient.
    """
    tail, span = rule.return_tail_days, rule.return_confirm_days
    ended = np.flatnonzero(res["event"])
    if tail <= 0 or ended.size == 0:
        return res
    end, limit = res["end"][ended], res["limit"][ended]
    search_from = res["end_search_from"][ended]  # the onset, or rule 2.4's last relief day
    days = end[None, :] - tail + np.arange(tail + span)[:, None]
    keep = (days > search_from[None, :]) & (days <= limit[None, :])
    weight, total, _ = daily.gather(days, ended, keep)
    zero = np.zeros((1, ended.size))
    cw = np.concatenate([zero, np.cumsum(weight, axis=0)])
    ct = np.concatenate([zero, np.cumsum(total, axis=0)])
    w = cw[span : span + tail + 1] - cw[: tail + 1]
    s = ct[span : span + tail + 1] - ct[: tail + 1]
    level, level_var = back[0][ended], back[1][ended]
    z = z_of_return(s, w, level[None, :], level_var[None, :], noise_var[ended][None, :])
    sure = (w > 0) & (z >= _z(rule.onset_probability)) & keep[: tail + 1]
    first = first_true(sure)
    moved = (first >= 0) & (first < tail)
    if not moved.any():
        return res
    out = {k: v.copy() for k, v in res.items()}
    hit = ended[moved]
    new_end = end[moved] - tail + first[moved]
    out["end"][hit] = new_end
    out["end_low"][hit] = np.minimum(
        np.where(out["end_low"][hit] >= 0, out["end_low"][hit], new_end), new_end
    )
    out["durability"][hit] = new_end - out["onset"][hit]
    out["durability_low"][hit] = np.maximum(out["end_low"][hit] - out["onset_high"][hit], 0)
    return out


def _returns(
    res: dict[str, npt.NDArray[Any]], lc: LatentCohort, cols: IntArray, rule: LatentReliefRule
) -> dict[str, npt.NDArray[Any]]:
    """Rule 2.1's two corrections of the relief end read off the diary days themselves."""
    m = lc.matrix
    daily = DiaryDays(m.pain, m.n_entries, m.declared_flare, cols)
    base, base_var, noise = lc.baseline[cols], lc.baseline_var[cols], lc.noise_var[cols]
    back_level = (1.0 - rule.return_within_pct / 100.0) * base
    back_var = (back_level / np.where(base > 0, base, 1.0)) ** 2 * base_var
    back = (back_level, back_var)
    res = marked_flare_before_follow_up_end(res, daily, noise, back, rule)
    res = return_before_follow_up_end(res, daily, noise, base, base_var, rule)
    res = earlier_return(res, daily, noise, back, rule)
    return relief_held_at_follow_up_end(res, daily, noise, back, rule)


def relief_held_at_follow_up_end(
    res: dict[str, npt.NDArray[Any]],
    daily: DiaryDays,
    noise_var: FloatArray,
    back: tuple[FloatArray, FloatArray],
    rule: LatentReliefRule,
) -> dict[str, npt.NDArray[Any]]:
    """How surely relief still held at the end of follow-up, for each course left censored.

    The diary days of the last ``return_confirm_days`` days of follow-up (after the onset;
    days marked as a flare carry no measurement) are averaged, and ``held_probability`` is
    the probability that their level lies more than 10 % below baseline (the patient's entry
    noise and the baseline's uncertainty, as :func:`z_of_return`). Below
    ``onset_probability`` the diary cannot say that relief outlasted follow-up: it may have
    ended in those days, unseen by the end tests (which need a return on several days), and
    the cohort's Kaplan-Meier range counts such a course both ways. NaN: no relief, relief
    that ended, or no diary day in those days. ``back``: the 10 % level and its variance.
    """
    held = np.full(res["relief"].size, np.nan)
    open_ = np.flatnonzero(res["relief"] & ~res["event"])
    span = rule.return_confirm_days
    if open_.size and span > 0:
        limit = res["limit"][open_]
        days = limit[None, :] - span + 1 + np.arange(span)[:, None]
        weight, total, _ = daily.gather(days, open_, days > res["onset"][open_][None, :])
        w, s = weight.sum(axis=0), total.sum(axis=0)
        z = z_of_return(s, w, back[0][open_], back[1][open_], noise_var[open_])
        held[open_] = np.where(w > 0, ndtr(-np.nan_to_num(z, nan=0.0)), np.nan)
    return {**res, "held_probability": held}


def _grid_days(matrix_start: dt.date, dates: pl.Series) -> IntArray:
    days = dates.cast(pl.Date).to_physical().to_numpy().astype(np.int64)
    return days - (matrix_start - EPOCH).days


def _last_true(mask: npt.NDArray[np.bool_]) -> IntArray:
    rev = first_true(mask[::-1])
    return np.where(rev >= 0, mask.shape[0] - 1 - rev, -1).astype(np.int64)


@dataclass(frozen=True)
class LatentCohort:
    """Everything rule 2.0 needs for a set of patients, on one ``days x patients`` grid."""

    matrix: DailyMatrix
    mean: FloatArray
    var: FloatArray
    noise_var: FloatArray
    baseline: FloatArray
    baseline_var: FloatArray
    first_infusion_day: IntArray
    last_diary_day: IntArray


def latent_cohort(
    diary: pl.DataFrame,
    sessions: pl.DataFrame,
    baselines: pl.DataFrame,
    rule: LatentReliefRule,
    *,
    baseline_window_days: int = 7,
    matrix: DailyMatrix | None = None,
    noise_var: FloatArray | None = None,
) -> tuple[LatentCohort, pl.DataFrame]:
    """Smooth the diaries of every patient with an ``ok`` baseline and a session.

    Returns the arrays and the course table (``schedule.course_table`` joined with baselines)
    restricted to those patients, in patient order, the order of the matrix columns.
    ``matrix``: the daily matrix of the whole diary when the caller has built it already (the
    cohort summary); the grid used is then the very grid the diary of those patients would
    give. When that grid is the whole matrix's, the matrix is used as it is, without copying
    the columns of those patients out of it: the other patients' columns are left out of the
    smoothing (their level is NaN and their baseline NaN), so the arrays of the result are
    indexed by the whole matrix's columns. ``noise_var``: with ``matrix``, the noise
    variance of each of its columns (``latent.noise_variance`` with ``rule.model``'s noise
    settings, first session days) when the caller has it already; the grid cut for ``ids``
    holds every diary day they have before their first session, so their estimate is the
    same there (``tests/outcomes/test_dense.py``).
    """
    courses = course_table(sessions).join(
        baselines.filter(pl.col("baseline_status") == BASELINE_OK).select(
            "patient_id", "baseline_pain"
        ),
        on="patient_id",
        how="inner",
    )
    courses = courses.with_columns(pl.col("patient_id").cast(pl.String)).sort(
        "patient_id", "course"
    )
    ids = courses["patient_id"].unique(maintain_order=True).to_list()
    mine = pl.col("patient_id").cast(pl.String).is_in(ids)
    ses = sessions.filter(mine)
    first_date: dt.date | None = ses["local_date"].min() if ses.height else None  # type: ignore[assignment]
    last_date: dt.date | None = ses["local_date"].max() if ses.height else None  # type: ignore[assignment]
    columns: IntArray | None = None  # the matrix columns of ``ids`` (None: all, in order)
    if matrix is not None and ids and first_date is not None and last_date is not None:
        full_ids = matrix.patient_ids
        matrix, columns = _cohort_grid(matrix, ids, first_date, last_date)
        if noise_var is not None and columns is None:  # cut: its columns are ``ids``
            noise_var = noise_var[_column_codes(pl.Series(ids, dtype=pl.String), full_ids)]
    else:
        noise_var = None
        diary = diary.filter(mine) if diary["patient_id"].n_unique() != len(ids) else diary
        matrix = daily_matrix(diary, ids, first_date=first_date, last_date=last_date)
    n = matrix.pain.shape[1]
    s_cols = _column_codes(ses["patient_id"], matrix.patient_ids).astype(np.int64)
    s_days = _grid_days(matrix.start_date, ses["local_date"])
    # patient-major like the matrix (the kernel reads it so, without a transposed copy)
    session_days = np.zeros(matrix.pain.shape[::-1], dtype=bool).T
    session_days[s_days, s_cols] = True
    first_day = np.full(n, matrix.n_days, dtype=np.int64)
    np.minimum.at(first_day, s_cols, s_days)
    mean, var, noise_var = latent_level(
        matrix, first_day, session_days, rule.model, columns=columns, noise_var=noise_var
    )
    first_rows = courses.filter(pl.col("course") == 1)
    baseline = np.full(n, np.nan)
    baseline[slice(None) if columns is None else columns] = (
        first_rows["baseline_pain"].to_numpy().astype(np.float64)
    )
    # entries in the baseline window: a gather of its days per patient, not a pass over
    # every day of every patient
    day = first_day[None, :] - np.arange(1, baseline_window_days + 1)[:, None]
    inside = (day >= 0) & (day < matrix.n_days)
    counts = matrix.n_entries[np.clip(day, 0, matrix.n_days - 1), np.arange(n)[None, :]]
    n_base = np.where(inside, counts, 0).sum(axis=0)
    baseline_var = noise_var / np.maximum(n_base, 1)
    last_diary = matrix.written_days[1]
    return (
        LatentCohort(matrix, mean, var, noise_var, baseline, baseline_var, first_day, last_diary),
        courses,
    )


def _patients(a: npt.NDArray[Any], rows: slice, cols: IntArray) -> npt.NDArray[Any]:
    """Columns ``cols`` and days ``rows`` of a ``days x patients`` array, copied in the
    source's memory order (patient-major stays patient-major: row copies, not a gather)."""
    picked: npt.NDArray[Any] = np.asarray(a).T[cols, rows].T
    return picked


def _grid_rows(
    full: DailyMatrix, cols: IntArray, first_date: dt.date, last_date: dt.date
) -> tuple[int, int]:
    """First and last row of ``full`` in the grid of the patients ``cols``: from the earlier
    of their first diary day and ``first_date`` to the later of their last diary day and
    ``last_date`` (the latent level's prior starts on the grid's first day, so a cut must be
    exactly that grid)."""
    offset = (full.start_date - EPOCH).days
    lo = (first_date - EPOCH).days - offset
    hi = (last_date - EPOCH).days - offset
    if lo < 0 or hi >= full.n_days:
        raise ValueError("the full matrix does not cover the sessions")
    if lo == 0 and hi == full.n_days - 1:
        return lo, hi  # the sessions span the whole grid already
    # patient-major counts: one bool row per patient, then the chosen rows (no int copy)
    first, last = (days[cols] for days in full.written_days)
    if bool(np.any(last >= 0)):
        lo, hi = min(lo, int(first[first >= 0].min())), max(hi, int(last.max()))
    return lo, hi


def _cohort_grid(
    full: DailyMatrix, ids: list[str], first_date: dt.date, last_date: dt.date
) -> tuple[DailyMatrix, IntArray | None]:
    """The matrix the latent level of ``ids`` runs on, and their columns in it: ``full``
    itself when their grid is its whole grid (no copy; columns = theirs), else the cut
    :func:`sub_matrix` (columns None: all of it)."""
    cols = _column_codes(pl.Series(ids, dtype=pl.String), full.patient_ids).astype(np.int64)
    lo, hi = _grid_rows(full, cols, first_date, last_date)
    if lo == 0 and hi == full.n_days - 1:
        return full, cols
    return sub_matrix(full, ids, first_date, last_date), None


def sub_matrix(
    full: DailyMatrix, ids: list[str], first_date: dt.date, last_date: dt.date
) -> DailyMatrix:
    """The matrix ``daily_matrix`` gives for the diary of ``ids`` alone, cut from ``full``.

    Its grid runs from the earlier of their first diary day and ``first_date`` to the later of
    their last diary day and ``last_date`` (:func:`_grid_rows`); ``full`` must cover both
    dates.
    """
    cols = _column_codes(pl.Series(ids, dtype=pl.String), full.patient_ids).astype(np.int64)
    lo, hi = _grid_rows(full, cols, first_date, last_date)
    rows = slice(lo, hi + 1)
    return DailyMatrix(
        patient_ids=tuple(ids),
        start_date=full.start_date + dt.timedelta(days=lo),
        # whole patients' rows of patient-major memory (see kernels.daily_arrays), kept so
        pain=_patients(full.pain, rows, cols),
        n_entries=_patients(full.n_entries, rows, cols),
        declared_flare=_patients(full.declared_flare, rows, cols),
        first_entry_s=_patients(full.first_entry_s, rows, cols),
    )


_DATE_COLUMNS: Final = {
    "relief_onset_date": "onset",
    "onset_low_date": "onset_low",
    "onset_high_date": "onset_high",
    "relief_end_date": "end",
    "end_low_date": "end_low",
    "end_high_date": "end_high",
    "follow_up_end_date": "limit",
}


_FEW_ROWS: Final = 64
ColumnSpec = tuple[Any, Any, bool]  # a result column: dtype, values, whether NaN is null


def round_half_even(values: FloatArray, decimals: int) -> FloatArray:
    """polars' ``round(decimals)`` (half to even) on floats, with numpy."""
    out: FloatArray = values.round(decimals)  # np.round without its dispatch wrappers
    return out


def _course_relief(
    relief_of_course: Any,
    lc: LatentCohort,
    cols: IntArray,
    window: CourseWindow,
    rule: LatentReliefRule,
) -> dict[str, npt.NDArray[Any]]:
    """``relief_of_course`` for the patients ``cols`` of ``lc``, in the order of ``cols``.

    Every column's result depends on that column alone, so when the course holds most of the
    matrix's columns it is computed on the whole level arrays (the other columns are made
    not evaluable: no course day, NaN baseline) and the course's columns are picked from the
    result, rather than copying two ``days x patients`` arrays of their columns first."""
    n = lc.mean.shape[1]
    if cols.size == n and bool(np.all(cols == np.arange(n))):
        return relief_of_course(lc.mean, lc.var, lc.baseline, lc.baseline_var, window, rule)  # type: ignore[no-any-return]
    if 2 * cols.size < n:
        return relief_of_course(  # type: ignore[no-any-return]
            lc.mean[:, cols],
            lc.var[:, cols],
            lc.baseline[cols],
            lc.baseline_var[cols],
            window,
            rule,
        )

    def spread(values: IntArray, fill: float) -> npt.NDArray[Any]:
        out = np.full(n, fill, dtype=values.dtype)
        out[cols] = values
        return out

    baseline = np.full(n, np.nan)
    baseline[cols] = lc.baseline[cols]
    whole = CourseWindow(
        spread(window.course_day, -1),
        spread(window.next_course_day, -1),
        spread(window.last_diary_day, -1),
    )
    res = relief_of_course(lc.mean, lc.var, baseline, lc.baseline_var, whole, rule)
    return {k: v[cols] for k, v in res.items()}


def latent_relief_episodes(
    diary: pl.DataFrame,
    sessions: pl.DataFrame,
    baselines: pl.DataFrame,
    rule: LatentReliefRule | None = None,
    *,
    first_course_only: bool = False,
    matrix: DailyMatrix | None = None,
    noise_var: FloatArray | None = None,
) -> pl.DataFrame:
    """Relief per patient and course by rule 2.0 (same columns as rule 1.0, plus intervals).

    Parameters
    ----------
    diary : polars.DataFrame
        Validated raw entries.
    sessions : polars.DataFrame
        Output of :func:`tenderpoint.outcomes.schedule.infusion_courses`.
    baselines : polars.DataFrame
        Output of :func:`tenderpoint.outcomes.baseline.baseline_scores`.
    rule : LatentReliefRule, optional
        Thresholds and probabilities (default: rule 2.4).
    first_course_only : bool
        Compute only the first course (what the cohort summary needs).
    matrix : DailyMatrix, optional
        The daily matrix of the whole diary, when already built (same results, less work).
    noise_var : numpy.ndarray, optional
        With ``matrix``: each of its columns' noise variance under ``rule.model``, from the
        days before the first session, when already estimated (same results, less work).

    Returns
    -------
    polars.DataFrame
        Rule 1.0's columns (``relief``, ``time_to_relief_hours``, ``relief_onset_date``,
        ``durability_days``, ``durability_event``, ``censor_reason``, ``status``...) plus
        ``relief_probability``, ``onset_low_date``, ``onset_high_date``, ``relief_end_date``,
        ``end_low_date``, ``end_high_date``, ``durability_low_days``, ``durability_high_days``
        (inf: open), ``relief_held_probability`` (censored courses: how surely relief still
        held over the last days of follow-up, :func:`relief_held_at_follow_up_end`),
        ``follow_up_end_date``, ``noise_sd_points`` and ``rule_version``.
    """
    rule = rule or LatentReliefRule()
    lc, courses = latent_cohort(
        diary, sessions, baselines, rule, matrix=matrix, noise_var=noise_var
    )
    start = lc.matrix.start_date
    ids = list(lc.matrix.patient_ids)
    col_of = {pid: i for i, pid in enumerate(ids)}
    # the same numbers either way; small cohorts spare the process numba (see latent.py)
    relief_of_course = (
        relief_from_level if len(ids) >= COMPILED_FROM_PATIENTS else relief_from_level_reference
    )
    parts = []
    max_course = 1 if first_course_only else int(courses["course"].max() or 0)  # type: ignore[arg-type]
    for k in range(1, max_course + 1):
        rows = courses.filter(pl.col("course") == k)
        if rows.height == 0:
            continue
        cols = np.array([col_of[p] for p in rows["patient_id"].to_list()], dtype=np.int64)
        c_day = _grid_days(start, rows["course_date"])
        nxt = rows["next_course_date"]
        next_day = np.where(nxt.is_null().to_numpy(), -1, _grid_days(start, nxt.fill_null(start)))
        window = CourseWindow(c_day, next_day.astype(np.int64), lc.last_diary_day[cols])
        res = _course_relief(relief_of_course, lc, cols, window, rule)
        parts.append((rows, _returns(res, lc, cols, rule), cols, c_day))
    if not parts:
        return _empty_relief_frame()
    # one frame for every course at once (the per-course frames cost more than the numbers)
    every_res = {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}
    frame = _course_frame(
        pl.concat([p[0] for p in parts], how="vertical"),
        every_res,
        lc,
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]),
        rule,
    )
    return frame.sort("patient_id", "course")


def _course_frame(
    rows: pl.DataFrame | dict[str, pl.Series | ColumnSpec],
    res: dict[str, npt.NDArray[Any]],
    lc: LatentCohort,
    cols: IntArray,
    c_day: IntArray,
    rule: LatentReliefRule,
) -> pl.DataFrame:
    """The courses' results as the documented frame (built from numpy columns: no polars
    expression per column; ``rows``' course columns may be given as column specs, with
    ``course_start`` in microseconds since 1970)."""
    offset = (lc.matrix.start_date - EPOCH).days
    relief = res["relief"]
    onset = res["onset"]
    first_s = lc.matrix.first_entry_s[np.maximum(onset, 0), cols]
    start = rows["course_start"]
    start_us = start[1] if isinstance(start, tuple) else _course_start_us(start)
    course_s = start_us.astype(np.float64) / 1e6
    whole_days = (onset - c_day) * 24.0
    hours = np.where(np.isfinite(first_s), (first_s - course_s) / 3600.0, whole_days)
    censor_days = np.minimum(c_day + rule.horizon_days, res["limit"] + 1) - c_day
    has_data = res["limit"] >= c_day
    ttr = np.where(relief, np.maximum(hours, 0.0), np.where(has_data, censor_days * 24.0, np.nan))
    # the text and nullable columns as lists straight away (string and object arrays only
    # to be turned into lists cost more than the few rows of one patient)
    relief_l, event_l = relief.tolist(), res["event"].tolist()
    reason = [
        ("next_infusion" if nxt else "last_entry") if r and not e else None
        for r, e, nxt in zip(relief_l, event_l, res["reached_next"].tolist(), strict=True)
    ]
    status = [
        "ok" if r else ("no_relief" if h else "insufficient_data")
        for r, h in zip(relief_l, has_data.tolist(), strict=True)
    ]
    event = [e if r else None for r, e in zip(relief_l, event_l, strict=True)]
    k = relief.size
    dates = {name: _grid_dates(res[grid], offset) for name, grid in _DATE_COLUMNS.items()}
    # (dtype, values, NaN read as null) per column; the first five are the caller's series
    spec: dict[str, pl.Series | ColumnSpec] = {
        **{c: rows[c] for c in ("patient_id", "course", "course_date", "course_size")},
        "baseline_pain": rows["baseline_pain"],
        "relief": (pl.Boolean, relief, False),
        "time_to_relief_hours": (pl.Float64, ttr, True),
        "relief_resolution": (pl.String, ["daily"] * k, False),
        "relief_onset_date": dates["relief_onset_date"],
        "durability_days": (pl.Float64, res["durability"], True),
        "durability_event": (pl.Boolean, event, False),
        "censor_reason": (pl.String, reason, False),
        "status": (pl.String, status, False),
        "relief_probability": (
            pl.Float64,
            round_half_even(res["relief_probability"].astype(np.float64), 4),
            False,
        ),
        **{c: dates[c] for c in ("onset_low_date", "onset_high_date", "relief_end_date")},
        **{c: dates[c] for c in ("end_low_date", "end_high_date")},
        "durability_low_days": (pl.Float64, res["durability_low"], True),
        "durability_high_days": (pl.Float64, res["durability_high"], True),
        "relief_held_probability": (
            pl.Float64,
            round_half_even(res["held_probability"], 4),
            True,
        ),
        "follow_up_end_date": dates["follow_up_end_date"],
        "noise_sd_points": (
            pl.Float64,
            round_half_even(np.sqrt(lc.noise_var[cols]), 3),
            False,
        ),
        "rule_version": (pl.String, [rule.version] * k, False),
    }
    return _columns_frame(spec, k)


def _grid_dates(days: IntArray, offset: int) -> ColumnSpec:
    """Grid days (-1: none) as a Date column's spec, ``offset`` days since 1970 being grid
    day 0: days since 1970 with None for none (few rows) or masked (more)."""
    if days.size <= _FEW_ROWS:
        return pl.Date, [None if d < 0 else d + offset for d in days.tolist()], False
    return pl.Date, np.ma.masked_array((days + offset).astype(np.int32), mask=days < 0), False


def _columns_frame(spec: dict[str, pl.Series | ColumnSpec], k: int) -> pl.DataFrame:
    """The frame of ``spec``'s columns: a few rows (one patient) through the typed column
    constructors of ``_frames.frame_from_columns`` (a public series per column costs more
    than the numbers), more from a series per column."""
    if k <= _FEW_ROWS:
        from tenderpoint.outcomes._frames import frame_from_columns

        listed: list[Any] = []
        schema = {}
        for name, col in spec.items():
            if isinstance(col, pl.Series):
                listed.append(col.to_list())
                schema[name] = col.dtype
                continue
            dtype, values, nulls = col
            if nulls and isinstance(values, np.ndarray) and dtype == pl.Float64:
                listed.append(values)  # (a float array's NaN are read as null)
            else:
                plain = values.tolist() if isinstance(values, np.ndarray) else values
                listed.append([None if v != v else v for v in plain] if nulls else plain)
            schema[name] = dtype
        return frame_from_columns(listed, schema)
    return pl.DataFrame(
        [col if isinstance(col, pl.Series) else _series(name, col) for name, col in spec.items()]
    )


def _series(name: str, col: ColumnSpec) -> pl.Series:
    """One column of a :func:`_columns_frame` spec as a series (a Date from days since
    1970)."""
    dtype, values, nulls = col
    if dtype == pl.Date:
        return pl.Series(name, values, dtype=pl.Int32).cast(pl.Date)
    return pl.Series(name, values, dtype=dtype, nan_to_null=nulls)


def _date_column(name: str, days: IntArray, offset: int) -> pl.Series:
    """Grid days (-1: none) as a Date series, ``offset`` days since 1970 being grid day 0."""
    return _series(name, _grid_dates(days, offset))


def _course_start_us(course_start: pl.Series) -> IntArray:
    """Course start times as microseconds since 1970 (UTC; a microsecond column without
    nulls read through numpy: ``Series.to_physical`` goes through a query)."""
    dtype = course_start.dtype
    if isinstance(dtype, pl.Datetime) and dtype.time_unit == "us" and not course_start.null_count():
        us: IntArray = course_start.to_numpy().astype(np.int64)
    else:
        us = course_start.dt.epoch("us").to_numpy()
    return us


def _empty_relief_frame() -> pl.DataFrame:
    """The relief frame without a row (its columns built as those of a patient's frame:
    ``pl.DataFrame(schema=...)`` costs about a millisecond)."""
    from tenderpoint.outcomes._frames import frame_from_columns

    return frame_from_columns([[] for _ in _RELIEF_SCHEMA], _RELIEF_SCHEMA)


_RELIEF_SCHEMA: Final = {
    "patient_id": pl.String,
    "course": pl.Int64,
    "course_date": pl.Date,
    "course_size": pl.Int64,
    "baseline_pain": pl.Float64,
    "relief": pl.Boolean,
    "time_to_relief_hours": pl.Float64,
    "relief_resolution": pl.String,
    "relief_onset_date": pl.Date,
    "durability_days": pl.Float64,
    "durability_event": pl.Boolean,
    "censor_reason": pl.String,
    "status": pl.String,
    "relief_probability": pl.Float64,
    "onset_low_date": pl.Date,
    "onset_high_date": pl.Date,
    "relief_end_date": pl.Date,
    "end_low_date": pl.Date,
    "end_high_date": pl.Date,
    "durability_low_days": pl.Float64,
    "durability_high_days": pl.Float64,
    "relief_held_probability": pl.Float64,
    "follow_up_end_date": pl.Date,
    "noise_sd_points": pl.Float64,
    "rule_version": pl.String,
}
