"""Compiled (numba) kernels of large population bands: the exact recursion, and an exact
selection of the order statistics the percentiles read, without sorting each row.

Why compiled: for 100,000 virtual patients x 1,441 times the numpy route spends most of its
time sorting 2,882 rows of 100,000 float32 values to read six order statistics from each, and
the rest in the recursion, where every step is several array passes over the states.

* ``advance`` is the recursion of ``population._Recursion`` written operation for operation:
  each output is ``sum_r coef_r s_r`` summed in float64 from 0.0 in the order r = 0..R-1 and
  rounded once to float32, then the states decay and gain the infusion (``s * decay`` and
  ``gain * rate`` rounded apart, then added), a bolus is added to every state. Compiled without
  fast-math, nothing is reordered or fused, so the buffers hold the numpy route's bits.
* ``select_order_statistics`` finds, in each row, the values at the ranks the percentiles'
  linear interpolation reads. Each percentile's ranks are bounded by a value bracket
  [low, high]: the previous row's values a few ranks either side, scaled by how far the
  percentile moved (consecutive rows are consecutive times, so the population moves little),
  or, with no usable previous row, quantiles of a strided sample of the row widened by four
  standard deviations. One vectorised pass counts the values below ``low`` and flags those in
  a bracket; a second reads only the flagged words and copies those values. When the counts
  prove that the ranks lie in the bracket, the few copied values are sorted and the ranks read
  off: the values a sort of the whole row gives, ties included. A percentile that escapes its
  bracket is tried once more with a sample bracket; a row that still escapes, or holds a NaN,
  is reported so that the caller sorts it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
UIntArray = npt.NDArray[np.uint64]

BLOCK = 256
"""Subjects advanced side by side, copied into a local block: their states, decay, gain and
coefficients (about 40 KiB for 4 states and 2 outputs) stay in the first-level cache."""
GROUP = 3
"""Percentiles counted in one pass over a row (the default 5/50/95 in one)."""
SAMPLE = 1024
"""Values in the strided sample that brackets a percentile with no previous row to go by."""
SAMPLE_MARGIN_SD = 4.0
"""Half-width of a sample bracket, in standard deviations of the sample rank."""
GUIDE_RANKS = 32
"""Ranks either side of a percentile's two ranks whose values bound the next row's bracket."""


@njit(cache=True, nogil=True, error_model="numpy")
def advance(
    state: FloatArray,
    decay: FloatArray,
    gain: FloatArray,
    step_index: IntArray,
    rate_after: FloatArray,
    dose_at: FloatArray,
    is_output: BoolArray,
    coefs: FloatArray,
    out: Float32Array,
    a: int,
    b: int,
    k0: int,
    k1: int,
    resume: bool,
) -> None:  # pragma: no cover - compiled; tested through population_bands
    """Advance subjects [a, b) over nodes k0..k1 (inclusive), writing output rows of ``out``.

    state (R, S); decay and gain (U, R, S), one per distinct step length; coefs (O, R, S);
    out (O, rows, S) float32. With ``resume`` node k0 was handled by the previous chunk.
    """
    n_states = state.shape[0]
    n_steps = decay.shape[0]
    n_out = coefs.shape[0]
    st = np.empty((n_states, BLOCK))
    dec = np.empty((n_steps, n_states, BLOCK))
    gai = np.empty((n_steps, n_states, BLOCK))
    co = np.empty((n_out, n_states, BLOCK))
    acc = np.empty(BLOCK)
    for a0 in range(a, b, BLOCK):
        b0 = min(a0 + BLOCK, b)
        w = b0 - a0
        # Local copies indexed from zero: the loops below vectorise.
        st[:, :w] = state[:, a0:b0]
        dec[:, :, :w] = decay[:, :, a0:b0]
        gai[:, :, :w] = gain[:, :, a0:b0]
        co[:, :, :w] = coefs[:, :, a0:b0]
        row = 0
        for k in range(k0, k1 + 1):
            if not (resume and k == k0):
                dose = dose_at[k]
                if dose != 0.0:
                    for r in range(n_states):
                        for i in range(BLOCK):
                            st[r, i] += dose
                if is_output[k]:
                    _outputs(st, co, out, row, a0, w, acc)
                    row += 1
            if k == k1:
                break
            u = step_index[k]
            rate = rate_after[k]
            for r in range(n_states):
                if rate != 0.0:
                    for i in range(BLOCK):
                        st[r, i] = st[r, i] * dec[u, r, i] + gai[u, r, i] * rate
                else:
                    for i in range(BLOCK):
                        st[r, i] = st[r, i] * dec[u, r, i]
        state[:, a0:b0] = st[:, :w]


@njit(cache=True, nogil=True, error_model="numpy")
def _outputs(
    st: FloatArray, co: FloatArray, out: Float32Array, row: int, a0: int, w: int, acc: FloatArray
) -> None:  # pragma: no cover - compiled
    """One output row of a block: float32(0.0 + c_0 s_0 + c_1 s_1 + ...), in that order.
    (Unsigned indices: no negative-index wrap-around, so the loops vectorise.)"""
    n_states = st.shape[0]
    base = np.uint64(a0)
    width = np.uint64(w)
    for o in range(co.shape[0]):
        target = out[o, row]
        if n_states == 4:  # three compartments and the effect site: one pass
            for i in range(width):
                total = 0.0
                total += co[o, 0, i] * st[0, i]
                total += co[o, 1, i] * st[1, i]
                total += co[o, 2, i] * st[2, i]
                total += co[o, 3, i] * st[3, i]
                target[base + i] = np.float32(total)
        else:
            for i in range(BLOCK):
                acc[i] = 0.0
            for r in range(n_states):
                for i in range(BLOCK):
                    acc[i] += co[o, r, i] * st[r, i]
            for i in range(width):
                target[base + i] = np.float32(acc[i])


@njit(cache=True, nogil=True, error_model="numpy")
def sample_brackets(
    row: Float32Array, lo_rank: IntArray, hi_rank: IntArray, low: Float32Array, high: Float32Array
) -> None:  # pragma: no cover - compiled
    """Brackets of every percentile from a strided sample of the row (open at the ends)."""
    n = row.size
    m = min(n, SAMPLE)
    stride = n // m
    sample = np.empty(m, dtype=np.float32)
    for i in range(m):
        sample[i] = row[i * stride]
    sample.sort()
    for j in range(lo_rank.size):
        p_lo = lo_rank[j] / n
        p_hi = (hi_rank[j] + 1) / n
        spread = max(p_lo * (1.0 - p_lo), p_hi * (1.0 - p_hi), 1.0 / m)
        margin = SAMPLE_MARGIN_SD * np.sqrt(m * spread) + 2.0
        i_lo = int(np.floor(p_lo * m - margin))
        i_hi = int(np.ceil(p_hi * m + margin))
        low[j] = -np.inf if i_lo <= 0 else sample[i_lo]
        high[j] = np.inf if i_hi >= m - 1 else sample[i_hi]


@njit(cache=True, nogil=True, error_model="numpy")
def _count_and_flag(
    row: Float32Array, low: Float32Array, high: Float32Array, flags: BoolArray
) -> tuple[int, int, int, int]:  # pragma: no cover - compiled
    """One vectorised pass over a row for three brackets: the values below each ``low``,
    the values that are not NaN, and a flag on every value inside some bracket."""
    l0, l1, l2 = low[0], low[1], low[2]
    h0, h1, h2 = high[0], high[1], high[2]
    b0 = 0
    b1 = 0
    b2 = 0
    finite = 0
    for i in range(row.size):
        v = row[i]
        b0 += v < l0
        b1 += v < l1
        b2 += v < l2
        finite += v == v
        flags[i] = ((v >= l0) & (v <= h0)) | ((v >= l1) & (v <= h1)) | ((v >= l2) & (v <= h2))
    return b0, b1, b2, finite


@njit(cache=True, nogil=True, error_model="numpy")
def _collect(
    row: Float32Array,
    flags: BoolArray,
    words: UIntArray,
    low: Float32Array,
    high: Float32Array,
    candidates: Float32Array,
    found: IntArray,
) -> None:  # pragma: no cover - compiled
    """Copy the flagged values into each bracket's candidates (8 flags read as one word;
    ``found`` counts them all, beyond the buffer's width too)."""
    cap = candidates.shape[1]
    n = row.size
    for j in range(GROUP):
        found[j] = 0
    for w in range(words.size):
        if words[w] == 0:
            continue
        for i in range(w * 8, min(w * 8 + 8, n)):
            if not flags[i]:
                continue
            v = row[i]
            for j in range(GROUP):
                if v >= low[j] and v <= high[j]:
                    if found[j] < cap:
                        candidates[j, found[j]] = v
                    found[j] += 1


