"""Pharmacology core benchmark: one-patient plan, 100,000-patient bands, solve_ivp comparison.

Run: ``uv run python benchmarks/pk_bench.py`` (add ``--quick`` for a 10,000-patient smoke run).
Prints the figures recorded in docs/performance.md ("Pharmacology core"). The population bands
are timed for the current code and, in the same run and on the same inputs, for the previous
method (``_previous_population.py``, a frozen copy), and the two results are compared exactly.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.dirname(__file__))
import _previous_population as previous

from tenderpoint.pharmacology import models
from tenderpoint.pharmacology.dosing import plan_infusion
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.population import (
    COMPILED_FROM_SUBJECTS,
    _percentiles_float32,
    _percentiles_selecting,
    _thread_count,
    population_bands,
    sample_structural,
    simulate_population,
)
from tenderpoint.pharmacology.regimen import Infusion, Regimen
from tenderpoint.pharmacology.simulate import (
    individual_system,
    patient_covariates,
    schedule_arrays,
    simulate,
)

PATIENT = Patient(70.0, 175.0, 40.0, "male")
# 0.35 mg/kg over 1 min, then 0.5 mg/kg/h to 4 h (the reference's VP4 regimen, extended).
REGIMEN = Regimen([Infusion(0.0, 1.0, 24.5), Infusion(1.0, 239.0, 35.0 / 60.0)])


def best_of(fn, repeat: int) -> tuple[float, float]:
    """(median, min) wall time of ``fn`` in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def one_patient() -> None:
    grid = np.arange(0.0, 241.0)
    simulate("domino1984", PATIENT, REGIMEN, grid)  # warm-up (imports, caches)
    med, low = best_of(lambda: simulate("domino1984", PATIENT, REGIMEN, grid), 300)
    print(
        f"one patient, Domino 3-cmt + effect site, 4-h plan, 241-point 1-min grid: "
        f"median {med * 1e3:.3f} ms (best {low * 1e3:.3f} ms)"
    )
    med, low = best_of(
        lambda: plan_infusion(
            None,
            PATIENT,
            vial_mg_per_ml=50,
            bag_volume_ml=250,
            standard_conc_mg_per_ml=2.0,
            bolus_mg_per_kg=0.35,
            bolus_duration_min=2.0,
            dose_mg_per_kg_per_h=0.5,
            duration_min=238.0,
        ),
        30,
    )
    print(
        f"full plan_infusion (pump math + limits + 3 models on a 0.1-min grid, 3,581 points):"
        f" median {med * 1e3:.2f} ms (best {low * 1e3:.2f} ms)"
    )


def ode_subject(structural: dict[str, float], ke0: float, times: np.ndarray) -> np.ndarray:
    """One subject with solve_ivp (LSODA, rtol 1e-8), piecewise over the schedule's breaks."""
    v1, cl = structural["v1_l"], structural["cl_l_per_min"]
    q2, v2, q3, v3 = (structural[k] for k in ("q2_l_per_min", "v2_l", "q3_l_per_min", "v3_l"))

    def rhs(_t: float, x: np.ndarray, rate: float) -> list[float]:
        cp = x[0] / v1
        f2 = q2 * (cp - x[1] / v2)
        f3 = q3 * (cp - x[2] / v3)
        return [rate - cl * cp - f2 - f3, f2, f3, ke0 * (cp - x[3])]

    out = np.empty((times.size, 2))
    x = np.zeros(4)
    for (a, b), rate in (((0.0, 1.0), 24.5), ((1.0, 240.0), 35.0 / 60.0), ((240.0, 1440.0), 0.0)):
        inside = times[(times >= a) & (times <= b)]
        sol = solve_ivp(
            rhs, (a, b), x, args=(rate,), t_eval=inside, method="LSODA", rtol=1e-8, atol=1e-12
        )
        idx = np.searchsorted(times, inside)
        out[idx, 0] = sol.y[0] / v1
        out[idx, 1] = sol.y[3]
        x = sol.y[:, -1]
    return out


METHODS = (("previous", previous.simulate_population), ("current", simulate_population))


