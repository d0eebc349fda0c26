import math

import numpy as np
import polars as pl
import pytest

from tenderpoint.outcomes.baseline import baseline_scores
from tenderpoint.outcomes.contracts import daily_values, validate_diary, validate_patients
from tenderpoint.outcomes.response import (
    immpact_category,
    immpact_category_expr,
    percent_reduction,
    relief_episodes,
    window_responses,
)
from tenderpoint.outcomes.schedule import infusion_courses

from .helpers import NOW, at, day, diary, infusions, patients

V1 = "tenderpoint-relief/1.0"  # the raw-entry rule these hand-made diaries were written for


@pytest.mark.parametrize(
    ("baseline", "follow_up", "expected"),
    [
        (6, 4.2, "moderate"),  # exactly 30 % (29.999... in binary floating point)
        (10, 9, "minimal"),  # exactly 10 %
        (10, 9.01, "none"),  # 9.9 %
        (4, 2, "substantial"),  # 50 %
        (5, 6, "none"),  # worse
        (0, 0, "not_computable"),
    ],
)
def test_immpact_categories(baseline: float, follow_up: float, expected: str) -> None:
    assert immpact_category(baseline, follow_up) == expected
    df = pl.DataFrame({"b": [float(baseline)], "f": [float(follow_up)]})
    got = df.select(immpact_category_expr(percent_reduction(pl.col("b"), pl.col("f"))))
    assert got.item() == expected


def _frames(rows, inf_rows, hours=None, ids=("a",)):
    raw = validate_diary(diary(rows, hours), now=NOW)
    daily = daily_values(raw)
    ses = infusion_courses(infusions(inf_rows), validate_patients(patients(list(ids))))
    return raw, daily, ses, baseline_scores(daily, ses)


BASE = [(d, 8.0) for d in range(3, 10)]  # baseline 8 for an infusion on day 10


def test_windows_percent_change_and_minimum_days() -> None:
    rows = [("a", d, p) for d, p in BASE] + [("a", 11, 6), ("a", 12, 4), ("a", 13, 4), ("a", 14, 4)]
    rows += [("a", d, 4) for d in (18, 19, 20)]  # only 3 days of week 2
    _, daily, _, base = _frames(rows, [("a", 10)])
    out = {r["window"]: r for r in window_responses(daily, base).to_dicts()}
    assert out["day1"]["pct_reduction_pain"] == 25.0
    assert out["day1"]["immpact"] == "minimal"
    assert out["week1"]["pain"] == 4.5
    assert out["week1"]["pct_reduction_pain"] == 43.75
    assert out["week1"]["immpact"] == "moderate"
    assert out["week2"]["status"] == "insufficient_data"
    assert out["week2"]["immpact"] == "not_computable"


def _relief_rows():
    a = [("a", d, p) for d, p in BASE] + [("a", 10, 7), ("a", 11, 5.6), ("a", 11, 4.4)]
    a += [("a", d, 4) for d in range(12, 21)] + [("a", 21, 7.2), ("a", 22, 7.2), ("a", 23, 6)]
    a += [("a", d, 8) for d in (24, 25, 26)]
    hours = [20] * 7 + [20, 8, 20] + [20] * 15
    return a, hours


def test_time_to_relief_from_sub_daily_entries_and_durability_event() -> None:
    rows, hours = _relief_rows()
    raw, daily, ses, base = _frames(rows, [("a", 10)], hours)
    row = relief_episodes(raw, daily, ses, base, V1).row(0, named=True)
    # infusion 10:00 on day 10; first entry >= 30 % below 8 is 5.6 at 08:00 on day 11: 22 h
    assert row["relief"] is True
    assert row["time_to_relief_hours"] == 22.0
    assert row["relief_resolution"] == "sub_daily"
    assert row["relief_onset_date"] == day(11)
    # back within 10 % on days 21-22 only (day 23 breaks it); the 3-day run starts on day 24
    assert row["durability_days"] == 13.0
    assert row["durability_event"] is True
    assert row["censor_reason"] is None