@njit(cache=True, nogil=True, error_model="numpy")
def _select_group(
    row: Float32Array,
    targets: IntArray,
    lo_rank: IntArray,
    hi_rank: IntArray,
    low: Float32Array,
    high: Float32Array,
    flags: BoolArray,
    words: UIntArray,
    candidates: Float32Array,
    lo_value: Float32Array,
    hi_value: Float32Array,
    guide: FloatArray,
    todo: BoolArray,
) -> bool:  # pragma: no cover - compiled
    """Up to three percentiles of a row (``targets``, -1 for none) in two passes; clears
    ``todo`` for each one its bracket is proven to hold. False when the row holds a NaN."""
    g_low = np.full(GROUP, np.float32(np.nan))
    g_high = np.full(GROUP, np.float32(np.nan))
    for g in range(GROUP):
        j = targets[g]
        if j >= 0:
            g_low[g] = low[j]
            g_high[g] = high[j]
    b0, b1, b2, finite = _count_and_flag(row, g_low, g_high, flags)
    if finite != row.size:
        return False
    below = (b0, b1, b2)
    found = np.empty(GROUP, dtype=np.int64)
    _collect(row, flags, words, g_low, g_high, candidates, found)
    for g in range(GROUP):
        j = targets[g]
        if j < 0:
            continue
        start = below[g]
        if not (start <= lo_rank[j] and hi_rank[j] < start + found[g]):
            continue
        if found[g] > candidates.shape[1]:
            # Too many values to copy: only a bracket of one (tied) value is read without them.
            if g_low[g] == g_high[g]:
                lo_value[j] = g_low[g]
                hi_value[j] = g_low[g]
                guide[j, 0] = 0.0
                guide[j, 1] = 0.0
                guide[j, 2] = g_low[g]
                todo[j] = False
            continue
        values = np.sort(candidates[g, : found[g]])
        lo_value[j] = values[lo_rank[j] - start]
        hi_value[j] = values[hi_rank[j] - start]
        # The spread of the GUIDE_RANKS values either side (the wider side, as the bracket
        # may have covered fewer on the other), the gap between the two ranks, the value.
        below_lo = lo_value[j] - values[max(0, lo_rank[j] - start - GUIDE_RANKS)]
        above_hi = values[min(found[g] - 1, hi_rank[j] - start + GUIDE_RANKS)] - hi_value[j]
        guide[j, 0] = max(below_lo, above_hi)
        guide[j, 1] = hi_value[j] - lo_value[j]
        guide[j, 2] = lo_value[j]
        todo[j] = False
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def _select_row(
    row: Float32Array,
    lo_rank: IntArray,
    hi_rank: IntArray,
    lo_value: Float32Array,
    hi_value: Float32Array,
    guide: FloatArray,
    flags: BoolArray,
    words: UIntArray,
    candidates: Float32Array,
) -> tuple[bool, bool]:  # pragma: no cover - compiled
    """The percentiles' ranks of one row: (done, a sample bracket was needed)."""
    m = lo_rank.size
    low = np.empty(m, dtype=np.float32)
    high = np.empty(m, dtype=np.float32)
    todo = np.ones(m, dtype=np.bool_)
    sampled = False
    for j in range(m):
        if not (np.isfinite(guide[j, 3]) and np.isfinite(guide[j, 4])):
            sampled = True
        low[j] = np.float32(guide[j, 3])
        high[j] = np.float32(guide[j, 4])
    if sampled:
        sample_brackets(row, lo_rank, hi_rank, low, high)
    targets = np.empty(GROUP, dtype=np.int64)
    for attempt in range(3):
        pending = np.flatnonzero(todo)
        for g0 in range(0, pending.size, GROUP):
            for g in range(GROUP):
                targets[g] = pending[g0 + g] if g0 + g < pending.size else -1
            if not _select_group(
                row,
                targets,
                lo_rank,
                hi_rank,
                low,
                high,
                flags,
                words,
                candidates,
                lo_value,
                hi_value,
                guide,
                todo,
            ):
                return False, sampled
        if not todo.any():
            return True, sampled
        if sampled:
            return False, True  # a sample bracket missed too: the caller sorts the row
        if attempt == 0:
            # The population moved further than predicted: a bracket nine times as wide.
            for j in range(m):
                width = high[j] - low[j]
                low[j] = low[j] - np.float32(4.0) * width
                high[j] = high[j] + np.float32(4.0) * width
        else:
            sample_brackets(row, lo_rank, hi_rank, low, high)
            sampled = True
    return False, sampled  # pragma: no cover - every path returns above


