from tenderpoint.outcomes.baseline import BaselineRule, baseline_scores
from tenderpoint.outcomes.contracts import daily_values, validate_diary, validate_patients
from tenderpoint.outcomes.schedule import infusion_courses

from .helpers import NOW, diary, infusions, patients


def _baseline(rows, inf_rows, rule=None):
    daily = daily_values(validate_diary(diary(rows), now=NOW))
    ses = infusion_courses(infusions(inf_rows), validate_patients(patients(["a"])))
    return baseline_scores(daily, ses, rule).row(0, named=True)


def test_mean_of_the_seven_days_before_the_first_infusion() -> None:
    # days 3..9 before the infusion on day 10; day 2 is outside, day 10 itself excluded
    rows = [("a", 2, 9)] + [
        ("a", d, p) for d, p in zip(range(3, 10), [4, 5, 6, 7, 6, 5, 3], strict=True)
    ]
    rows.append(("a", 10, 0))
    out = _baseline(rows, [("a", 10)])
    assert out["baseline_status"] == "ok"
    assert out["baseline_days"] == 7
    assert out["baseline_pain"] == 36 / 7


def test_four_of_seven_days_is_enough_three_is_not() -> None:
    four = _baseline([("a", d, 6) for d in (3, 5, 7, 9)], [("a", 10)])
    assert (four["baseline_status"], four["baseline_pain"]) == ("ok", 6.0)
    three = _baseline([("a", d, 6) for d in (3, 5, 9)], [("a", 10)])
    assert (three["baseline_status"], three["baseline_pain"]) == ("insufficient_data", None)


def test_no_baseline_and_no_infusion_are_results_not_errors() -> None:
    after_only = _baseline([("a", 11, 6)], [("a", 10)])
    assert after_only["baseline_status"] == "insufficient_data"
    daily = daily_values(validate_diary(diary([("a", 1, 6)]), now=NOW))
    empty = infusion_courses(infusions([]), validate_patients(patients(["a"])))
    assert baseline_scores(daily, empty)["baseline_status"].to_list() == ["no_infusion"]


def test_custom_rule() -> None:
    out = _baseline(
        [("a", 8, 4), ("a", 9, 6)], [("a", 10)], BaselineRule(window_days=2, min_days=2)
    )
    assert out["baseline_pain"] == 5.0
