"""The compiled route of the population bands (recursion kernel and bracketed selection of the
order statistics) gives the numpy route's bands, every value: on random rows with ties, tiny
populations, rows that escape their brackets, and whole populations of every model."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tenderpoint.pharmacology import _population_kernels as kernels
from tenderpoint.pharmacology import population
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Bolus, Infusion, Regimen

PCT_DEFAULT = np.array([5.0, 50.0, 95.0])
PCT_MANY = np.array([0.0, 2.5, 10.0, 25.0, 33.3, 50.0, 75.0, 97.5, 100.0])


def _reference(block: np.ndarray, pct: np.ndarray) -> np.ndarray:
    """The numpy route: a float32 sort of every row (on a copy)."""
    return population._percentiles_sorting(block.copy(), pct)


def _selected(block: np.ndarray, pct: np.ndarray) -> np.ndarray:
    before = block.copy()
    got = population._percentiles_selecting(block, pct, np.full((pct.size, 6), np.nan))
    assert np.array_equal(block, before, equal_nan=True)  # the block is not reordered
    return got


def _drifting_rows(rng: np.random.Generator, rows: int, n: int) -> np.ndarray:
    """Consecutive 'times' of one population: each subject's value moves a little per row."""
    base = rng.lognormal(0.0, 0.5, n)
    drift = np.exp(np.cumsum(rng.normal(-0.01, 0.02, rows)))
    noise = 1.0 + 0.003 * rng.standard_normal((rows, n))
    return (base[None, :] * drift[:, None] * noise).astype(np.float32)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100, 1023, 1024, 1025, 5000, 20_011])
@pytest.mark.parametrize("pct", [PCT_DEFAULT, PCT_MANY], ids=["5-50-95", "nine"])
def test_selection_equals_the_sort_on_drifting_rows(n: int, pct: np.ndarray) -> None:
    block = _drifting_rows(np.random.default_rng(n), 12, n)
    assert np.array_equal(_selected(block, pct), _reference(block, pct))


@pytest.mark.parametrize("n", [1, 5, 64, 3000, 40_000])
def test_selection_equals_the_sort_with_ties(n: int) -> None:
    rng = np.random.default_rng(7)
    rows = [
        np.zeros(n),  # every subject at zero (the first time point)
        np.full(n, 2.5),
        rng.integers(0, 4, n).astype(float),  # a handful of distinct values
        np.round(rng.lognormal(0.0, 0.3, n), 1),  # ties at every percentile
        np.where(rng.random(n) < 0.5, 0.0, rng.lognormal(0.0, 0.3, n)),  # half the row tied
        -rng.lognormal(0.0, 0.3, n),  # negative values
        np.where(rng.random(n) < 0.5, -0.0, 0.0),  # signed zeros
    ]
    block = np.array(rows, dtype=np.float32)
    for pct in (PCT_DEFAULT, PCT_MANY):
        assert np.array_equal(_selected(block, pct), _reference(block, pct))


def test_rows_that_escape_their_brackets_fall_back_to_the_sort() -> None:
    rng = np.random.default_rng(3)
    n = 10_000
    smooth = _drifting_rows(rng, 4, n)
    jump = smooth[-1] * 1000.0  # the population moves far more than the guide predicts
    # The strided sample (every 9th value) sees only tiny values: its brackets miss too.
    misleading = (1.0 + rng.random(n)).astype(np.float32)
    stride = n // kernels.SAMPLE
    misleading[::stride] = rng.random(len(range(0, n, stride))) * 1e-3
    with_nan = smooth[0].copy()
    with_nan[17] = np.nan
    block = np.vstack([smooth, jump, misleading, with_nan, smooth]).astype(np.float32)
    lo, hi, _ = population._rank_positions(n, PCT_DEFAULT)
    lo_value = np.empty((block.shape[0], 3), dtype=np.float32)
    hi_value = np.empty_like(lo_value)
    escaped = np.zeros(block.shape[0], dtype=np.bool_)
    sampled = kernels.select_order_statistics(
        block,
        lo.astype(np.int64),
        hi.astype(np.int64),
        lo_value,
        hi_value,
        escaped,
        np.full((3, 6), np.nan),
    )
    # The misleading row and the NaN row escape (the caller sorts them); the first row and
    # the rows after a jump, an escape and the NaN need a sample bracket.
    assert escaped.tolist() == [False] * 5 + [True, True] + [False] * 4
    assert sampled >= 4
    expected = _reference(block, PCT_DEFAULT)
    assert np.array_equal(_selected(block, PCT_DEFAULT), expected, equal_nan=True)
    # The sort puts NaN last: the 100th percentile of the NaN row is NaN on both routes.
    many = _selected(block, PCT_MANY)
    assert np.array_equal(many, _reference(block, PCT_MANY), equal_nan=True)
    assert np.isnan(many[6, -1])


