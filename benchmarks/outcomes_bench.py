"""Outcomes core benchmark: generation, cohort summary (polars vs plain pandas), one patient.

Usage: uv run python benchmarks/outcomes_bench.py [--patients 10000] [--days 730] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd
import polars as pl

from tenderpoint.outcomes.baseline import baseline_scores
from tenderpoint.outcomes.cohort import cohort_summary, wilson_interval
from tenderpoint.outcomes.contracts import daily_values, validate_diary
from tenderpoint.outcomes.patient import analyse_patient
from tenderpoint.outcomes.response import DEFAULT_WINDOWS, window_responses
from tenderpoint.outcomes.schedule import infusion_courses
from tenderpoint.outcomes.synthetic import SyntheticCohort, generate_cohort

# the figures are this script's output: one message each, to stdout, as they are measured
log = logging.getLogger("outcomes_bench")

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
T = TypeVar("T")


def pandas_summary(diary: pd.DataFrame, infusions: pd.DataFrame) -> dict[str, float]:
    """The same headline numbers in plain pandas: daily means, baseline (4 of 7 days), week-2
    responder rate with a Wilson interval, and first-course induction size."""
    daily = diary.groupby(["patient_id", "local_date"], as_index=False)["pain"].mean()
    inf = infusions.sort_values(["patient_id", "start"]).copy()
    inf["local_date"] = inf["start"].dt.normalize()
    first = inf.groupby("patient_id", as_index=False)["local_date"].min()
    first.columns = ["patient_id", "first"]
    d = daily.merge(first, on="patient_id")
    d["day"] = (pd.to_datetime(d["local_date"]) - d["first"]).dt.days
    base = (
        d[(d["day"] >= -7) & (d["day"] <= -1)].groupby("patient_id")["pain"].agg(["mean", "count"])
    )
    base = base[base["count"] >= 4]["mean"].rename("baseline")
    w2 = d[(d["day"] >= 8) & (d["day"] <= 14)].groupby("patient_id")["pain"].agg(["mean", "count"])
    w2 = w2[w2["count"] >= 4].join(base, how="inner")
    pct = ((w2["baseline"] - w2["mean"]) / w2["baseline"] * 100).round(4)
    k, n = int((pct >= 30).sum()), int(pct.size)
    lo, hi = wilson_interval([k], [n])
    # vectorised day gaps (no per-row .apply): NaT for each patient's first session
    gap = inf.groupby("patient_id")["local_date"].diff().dt.days.fillna(99)
    inf["course"] = (gap > 7).groupby(inf["patient_id"]).cumsum()
    size = inf[inf["course"] == 1].groupby("patient_id").size()
    return {
        "rate": k / n,
        "ci_low": float(lo[0]),
        "ci_high": float(hi[0]),
        "completed": float((size >= 5).mean()),
    }


def timed(f: Callable[[], T], repeats: int) -> tuple[list[float], T]:
    """Run ``f`` ``repeats`` times; return every duration (s) and the last result."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t0)
    assert result is not None  # noqa: S101 - repeats >= 1
    return times, result


def peak_rss_during(f: Callable[[], T]) -> tuple[float, float, T]:
    """Resident memory (MiB) before ``f`` and its peak while ``f`` runs, sampled every 5 ms
    (``ru_maxrss`` cannot tell: generating the cohort peaks higher than the summary)."""
    page_mib = os.sysconf("SC_PAGE_SIZE") / 2**20

    def rss_mib() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * page_mib

    before = rss_mib()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], rss_mib())

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        out = f()
    finally:
        done.set()
        sampler.join()
    return before, max(peak[0], rss_mib()), out


def fmt(times: list[float]) -> str:
    """min and median of a list of durations."""
    return f"min {min(times):.2f} s, median {statistics.median(times):.2f} s (n={len(times)})"


