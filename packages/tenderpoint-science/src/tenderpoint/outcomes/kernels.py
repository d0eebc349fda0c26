"""Compiled (numba) kernels of the latent level: the same arithmetic as ``latent.py``'s numpy
reference, one patient column at a time.

Why compiled: the cohort summary smooths 10,000 diaries of 730 days three times (one plain
pass, two robust passes) and finds the runs of high days between the passes. In numpy every
step of the recursion is a row of ten-thousand-element operations and every pass streams a
dozen 58 MB temporaries through memory: about 3 s of the summary's 7 s. Per column, the
recursion, the run search and the next pass stay in the processor's cache and allocate
nothing large. One diary also gains: the three analyses of ``analyse_patient`` each ran the
plain-float Python loop three times; flare rule 3.0's day log-likelihoods
(``flare_log_likelihoods``) are one pass here instead of some thirty numpy calls on a
two-year diary, with numpy's logarithms and scipy's normal tails kept outside.

Patients are taken in blocks of 32 side by side (see ``_BLOCK``). Every operation is written
in the order of the numpy reference (``latent.smooth_level``,
``latent._short_runs``, ``latent.latent_level``) and compiled without fast-math, so no
reordering or fused multiply-add is allowed: the results are bit-identical, which
``tests/outcomes/test_kernels.py`` checks on random and synthetic diaries.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from tenderpoint.outcomes.latent import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]

_THREADS = min(2, os.cpu_count() or 1)
"""Threads for the cohort's patients (the reference machine has two cores)."""
_BLOCK = 32
"""Patients whose recursions run side by side: each day's step is a chain of dependent
divisions, so one patient at a time waits on latency; 32 independent chains keep the
processor busy and their working arrays (730 days x 32) stay in cache."""


@njit(cache=True, nogil=True, error_model="numpy")
def _smooth_block(
    y: FloatArray,
    h: FloatArray,
    q: FloatArray,
    mean: FloatArray,
    var: FloatArray,
    pp: FloatArray,
    width: int,
    with_var: bool,
) -> None:  # pragma: no cover - compiled; tested through latent_level_columns
    """Kalman filter and RTS smoother of the first ``width`` columns (days x block).

    ``with_var`` false: the smoothed mean only (``var`` keeps the filtered variance). The
    smoothed mean reads the filtered variance, never the smoothed one, so it is the same
    either way; the robust passes read only the mean, so only the last pass smooths the
    variance too."""
    d = y.shape[0]
    m = np.full(width, 5.0)
    p = np.full(width, 100.0)
    for t in range(d):
        for k in range(width):
            p_pred = p[k] + q[t, k]
            g = p_pred * h[t, k]
            gain = g / (1.0 + g)
            m[k] = m[k] + gain * (y[t, k] - m[k])
            p[k] = p_pred / (1.0 + g)
            pp[t, k] = p_pred
            mean[t, k] = m[k]
            var[t, k] = p[k]
    if not with_var:
        for t in range(d - 2, -1, -1):
            for k in range(width):
                j = var[t, k] / pp[t + 1, k]
                mean[t, k] += j * (mean[t + 1, k] - mean[t, k])
        return
    for t in range(d - 2, -1, -1):
        for k in range(width):
            j = var[t, k] / pp[t + 1, k]
            mean[t, k] += j * (mean[t + 1, k] - mean[t, k])
            var[t, k] += j * j * (var[t + 1, k] - pp[t + 1, k])


