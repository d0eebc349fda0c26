"""Relief rules 2.0-2.3 on arrays: the thresholds at, under and over their boundaries."""

import math
from dataclasses import replace

import numpy as np
import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.latent import LatentLevelModel, _smooth_one, smooth_level
from tenderpoint.outcomes.relief import (
    CourseWindow,
    DiaryDays,
    LatentReliefRule,
    earlier_return,
    marked_flare_before_follow_up_end,
    relief_from_level,
    relief_from_level_reference,
    relief_held_at_follow_up_end,
    return_before_follow_up_end,
)
from tenderpoint.outcomes.response import relief_rule

V21 = relief_rule("tenderpoint-relief/2.1")


def _one(levels: list[float], *, var: float = 1e-6, limit: int | None = None):
    mean = np.array(levels, dtype=float)[:, None]
    d = mean.shape[0]
    window = CourseWindow(
        np.array([0]), np.array([-1]), np.array([d - 1 if limit is None else limit])
    )
    return relief_from_level(
        mean, np.full_like(mean, var), np.array([10.0]), np.array([0.0]), window, LatentReliefRule()
    )


@pytest.mark.parametrize(
    ("level_day3", "ended"),
    [(8.99, False), (9.0, True), (9.01, True)],  # back within 10 % of 10: level >= 9.0
)
def test_relief_ends_when_the_level_is_back_within_ten_percent(
    level_day3: float, ended: bool
) -> None:
    r = _one([10, 6, 6, level_day3, 8.5])
    assert bool(r["relief"][0])
    assert bool(r["event"][0]) is ended
    if ended:
        assert int(r["end"][0]) == 3
        assert r["durability"][0] == 2.0  # onset day 1 -> end day 3
    else:
        assert r["durability"][0] == 3.0  # censored at the last day


@pytest.mark.parametrize(
    ("level", "relief"),
    # 30 % below a baseline of 10 is 7.0; with a level SD of 0.1 the probability of >= 30 %
    # reaches 0.9 at 7.0 - 1.28155 x 0.1 = 6.87184
    [(7.0, False), (6.8725, False), (6.8715, True), (6.5, True)],
)
def test_relief_onset_needs_ninety_percent_probability_of_thirty_percent(
    level: float, relief: bool
) -> None:
    r = _one([10, level, level, 10], var=0.01)
    assert bool(r["relief"][0]) is relief
    assert r["relief_probability"][0] == pytest.approx(
        0.5 * math.erfc(-(7.0 - level) / 0.1 / math.sqrt(2)), abs=1e-9
    )


def test_an_uncertain_level_is_not_relief() -> None:
    # 35 % below baseline, but the level's SD is 2 points: P(>= 30 %) is about 0.6 < 0.9
    assert not bool(_one([10, 6.5, 6.5, 6.5], var=4.0)["relief"][0])


def test_censoring_reason_comes_from_the_infusion_record() -> None:
    # next course on day 10; the diary's last entry is day 12 (it skipped day 9): censored at
    # day 9 because of the next infusion, not at the last entry
    w = CourseWindow(np.array([0]), np.array([10]), np.array([12]))
    limit, reached = w.follow_up_end()
    assert (int(limit[0]), bool(reached[0])) == (9, True)
    # the patient stopped writing on day 5: censored at the last entry
    w = CourseWindow(np.array([0]), np.array([10]), np.array([5]))
    limit, reached = w.follow_up_end()
    assert (int(limit[0]), bool(reached[0])) == (5, False)


