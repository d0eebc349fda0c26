"""Issue 14's table measured on the independent generator (used by a CI test and a script)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import polars as pl

from tenderpoint.outcomes.baseline import baseline_scores
from tenderpoint.outcomes.cohort import CohortConfig, durability_kaplan_meier
from tenderpoint.outcomes.contracts import (
    daily_values,
    validate_diary,
    validate_infusions,
    validate_patients,
)
from tenderpoint.outcomes.flares import FlareStateRule
from tenderpoint.outcomes.forecast import forecast_booster
from tenderpoint.outcomes.patient import patient_flares
from tenderpoint.outcomes.relief import LatentReliefRule, latent_relief_episodes
from tenderpoint.outcomes.response import relief_rule as rule_by_name
from tenderpoint.outcomes.response import window_responses
from tenderpoint.outcomes.schedule import infusion_courses

from .independent_generator import CALENDAR_START, IndependentCohort, generate

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def _day(col: str) -> pl.Expr:
    return (pl.col(col) - pl.lit(CALENDAR_START)).dt.total_days()


def _km_median(t: np.ndarray, e: np.ndarray) -> tuple[float, float, float]:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    kmf = KaplanMeierFitter().fit(t, e)
    ci = median_survival_times(kmf.confidence_interval_).to_numpy().ravel()
    return float(kmf.median_survival_time_), float(ci[0]), float(ci[1])


def _window_day_stats(daily: pl.DataFrame, base: pl.DataFrame, noise: pl.DataFrame) -> pl.DataFrame:
    """Per patient: the baseline week's and post-induction week 1's mean of daily means and
    that mean's variance under the generator's own noise (a quarter of the variance shared
    by a day's entries, plus the rounding's 1/12 per entry), known to the oracle."""
    d = (
        daily.select("patient_id", "local_date", "pain", "n_entries", "flare")
        .join(
            base.select("patient_id", "first_infusion_date", "induction_end_date"), on="patient_id"
        )
        .join(noise, on="patient_id")
        .with_columns(
            (pl.col("local_date") - pl.col("first_infusion_date")).dt.total_days().alias("day"),
            (pl.col("local_date") - pl.col("induction_end_date")).dt.total_days().alias("post"),
        )
    )
    day_var = pl.col("noise_sd") ** 2 * (0.25 + 0.75 / pl.col("n_entries")) + (1.0 / 12.0) / pl.col(
        "n_entries"
    )

    def stats(where: pl.Expr, tag: str) -> pl.DataFrame:
        return (
            d.filter(where & pl.col("pain").is_not_null())
            .group_by("patient_id")
            .agg(
                pl.col("pain").mean().alias(f"{tag}_mean"),
                (day_var.sum() / pl.len() ** 2).alias(f"{tag}_var"),
            )
        )

    pre = (
        d.filter(
            pl.col("day").is_between(-28, -1) & ~pl.col("flare") & pl.col("pain").is_not_null()
        )
        .group_by("patient_id")
        .agg(pl.col("pain").mean().alias("pre4_mean"))
    )
    return (
        stats(pl.col("day").is_between(-7, -1), "b")
        .join(stats(pl.col("post").is_between(1, 7), "w"), on="patient_id")
        .join(pre, on="patient_id", how="left")
    )


def _oracle_probability(
    b: np.ndarray, vb: np.ndarray, w: np.ndarray, vw: np.ndarray, prior: np.ndarray | None
) -> np.ndarray:
    """P(true reduction >= 30 % | the two weeks' means) for an oracle that knows the noise:
    flat priors on the two levels (``prior`` None; closed form), or the cohort's own true
    reductions as the prior on the reduction and a flat prior on the level (grid)."""
    from scipy.stats import norm

    if prior is None:
        return norm.cdf((0.7 * b - w) / np.sqrt(vw + 0.49 * vb))
    level = np.linspace(1.0, 10.0, 181)
    keep = 1.0 - prior / 100.0
    out = np.empty(b.size)
    for i in range(b.size):
        ll = norm.logpdf(b[i], level[None, :], math.sqrt(vb[i])) + norm.logpdf(
            w[i], level[None, :] * keep[:, None], math.sqrt(vw[i])
        )
        p = np.exp(ll - ll.max()).sum(axis=1)
        out[i] = p[prior >= 30.0].sum() / p.sum()
    return out


def _sens_spec(out: dict[str, float], name: str, said: np.ndarray, true: np.ndarray) -> None:
    out[f"{name}_sensitivity"] = float(said[true].mean())
    out[f"{name}_specificity"] = float((~said[~true]).mean())


def responder_limits(c: IndependentCohort, daily: pl.DataFrame, base: pl.DataFrame) -> dict:
    """Post-induction week 1 against the pain the patient had: the label's 95 % interval
    coverage and what better-informed readers of the same diary reach (issue 14, the limit):
    oracles that know each patient's noise SD (flat priors; the cohort's own distribution of
    true reductions as prior), the raw week against the true pre-treatment level, and the
    raw week against the mean of up to four pre-infusion weeks without marked flare days."""
    resp = (
        window_responses(daily, base)
        .filter((pl.col("status") == "ok") & (pl.col("window") == "post_week1"))
        .with_columns(pl.col("patient_id").cast(pl.String))
    )
    noise = c.truth.select("patient_id", "noise_sd").with_columns(
        pl.col("patient_id").cast(daily.schema["patient_id"])
    )
    stats = _window_day_stats(daily, base, noise).with_columns(pl.col("patient_id").cast(pl.String))
    j = (
        resp.join(c.truth, on="patient_id", how="inner")
        .join(stats, on="patient_id", how="inner")
        .sort("patient_id")
    )
    truth = j["felt_post_week1_pct"].to_numpy()
    true = truth >= 30.0
    b, vb, w, vw = (j[k].to_numpy() for k in ("b_mean", "b_var", "w_mean", "w_var"))
    out: dict[str, float] = {"responder_limit_patients": float(j.height)}
    _sens_spec(out, "oracle", _oracle_probability(b, vb, w, vw, None) > 0.5, true)
    all_truth = c.truth["felt_post_week1_pct"].to_numpy()
    _sens_spec(out, "bayes_oracle", _oracle_probability(b, vb, w, vw, all_truth) > 0.5, true)
    _sens_spec(out, "known_baseline", 1.0 - w / j["level"].to_numpy() >= 0.3, true)
    _sens_spec(out, "pre4_baseline", 1.0 - w / j["pre4_mean"].to_numpy() >= 0.3, true)
    low, high = j["pct_reduction_pain_low"].to_numpy(), j["pct_reduction_pain_high"].to_numpy()
    out["interval_coverage"] = float(((low <= truth) & (truth <= high)).mean())
    prob = j["responder_probability"].to_numpy()
    sure = (prob >= 0.9) | (prob <= 0.1)
    out["sure_share"] = float(sure.mean())
    out["sure_accuracy"] = float(((prob >= 0.9) == true)[sure].mean())
    out["unsure_accuracy"] = float(((prob > 0.5) == true)[~sure].mean())
    return out


def responder_figures(c: IndependentCohort, daily: pl.DataFrame, base: pl.DataFrame) -> dict:
    """Sensitivity and specificity of the >= 30 % responder label per window."""
    out: dict[str, float] = {}
    resp = window_responses(daily, base).filter(pl.col("status") == "ok")
    for window, kind, truth_col in (
        ("post_week1", "", "true_post_week1_pct"),
        ("week2", "", "true_week2_pct"),
        ("post_week1", "felt_", "felt_post_week1_pct"),
        ("week2", "felt_", "felt_week2_pct"),
    ):
        # "": against the treatment's relief (flare-free); "felt_": against the pain the patient
        # had that week (flares included), which is what a week of diary measures
        j = resp.filter(pl.col("window") == window).join(c.truth, on="patient_id")
        said = (j["pct_reduction_pain"] >= 30).to_numpy()
        true = (j[truth_col] >= 30).to_numpy()
        out[f"{kind}{window}_sensitivity"] = float(said[true].mean())
        out[f"{kind}{window}_specificity"] = float((~said[~true]).mean())
    return out


def relief_figures(c: IndependentCohort, relief: pl.DataFrame, rule: LatentReliefRule) -> dict:
    """False relief, durability error and coverage, censoring, Kaplan-Meier medians and the
    range the cohort summary reports under ``rule``."""
    j = c.truth.join(relief, on="patient_id", how="inner")
    none = j.filter(~pl.col("true_relief"))
    both = j.filter(pl.col("true_relief") & pl.col("relief"))
    err = (both["durability_days"] - both["true_durability_days"]).to_numpy()
    covered = (
        (both["durability_low_days"] <= both["true_durability_days"])
        & (both["true_durability_days"] <= both["durability_high_days"])
    ).to_numpy()
    ongoing = both.filter(~pl.col("true_durability_event"))
    true_rel = j.filter(pl.col("true_relief") & pl.col("true_durability_days").is_not_null())
    est = j.filter(pl.col("relief"))
    km_true = _km_median(
        true_rel["true_durability_days"].to_numpy(), true_rel["true_durability_event"].to_numpy()
    )
    km_est = _km_median(est["durability_days"].to_numpy(), est["durability_event"].to_numpy())
    # the range the cohort summary reports (unseen ends counted both ways)
    km_row = durability_kaplan_meier(est, config=CohortConfig(relief=rule)).medians.row(
        0, named=True
    )
    km_range = (km_row["range_low"], km_row["range_high"])
    km_observable = _km_median(*observable_durability(true_rel))
    by_family = {
        f: float(np.median(np.abs(err[(both["family"] == f).to_numpy()])))
        for f in ("exponential", "linear", "step")
        if (both["family"] == f).any()
    }
    return {
        "no_true_relief": none.height,
        "false_relief": int(none["relief"].sum()),
        "false_relief_rate": float(none["relief"].mean() or 0.0),
        "relief_sensitivity": float(j.filter(pl.col("true_relief"))["relief"].mean() or 0.0),
        "durability_median_abs_error": float(np.median(np.abs(err))),
        "durability_mean_error": float(np.mean(err)),
        "durability_coverage": float(covered.mean()),
        "durability_mae_by_family": by_family,
        "ongoing_censored": float((~ongoing["durability_event"]).mean() or 0.0),
        "censor_reason_match": float(
            (ongoing["censor_reason"] == ongoing["true_censor_reason"]).mean() or 0.0
        ),
        "km_true": km_true,
        "km_est": km_est,
        "km_truth_inside": bool(km_est[1] <= km_true[0] <= km_est[2]),
        "km_observable": km_observable,
        "km_observable_inside": bool(km_est[1] <= km_observable[0] <= km_est[2]),
        "km_if_ended": (
            km_row["median_if_ended"],
            km_row["median_if_ended_ci_low"],
            km_row["median_if_ended_ci_high"],
        ),
        "km_unsure": km_row["unsure"],
        "km_range": km_range,
        "km_truth_inside_range": bool(km_range[0] <= km_true[0] <= km_range[1]),
    }


UNSEEN_END_DAYS = 2


def observable_durability(truth: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """True durability (days, event) with relief that ended on one of the last
    ``UNSEEN_END_DAYS + 1`` days of follow-up counted as still going there: at most two
    diary days after such an end, and no rule can tell a return from a bad day or two (rule
    2.2 and later need four). The Kaplan-Meier truth a diary could show at best."""
    days = truth["true_durability_days"].to_numpy().astype(float)
    event = truth["true_durability_event"].to_numpy().astype(bool)
    gap = (truth["follow_up_limit_day"] - truth["true_end_day"]).fill_null(-1).to_numpy()
    unseen = event & (gap >= 0) & (gap <= UNSEEN_END_DAYS)
    return np.where(unseen, days + gap, days), event & ~unseen


FLARE_MARKS = ("patient", "oracle", "drop")


def in_planted_flare(c: IndependentCohort) -> pl.Series:
    """Per diary entry (row order of ``c.diary``): written on a day of a planted flare."""
    keyed = c.diary.select("patient_id", "local_date").with_row_index("row")
    hits = (
        keyed.join(c.flares, on="patient_id")
        .filter(pl.col("local_date").is_between(pl.col("start"), pl.col("end")))
        .select("row")
        .unique()
    )
    return keyed["row"].is_in(hits["row"].implode()).alias("in_planted_flare")


def flare_marked_diary(c: IndependentCohort, marks: str = "patient") -> pl.DataFrame:
    """The cohort's diary with its flare marks as chosen: ``patient`` as written (the generator
    marks 60 % of flare-day entries and 0.3 % of others), ``oracle`` every entry written on a
    planted flare day marked and no other (an oracle that knows the flares), ``drop`` the
    entries written on planted flare days removed. Scores and times are never changed."""
    if marks not in FLARE_MARKS:
        raise ValueError(f"flare_marks must be one of {FLARE_MARKS}, got {marks!r}")
    if marks == "patient":
        return c.diary
    during = in_planted_flare(c)
    if marks == "oracle":
        return c.diary.with_columns(during.alias("flare"))
    return c.diary.filter(~during)


def censoring_misreads(c: IndependentCohort, relief: pl.DataFrame, last_days: int = 7) -> dict:
    """Ended relief read as ongoing (censored); ongoing relief read as ended, and how many of
    those have a planted flare with an entry the patient did not mark within the last
    ``last_days`` days of follow-up (up to and including the truth's last day: the day before
    the booster or the last diary day).
    "Unmarked" is always judged on the patient's own marks, so the count is the same kind of
    course whichever marks the rule was given."""
    ended = (
        c.truth.join(relief, on="patient_id", how="inner")
        .filter(
            pl.col("true_relief")
            & pl.col("relief")
            & ~pl.col("true_durability_event")
            & pl.col("durability_event")
        )
        .select("patient_id", "follow_up_limit_day")
    )
    unmarked = (
        c.diary.with_columns(in_planted_flare(c), _day("local_date").alias("d"))
        .filter(pl.col("in_planted_flare") & ~pl.col("flare"))
        .join(ended, on="patient_id")
        .filter(
            pl.col("d").is_between(
                pl.col("follow_up_limit_day") - (last_days - 1), "follow_up_limit_day"
            )
        )
    )
    missed = (
        c.truth.join(relief, on="patient_id", how="inner")
        .filter(
            pl.col("true_relief")
            & pl.col("relief")
            & pl.col("true_durability_event")
            & ~pl.col("durability_event")
        )
        .height
    )
    return {
        "ended_read_as_ongoing": missed,
        "ongoing_read_as_ended": ended.height,
        "read_as_ended_unmarked_flare_last_7d": unmarked["patient_id"].n_unique(),
    }


def evaluate_relief(
    c: IndependentCohort, relief_rule: str | None = None, flare_marks: str = "patient"
) -> dict[str, Any]:
    """Relief figures and censoring misreads of one rule on one cohort, with the flare marks
    chosen (see :func:`flare_marked_diary`): the same rule on the same diaries."""
    pts = validate_patients(c.patients)
    diary = validate_diary(flare_marked_diary(c, flare_marks), now=NOW)
    inf = validate_infusions(c.infusions, now=NOW)
    ses = infusion_courses(inf, pts)
    base = baseline_scores(daily_values(diary), ses)
    chosen = rule_by_name(relief_rule) if relief_rule else LatentReliefRule()
    assert isinstance(chosen, LatentReliefRule)
    relief = latent_relief_episodes(diary, ses, base, chosen, first_course_only=True)
    return relief_figures(c, relief, chosen) | censoring_misreads(c, relief)


def flare_figures(c: IndependentCohort, detected: pl.DataFrame, months: float) -> dict:
    """Recall and precision of detected flares (start within +/- 2 days of a planted one)."""
    planted = c.flares.with_columns(_day("start").alias("s"))
    found = detected.with_columns(_day("start").alias("s"))
    pairs = planted.join(found, on="patient_id", suffix="_d").filter(
        (pl.col("s") - pl.col("s_d")).abs() <= 2
    )
    recall = pairs.select("patient_id", "s").unique().height / max(planted.height, 1)
    precision = pairs.select("patient_id", "s_d").unique().height / max(found.height, 1)
    false = found.height - pairs.select("patient_id", "s_d").unique().height
    return {
        "planted_flares": planted.height,
        "detected_flares": found.height,
        "flare_recall": recall,
        "flare_precision": precision,
        "false_flares_per_patient_6mo": false / c.patients.height / (months / 6.0),
    }


def oracle_crossing_day(
    family: str, level: float, induction_end: int, today: int, days: np.ndarray, pain: np.ndarray
) -> float:
    """Day relief falls below 30 % as judged by an oracle that knows the relief family, the
    true pain level and the generator's range for the step length, fitting the rest (depth and
    time scale) to the same noisy diary days the forecast sees."""
    from scipy.optimize import least_squares

    s = days - induction_end
    y = 1.0 - pain / level
    if family == "step":
        # flat so far: the stop is uniform on (elapsed, 90) under the generator
        return induction_end + (max(today - induction_end, 10) + 90.0) / 2.0

    def curve(theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        depth, scale = theta
        if family == "exponential":
            return depth * np.exp(-math.log(2.0) * x / scale)
        return depth * np.clip(1.0 - x / scale, 0.0, 1.0)

    lo, hi = ([0.05, 1.0], [1.0, 300.0])
    fit = least_squares(lambda th: curve(th, s) - y, [0.6, 30.0], bounds=(lo, hi))
    depth, scale = fit.x
    if depth <= 0.3:
        return float(today)
    if family == "exponential":
        return induction_end + scale * math.log2(depth / 0.3)
    return induction_end + scale * (1.0 - 0.3 / depth)


def bayes_oracle_crossing_day(
    truth: dict[str, Any], today: int, days: np.ndarray, pain: np.ndarray
) -> float:
    """Posterior median of the day relief falls below 30 % for an oracle that knows the relief
    family, the true pain level, the patient's noise SD and the generator's priors for depth
    and time scale (uniform), given the same whole-number diary days the forecast sees: the
    smallest median absolute error any rule can have on this cohort (issue 14's "oracle that
    knows the curve's family"). Grid posterior; integer rounding ignored (its variance,
    1/12, is added to the noise)."""
    family, level, end = truth["family"], truth["level"], truth["induction_end_day"]
    ok = np.isfinite(pain)
    days, pain = days[ok], pain[ok]
    lo_scale, hi_scale = {"exponential": (7.0, 35.0), "linear": (20.0, 100.0)}.get(
        family, (10.0, 90.0)
    )
    scale = np.linspace(lo_scale, hi_scale, 113)[:, None]
    depth = np.linspace(0.4, 0.9, 51)[None, :]
    s = np.maximum(days - end, 0.0)[:, None, None]
    if family == "exponential":
        fade = np.exp(-math.log(2.0) * s / scale[None])
        cross = scale * np.log2(depth / 0.3)
    elif family == "linear":
        fade = np.clip(1.0 - s / scale[None], 0.0, 1.0)
        cross = scale * (1.0 - 0.3 / depth)
    else:
        fade = (s < scale[None]).astype(float)
        cross = np.broadcast_to(scale, (scale.size, depth.size)) - 1.0
    mean = np.minimum(level * (1.0 - depth[None] * fade), 10.0)
    var = truth["noise_sd"] ** 2 + 1.0 / 12.0
    loglik = -0.5 * ((pain[:, None, None] - mean) ** 2).sum(axis=0) / var
    post = np.exp(loglik - loglik.max()).ravel()
    day = np.ceil(
        end + np.maximum(np.broadcast_to(cross, post.reshape(scale.size, -1).shape).ravel(), 0.0)
    )
    alive = day > today  # relief still holds today (only such patients are scored)
    if alive.any():
        post, day = post[alive], day[alive]
    order = np.argsort(day)
    cdf = np.cumsum(post[order]) / post.sum()
    return float(day[order][np.searchsorted(cdf, 0.5)])


def forecast_figures(rows: list[dict[str, Any]]) -> dict:
    """Booster forecast 21 days after induction against the planted crossing."""
    holds = [r for r in rows if r["relief_now"] >= 0.3]
    gone = [r for r in rows if r["relief_now"] < 0.3]
    errors = [
        abs(r["predicted"] - r["due"]) for r in holds if r["predicted"] is not None and r["due"]
    ]
    oracle = [abs(math.ceil(r["oracle"]) - r["due"]) for r in holds if r["due"]]
    # the forecast's interval (a date range; an open end holds every later day)
    dated = [r for r in holds if r["due"] and r["interval"][0] is not None]
    inside = [
        r["interval"][0] <= r["due"] <= (math.inf if r["interval"][1] is None else r["interval"][1])
        for r in dated
    ]
    bayes = [abs(r["bayes_oracle"] - r["due"]) for r in holds if r["due"]]
    return {
        "forecast_oracle_median_abs_error": float(np.median(oracle)) if oracle else math.nan,
        "forecast_bayes_oracle_median_abs_error": float(np.median(bayes)) if bayes else math.nan,
        "forecast_patients": len(rows),
        "forecast_median_abs_error": float(np.median(errors)) if errors else math.nan,
        "forecast_within_5_days": float(np.mean(np.array(errors) <= 5)) if errors else math.nan,
        "forecast_interval_coverage": float(np.mean(inside)) if inside else math.nan,
        "forecast_with_interval": len(dated),
        "due_now_while_relief_holds": sum(r["status"] == "due_now" for r in holds),
        "relief_holds": len(holds),
        "due_now_when_gone": sum(r["status"] == "due_now" for r in gone),
        "relief_gone": len(gone),
    }


def evaluate(
    n_patients: int = 300,
    n_days: int = 180,
    seed: int = 0,
    noise: tuple[float, float] = (0.5, 1.5),
    relief_rule: str | None = None,
    flare_marks: str = "patient",
    forecast_rule: str | None = None,
) -> dict[str, Any]:
    """Every figure of issue 14's table for one generated cohort (``relief_rule``: a relief
    rule's version string for the relief figures, default the core's default; ``flare_marks``:
    see :func:`flare_marked_diary`, used for every figure; ``forecast_rule``: the forecast
    rule's version string, default the core's)."""
    c = generate(n_patients, n_days, seed, noise)
    pts = validate_patients(c.patients)
    diary = validate_diary(flare_marked_diary(c, flare_marks), now=NOW)
    inf = validate_infusions(c.infusions, now=NOW)
    daily = daily_values(diary)
    ses = infusion_courses(inf, pts)
    base = baseline_scores(daily, ses)
    out: dict[str, Any] = {"seed": seed, "noise": noise, "patients": n_patients, "days": n_days}
    out |= responder_figures(c, daily, base)
    out |= responder_limits(c, daily, base)
    chosen = rule_by_name(relief_rule) if relief_rule else LatentReliefRule()
    assert isinstance(chosen, LatentReliefRule)
    relief = latent_relief_episodes(diary, ses, base, chosen, first_course_only=True)
    out |= relief_figures(c, relief, chosen) | censoring_misreads(c, relief)
    detected, forecasts = [], []
    truth = {r["patient_id"]: r for r in c.truth.drop("cf_relief").to_dicts()}
    cf = dict(zip(c.truth["patient_id"], c.truth["cf_relief"].to_list(), strict=True))
    rule = FlareStateRule()
    relief_rule = LatentReliefRule()
    for (pid,), one in daily.group_by("patient_id"):
        mine = ses.filter(pl.col("patient_id") == pid)
        detected.append(
            patient_flares(one.sort("local_date"), mine, rule, relief_rule).filter(
                pl.col("source") == "detected"
            )
        )
        t = truth[str(pid)]
        today_day = t["forecast_today_day"]
        usable = (
            t["true_relief"]
            and t["completed"]
            and today_day < n_days
            and t["dropout_day"] >= today_day
            and (t["booster_day"] is None or t["booster_day"] > today_day)
        )
        if not usable:
            continue
        today = CALENDAR_START + dt.timedelta(days=today_day)
        f = forecast_booster(
            str(pid),
            one.filter(pl.col("local_date") <= today),
            mine,
            base,
            today=today,
            rule=forecast_rule,
        )
        pred = (f.predicted_date - CALENDAR_START).days if f.predicted_date else None
        low = (f.interval_low - CALENDAR_START).days if f.interval_low else None
        high = (f.interval_high - CALENDAR_START).days if f.interval_high else None
        seen = one.filter(
            (pl.col("local_date") <= today) & (_day("local_date") > t["induction_end_day"])
        )
        oracle = oracle_crossing_day(
            t["family"],
            t["level"],
            t["induction_end_day"],
            today_day,
            seen.select(_day("local_date")).to_series().to_numpy().astype(float),
            seen["pain"].to_numpy().astype(float),
        )
        seen_days = seen.select(_day("local_date")).to_series().to_numpy().astype(float)
        forecasts.append(
            {
                "oracle": oracle,
                "bayes_oracle": bayes_oracle_crossing_day(
                    t, today_day, seen_days, seen["pain"].to_numpy().astype(float)
                ),
                "status": f.status,
                "predicted": pred,
                "interval": (low, high),
                "due": t["true_booster_due_day"],
                "relief_now": cf[str(pid)][today_day],
            }
        )
    out |= flare_figures(c, pl.concat(detected), n_days / 30.4)
    out |= forecast_figures(forecasts)
    return out
