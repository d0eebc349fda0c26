"""Threads change how a population's work is shared, never its bands: the compiled route gives
the same values, every one, on 1, 2 and 3 threads, with 1, 2 or 3 outputs, tiny populations
and brackets that miss; the default thread count and the sharing of the percentiles."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology import _population_kernels as kernels
from tenderpoint.pharmacology import population
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Bolus, Infusion, Regimen

PATIENT = Patient(70.0, 175.0, 40.0, "female")
# A bolus at 90 min makes every subject jump between two rows: the predicted brackets miss.
REGIMEN = Regimen(
    [Infusion(0.0, 40.0, 35.0 / 40.0), Infusion(60.0, 30.0, 0.5)], boluses=[Bolus(90.0, 10.0)]
)
GRID = np.arange(0.0, 181.0, 1.0)
OUTPUTS = ("plasma_ng_per_ml", "effect_ng_per_ml", "metabolite_ng_per_ml")


def _bands(monkeypatch, model: str, n: int, threads: int, **kwargs):
    monkeypatch.setattr(population, "COMPILED_FROM_SUBJECTS", 0)  # the compiled route
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = population.simulate_population(
            model, PATIENT, REGIMEN, n, 3, GRID, research_mode=True, threads=threads, **kwargs
        )
    return [getattr(pred, o) for o in OUTPUTS]


@pytest.mark.parametrize(
    ("model", "kwargs", "n_outputs"),
    [
        ("domino1984", {"with_effect_site": False}, 1),  # plasma only: rows are split
        ("domino1984", {}, 2),  # plasma and effect site: one output per thread
        ("flint2017", {}, 3),  # and the metabolite: more outputs than threads
    ],
)
@pytest.mark.parametrize("chunk_times", [64, 29])
def test_one_two_and_three_threads_give_the_same_bands(
    monkeypatch, model, kwargs, n_outputs, chunk_times
) -> None:
    select = kernels.select_order_statistics
    sampled: list[int] = []

    def counting(*args):
        sampled.append(select(*args))
        return sampled[-1]

    monkeypatch.setattr(kernels, "select_order_statistics", counting)
    runs = [
        _bands(monkeypatch, model, 4000, threads, chunk_times=chunk_times, **kwargs)
        for threads in (1, 2, 3)
    ]
    assert sum(b is not None for b in runs[0]) == n_outputs
    assert sum(sampled) > 0  # some rows missed their predicted bracket (the first, the bolus)
    for other in runs[1:]:
        for expected, got in zip(runs[0], other, strict=True):
            assert (got is None) == (expected is None)
            if expected is not None:
                assert np.array_equal(got, expected)


def test_the_threaded_bands_equal_the_numpy_sort(monkeypatch) -> None:
    compiled = _bands(monkeypatch, "domino1984", 6000, 2)
    monkeypatch.setattr(population, "COMPILED_FROM_SUBJECTS", 10**9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = population.simulate_population(
            "domino1984", PATIENT, REGIMEN, 6000, 3, GRID, research_mode=True, threads=1
        )
    assert np.array_equal(compiled[0], reference.plasma_ng_per_ml)
    assert np.array_equal(compiled[1], reference.effect_ng_per_ml)


@pytest.mark.parametrize("n", [1, 2, 999, 1000, 2001])
def test_tiny_populations_run_on_as_many_threads_as_they_have_thousands(monkeypatch, n) -> None:
    # Fewer than 1,000 subjects per thread is not worth a thread: 2001 subjects get two.
    assert population._thread_count(8, n, True) == max(1, min(8, n // 1000))
    one = _bands(monkeypatch, "domino1984", n, 1)
    two = _bands(monkeypatch, "domino1984", n, 2)
    for expected, got in zip(one, two, strict=True):
        if expected is not None:
            assert np.array_equal(got, expected)


def test_the_default_uses_every_core_on_the_compiled_route_only(monkeypatch) -> None:
    monkeypatch.setattr(population, "cores_available", lambda: 2)
    assert population._thread_count(None, 100_000, True) == 2
    assert population._thread_count(None, 100_000, False) == 1  # numpy route: one thread
    assert population._thread_count(1, 100_000, True) == 1  # asked for: kept
    assert population._thread_count(None, 1000, True) == 1  # 1,000 subjects: one thread


def test_cores_available_counts_this_process_cores() -> None:
    assert population.cores_available() == len(os.sched_getaffinity(0))


def test_each_output_keeps_its_rows_whole_when_there_are_enough_outputs() -> None:
    jobs = population._percentile_jobs
    assert jobs(("plasma", "effect"), 64, 2) == [("plasma", 0, 0, 64), ("effect", 0, 0, 64)]
    assert jobs(("plasma", "effect", "metabolite"), 10, 2) == [
        ("plasma", 0, 0, 10),
        ("effect", 0, 0, 10),
        ("metabolite", 0, 0, 10),
    ]
    assert jobs(("plasma",), 64, 2) == [("plasma", 0, 0, 32), ("plasma", 1, 32, 64)]
    assert jobs(("plasma",), 1, 2) == [("plasma", 1, 0, 1)]  # an empty share is skipped
    assert jobs(("plasma",), 5, 1) == [("plasma", 0, 0, 5)]


@pytest.mark.parametrize(
    ("threads", "ok"),
    [(None, True), (1, True), (64, True), (0, False), (65, False), (True, False), (2.0, False)],
)
def test_threads_are_checked_at_their_limits(threads, ok) -> None:
    run = lambda: population.simulate_population(  # noqa: E731
        "domino1984", PATIENT, REGIMEN, 10, 1, [1.0], threads=threads
    )
    if ok:
        assert run().n_subjects == 10
    else:
        with pytest.raises(InvalidInputError) as info:
            run()
        assert info.value.field == "threads"
