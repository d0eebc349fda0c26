"""The compiled latent-level kernel against the numpy reference: bit for bit.

``latent.latent_level(..., compiled=False)`` is the reference (numpy across patients, or the
plain-float loop for one patient); the kernel must give exactly the same posterior, including
the robust passes that set aside short runs of high days and the runs that reach the day
before a session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import polars as pl
import pytest

from tenderpoint.outcomes.latent import (
    DEFAULT_LATENT_MODEL,
    EPOCH,
    DailyMatrix,
    latent_level,
)


def _matrix(seed: int, n_days: int, n_patients: int) -> tuple[DailyMatrix, np.ndarray, np.ndarray]:
    """Whole-number diaries with missed days, two entries on some days, declared flares,
    runs of high days (undeclared flares) of several lengths and an induction plus boosters."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(3, 8, n_patients)[None, :] * np.ones((n_days, 1))
    first = rng.integers(10, 30, n_patients)
    days = np.arange(n_days)[:, None]
    level = np.where(days >= first[None, :], level * rng.uniform(0.3, 1.0, n_patients), level)
    for _ in range(3):  # high runs of 2-20 days
        start = rng.integers(0, n_days, n_patients)
        length = rng.integers(2, 21, n_patients)
        level = level + np.where((days >= start) & (days < start + length), 3.0, 0.0)
    noise = rng.normal(0, rng.uniform(0.5, 1.5, n_patients), (n_days, n_patients))
    pain = np.clip(np.round(level + noise), 0, 10)
    n_entries = rng.choice([0, 1, 2], size=(n_days, n_patients), p=[0.12, 0.63, 0.25])
    n_entries[:, -1] = 0  # one patient who never writes
    pain = np.where(n_entries > 0, pain + np.where(n_entries == 2, 0.5, 0.0), np.nan)
    declared = (rng.random((n_days, n_patients)) < 0.02) & (n_entries > 0)
    sessions = np.zeros((n_days, n_patients), dtype=bool)
    cols = np.arange(n_patients)
    for k in range(5):
        sessions[np.minimum(first + k, n_days - 1), cols] = True
    booster = first + rng.integers(40, 90, n_patients)
    sessions[booster[booster < n_days], cols[booster < n_days]] = True
    matrix = DailyMatrix(
        tuple(f"p{i}" for i in range(n_patients)),
        EPOCH,
        pain,
        n_entries.astype(np.int64),
        declared,
        np.full((n_days, n_patients), np.nan),
    )
    return matrix, first.astype(np.int64), sessions


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("n_patients", [1, 7, 70])
def test_kernel_equals_numpy_reference(seed, n_patients):
    matrix, first, sessions = _matrix(seed, 200, n_patients)
    fast = latent_level(matrix, first, sessions)
    reference = latent_level(matrix, first, sessions, compiled=False)
    for a, b in zip(fast, reference, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "changes",
    [
        {"robust_z": None},
        {"robust_passes": 4, "robust_z": 1.0, "flare_max_days": 3},
        {"jump_sd_points": 0.5, "process_sd_points_per_day": 0.05},
    ],
)
def test_kernel_equals_reference_under_other_settings(changes):
    model = dataclasses.replace(DEFAULT_LATENT_MODEL, **changes)
    matrix, first, sessions = _matrix(5, 150, 40)
    fast = latent_level(matrix, first, sessions, model)
    reference = latent_level(matrix, first, sessions, model, compiled=False)
    for a, b in zip(fast, reference, strict=True):
        np.testing.assert_array_equal(a, b)


def test_robust_passes_change_the_level():
    # the comparison above would be empty if the passes set nothing aside
    matrix, first, sessions = _matrix(6, 150, 40)
    plain = dataclasses.replace(DEFAULT_LATENT_MODEL, robust_z=None)
    robust = latent_level(matrix, first, sessions)[0]
    assert not np.array_equal(robust, latent_level(matrix, first, sessions, plain)[0])