def _timed(fn, repeat: int = 3) -> tuple[float, float, object]:
    """(best wall s, CPU s of that run, result)."""
    best = (float("inf"), 0.0, None)
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best[0]:
            best = (wall, cpu, result)
    return best


def clinic_bands() -> None:
    """The 1,000-patient bands a plan page draws (plan + 2 h at 1 min, and 24 h at 1 min)."""
    model = models.get("domino1984")
    for minutes in (360, 1440):
        grid = np.arange(0.0, minutes + 1.0)
        row = []
        for label, fn in METHODS:
            fn(model, PATIENT, REGIMEN, 1000, 1, grid)  # warm-up
            wall, cpu, _ = _timed(
                lambda fn=fn, grid=grid: fn(model, PATIENT, REGIMEN, 1000, 1, grid), 7
            )
            row.append(f"{label} {wall * 1e3:.1f} ms (CPU {cpu * 1e3:.1f} ms)")
        print(f"1,000 patients x {grid.size:,} times, 5/50/95 % bands: " + "; ".join(row))


def population(n: int) -> None:
    grid = np.arange(0.0, 1441.0)
    model = models.get("domino1984")
    warnings.simplefilter("ignore")
    # Warm-up at the compiled route's size: the kernels are loaded (or compiled) here, so no
    # timed run below pays for it.
    for _, fn in METHODS:
        fn(model, PATIENT, REGIMEN, COMPILED_FROM_SUBJECTS, 1, grid[:121])
    figures = {}
    for label, fn in METHODS:
        figures[label] = _timed(lambda fn=fn: fn(model, PATIENT, REGIMEN, n, 20261121, grid))
    one_thread = _timed(
        lambda: simulate_population(model, PATIENT, REGIMEN, n, 20261121, grid, threads=1)
    )
    pred = figures["current"][2]
    old = figures["previous"][2]
    same = np.array_equal(pred.plasma_ng_per_ml, old.plasma_ng_per_ml) and np.array_equal(
        pred.effect_ng_per_ml, old.effect_ng_per_ml
    )
    total = figures["current"][0]
    peaks = {}
    for label, fn in METHODS:
        tracemalloc.start()  # a separate run: tracing allocations slows numpy down
        fn(model, PATIENT, REGIMEN, n, 20261121, grid)
        peaks[label] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(
        f"population: {n:,} virtual patients x {grid.size:,} times, 3 compartments + effect "
        f"site, 5/50/95 % bands of plasma and effect site, best of 3:"
    )
    for label in ("previous", "current"):
        wall, cpu, _ = figures[label]
        print(
            f"  {label:8s} {wall:.2f} s (CPU {cpu:.2f} s), {n * grid.size / wall:.3g} "
            f"patient-timepoints/s, peak traced memory {peaks[label] / 2**20:.0f} MiB"
        )
    print(f"  identical bands (previous vs current, every value): {same}")
    same_one = np.array_equal(
        one_thread[2].plasma_ng_per_ml, pred.plasma_ng_per_ml
    ) and np.array_equal(one_thread[2].effect_ng_per_ml, pred.effect_ng_per_ml)
    print(
        f"  current, default threads ({_thread_count(None, n, True)} here: the cores this "
        f"process may use) as above; with threads=1: {one_thread[0]:.2f} s (CPU "
        f"{one_thread[1]:.2f} s), identical bands: {same_one}"
    )
    print(f"  process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(
        f"  check: P50 at 60 min {pred.band(50)[60]:.1f} ng/mL vs typical "
        f"{pred.typical.plasma_ng_per_ml[60]:.1f}"
    )

    # Where the time goes.
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    structural = sample_structural(
        model, {k: np.repeat(v, n) for k, v in patient_covariates(PATIENT).items()}, n, rng
    )
    disp = individual_system(model, structural, float(structural["ke0_per_min"][0]))
    t_setup = time.perf_counter() - t0
    block = np.random.default_rng(2).lognormal(size=(64, n))
    t0 = time.perf_counter()
    _percentiles_float32(block, np.array([5.0, 50.0, 95.0]))  # incl. the float32 copy
    t_pct = (time.perf_counter() - t0) / 64 * 2 * grid.size
    # The selection on consecutive rows of one population (as in a run: the rows are times).
    rows32 = (
        np.random.default_rng(3).lognormal(size=n)[None, :] * np.exp(-0.01 * np.arange(64))[:, None]
    ).astype(np.float32)
    t0 = time.perf_counter()
    _percentiles_selecting(rows32, np.array([5.0, 50.0, 95.0]), np.full((3, 6), np.nan))
    t_sel = (time.perf_counter() - t0) / 64 * 2 * grid.size
    for threads in (1, 2):  # the bands alone: no sampling, no typical curve
        t0 = time.perf_counter()
        population_bands(
            disp,
            schedule_arrays(REGIMEN, 1.0),
            grid,
            ("plasma", "effect"),
            (5.0, 50.0, 95.0),
            64,
            threads,
        )
        print(f"  bands with {threads} thread(s): {time.perf_counter() - t0:.2f} s")
    print(
        f"  breakdown: sampling + eigen-decomposition {t_setup:.2f} s; percentiles of "
        f"2 x {grid.size} rows of {n:,}: float32 sort (previous) ~{t_pct:.2f} s, compiled "
        f"bracketed selection (current, from {COMPILED_FROM_SUBJECTS:,} subjects) "
        f"~{t_sel:.2f} s; the rest is the exact recursion"
    )

    sample = 20
    params = {k: np.asarray(v) for k, v in structural.items()}
    worst = 0.0
    t_ode = 0.0
    for i in range(sample):
        one = {k: float(v[i]) for k, v in params.items()}
        t0 = time.perf_counter()
        ode = ode_subject(one, float(params["ke0_per_min"][i]), grid)
        t_ode += time.perf_counter() - t0
        exact = population_bands(
            individual_system(
                model, {k: v[i : i + 1] for k, v in params.items()}, float(params["ke0_per_min"][i])
            ),
            schedule_arrays(REGIMEN, 1.0),
            grid,
            ("plasma",),
            (50.0,),
        )["plasma"][0]
        mask = ode[:, 0] > 1e-6
        worst = max(worst, float(np.max(np.abs(exact[mask] / ode[mask, 0] - 1.0))))
    per_subject = t_ode / sample
    print(
        f"solve_ivp (LSODA, rtol 1e-8), {sample} subjects: {per_subject * 1e3:.1f} ms/subject; "
        f"extrapolated to {n:,}: "
        f"{per_subject * n:.0f} s; ratio {per_subject * n / total:.0f}x; max relative "
        f"difference {worst:.1e}"
    )