def test_durability_censored_at_next_course_and_at_last_entry() -> None:
    rows = [("b", d, p) for d, p in BASE] + [("b", d, 4) for d in range(11, 30)]
    rows += [("c", d, p) for d, p in BASE] + [("c", d, 4) for d in range(11, 16)]
    raw, daily, ses, base = _frames(rows, [("b", 10), ("b", 30), ("c", 10)], ids=("b", "c"))
    out = relief_episodes(raw, daily, ses, base, V1).filter(pl.col("course") == 1)
    b, c = out.to_dicts()
    assert b["time_to_relief_hours"] == 34.0  # 10:00 day 10 to 20:00 day 11
    assert b["relief_resolution"] == "daily"
    assert (b["durability_days"], b["durability_event"], b["censor_reason"]) == (
        18.0,
        False,
        "next_infusion",
    )
    assert (c["durability_days"], c["durability_event"], c["censor_reason"]) == (
        4.0,
        False,
        "last_entry",
    )


def test_no_relief_is_censored_time_to_relief() -> None:
    rows = [("a", d, p) for d, p in BASE] + [("a", 11, 7), ("a", 12, 7)]
    raw, daily, ses, base = _frames(rows, [("a", 10)])
    row = relief_episodes(raw, daily, ses, base, V1).row(0, named=True)
    assert row["relief"] is False
    assert row["status"] == "no_relief"
    assert row["time_to_relief_hours"] == 58.0  # censored at the last entry, 20:00 day 12
    assert row["durability_days"] is None


def test_infusions_on_consecutive_days_form_one_course() -> None:
    rows = [("a", d, p) for d, p in BASE] + [("a", d, 4) for d in range(11, 35)]
    raw, daily, ses, base = _frames(rows, [("a", 10), ("a", 11), ("a", 12), ("a", 30)])
    assert ses["course"].to_list() == [1, 1, 1, 2]
    assert ses["course_size"].to_list() == [3, 3, 3, 1]
    rel = relief_episodes(raw, daily, ses, base, V1)
    first = rel.row(0, named=True)
    assert first["course_size"] == 3
    # relief on day 11 is not censored by the day-11 and day-12 sessions, only by day 30
    assert first["durability_days"] == 18.0
    assert first["censor_reason"] == "next_infusion"


def test_entries_across_a_time_zone_change() -> None:
    # the patient flies from UTC to UTC+9 on day 11: the 20:00 local entry of day 12 is
    # 11:00 UTC; the local date, not the UTC date, is the diary day
    base = [("a", d, p) for d, p in BASE]
    df = pl.concat(
        [
            diary(base),
            pl.DataFrame(
                {
                    "patient_id": ["a", "a", "a"],
                    "recorded_at": [at(11, 20), at(12, 11), at(12, 23)],
                    "local_date": [day(11), day(12), day(13)],
                    "pain": [6.0, 5.0, 4.0],
                }
            ),
        ]
    )
    raw = validate_diary(df, now=NOW)
    daily = daily_values(raw)
    assert daily.filter(pl.col("local_date") > day(10))["pain"].to_list() == [6.0, 5.0, 4.0]
    ses = infusion_courses(infusions([("a", 10)]), validate_patients(patients(["a"])))
    base_df = baseline_scores(daily, ses)
    row = relief_episodes(raw, daily, ses, base_df, V1).row(0, named=True)
    # 5.0 is 37.5 % below 8, recorded 49 h after the 10:00 UTC start on day 10
    assert row["time_to_relief_hours"] == 49.0
    assert row["relief_onset_date"] == day(12)


def test_one_entry_is_not_a_crash() -> None:
    raw, daily, ses, base = _frames([("a", 12, 5)], [("a", 10)])
    assert base["baseline_status"].to_list() == ["insufficient_data"]
    assert window_responses(daily, base)["status"].unique().to_list() == ["no_baseline"]
    assert relief_episodes(raw, daily, ses, base, V1).height == 0


def test_one_patient_analysis_with_one_entry() -> None:
    from tenderpoint.outcomes.patient import analyse_patient

    raw = validate_diary(diary([("a", 12, 5)]), now=NOW)
    a = analyse_patient("a", raw, infusions([("a", 10)]), validate_patients(patients(["a"])))
    assert a.forecast.status == "insufficient_data"
    assert a.flares.height == 0
    assert a.change_points.height == 0


