"""One patient's analysis on numpy arrays: the path ``analyse_patient`` takes (issue 14 speed).

The frame path (``patient.analyse_frames``) answers each question with its own polars
pipeline: about two hundred ``collect()`` calls and the latent level computed three times for
one two-year diary (about 100 ms). Here the patient's rows are validated and read once
(``patient_rows.py``), the daily values, sessions and courses are built once as arrays, the
latent level is computed once (the compiled kernels of ``kernels.py``, bit-identical to the
numpy reference) and handed to relief, flares and the forecast; polars only assembles the
result frames at the end. The answers are the frame path's, bit for bit: the same rules, the
same arithmetic in the same order (``tests/outcomes/test_single.py`` compares the two on many
generated diaries and edge cases). Rules 1.0 (``ReliefRule``, ``FlareRule``) take the frame
path.

One case computes a second level: the forecast measures relief "as of" its reference day, on
the diary up to that day; when that grid differs from the whole diary's (``today`` set before
the diary's end, or no diary day after the last course), its level is computed on that grid,
as the frame path does.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from tenderpoint.clinical.responder import IMMPACT_BELOW_FLOORS, IMMPACT_FLOORS_PCT
from tenderpoint.outcomes._frames import frame_from_columns, frame_from_rows
from tenderpoint.outcomes.baseline import (
    BASELINE_INSUFFICIENT,
    BASELINE_NO_INFUSION,
    BASELINE_OK,
    SECONDARY_SCORES,
    BaselineRule,
)
from tenderpoint.outcomes.contracts import SCORE_COLUMNS
from tenderpoint.outcomes.flares import FlareStateRule, SustainedFlareRule, change_points_of
from tenderpoint.outcomes.forecast import (
    BoosterForecast,
    ForecastSettings,
    context_of,
    current_relief_at,
    empty_forecast,
    forecast_from_context,
    pain_free_forecast,
)
from tenderpoint.outcomes.latent import (
    DEFAULT_LATENT_MODEL,
    EPOCH,
    DailyMatrix,
    LatentLevelModel,
    latent_level,
    noise_variance_one,
    same_noise_settings,
)
from tenderpoint.outcomes.patient import DETECTED_SCHEMA
from tenderpoint.outcomes.patient_rows import (
    US_PER_DAY,
    BoolArray,
    DiaryRows,
    FloatArray,
    IntArray,
    PatientRows,
    physical,
)
from tenderpoint.outcomes.relief import (
    ColumnSpec,
    CourseWindow,
    LatentCohort,
    LatentReliefRule,
    _course_frame,
    _empty_relief_frame,
    _returns,
    relief_from_level,
)
from tenderpoint.outcomes.response import (
    DEFAULT_WINDOWS,
    EVIDENCE_COLUMNS,
    NOISE_WINDOW_DAYS,
    NOT_COMPUTABLE,
    RESPONSE_ITEMS,
    FollowUpWindow,
    pre_infusion_noise_var,
    responder_evidence,
)
from tenderpoint.outcomes.schedule import DEFAULT_COURSE_GAP_DAYS

_EPOCH_UTC: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_BASELINE_WINDOW_FOR_VARIANCE: Final = 7  # relief.latent_cohort's baseline_window_days


def _date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)


@dataclass(frozen=True)
class DailyArrays:
    """``contracts.daily_values`` of one patient (mean rule): sorted local days (since 1970),
    each score's daily mean (NaN: none), the declared-flare mark, entries per day, the UTC
    time (s) of each day's first entry, and the daily mean pain summed in plain entry order
    (``latent.daily_matrix``'s, which relief reads; it differs from the compensated mean only
    in the last bits of a day with three or more entries)."""

    day: IntArray
    scores: dict[str, FloatArray]
    flare: BoolArray
    n_entries: IntArray
    first_s: FloatArray
    pain_in_order: FloatArray
    hashed: bool = False

    @property
    def pain(self) -> FloatArray:
        """Daily mean pain."""
        return self.scores["pain"]

    @cached_property
    def day_list(self) -> list[int]:
        """The days as Python integers (window bounds are found by bisection)."""
        days: list[int] = self.day.tolist()
        return days

    @cached_property
    def score_rows(self) -> tuple[dict[str, int], FloatArray]:
        """The scores' daily means as one table (a row per score, a column per day) and
        each score's row: a window's values of every score are one slice of it, read into
        Python floats at once (windows are summed in Python; the days outside every window
        are never converted)."""
        names = list(self.scores)
        table = np.stack([self.scores[name] for name in names]) if names else np.empty((0, 0))
        return {name: i for i, name in enumerate(names)}, table

    def with_pain(self, pain: FloatArray) -> DailyArrays:
        """The same days with another daily pain."""
        return replace(self, scores={**self.scores, "pain": pain})

    def up_to(self, day: int) -> DailyArrays:
        """The days on or before ``day``."""
        keep = self.day <= day
        return DailyArrays(
            self.day[keep],
            {k: v[keep] for k, v in self.scores.items()},
            self.flare[keep],
            self.n_entries[keep],
            self.first_s[keep],
            self.pain_in_order[keep],
            self.hashed,
        )


def kahan_sum(values: FloatArray | list[float]) -> float:
    """Sum with Kahan's compensation, as polars sums the floats of a group it has hashed
    (``group_by(...).agg(mean)`` is this sum over the count; checked on random thirds)."""
    total, carry = 0.0, 0.0
    for v in values.tolist() if isinstance(values, np.ndarray) else values:
        y = v - carry
        t = total + y
        carry = (t - total) - y
        total = t
    return total


def _group_means(inverse: IntArray, values: FloatArray, n: int, compensated: bool) -> FloatArray:
    """Mean of each group's non-missing values in row order: plain sums (``bincount``) or,
    with ``compensated``, Kahan's compensated sums vectorised over groups (step ``r`` adds
    every group's ``r``-th value)."""
    has = ~np.isnan(values)
    group, vals = inverse[has], values[has]
    count = np.bincount(group, minlength=n)
    total: FloatArray = np.zeros(n)
    if not compensated:
        total = np.bincount(group, weights=vals, minlength=n).astype(np.float64)
    else:
        order = np.argsort(group, kind="stable")
        group, vals = group[order], vals[order]
        starts = np.concatenate([[0], np.cumsum(count)[:-1]])
        rank = np.arange(group.size) - starts[group]
        carry = np.zeros(n)
        for r in range(int(count.max()) if count.size else 0):
            at = rank == r
            g, v = group[at], vals[at]
            y = v - carry[g]
            t = total[g] + y
            carry[g] = (t - total[g]) - y
            total[g] = t
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out


