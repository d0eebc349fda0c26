import math

import polars as pl
import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.cohort import (
    CohortConfig,
    cohort_summary,
    durability_kaplan_meier,
    kaplan_meier,
    wilson_interval,
)
from tenderpoint.outcomes.response import ReliefRule

from .helpers import NOW, diary, infusions
from .test_response import BASE, _relief_rows


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.27753),  # upper = z^2 / (n + z^2)
        (5, 10, 0.23659, 0.76341),
        (1, 2, 0.09453, 0.90547),
    ],
)
def test_wilson_interval_by_hand(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval([k], [n])
    assert lo[0] == pytest.approx(low, abs=1e-5)
    assert hi[0] == pytest.approx(high, abs=1e-5)


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(InvalidInputError):
        wilson_interval([3], [2])
    lo, _ = wilson_interval([0], [0])
    assert math.isnan(lo[0])


def _clinic():
    a, hours = _relief_rows()
    b = [("b", d, p) for d, p in BASE] + [("b", d, 4) for d in range(11, 30)]
    c = [("c", d, p) for d, p in BASE] + [("c", d, 4) for d in range(11, 16)]
    d = [("d", 12, 5)]
    df = pl.concat([diary(a, hours), diary(b + c + d)])
    inf = infusions([("a", 10), ("b", 10), ("b", 30), ("c", 10), ("d", 10)])
    pts = pl.DataFrame(
        {
            "patient_id": ["a", "b", "c", "d"],
            "sex": ["female", "female", "male", "female"],
            "age_years": [30, 45, 61, None],
            "planned_induction_infusions": [1, 1, 1, 3],
        }
    )
    return df, inf, pts


def test_summary_by_hand() -> None:
    # the by-hand durabilities below are rule 1.0's (raw entries); 2.0 is checked against the
    # independent generator in test_validation.py
    s = cohort_summary(*_clinic(), now=NOW, config=CohortConfig(relief=ReliefRule()))
    assert s.as_dict()["relief_rule"] == "tenderpoint-relief/1.0"
    week2 = s.responder_rates.filter(pl.col("window") == "week2").row(0, named=True)
    # a: week-2 mean (3x4 + 2x7.2 + 6 + 8)/7 = 5.771 -> 27.9 % (no); b: 4 -> 50 % (yes);
    # c: no week-2 data; d: no baseline
    assert (week2["n_evaluable"], week2["n_responders"]) == (2, 1)
    assert week2["responder_ci_low"] == pytest.approx(0.09453, abs=1e-5)
    ind = s.induction.row(0, named=True)
    assert (ind["n_started"], ind["n_completed"]) == (4, 3)
    assert s.dropoff.rows() == [("all", 1, 1)]
    # durabilities 13 (event), 18 and 4 (censored): S(13) = 1 - 1/2 -> median 13
    med = s.durability.medians.row(0, named=True)
    assert (med["n"], med["events"], med["median"]) == (3, 1, 13.0)
    assert s.time_to_relief.unit == "hours"


def test_stratified_summary() -> None:
    s = cohort_summary(*_clinic(), by="age_band", now=NOW)
    strata = set(s.responder_rates["stratum"].to_list())
    assert strata == {"18-39", "40-59", "60+", "unknown"}
    assert set(s.durability.medians["stratum"].to_list()) == {"18-39", "40-59", "60+"}
    with pytest.raises(InvalidInputError):
        cohort_summary(*_clinic(), by="eye_colour", now=NOW)  # type: ignore[arg-type]


def test_a_clinic_without_infusions_or_diary_is_a_result() -> None:
    from tenderpoint.outcomes.contracts import DIARY_SCHEMA

    pts = pl.DataFrame({"patient_id": ["a", "b"]})
    none = cohort_summary(diary([("a", 1, 5), ("b", 2, 6)]), infusions([]), pts, now=NOW)
    assert none.responder_rates.height == 0
    assert none.durability.medians["status"].to_list() == ["insufficient_data"]
    empty = cohort_summary(
        pl.DataFrame(schema=dict(DIARY_SCHEMA)), infusions([("a", 3)]), pts, now=NOW
    )
    assert empty.responder_rates["n_evaluable"].unique().to_list() == [0]
    assert empty.responder_rates["responder_rate"].null_count() == len(empty.responder_rates)
    assert empty.induction["n_completed"].to_list() == [0]


def test_an_empty_assessments_frame_gives_fm30_not_computable() -> None:
    """A clinic with no questionnaire answers yet (an empty frame, not None) still summarises."""
    from tenderpoint.outcomes.synthetic import generate_cohort as _generate

    cohort = _generate(12, 120, seed=4)
    summary = cohort_summary(
        cohort.diary, cohort.infusions, cohort.patients, cohort.assessments.head(0)
    )
    assert summary.n_patients == 12


def test_notebook_display_shows_counts_and_the_responder_frame() -> None:
    s = cohort_summary(*_clinic(), now=NOW)
    assert repr(s) == (
        f"CohortSummary(4 patients, by=None, {s.responder_rates.height} responder-rate rows, "
        f"version {s.version})"
    )
    text = s._repr_html_()
    assert "<th>patients</th><td>4</td>" in text
    assert "week2" in text  # the responder-rate frame's windows


def test_patients_in_diary_counted_from_runs_equals_n_unique():
    # the dense-path switch counts the diary's patients as runs of the sorted key's codes
    from tenderpoint.outcomes.cohort import _patients_in

    key = pl.Enum(["a", "b", "c", "d"])
    ordered = pl.DataFrame({"patient_id": pl.Series(["a", "a", "b", "d", "d"], dtype=key)})
    shuffled = pl.DataFrame({"patient_id": pl.Series(["d", "a", "b", "a", "d"], dtype=key)})
    as_strings = shuffled.with_columns(pl.col("patient_id").cast(pl.String))
    for frame in (ordered, shuffled, as_strings, ordered.clear()):
        assert _patients_in(frame) == frame["patient_id"].n_unique()
    assert _patients_in(ordered) == 3


def test_summary_of_frames_validated_already_keys_them_alike_and_refuses_unknown_ids():
    from polars.testing import assert_frame_equal

    from tenderpoint.outcomes.contracts import (
        validate_diary,
        validate_infusions,
        validate_patients,
    )
    from tenderpoint.outcomes.synthetic import generate_cohort

    cohort = generate_cohort(40, 120, seed=9)
    pts = validate_patients(cohort.patients)
    ids = pts["patient_id"]
    d = validate_diary(cohort.diary, patient_ids=ids, now=NOW)
    i = validate_infusions(cohort.infusions, patient_ids=ids, now=NOW)
    checked = cohort_summary(cohort.diary, cohort.infusions, cohort.patients, now=NOW)
    trusted = cohort_summary(d, i, pts, now=NOW, validate=False)
    assert_frame_equal(trusted.patients, checked.patients, check_exact=True)
    assert_frame_equal(trusted.responder_rates, checked.responder_rates, check_exact=True)
    stranger = d.with_columns(
        pl.when(pl.int_range(pl.len()) >= d.height - 3)
        .then(pl.lit("not-a-patient"))
        .otherwise(pl.col("patient_id"))
        .alias("patient_id")
    )
    with pytest.raises(InvalidInputError) as err:
        cohort_summary(stranger, i, pts, now=NOW, validate=False)
    assert (err.value.code, err.value.field) == ("unknown_patient", "patient_id")


def test_durability_range_counts_unsure_courses_both_ways_by_hand() -> None:
    # durations 2 (ended), 4 and 6 (censored, unsure), 8 (ended), 10 (censored, sure)
    frame = pl.DataFrame(
        {
            "t": [2.0, 4.0, 6.0, 8.0, 10.0],
            "e": [True, False, False, True, False],
            "unsure": [True, True, True, False, False],  # an ended row's flag is ignored
        }
    )
    km = kaplan_meier(frame, time="t", event="e", unit="days", unsure="unsure")
    row = km.medians.row(0, named=True)
    # estimate: S(2) = 4/5, S(8) = 4/5 x 1/2 = 0.4 -> median 8
    # unsure ended: S(2) = 0.8, S(4) = 0.6, S(6) = 0.4 -> median 6
    assert (row["median"], row["median_if_ended"], row["unsure"]) == (8.0, 6.0, 2)
    assert row["range_low"] == min(row["median_ci_low"], row["median_if_ended_ci_low"])
    assert row["range_high"] == row["median_ci_high"]
    plain = kaplan_meier(frame, time="t", event="e", unit="days").medians.row(0, named=True)
    assert plain["median"] == 8.0
    assert plain["unsure"] is None
    assert plain["range_low"] is None


def _relief_courses(held: list[float | None]) -> pl.DataFrame:
    n = len(held)
    return pl.DataFrame(
        {
            "relief": [True] * n + [True, False],
            "durability_days": [float(10 + i) for i in range(n)] + [3.0, None],
            "durability_event": [False] * n + [True, None],
            "relief_held_probability": [*held, None, None],
        },
        schema_overrides={"relief_held_probability": pl.Float64},
    )


@pytest.mark.parametrize(
    ("held", "unsure"),
    # the relief rule's onset probability (0.9) is the line: relief surely held at 0.9
    [(0.8999, 1), (0.9, 0), (0.9001, 0), (None, 1)],  # None: no diary day in the last week
)
def test_a_censored_course_is_unsure_below_the_rules_ninety_percent(
    held: float | None, unsure: int
) -> None:
    row = durability_kaplan_meier(_relief_courses([held])).medians.row(0, named=True)
    assert (row["n"], row["events"], row["unsure"]) == (2, 1, unsure)


def test_rule_1_0_durability_has_no_range() -> None:
    km = durability_kaplan_meier(
        _relief_courses([0.5]), config=CohortConfig(relief=ReliefRule())
    ).medians.row(0, named=True)
    assert km["n"] == 2
    assert km["unsure"] is None
    assert km["range_low"] is None