@njit(cache=True, nogil=True, error_model="numpy")
def _robust_precision(
    y: FloatArray,
    h: FloatArray,
    sq: FloatArray,
    mean: FloatArray,
    neutral: BoolArray,
    session: BoolArray,
    width: int,
    cut: float,
    max_days: int,
    hr: FloatArray,
) -> None:  # pragma: no cover - compiled; tested through latent_level_columns
    """The next pass's precision ``hr`` of the first ``width`` columns: ``h``, or 0 on the
    days flagged high (``(y - mean) * sq > cut``) whose run is at most ``max_days`` flagged
    days long and does not touch the day before a session (``latent._short_runs``: a run
    starts at a day neither flagged nor neutral, or on the first day, and takes in the
    flagged and neutral days after it).

    One sweep down the days, every column's run followed side by side (the arrays are read
    in memory order, as the smoother reads them): each day's flag is computed and ``hr``
    written as if it stood; when a run closes with flags that do not stand (too long, or
    touching a session), its flagged days get their precision back. Most runs hold no
    flagged day and are never read again."""
    d = y.shape[0]
    start = np.zeros(width, dtype=np.int64)
    length = np.zeros(width, dtype=np.int64)
    touches = np.zeros(width, dtype=np.bool_)
    for t in range(d):
        for k in range(width):
            high = (y[t, k] - mean[t, k]) * sq[t, k] > cut
            joins = high or neutral[t, k]
            if t > 0 and not joins:  # the run [start, t) is complete
                if length[k] > 0 and (length[k] > max_days or touches[k]):
                    for u in range(start[k], t):
                        hr[u, k] = h[u, k]
                start[k] = t
                length[k] = 0
                touches[k] = False
            if high:
                length[k] += 1
                hr[t, k] = 0.0
            else:
                hr[t, k] = h[t, k]
            if joins and t + 1 < d and session[t + 1, k]:
                touches[k] = True
    for k in range(width):  # the last runs end with the grid
        if length[k] > 0 and (length[k] > max_days or touches[k]):
            for u in range(start[k], d):
                hr[u, k] = h[u, k]