def _plain_means(
    inverse: IntArray, scores: dict[str, FloatArray], n: int, table: FloatArray | None = None
) -> dict[str, FloatArray]:
    """:func:`_group_means` (plain sums) of every score in one compiled pass
    (``kernels.day_means``: each day's values added in row order from zero, as
    ``bincount`` adds them, so the same bits); ``table``: the scores stacked in
    ``SCORE_COLUMNS`` order, when they are already."""
    from tenderpoint.outcomes.kernels import day_means

    if table is None:
        table = np.stack([scores[name] for name in SCORE_COLUMNS])
    means = day_means(inverse, table, n)
    return {name: means[i] for i, name in enumerate(SCORE_COLUMNS)}


def _sorted_groups(local_day: IntArray) -> tuple[IntArray, IntArray, IntArray] | None:
    """``np.unique(local_day, return_index=True, return_inverse=True)`` of days in
    non-decreasing order, without its sort: each new day's first row and a running day
    number (None: the days step back somewhere)."""
    step = local_day[1:] - local_day[:-1]
    if bool((step < 0).any()):
        return None
    new = np.empty(local_day.size, dtype=bool)
    new[:1] = True
    np.not_equal(step, 0, out=new[1:])
    first = np.flatnonzero(new)
    inverse = np.cumsum(new) - 1
    return local_day[first], first, inverse


def daily_arrays(diary: DiaryRows) -> DailyArrays:
    """The daily values of the patient's entries (``contracts.daily_values``: a diary whose
    local dates run in time order is summed day by day in entry order; one whose dates step
    back - a westward time-zone change - goes through polars' grouped mean, which sums with
    Kahan's compensation)."""
    groups = _sorted_groups(diary.local_day)
    compensated = groups is None
    if groups is None:
        day, first, inverse = np.unique(diary.local_day, return_index=True, return_inverse=True)
    else:
        day, first, inverse = groups
    n = day.size
    if compensated:
        scores = {
            name: _group_means(inverse, diary.scores[name], n, compensated)
            for name in SCORE_COLUMNS
        }
    else:
        scores = _plain_means(inverse, diary.scores, n, diary.score_table)
    count = np.bincount(inverse, minlength=n)
    # summed in entry order: the pain means themselves unless they were compensated
    in_order = (
        _group_means(inverse, diary.scores["pain"], n, compensated=False)
        if compensated
        else scores["pain"]
    )
    seconds = diary.recorded_us.astype(np.float64) / 1e6
    return DailyArrays(
        day=day.astype(np.int64),
        scores=scores,
        flare=np.bincount(inverse[diary.flare], minlength=n) > 0,
        n_entries=count.astype(np.int64),
        first_s=seconds[first],
        pain_in_order=in_order,
        hashed=compensated,
    )