def test_a_bracket_too_full_to_copy_is_read_when_all_its_values_tie() -> None:
    n = 50_000  # the candidate buffer holds n // 4 values
    block = np.vstack([np.full(n, 3.0), np.full(n, 3.0), np.arange(n) / n]).astype(np.float32)
    assert np.array_equal(_selected(block, PCT_MANY), _reference(block, PCT_MANY))


PATIENT = Patient(70.0, 175.0, 40.0, "female")
REGIMEN = Regimen(
    [Infusion(0.0, 40.0, 35.0 / 40.0), Infusion(60.0, 30.0, 0.5)], boluses=[Bolus(90.0, 10.0)]
)
GRID = np.arange(0.0, 241.0, 1.0)


def _population(
    monkeypatch, compiled: bool, model: str, grid: np.ndarray = GRID, **kwargs
) -> population.PopulationPrediction:
    monkeypatch.setattr(population, "COMPILED_FROM_SUBJECTS", 0 if compiled else 10**9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return population.simulate_population(
            model, PATIENT, REGIMEN, 3000, 5, grid, research_mode=True, **kwargs
        )


def _disposition():
    model = population.resolve_model("domino1984", False)
    covariates = population._covariate_arrays(PATIENT, 4)
    structural = population.sample_structural(model, covariates, 4, np.random.default_rng(1))
    ke0 = population.resolve_ke0(model, structural, None, True)
    return population.individual_system(model, structural, ke0)


def _recursion(grid: np.ndarray) -> population._Recursion:
    schedule = population.schedule_arrays(REGIMEN, 1.0)
    return population._Recursion.prepare(_disposition(), schedule, grid, ("plasma",), 8)[0]


@pytest.mark.parametrize("model", ["domino1984", "clements1981", "flint2017", "kamp2020"])
@pytest.mark.parametrize(("chunk_times", "threads"), [(64, 1), (37, 2)])
def test_compiled_bands_equal_the_numpy_bands(monkeypatch, model, chunk_times, threads) -> None:
    kwargs = {"chunk_times": chunk_times, "threads": threads}
    numpy_route = _population(monkeypatch, False, model, **kwargs)
    compiled = _population(monkeypatch, True, model, **kwargs)
    for output in ("plasma_ng_per_ml", "effect_ng_per_ml", "metabolite_ng_per_ml"):
        expected = getattr(numpy_route, output)
        got = getattr(compiled, output)
        assert (got is None) == (expected is None)
        if expected is not None:
            assert np.array_equal(got, expected), output


def test_many_step_lengths_keep_the_numpy_recursion_and_the_same_bands(monkeypatch) -> None:
    # Irregular times give more distinct step lengths than the exp cache holds; the kernel
    # needs the cache, so the numpy recursion runs (the selection still takes percentiles).
    grid = np.cumsum(np.arange(1.0, 25.0))
    numpy_route = _population(monkeypatch, False, "domino1984", grid)
    compiled = _population(monkeypatch, True, "domino1984", grid)
    assert np.array_equal(compiled.plasma_ng_per_ml, numpy_route.plasma_ng_per_ml)
    rec = _recursion(grid)
    assert rec.cache == []
    advance, _ = population._routes(rec, PCT_DEFAULT, True)
    assert advance == rec.advance


def test_the_compiled_route_is_taken_from_the_threshold(monkeypatch) -> None:
    rec = _recursion(GRID)
    advance, _ = population._routes(rec, PCT_DEFAULT, True)
    assert isinstance(getattr(advance, "__self__", None), population._CompiledRecursion)
    chosen: list[bool] = []
    routes = population._routes

    def spy(recursion, pct, compiled):
        chosen.append(compiled)
        return routes(recursion, pct, compiled)

    monkeypatch.setattr(population, "_routes", spy)
    schedule = population.schedule_arrays(REGIMEN, 1.0)
    for threshold in (4, 5):  # the population has 4 subjects
        monkeypatch.setattr(population, "COMPILED_FROM_SUBJECTS", threshold)
        population.population_bands(_disposition(), schedule, GRID, ("plasma",), (50.0,))
    assert chosen == [True, False]
