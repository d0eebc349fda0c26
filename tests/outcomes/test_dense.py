"""The cohort summary's fast path (dense matrix, batched validation) against the reference path.

The dense path must give the same frames as the row path it replaces (``dense=False``), bit for
bit, on cohorts with missed days, two entries a day, drop-outs, daylight-saving time zones and
patients without a baseline; the tests also cover the project's own generator and validation
errors raised by the batched checks.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes import cohort as cohort_module
from tenderpoint.outcomes.cohort import CohortConfig, cohort_summary
from tenderpoint.outcomes.contracts import (
    validate_assessments,
    validate_diary,
    validate_infusions,
    validate_patients,
)
from tenderpoint.outcomes.dense import window_stats
from tenderpoint.outcomes.response import relief_rule
from tenderpoint.outcomes.schedule import infusion_courses
from tenderpoint.outcomes.synthetic import generate_cohort

from .independent_generator import generate

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def _prepared(diary, infusions, patients, assessments=None):
    pts = validate_patients(patients)
    ids = pts["patient_id"]
    d = validate_diary(diary, patient_ids=ids, now=NOW)
    i = validate_infusions(infusions, patient_ids=ids, now=NOW)
    if assessments is not None:
        assessments = validate_assessments(assessments, patient_ids=ids, now=NOW)
    d, i, pts, a = cohort_module._keyed(d, i, pts, assessments)
    if assessments is not None:
        return d, infusion_courses(i, pts), a
    return d, infusion_courses(i, pts)


def _assert_paths_equal(
    diary, infusions, patients, config: CohortConfig | None = None, assessments=None
) -> None:
    d, sessions, *a = _prepared(diary, infusions, patients, assessments)
    a = a[0] if a else None
    config = config or CohortConfig()
    # dense explicitly: by default it is taken only from COMPILED_FROM_PATIENTS patients,
    # so on these small cohorts both calls would otherwise run the row path
    fast = cohort_module._measures(d, sessions, a, config, dense=True)
    reference = cohort_module._measures(d, sessions, a, config, dense=False)
    for name, a, b in zip(("baselines", "responses", "relief"), fast, reference, strict=True):
        assert a.height > 0, name
        assert_frame_equal(a, b, check_exact=True)


def _thin(diary: pl.DataFrame, seed: int, drop: float) -> pl.DataFrame:
    """Drop a share of entries at random (missed days, and some days losing one of two)."""
    keep = np.random.default_rng(seed).random(diary.height) >= drop
    return diary.filter(pl.Series(keep))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dense_path_equals_reference_on_independent_cohorts(seed):
    cohort = generate(n_patients=60, n_days=150, seed=seed)
    _assert_paths_equal(cohort.diary, cohort.infusions, cohort.patients)


@pytest.mark.parametrize("seed", [3, 4])
def test_dense_path_equals_reference_with_sparse_diaries(seed):
    # a third of the entries gone: many baselines fail, windows lack days, runs break
    cohort = generate(n_patients=60, n_days=150, seed=seed)
    _assert_paths_equal(_thin(cohort.diary, seed, 0.35), cohort.infusions, cohort.patients)


@pytest.mark.parametrize("seed", [5, 6])
def test_dense_path_equals_reference_on_project_generator(seed):
    cohort = generate_cohort(80, 200, seed=seed)
    _assert_paths_equal(cohort.diary, cohort.infusions, cohort.patients)


def test_dense_path_equals_reference_with_compiled_kernels_and_patients_left_out():
    # from latent.COMPILED_FROM_PATIENTS patients the kernels run; some patients lack a
    # baseline, so the latent level smooths only the others' columns of the clinic's matrix
    cohort = generate_cohort(520, 90, seed=11)
    diary = _thin(cohort.diary, 11, 0.1)
    d, sessions = _prepared(diary, cohort.infusions, cohort.patients)
    baselines = cohort_module._measures(d, sessions, None, CohortConfig())[0]
    n_ok = int((baselines["baseline_status"] == "ok").sum())
    assert cohort_module.COMPILED_FROM_PATIENTS <= n_ok < 520
    _assert_paths_equal(diary, cohort.infusions, cohort.patients)


@pytest.mark.parametrize("seed", [5, 6])
def test_dense_path_equals_reference_with_assessments(seed):
    # FM30: the secondary scores' daily means, some missing, read off their own matrices
    cohort = generate_cohort(80, 200, seed=seed)
    row = pl.int_range(pl.len())
    diary = _thin(cohort.diary, seed, 0.2).with_columns(
        pl.when(row % 5 == 0).then(None).otherwise(pl.col("fatigue")).alias("fatigue"),
        pl.when(row % 7 == 0).then(None).otherwise(pl.col("mood")).alias("mood"),
    )
    assert diary["fatigue"].drop_nulls().len() > 0
    _assert_paths_equal(diary, cohort.infusions, cohort.patients, assessments=cohort.assessments)
    d, sessions, a = _prepared(diary, cohort.infusions, cohort.patients, cohort.assessments)
    responses = cohort_module._measures(d, sessions, a, CohortConfig())[1]
    assert (responses["fm30_short"] == "responder").sum() > 0
    assert responses["pct_reduction_fatigue"].drop_nulls().len() > 0


def test_dense_path_with_patients_without_diary_or_infusion():
    cohort = generate(n_patients=30, n_days=120, seed=7)
    ids = cohort.patients["patient_id"].to_list()
    # one patient never writes, another never has an infusion, a third neither
    diary = cohort.diary.filter(~pl.col("patient_id").is_in([ids[0], ids[2]]))
    infusions = cohort.infusions.filter(~pl.col("patient_id").is_in([ids[1], ids[2]]))
    _assert_paths_equal(diary, infusions, cohort.patients)
    d, sessions = _prepared(diary, infusions, cohort.patients)
    baselines = cohort_module._measures(d, sessions, None, CohortConfig())[0]
    status = dict(
        zip(
            baselines["patient_id"].cast(pl.String).to_list(),
            baselines["baseline_status"].to_list(),
            strict=True,
        )
    )
    assert ids[2] not in status  # neither diary nor infusion: no row, as before
    assert status[ids[1]] == "no_infusion"
    assert status[ids[0]] == "insufficient_data"


def test_dense_summary_equals_reference_summary_end_to_end():
    cohort = generate(n_patients=50, n_days=150, seed=8)
    fast = cohort_summary(cohort.diary, cohort.infusions, cohort.patients, now=NOW)
    d, sessions = _prepared(cohort.diary, cohort.infusions, cohort.patients)
    reference = cohort_module._measures(d, sessions, None, CohortConfig(), dense=False)
    first = reference[2].filter(pl.col("course") == 1)
    assert fast.patients["relief"].sum() == first["relief"].sum()
    assert fast.durability.medians["events"][0] == first["durability_event"].sum()


def test_window_stats_counts_and_means_in_date_order():
    pain = np.array([[1.0, np.nan], [2.0, 4.0], [np.nan, 5.0], [4.0, np.nan]])
    cols = np.array([0, 1])
    n_days, mean = window_stats(pain, cols, np.array([1, 1]), -1, 2)
    assert n_days.tolist() == [3, 2]
    assert mean[0] == (1.0 + 2.0 + 4.0) / 3
    assert mean[1] == 4.5
    # a window reaching past the grid counts only the days inside it
    n_days, mean = window_stats(pain, cols, np.array([3, 0]), 0, 5)
    assert n_days.tolist() == [1, 2]
    assert mean.tolist() == [4.0, 4.5]


def test_batched_validation_reports_every_problem_in_order():
    cohort = generate(n_patients=5, n_days=60, seed=9)
    row = pl.int_range(pl.len())
    diary = cohort.diary.with_columns(
        pl.when(row == 3)
        .then(11.0)
        .when(row == 5)
        .then(-1.0)
        .otherwise(pl.col("pain"))
        .alias("pain")
    )
    diary = pl.concat([diary, diary.slice(10, 2)])  # two duplicated entries, out of order
    with pytest.raises(InvalidInputError) as err:
        validate_diary(diary, now=NOW)
    errors = err.value.params["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("out_of_range", "pain"),
        ("duplicate_rows", "recorded_at"),
    ]
    assert errors[0]["n_rows"] == 2
    assert errors[0]["example"]["pain"] == 11.0
    assert errors[1]["n_rows"] == 4
    assert err.value.code == "out_of_range"
    assert err.value.field == "pain"


def test_validation_sorts_an_unsorted_diary_and_keeps_a_sorted_one():
    cohort = generate(n_patients=4, n_days=60, seed=10)
    ordered = validate_diary(cohort.diary, now=NOW)
    shuffled = cohort.diary.sample(fraction=1.0, shuffle=True, seed=1)
    assert_frame_equal(validate_diary(shuffled, now=NOW), ordered)
    assert_frame_equal(validate_diary(ordered, now=NOW), ordered)
    assert ordered["patient_id"].is_sorted()


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("drop", [0.0, 0.3])
def test_relief_from_level_equals_whole_grid_reference(monkeypatch, seed, drop):
    from tenderpoint.outcomes import relief as relief_module
    from tenderpoint.outcomes.baseline import baseline_scores
    from tenderpoint.outcomes.contracts import daily_values

    cohort = generate(n_patients=60, n_days=180, seed=seed)
    d, sessions = _prepared(_thin(cohort.diary, seed, drop), cohort.infusions, cohort.patients)
    baselines = baseline_scores(daily_values(d), sessions)
    fast = relief_module.latent_relief_episodes(d, sessions, baselines)
    monkeypatch.setattr(
        relief_module, "relief_from_level", relief_module.relief_from_level_reference
    )
    reference = relief_module.latent_relief_episodes(d, sessions, baselines)
    assert fast["course"].max() > 1  # boosters: later courses are compared too
    assert fast["relief"].sum() > 0
    assert fast["durability_event"].sum() > 0
    assert_frame_equal(fast, reference, check_exact=True)


@pytest.mark.parametrize(
    "version", ["tenderpoint-relief/2.2", "tenderpoint-relief/2.3", "tenderpoint-relief/2.4"]
)
def test_dense_path_equals_reference_under_relief_rules_2_2_to_2_4(version: str):
    cohort = generate(n_patients=60, n_days=150, seed=5, noise_sd=(1.0, 1.5))
    config = CohortConfig(relief=relief_rule(version))
    _assert_paths_equal(cohort.diary, cohort.infusions, cohort.patients, config)


def _staggered(diary: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Each patient's diary starts 0-40 days later than generated (first diary days vary)."""
    ids = diary["patient_id"].unique().sort()
    skip = pl.DataFrame(
        {"patient_id": ids, "_skip": np.random.default_rng(seed).integers(0, 41, ids.len())}
    )
    start = pl.col("local_date").min().over("patient_id")
    return (
        diary.join(skip, on="patient_id")
        .filter((pl.col("local_date") - start).dt.total_days() >= pl.col("_skip"))
        .drop("_skip")
    )