def test_fm30_short_and_long_by_hand() -> None:
    from tenderpoint.outcomes.response import fm30

    base_days = [(d, 8.0, 8.0, 8.0) for d in range(3, 10)]
    week2 = [(d, 4.0, 5.0, 8.0) for d in range(18, 25)]
    rows = base_days + week2
    df = pl.DataFrame(
        {
            "patient_id": ["a"] * len(rows),
            "recorded_at": [at(r[0]) for r in rows],
            "local_date": [day(r[0]) for r in rows],
            "pain": [r[1] for r in rows],
            "fatigue": [r[2] for r in rows],
            "sleep_quality": [r[3] for r in rows],
        }
    )
    daily = daily_values(validate_diary(df, now=NOW))
    ses = infusion_courses(infusions([("a", 10)]), validate_patients(patients(["a"])))
    responses = window_responses(daily, baseline_scores(daily, ses))
    fiqr = pl.DataFrame(
        {
            "patient_id": ["a", "a"],
            "date": [day(9), day(24)],
            "instrument_id": ["fiqr", "fiqr"],
            "total": [50.0, 40.0],
            "subscales": [
                [{"name": "function", "score": 20.0}],
                [{"name": "function", "score": 17.0}],
            ],
        }
    )
    row = fm30(responses, fiqr).filter(pl.col("window") == "week2").row(0, named=True)
    # pain 8 -> 4 (50 %), function 20 -> 17 (15 % >= 10), fatigue 8 -> 5 (37.5 % >= 30)
    assert row["pct_reduction_function"] == 15.0
    assert row["fm30_short"] == "responder"
    # long needs 2 of sleep, fatigue, mood, fog: fatigue yes, sleep no, mood and fog unknown
    assert row["fm30_long"] == "not_computable"
    day1 = fm30(responses, fiqr).filter(pl.col("window") == "day1").row(0, named=True)
    assert day1["fm30_short"] == "not_computable"  # FM30 uses weekly means


@pytest.mark.parametrize(
    ("back_pain", "event"),
    # baseline 8: "back within 10 %" is a reduction <= 10 %, i.e. pain >= 7.2 (at: 7.2)
    [(7.19, False), (7.2, True), (7.21, True)],
)
def test_rule_1_back_within_ten_percent_boundary(back_pain: float, event: bool) -> None:
    rows = [("a", d, p) for d, p in BASE] + [("a", d, 4) for d in range(11, 16)]
    rows += [("a", d, back_pain) for d in (16, 17, 18)]
    raw, daily, ses, base = _frames(rows, [("a", 10)])
    row = relief_episodes(raw, daily, ses, base, V1).row(0, named=True)
    assert row["durability_event"] is event
    assert row["durability_days"] == (5.0 if event else 7.0)  # onset day 11


def test_week2_is_days_8_to_14_after_the_first_infusion() -> None:
    # infusion on day 10: week 2 is days 18-24; pain 0 on days 17 and 25 lies outside it
    rows = [("a", d, p) for d, p in BASE] + [("a", 17, 0.0), ("a", 25, 0.0)]
    rows += [("a", d, 4.0) for d in range(18, 25)]
    _, daily, _, base = _frames(rows, [("a", 10)])
    week2 = window_responses(daily, base).filter(pl.col("window") == "week2").row(0, named=True)
    assert (week2["window_start_day"], week2["window_end_day"]) == (8, 14)
    assert week2["pain"] == 4.0
    assert week2["pct_reduction_pain"] == 50.0


