"""Booster forecast fits, rule 2.0 (bounded least squares from one start) against rule 2.1
(the same objective solved to its global minimum), on the fits the single-patient path makes.

Usage: uv run python benchmarks/forecast_fit_bench.py [--patients 600] [--days 730] [--seed 1]
       [--rounds 3]
       uv run python benchmarks/forecast_fit_bench.py --whole [--rounds 3]

Every exponential fit ``analyse_patient`` makes under rule 2.0 for a synthetic cohort is
captured, then both fits are run on each and timed in process CPU time, round by round; the
cost of each answer is rule 2.0's objective (pain misfit over the patient's noise, plus the
prior on log k), so a lower cost is a better fit of the same model.

``--whole`` times all of ``analyse_patient`` instead, under rule 2.0 and the default rule
in turn for each patient (the order alternating by round), on the 200 patients of two-year
diaries that ``outcomes_bench.py`` samples (10,000 patients, seed 1; sample seed 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import sys
import time

import numpy as np

from tenderpoint.outcomes import forecast
from tenderpoint.outcomes.forecast_profile import DecayProblem, fit_decay
from tenderpoint.outcomes.patient import analyse_patient
from tenderpoint.outcomes.synthetic import generate_cohort

log = logging.getLogger("forecast_fit_bench")
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def captured_fits(n_patients: int, n_days: int, seed: int) -> list[tuple]:
    """The arguments of every rule 2.0 fit of the cohort's patients."""
    fits: list[tuple] = []
    original = forecast._fit

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        fits.append(args)
        return original(*args, **kwargs)

    cohort = generate_cohort(n_patients, n_days, seed=seed)
    forecast._fit = recording  # type: ignore[assignment]
    try:
        for pid in cohort.patients["patient_id"].to_list():
            mine = [f.filter(f["patient_id"] == pid) for f in (cohort.diary, cohort.infusions)]
            one = cohort.patients.filter(cohort.patients["patient_id"] == pid)
            analyse_patient(
                pid, *mine, one, now=NOW, forecast_rule="tenderpoint-booster-forecast/2.0"
            )
    finally:
        forecast._fit = original  # type: ignore[assignment]
    return [f for f in fits if f[3] == "exponential"]


def problem_of(args: tuple) -> DecayProblem:
    t, pain, baseline, _, prior, _, noise_sd, prior_sd = args
    return DecayProblem(
        t_days=t,
        relief=1.0 - pain / baseline,
        weight=(baseline / noise_sd) ** 2,
        log_k_prior=math.log(math.log(2.0) / prior.half_life_days),
        log_k_prior_sd=prior_sd,
        depth_bounds=(math.exp(-6.0), math.exp(4.0)),
        log_k_bounds=(-8.0, 1.0),
    )


def cost_of(args: tuple, theta: tuple[float, float]) -> float:
    t, pain, baseline, basis, prior, model, noise_sd, prior_sd = args
    log_k0 = math.log(math.log(2.0) / prior.half_life_days)
    scales = (noise_sd, log_k0, prior_sd)
    r = forecast._residuals(t, pain, baseline, basis, model, scales)(np.array(theta))
    return float(r @ r)


def whole_analysis(rounds: int) -> None:
    """Median process CPU of ``analyse_patient`` under rule 2.0 and the default, interleaved."""
    cohort = generate_cohort(10_000, 730, seed=1)
    everyone = cohort.patients["patient_id"].to_list()
    drawn = np.random.default_rng(0).choice(np.arange(21, len(everyone)), 200, replace=False)
    frames = []
    for i in drawn:
        pid = everyone[i]
        frames.append(
            [pid]
            + [f.filter(f["patient_id"] == pid) for f in (cohort.diary, cohort.infusions)]
            + [cohort.patients.filter(cohort.patients["patient_id"] == pid)]
        )
    rules = ("tenderpoint-booster-forecast/2.0", forecast.ForecastRule().version)
    for round_ in range(rounds):
        seconds: dict[str, list[float]] = {r: [] for r in rules}
        for f in frames:
            for rule in rules if round_ % 2 == 0 else rules[::-1]:
                c0 = time.process_time()
                analyse_patient(*f, now=NOW, forecast_rule=rule)
                seconds[rule].append(time.process_time() - c0)
        log.info(
            f"round {round_ + 1}: analyse_patient, 200 patients, median process CPU: "
            + "; ".join(f"{r} {np.median(v) * 1e3:.2f} ms" for r, v in seconds.items())
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=600)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--whole", action="store_true", help="time analyse_patient instead")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    if args.whole:
        whole_analysis(args.rounds)
        return
    fits = captured_fits(args.patients, args.days, args.seed)
    lengths = [a[0].size for a in fits]
    log.info(
        f"{len(fits)} exponential fits captured ({args.patients} patients x {args.days} days, "
        f"seed {args.seed}); diary days per fit: median {np.median(lengths):.0f}, "
        f"max {max(lengths)}"
    )
    lower = higher = 0
    gaps = []
    for a in fits:
        depth, log_k, _ = forecast._fit(*a)
        old = cost_of(a, (depth, log_k))
        new = fit_decay(problem_of(a)).cost
        gaps.append(old - new)
        lower += new < old - 1e-6 * max(1.0, old)
        higher += new > old + 1e-6 * max(1.0, old)
    log.info(
        f"rule 2.1's cost lower than 2.0's in {lower} fits, higher in {higher}; largest "
        f"improvement {max(gaps):.2f} (cost units: squared noise-scaled residuals)"
    )
    for round_ in range(args.rounds):
        old_s, new_s = [], []
        for a in fits:
            c0 = time.process_time()
            forecast._fit(*a)
            c1 = time.process_time()
            fit_decay(problem_of(a))
            c2 = time.process_time()
            old_s.append(c1 - c0)
            new_s.append(c2 - c1)
        log.info(
            f"round {round_ + 1}: per fit, process CPU, median / mean: rule 2.0 "
            f"{np.median(old_s) * 1e3:.2f} / {np.mean(old_s) * 1e3:.2f} ms; rule 2.1 "
            f"{np.median(new_s) * 1e3:.2f} / {np.mean(new_s) * 1e3:.2f} ms"
        )


if __name__ == "__main__":
    main()