@pytest.mark.parametrize(("seed", "cut"), [(21, False), (22, True), (23, True)])
def test_summary_noise_estimate_equals_each_steps_own_on_staggered_diaries(seed, cut):
    # The summary estimates each patient's noise variance once on the clinic's matrix and
    # gives it to the responses and the relief step, which otherwise estimate it
    # themselves: the responses from a block of the 28 days before the first infusion, the
    # relief step on the grid of its own patients, which is cut from the clinic's matrix
    # when the patients with the earliest diary have no infusion (``cut``). Bit for bit.
    from tenderpoint.outcomes.dense import (
        _columns,
        _pre_infusion_noise_var,
        cohort_noise_variance,
        dense_baselines,
    )
    from tenderpoint.outcomes.latent import daily_matrix
    from tenderpoint.outcomes.relief import LatentReliefRule, latent_cohort, latent_relief_episodes
    from tenderpoint.outcomes.response import response_base

    cohort = generate(n_patients=60, n_days=150, seed=seed)
    diary = _staggered(_thin(cohort.diary, seed, 0.15), seed)
    infusions = cohort.infusions
    if cut:
        first_day = pl.col("local_date") == pl.col("local_date").min()
        earliest = diary.filter(first_day)["patient_id"].unique()
        infusions = infusions.filter(~pl.col("patient_id").is_in(earliest.implode()))
    d, sessions = _prepared(diary, infusions, cohort.patients)
    ids = d["patient_id"].dtype.categories.to_list()
    matrix = daily_matrix(
        d, ids, first_date=sessions["local_date"].min(), last_date=sessions["local_date"].max()
    )
    baselines = dense_baselines(matrix, sessions)
    shared = cohort_noise_variance(matrix, sessions)

    base = response_base(baselines)
    cols = _columns(matrix, base["patient_id"])
    own = _pre_infusion_noise_var(matrix, cols, matrix.day_index(base["first_infusion_date"]))
    assert base.height > 40
    assert shared[cols].tobytes() == own.tobytes()

    rule = LatentReliefRule()
    lc_own, courses = latent_cohort(d, sessions, baselines, rule, matrix=matrix)
    lc_shared, _ = latent_cohort(d, sessions, baselines, rule, matrix=matrix, noise_var=shared)
    assert (lc_own.matrix.n_days < matrix.n_days) is cut
    smoothed = [lc_own.matrix.patient_ids.index(p) for p in courses["patient_id"].unique()]
    assert len(smoothed) > 20
    assert lc_shared.noise_var[smoothed].tobytes() == lc_own.noise_var[smoothed].tobytes()
    for name in ("mean", "var"):
        a, b = getattr(lc_shared, name), getattr(lc_own, name)
        assert np.array_equal(a[:, smoothed], b[:, smoothed])
    with_shared = latent_relief_episodes(
        d, sessions, baselines, rule, first_course_only=True, matrix=matrix, noise_var=shared
    )
    without = latent_relief_episodes(
        d, sessions, baselines, rule, first_course_only=True, matrix=matrix
    )
    assert_frame_equal(with_shared, without, check_exact=True)


