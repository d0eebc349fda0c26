"""The two ways population_bands forms outputs give identical bands, and the percentiles are
the exact order statistics of the float32-rounded outputs (as np.percentile's linear rule)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tenderpoint.pharmacology import population
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Infusion, Regimen

PATIENT = Patient(70.0, 175.0, 40.0, "male")
REGIMEN = Regimen([Infusion(0.0, 1.0, 24.5), Infusion(1.0, 119.0, 35.0 / 60.0)])
GRID = np.arange(0.0, 241.0, 2.0)


def _bands(n: int) -> population.PopulationPrediction:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return population.simulate_population(
            "domino1984", PATIENT, REGIMEN, n, 11, GRID, chunk_times=16
        )


@pytest.mark.parametrize("n", [300, 1500])
def test_batched_and_per_row_outputs_give_identical_bands(monkeypatch, n) -> None:
    monkeypatch.setattr(population, "_BATCH_OUTPUTS_MAX", 10**9)
    batched = _bands(n)
    monkeypatch.setattr(population, "_BATCH_OUTPUTS_MAX", 0)
    per_row = _bands(n)
    assert np.array_equal(batched.plasma_ng_per_ml, per_row.plasma_ng_per_ml)
    assert batched.effect_ng_per_ml is not None
    assert per_row.effect_ng_per_ml is not None
    assert np.array_equal(batched.effect_ng_per_ml, per_row.effect_ng_per_ml)


def test_percentiles_are_exact_order_statistics_of_float32_values() -> None:
    rng = np.random.default_rng(5)
    block = rng.lognormal(5.0, 0.4, size=(7, 10_001))
    pct = np.array([5.0, 50.0, 95.0, 0.0, 100.0])
    got = population._percentiles_float32(block, pct)
    rounded = block.astype(np.float32).astype(np.float64)
    assert np.allclose(got, np.percentile(rounded, pct, axis=1).T, rtol=1e-15, atol=0.0)
    # The median of an odd row is one of its values, exactly.
    median = np.sort(rounded, axis=1)[:, 5000]
    assert np.array_equal(got[:, 1], median)
    # The in-place variant sorts the block it is given and returns the same numbers.
    copy = block.astype(np.float32)
    assert np.array_equal(population._percentiles_sorting(copy, pct), got)
    assert np.all(np.diff(copy, axis=1) >= 0)


def test_percentiles_interpolate_between_neighbouring_order_statistics() -> None:
    # 4 values: P5 at rank 0.15, P50 at 1.5, P95 at 2.85 (linear rule, between two values)
    block = np.array([[40.0, 10.0, 30.0, 20.0]])
    got = population._percentiles_float32(block, np.array([5.0, 50.0, 95.0]))
    assert np.array_equal(got, [[11.5, 25.0, 38.5]])