@njit(cache=True, nogil=True, error_model="numpy")
def select_order_statistics(
    block: Float32Array,
    lo_rank: IntArray,
    hi_rank: IntArray,
    lo_value: Float32Array,
    hi_value: Float32Array,
    escaped: BoolArray,
    guide: FloatArray,
) -> int:  # pragma: no cover - compiled; tested through population.order_statistics
    """Values at ranks ``lo_rank`` and ``hi_rank`` (one pair per percentile) of every row.

    lo_value, hi_value (rows, percentiles) float32 are filled for each row not ``escaped``;
    the caller sorts the escaped rows. ``guide`` (percentiles, 6) carries from row to row,
    and from call to call: the last row's spread ``GUIDE_RANKS`` ranks around the percentile,
    the gap between its two ranks and its low value, then the next row's predicted bracket
    (NaN: none yet; start with all NaN). Returns how many rows needed a sample bracket.
    """
    rows, n = block.shape
    m = lo_rank.size
    flags = np.zeros((n + 7) // 8 * 8, dtype=np.bool_)
    words = flags.view(np.uint64)
    candidates = np.empty((GROUP, min(n, max(4096, n // 4))), dtype=np.float32)
    before = np.empty(m)
    sampled_rows = 0
    for t in range(rows):
        before[:] = guide[:, 2]
        done, sampled = _select_row(
            block[t],
            lo_rank,
            hi_rank,
            lo_value[t],
            hi_value[t],
            guide,
            flags,
            words,
            candidates,
        )
        escaped[t] = not done
        sampled_rows += sampled
        for j in range(m):
            if done:
                _predict_bracket(guide[j], before[j])
            else:
                guide[j, :] = np.nan
    return sampled_rows


@njit(cache=True, nogil=True, error_model="numpy")
def _predict_bracket(guide: FloatArray, before: float) -> None:  # pragma: no cover - compiled
    """The next row's bracket (guide[3], guide[4]) from this row's spread, gap and value
    (guide[0:3]): the value moves on as it moved over this row (consecutive times), the
    spread scales with it, and half the move is added to the margin for a change of pace."""
    ratio = guide[2] / before if before > 0.0 else 1.0
    if not (np.isfinite(ratio) and ratio > 0.0):
        ratio = 1.0
    value = guide[2] * ratio
    margin = guide[0] * ratio + 0.5 * abs(value - guide[2])
    guide[3] = value - margin
    guide[4] = value + guide[1] * ratio + margin