def test_relief_model_with_other_noise_settings_estimates_its_own_noise():
    # the shared estimate uses the default noise settings; a relief model that estimates
    # noise differently (a stronger prior here) must not be given it
    from tenderpoint.outcomes.latent import LatentLevelModel
    from tenderpoint.outcomes.relief import LatentReliefRule

    model = LatentLevelModel(noise_prior_days=12.0)
    config = CohortConfig(relief=LatentReliefRule(model=model))
    cohort = generate(n_patients=40, n_days=150, seed=24)
    _assert_paths_equal(cohort.diary, cohort.infusions, cohort.patients, config=config)
    d, sessions = _prepared(cohort.diary, cohort.infusions, cohort.patients)
    default = cohort_module._measures(d, sessions, None, CohortConfig(), dense=True)[2]
    other = cohort_module._measures(d, sessions, None, config, dense=True)[2]
    assert not default["noise_sd_points"].equals(other["noise_sd_points"])


def test_written_days_are_each_columns_first_and_last_day_with_an_entry():
    from tenderpoint.outcomes.latent import DailyMatrix

    counts = np.array([[0, 0, 1], [2, 0, 0], [0, 0, 1], [1, 0, 0]])  # days x patients
    matrix = DailyMatrix(
        ("a", "b", "c"),
        dt.date(2026, 1, 1),
        np.where(counts > 0, 5.0, np.nan),
        counts,
        np.zeros(counts.shape, dtype=bool),
        np.full(counts.shape, np.nan),
    )
    first, last = matrix.written_days
    assert first.tolist() == [1, -1, 0]  # b never wrote
    assert last.tolist() == [3, -1, 2]
    patient_major = DailyMatrix(
        *(
            np.asfortranarray(a) if isinstance(a, np.ndarray) else a
            for a in (
                matrix.patient_ids,
                matrix.start_date,
                matrix.pain,
                counts,
                matrix.declared_flare,
                matrix.first_entry_s,
            )
        )
    )
    assert [d.tolist() for d in patient_major.written_days] == [first.tolist(), last.tolist()]