def test_vectorised_and_single_patient_smoothers_agree() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(5, 1, (60, 3))
    h = (rng.random((60, 3)) > 0.2).astype(float)
    q = np.full((60, 3), 0.04)
    q[20] = 6.0
    mean, var = smooth_level(y, h, q)
    for j in range(3):
        m1, v1 = _smooth_one(y[:, j], h[:, j], q[:, j])
        np.testing.assert_allclose(mean[:, j], m1[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(var[:, j], v1[:, 0], rtol=0, atol=1e-12)


def test_smoother_matches_the_steady_state_of_a_local_level_model() -> None:
    # with every day observed (r = 1, q = 0.04), the filter variance converges to
    # P = (-q + sqrt(q^2 + 4 q r)) / 2 + ... : the Riccati fixed point P_pred = P + q,
    # P = P_pred r / (P_pred + r)
    r, q = 1.0, 0.04
    y = np.zeros((400, 2))
    _, var = smooth_level(y, np.full((400, 2), 1 / r), np.full((400, 2), q))
    p_pred = (q + np.sqrt(q * q + 4 * q * r)) / 2
    p_filter = p_pred * r / (p_pred + r)
    assert var[-1, 0] == pytest.approx(p_filter, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"return_within_pct": 30.0}, "return_within_pct"),
        ({"onset_probability": 1.0}, "onset_probability"),
        ({"horizon_days": 0}, "horizon_days"),
    ],
)
def test_rule_settings_are_validated(kwargs: dict, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        LatentReliefRule(**kwargs)
    assert err.value.field == field


def test_model_settings_are_validated() -> None:
    with pytest.raises(InvalidInputError) as err:
        LatentLevelModel(process_sd_points_per_day=0.0)
    assert err.value.field == "process_sd_points_per_day"


@pytest.mark.parametrize(
    ("drop_day", "relief"),
    # the horizon is 28 days from the course's first session (day 0): days 0-27 count
    [(27, True), (28, False)],
)
def test_relief_onset_must_fall_inside_the_28_day_horizon(drop_day: int, relief: bool) -> None:
    levels = [10.0] * drop_day + [6.0] * 3
    r = _one(levels)
    assert bool(r["relief"][0]) is relief
    if relief:
        assert int(r["onset"][0]) == 27


# --- rule 2.1: the relief end read off the diary days near the end -----------------------------


def _daily_block(pain: list[float], declared: list[int] = ()) -> DiaryDays:
    y = np.array(pain, dtype=float)[:, None]
    marks = np.zeros_like(y, dtype=bool)
    marks[list(declared), 0] = True
    return DiaryDays(y, np.ones_like(y, dtype=np.int64), marks, np.array([0]))


@pytest.mark.parametrize(
    ("tail_value", "ended"),
    # back level 9 (10 % below a baseline of 10), noise variance 1, four diary days: the
    # probability of being back reaches 0.9 when (v - 9) / sqrt(1/4) >= 1.28155, v >= 9.6408
    [(9.640, False), (9.642, True), (10.0, True)],
)
def test_a_return_just_before_the_end_of_follow_up_is_an_event(
    tail_value: float, ended: bool
) -> None:
    levels = [10.0] + [6.0] * 19  # the smoothed level never gets back: censored by 2.0
    res = _one(levels)
    assert not bool(res["event"][0])
    pain = [10.0] + [6.0] * 15 + [tail_value] * 4
    out = return_before_follow_up_end(
        res,
        _daily_block(pain),
        np.array([1.0]),
        np.array([10.0]),
        np.array([0.0]),
        V21,
    )
    assert bool(out["event"][0]) is ended
    if ended:
        assert int(out["end"][0]) == 16
        assert out["durability"][0] == 15.0  # onset day 1 -> end day 16
        assert int(out["end_high"][0]) == 19  # the end of follow-up
    assert not bool(res["event"][0])  # the input is not changed


def test_a_marked_flare_before_the_end_of_follow_up_is_not_relief_ending() -> None:
    res = _one([10.0] + [6.0] * 19)
    pain = [10.0] + [6.0] * 15 + [10.0] * 4
    args = (np.array([1.0]), np.array([10.0]), np.array([0.0]), V21)
    marked = return_before_follow_up_end(res, _daily_block(pain, [18]), *args)
    assert not bool(marked["event"][0])  # day 18 marked: days 16-19 are a flare
    before = return_before_follow_up_end(res, _daily_block(pain, [15]), *args)
    assert int(before["end"][0]) == 16  # a mark before the stretch does not count


def test_rule_2_0_by_name_keeps_the_censoring() -> None:
    res = _one([10.0] + [6.0] * 19)
    pain = [10.0] + [6.0] * 15 + [10.0] * 4
    old = relief_rule("tenderpoint-relief/2.0")
    assert isinstance(old, LatentReliefRule)
    assert old.return_tail_days == 0
    out = return_before_follow_up_end(
        res, _daily_block(pain), np.array([1.0]), np.array([10.0]), np.array([0.0]), old
    )
    assert not bool(out["event"][0])
    assert LatentReliefRule().version == "tenderpoint-relief/2.4"  # the default


def test_the_end_moves_to_the_first_day_the_diary_is_surely_back() -> None:
    # the level lags: it reaches 9 on day 20, but the diary is at 10 from day 17 on
    levels = [10.0] + [6.0] * 16 + [7.0, 8.0, 8.5, 9.0] + [10.0] * 9
    res = _one(levels)
    assert int(res["end"][0]) == 20
    pain = [10.0] + [6.0] * 16 + [10.0] * 13
    back = (np.array([9.0]), np.array([0.0]))
    out = earlier_return(res, _daily_block(pain), np.array([1.0]), back, V21)
    assert int(out["end"][0]) == 17
    assert out["durability"][0] == 16.0
    # noisier diary (variance 4): seven days at 10 are 1.32 SE above 9, still sure; at 9.9
    # they are 1.19 SE, not sure, and the smoothed end stays
    noisy = earlier_return(res, _daily_block(pain), np.array([4.0]), back, V21)
    assert int(noisy["end"][0]) == 17
    pain_low = [10.0] + [6.0] * 16 + [9.9] * 13
    kept = earlier_return(res, _daily_block(pain_low), np.array([4.0]), back, V21)
    assert int(kept["end"][0]) == 20


@pytest.mark.parametrize("field", ["return_tail_days", "return_confirm_days", "return_min_days"])
def test_return_settings_are_validated(field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        LatentReliefRule(**{field: -1})
    assert err.value.field == field
    assert getattr(LatentReliefRule(**{field: 0}), field) == 0


# --- rule 2.2: a return seen on only a few diary days needs 99 % ---------------------------------


def _tail_end(tail: list[float], rule: LatentReliefRule):
    """Relief from day 1 (level 6, baseline 10), the smoothed level never back, and the last
    days of the diary at ``tail``; noise variance 1, baseline exact: back level 9."""
    pain = [10.0] + [6.0] * (19 - len(tail)) + tail
    res = _one([10.0] + [6.0] * 19)
    args = (np.array([1.0]), np.array([10.0]), np.array([0.0]), rule)
    return return_before_follow_up_end(res, _daily_block(pain), *args)


V22 = relief_rule("tenderpoint-relief/2.2")


@pytest.mark.parametrize(
    ("tail", "ended_21", "ended_22"),
    [
        # three diary days (fewer than return_min_days = 4): 2.1 needs 90 %,
        # (v - 9) * sqrt(3) >= 1.28155, v >= 9.7399; 2.2 needs 99 %, >= 2.32635, v >= 10.3431
        ([9.739] * 3, False, False),
        ([9.741] * 3, True, False),  # the 90 % limit fires for 2.1 only
        ([10.343] * 3, True, False),
        ([10.344] * 3, True, True),  # the 99 % limit
        # four diary days: not short, both rules need 90 %, (v - 9) * 2 >= 1.28155, v >= 9.6408
        ([9.640] * 4, False, False),
        ([9.642] * 4, True, True),
    ],
)
def test_a_short_return_needs_ninety_nine_percent(
    tail: list[float], ended_21: bool, ended_22: bool
) -> None:
    assert V21.return_min_days == 0
    assert (V22.return_min_days, V22.return_short_probability) == (4, 0.99)
    assert V22.return_marked_flare_check
    assert not V21.return_marked_flare_check
    assert bool(_tail_end(tail, V21)["event"][0]) is ended_21
    out = _tail_end(tail, V22)
    assert bool(out["event"][0]) is ended_22
    if ended_22:
        assert int(out["end"][0]) == 20 - len(tail)


def test_rule_2_2_counts_diary_days_not_calendar_days() -> None:
    # five calendar days, two without an entry: three diary days, short for rule 2.2
    pain = [10.0] + [6.0] * 14 + [10.0, math.nan, 10.0, math.nan, 10.0]
    y = np.array(pain)[:, None]
    count = np.where(np.isnan(y), 0, 1).astype(np.int64)
    block = DiaryDays(np.nan_to_num(y), count, np.zeros_like(y, dtype=bool), np.array([0]))
    res = _one([10.0] + [6.0] * 19)
    args = (np.array([1.0]), np.array([10.0]), np.array([0.0]))
    # three days at 10: z = sqrt(3) = 1.73, above 90 % and below 99 %
    assert bool(return_before_follow_up_end(res, block, *args, V21)["event"][0])
    assert not bool(return_before_follow_up_end(res, block, *args, V22)["event"][0])


def test_rule_2_2_settings_are_validated() -> None:
    for bad in (0.49, 1.0):
        with pytest.raises(InvalidInputError) as err:
            LatentReliefRule(return_short_probability=bad)
        assert err.value.field == "return_short_probability"
    assert LatentReliefRule(return_short_probability=0.5).return_short_probability == 0.5
    assert V22.version == "tenderpoint-relief/2.2"


def _ended_into_flare(before: list[float], mark_day: int | None, rule: LatentReliefRule):
    """The smoothed level back at 9 (10 % below a baseline of 10) from day 13, follow-up to
    day 19; diary days from 13 at ``before``, then 10 from ``mark_day`` (marked); noise SD
    0.5, baseline exact."""
    res = _one([10.0] + [6.0] * 12 + [9.0] * 7)
    assert bool(res["event"][0])
    assert int(res["end"][0]) == 13
    pain = [10.0] + [6.0] * 12 + before + [10.0] * (7 - len(before))
    marks = [] if mark_day is None else [mark_day]
    back = (np.array([9.0]), np.array([0.0]))
    return res, marked_flare_before_follow_up_end(
        res, _daily_block(pain, marks), np.array([0.25]), back, rule
    )


@pytest.mark.parametrize(
    ("before", "mark_day", "stands"),
    [
        # three diary days before the mark (short): 99 %, v >= 9 + 2.32635 * 0.5 / sqrt(3)
        ([9.671] * 3, 16, False),
        ([9.672] * 3, 16, True),
        # four days: 90 %, v >= 9 + 1.28155 * 0.5 / 2 = 9.3204
        ([9.320] * 4, 17, False),
        ([9.321] * 4, 17, True),
        ([], 13, False),  # the mark on the end day itself: nothing before the flare
        ([6.0] * 7, None, True),  # no mark: the check does not apply
    ],
)
def test_an_end_running_into_a_marked_flare_must_be_seen_before_it(
    before: list[float], mark_day: int | None, stands: bool
) -> None:
    res, out = _ended_into_flare(before, mark_day, V22)
    assert bool(out["event"][0]) is stands
    if not stands:
        assert int(out["end"][0]) == -1
        assert int(out["end_high"][0]) == -1
        assert out["durability"][0] == 18.0  # censored at the end of follow-up (day 19)
        assert out["durability_high"][0] == math.inf
        assert out["durability_low"][0] == 12.0  # from the level's 10 % day, 13
    assert bool(res["event"][0])  # the input is not changed
    # rule 2.1 does not look
    assert bool(_ended_into_flare(before, mark_day, V21)[1]["event"][0])


def test_an_end_before_the_tail_is_not_checked() -> None:
    short_tail = replace(V22, return_tail_days=6)
    # the end (day 13) is not after day 19 - 6: the check leaves it
    assert bool(_ended_into_flare([], 13, short_tail)[1]["event"][0])
    seven = replace(V22, return_tail_days=7)
    assert not bool(_ended_into_flare([], 13, seven)[1]["event"][0])


@pytest.mark.parametrize("n", [0, 1, 5, 64, 65, 3000])
def test_relief_date_columns_are_the_expression_passs(n) -> None:
    """Grid days (-1: none) become dates from the numbers, by a list for a few rows and a
    masked array for many; both must equal the polars expression the frame used before
    (null for -1, the day's date otherwise)."""
    import polars as pl
    from polars.testing import assert_series_equal

    from tenderpoint.outcomes.relief import _date_column

    rng = np.random.default_rng(n)
    days = np.where(rng.random(n) < 0.3, -1, rng.integers(0, 900, n)).astype(np.int64)
    offset = 19_000
    expected = (
        pl.DataFrame({"d": pl.Series(days, dtype=pl.Int32)})
        .select(pl.when(pl.col("d") >= 0).then((pl.col("d") + offset).cast(pl.Date)).alias("d"))
        .to_series()
    )
    assert_series_equal(_date_column("d", days, offset), expected)


# --- rule 2.3: a return that steps up from the week before it -----------------------------------

V23 = relief_rule("tenderpoint-relief/2.3")


def test_rule_2_3_is_2_2_plus_the_step_test() -> None:
    assert V23.version == "tenderpoint-relief/2.3"
    assert (V23.return_min_days, V23.return_short_probability) == (4, 0.99)
    assert V23.return_marked_flare_check
    assert V23.return_step_check
    assert (V23.return_rise_probability, V23.return_step_probability) == (0.99, 0.5)
    assert not V22.return_step_check
    assert not V21.return_step_check


@pytest.mark.parametrize(
    ("value", "ended_22", "ended_23"),
    [
        # seven diary days (13-19) at ``value`` after a week at 6; back level 9, noise 1.
        # 2.2 needs 90 %: (v - 9) * sqrt(7) >= 1.28155, v >= 9.48438; 2.3's step test needs
        # the mean back (z >= 0, v >= 9) and a rise over the week before of 99 %:
        # (v - 6) / sqrt(2/7) >= 2.32635, v >= 7.2435, met from 9 on
        (8.999, False, False),
        (9.0, False, True),  # the step test's 50 % limit fires
        (9.484, False, True),
        (9.485, True, True),  # 2.2's 90 % limit
    ],
)
def test_a_return_that_steps_up_needs_only_to_be_more_likely_back(
    value: float, ended_22: bool, ended_23: bool
) -> None:
    assert bool(_tail_end([value] * 7, V22)["event"][0]) is ended_22
    out = _tail_end([value] * 7, V23)
    assert bool(out["event"][0]) is ended_23
    if ended_23:
        assert int(out["end"][0]) == 13  # the change point: the first day of the stretch
        assert out["durability"][0] == 12.0  # onset day 1
        assert int(out["end_high"][0]) == 19  # interval to the end of follow-up
        assert out["durability_high"][0] == 18.0


def _plateau_then(plateau: float, tail: list[float]) -> DiaryDays:
    return _daily_block([10.0] + [plateau] * (19 - len(tail)) + tail)


@pytest.mark.parametrize(
    ("plateau", "ended"),
    # the week before day 13 at ``plateau``, days 13-19 at 9.2: the rise's z is
    # (9.2 - p) * sqrt(7/2) >= 2.32635 for p <= 9.2 - 1.24349 = 7.95651
    [(7.9560, True), (7.9570, False), (9.2, False)],
)
def test_the_step_test_needs_a_ninety_nine_percent_rise(plateau: float, ended: bool) -> None:
    res = _one([10.0] + [6.0] * 19)
    args = (np.array([1.0]), np.array([10.0]), np.array([0.0]), V23)
    out = return_before_follow_up_end(res, _plateau_then(plateau, [9.2] * 7), *args)
    assert bool(out["event"][0]) is ended
    assert int(out["end"][0]) == (13 if ended else -1)
    # (9.2 - 9) * sqrt(7) = 0.53: 2.2's own 90 % test does not end it
    assert not bool(
        return_before_follow_up_end(res, _plateau_then(plateau, [9.2] * 7), *args[:3], V22)[
            "event"
        ][0]
    )


@pytest.mark.parametrize(("days", "ended"), [(3, False), (4, True), (5, True)])
def test_the_step_test_needs_four_diary_days(days: int, ended: bool) -> None:
    # 9.3 on the last ``days`` days after 6s: rise >= 99 %, mean back (>= 9), but 2.2's short
    # test (99 %: (9.3 - 9) * sqrt(3) = 0.52) and 90 % test (0.3 * 2 = 0.6) do not end it
    out = _tail_end([9.3] * days, V23)
    assert bool(out["event"][0]) is ended
    if ended:
        assert int(out["end"][0]) == 20 - days
    assert not bool(_tail_end([9.3] * days, V22)["event"][0])


def test_the_step_test_reads_a_marked_day_as_a_flare() -> None:
    res = _one([10.0] + [6.0] * 19)
    args = (np.array([1.0]), np.array([10.0]), np.array([0.0]), V23)
    pain = [10.0] + [6.0] * 12 + [9.3] * 7
    assert bool(return_before_follow_up_end(res, _daily_block(pain), *args)["event"][0])
    # day 18 marked: every stretch from 13 to 18 holds the flare, 19 alone is one day
    marked = return_before_follow_up_end(res, _daily_block(pain, [18]), *args)
    assert not bool(marked["event"][0])


@pytest.mark.parametrize("field", ["return_rise_probability", "return_step_probability"])
def test_rule_2_3_settings_are_validated(field: str) -> None:
    for bad in (0.49, 1.0):
        with pytest.raises(InvalidInputError) as err:
            LatentReliefRule(**{field: bad})
        assert err.value.field == field
    assert getattr(LatentReliefRule(**{field: 0.5}), field) == 0.5


# --- rule 2.4: relief ends only after the last day it is still present --------------------------

V24 = relief_rule("tenderpoint-relief/2.4")


def test_rule_2_4_is_2_3_plus_the_resume_check() -> None:
    assert V24.version == "tenderpoint-relief/2.4"
    assert V24.return_resume_check
    assert not V23.return_resume_check
    for name in ("return_min_days", "return_marked_flare_check", "return_step_check"):
        assert getattr(V24, name) == getattr(V23, name)
    assert LatentReliefRule() == V24  # the default since 2.4


def test_older_rules_by_name_keep_their_settings() -> None:
    # stored results name their rule; these settings must not move with the default
    settings = ("return_tail_days", "return_confirm_days", "return_min_days")
    checks = ("return_marked_flare_check", "return_step_check", "return_resume_check")
    expected = {
        "tenderpoint-relief/2.0": ((0, 7, 0), (False, False, False)),
        "tenderpoint-relief/2.1": ((14, 7, 0), (False, False, False)),
        "tenderpoint-relief/2.2": ((14, 7, 4), (True, False, False)),
        "tenderpoint-relief/2.3": ((14, 7, 4), (True, True, False)),
        "tenderpoint-relief/2.4": ((14, 7, 4), (True, True, True)),
    }
    for version, (numbers, flags) in expected.items():
        rule = relief_rule(version)
        assert isinstance(rule, LatentReliefRule)
        assert rule.version == version
        assert tuple(getattr(rule, n) for n in settings) == numbers, version
        assert tuple(getattr(rule, n) for n in checks) == flags, version
        assert (rule.onset_probability, rule.relief_reduction_pct) == (0.9, 30.0)


def _back_then(level_after: float, rule: LatentReliefRule, *, reference: bool = False):
    """Baseline 10 (exact), level SD 0.1: relief at 6 on days 1-4, back at 9.5 on days 5-7,
    ``level_after`` on days 8-11 (the end of follow-up)."""
    mean = np.array([10.0, 6, 6, 6, 6, 9.5, 9.5, 9.5] + [level_after] * 4)[:, None]
    window = CourseWindow(np.array([0]), np.array([-1]), np.array([11]))
    f = relief_from_level_reference if reference else relief_from_level
    return f(mean, np.full_like(mean, 0.01), np.array([10.0]), np.array([0.0]), window, rule)


@pytest.mark.parametrize("reference", [False, True])
@pytest.mark.parametrize(
    ("level_after", "ended_24"),
    # relief again after the return needs the onset's 90 %: the level at most
    # 7.0 - 1.28155 x 0.1 = 6.87184 (30 % below 10, SD 0.1)
    [(7.0, True), (6.8725, True), (6.8715, False), (6.0, False)],
)
def test_rule_2_4_reads_a_return_followed_by_relief_as_a_flare(
    level_after: float, ended_24: bool, reference: bool
) -> None:
    r23 = _back_then(level_after, V23, reference=reference)
    assert bool(r23["event"][0])  # 2.3: the return ends relief
    assert int(r23["end"][0]) == 5
    r24 = _back_then(level_after, V24, reference=reference)
    assert bool(r24["event"][0]) is ended_24
    if ended_24:  # no day of relief after the return: the same end as 2.3
        assert int(r24["end"][0]) == 5
        assert int(r24["end_search_from"][0]) == 4
    else:  # censored at the end of follow-up, the search started on the last relief day
        assert int(r24["end"][0]) == -1
        assert int(r24["end_search_from"][0]) == 11
        assert r24["durability"][0] == 10.0  # onset day 1 -> day 11
        assert r24["durability_high"][0] == np.inf


# --- how surely relief still held at the end of follow-up (the cohort's durability range) --

# back level 9 (10 % below a baseline of 10, known exactly), noise variance 1, the last seven
# diary days at v: P(level < 9) = Phi((9 - v) / sqrt(1/7)); 0.9 at v = 9 - 1.28155 / sqrt(7)
HELD_AT_NINETY = 9.0 - 1.2815516 / math.sqrt(7.0)  # 8.51562


def _held(pain: list[float], declared: list[int] = (), levels: list[float] | None = None):
    res = _one(levels or [10.0] + [6.0] * 19)
    back = (np.array([9.0]), np.array([0.0]))
    return relief_held_at_follow_up_end(
        res, _daily_block(pain, declared), np.array([1.0]), back, LatentReliefRule()
    )


@pytest.mark.parametrize(
    ("last_week", "sure"),
    [(HELD_AT_NINETY - 1e-4, True), (HELD_AT_NINETY + 1e-4, False), (6.0, True), (9.0, False)],
)
def test_relief_held_probability_reads_the_last_seven_diary_days(
    last_week: float, sure: bool
) -> None:
    out = _held([10.0] + [6.0] * 12 + [last_week] * 7)
    assert not bool(out["event"][0])  # censored: the smoothed level never got back
    expected = 0.5 * math.erfc(-(9.0 - last_week) * math.sqrt(7.0) / math.sqrt(2.0))
    assert out["held_probability"][0] == pytest.approx(expected, abs=1e-12)
    assert bool(out["held_probability"][0] >= LatentReliefRule().onset_probability) is sure


def test_relief_held_probability_sets_marked_days_aside_and_is_none_without_days() -> None:
    pain = [10.0] + [6.0] * 12 + [6.0] * 4 + [10.0] * 3
    unmarked = _held(pain)["held_probability"][0]
    marked = _held(pain, declared=[17, 18, 19])["held_probability"][0]
    assert marked == pytest.approx(0.5 * math.erfc(-3.0 * 2.0 / math.sqrt(2.0)), abs=1e-12)
    assert unmarked < marked  # the three days at 10, unmarked, pull the week up
    assert math.isnan(_held(pain, declared=list(range(13, 20)))["held_probability"][0])


def test_relief_held_probability_only_for_censored_relief() -> None:
    ended = _held([10.0] * 20, levels=[10, 6, 6, 9.5, 10] + [10.0] * 15)
    assert bool(ended["event"][0])
    assert math.isnan(ended["held_probability"][0])
    no_relief = _held([10.0] * 20, levels=[10.0] * 20)
    assert not bool(no_relief["relief"][0])
    assert math.isnan(no_relief["held_probability"][0])
