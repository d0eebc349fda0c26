"""Baselines and follow-up windows read off the dense ``days x patients`` matrix (cohort path).

The cohort summary needs, for 10,000 patients x 730 days (6.9 million entries), the mean pain
of a handful of short windows per patient. Joining and filtering millions of daily rows to get
them cost most of the summary's time; the matrix of daily means (``latent.daily_matrix``, one
``bincount``) is built once for the latent level anyway, and each window is then a gather of
at most seven rows per patient.

The results are those of ``baseline.baseline_scores`` and ``response.window_responses`` on
``contracts.daily_values`` (mean rule) of the same validated diary: the same daily means, the
same days, summed in date order; only the final frames are assembled by the same polars code
(``assemble_baselines``, ``finish_window_rows``). ``tests/outcomes/test_dense.py`` compares the
two paths on synthetic cohorts. Only the pain score is carried (the summary without
assessments); FM30 needs the secondary scores and takes the row path.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tenderpoint.outcomes.baseline import (
    SECONDARY_SCORES,
    BaselineRule,
    assemble_baselines,
    first_sessions,
)
from tenderpoint.outcomes.latent import (
    DEFAULT_LATENT_MODEL,
    EPOCH,
    DailyMatrix,
    FloatArray,
    IntArray,
    first_session_days,
    noise_variance,
)
from tenderpoint.outcomes.response import (
    NOISE_WINDOW_DAYS,
    RESPONSE_ITEMS,
    FollowUpWindow,
    finish_window_rows,
    pre_infusion_noise_var,
    response_base,
    window_grid,
)


def _columns(matrix: DailyMatrix, patient_id: pl.Series) -> IntArray:
    """Matrix column of each patient (the key is an Enum whose categories are the columns)."""
    dtype = patient_id.dtype
    if not (isinstance(dtype, pl.Enum) and tuple(dtype.categories.to_list()) == matrix.patient_ids):
        raise ValueError("the patient key must be an Enum of the matrix columns")
    return patient_id.to_physical().to_numpy().astype(np.int64)


def window_stats(
    pain: FloatArray, cols: IntArray, anchor: IntArray, first_offset: int, last_offset: int
) -> tuple[IntArray, FloatArray]:
    """Days with a value and their mean pain in ``anchor + first_offset .. anchor +
    last_offset`` (grid days, inclusive) of each column; the sum runs in date order."""
    from tenderpoint.outcomes.latent import take_cells

    offsets = np.arange(first_offset, last_offset + 1)[:, None]
    day = anchor[None, :] + offsets
    inside = (day >= 0) & (day < pain.shape[0])
    values = take_cells(pain, np.clip(day, 0, pain.shape[0] - 1), cols[None, :])
    present = inside & ~np.isnan(values)
    n_days = present.sum(axis=0).astype(np.int64)
    total = np.where(present, values, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n_days
    return n_days, mean


def secondary_matrices(diary: pl.DataFrame, matrix: DailyMatrix) -> dict[str, FloatArray]:
    """Daily means of the secondary scores on ``matrix``'s grid (for FM30)."""
    from tenderpoint.outcomes.kernels import score_means

    day = diary["local_date"].to_physical().to_numpy()
    col = _columns(matrix, diary["patient_id"])
    lo = (matrix.start_date - EPOCH).days
    return {
        s: score_means(
            day,
            col,
            diary[s].cast(pl.Float64).to_numpy(),
            lo=lo,
            n_days=matrix.n_days,
            n_patients=len(matrix.patient_ids),
        )
        for s in SECONDARY_SCORES
    }


def _score_column(
    name: str,
    secondary: dict[str, FloatArray] | None,
    score: str,
    cols: IntArray,
    anchor: IntArray,
    offsets: tuple[int, int],
) -> pl.Series | pl.Expr:
    if secondary is None:
        return pl.lit(None, dtype=pl.Float64).alias(name)
    _, mean = window_stats(secondary[score], cols, anchor, *offsets)
    return pl.Series(name, mean, dtype=pl.Float64, nan_to_null=True)


