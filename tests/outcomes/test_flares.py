import polars as pl
import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.contracts import daily_values, validate_diary
from tenderpoint.outcomes.flares import (
    FlareStateRule,
    change_points,
    declared_flares,
    detected_flares,
    flare_episodes,
    remission_periods,
)
from tenderpoint.outcomes.patient import patient_flares
from tenderpoint.outcomes.relief import LatentReliefRule

from .helpers import NOW, day, diary


def _daily(rows, flags=None):
    df = diary(rows)
    if flags is not None:
        df = df.with_columns(pl.Series("flare", flags))
    return daily_values(validate_diary(df, now=NOW))


def _series():
    pain = dict.fromkeys(range(40), 5.0)
    pain.update({14: 7.0, 15: 7.0, 21: 8.0, 30: 8.0, 32: 8.0})
    del pain[31]  # a missing day between two high days
    return [("a", d, p) for d, p in sorted(pain.items())]


def test_default_rule_two_days_at_median_plus_two() -> None:
    out = detected_flares(_daily(_series()))
    # days 14-15: 7 >= median(5) + 2 (inclusive); day 21 alone is too short; 30 and 32 are
    # not consecutive because day 31 is missing
    assert out.select("start", "end", "peak_pain", "length_days").rows() == [
        (day(14), day(15), 7.0, 2)
    ]


def test_too_little_history_cannot_flag() -> None:
    rows = [("a", d, 5.0) for d in range(5)] + [("a", 5, 9.0), ("a", 6, 9.0)]
    assert detected_flares(_daily(rows)).height == 0


def test_declared_flares_and_remission() -> None:
    rows = _series()
    flags = [r[1] in (14, 15) for r in rows]
    daily = _daily(rows, flags)
    declared = declared_flares(daily)
    assert declared.select("start", "end", "source").rows() == [(day(14), day(15), "declared")]
    episodes = flare_episodes(daily)
    assert episodes["source"].to_list() == ["declared", "detected"]
    rem = remission_periods(daily, episodes)
    # days 0-13 (14 days) and 16-30 (day 31 is missing, which ends the run: 15 days)
    assert rem.select("start", "end", "length_days").rows() == [
        (day(0), day(13), 14),
        (day(16), day(30), 15),
    ]


def test_change_points_are_annotations() -> None:
    rows = [("a", d, 2.0) for d in range(30)] + [("a", d, 8.0) for d in range(30, 60)]
    out = change_points(_daily(rows))
    assert out.select("local_date", "mean_before", "mean_after", "kind").rows() == [
        (day(30), 2.0, 8.0, "annotation")
    ]
    assert change_points(_daily(rows[:5])).height == 0


# --- rule 3.0: two-state hidden Markov model on the latent level -------------------------------

_NO_SESSIONS = pl.DataFrame({"local_date": []}, schema={"local_date": pl.Date})
_WOBBLE = (5.0, 6.0, 5.0, 4.0)  # a point of day-to-day noise around a level of 5


def _state_flares(pain: dict[int, float], flags: dict[int, bool] | None = None, **rule):
    rows = [("a", d, p) for d, p in sorted(pain.items())]
    marks = [bool((flags or {}).get(d, False)) for d in sorted(pain)]
    return patient_flares(
        _daily(rows, marks), _NO_SESSIONS, FlareStateRule(**rule), LatentReliefRule()
    ).filter(pl.col("source") == "detected")


def _level(n_days: int, shift: float = 0.0) -> dict[int, float]:
    return {d: _WOBBLE[d % 4] + shift for d in range(n_days)}


def test_state_rule_finds_a_four_day_flare_with_its_probability() -> None:
    pain = _level(60)
    pain.update({30: 8.0, 31: 9.0, 32: 8.0, 33: 8.0})
    out = _state_flares(pain)
    assert out.select("start", "end", "length_days").rows() == [(day(30), day(33), 4)]
    row = out.row(0, named=True)
    assert row["rule"] == "tenderpoint-flare/3.0"
    assert row["rise_points"] > 2.5
    assert row["probability"] > 0.9


def test_state_rule_ignores_a_small_worsening() -> None:
    pain = _level(60)
    pain.update({30: 6.0, 31: 7.0, 32: 6.0, 33: 6.0})  # about +1.3: below the 2-point meaning
    assert _state_flares(pain).height == 0


def test_state_rule_judges_the_excess_against_rise_points() -> None:
    pain = _level(60)
    pain.update({30: 8.0, 31: 9.0, 32: 8.0, 33: 8.0})
    assert _state_flares(pain, rise_points=2.0).height == 1
    assert _state_flares(pain, rise_points=4.5).height == 0


def test_state_rule_reads_a_lasting_rise_as_a_change_of_level() -> None:
    pain = _level(40)
    pain.update({d: _WOBBLE[d % 4] + 3.0 for d in range(40, 70)})  # 30 days higher: not a flare
    out = _state_flares(pain)
    assert not out.filter(pl.col("length_days") > 14).height
    assert not out.filter(pl.col("start") >= day(40)).height