@dataclass(frozen=True)
class Courses:
    """``schedule.infusion_courses`` of one patient: each session's local day and course
    (1-based), and per course its first session's start (UTC us), local day and size."""

    session_day: IntArray
    session_course: IntArray
    start_us: IntArray
    course_start_us: IntArray
    course_day: IntArray
    course_size: IntArray

    @property
    def first_day(self) -> int | None:
        """Local day of the first session (None: no session)."""
        return int(self.session_day.min()) if self.session_day.size else None

    @property
    def induction_end_day(self) -> int | None:
        """Local day of the last session of the first course."""
        first = self.session_day[self.session_course == 1]
        return int(first.max()) if first.size else None


def courses_of(rows: PatientRows, gap_days: int = DEFAULT_COURSE_GAP_DAYS) -> Courses:
    """Local dates in the patient's time zone and courses (gaps over ``gap_days``), followed
    in Python integers (a patient has a few dozen sessions: a dozen numpy calls on arrays
    that small cost more than the loop)."""
    start = rows.start_us
    starts: list[int] = start.tolist()
    if rows.timezone == "UTC":
        local = [us // US_PER_DAY for us in starts]  # floor, as np.floor_divide
    else:
        zone = ZoneInfo(rows.timezone)
        local = [
            ((_EPOCH_UTC + dt.timedelta(microseconds=us)).astimezone(zone).date() - EPOCH).days
            for us in starts
        ]
    course: list[int] = []
    heads: list[int] = []
    course_day: list[int] = []
    for i, day in enumerate(local):
        if not i or day - local[i - 1] > gap_days:
            heads.append(i)
            course_day.append(day)
        elif day < course_day[-1]:  # (sessions are in time order; local days may step back)
            course_day[-1] = day
        course.append(len(heads))
    ends = [*heads[1:], len(local)] if heads else []
    sizes = [b - a for a, b in zip(heads, ends, strict=True)]
    return Courses(
        session_day=np.array(local, dtype=np.int64),
        session_course=np.array(course, dtype=np.int64),
        start_us=start,
        course_start_us=start[heads],
        course_day=np.array(course_day, dtype=np.int64),
        course_size=np.array(sizes, dtype=np.int64),
    )


# ---------------------------------------------------------------- baseline and windows


@dataclass(frozen=True)
class Baseline:
    """The baseline row: status, days and the mean of each score (NaN unless ``ok``)."""

    status: str | None  # None: the patient has neither a diary day nor a session
    days: int
    values: dict[str, float]


def plain_sum(values: FloatArray | list[float]) -> float:
    """Sum in order without compensation."""
    total = 0.0
    for v in values.tolist() if isinstance(values, np.ndarray) else values:
        total = total + v
    return total


def _span_means(
    daily: DailyArrays, first_day: int, last_day: int, names: tuple[str, ...]
) -> tuple[int, dict[str, float]]:
    """Days with pain between ``first_day`` and ``last_day`` (inclusive) and the mean of each
    score over them (NaN: no value), summed as polars sums the frame path's grouped window:
    with Kahan's compensation, except after the hashed daily path, whose output carries a
    sorted patient key, so that polars then sums each patient's slice in plain order (both
    checked in ``test_single.py``). The days are sorted, so a window is one slice. One
    window (the baseline) is summed here in Python; several (the responses) by
    :func:`_windows_means`, compiled, the same operations."""
    lo = bisect_left(daily.day_list, first_day)
    hi = bisect_right(daily.day_list, last_day)
    plain = daily.hashed
    row, table = daily.score_rows
    window: list[list[float]] = table[:, lo:hi].tolist()
    means, n_days = {}, 0
    for name in names:
        values = [v for v in window[row[name]] if v == v]  # v != v: NaN
        # plain_sum / kahan_sum inlined (the same operations; a call per score and window
        # cost more than the week's few additions)
        total, carry = 0.0, 0.0
        if plain:
            for v in values:
                total = total + v
        else:
            for v in values:
                y = v - carry
                t = total + y
                carry = (t - total) - y
                total = t
        means[name] = total / len(values) if values else float("nan")
        if name == "pain":
            n_days = len(values)
    if "pain" not in names:
        n_days = sum(1 for v in window[row["pain"]] if v == v)
    return n_days, means


def _windows_table(
    daily: DailyArrays, spans: list[tuple[int, int]], names: tuple[str, ...]
) -> tuple[list[int], FloatArray]:
    """For each span ``(first_day, last_day)`` (inclusive): the days with pain in it, and the
    mean of each score over them (NaN: no value) as a names x spans table, summed as
    :func:`_span_means` sums one window (Kahan's compensation, or plain order after the
    hashed daily path; ``test_single.py`` compares), every score and window in one compiled
    call (``kernels.window_means``: the same operations in the same order)."""
    from tenderpoint.outcomes.kernels import window_means

    row, table = daily.score_rows
    wanted = [row[name] for name in names]
    pain_at = names.index("pain") if "pain" in names else len(wanted)
    if pain_at == len(wanted):
        wanted.append(row["pain"])
    firsts = np.array([s[0] for s in spans], dtype=np.int64)
    lasts = np.array([s[1] for s in spans], dtype=np.int64)
    lo = np.searchsorted(daily.day, firsts, side="left")  # bisect_left of each first day
    hi = np.searchsorted(daily.day, lasts, side="right")  # bisect_right of each last day
    means, counts = window_means(
        table, np.array(wanted, dtype=np.int64), lo, hi, compensated=not daily.hashed
    )
    n_days: list[int] = counts[pain_at].tolist()
    return n_days, means[: len(names)]


def baseline_of(daily: DailyArrays, courses: Courses, rule: BaselineRule) -> Baseline:
    """``baseline.baseline_scores`` of one patient."""
    first = courses.first_day
    if first is None:
        status = BASELINE_NO_INFUSION if daily.day.size else None
        return Baseline(status, 0, {})
    n_days, means = _span_means(
        daily, first - rule.window_days, first - 1, ("pain", *SECONDARY_SCORES)
    )
    if n_days < rule.min_days:
        return Baseline(BASELINE_INSUFFICIENT, n_days, {})
    return Baseline(BASELINE_OK, n_days, means)


def baseline_frame(patient_id: str, baseline: Baseline, courses: Courses) -> pl.DataFrame:
    """The documented baseline frame (no row when there is neither diary nor session)."""
    if baseline.status is None:
        return _frame(BASELINE_SCHEMA, {name: [] for name in BASELINE_SCHEMA})
    nan = float("nan")
    values = {
        f"baseline_{s}": np.array([baseline.values.get(s, nan)], dtype=np.float64)
        for s in ("pain", *SECONDARY_SCORES)
    }
    return _frame(
        BASELINE_SCHEMA,
        {
            "patient_id": [patient_id],
            "first_infusion_date": [courses.first_day],
            "induction_end_date": [courses.induction_end_day],
            "baseline_days": [baseline.days],
            **values,
            "baseline_status": [baseline.status],
        },
    )


BASELINE_SCHEMA: Final = {
    "patient_id": pl.String,
    "first_infusion_date": pl.Date,
    "induction_end_date": pl.Date,
    "baseline_days": pl.Int64,
    "baseline_pain": pl.Float64,
    **{f"baseline_{s}": pl.Float64 for s in SECONDARY_SCORES},
    "baseline_status": pl.String,
}

RESPONSE_SCHEMA: Final = {
    "patient_id": pl.String,
    "window": pl.String,
    "window_anchor": pl.String,
    "window_kind": pl.String,
    "window_start_day": pl.Int64,
    "window_end_day": pl.Int64,
    "first_infusion_date": pl.Date,
    "induction_end_date": pl.Date,
    "n_days": pl.Int64,
    "baseline_pain": pl.Float64,
    "pain": pl.Float64,
    **{f"pct_reduction_{s}": pl.Float64 for s in RESPONSE_ITEMS},
    "immpact": pl.String,
    "status": pl.String,
    **dict.fromkeys(EVIDENCE_COLUMNS, pl.Float64),
}


def _window_spans(
    windows: tuple[FollowUpWindow, ...], first: int, induction_end: int
) -> tuple[list[tuple[int, int]], list[str]]:
    """Each window's first and last day and its kind (acute or post-induction)."""
    spans = [
        (a + w.start_day, a + w.end_day)
        for a, w in ((first if w.anchor == "first_infusion" else induction_end, w) for w in windows)
    ]
    kinds = ["acute" if a <= induction_end else "post_induction" for a, _ in spans]
    return spans, kinds


def round_half_away(values: FloatArray, decimals: int) -> FloatArray:
    """polars' ``round(decimals, mode="half_away_from_zero")`` with numpy: scale, round the
    scaled value half away from zero exactly (its fraction is exact), scale back."""
    scale = 10.0**decimals
    scaled = values * scale
    whole = np.trunc(scaled)
    with np.errstate(invalid="ignore"):
        up = np.abs(scaled - whole) >= 0.5
    out: FloatArray = (whole + np.where(up, np.sign(scaled), 0.0)) / scale
    return out


def _percent_reductions(
    baseline: Baseline, value: FloatArray, ok: BoolArray
) -> dict[str, FloatArray]:
    """``response.percent_reduction`` of each item and window (NaN: null; only where
    ``ok``) from the items x windows table of means: each element computed with the same
    operations as one item at a time."""
    nan = float("nan")
    base = np.array([baseline.values.get(s, nan) for s in RESPONSE_ITEMS], dtype=np.float64)
    base = base[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = (base - value) / base * 100.0
    usable = ok & (base > 0) & ~np.isnan(raw)
    table = np.where(usable, round_half_away(raw, 4), np.nan)
    return {s: table[i] for i, s in enumerate(RESPONSE_ITEMS)}


def _immpact(pct: FloatArray) -> list[str]:
    labels = []
    for v in pct.tolist():
        missing = v != v  # NaN
        label = NOT_COMPUTABLE if missing else IMMPACT_BELOW_FLOORS
        if not missing:
            for floor, name in IMMPACT_FLOORS_PCT:
                if v >= floor:
                    label = name
                    break
        labels.append(label)
    return labels


def responses_frame(
    patient_id: str,
    daily: DailyArrays,
    courses: Courses,
    baseline: Baseline,
    windows: tuple[FollowUpWindow, ...] = DEFAULT_WINDOWS,
    noise_var: float | None = None,
) -> pl.DataFrame:
    """``response.window_responses`` of one patient (no row without an infusion);
    ``noise_var``: :func:`response_noise_var` when the level has it (else computed here)."""
    first, end = courses.first_day, courses.induction_end_day
    if first is None:
        return frame_from_columns([[] for _ in RESPONSE_SCHEMA], RESPONSE_SCHEMA)
    induction_end = end if end is not None else first
    spans, kinds = _window_spans(windows, first, induction_end)
    n_days, means = _windows_table(daily, spans, RESPONSE_ITEMS)
    # the status as Python strings (a string array would be built only to be listed)
    has_baseline = baseline.status == BASELINE_OK
    status = [
        "no_baseline" if not has_baseline else "insufficient_data" if k < w.min_days else "ok"
        for k, w in zip(n_days, windows, strict=True)
    ]
    ok = np.array([s == "ok" for s in status], dtype=bool)
    pct = _percent_reductions(baseline, means, ok)
    n = len(windows)
    base_pain = baseline.values.get("pain") if has_baseline else None
    pain = means[RESPONSE_ITEMS.index("pain")]
    nan = float("nan")
    evidence = responder_evidence(
        np.where(ok, baseline.values.get("pain", nan), nan),
        np.where(ok, float(baseline.days), nan),
        np.where(ok, pain, nan),
        np.where(ok, np.array(n_days, dtype=np.float64), nan),
        np.where(ok, _noise_var(daily, first) if noise_var is None else noise_var, nan),
    )
    return _frame(
        RESPONSE_SCHEMA,
        {
            "patient_id": [patient_id] * n,
            "window": [w.name for w in windows],
            "window_anchor": [w.anchor for w in windows],
            "window_kind": kinds,
            "window_start_day": [w.start_day for w in windows],
            "window_end_day": [w.end_day for w in windows],
            "first_infusion_date": [first] * n,
            "induction_end_date": [None if end is None else end] * n,
            "n_days": n_days,
            "baseline_pain": [base_pain] * n,
            "pain": pain,
            **{f"pct_reduction_{s}": pct[s] for s in RESPONSE_ITEMS},
            "immpact": _immpact(pct["pain"]),
            "status": status,
            **evidence,
        },
    )


def response_noise_var(level: Level, model: LatentLevelModel) -> float | None:
    """The level's noise variance when its model estimates noise as the responses do (the
    default noise settings): ``latent.noise_variance`` of the same pre-infusion days of one
    patient, so the same number, computed once. None: the responses compute their own."""
    return level.noise_var if same_noise_settings(model, DEFAULT_LATENT_MODEL) else None


def _noise_var(daily: DailyArrays, first: int) -> float:
    """``response.pre_infusion_noise_var`` of the patient (first infusion on ``first``)."""
    keep = (daily.day >= first - NOISE_WINDOW_DAYS) & (daily.day < first) & ~np.isnan(daily.pain)
    rows = daily.day[keep] - (first - NOISE_WINDOW_DAYS)
    pain = np.full((NOISE_WINDOW_DAYS, 1), np.nan)
    count = np.zeros((NOISE_WINDOW_DAYS, 1), dtype=np.int64)
    pain[rows, 0] = daily.pain[keep]
    count[rows, 0] = daily.n_entries[keep]
    return float(pre_infusion_noise_var(pain, count)[0])


def _frame(schema: Mapping[str, Any], columns: dict[str, Any]) -> pl.DataFrame:
    """A result frame from its columns, each a list or a numpy array (in an array, float NaN
    is null; a Date column holds days since 1970), in ``schema``'s order, built column by
    column (``_frames.frame_from_columns``)."""
    listed = []
    for name, dtype in schema.items():
        values = columns[name]
        if isinstance(values, np.ndarray) and dtype != pl.Float64:
            values = values.tolist()
        listed.append(values)
    return frame_from_columns(listed, schema)


# ---------------------------------------------------------------- latent level, relief


@dataclass(frozen=True)
class Level:
    """The latent level of one patient on their day grid (``latent.patient_level``)."""

    matrix: DailyMatrix
    session_days: IntArray  # grid days of the sessions
    mean: FloatArray
    var: FloatArray
    noise_var: float

    @property
    def start(self) -> dt.date:
        """The grid's first date."""
        return self.matrix.start_date

    @cached_property
    def declared(self) -> BoolArray:
        """Declared-flare marks on the grid."""
        marks: BoolArray = self.matrix.declared_flare[:, 0]
        return marks


def level_of(
    daily: DailyArrays, session_day: IntArray, model: LatentLevelModel, last_day: int | None = None
) -> Level:
    """The latent level on the grid from the first diary day or session to the last one (or
    ``last_day``), computed by the compiled kernel."""
    marks = [*session_day.tolist(), *([] if last_day is None else [last_day])]
    days = daily.day.tolist()
    lo = min(days[:1] + marks) if days or marks else 0
    hi = max(days[-1:] + marks) if days or marks else 0
    d = hi - lo + 1
    idx = daily.day - lo
    pain = np.full((d, 1), np.nan)
    count = np.zeros((d, 1), dtype=np.int64)
    flare = np.zeros((d, 1), dtype=bool)
    first_s = np.full((d, 1), np.nan)
    pain[idx, 0] = daily.pain
    count[idx, 0] = daily.n_entries
    flare[idx, 0] = daily.flare
    first_s[idx, 0] = daily.first_s
    matrix = DailyMatrix(("one",), _date(lo), pain, count, flare, first_s)
    grid_sessions = (session_day - lo).astype(np.int64)
    sessions = np.zeros((d, 1), dtype=bool)
    sessions[grid_sessions, 0] = True
    first = int(grid_sessions.min()) if grid_sessions.size else d
    # the noise variance of the one column in Python floats (the same bits, a tenth of the
    # matrix version's cost)
    noise = np.array([noise_variance_one(pain[:, 0], count[:, 0], first, model)])
    first_day = np.array([first], dtype=np.int64)
    mean, var, noise_var = latent_level(
        matrix, first_day, sessions, model, compiled=True, noise_var=noise
    )
    return Level(matrix, grid_sessions, mean[:, 0], var[:, 0], float(noise_var[0]))


def relief_level(daily: DailyArrays, level: Level, model: LatentLevelModel) -> Level:
    """The level relief reads: ``level`` itself unless a day's mean summed in plain entry
    order (``latent.daily_matrix``) differs from the compensated one in its last bits."""
    same = daily.pain is daily.pain_in_order
    if same or np.array_equal(daily.pain, daily.pain_in_order, equal_nan=True):
        return level
    return level_of(daily.with_pain(daily.pain_in_order), level.session_days + _lo(level), model)


def _lo(level: Level) -> int:
    return (level.start - EPOCH).days


def relief_frame(
    patient_id: str,
    level: Level,
    courses: Courses,
    baseline: Baseline,
    rule: LatentReliefRule,
) -> pl.DataFrame:
    """``relief.latent_relief_episodes`` of one patient (every course; onset and end by
    ``relief_from_level``, the compiled scan the cohort path uses, equal to the numpy
    reference the frame path takes for a single patient - ``test_single.py`` compares)."""
    k = courses.course_day.size
    if baseline.status != BASELINE_OK or k == 0:
        return _empty_relief_frame()
    m = level.matrix
    lo = (m.start_date - EPOCH).days
    first_day = int(level.session_days.min())
    # entries on the grid days [first_day - window, first_day): one slice of the column
    base_from = max(first_day - _BASELINE_WINDOW_FOR_VARIANCE, 0)
    n_base = int(m.n_entries[base_from:first_day, 0].sum())
    noise = np.array([level.noise_var])
    written = np.flatnonzero(m.n_entries[:, 0] > 0)
    base_pain = baseline.values["pain"]
    lc = LatentCohort(
        m,
        level.mean[:, None],
        level.var[:, None],
        noise,
        np.array([base_pain]),
        noise / max(n_base, 1),
        np.array([first_day], dtype=np.int64),
        np.array([written[-1] if written.size else -1], dtype=np.int64),
    )
    cols = np.zeros(k, dtype=np.int64)
    c_day = courses.course_day - lo
    next_day = np.full(k, -1, dtype=np.int64)  # -1: no next course (np.append costs more)
    next_day[:-1] = c_day[1:]
    window = CourseWindow(c_day, next_day, lc.last_diary_day[cols])
    res = relief_from_level(
        lc.mean[:, cols], lc.var[:, cols], lc.baseline[cols], lc.baseline_var[cols], window, rule
    )
    # the course columns as column specs (series would be built only to be taken apart)
    rows: dict[str, pl.Series | ColumnSpec] = {
        "patient_id": (pl.String, [patient_id] * k, False),
        "course": (pl.Int64, np.arange(1, k + 1, dtype=np.int64), False),
        "course_start": (pl.Datetime("us", "UTC"), courses.course_start_us, False),
        "course_date": (pl.Date, courses.course_day, False),
        "course_size": (pl.Int64, courses.course_size, False),
        "baseline_pain": (pl.Float64, [base_pain] * k, False),
    }
    return _course_frame(rows, _returns(res, lc, cols, rule), lc, cols, c_day, rule)


# ---------------------------------------------------------------- flares and remissions


_DECLARED_RULE: Final = "declared by the patient"
_FLARE_SCHEMA: Final = {**DETECTED_SCHEMA, "source": pl.String, "rule": pl.String}
"""The flare frame's columns: ``patient.DETECTED_SCHEMA`` with the source and the rule."""


def _runs(days: list[int], flag: BoolArray) -> list[tuple[int, int]]:
    """First and last index of each run of flagged rows on consecutive calendar days (the
    flagged rows are few: followed in Python)."""
    runs: list[list[int]] = []
    for i in np.flatnonzero(flag).tolist():
        if runs and runs[-1][1] == i - 1 and days[i] - days[i - 1] == 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(a, b) for a, b in runs]


def _peaks(values: FloatArray, spans: list[tuple[int, int]], top: np.ufunc) -> list[float]:
    """The highest value of each span ``[a, b]`` of ``values``: ``np.maximum`` (NaN wins, as
    ``np.max``) or ``np.fmax`` (NaN skipped, as ``np.nanmax`` on a span with a value),
    reduced over every span at once (a maximum does not depend on the order); the entries
    between spans are reduced too and dropped."""
    if not spans:
        return []
    bounds = np.array(spans, dtype=np.intp)
    bounds[:, 1] += 1
    padded = np.append(values, np.nan)  # a span may end on the last value
    peaks: list[float] = top.reduceat(padded, bounds.ravel())[::2].tolist()
    return peaks


def flares_frame(
    patient_id: str,
    daily: DailyArrays,
    level: Level,
    rule: SustainedFlareRule | FlareStateRule,
    model: LatentLevelModel,
) -> pl.DataFrame:
    """``patient.patient_flares`` of one patient: declared runs and detected episodes."""
    return flares_from_rows(flare_rows(patient_id, daily, level, rule, model))


def flares_from_rows(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """The flare frame of :func:`flare_rows`."""
    return frame_from_rows(rows, _FLARE_SCHEMA)


def flare_rows(
    patient_id: str,
    daily: DailyArrays,
    level: Level,
    rule: SustainedFlareRule | FlareStateRule,
    model: LatentLevelModel,
) -> list[tuple[Any, ...]]:
    """The rows of :func:`flares_frame` (``_FLARE_SCHEMA``'s columns; first and last day as
    days since 1970), which the remissions read too."""
    from tenderpoint.outcomes.patient import LevelGrid, detected_runs

    m = level.matrix
    grid = LevelGrid(m.pain[:, 0], m.n_entries[:, 0], level.declared, level.session_days)
    runs = detected_runs(grid, (level.mean, level.var, level.noise_var), rule, model, compiled=True)
    lo = (level.start - EPOCH).days
    days = daily.day_list
    declared = _runs(days, daily.flare)
    # the frame's rows in schema order (DETECTED_SCHEMA, then source and rule), detected
    # values rounded as in patient.detected_frame, sorted as the frame path by start and
    # source (stable: declared before detected on a tie, as there)
    found: list[tuple[Any, ...]] = [
        (
            patient_id,
            days[a],
            days[b],
            peak,
            days[b] - days[a] + 1,
            None,
            None,
            None,
            "declared",
            _DECLARED_RULE,
        )
        for (a, b), peak in zip(declared, _peaks(daily.pain, declared, np.maximum), strict=True)
    ]
    spans = [(r[0], r[1]) for r in runs]
    found += [
        (
            patient_id,
            lo + r[0],
            lo + r[1],
            peak,
            r[1] - r[0] + 1,
            round(r[2], 2),
            round(r[3], 2),
            None if r[4] is None else round(r[4], 3),
            "detected",
            rule.version,
        )
        for r, peak in zip(runs, _peaks(grid.pain, spans, np.fmax), strict=True)
    ]
    found.sort(key=lambda f: (f[1], f[8]))
    return found


REMISSION_SCHEMA: Final = {
    "patient_id": pl.String,
    "start": pl.Date,
    "end": pl.Date,
    "length_days": pl.Int64,
}


def remissions_frame(
    patient_id: str, daily: DailyArrays, flares: pl.DataFrame, min_days: int = 14
) -> pl.DataFrame:
    """``flares.remission_periods`` of one patient."""
    spans = (physical(flares["start"]), physical(flares["end"]))
    return remissions_of(patient_id, daily, spans, min_days)


def remissions_from_rows(
    patient_id: str, daily: DailyArrays, flares: list[tuple[Any, ...]], min_days: int = 14
) -> pl.DataFrame:
    """:func:`remissions_frame` from :func:`flare_rows` (the days as they were, without
    reading them back from the frame)."""
    spans = ([f[1] for f in flares], [f[2] for f in flares])
    return remissions_of(patient_id, daily, spans, min_days)


def remissions_of(
    patient_id: str,
    daily: DailyArrays,
    flare_days: tuple[IntArray | list[int], IntArray | list[int]],
    min_days: int = 14,
) -> pl.DataFrame:
    """:func:`remissions_frame` from the flares' first and last days (days since 1970): the
    flare-free runs of diary days are the diary's stretches of consecutive calendar days
    less the flares' spans (merged, in Python: a patient has a few dozen flares); only
    stretches of at least ``min_days`` days can hold a remission, so only those are cut."""
    day = daily.day
    if day.size == 0:
        return frame_from_rows([], REMISSION_SCHEMA)
    breaks = np.flatnonzero(day[1:] - day[:-1] != 1)
    firsts = day[np.append(0, breaks + 1)]
    lasts = day[np.append(breaks, day.size - 1)]
    long = lasts - firsts + 1 >= min_days
    merged: list[list[int]] = []
    firsts_f, lasts_f = (d.tolist() if isinstance(d, np.ndarray) else d for d in flare_days)
    for a, b in sorted(zip(firsts_f, lasts_f, strict=True)):
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    need = max(min_days, 1)  # a run has at least one day
    rows: list[tuple[str, int, int, int]] = []
    j = 0
    for first, last in zip(firsts[long].tolist(), lasts[long].tolist(), strict=True):
        while j < len(merged) and merged[j][1] < first:
            j += 1
        free_from = first
        for a, b in merged[j:]:
            if a > last:
                break
            if a - free_from >= need:
                rows.append((patient_id, free_from, a - 1, a - free_from))
            free_from = max(free_from, b + 1)
        if last - free_from + 1 >= need:
            rows.append((patient_id, free_from, last, last - free_from + 1))
    return frame_from_rows(rows, REMISSION_SCHEMA)


def change_points_frame(daily: DailyArrays) -> pl.DataFrame:
    """``flares.change_points`` of one patient's daily pain."""
    has = ~np.isnan(daily.pain)
    return change_points_of(daily.day[has], daily.pain[has].astype(np.float64, copy=False))


# ---------------------------------------------------------------- forecast


@dataclass(frozen=True)
class PatientState:
    """What the forecast reads: the patient, their daily arrays, courses, baseline and the
    whole diary's latent level."""

    patient_id: str
    daily: DailyArrays
    courses: Courses
    baseline: Baseline
    level: Level
    model: LatentLevelModel


def forecast_of(
    state: PatientState, today: dt.date | None, settings: ForecastSettings
) -> BoosterForecast:
    """``forecast.forecast_booster`` of one patient."""
    c = state.courses
    mine = np.ones(c.session_day.size, dtype=bool)
    if today is not None:
        mine = c.session_day <= (today - EPOCH).days
    if not mine.any():
        return empty_forecast(state.patient_id, True, settings)
    if state.baseline.status != BASELINE_OK:
        return empty_forecast(state.patient_id, False, settings)
    last_course = int(c.session_course[mine].max())
    in_last = mine & (c.session_course == last_course)
    course_day = int(c.course_day[last_course - 1])
    last_session = int(c.session_day[in_last].max())
    daily = state.daily
    post = (daily.day > last_session) & ~np.isnan(daily.pain)
    if today is not None:
        post &= daily.day <= (today - EPOCH).days
    base = state.baseline.values["pain"]
    if base <= 0.0:
        return pain_free_forecast(state.patient_id, settings)
    pct = settings.relief_threshold_pct
    ctx = context_of(
        state.patient_id,
        base,
        (_date(course_day), daily.day[post], daily.pain[post]),
        today,
        pct,
        baseline_days=state.baseline.days,
        flare_days=daily.day[daily.flare],
        set_aside_flares=settings.rule.fit_sets_aside_flares,
    )
    current = None
    if settings.rule.use_patient_noise:
        current = current_relief_at(ctx, _level_as_of(state, c.session_day[mine], ctx.reference))
    return forecast_from_context(ctx, current, settings)


def _level_as_of(
    state: PatientState, session_day: IntArray, reference: dt.date
) -> tuple[dt.date, FloatArray, FloatArray, float]:
    """The latent level of the diary up to ``reference`` with the sessions up to today, under
    the default model (``forecast._current_relief``): the whole diary's level when the grids
    and models coincide."""
    ref = (reference - EPOCH).days
    daily = state.daily
    level = state.level
    lo = (level.start - EPOCH).days
    same = (
        state.model == DEFAULT_LATENT_MODEL
        and session_day.size == level.session_days.size
        and (not daily.day.size or int(daily.day[-1]) <= ref)
        and lo + level.matrix.n_days - 1
        == max([ref, *daily.day[-1:].tolist(), *session_day.tolist()])
        and lo == min([ref, *daily.day[:1].tolist(), *session_day.tolist()])
    )
    if not same:
        level = level_of(daily.up_to(ref), session_day, DEFAULT_LATENT_MODEL, last_day=ref)
    return level.start, level.mean, level.var, level.noise_var