def dense_baselines(
    matrix: DailyMatrix,
    sessions: pl.DataFrame,
    rule: BaselineRule | None = None,
    secondary: dict[str, FloatArray] | None = None,
) -> pl.DataFrame:
    """``baseline.baseline_scores`` of the diary in ``matrix``; the secondary baselines come
    from ``secondary`` (:func:`secondary_matrices`) or are null, as with
    ``daily_values(..., scores=("pain",))``."""
    rule = rule or BaselineRule()
    first = first_sessions(sessions)
    key = sessions["patient_id"].dtype
    columns_with_diary = np.flatnonzero(matrix.written_days[1] >= 0)
    with_diary = pl.Series(
        "patient_id", [matrix.patient_ids[i] for i in columns_with_diary.tolist()], dtype=pl.String
    ).cast(key)
    ids = pl.concat([with_diary.to_frame(), first.select("patient_id")], how="vertical").unique()
    cols = _columns(matrix, first["patient_id"])
    anchor = matrix.day_index(first["first_infusion_date"])
    n_days, mean = window_stats(matrix.pain, cols, anchor, -rule.window_days, -1)
    window = (
        first.select("patient_id")
        .with_columns(
            pl.Series("baseline_days", n_days, dtype=pl.Int64),
            pl.Series("baseline_pain", mean, dtype=pl.Float64, nan_to_null=True),
            *(
                _score_column(f"baseline_{s}", secondary, s, cols, anchor, (-rule.window_days, -1))
                for s in SECONDARY_SCORES
            ),
        )
        .filter(pl.col("baseline_days") > 0)
    )
    return assemble_baselines(ids, first, window, rule)


def dense_responses(
    matrix: DailyMatrix,
    baselines: pl.DataFrame,
    windows: tuple[FollowUpWindow, ...],
    secondary: dict[str, FloatArray] | None = None,
    noise_var: FloatArray | None = None,
) -> pl.DataFrame:
    """``response.window_responses`` of the diary in ``matrix`` (secondary scores from
    ``secondary`` or null; ``noise_var``: :func:`cohort_noise_variance` when already
    estimated, else estimated here).

    The window means are written straight into the patient x window grid
    (``response.window_grid``, patient-major) as numpy columns: the rows the frame path
    gets by joining its window means onto that grid (a patient with no diary day in a
    window: ``n_days`` 0 and null means), without building a frame per window and joining
    110,000 rows on (patient, window) strings."""
    base = response_base(baselines)
    cols = _columns(matrix, base["patient_id"])
    anchors = {
        "first_infusion": matrix.day_index(base["first_infusion_date"]),
        "induction_end": matrix.day_index(base["induction_end_date"]),
    }
    shape = (base.height, len(windows))
    n_days = np.zeros(shape, dtype=np.int64)
    means = {s: np.full(shape, np.nan) for s in RESPONSE_ITEMS}
    for j, w in enumerate(windows):
        span = (w.start_day, w.end_day)
        n_days[:, j], means["pain"][:, j] = window_stats(
            matrix.pain, cols, anchors[w.anchor], *span
        )
        for s, daily in (secondary or {}).items():
            means[s][:, j] = window_stats(daily, cols, anchors[w.anchor], *span)[1]
    empty = n_days == 0  # no row in the frame path's window means: null after its join
    if noise_var is None:
        base_noise = _pre_infusion_noise_var(matrix, cols, anchors["first_infusion"])
    else:
        base_noise = noise_var[cols]
    rows = window_grid(base, windows, base_noise).with_columns(
        pl.Series("n_days", n_days.ravel(), dtype=pl.Int64),
        *(
            pl.Series(s, np.where(empty, np.nan, means[s]).ravel(), nan_to_null=True)
            if s == "pain" or secondary is not None
            else pl.lit(None, dtype=pl.Float64).alias(s)
            for s in RESPONSE_ITEMS
        ),
    )
    return finish_window_rows(rows)


def _pre_infusion_noise_var(matrix: DailyMatrix, cols: IntArray, first: IntArray) -> FloatArray:
    """``response.pre_infusion_noise_var`` of the columns ``cols`` (first infusion on grid
    day ``first``): the same block of days the frame path builds."""
    day = first[None, :] + np.arange(-NOISE_WINDOW_DAYS, 0)[:, None]
    inside = (day >= 0) & (day < matrix.n_days)
    at = np.clip(day, 0, matrix.n_days - 1)
    pain = np.where(inside, matrix.pain[at, cols[None, :]], np.nan)
    count = np.where(inside & ~np.isnan(pain), matrix.n_entries[at, cols[None, :]], 0)
    return pre_infusion_noise_var(pain, count.astype(np.int64))


def cohort_noise_variance(matrix: DailyMatrix, sessions: pl.DataFrame) -> FloatArray:
    """Each matrix column's noise variance from the days before its first session
    (``latent.noise_variance``, default model; columns without a session: from the grid's
    last days, as ``relief.latent_cohort`` gives them): computed once for the summary, it is
    the responses' ``response.pre_infusion_noise_var`` (the same days, read in place rather
    than as a block) and the relief step's estimate when its model estimates noise alike."""
    first = first_session_days(matrix, sessions)
    var, _ = noise_variance(matrix.pain, matrix.n_entries, first, DEFAULT_LATENT_MODEL)
    return var