def polars_subset(
    diary: pl.DataFrame, infusions: pl.DataFrame, patients: pl.DataFrame
) -> dict[str, float]:
    """The same subset as :func:`pandas_summary`, through the core's own functions."""
    key = pl.Enum(patients["patient_id"].unique().sort())
    as_key = pl.col("patient_id").cast(key)
    diary, infusions, patients = (f.with_columns(as_key) for f in (diary, infusions, patients))
    daily = daily_values(diary, scores=("pain",))
    sessions = infusion_courses(infusions, patients)
    base = baseline_scores(daily, sessions)
    week2 = window_responses(daily, base, (DEFAULT_WINDOWS[2],)).filter(pl.col("status") == "ok")
    k, n = int((week2["pct_reduction_pain"] >= 30).sum()), week2.height
    lo, hi = wilson_interval([k], [n])
    size = sessions.filter(pl.col("course") == 1).group_by("patient_id").agg(pl.len())
    completed = float((size["len"] >= 5).mean())  # type: ignore[arg-type]
    return {"rate": k / n, "ci_low": float(lo[0]), "ci_high": float(hi[0]), "completed": completed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="timings per measurement")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    log.info(f"load average at start: {os.getloadavg()}")

    t0 = time.perf_counter()
    cohort = generate_cohort(args.patients, args.days, seed=args.seed)
    t_gen = time.perf_counter() - t0
    log.info(
        f"cohort: {args.patients} patients x {args.days} days, {cohort.diary.height:,} diary rows"
    )
    log.info(f"generation: {t_gen:.2f} s")

    rss_before, rss_peak, _ = peak_rss_during(
        lambda: cohort_summary(cohort.diary, cohort.infusions, cohort.patients, now=NOW)
    )
    log.info(
        f"memory: {rss_before:,.0f} MiB resident with the cohort loaded, peak {rss_peak:,.0f} MiB "
        f"during a first summary (+{rss_peak - rss_before:,.0f} MiB)"
    )
    r = args.repeats
    t_val, s = timed(
        lambda: cohort_summary(cohort.diary, cohort.infusions, cohort.patients, now=NOW), r
    )
    t_sum, s = timed(
        lambda: cohort_summary(
            cohort.diary, cohort.infusions, cohort.patients, now=NOW, validate=False
        ),
        r,
    )
    t_fm, _ = timed(
        lambda: cohort_summary(
            cohort.diary,
            cohort.infusions,
            cohort.patients,
            cohort.assessments,
            now=NOW,
            validate=False,
        ),
        r,
    )
    week2 = s.responder_rates.filter(s.responder_rates["window"] == "week2").row(0, named=True)
    log.info(f"summary, validation included: {fmt(t_val)}")
    log.info(f"summary, frames already validated: {fmt(t_sum)}")
    log.info(f"summary with assessments (FM30, all six scores), validated frames: {fmt(t_fm)}")
    log.info(
        f"  week-2 responder rate {week2['responder_rate']:.3f} "
        f"(Wilson {week2['responder_ci_low']:.3f}-{week2['responder_ci_high']:.3f}); "
        f"KM median durability {s.durability.medians['median'][0]:.0f} days"
    )

    # no pyarrow in the lock: hand the columns over as numpy arrays
    pdf_diary = pd.DataFrame(
        {c: cohort.diary[c].to_numpy() for c in ("patient_id", "local_date", "pain")}
    )
    pdf_inf = pd.DataFrame(
        {
            "patient_id": cohort.infusions["patient_id"].to_numpy(),
            "start": cohort.infusions["start"].dt.replace_time_zone(None).to_numpy(),
        }
    )
    t_pd, p = timed(lambda: pandas_summary(pdf_diary, pdf_inf), r)
    t_pl, q = timed(lambda: polars_subset(cohort.diary, cohort.infusions, cohort.patients), r)
    for name, t, x in (("plain pandas", t_pd, p), ("polars core", t_pl, q)):
        log.info(
            f"same subset, {name}: {fmt(t)}; rate {x['rate']:.3f} (Wilson {x['ci_low']:.3f}-"
            f"{x['ci_high']:.3f}), induction completed {x['completed']:.3f}"
        )
    log.info(f"same subset, pandas / polars (min times): {min(t_pd) / min(t_pl):.1f}x")
    ratio = min(t_pd) / min(t_sum)
    log.info(f"plain pandas subset / full polars summary (min times): {ratio:.1f}x")
    log.info(f"load average after the summaries: {os.getloadavg()}")

    diary = validate_diary(cohort.diary, now=NOW)
    ids = cohort.patients["patient_id"].to_list()[:21]
    analyse_patient(
        ids[0], diary, cohort.infusions, cohort.patients, now=NOW
    )  # warm-up: lazy imports
    ids = ids[1:]
    times = []
    for pid in ids:
        t0 = time.perf_counter()
        analyse_patient(pid, diary, cohort.infusions, cohort.patients, now=NOW)
        times.append(time.perf_counter() - t0)
    filtered_ms = np.median(times) * 1000
    log.info(f"one patient, filtered from the whole clinic: median {filtered_ms:.0f} ms")
    # the first 20 patients (the sample of earlier runs) and 200 drawn at random (seeded):
    # patients differ by up to 4x, so 20 is too few for a median that stands for the clinic
    everyone = cohort.patients["patient_id"].to_list()
    drawn = np.random.default_rng(0).choice(np.arange(21, len(everyone)), 200, replace=False)
    for label, sample in (
        ("the first 20 patients", ids),
        ("200 patients drawn at random (seed 0)", [everyone[i] for i in drawn]),
    ):
        own, own_cpu = _one_patient_times(sample, diary, cohort)
        log.info(
            f"one patient, own frames (what the web layer passes), {label}: median "
            f"{np.median(own) * 1000:.1f} ms, max {max(own) * 1000:.0f} ms; process CPU time "
            f"median {np.median(own_cpu) * 1000:.1f} ms (less sensitive to a busy machine than "
            "the wall time)"
        )
    log.info(f"load average at the end: {os.getloadavg()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log.info(f"peak memory (max RSS): {peak:,.0f} MiB")


def _one_patient_times(
    sample: list[str], diary: pl.DataFrame, cohort: SyntheticCohort
) -> tuple[list[float], list[float]]:
    """Wall and process CPU seconds of one ``analyse_patient`` per patient, own frames."""
    own, own_cpu = [], []
    for pid in sample:
        one = diary.filter(diary["patient_id"] == pid)
        inf1 = cohort.infusions.filter(cohort.infusions["patient_id"] == pid)
        pts1 = cohort.patients.filter(cohort.patients["patient_id"] == pid)
        t0, c0 = time.perf_counter(), time.process_time()
        analyse_patient(pid, one, inf1, pts1, now=NOW)
        own.append(time.perf_counter() - t0)
        own_cpu.append(time.process_time() - c0)
    return own, own_cpu


if __name__ == "__main__":
    main()
