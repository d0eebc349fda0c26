"""Issue 14's table on the independent generator, for several seeds and noise levels.

Usage: uv run python benchmarks/outcomes_validation.py [--patients 300] [--days 180]
       [--seeds 1 2] [--noise 0.5 1.0 1.5 mixed] [--relief-rule tenderpoint-relief/2.2]
       [--flare-marks patient|oracle|drop] [--forecast-rule tenderpoint-booster-forecast/2.0]
       uv run python benchmarks/outcomes_validation.py --censoring-limit
       [--relief-rules default tenderpoint-relief/2.1 tenderpoint-relief/2.3]

``--flare-marks`` runs the whole table on the same diaries with the flare marks of an oracle
(``oracle``: every entry of a planted flare day marked, no other; ``drop``: those entries
removed, so the flare columns mean nothing there). ``--censoring-limit`` prints, per
cohort, the relief columns and the ongoing courses read as ended for each relief rule with the
patient's marks, the oracle's and without flare days (one cohort generated per seed and noise
level, shared by every row).

Prints one markdown row per (seed, noise) and the pooled figures; docs/outcomes.md records the
output. The generator and the figures live in tests/outcomes (independent_generator.py,
independent_validation.py); a 60-patient version runs in CI (test_validation.py).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.outcomes.independent_generator import generate
from tests.outcomes.independent_validation import FLARE_MARKS, evaluate, evaluate_relief

# the table rows are this script's output: one message each, to stdout, as they are computed
log = logging.getLogger("outcomes_validation")

COLUMNS = (
    (
        "post-induction wk1 sens/spec vs pain had",
        "felt_post_week1_sensitivity",
        "felt_post_week1_specificity",
    ),
    (
        "post-induction wk1 sens/spec vs flare-free relief",
        "post_week1_sensitivity",
        "post_week1_specificity",
    ),
    (
        "oracle wk1 sens/spec (known noise, same entries)",
        "oracle_sensitivity",
        "oracle_specificity",
    ),
    (
        "Bayes oracle wk1 sens/spec (+ cohort's true reductions as prior)",
        "bayes_oracle_sensitivity",
        "bayes_oracle_specificity",
    ),
    (
        "wk1 against the true baseline sens/spec",
        "known_baseline_sensitivity",
        "known_baseline_specificity",
    ),
    (
        "wk1 against 4 pre-infusion weeks sens/spec (not adopted)",
        "pre4_baseline_sensitivity",
        "pre4_baseline_specificity",
    ),
    ("wk1 95 % interval coverage", "interval_coverage", None),
    ("wk1 share with P <= 0.1 or >= 0.9 / label right there", "sure_share", "sure_accuracy"),
    ("acute wk2 sens/spec vs pain had", "felt_week2_sensitivity", "felt_week2_specificity"),
    ("false relief", "false_relief", "no_true_relief"),
    ("durability MAE d", "durability_median_abs_error", None),
    ("interval coverage", "durability_coverage", None),
    ("ongoing censored", "ongoing_censored", None),
    ("censor reason", "censor_reason_match", None),
    ("KM median est [CI]", "km_est", None),
    ("KM median true", "km_true", None),
    ("KM median true, ends a diary can show", "km_observable", None),
    ("unsure censored courses", "km_unsure", None),
    ("KM median if those ended [CI]", "km_if_ended", None),
    ("KM range reported", "km_range", None),
    ("flare recall/precision", "flare_recall", "flare_precision"),
    ("false flares /pt/6 mo", "false_flares_per_patient_6mo", None),
    ("forecast MAE d", "forecast_median_abs_error", None),
    ("oracle forecast MAE d", "forecast_oracle_median_abs_error", None),
    ("Bayes oracle forecast MAE d", "forecast_bayes_oracle_median_abs_error", None),
    ("forecast 95 % range holds the crossing", "forecast_interval_coverage", None),
    ("due now while relief holds", "due_now_while_relief_holds", "relief_holds"),
)


def cell(r: dict, a: str, b: str | None) -> str:
    """One table cell."""
    x = r[a]
    if a == "km_range":
        return f"[{x[0]:.0f}, {x[1]:.0f}]"
    if a.startswith("km_") and isinstance(x, tuple):
        return f"{x[0]:.0f} [{x[1]:.0f}, {x[2]:.0f}]"
    if a in ("false_relief", "due_now_while_relief_holds"):
        return f"{x} of {r[b]}" if b else str(x)
    if b:
        return f"{x:.2f} / {r[b]:.2f}"
    return f"{x:.2f}" if isinstance(x, float) else str(x)


RELIEF_COLUMNS = (
    ("false relief", "false_relief", "no_true_relief"),
    ("durability MAE d", "durability_median_abs_error", None),
    ("interval coverage", "durability_coverage", None),
    ("ongoing censored", "ongoing_censored", None),
    ("KM median est [CI]", "km_est", None),
    ("KM median true", "km_true", None),
    ("KM median true, ends a diary can show", "km_observable", None),
    ("unsure censored courses", "km_unsure", None),
    ("KM median if those ended [CI]", "km_if_ended", None),
    ("KM range reported", "km_range", None),
    ("ended read as ongoing", "ended_read_as_ongoing", None),
    ("ongoing read as ended", "ongoing_read_as_ended", None),
    ("of which unmarked flare in last 7 d", "read_as_ended_unmarked_flare_last_7d", None),
)


def censoring_limit(args: argparse.Namespace) -> None:
    """Relief columns per rule and flare marks (the censoring limit, issue 14)."""
    log.info(
        "| seed | noise SD | rule | flare marks | "
        + " | ".join(c[0] for c in RELIEF_COLUMNS)
        + " |"
    )
    log.info("|" + "---|" * (len(RELIEF_COLUMNS) + 4))
    for seed in args.seeds:
        for level in args.noise:
            noise = (0.5, 1.5) if level == "mixed" else (float(level), float(level))
            c = generate(args.patients, args.days, seed, noise)
            label = "0.5-1.5" if level == "mixed" else level
            for rule in args.relief_rules:
                for marks in FLARE_MARKS:
                    r = evaluate_relief(c, None if rule == "default" else rule, marks)
                    cells = " | ".join(cell(r, a, b) for _, a, b in RELIEF_COLUMNS)
                    name = rule.rsplit("/", 1)[-1]
                    log.info(f"| {seed} | {label} | {name} | {marks} | {cells} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--noise", nargs="+", default=["0.5", "1.0", "1.5", "mixed"])
    parser.add_argument(
        "--relief-rule", default=None, help="relief rule version (default: the core's)"
    )
    parser.add_argument(
        "--forecast-rule", default=None, help="forecast rule version (default: the core's)"
    )
    parser.add_argument(
        "--flare-marks", choices=FLARE_MARKS, default="patient", help="whose flare marks"
    )
    parser.add_argument("--censoring-limit", action="store_true")
    parser.add_argument(
        "--relief-rules",
        nargs="+",
        default=["default", "tenderpoint-relief/2.1", "tenderpoint-relief/2.3"],
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    if args.censoring_limit:
        censoring_limit(args)
        return
    log.info("| seed | noise SD | " + " | ".join(c[0] for c in COLUMNS) + " |")
    log.info("|" + "---|" * (len(COLUMNS) + 2))
    for seed in args.seeds:
        for level in args.noise:
            noise = (0.5, 1.5) if level == "mixed" else (float(level), float(level))
            t0 = time.perf_counter()
            r = evaluate(
                args.patients,
                args.days,
                seed,
                noise,
                args.relief_rule,
                args.flare_marks,
                args.forecast_rule,
            )
            cells = " | ".join(cell(r, a, b) for _, a, b in COLUMNS)
            label = "0.5-1.5" if level == "mixed" else level
            log.info(f"| {seed} | {label} | {cells} |")
            log.info(
                f"<!-- {time.perf_counter() - t0:.0f} s; by family {r['durability_mae_by_family']}"
                f"; relief sensitivity {r['relief_sensitivity']:.2f} -->",
            )


if __name__ == "__main__":
    main()