@njit(cache=True, nogil=True, error_model="numpy")
def _latent_columns(
    pain: FloatArray,
    n_entries: IntArray,
    declared: BoolArray,
    sessions: BoolArray,
    noise_var: FloatArray,
    columns: IntArray,
    q_session: float,
    q_plain: float,
    cut: float,
    passes: int,
    max_days: int,
    mean_out: FloatArray,
    var_out: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Smooth the patients ``columns`` (rows of the patient-major arrays), in place."""
    n = columns.shape[0]
    d = pain.shape[1]  # patient-major: one row per patient
    # fewer patients than a block (one patient's analysis): working arrays only as wide as
    # they are, not 32 columns of which one is used (each patient's arithmetic is its own)
    b = max(1, min(_BLOCK, n))
    y = np.empty((d, b))
    h = np.empty((d, b))
    hr = np.empty((d, b))
    sq = np.empty((d, b))
    q = np.empty((d, b))
    mean = np.empty((d, b))
    var = np.empty((d, b))
    pp = np.empty((d, b))
    neutral = np.empty((d, b), dtype=np.bool_)
    session = np.empty((d, b), dtype=np.bool_)
    for c0 in range(0, n, b):
        width = min(b, n - c0)
        # a patient's days are contiguous in the inputs: read them in that order (the day
        # loop inside) rather than 32 patients' rows at once for every day
        for k in range(width):
            c = columns[c0 + k]
            for t in range(d):
                usable = n_entries[c, t] > 0 and not declared[c, t]
                h[t, k] = n_entries[c, t] / noise_var[c] if usable else 0.0
                y[t, k] = pain[c, t] if usable else 0.0
                session[t, k] = sessions[c, t]
                q[t, k] = (q_session if sessions[c, t] else 0.0) + q_plain
                sq[t, k] = np.sqrt(h[t, k])
                neutral[t, k] = h[t, k] == 0.0
        _smooth_block(y, h, q, mean, var, pp, width, passes == 0)
        for i in range(passes):
            _robust_precision(y, h, sq, mean, neutral, session, width, cut, max_days, hr)
            _smooth_block(y, hr, q, mean, var, pp, width, i == passes - 1)
        for k in range(width):
            c = columns[c0 + k]
            for t in range(d):
                mean_out[c, t] = mean[t, k]
                var_out[c, t] = var[t, k]


def latent_level_columns(
    pain: FloatArray,
    n_entries: IntArray,
    declared_flare: BoolArray,
    session_days: BoolArray,
    noise_var: FloatArray,
    *,
    q_session: float,
    q_plain: float,
    cut: float,
    passes: int,
    max_days: int,
    columns: IntArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Posterior mean and variance of every ``days x patients`` cell (``latent.latent_level``
    after the noise variance), computed a block of patients at a time. The kernel reads and
    writes patient-major memory (a patient's days contiguous); the arrays returned are
    ``days x patients`` views of it. ``columns``: smooth only these patients (the others'
    cells are NaN), read in place from the whole clinic's arrays instead of a copy of them."""

    def by_patient(a: npt.NDArray[Any], dtype: type) -> npt.NDArray[Any]:
        return np.ascontiguousarray(np.asarray(a).T, dtype=dtype)

    n = pain.shape[1]
    mean = np.empty((n, pain.shape[0]))
    var = np.empty((n, pain.shape[0]))
    pain_p = by_patient(pain, np.float64)
    count_p = by_patient(n_entries, np.int64)
    declared_p = by_patient(declared_flare, np.bool_)
    sessions_p = by_patient(session_days, np.bool_)
    noise = np.ascontiguousarray(noise_var, dtype=np.float64)
    if columns is None:
        todo = np.arange(n, dtype=np.int64)
    else:
        todo = np.ascontiguousarray(columns, dtype=np.int64)
        skipped = np.ones(n, dtype=bool)
        skipped[todo] = False
        mean[skipped] = np.nan
        var[skipped] = np.nan

    def run(part: slice) -> None:
        _latent_columns(
            pain_p,
            count_p,
            declared_p,
            sessions_p,
            noise,
            todo[part],
            float(q_session),
            float(q_plain),
            float(cut),
            int(passes),
            int(max_days),
            mean,
            var,
        )

    # patients are independent: the kernel releases the GIL, so halves of the cohort run on
    # two threads (same arithmetic per patient, so the same results; each writes its own rows)
    k = todo.size
    threads = min(_THREADS, max(1, k // (8 * _BLOCK)))
    bounds = [k * i // threads for i in range(threads + 1)]
    parts = [slice(bounds[i], bounds[i + 1]) for i in range(threads)]
    if threads == 1:
        run(parts[0])
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, parts))
    return mean.T, var.T


@njit(cache=True, nogil=True, error_model="numpy")
def _fill_daily(
    day: npt.NDArray[Any],
    col: npt.NDArray[Any],
    keep: BoolArray,
    pain: FloatArray,
    flare: BoolArray,
    recorded_us: IntArray,
    lo: int,
    rows: tuple[int, int],
    total: FloatArray,
    count: IntArray,
    declared: BoolArray,
    first_s: FloatArray,
) -> None:  # pragma: no cover - compiled; tested through daily_matrix
    """Fill the patient rows ``rows`` (start, stop) from their entries, then turn their
    sums into means (``keep`` empty: every entry has a pain score)."""
    first_s[rows[0] : rows[1]] = np.nan
    every = keep.shape[0] == 0
    for i in range(day.shape[0]):
        t = day[i] - lo
        c = col[i]
        if every or keep[i]:
            total[c, t] += pain[i]
            count[c, t] += 1
        if flare[i]:
            declared[c, t] = True
        s = recorded_us[i] / 1e6
        if np.isnan(first_s[c, t]) or s < first_s[c, t]:
            first_s[c, t] = s
    _mean_in_place(total[rows[0] : rows[1]], count[rows[0] : rows[1]])


def daily_arrays(
    day: npt.NDArray[Any],
    col: npt.NDArray[Any],
    keep: BoolArray,
    pain: FloatArray,
    flare: BoolArray,
    recorded_us: IntArray,
    *,
    lo: int,
    n_days: int,
    n_patients: int,
) -> tuple[FloatArray, IntArray, BoolArray, FloatArray]:
    """One pass over the entries: the ``days x patients`` mean pain, entry count, declared
    flare and first entry time (``latent.daily_matrix``'s bincounts, summed in row order).
    ``keep``: the entries with a pain score (empty: all of them).

    The arrays are filled patient-major (a diary sorted by patient writes almost
    sequentially) and returned as ``days x patients`` views of that memory. Each thread
    also sets and averages its own rows, so their memory is first touched (and its pages
    mapped) on that thread rather than all on one."""
    shape = (n_patients, n_days)
    total = np.zeros(shape)
    count = np.zeros(shape, dtype=np.int64)
    declared = np.zeros(shape, dtype=np.bool_)
    first_s = np.empty(shape)
    out = (total, count, declared, first_s)
    split = _patient_split(col) if _THREADS > 1 and day.shape[0] >= _ROWS_FOR_TWO_THREADS else 0
    if split:
        # a diary sorted by patient splits into two runs of whole patients, which fill
        # disjoint rows of the arrays, each patient's entries in the same order as one pass
        halves = (slice(0, split), slice(split, day.shape[0]))
        rows = ((0, int(col[split])), (int(col[split]), n_patients))

        def fill(r: slice, own: tuple[int, int]) -> None:
            k = keep[r] if keep.shape[0] else keep
            _fill_daily(day[r], col[r], k, pain[r], flare[r], recorded_us[r], lo, own, *out)

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(fill, halves, rows))
    else:
        _fill_daily(day, col, keep, pain, flare, recorded_us, lo, (0, n_patients), *out)
    return total.T, count.T, declared.T, first_s.T


_ROWS_FOR_TWO_THREADS = 1_000_000
"""Diary entries from which the daily arrays are filled on two threads."""


def _patient_split(col: npt.NDArray[Any]) -> int:
    """The first row at or after the middle where a new patient starts, when the rows are
    sorted by patient (0: not sorted, or no such row)."""
    if not bool(np.all(col[1:] >= col[:-1])):
        return 0
    mid = col.shape[0] // 2
    change = np.flatnonzero(col[mid:] != col[mid])
    return int(mid + change[0]) if change.size else 0


@njit(cache=True, nogil=True, error_model="numpy")
def _mean_in_place(total: FloatArray, count: IntArray) -> None:  # pragma: no cover - compiled
    """``total / count`` where ``count > 0``, else NaN, written over ``total`` (numpy's
    ``where(count > 0, total / maximum(count, 1), nan)`` without its three temporary 58 MB
    arrays; the same division, so the same bits)."""
    for c in range(total.shape[0]):
        for t in range(total.shape[1]):
            total[c, t] = total[c, t] / count[c, t] if count[c, t] > 0 else np.nan


@njit(cache=True, nogil=True, error_model="numpy")
def _relief_end(
    mean: FloatArray,
    var: FloatArray,
    back_level: FloatArray,
    back_var: FloatArray,
    onset: IntArray,
    limit: IntArray,
    z_hi: float,
    out: IntArray,
) -> None:  # pragma: no cover - compiled; tested through relief_from_level
    d, n = mean.shape
    for c in range(n):
        end = -1
        low = -1
        high = -1
        for t in range(onset[c] + 1, min(limit[c], d - 1) + 1):
            m = mean[t, c]
            z = (m - back_level[c]) / np.sqrt(var[t, c] + back_var[c])
            if end < 0 and m >= back_level[c]:
                end = t
            if low < 0 and z >= -z_hi:
                low = t
            if high < 0 and z >= z_hi:
                high = t
            if end >= 0 and low >= 0 and high >= 0:
                break
        out[0, c] = end
        out[1, c] = low
        out[2, c] = high


def relief_end_days(
    mean: FloatArray,
    var: FloatArray,
    back_level: FloatArray,
    back_var: FloatArray,
    onset: IntArray,
    limit: IntArray,
    z_hi: float,
) -> tuple[IntArray, IntArray, IntArray]:
    """First day after ``onset`` up to ``limit`` (grid days; -1: none) on which the level is
    back (``mean >= back_level``), and on which the z of being back reaches ``-z_hi`` and
    ``z_hi`` (``relief.relief_from_level``: ``z = (mean - back) / sqrt(var + back_var)``)."""
    out = np.full((3, mean.shape[1]), -1, dtype=np.int64)
    _relief_end(
        mean,
        var,
        np.ascontiguousarray(back_level, dtype=np.float64),
        np.ascontiguousarray(back_var, dtype=np.float64),
        np.ascontiguousarray(onset, dtype=np.int64),
        np.ascontiguousarray(limit, dtype=np.int64),
        float(z_hi),
        out,
    )
    return out[0], out[1], out[2]


@njit(cache=True, nogil=True, error_model="numpy")
def _last_relief(
    mean: FloatArray,
    var: FloatArray,
    on_level: FloatArray,
    on_var: FloatArray,
    onset: IntArray,
    limit: IntArray,
    z_onset: float,
    out: IntArray,
) -> None:  # pragma: no cover - compiled; tested through relief_from_level
    d = mean.shape[0]
    for c in range(mean.shape[1]):
        last = -1
        if onset[c] >= 0:
            for t in range(min(limit[c], d - 1), onset[c], -1):
                z = (on_level[c] - mean[t, c]) / np.sqrt(var[t, c] + on_var[c])
                if z >= z_onset:
                    last = t
                    break
        out[c] = last


def last_relief_days(
    mean: FloatArray,
    var: FloatArray,
    on_level: FloatArray,
    on_var: FloatArray,
    onset: IntArray,
    limit: IntArray,
    z_onset: float,
) -> IntArray:
    """Last day after ``onset`` up to ``limit`` (grid days; -1: none, or no onset) on which
    relief is still present with the onset's probability: ``z = (on_level - mean) /
    sqrt(var + on_var) >= z_onset`` (``relief.relief_from_level``, rule 2.4); a backward scan
    that stops at the first such day."""
    out = np.full(mean.shape[1], -1, dtype=np.int64)
    _last_relief(
        mean,
        var,
        np.ascontiguousarray(on_level, dtype=np.float64),
        np.ascontiguousarray(on_var, dtype=np.float64),
        np.ascontiguousarray(onset, dtype=np.int64),
        np.ascontiguousarray(limit, dtype=np.int64),
        float(z_onset),
        out,
    )
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _fill_score(
    day: npt.NDArray[Any],
    col: npt.NDArray[Any],
    values: FloatArray,
    lo: int,
    total: FloatArray,
    count: IntArray,
) -> None:  # pragma: no cover - compiled; tested through the cohort summary
    for i in range(day.shape[0]):
        v = values[i]
        if not np.isnan(v):
            t = day[i] - lo
            c = col[i]
            total[c, t] += v
            count[c, t] += 1


def score_means(
    day: npt.NDArray[Any],
    col: npt.NDArray[Any],
    values: FloatArray,
    *,
    lo: int,
    n_days: int,
    n_patients: int,
) -> FloatArray:
    """``days x patients`` mean of a score's entries (NaN = missing; no value: NaN), summed
    in row order like ``contracts.daily_values``'s mean of one or two entries."""
    total = np.zeros((n_patients, n_days))
    count = np.zeros((n_patients, n_days), dtype=np.int64)
    _fill_score(day, col, values, lo, total, count)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: FloatArray = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean.T


@njit(cache=True, nogil=True, error_model="numpy")
def _forward_backward(
    b_out: FloatArray, b_in: FloatArray, enter: float, leave: float, post: FloatArray
) -> None:  # pragma: no cover - compiled; tested through flares.flare_probability
    d = b_out.shape[0]
    stay_out, stay_in = 1.0 - enter, 1.0 - leave
    f_out = np.empty(d)
    f_in = np.empty(d)
    p_in = enter / (enter + leave)
    p_out = 1.0 - p_in
    for t in range(d):
        if t:
            p_out, p_in = p_out * stay_out + p_in * leave, p_out * enter + p_in * stay_in
        p_out, p_in = p_out * b_out[t], p_in * b_in[t]
        total = p_out + p_in
        p_out, p_in = p_out / total, p_in / total
        f_out[t], f_in[t] = p_out, p_in
    post[d - 1] = f_in[d - 1]
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


def forward_backward(b_out: FloatArray, b_in: FloatArray, enter: float, leave: float) -> FloatArray:
    """Posterior probability of the second state on each day of a two-state chain
    (``flares.flare_probability``'s recursion, the same operations compiled); ``b_out`` and
    ``b_in`` are the scaled day likelihoods, ``enter``/``leave`` the switch probabilities."""
    post = np.zeros(b_out.shape[0])
    if post.size:
        _forward_backward(
            np.ascontiguousarray(b_out, dtype=np.float64),
            np.ascontiguousarray(b_in, dtype=np.float64),
            float(enter),
            float(leave),
            post,
        )
    return post


@njit(cache=True, nogil=True, error_model="numpy")
def _flare_variances(
    count: IntArray, level_var: FloatArray, noise_var: float, rise_var: float
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled; tested through flares
    d = count.shape[0]
    var_out = np.empty(d)
    var_in = np.empty(d)
    for t in range(d):
        v = 1.0
        if count[t] > 0:
            v = noise_var / max(count[t], 1) + level_var[t]
        var_out[t] = v
        var_in[t] = v + rise_var
    return var_out, var_in


@njit(cache=True, nogil=True, error_model="numpy")
def _flare_terms(
    pain: FloatArray,
    count: IntArray,
    declared: BoolArray,
    level: FloatArray,
    var_out: FloatArray,
    var_in: FloatArray,
    log_var_out: FloatArray,
    log_var_in: FloatArray,
    rise: float,
    marks: FloatArray,
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled; tested through flares
    d = pain.shape[0]
    out = np.zeros(d)
    inside = np.zeros(d)
    for t in range(d):
        if count[t] > 0:
            excess = pain[t] - level[t]
            o = -0.5 * (excess * excess) / var_out[t] - 0.5 * log_var_out[t]
            above = excess - rise
            i = -0.5 * (above * above) / var_in[t] - 0.5 * log_var_in[t]
            if declared[t]:
                out[t] = o + marks[0]
                inside[t] = i + marks[2]
            else:
                out[t] = o + marks[1]
                inside[t] = i + marks[3]
    return out, inside


def flare_log_likelihoods(
    pain: FloatArray,
    count: IntArray,
    declared: BoolArray,
    level: FloatArray,
    level_var: FloatArray,
    noise_var: float,
    constants: tuple[float, float, float, float, float, float],
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``flares._day_log_likelihoods`` compiled, but for the days at the top of the scale:
    each day's log-likelihood outside and inside a flare (declared mark added, 0 without
    entries) and the two variances the caller needs for those days. ``constants`` are the
    rule's flare variance, expected rise and the four log-probabilities of the declared
    mark (declared / not, outside a flare; declared / not, inside). The logarithms are
    numpy's (``np.log``), as in the reference: a compiled ``log`` may differ in the last
    bit."""
    rise_var, rise, *marks = constants
    var_out, var_in = _flare_variances(
        np.ascontiguousarray(count, dtype=np.int64),
        np.ascontiguousarray(level_var, dtype=np.float64),
        float(noise_var),
        float(rise_var),
    )
    out, inside = _flare_terms(
        np.ascontiguousarray(pain, dtype=np.float64),
        np.ascontiguousarray(count, dtype=np.int64),
        np.ascontiguousarray(declared, dtype=np.bool_),
        np.ascontiguousarray(level, dtype=np.float64),
        var_out,
        var_in,
        np.log(var_out),
        np.log(var_in),
        float(rise),
        np.array(marks, dtype=np.float64),
    )
    return out, inside, var_out, var_in


def smooth_one(y: FloatArray, precision: FloatArray, process_var: FloatArray) -> FloatArray:
    """``latent.smooth_level`` of one patient (1-D arrays), compiled: ``(mean, variance)``
    stacked as a 2 x days array."""
    d = y.shape[0]
    mean = np.empty((d, 1))
    var = np.empty((d, 1))
    pp = np.empty((d, 1))
    _smooth_block(
        np.ascontiguousarray(y, dtype=np.float64).reshape(d, 1),
        np.ascontiguousarray(precision, dtype=np.float64).reshape(d, 1),
        np.ascontiguousarray(process_var, dtype=np.float64).reshape(d, 1),
        mean,
        var,
        pp,
        1,
        True,
    )
    return np.stack([mean[:, 0], var[:, 0]])


@njit(cache=True, nogil=True, error_model="numpy")
def _outside_0_10(values: FloatArray) -> bool:  # pragma: no cover - compiled
    for i in range(values.shape[0]):
        v = values[i]
        if not (v >= 0.0 and v <= 10.0):  # NaN fails both comparisons
            return True
    return False


_US_PER_DAY = 86_400_000_000


@njit(cache=True, nogil=True, error_model="numpy")
def _local_date_off(
    local_days: npt.NDArray[Any], recorded_us: IntArray
) -> bool:  # pragma: no cover - compiled
    for i in range(local_days.shape[0]):
        utc_day = recorded_us[i] // _US_PER_DAY  # floor, as polars' // on the microseconds
        if abs(local_days[i] - utc_day) > 1:
            return True
    return False


def diary_values_fire(
    scores: list[FloatArray], local_days: npt.NDArray[Any] | None, recorded_us: IntArray | None
) -> bool:
    """Whether any score lies outside 0-10 or is NaN, or any local date lies more than one
    day from the UTC date of its entry (``contracts._check_diary_values``' range and
    local-date checks), one compiled pass per column on two threads, stopping at the first
    hit; the arrays must hold no null (a score column with nulls is checked by polars)."""
    tasks: list[Any] = [(_outside_0_10, (s,)) for s in scores]
    if local_days is not None and recorded_us is not None:
        tasks.append((_local_date_off, (local_days, recorded_us)))
    if not tasks:
        return False
    with ThreadPoolExecutor(_THREADS) as pool:
        return any(pool.map(lambda task: bool(task[0](*task[1])), tasks))


@njit(cache=True, nogil=True, error_model="numpy")
def _window_means(
    table: FloatArray, rows: IntArray, lo: IntArray, hi: IntArray, compensated: bool
) -> tuple[FloatArray, IntArray]:  # pragma: no cover - compiled; tested through single
    n_rows, n_windows = rows.shape[0], lo.shape[0]
    means = np.empty((n_rows, n_windows))
    counts = np.zeros((n_rows, n_windows), dtype=np.int64)
    for i in range(n_rows):
        r = rows[i]
        for j in range(n_windows):
            total, carry, n = 0.0, 0.0, 0
            for t in range(lo[j], hi[j]):
                v = table[r, t]
                if v != v:  # NaN: no value that day
                    continue
                n += 1
                if compensated:
                    y = v - carry
                    s = total + y
                    carry = (s - total) - y
                    total = s
                else:
                    total = total + v
            counts[i, j] = n
            means[i, j] = total / n if n else np.nan
    return means, counts


def window_means(
    table: FloatArray, rows: IntArray, lo: IntArray, hi: IntArray, compensated: bool
) -> tuple[FloatArray, IntArray]:
    """Mean and number of the non-missing values of each score row ``rows`` of ``table``
    (scores x days) over each window ``[lo, hi)`` of days, summed in day order with Kahan's
    compensation (``compensated``) or plainly: ``single._span_means``' Python sums, the same
    operations in the same order (``test_single.py`` compares), in one call for every score
    and window of a patient."""
    return _window_means(
        np.ascontiguousarray(table, dtype=np.float64),
        np.ascontiguousarray(rows, dtype=np.int64),
        np.ascontiguousarray(lo, dtype=np.int64),
        np.ascontiguousarray(hi, dtype=np.int64),
        compensated,
    )


@njit(cache=True, nogil=True, error_model="numpy")
def _day_means(
    group: IntArray, table: FloatArray, n: int
) -> FloatArray:  # pragma: no cover - compiled; tested through single
    n_scores, n_rows = table.shape
    total = np.zeros((n_scores, n))
    count = np.zeros((n_scores, n), dtype=np.int64)
    for e in range(n_rows):
        g = group[e]
        for s in range(n_scores):
            v = table[s, e]
            if v == v:  # NaN: no value
                total[s, g] += v
                count[s, g] += 1
    means = np.empty((n_scores, n))
    for s in range(n_scores):
        for g in range(n):
            means[s, g] = total[s, g] / count[s, g] if count[s, g] > 0 else np.nan
    return means


def day_means(group: IntArray, table: FloatArray, n: int) -> FloatArray:
    """Mean of each score row of ``table`` (scores x entries) over each of the ``n`` groups
    ``group`` (entry -> group), NaN skipped, each group's values added in entry order from
    zero: ``np.bincount(group, weights)`` over ``np.bincount(group)``, the same operations
    in the same order (``single._group_means``; ``test_single.py`` compares), in one pass
    over every score; NaN for a group without a value."""
    return _day_means(
        np.ascontiguousarray(group, dtype=np.int64),
        np.ascontiguousarray(table, dtype=np.float64),
        n,
    )
