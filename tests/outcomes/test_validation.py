"""Issue 14's table on a small independent cohort (60 patients): the rules hold on data they
were not written against. Thresholds are the issue's right-hand column, with a margin for the
small cohort where a figure is a proportion of a few dozen patients."""

import polars as pl
import pytest

from .independent_validation import UNSEEN_END_DAYS, evaluate, observable_durability


@pytest.fixture(scope="module")
def figures() -> dict:
    return evaluate(n_patients=60, n_days=180, seed=11, noise=(0.5, 1.5))


def test_patients_without_relief_are_not_reported_as_having_it(figures: dict) -> None:
    assert figures["no_true_relief"] >= 15
    assert figures["false_relief_rate"] <= 0.15


def test_durability_error_and_interval_coverage(figures: dict) -> None:
    assert figures["durability_median_abs_error"] <= 5.0
    assert figures["durability_coverage"] >= 0.7  # aim 0.8; 60 patients


def test_ongoing_relief_is_censored_with_the_reason_from_the_infusion_record(
    figures: dict,
) -> None:
    assert figures["ongoing_censored"] >= 0.85  # aim 0.9
    assert figures["censor_reason_match"] >= 0.95


def test_responder_label_post_induction(figures: dict) -> None:
    assert figures["post_week1_specificity"] >= 0.9
    assert figures["post_week1_sensitivity"] >= 0.75


def test_flares_are_mostly_real(figures: dict) -> None:
    # aim: recall >= 0.85 and precision >= 0.80 (rule 3.0); a margin for 60 patients
    assert figures["flare_precision"] >= 0.75
    assert figures["flare_recall"] >= 0.8


def test_never_due_now_while_relief_holds(figures: dict) -> None:
    assert figures["relief_holds"] > 0
    assert figures["due_now_while_relief_holds"] == 0


def test_responder_probability_and_interval_are_honest(figures: dict) -> None:
    # the 95 % interval of the week-1 reduction holds the true one about 95 % of the time
    # (0.94-0.97 on 300-patient cohorts); a label given with P >= 0.9 or <= 0.1 is right
    assert figures["interval_coverage"] >= 0.85
    assert figures["sure_share"] >= 0.6
    assert figures["sure_accuracy"] >= 0.95
    # the label reads the two weeks as well as an oracle that knows the patient's noise
    assert figures["felt_post_week1_sensitivity"] >= figures["oracle_sensitivity"] - 0.05


def test_the_durability_range_holds_the_true_median(figures: dict) -> None:
    # the range counts courses whose last week cannot say relief held both ways: it holds
    # the estimate's own interval and, on 40 cohorts of 300 (docs/outcomes.md), the truth
    low, high = figures["km_range"]
    assert low <= figures["km_est"][1]
    assert high == figures["km_est"][2]
    assert figures["km_if_ended"][0] <= figures["km_est"][0]
    assert figures["km_truth_inside_range"]


def test_the_forecasts_range_holds_the_planted_crossing(figures: dict) -> None:
    # rule 2.3 starts a crossed curve from the measured relief; 2.2 clamped such a forecast
    # to a one-day range (on 40 cohorts of 300: 0.72-0.94 under 2.2, 0.82-0.99 under 2.3)
    assert figures["forecast_with_interval"] >= 10
    assert figures["forecast_interval_coverage"] >= 0.8
    older = evaluate(
        n_patients=60,
        n_days=180,
        seed=11,
        noise=(0.5, 1.5),
        forecast_rule="tenderpoint-booster-forecast/2.2",
    )
    assert figures["forecast_interval_coverage"] > older["forecast_interval_coverage"]
    assert figures["forecast_median_abs_error"] <= older["forecast_median_abs_error"]


def test_observable_truth_counts_only_ends_a_diary_could_show() -> None:
    truth = pl.DataFrame(
        {
            "true_durability_days": [10.0, 20.0, 30.0, 40.0],
            "true_durability_event": [True, True, True, False],
            "true_end_day": [50, 60, 70, None],
            # relief ended 0, 2 and 3 days before the end of follow-up; the last still going
            "follow_up_limit_day": [50, 62, 73, 90],
        }
    )
    days, event = observable_durability(truth)
    assert UNSEEN_END_DAYS == 2
    assert event.tolist() == [False, False, True, False]  # 0 and 2 days: not seen yet
    assert days.tolist() == [10.0, 22.0, 30.0, 40.0]  # censored at the end of follow-up
