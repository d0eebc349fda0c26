"""The population bands equal, value for value, those of the method they replaced (the frozen
copy in benchmarks/_previous_population.py that the benchmark times beside them)."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from tenderpoint.pharmacology import population
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.population import simulate_population
from tenderpoint.pharmacology.regimen import Bolus, Infusion, Regimen

PREVIOUS = Path(__file__).resolve().parents[2] / "benchmarks" / "_previous_population.py"
PATIENT = Patient(70.0, 175.0, 40.0, "female")
REGIMEN = Regimen(
    [Infusion(0.0, 40.0, 35.0 / 40.0), Infusion(60.0, 30.0, 0.5)], boluses=[Bolus(90.0, 10.0)]
)
GRID = np.arange(0.0, 241.0, 1.0)


def _previous():
    spec = importlib.util.spec_from_file_location("_previous_population", PREVIOUS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


@pytest.mark.parametrize(
    ("n", "chunk_times", "compiled"), [(600, 64, False), (5000, 37, False), (5000, 64, True)]
)
def test_bands_equal_the_previous_method_exactly(
    monkeypatch, n: int, chunk_times: int, compiled: bool
) -> None:
    # From COMPILED_FROM_SUBJECTS the compiled kernels run; the threshold is moved to test both.
    monkeypatch.setattr(population, "COMPILED_FROM_SUBJECTS", 1 if compiled else 10**9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        args = ("domino1984", PATIENT, REGIMEN, n, 3, GRID)
        now = simulate_population(*args, chunk_times=chunk_times)
        before = _previous().simulate_population(*args, chunk_times=chunk_times)
    assert now.effect_ng_per_ml is not None
    assert np.array_equal(now.plasma_ng_per_ml, before.plasma_ng_per_ml)
    assert np.array_equal(now.effect_ng_per_ml, before.effect_ng_per_ml)
