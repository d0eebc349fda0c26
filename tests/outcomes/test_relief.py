"""Relief rule 2.0 on arrays: the thresholds at, under and over their boundaries."""

import math

import numpy as np
import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.latent import LatentLevelModel, _smooth_one, smooth_level
from tenderpoint.outcomes.relief import CourseWindow, LatentReliefRule, relief_from_level


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