def test_fm30_long_responder_at_exactly_two_secondary_domains() -> None:
    from tenderpoint.outcomes.response import fm30

    # pain 8 -> 4 (50 %), function 20 -> 17 (15 %), sleep and fatigue 8 -> 5 (37.5 % each):
    # two of the four secondary domains met, mood and fog unknown -> responder (>= 2 of 4)
    rows = [(d, 8.0, 8.0, 8.0) for d in range(3, 10)] + [(d, 4.0, 5.0, 5.0) for d in range(18, 25)]
    df = pl.DataFrame(
        {
            "patient_id": ["a"] * len(rows),
            "recorded_at": [at(r[0]) for r in rows],
            "local_date": [day(r[0]) for r in rows],
            "pain": [r[1] for r in rows],
            "fatigue": [r[2] for r in rows],
            "sleep_quality": [r[3] for r in rows],
        }
    )
    daily = daily_values(validate_diary(df, now=NOW))
    ses = infusion_courses(infusions([("a", 10)]), validate_patients(patients(["a"])))
    responses = window_responses(daily, baseline_scores(daily, ses))
    fiqr = pl.DataFrame(
        {
            "patient_id": ["a", "a"],
            "date": [day(9), day(24)],
            "instrument_id": ["fiqr", "fiqr"],
            "total": [50.0, 40.0],
            "subscales": [
                [{"name": "function", "score": 20.0}],
                [{"name": "function", "score": 17.0}],
            ],
        }
    )
    row = fm30(responses, fiqr).filter(pl.col("window") == "week2").row(0, named=True)
    assert row["pct_reduction_sleep_quality"] == 37.5
    assert row["pct_reduction_fatigue"] == 37.5
    assert row["fm30_long"] == "responder"


# ---- responder probability and interval (issue 14, tenderpoint-responder-probability/1.0)

FLAT = [(d, 8.0) for d in range(28)]  # four flat pre-infusion weeks; infusion on day 28
# 28 flat days: 27 day pairs estimate a noise of 0, blended with the prior (1 point, weight
# 4 days): variance 4 / 31 (latent.noise_variance)
FLAT_NOISE_VAR = 4.0 / 31.0


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _post_week1(rows, noise_var=FLAT_NOISE_VAR):
    """The post_week1 row (one session on day 28: post-induction week 1 is days 29-35)."""
    _, daily, _, base = _frames(rows, [("a", 28)])
    out = window_responses(daily, base).filter(pl.col("window") == "post_week1")
    return out.row(0, named=True)


@pytest.mark.parametrize(
    ("week_pain", "immpact", "side"),
    [(5.6, "moderate", 0), (5.61, "minimal", -1), (5.59, "moderate", 1)],
)
def test_responder_probability_at_just_under_and_just_over_30_percent(
    week_pain: float, immpact: str, side: int
) -> None:
    rows = [("a", d, p) for d, p in FLAT] + [("a", d, week_pain) for d in range(29, 36)]
    row = _post_week1(rows)
    assert row["immpact"] == immpact  # the published label is unchanged
    # P(true week <= 70 % of true baseline), 7 days each with the patient's noise
    v = FLAT_NOISE_VAR / 7.0
    expected = _phi((0.7 * 8.0 - week_pain) / math.sqrt(v + 0.49 * v))
    assert row["responder_probability"] == pytest.approx(round(expected, 3), abs=1e-12)
    assert (row["responder_probability"] > 0.5) - (row["responder_probability"] < 0.5) == side
    assert row["noise_sd_points"] == round(math.sqrt(FLAT_NOISE_VAR), 3)
    # Fieller's 95 % interval holds the measured reduction, and 30 % when it is 30 %
    assert (
        row["pct_reduction_pain_low"] < row["pct_reduction_pain"] < row["pct_reduction_pain_high"]
    )
    if side == 0:
        assert row["responder_probability"] == 0.5
        assert row["pct_reduction_pain_low"] < 30.0 < row["pct_reduction_pain_high"]