def _noise_by_hand(pain, counts, first, window=28, prior_var=1.0, weight=4.0, floor=0.29):
    """latent.noise_variance of one column, written out day pair by day pair."""
    from tenderpoint.outcomes.latent import _TRIM_KEEP, _TRIMMED_CHI2_MEAN

    d = pain.shape[0]
    ratios = []
    for lag in range(1, window):
        t = first - lag
        if 1 <= t < d and counts[t] > 0 and counts[t - 1] > 0:
            factor = 1.0 / counts[t] + 1.0 / counts[t - 1]
            ratios.append((pain[t] - pain[t - 1]) ** 2 / factor)
    k = len(ratios)
    keep = math.floor(_TRIM_KEEP * k)
    estimate = sum(sorted(ratios)[:keep]) / keep / _TRIMMED_CHI2_MEAN if keep else 0.0
    var = (k * estimate + weight * prior_var) / (k + weight)
    return max(var, floor**2), k


def test_noise_variance_matches_the_day_pairs_written_out():
    # first infusion days inside the grid, at its edges and off it on both sides, on
    # patient-major (the compiled matrix) and day-major memory
    from tenderpoint.outcomes.latent import noise_variance

    rng = np.random.default_rng(5)
    for trial in range(40):
        d, n = int(rng.integers(2, 90)), int(rng.integers(1, 12))
        counts = rng.integers(0, 3, (d, n)) * (rng.random((d, n)) > 0.3)
        pain = np.where(counts > 0, np.round(rng.random((d, n)) * 10), np.nan)
        if trial % 2:
            counts, pain = np.asfortranarray(counts), np.asfortranarray(pain)
        first = rng.integers(-3, d + 3, n)
        var, pairs = noise_variance(pain, counts, first)
        for j in range(n):
            want_var, want_pairs = _noise_by_hand(pain[:, j], counts[:, j], int(first[j]))
            assert pairs[j] == want_pairs
            assert var[j] == pytest.approx(want_var, rel=1e-12)


@pytest.mark.parametrize(
    "settings",
    [{}, {"noise_window_days": 1}, {"noise_window_days": 60, "noise_prior_days": 0.0}],
)
def test_one_patients_noise_variance_is_the_matrix_columns_to_the_bit(settings):
    # the single-patient path's estimate (Python floats, numpy's sum of the trimmed column)
    # against latent.noise_variance of the same column: identical bits, on unrounded pain
    # (where the summation order shows in the last bits), first infusions inside the grid,
    # at its edges and off it, and windows of one day, the default and longer than the grid
    from tenderpoint.outcomes.latent import LatentLevelModel, noise_variance, noise_variance_one

    model = LatentLevelModel(**settings)
    rng = np.random.default_rng(41)
    for _ in range(300):
        d = int(rng.integers(1, 120))
        counts = rng.integers(0, 4, (d, 1)) * (rng.random((d, 1)) > 0.2)
        pain = np.where(counts > 0, rng.random((d, 1)) * 10, np.nan)
        first = int(rng.integers(-3, d + 3))
        want, _ = noise_variance(pain, counts, np.array([first]), model)
        got = noise_variance_one(pain[:, 0], counts[:, 0], first, model)
        assert np.float64(got).tobytes() == want[0].tobytes()