FIRST_CALL = """
import time, warnings
t0 = time.perf_counter()
import numpy as np
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.population import COMPILED_FROM_SUBJECTS, simulate_population
from tenderpoint.pharmacology.regimen import Infusion, Regimen
t1 = time.perf_counter()
warnings.simplefilter("ignore")
args = ("domino1984", Patient(70.0, 175.0, 40.0, "male"), Regimen([Infusion(0.0, 60.0, 0.5)]))
simulate_population(*args, COMPILED_FROM_SUBJECTS, 1, np.arange(0.0, 121.0))
t2 = time.perf_counter()
simulate_population(*args, COMPILED_FROM_SUBJECTS, 1, np.arange(0.0, 121.0))
t3 = time.perf_counter()
print(f"import {t1 - t0:.2f} s; first compiled call {t2 - t1:.2f} s; second {t3 - t2:.2f} s")
"""


def first_call() -> None:
    """What a fresh process pays before its first compiled bands: empty numba cache (a new
    machine or numba version), then the same cache again (every later process)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("empty cache (compiles)", "cache filled (loads)"):
            out = subprocess.run(  # noqa: S603 - our interpreter, a fixed script
                [sys.executable, "-c", FIRST_CALL], env=env, capture_output=True, text=True
            )
            print(f"fresh process, {label}: {out.stdout.strip() or out.stderr[-300:]}")


def main() -> None:
    quick = "--quick" in sys.argv
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} (machine shared with other engineers)"
    )
    one_patient()
    clinic_bands()
    population(10_000 if quick else 100_000)
    first_call()
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