def test_state_rule_sees_a_flare_at_the_top_of_the_scale() -> None:
    pain = {d: [7.0, 8.0, 7.0, 8.0][d % 4] for d in range(60)}
    pain.update(dict.fromkeys(range(30, 35), 10.0))  # a 10 says "at least 9.5"
    out = _state_flares(pain)
    assert out.select("start", "end").rows() == [(day(30), day(34))]


def test_state_rule_declared_days_are_evidence_not_proof() -> None:
    pain = _level(60)
    marks = dict.fromkeys(range(30, 34), True)
    assert _state_flares(pain, marks).height == 0  # declared, but pain did not rise
    pain.update({30: 7.0, 31: 7.0, 32: 7.0})  # +2 for three days, declared
    declared = _state_flares(pain, marks)
    assert declared.select("start").rows() == [(day(30),)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start_per_day", 0.0),
        ("start_per_day", 1.0),
        ("declared_if_flare", 1.0),
        ("declared_if_not", 0.0),
        ("posterior_threshold", 1.0),
        ("mean_length_days", 0.5),
        ("rise_points", 0.0),
        ("rise_sd_points", -1.0),
        ("expected_rise_points", float("nan")),
        ("min_days", 15),
        ("passes", 0),
    ],
)
def test_state_rule_rejects_settings_naming_the_field(field: str, value: float) -> None:
    with pytest.raises(InvalidInputError) as err:
        FlareStateRule(**{field: value})
    expected = "min_days" if field in ("min_days", "passes") else field
    assert err.value.field == expected


def test_state_rule_accepts_settings_just_inside_the_limits() -> None:
    rule = FlareStateRule(start_per_day=0.999, mean_length_days=1.0, min_days=14, passes=1)
    assert rule.min_days == rule.max_days


def test_change_point_segment_mean_is_numpys_to_the_bit() -> None:
    """The change points' segment means skip ndarray.mean's wrapper; they must stay its bits
    (pairwise sums over the count) on segments of every length up to two years."""
    import numpy as np

    from tenderpoint.outcomes.flares import _mean

    rng = np.random.default_rng(0)
    for _ in range(3000):
        n = int(rng.integers(1, 800))
        x = rng.integers(0, 11, n) / rng.choice([1.0, 2.0, 3.0, 7.0])
        a, b = sorted(int(v) for v in rng.integers(0, n + 1, 2))
        if a < b:
            assert _mean(x[a:b]) == float(x[a:b].mean())


