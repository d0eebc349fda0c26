"""Scorings per second of the clinical core for acr2016 and fiqr, on one core.

Run: uv run python benchmarks/clinical_bench.py [--seconds 1.0]

Each figure is the median of five rounds through the public ``score()`` entry point
(validation and scoring; a second line per instrument also builds the plain-words explanation,
which is otherwise built lazily), over a fixed pool of 1,000 varied, valid answer sets drawn with
a seeded generator. Rounds are timed in process CPU time, so waiting for a core shared with
other processes is not counted. The process pins itself to one CPU where the platform allows it,
so the figure is single-core throughput.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from tenderpoint.clinical import body, score

POOL = 1_000
ROUNDS = 5


def acr2016_answers(rng: random.Random) -> dict[str, Any]:
    areas = [a.id for a in body.WPI_AREAS if rng.random() < 0.5]
    return {
        "wpi_areas": areas,
        "fatigue": rng.randint(0, 3),
        "waking_unrefreshed": rng.randint(0, 3),
        "cognitive": rng.randint(0, 3),
        "headaches_6mo": rng.random() < 0.5,
        "lower_abdominal_pain_or_cramps_6mo": rng.random() < 0.5,
        "depression_6mo": rng.random() < 0.5,
        "symptoms_generally_present_ge_3_months": rng.random() < 0.8,
    }


def fiqr_answers(rng: random.Random) -> dict[str, Any]:
    function: list[int | None] = [rng.randint(0, 10) for _ in range(9)]
    if rng.random() < 0.1:
        function[rng.randrange(9)] = None
    return {
        "function": function,
        "overall": [rng.randint(0, 10) for _ in range(2)],
        "symptoms": [rng.randint(0, 10) for _ in range(10)],
    }


def measure(
    instrument_id: str, pool: list[dict[str, Any]], seconds: float, *, explain: bool = False
) -> float:
    """Median scorings per CPU-second over ROUNDS rounds of about ``seconds`` each.

    CPU time (``time.process_time``) rather than wall time, so that time spent waiting for a
    core shared with other processes is not counted against the scorer.

    With ``explain`` the plain-words explanation is built too (it is otherwise built lazily).
    """
    for answers in pool:  # warm up and check every input is valid
        score(instrument_id, answers)
    per_round = max(1, int(seconds * (5_000 if explain else 20_000) / len(pool)))
    rates: list[float] = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(per_round):
            if explain:
                for answers in pool:
                    _ = score(instrument_id, answers).explanation
            else:
                for answers in pool:
                    score(instrument_id, answers)
        elapsed = time.process_time() - start
        rates.append(per_round * len(pool) / elapsed)
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="rough length of one round")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: lowest)")
    args = parser.parse_args()
    pinned = "no"
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0)) if args.cpu is None else args.cpu
        os.sched_setaffinity(0, {cpu})
        pinned = f"cpu {cpu}"
    print(f"python {platform.python_version()} on {platform.machine()}, pinned: {pinned}")
    rng = random.Random(20261121)
    generators: dict[str, Callable[[random.Random], dict[str, Any]]] = {
        "acr2016": acr2016_answers,
        "fiqr": fiqr_answers,
    }
    for instrument_id, make in generators.items():
        pool = [make(rng) for _ in range(POOL)]
        for explain in (False, True):
            rate = measure(instrument_id, pool, args.seconds, explain=explain)
            label = f"{instrument_id}{' + explanation' if explain else ''}"
            print(f"{label:22s} {rate:12,.0f} scorings per CPU-second ({1e6 / rate:5.2f} µs)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
