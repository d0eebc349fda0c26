"""Latent pain level: each diary day is a noisy measurement of a pain level we cannot see.

Model (a local-level state-space model; Durbin and Koopman 2012, chapter 2):

* state: ``x_t = x_(t-1) + w_t`` with ``w_t ~ N(0, q_t)``; ``q_t`` is the process variance
  (``process_sd_points_per_day`` squared) and gains ``jump_sd_points`` squared on every infusion
  day, because a session is a known intervention after which the level may drop at once;
* measurement: the day's mean pain ``y_t = x_t + v_t`` with ``v_t ~ N(0, r / n_t)`` where
  ``n_t`` is the number of entries that day and ``r`` the patient's own entry-to-entry noise
  variance, estimated from their diary before the first infusion (:func:`noise_variance`);
  days without an entry, and days the patient marked as a flare, carry no measurement.

The Kalman filter and the Rauch-Tung-Striebel smoother give, for every day, the posterior mean
and variance of the level given the whole diary; relief onset, relief end and their intervals
are read off that posterior (``relief.py``). This module holds the numpy reference: the
recursion runs over days, vectorised over patients (a ``days x patients`` matrix), or a
plain-float loop for one patient. For a cohort of ``COMPILED_FROM_PATIENTS`` or more the work
is done by the compiled kernels of ``kernels.py`` (numba), written operation for operation like
the reference and tested to give the same bits; smaller ones (one patient's page, a small
clinic) run the reference, which is then as fast and spares the process numba's import and
compilation (seconds on a machine's first call). ``compiled`` forces either way.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.stats import chi2

from tenderpoint.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
EPOCH: Final = dt.date(1970, 1, 1)
# Where the compiled kernels start to pay for numba's import and (first) compilation.
COMPILED_FROM_PATIENTS: Final = 500
LATENT_CITATION: Final = (
    "Durbin J, Koopman SJ. Time Series Analysis by State Space Methods, 2nd ed. Oxford "
    "University Press 2012 (local level model, Kalman filter and smoother, chapter 2)."
)


@dataclass(frozen=True)
class LatentLevelModel:
    """Declared settings of the latent-level model (versioned; stored with each result).

    Attributes
    ----------
    process_sd_points_per_day : float
        How far the true level may drift from one day to the next (SD, points).
    jump_sd_points : float
        Extra SD allowed on an infusion day (the level may drop at once after a session).
    noise_window_days : int
        Days before the first infusion used to estimate the patient's own noise.
    noise_prior_sd_points : float
        Noise SD assumed before any diary day is seen (about 1 point, the typical day-to-day
        spread of a 0-10 rating).
    noise_prior_days : float
        Weight of that assumption, in diary days: the patient's own days dominate from about
        this many on.
    noise_floor_sd_points : float
        Smallest noise SD accepted (whole-number scores carry at least the rounding error,
        SD 0.29).
    robust_z : float or None
        Days whose pain lies more than this many noise SDs above the level of the previous
        pass carry no measurement in the next (``robust_passes`` passes), so an undeclared
        flare neither lifts the level nor ends relief; None: one pass.
    robust_passes : int
        Number of such passes.
    flare_max_days : int
        Only runs of such days up to this long are set aside (days without an entry neither
        break nor lengthen a run): a worsening that lasts longer is a change of level - relief
        ending - not a flare.
    """

    process_sd_points_per_day: float = 0.2
    jump_sd_points: float = 2.5
    noise_window_days: int = 28
    noise_prior_sd_points: float = 1.0
    noise_prior_days: float = 4.0
    noise_floor_sd_points: float = 0.29
    robust_z: float | None = 1.5
    robust_passes: int = 2
    flare_max_days: int = 14
    version: str = "tenderpoint-latent-level/1.0"
    citation: str = LATENT_CITATION

    def __post_init__(self) -> None:
        for name in (
            "process_sd_points_per_day",
            "jump_sd_points",
            "noise_prior_sd_points",
            "noise_floor_sd_points",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidInputError(
                    f"{name} must be a positive number.", code="out_of_range", field=name
                )
        if self.noise_window_days < 1 or self.noise_prior_days < 0:
            raise InvalidInputError(
                "noise_window_days must be >= 1 and noise_prior_days >= 0.",
                code="out_of_range",
                field="noise_window_days",
            )

    def as_dict(self) -> dict[str, Any]:
        """Plain form (for stored results)."""
        return asdict(self)


DEFAULT_LATENT_MODEL: Final = LatentLevelModel()
_TRIM_KEEP: Final = 0.8
# mean of a chi-square(1) variable below its 80th centile: E[X; X <= q] = P(chi2_3 <= q)
_TRIMMED_CHI2_MEAN: Final = float(chi2.cdf(chi2.ppf(_TRIM_KEEP, 1), 3) / _TRIM_KEEP)


@dataclass(frozen=True)
class DailyMatrix:
    """A clinic's diary as dense ``days x patients`` arrays (day 0 = ``start_date``).

    ``pain`` is the mean of the day's entries (NaN when none), ``n_entries`` their number,
    ``declared_flare`` whether any entry marked a flare, ``first_entry_s`` the UTC time of the
    day's first entry in seconds since 1970 (NaN when none).
    """

    patient_ids: tuple[str, ...]
    start_date: dt.date
    pain: FloatArray
    n_entries: IntArray
    declared_flare: npt.NDArray[np.bool_]
    first_entry_s: FloatArray

    @property
    def n_days(self) -> int:
        """Number of days in the grid."""
        return int(self.pain.shape[0])

    @cached_property
    def written_days(self) -> tuple[IntArray, IntArray]:
        """First and last grid day with an entry of each column (-1: none), read once per
        matrix from patient-major memory (the baselines, the relief grid and the end of
        follow-up each asked the whole ``days x patients`` matrix for them)."""
        written = np.asarray(self.n_entries).T > 0  # patients x days
        d = written.shape[1]
        has = written.any(axis=1)
        first = np.where(has, written.argmax(axis=1), -1).astype(np.int64)
        last = np.where(has, d - 1 - written[:, ::-1].argmax(axis=1), -1).astype(np.int64)
        return first, last

    def day_index(self, dates: pl.Series) -> IntArray:
        """Grid index of each date."""
        days = dates.cast(pl.Date).to_physical().to_numpy().astype(np.int64)
        return days - (self.start_date - EPOCH).days


def daily_matrix(
    diary: pl.DataFrame,
    patient_ids: list[str] | tuple[str, ...],
    *,
    first_date: dt.date | None = None,
    last_date: dt.date | None = None,
    compiled: bool | None = None,
) -> DailyMatrix:
    """Build the dense matrix of daily mean pain from validated diary entries (``bincount``;
    with ``compiled``, the same sums in one compiled pass, ``kernels.daily_arrays``).

    Parameters
    ----------
    diary : polars.DataFrame
        Validated diary (any patient not in ``patient_ids`` is an error).
    patient_ids : sequence of str
        Column order of the matrix.
    first_date, last_date : date, optional
        Extend the grid to cover these dates (for example the infusions).

    Returns
    -------
    DailyMatrix
    """
    ids = tuple(patient_ids)
    n = len(ids)
    if compiled is None:
        compiled = n >= COMPILED_FROM_PATIENTS
    local_days = diary["local_date"].to_physical()
    lo_candidates = [int(local_days.min())] if diary.height else []  # type: ignore[arg-type]
    hi_candidates = [int(local_days.max())] if diary.height else []  # type: ignore[arg-type]
    if first_date is not None:
        lo_candidates.append((first_date - EPOCH).days)
    if last_date is not None:
        hi_candidates.append((last_date - EPOCH).days)
    if not lo_candidates:
        lo_candidates, hi_candidates = [0], [0]
    lo, hi = min(lo_candidates), max(hi_candidates)
    d = hi - lo + 1
    if n == 1:
        if diary.height and not (diary["patient_id"] == ids[0]).all():
            raise InvalidInputError(
                "The diary holds a patient other than the one analysed.",
                code="unknown_patient",
                field="patient_id",
            )
        col = np.zeros(diary.height, dtype=np.int64)
    else:
        col = _column_codes(diary["patient_id"], ids)
    if compiled:
        return _compiled_matrix(diary, ids, col, lo, d)
    return _numpy_matrix(diary, ids, col, diary["pain"].is_not_null().to_numpy(), lo, d)


def _numpy_matrix(
    diary: pl.DataFrame,
    ids: tuple[str, ...],
    col: IntArray,
    keep: npt.NDArray[np.bool_],
    lo: int,
    d: int,
) -> DailyMatrix:
    """The daily matrix with numpy's ``bincount`` (the reference of the compiled pass)."""
    n = len(ids)
    col = col.astype(np.int64, copy=False)
    local = diary["local_date"].to_physical().to_numpy().astype(np.int64)
    flat = (local - lo) * n + col
    size = d * n
    pain = diary["pain"].fill_null(0.0).to_numpy().astype(np.float64)
    total = np.bincount(flat[keep], weights=pain[keep], minlength=size)
    count = np.bincount(flat[keep], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    flare = diary["flare"].fill_null(False).to_numpy().astype(bool)
    declared = np.bincount(flat[flare], minlength=size) > 0
    first = np.full(size, np.nan)
    seconds = diary["recorded_at"].dt.epoch("us").to_numpy().astype(np.float64) / 1e6
    # later rows are written first so that the earliest entry of a day is the one that stays;
    # validated diaries are sorted by patient and time, so no sort is needed then
    step_col, step_s = np.diff(col), np.diff(seconds)
    if bool(np.all((step_col > 0) | ((step_col == 0) & (step_s >= 0)))):
        order = np.arange(col.size)[::-1]
    else:
        order = np.lexsort((seconds, col))[::-1]
    first[flat[order]] = seconds[order]
    return DailyMatrix(
        patient_ids=ids,
        start_date=EPOCH + dt.timedelta(days=lo),
        pain=mean.reshape(d, n),
        n_entries=count.reshape(d, n).astype(np.int64),
        declared_flare=declared.reshape(d, n),
        first_entry_s=first.reshape(d, n),
    )


def _compiled_matrix(
    diary: pl.DataFrame,
    ids: tuple[str, ...],
    col: IntArray,
    lo: int,
    n_days: int,
) -> DailyMatrix:
    from tenderpoint.outcomes.kernels import daily_arrays

    pain = diary["pain"]
    # a validated diary has a pain score in every entry: no mask to build then (empty)
    keep = pain.is_not_null().to_numpy() if pain.null_count() else np.empty(0, dtype=bool)
    mean, count, declared, first = daily_arrays(
        diary["local_date"].to_physical().to_numpy(),
        col,
        keep,
        (pain.fill_null(0.0) if pain.null_count() else pain).to_numpy(),
        diary["flare"].fill_null(False).to_numpy(),
        diary["recorded_at"].dt.epoch("us").to_numpy(),
        lo=lo,
        n_days=n_days,
        n_patients=len(ids),
    )
    return DailyMatrix(ids, EPOCH + dt.timedelta(days=lo), mean, count, declared, first)


def _column_codes(patient_id: pl.Series, ids: tuple[str, ...]) -> IntArray:
    """Matrix column of each row; an Enum key whose categories are ``ids`` (the cohort
    summary's key) is used as it is, without casting millions of strings."""
    dtype = patient_id.dtype
    if isinstance(dtype, pl.Enum) and tuple(dtype.categories.to_list()) == ids:
        codes = patient_id.to_physical()
    else:
        codes = patient_id.cast(pl.String).cast(pl.Enum(list(ids))).to_physical()
    out: IntArray = codes.to_numpy()
    return out


def take_cells(a: npt.NDArray[Any], day: IntArray, cols: IntArray) -> npt.NDArray[Any]:
    """``a[day, cols]`` of a ``days x patients`` array, as a C-ordered array.

    When ``a`` is a view of patient-major memory (the compiled daily matrix), the cells are
    read patient by patient, in memory order: the same values, without a cache miss per cell
    on a matrix just built (10,000 patients' windows of a few days)."""
    if a.flags.f_contiguous and not a.flags.c_contiguous:
        day_b, cols_b = np.broadcast_arrays(day, cols)
        return np.ascontiguousarray(a.T[cols_b.T, day_b.T].T)
    out: npt.NDArray[Any] = a[day, cols]
    return out


def noise_variance(
    pain: FloatArray,
    n_entries: IntArray,
    first_infusion_day: IntArray,
    model: LatentLevelModel = DEFAULT_LATENT_MODEL,
) -> tuple[FloatArray, IntArray]:
    """Each patient's entry-level noise variance from the days before the first infusion.

    Uses the changes between consecutive diary days in the ``noise_window_days`` before the
    first infusion: a change ``y_t - y_(t-1)`` has variance ``r (1/n_t + 1/n_(t-1))`` when the
    level holds, so each squared change divided by that factor estimates ``r``. The largest
    fifth are dropped (a flare or a relief that started makes a few large changes, not many)
    and the trimmed mean is rescaled to the full chi-square mean. The estimate is combined
    with the prior (``noise_prior_sd_points`` with weight ``noise_prior_days``) and floored.

    Parameters
    ----------
    pain, n_entries : numpy.ndarray
        ``days x patients`` daily means (NaN = no entry) and entry counts.
    first_infusion_day : numpy.ndarray of int
        Grid day of each patient's first infusion (>= number of days: none).

    Returns
    -------
    (variance, pairs_used) : tuple of numpy.ndarray
        Variance in points squared and the number of day pairs it was estimated from.
    """
    d, n = pain.shape
    # the days first - 1 ... first - noise_window_days, read once: row r is lag r + 1; a
    # pair (day, day before) is rows (r, r + 1) (cells off the grid are masked below)
    back = first_infusion_day[None, :] - np.arange(1, model.noise_window_days + 1)[:, None]
    at = np.clip(back, 0, d - 1)
    cols = np.broadcast_to(np.arange(n)[None, :], at.shape)
    counts, values = take_cells(n_entries, at, cols), take_cells(pain, at, cols)
    day = back[:-1]  # (window - 1, patients): lags 1 .. window - 1
    inside = (day >= 1) & (day < d)
    n_now, n_before = counts[:-1], counts[1:]
    both = inside & (n_now > 0) & (n_before > 0)
    factor = 1.0 / np.maximum(n_now, 1) + 1.0 / np.maximum(n_before, 1)
    with np.errstate(invalid="ignore"):
        ratio = (values[:-1] - values[1:]) ** 2 / factor
    ratio = np.sort(np.where(both, ratio, np.inf), axis=0)
    k = both.sum(axis=0)
    keep = np.floor(_TRIM_KEEP * k).astype(np.int64)
    rank = np.arange(ratio.shape[0])[:, None]
    total = np.where(rank < keep[None, :], ratio, 0.0).sum(axis=0)
    estimate = np.where(keep > 0, total / np.maximum(keep, 1) / _TRIMMED_CHI2_MEAN, 0.0)
    prior_var = model.noise_prior_sd_points**2
    weight = model.noise_prior_days
    var = np.where(
        k + weight > 0,
        (k * estimate + weight * prior_var) / np.maximum(k + weight, 1e-12),
        prior_var,
    )
    return np.maximum(var, model.noise_floor_sd_points**2), k.astype(np.int64)


def noise_variance_one(
    pain: FloatArray,
    n_entries: IntArray,
    first_infusion_day: int,
    model: LatentLevelModel = DEFAULT_LATENT_MODEL,
) -> float:
    """:func:`noise_variance` of one patient's day grid (1-D ``pain`` and ``n_entries``):
    the same operations on the window's few Python floats (each a float64 operation, as
    numpy's on one column), the trimmed total by numpy's sum of the same sorted column, so
    the same bits (``test_latent.py`` compares); about a tenth of the matrix version's
    cost for one column."""
    d = pain.size
    window = model.noise_window_days
    back = [first_infusion_day - lag for lag in range(1, window + 1)]
    at = [min(max(day, 0), d - 1) for day in back]
    counts: list[int] = n_entries[at].tolist() if d else [0] * window
    values: list[float] = pain[at].tolist() if d else [math.nan] * window
    ratios = []
    for r in range(window - 1):
        n_now, n_before = counts[r], counts[r + 1]
        if 1 <= back[r] < d and n_now > 0 and n_before > 0:
            change = values[r] - values[r + 1]
            ratios.append(change * change / (1.0 / n_now + 1.0 / n_before))
    k = len(ratios)
    ratios.sort()
    keep = math.floor(_TRIM_KEEP * k)
    kept = ratios[:keep] + [0.0] * (window - 1 - keep)  # the column numpy sums
    total = float(np.add.reduce(np.array(kept, dtype=np.float64))) if kept else 0.0
    estimate = total / max(keep, 1) / _TRIMMED_CHI2_MEAN if keep > 0 else 0.0
    prior_var = model.noise_prior_sd_points**2
    weight = model.noise_prior_days
    if k + weight > 0:
        var = (k * estimate + weight * prior_var) / max(k + weight, 1e-12)
    else:
        var = prior_var
    floor = model.noise_floor_sd_points**2
    return var if var >= floor or var != var else floor


def same_noise_settings(a: LatentLevelModel, b: LatentLevelModel) -> bool:
    """Whether two models estimate the noise variance alike (:func:`noise_variance` reads
    only these settings), so one estimate serves both."""
    fields = (
        "noise_window_days",
        "noise_prior_sd_points",
        "noise_prior_days",
        "noise_floor_sd_points",
    )
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def first_session_days(matrix: DailyMatrix, sessions: pl.DataFrame) -> IntArray:
    """Grid day of each matrix column's first session (``n_days``: none); ``sessions``'
    ``patient_id`` is an Enum whose categories are the matrix columns."""
    first = np.full(len(matrix.patient_ids), matrix.n_days, dtype=np.int64)
    if sessions.height:
        cols = _column_codes(sessions["patient_id"], matrix.patient_ids).astype(np.int64)
        np.minimum.at(first, cols, matrix.day_index(sessions["local_date"]))
    return first


def smooth_level(
    y: FloatArray, precision: FloatArray, process_var: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Kalman filter and Rauch-Tung-Striebel smoother of a local-level model.

    Parameters
    ----------
    y : numpy.ndarray
        ``days x patients`` measurements (any value where ``precision`` is 0).
    precision : numpy.ndarray
        Inverse measurement variance per day (0 = no measurement).
    process_var : numpy.ndarray
        Variance of the level's change into each day (``days x patients``).

    Returns
    -------
    (mean, variance) : tuple of numpy.ndarray
        Posterior mean and variance of the level on every day given the whole series.
    """
    if y.shape[1] == 1:
        return _smooth_one(y[:, 0], precision[:, 0], process_var[:, 0])
    d, n = y.shape
    mf = np.empty((d, n))
    pf = np.empty((d, n))
    pp = np.empty((d, n))
    m = np.full(n, 5.0)
    p = np.full(n, 100.0)
    for t in range(d):
        p_pred = p + process_var[t]
        g = p_pred * precision[t]
        gain = g / (1.0 + g)
        m = m + gain * (y[t] - m)
        p = p_pred / (1.0 + g)
        pp[t] = p_pred
        mf[t] = m
        pf[t] = p
    # smoothing in place (row t is read before it is overwritten): two fewer big arrays
    for t in range(d - 2, -1, -1):
        j = pf[t] / pp[t + 1]
        mf[t] += j * (mf[t + 1] - mf[t])
        pf[t] += j * j * (pf[t + 1] - pp[t + 1])
    return mf, pf


def _smooth_one(
    y: FloatArray, precision: FloatArray, process_var: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The same recursion for one patient with plain floats (numpy is slow on scalars)."""
    ys, hs, qs = y.tolist(), precision.tolist(), process_var.tolist()
    d = len(ys)
    mf, pf, pp = [0.0] * d, [0.0] * d, [0.0] * d
    m, p = 5.0, 100.0
    for t in range(d):
        p_pred = p + qs[t]
        g = p_pred * hs[t]
        m = m + g / (1.0 + g) * (ys[t] - m)
        p = p_pred / (1.0 + g)
        pp[t], mf[t], pf[t] = p_pred, m, p
    ms, ps = mf[:], pf[:]
    for t in range(d - 2, -1, -1):
        j = pf[t] / pp[t + 1]
        ms[t] = mf[t] + j * (ms[t + 1] - mf[t])
        ps[t] = pf[t] + j * j * (ps[t + 1] - pp[t + 1])
    return np.array(ms)[:, None], np.array(ps)[:, None]


def latent_level(
    matrix: DailyMatrix,
    first_infusion_day: IntArray,
    session_days: npt.NDArray[np.bool_],
    model: LatentLevelModel = DEFAULT_LATENT_MODEL,
    *,
    compiled: bool | None = None,
    columns: IntArray | None = None,
    noise_var: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Posterior level of every patient and day, and each patient's noise variance.

    Parameters
    ----------
    matrix : DailyMatrix
        Daily means.
    first_infusion_day : numpy.ndarray of int
        Grid day of each patient's first infusion (negative: none).
    session_days : numpy.ndarray of bool
        ``days x patients``: an infusion session on that local date.
    model : LatentLevelModel
        Declared settings.
    compiled : bool, optional
        Use the compiled kernel (``kernels.py``, bit-identical); false runs this module's
        numpy reference, which the tests hold the kernel to. Default: compiled from
        ``COMPILED_FROM_PATIENTS`` patients.
    columns : numpy.ndarray of int, optional
        Smooth only these patients' columns (the cohort summary's patients with a baseline,
        read from the whole clinic's matrix without copying it); the other columns' level is
        NaN. Each column's result is the same as when every column is smoothed.
    noise_var : numpy.ndarray, optional
        :func:`noise_variance` of every column (``model``'s settings, ``first_infusion_day``)
        when the caller has it already (the cohort summary estimates it once for the
        responses and the relief); estimated here otherwise.

    Returns
    -------
    (mean, variance, noise_var) : tuple of numpy.ndarray
    """
    if noise_var is None:
        noise_var, _ = noise_variance(matrix.pain, matrix.n_entries, first_infusion_day, model)
    if compiled is None:
        n_smoothed = matrix.pain.shape[1] if columns is None else len(columns)
        compiled = n_smoothed >= COMPILED_FROM_PATIENTS
    if not compiled and columns is not None:
        mean, var, noise_var = latent_level(
            matrix, first_infusion_day, session_days, model, compiled=False, noise_var=noise_var
        )
        skipped = np.ones(mean.shape[1], dtype=bool)
        skipped[columns] = False
        mean[:, skipped] = np.nan
        var[:, skipped] = np.nan
        return mean, var, noise_var
    if compiled:
        from tenderpoint.outcomes.kernels import latent_level_columns

        mean, var = latent_level_columns(
            matrix.pain,
            matrix.n_entries,
            matrix.declared_flare,
            session_days,
            noise_var,
            q_session=model.jump_sd_points**2,
            q_plain=model.process_sd_points_per_day**2,
            cut=model.robust_z if model.robust_z is not None else np.inf,
            passes=model.robust_passes if model.robust_z is not None else 0,
            max_days=model.flare_max_days,
            columns=columns,
        )
        return mean, var, noise_var
    usable = (matrix.n_entries > 0) & ~matrix.declared_flare
    precision = np.where(usable, matrix.n_entries / noise_var[None, :], 0.0)
    y = np.where(usable, matrix.pain, 0.0)
    q = np.where(session_days, model.jump_sd_points**2, 0.0) + model.process_sd_points_per_day**2
    mean, var = smooth_level(y, precision, q)
    cut = model.robust_z if model.robust_z is not None else np.inf
    for _ in range(model.robust_passes if model.robust_z is not None else 0):
        # days far above the level (an undeclared flare, a bad day) carry no measurement in
        # the next pass, so a flare neither lifts the level nor ends relief
        z = (y - mean) * np.sqrt(precision)
        high = _short_runs(z > cut, precision == 0, model.flare_max_days, session_days)
        mean, var = smooth_level(y, np.where(high, 0.0, precision), q)
    return mean, var, noise_var


def _short_runs(
    flag: npt.NDArray[np.bool_],
    neutral: npt.NDArray[np.bool_],
    max_days: int,
    sessions: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """``flag`` where its run (along days, ``neutral`` days bridged) is at most ``max_days``
    long and does not last until the day before an infusion (pain that stays up until the
    next session is relief ending, which is why the session was given)."""
    d, n = flag.shape
    breaks = ~(flag | neutral)
    run = np.cumsum(breaks, axis=0)
    key = (run * n + np.arange(n)[None, :]).ravel()
    length = np.bincount(key, weights=flag.ravel().astype(np.float64))
    before_session = np.zeros_like(flag)
    before_session[:-1] = sessions[1:]
    touches = np.bincount(key, weights=((flag | neutral) & before_session).ravel().astype(float))
    short = (length[key] <= max_days) & (touches[key] == 0)
    out: npt.NDArray[np.bool_] = flag & short.reshape(d, n)
    return out


def patient_level(
    daily_one: pl.DataFrame,
    session_dates: list[dt.date],
    model: LatentLevelModel = DEFAULT_LATENT_MODEL,
    *,
    last_date: dt.date | None = None,
) -> tuple[dt.date, FloatArray, IntArray, FloatArray, FloatArray, float]:
    """One patient's latent level from their daily values (``contracts.daily_values``).

    Returns ``(first grid date, daily pain, entries per day, mean, variance, noise
    variance)``; the grid runs from the earlier of the first diary day and the first session
    to the later of the last diary day, the last session and ``last_date``.
    """
    dates = daily_one["local_date"].to_physical().to_numpy().astype(np.int64)
    marks = [(x - EPOCH).days for x in session_dates]
    if last_date is not None:
        marks.append((last_date - EPOCH).days)
    lo = int(min([*dates.tolist(), *marks])) if dates.size or marks else 0
    hi = int(max([*dates.tolist(), *marks])) if dates.size or marks else 0
    d = hi - lo + 1
    pain = np.full(d, np.nan)
    count = np.zeros(d, dtype=np.int64)
    flare = np.zeros(d, dtype=bool)
    has_pain = daily_one["pain"].is_not_null().to_numpy()
    idx = dates - lo
    pain[idx[has_pain]] = daily_one["pain"].to_numpy()[has_pain]
    count[idx[has_pain]] = daily_one["n_entries"].to_numpy()[has_pain]
    flare[idx] = daily_one["flare"].fill_null(False).to_numpy()
    first_day = np.array([min(marks[: len(session_dates)]) - lo if session_dates else d])
    sessions = np.zeros((d, 1), dtype=bool)
    sessions[[m - lo for m in marks[: len(session_dates)]], 0] = True
    matrix = DailyMatrix(
        ("one",),
        EPOCH + dt.timedelta(days=lo),
        pain[:, None],
        count[:, None],
        flare[:, None],
        np.full((d, 1), np.nan),
    )
    mean, var, noise_var = latent_level(matrix, first_day, sessions, model)
    return matrix.start_date, pain, count, mean[:, 0], var[:, 0], float(noise_var[0])