def test_fieller_interval_by_hand_and_a_noisier_patient_is_less_sure() -> None:
    week = [("a", d, 4.0) for d in range(29, 33)]  # 4 days at 4: 50 % below 8
    row = _post_week1([("a", d, p) for d, p in FLAT] + week)
    vb, vw, z = FLAT_NOISE_VAR / 7.0, FLAT_NOISE_VAR / 4.0, 1.959963984540054
    a = 64.0 - z * z * vb
    half = z * math.sqrt(vb * 16.0 + vw * a)
    assert row["pct_reduction_pain_low"] == round(100.0 * (1.0 - (32.0 + half) / a), 2)
    assert row["pct_reduction_pain_high"] == round(100.0 * (1.0 - (32.0 - half) / a), 2)
    assert row["responder_probability"] == 1.0
    # the same means from a patient whose first three pre-infusion weeks swing 7 / 9 (the
    # baseline week still 8): larger noise, wider interval, a probability further from 0
    swing = [("a", d, (7.0 if d % 2 else 9.0) if d < 21 else 8.0) for d in range(28)]
    shaky = _post_week1(swing + [("a", d, 6.0) for d in range(29, 33)])
    calm = _post_week1([("a", d, p) for d, p in FLAT] + [("a", d, 6.0) for d in range(29, 33)])
    assert shaky["pct_reduction_pain"] == calm["pct_reduction_pain"] == 25.0
    assert shaky["noise_sd_points"] > calm["noise_sd_points"]
    assert calm["responder_probability"] < shaky["responder_probability"] < 0.5
    width = {
        k: r["pct_reduction_pain_high"] - r["pct_reduction_pain_low"]
        for k, r in (("s", shaky), ("c", calm))
    }
    assert width["s"] > width["c"]


def test_no_probability_without_a_measured_week() -> None:
    rows = [("a", d, p) for d, p in FLAT] + [("a", d, 4.0) for d in (29, 30, 31)]  # 3 of 4 days
    row = _post_week1(rows)
    assert row["status"] == "insufficient_data"
    assert row["responder_probability"] is None
    assert row["pct_reduction_pain_low"] is None
    assert row["noise_sd_points"] is None


def test_no_probability_when_the_reduction_is_not_computable() -> None:
    rows = [("a", d, 0.0) for d in range(28)] + [("a", d, 0.0) for d in range(29, 36)]
    row = _post_week1(rows)
    assert row["status"] == "ok"
    assert row["immpact"] == "not_computable"
    assert row["responder_probability"] is None
    assert row["pct_reduction_pain_low"] is None
    assert row["pct_reduction_pain_high"] is None


def test_responder_probability_equal_on_the_array_frame_and_dense_paths() -> None:
    from polars.testing import assert_frame_equal

    from tenderpoint.outcomes import cohort as cohort_module
    from tenderpoint.outcomes.cohort import CohortConfig
    from tenderpoint.outcomes.patient import analyse_frames, analyse_patient

    rng = np.random.default_rng(5)
    rows = []
    for pid, week in (("a", 5.6), ("b", 4.0), ("c", 6.5)):
        rows += [
            (pid, d, float(np.clip(round(6.0 + rng.normal(0, 1.2)), 0, 10))) for d in range(28)
        ]
        rows += [
            (pid, d, float(np.clip(round(week + rng.normal(0, 1.2)), 0, 10))) for d in range(29, 36)
        ]
    hours = [8 if i % 4 == 0 else 20 for i in range(len(rows))]
    d = diary(rows, hours)
    inf = infusions([(p, 28) for p in ("a", "b", "c")])
    pts = patients(["a", "b", "c"])
    for pid in ("a", "b", "c"):
        fast = analyse_patient(pid, d, inf, pts, now=NOW).responses
        slow = analyse_frames(pid, d, inf, pts, now=NOW).responses
        assert_frame_equal(fast, slow, check_exact=True)
        assert (
            fast.filter(pl.col("window") == "post_week1")["responder_probability"]
            .is_not_null()
            .all()
        )
    vd = validate_diary(d, now=NOW)
    vp = validate_patients(pts)
    from tenderpoint.outcomes.contracts import validate_infusions

    vd, vi, vp, _ = cohort_module._keyed(vd, validate_infusions(inf, now=NOW), vp, None)
    ses = infusion_courses(vi, vp)
    dense = cohort_module._measures(vd, ses, None, CohortConfig(), dense=True)[1]
    frame = cohort_module._measures(vd, ses, None, CohortConfig(), dense=False)[1]
    assert_frame_equal(dense, frame, check_exact=True)
    assert dense["responder_probability"].drop_nulls().len() >= 3