@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_daily_matrix_equals_bincount_reference(seed):
    from tenderpoint.outcomes.latent import daily_matrix
    from tenderpoint.outcomes.synthetic import generate_cohort

    from .independent_generator import generate

    for cohort in (generate(n_patients=40, n_days=120, seed=seed), generate_cohort(30, 90, seed)):
        diary = cohort.diary.with_columns(
            # a null pain (kept for the first-entry time, not for the mean) and an unsorted frame
            pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("pain")).alias("pain")
        ).sample(fraction=1.0, shuffle=True, seed=seed)
        if "flare" not in diary.columns:
            diary = diary.with_columns(pl.lit(False).alias("flare"))
        ids = sorted(diary["patient_id"].unique().to_list())
        kw = {"first_date": dt.date(2024, 1, 1), "last_date": dt.date(2027, 1, 1)}
        fast = daily_matrix(diary, ids, **kw)
        reference = daily_matrix(diary, ids, compiled=False, **kw)
        assert fast.start_date == reference.start_date
        for name in ("pain", "n_entries", "declared_flare", "first_entry_s"):
            np.testing.assert_array_equal(getattr(fast, name), getattr(reference, name))
        one = diary.filter(pl.col("patient_id") == ids[0])
        a, b = daily_matrix(one, ids[:1]), daily_matrix(one, ids[:1], compiled=False)
        np.testing.assert_array_equal(a.first_entry_s, b.first_entry_s)
        np.testing.assert_array_equal(a.pain, b.pain)


def test_kernel_on_two_threads_equals_reference():
    # 600 patients: split across threads (kernels._THREADS) when the machine has two cores
    matrix, first, sessions = _matrix(7, 60, 600)
    fast = latent_level(matrix, first, sessions)
    reference = latent_level(matrix, first, sessions, compiled=False)
    for a, b in zip(fast, reference, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("compiled", [True, False])
def test_smoothing_some_columns_gives_their_columns_of_the_whole(compiled):
    # the cohort summary smooths the patients with a baseline in place in the whole clinic's
    # matrix: their columns must be those of smoothing every column, the others NaN
    matrix, first, sessions = _matrix(5, 120, 600)
    whole_mean, whole_var, whole_noise = latent_level(matrix, first, sessions, compiled=compiled)
    columns = np.flatnonzero(np.random.default_rng(5).random(600) < 0.9)
    skipped = np.setdiff1d(np.arange(600), columns)
    mean, var, noise = latent_level(matrix, first, sessions, compiled=compiled, columns=columns)
    np.testing.assert_array_equal(mean[:, columns], whole_mean[:, columns])
    np.testing.assert_array_equal(var[:, columns], whole_var[:, columns])
    np.testing.assert_array_equal(noise, whole_noise)
    assert skipped.size > 0
    assert np.isnan(mean[:, skipped]).all()
    assert np.isnan(var[:, skipped]).all()


def test_daily_matrix_on_two_threads_equals_bincount_reference(monkeypatch):
    # a diary sorted by patient is filled as two runs of whole patients on two threads
    # (from a million entries; here from any size), which must not change a bit
    from tenderpoint.outcomes import kernels
    from tenderpoint.outcomes.latent import daily_matrix
    from tenderpoint.outcomes.synthetic import generate_cohort

    monkeypatch.setattr(kernels, "_THREADS", 2)
    monkeypatch.setattr(kernels, "_ROWS_FOR_TWO_THREADS", 0)
    diary = generate_cohort(40, 90, 3).diary.sort("patient_id", "recorded_at")
    # patients without an entry first, in the middle and last (rows each thread must set),
    # and a null pain score (kept for the first-entry time, not for the mean)
    written = sorted(diary["patient_id"].unique().to_list())
    ids = sorted([*written, "0-none", written[20] + "-none", "zz-none"])
    null_pain = diary.with_columns(
        pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("pain")).alias("pain")
    )
    codes = diary["patient_id"].cast(pl.Enum(ids)).to_physical().to_numpy()
    assert 0 < kernels._patient_split(codes) < diary.height
    assert kernels._patient_split(codes[::-1].copy()) == 0  # not sorted: one pass
    for frame in (diary, null_pain):
        fast = daily_matrix(frame, ids, compiled=True)
        reference = daily_matrix(frame, ids, compiled=False)
        for name in ("pain", "n_entries", "declared_flare", "first_entry_s"):
            np.testing.assert_array_equal(getattr(fast, name), getattr(reference, name))


def test_take_cells_reads_either_memory_order_the_same():
    # the compiled daily matrix is a days x patients view of patient-major memory; its
    # windows are gathered patient by patient, which must give a[day, cols] exactly
    from tenderpoint.outcomes.latent import take_cells

    rng = np.random.default_rng(11)
    a = rng.random((30, 9))
    a[rng.random(a.shape) < 0.2] = np.nan
    day = rng.integers(0, 30, (4, 9))
    cols = np.arange(9)[None, :]
    patient_major = np.ascontiguousarray(a.T).T
    assert patient_major.flags.f_contiguous
    assert not patient_major.flags.c_contiguous
    for source in (a, patient_major):
        out = take_cells(source, day, cols)
        assert out.flags.c_contiguous
        np.testing.assert_array_equal(out, a[day, cols])