def test_change_point_noise_variance_is_numpys_to_the_bit() -> None:
    """The penalty's noise variance skips np.var's wrapper; it must stay np.var's bits on
    day-to-day differences of diaries of every length up to two years (whole, half and
    averaged scores, constant stretches included)."""
    import numpy as np

    from tenderpoint.outcomes.flares import _variance

    rng = np.random.default_rng(1)
    for _ in range(3000):
        n = int(rng.integers(1, 800))
        x = rng.integers(0, 11, n) / rng.choice([1.0, 2.0, 3.0, 7.0])
        if rng.random() < 0.1:
            x[: n // 2] = x[0]
        d = np.diff(x) if n > 1 else x
        assert _variance(d) == float(np.var(d))


def test_top_of_scale_likelihoods_on_those_days_are_the_whole_array_formulas_bits() -> None:
    """Rule 3.0 reads an entry at the top of the scale as "at least this high" (a normal
    tail) and computes that tail on those days only; the result must be the bits of the
    tail computed over every day and picked with np.where (as the rule was written)."""
    import math

    import numpy as np
    from scipy.special import log_ndtr

    from tenderpoint.outcomes.flares import FlareStateRule, _day_log_likelihoods

    rule = FlareStateRule()
    rng = np.random.default_rng(4)
    for _ in range(500):
        d = int(rng.integers(1, 800))
        count = rng.integers(0, 3, d)
        scores = rng.integers(0, 11, d) / rng.choice([1.0, 2.0, 3.0])
        pain = np.where(count > 0, scores, np.nan)
        declared = rng.random(d) < 0.05
        level, level_var = rng.uniform(0, 10, d), rng.uniform(0.0, 0.5, d)
        noise_var = float(rng.uniform(0.05, 3.0))
        log_out, log_in = _day_log_likelihoods(
            pain, count, declared, level, level_var, noise_var, rule
        )
        have = count > 0
        var_out = np.where(have, noise_var / np.maximum(count, 1) + level_var, 1.0)
        var_in = var_out + rule.rise_sd_points**2
        excess = np.where(have, pain - level, 0.0)
        rise = rule.expected_rise_points
        out = -0.5 * excess**2 / var_out - 0.5 * np.log(var_out)
        inside = -0.5 * (excess - rise) ** 2 / var_in - 0.5 * np.log(var_in)
        top = have & (pain >= rule.scale_max - 0.5)
        edge = rule.scale_max - 0.5 - level
        half_log_2pi = 0.5 * math.log(2.0 * math.pi)
        out = np.where(top, log_ndtr(-edge / np.sqrt(var_out)) + half_log_2pi, out)
        inside = np.where(top, log_ndtr(-(edge - rise) / np.sqrt(var_in)) + half_log_2pi, inside)
        mark_out = np.where(
            declared, math.log(rule.declared_if_not), math.log1p(-rule.declared_if_not)
        )
        mark_in = np.where(
            declared, math.log(rule.declared_if_flare), math.log1p(-rule.declared_if_flare)
        )
        assert np.array_equal(log_out, np.where(have, out + mark_out, 0.0))
        assert np.array_equal(log_in, np.where(have, inside + mark_in, 0.0))


def test_change_point_means_are_those_of_the_segments_either_side() -> None:
    """Each segment's mean is computed once and shared by the cut before and after it: each
    cut's means must still be numpy's means of the segments between ruptures' breaks."""
    import numpy as np
    import ruptures as rpt

    from tenderpoint.outcomes.flares import change_points_of

    rng = np.random.default_rng(2)
    for _ in range(40):
        steps = rng.integers(0, 11, 8).astype(np.float64)
        x = np.repeat(steps, 40) + rng.integers(-1, 2, 320) / 2.0
        pen = 3.0 * float(np.log(x.size)) * (float(np.var(np.diff(x))) / 2.0 or 1.0)
        breaks = rpt.KernelCPD(kernel="linear", min_size=7).fit(x).predict(pen=pen)
        bounds = [0, *breaks]
        expected = [
            (
                float(x[bounds[i] : bounds[i + 1]].mean()),
                float(x[bounds[i + 1] : bounds[i + 2]].mean()),
            )
            for i in range(len(breaks) - 1)
        ]
        out = change_points_of(np.arange(x.size, dtype=np.int64), x)
        assert expected  # the steps give cuts
        assert out.select("mean_before", "mean_after").rows() == expected


def test_compiled_day_likelihoods_are_the_numpy_formulas_bits() -> None:
    """Rule 3.0's day log-likelihoods compiled (``kernels.flare_log_likelihoods``, the
    analysis of one patient) must be the numpy formulas' bits: days without entries, with
    several entries, declared, and at the top of the scale (the tail patched afterwards)."""
    import numpy as np

    from tenderpoint.outcomes.flares import FlareStateRule, _day_log_likelihoods

    rules = (FlareStateRule(), FlareStateRule(expected_rise_points=2.5, rise_sd_points=0.7))
    rng = np.random.default_rng(5)
    tops = 0
    for trial in range(400):
        rule = rules[trial % 2]
        d = int(rng.integers(1, 800))
        count = rng.integers(0, 4, d)
        scores = rng.integers(0, 11, d) / rng.choice([1.0, 2.0, 3.0])
        pain = np.where(count > 0, scores, np.nan)
        declared = rng.random(d) < 0.1
        level, level_var = rng.uniform(0, 10, d), rng.uniform(0.0, 0.5, d)
        noise_var = float(rng.uniform(0.05, 3.0))
        args = (pain, count, declared, level, level_var, noise_var, rule)
        expected = _day_log_likelihoods(*args)
        got = _day_log_likelihoods(*args, compiled=True)
        tops += int(((count > 0) & (pain >= 9.5)).any())
        for g, e in zip(got, expected, strict=True):
            assert g.tobytes() == e.tobytes(), trial
    assert tops > 100  # the top-of-scale patch was exercised


def test_runs_of_gives_each_run_of_true_days() -> None:
    """Runs at either end, single days and an empty mask."""
    import numpy as np

    from tenderpoint.outcomes.flares import _runs_of

    mask = np.array([True, True, False, True, False, False, True, True, True])
    assert _runs_of(mask) == [(0, 1), (3, 3), (6, 8)]
    assert _runs_of(np.zeros(5, bool)) == []
    assert _runs_of(np.ones(3, bool)) == [(0, 2)]


def test_runs_of_are_the_runs_followed_day_by_day() -> None:
    """``flares._runs_of`` (vectorised) gives each run of True as a day-by-day walk does:
    empty, all True, runs at both ends, single days."""
    import numpy as np

    from tenderpoint.outcomes.flares import _runs_of

    def walked(mask: np.ndarray) -> list[tuple[int, int]]:
        runs: list[list[int]] = []
        for i, v in enumerate(mask.tolist()):
            if v and runs and runs[-1][1] == i - 1:
                runs[-1][1] = i
            elif v:
                runs.append([i, i])
        return [(a, b) for a, b in runs]

    rng = np.random.default_rng(3)
    masks = [np.zeros(0, bool), np.ones(5, bool), np.zeros(5, bool)]
    masks += [rng.random(int(rng.integers(1, 80))) < rng.random() for _ in range(300)]
    for mask in masks:
        assert _runs_of(mask) == walked(mask)
