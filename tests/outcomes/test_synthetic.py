"""Recovery of the generator's ground truth.

Tolerances are stated before looking at a particular seed, from the sources of error:
* responder rate at week 2: +/- 0.06 absolute - misclassification near the 30 % threshold from
  a 7-day baseline and a 7-day window, each with ~0.5-point daily noise;
* median durability (Kaplan-Meier, first course) between 0.6 and 1.05 times the true
  (noise-free) median. The error is one-sided by construction: the issue's rule "3 consecutive
  days back within 10 % of baseline" fires on noise while the true relief is still ~15 %, and
  the slow tail of the relief model turns those few points into days; false reliefs of
  non-responders are short too. Measured: -22 % (2,000 x 365 d, seed 7) and -30 % (this seed,
  800 x 300 d). This is a property of the rule on noisy diaries, reported in docs/outcomes.md,
  not something the test should hide;
* flares: recall >= 0.9 on injected flares the diary can show (two consecutive written days
  inside the flare), precision >= 0.8; a detected episode matches a true one if they overlap
  within one day.
"""

import datetime as dt

import polars as pl
import pytest

from tenderpoint.outcomes.cohort import cohort_summary
from tenderpoint.outcomes.contracts import daily_values, validate_diary
from tenderpoint.outcomes.flares import detected_flares
from tenderpoint.outcomes.patient import analyse_patient
from tenderpoint.outcomes.synthetic import SYNTHETIC_LABEL, generate_cohort

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
SEED = 20261121


@pytest.fixture(scope="module")
def cohort():
    print(f"synthetic seed {SEED}")  # noqa: T201 - lifelines habit: print the seed
    return generate_cohort(800, 300, seed=SEED)


def test_deterministic_and_labelled() -> None:
    a, b = generate_cohort(20, 60, seed=1), generate_cohort(20, 60, seed=1)
    assert a.diary.equals(b.diary)
    assert a.truth.equals(b.truth)
    assert not generate_cohort(20, 60, seed=2).diary.equals(a.diary)
    assert a.label == SYNTHETIC_LABEL
    assert a.patients["patient_id"].str.starts_with("SYN-").all()
    assert a.patients["synthetic"].all()


def test_frames_satisfy_the_contracts(cohort) -> None:
    s = cohort_summary(cohort.diary, cohort.infusions, cohort.patients, cohort.assessments, now=NOW)
    assert s.n_patients == 800
    week2 = s.responder_rates.filter(pl.col("window") == "week2").row(0, named=True)
    assert week2["n_fm30_short_evaluable"] > 0
    assert 0.0 <= week2["fm30_short_rate"] <= week2["responder_rate"]  # FM30 adds conditions


def test_responder_rate_and_durability_are_recovered(cohort) -> None:
    s = cohort_summary(cohort.diary, cohort.infusions, cohort.patients, now=NOW)
    week2 = s.responder_rates.filter(pl.col("window") == "week2").row(0, named=True)
    evaluable = s.patients.filter(pl.col("responder").is_not_null()).select("patient_id")
    truth = cohort.truth.join(evaluable, on="patient_id")
    true_rate = (truth["true_week2_reduction_pct"] >= 30).mean()
    assert week2["responder_rate"] == pytest.approx(true_rate, abs=0.06)
    true_median = cohort.truth.filter(pl.col("true_relief"))["true_durability_days"].median()
    km_median = s.durability.medians["median"][0]
    # rule 2.0 no longer ends relief early on noise (rule 1.0 gave 0.6-0.8 x the truth)
    assert 0.85 * true_median <= km_median <= 1.15 * true_median


def test_injected_flares_are_found(cohort) -> None:
    daily = daily_values(validate_diary(cohort.diary, now=NOW))
    found = detected_flares(daily)
    written = daily.select("patient_id", "local_date")
    true = cohort.true_flares.with_row_index("flare_id")
    days = (
        true.select("flare_id", "patient_id", pl.date_ranges("start", "end").alias("local_date"))
        .explode("local_date")
        .join(written, on=["patient_id", "local_date"])
        .sort("flare_id", "local_date")
        .with_columns(
            ((pl.col("local_date") - pl.col("local_date").shift(1)).dt.total_days() == 1)
            .over("flare_id")
            .alias("follows")
        )
    )
    visible = days.filter(pl.col("follows")).select("flare_id").unique()
    true = true.join(visible, on="flare_id")
    pairs = (
        found.with_row_index("found_id")
        .join(true, on="patient_id", suffix="_true")
        .filter(
            (pl.col("start") <= pl.col("end_true") + pl.duration(days=1))
            & (pl.col("end") >= pl.col("start_true") - pl.duration(days=1))
        )
    )
    recall = pairs["flare_id"].n_unique() / true.height
    matched = (
        found.with_row_index("found_id")
        .join(cohort.true_flares, on="patient_id", suffix="_true")
        .filter(
            (pl.col("start") <= pl.col("end_true") + pl.duration(days=1))
            & (pl.col("end") >= pl.col("start_true") - pl.duration(days=1))
        )
    )
    precision = matched["found_id"].n_unique() / found.height
    print(f"flares: recall {recall:.3f}, precision {precision:.3f}, n_true {true.height}")  # noqa: T201
    assert recall >= 0.9
    assert precision >= 0.8


def test_one_patient_analysis(cohort) -> None:
    diary = validate_diary(cohort.diary, now=NOW)
    a = analyse_patient("SYN-000001", diary, cohort.infusions, cohort.patients)
    assert a.baseline["baseline_status"][0] == "ok"
    assert a.forecast.reasons
