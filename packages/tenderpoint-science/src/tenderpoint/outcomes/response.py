"""Treatment response: percent change by follow-up window, IMMPACT category, FM30, time to relief
and durability of relief.

Definitions (clinical.md section 11 unless marked *decision*):

* Percent reduction = (baseline - follow-up) / baseline x 100, rounded half-up to 4 decimals
  before comparing; thresholds inclusive. IMMPACT categories: ``none`` < 10 %, ``minimal``
  10 - < 30 %, ``moderate`` 30 - < 50 %, ``substantial`` >= 50 %; baseline 0 gives
  ``not_computable`` (Dworkin et al., J Pain 2008;9:105-121).
* Follow-up windows (*decision*) count local days from the first infusion (day 0): ``day1`` is
  day 1; ``weekN`` is days 7(N-1)+1 .. 7N (week 4 = days 22-28). A week needs 4 of its 7 days
  with a value, like the baseline; day 1 needs its one day.
* FM30 (Arnold et al., Arthritis Rheum 2012;64:885-894), platform adaptation: weekly mean pain
  >= 30 % reduction, FIQR ``function`` subscale >= 10 % reduction, and >= 30 % reduction in sleep
  or fatigue (short) / in 2 of sleep, fatigue, mood, fog (long; the diary has no anxiety item, so
  *decision*: 2 of the 4 available domains). Baseline FIQR = latest within 28 days up to the
  first infusion; follow-up FIQR = latest within the window or the 7 days after it. Labelled an
  adaptation; only weekly windows qualify.
* Time to relief (issue 4): hours from the first session of a course to the first diary *entry*
  (sub-daily when the patient writes several a day) with pain >= 30 % below baseline, within
  ``horizon_days`` (default 28) and before the next course; otherwise censored at the earliest of
  the horizon, the next course and the last entry.
* Durability (issue 4): days from the relief onset (the local date of that entry) to the first
  of 3 consecutive diary days whose daily pain is back within 10 % of baseline (reduction
  <= 10 %); censored at the last diary day of the course, which is the day before the next course
  when the diary runs up to it (``censor_reason`` says which). A missing day breaks the run of 3.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.special import ndtr

from tenderpoint.clinical.responder import (
    FM30_OTHER_DOMAIN_PCT,
    FM30_THRESHOLDS_PCT,
    IMMPACT_BELOW_FLOORS,
    IMMPACT_FLOORS_PCT,
)
from tenderpoint.clinical.responder import immpact_category as category_of_reduction
from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.baseline import BASELINE_OK
from tenderpoint.outcomes.latent import DEFAULT_LATENT_MODEL, noise_variance
from tenderpoint.outcomes.schedule import course_table

if TYPE_CHECKING:
    from tenderpoint.outcomes.relief import LatentReliefRule

NOT_COMPUTABLE: Final = "not_computable"
IMMPACT_THRESHOLDS: Final = IMMPACT_FLOORS_PCT  # defined once, in the clinical core
FM30_CITATION: Final = (
    "Arnold LM, Williams DA, Hudson JI, et al. Development of responder definitions for "
    "fibromyalgia clinical trials. Arthritis Rheum 2012;64:885-894 (platform adaptation)."
)


Anchor = Literal["first_infusion", "induction_end"]


@dataclass(frozen=True)
class FollowUpWindow:
    """A follow-up window in local days after its anchor (inclusive bounds).

    ``anchor`` is the first infusion (day 0 = its local date) or the end of the induction
    course (day 0 = the local date of the last session of the first course).
    """

    name: str
    start_day: int
    end_day: int
    min_days: int
    anchor: Anchor = "first_infusion"

    @property
    def is_weekly(self) -> bool:
        """Whether the window spans a week (FM30 uses weekly means)."""
        return self.end_day - self.start_day + 1 >= 7


ACUTE_WINDOWS: Final = (
    FollowUpWindow("day1", 1, 1, 1),
    FollowUpWindow("week1", 1, 7, 4),
    FollowUpWindow("week2", 8, 14, 4),
    FollowUpWindow("week4", 22, 28, 4),
    FollowUpWindow("week8", 50, 56, 4),
    FollowUpWindow("week12", 78, 84, 4),
)
"""Windows counted from the first infusion (the 1.0 defaults). A row is labelled ``acute``
when its window starts before the day after the patient's last induction session: it then
measures, at least in part, the effect of the sessions themselves."""

POST_INDUCTION_WINDOWS: Final = (
    FollowUpWindow("post_week1", 1, 7, 4, "induction_end"),
    FollowUpWindow("post_week2", 8, 14, 4, "induction_end"),
    FollowUpWindow("post_week4", 22, 28, 4, "induction_end"),
    FollowUpWindow("post_week8", 50, 56, 4, "induction_end"),
    FollowUpWindow("post_week12", 78, 84, 4, "induction_end"),
)
"""Windows counted from the end of the induction course (issue 14): the same question for a
five-day and a two-week induction."""

DEFAULT_WINDOWS: Final = ACUTE_WINDOWS + POST_INDUCTION_WINDOWS


@dataclass(frozen=True)
class ReliefRule:
    """Relief rule 1.0 (raw entries, fixed bands); kept so stored results stay reproducible.

    Relief starts on the first single entry >= 30 % below baseline; it ends on the first of
    ``return_run_days`` consecutive days back within 10 %. On noisy whole-number diaries this
    reports relief for most patients who had none and ends it early: use
    :class:`tenderpoint.outcomes.relief.LatentReliefRule` (2.0, the default).
    """

    relief_reduction_pct: float = 30.0
    return_within_pct: float = 10.0
    return_run_days: int = 3
    horizon_days: int = 28
    version: str = "tenderpoint-relief/1.0"
    citation: str = "Dworkin et al. J Pain 2008;9:105-121 (30 % threshold); tenderpoint 1.0."


def percent_reduction(baseline: pl.Expr, value: pl.Expr) -> pl.Expr:
    """Percent reduction from baseline, rounded half-up to 4 decimals; null if baseline is 0.

    Parameters
    ----------
    baseline, value : polars.Expr
        Baseline and follow-up scores (same scale).

    Returns
    -------
    polars.Expr
        ``(baseline - value) / baseline * 100`` (positive = improvement).
    """
    raw = (baseline - value) / baseline * 100.0
    return pl.when(baseline > 0).then(raw.round(4, mode="half_away_from_zero"))


def immpact_category_expr(pct: pl.Expr) -> pl.Expr:
    """IMMPACT category of a percent reduction expression (null reduction -> not_computable)."""
    expr: Any = pl.when(pct.is_null()).then(pl.lit(NOT_COMPUTABLE))
    for threshold, label in IMMPACT_THRESHOLDS:
        expr = expr.when(pct >= threshold).then(pl.lit(label))
    result: pl.Expr = expr.otherwise(pl.lit(IMMPACT_BELOW_FLOORS))
    return result


def immpact_category(baseline: float, follow_up: float) -> str:
    """IMMPACT category of one change, computed exactly (decimal arithmetic).

    Parameters
    ----------
    baseline, follow_up : float
        Pain scores 0-10.

    Returns
    -------
    str
        ``none``, ``minimal``, ``moderate``, ``substantial`` or ``not_computable``.
    """
    for name, v in (("baseline", baseline), ("follow_up", follow_up)):
        if not 0 <= v <= 10:
            raise InvalidInputError(
                f"{name} must be between 0 and 10.", code="out_of_range", field=name
            )
    b, f = Decimal(str(baseline)), Decimal(str(follow_up))
    if b == 0:
        return NOT_COMPUTABLE
    pct = ((b - f) / b * 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return category_of_reduction(float(pct))


RESPONSE_ITEMS: Final = ("pain", "fatigue", "sleep_quality", "fog", "mood")
_ITEMS: Final = RESPONSE_ITEMS

RESPONDER_PROBABILITY_VERSION: Final = "tenderpoint-responder-probability/1.0"
RESPONDER_PROBABILITY_CITATION: Final = (
    "Dworkin RH, Turk DC, Wyrwich KW, et al. J Pain 2008;9:105-121 (>= 30 % reduction); "
    "Fieller EC. Some problems in interval estimation. J R Stat Soc B 1954;16:175-185 "
    "(interval of a ratio of two means)."
)
NOISE_WINDOW_DAYS: Final = DEFAULT_LATENT_MODEL.noise_window_days
EVIDENCE_COLUMNS: Final = (
    "noise_sd_points",
    "responder_probability",
    "pct_reduction_pain_low",
    "pct_reduction_pain_high",
)
"""How sure the pain label is (rule ``RESPONDER_PROBABILITY_VERSION``, issue 14): the
patient's noise SD, the probability that the true reduction is >= 30 % and a 95 % interval
of the reduction. The label itself (``pct_reduction_pain``, ``immpact``) is unchanged."""
_Z95: Final = 1.959963984540054
RESPONDER_PCT: Final = next(f for f, name in IMMPACT_FLOORS_PCT if name == "moderate")  # 30
FloatArray = npt.NDArray[np.float64]


def pre_infusion_noise_var(pain: FloatArray, n_entries: npt.NDArray[np.int64]) -> FloatArray:
    """Each patient's entry noise variance from the ``NOISE_WINDOW_DAYS`` days before the
    first infusion (``latent.noise_variance``, default model), given as blocks of ``days x
    patients`` whose row k is the date ``first infusion - NOISE_WINDOW_DAYS + k`` (NaN / 0:
    no entry). Every path builds the same block, so the estimate is the same."""
    first = np.full(pain.shape[1], pain.shape[0], dtype=np.int64)
    var, _ = noise_variance(pain, n_entries, first, DEFAULT_LATENT_MODEL)
    return var


def responder_evidence(
    baseline_pain: FloatArray,
    baseline_days: FloatArray,
    pain: FloatArray,
    n_days: FloatArray,
    noise_var: FloatArray,
) -> dict[str, FloatArray]:
    """How sure a >= 30 % pain label is, from the same two means it compares.

    Each diary day's mean counts as one measurement with the patient's own noise variance
    (a second entry on a day is not counted as independent: the entries of one day share
    part of their error), so the week mean has variance ``noise / n_days`` and the baseline
    ``noise / baseline_days``. With flat priors on the two true levels the probability that
    the true week is at least 30 % below the true baseline is
    ``Phi((0.7 b - w) / sqrt(v_w + 0.49 v_b))`` (exactly 0.5 when the measured reduction is
    30 %); the 95 % interval of the reduction is Fieller's interval of ``w / b``, open (NaN)
    when the baseline itself is not clearly above 0. NaN in, NaN out; a baseline of 0 (the
    reduction is not computable) gives NaN.

    Returns
    -------
    dict of numpy.ndarray
        :data:`EVIDENCE_COLUMNS` (probability rounded to 3 decimals, bounds and noise SD
        to 2 and 3).
    """
    keep = 1.0 - RESPONDER_PCT / 100.0  # 0.7: a responder's week is <= 70 % of baseline
    with np.errstate(invalid="ignore", divide="ignore"):
        v_b = noise_var / baseline_days
        v_w = noise_var / n_days
        below: FloatArray = ndtr((keep * baseline_pain - pain) / np.sqrt(v_w + keep * keep * v_b))
        prob: FloatArray = np.where(baseline_pain > 0, below, np.nan)
        z2 = _Z95 * _Z95
        a = baseline_pain * baseline_pain - z2 * v_b
        half = _Z95 * np.sqrt(v_b * pain * pain + v_w * a)
        bounded = a > 0
        ratio_low = np.where(bounded, (pain * baseline_pain - half) / a, np.nan)
        ratio_high = np.where(bounded, (pain * baseline_pain + half) / a, np.nan)
    noise_sd: FloatArray = np.sqrt(noise_var)
    # ndarray.round is np.round without its dispatch wrappers (the same half-to-even rounding)
    return {
        "noise_sd_points": noise_sd.round(3),
        "responder_probability": prob.round(3),
        "pct_reduction_pain_low": (100.0 * (1.0 - ratio_high)).round(2),
        "pct_reduction_pain_high": (100.0 * (1.0 - ratio_low)).round(2),
    }


def _days_in_windows(
    daily: pl.DataFrame, base: pl.DataFrame, windows: tuple[FollowUpWindow, ...]
) -> pl.DataFrame:
    """Daily values with their ``day`` (from the first infusion) and ``post_day`` (from the
    end of induction), kept only where some window needs them."""
    d = daily.join(
        base.select("patient_id", "first_infusion_date", "induction_end_date"),
        on="patient_id",
        how="inner",
    ).with_columns(
        (pl.col("local_date") - pl.col("first_infusion_date")).dt.total_days().alias("day"),
        (pl.col("local_date") - pl.col("induction_end_date")).dt.total_days().alias("post_day"),
    )
    # one pass keeps only the days any window needs (about 1/8 of a two-year diary)
    return d.filter(
        pl.col("day").is_between(min(w.start_day for w in windows), max(w.end_day for w in windows))
        | pl.col("post_day").is_between(
            min(w.start_day for w in windows), max(w.end_day for w in windows)
        )
    )


def _window_means(d: pl.DataFrame, windows: tuple[FollowUpWindow, ...]) -> pl.DataFrame:
    """Per patient and window: days with pain, and the mean of each item over the window."""
    parts = []
    for w in windows:
        anchor_day = pl.col("day" if w.anchor == "first_infusion" else "post_day")
        parts.append(
            d.filter(anchor_day.is_between(w.start_day, w.end_day))
            .group_by("patient_id")
            .agg(
                pl.col("pain").drop_nulls().len().cast(pl.Int64).alias("n_days"),
                *(pl.col(s).mean() for s in _ITEMS),
            )
            .with_columns(pl.lit(w.name).alias("window"))
        )
    return pl.concat(parts, how="vertical")


def _window_grid(base: pl.DataFrame, windows: tuple[FollowUpWindow, ...]) -> pl.DataFrame:
    """Every patient with an infusion x every window, with the window's definition and kind
    (``acute`` when it starts before the day after the last induction session)."""
    grid = base.join(
        pl.DataFrame(
            {
                "window": [w.name for w in windows],
                "window_start_day": [w.start_day for w in windows],
                "window_end_day": [w.end_day for w in windows],
                "window_min_days": [w.min_days for w in windows],
                "window_anchor": [w.anchor for w in windows],
            }
        ),
        how="cross",
        maintain_order="left_right",  # patient-major, as window_grid documents
    )
    anchor_date = (
        pl.when(pl.col("window_anchor") == "first_infusion")
        .then(pl.col("first_infusion_date"))
        .otherwise(pl.col("induction_end_date"))
    )
    return grid.with_columns(
        pl.when(
            (anchor_date + pl.duration(days=pl.col("window_start_day")))
            <= pl.col("induction_end_date")
        )
        .then(pl.lit("acute"))
        .otherwise(pl.lit("post_induction"))
        .alias("window_kind")
    )


def window_responses(
    daily: pl.DataFrame,
    baselines: pl.DataFrame,
    windows: tuple[FollowUpWindow, ...] = DEFAULT_WINDOWS,
) -> pl.DataFrame:
    """Percent change and IMMPACT category per patient and follow-up window.

    Parameters
    ----------
    daily : polars.DataFrame
        Daily values.
    baselines : polars.DataFrame
        Output of :func:`tenderpoint.outcomes.baseline.baseline_scores`.
    windows : tuple of FollowUpWindow
        Windows to evaluate.

    Returns
    -------
    polars.DataFrame
        One row per patient with an infusion and window: ``patient_id, window, n_days, pain,
        pct_reduction_pain`` (and fatigue, sleep_quality, fog, mood), ``immpact, status`` where
        status is ``ok``, ``insufficient_data`` (too few days) or ``no_baseline``.
    """
    base = response_base(baselines)
    measured = _window_means(_days_in_windows(daily, base, windows), windows)
    return finish_responses(base, measured, windows, _noise_from_daily(daily, base))


def _noise_from_daily(daily: pl.DataFrame, base: pl.DataFrame) -> FloatArray:
    """:func:`pre_infusion_noise_var` of each patient of ``base`` (in its order) from the
    daily values."""
    keyed = base.select("patient_id", "first_infusion_date").with_row_index("col")
    days = (
        daily.select("patient_id", "local_date", "pain", "n_entries")
        .join(keyed, on="patient_id", how="inner")
        .with_columns(
            (
                (pl.col("local_date") - pl.col("first_infusion_date")).dt.total_days()
                + NOISE_WINDOW_DAYS
            ).alias("row")
        )
        .filter(pl.col("row").is_between(0, NOISE_WINDOW_DAYS - 1) & pl.col("pain").is_not_null())
    )
    pain = np.full((NOISE_WINDOW_DAYS, base.height), np.nan)
    count = np.zeros((NOISE_WINDOW_DAYS, base.height), dtype=np.int64)
    rows, cols = days["row"].to_numpy(), days["col"].to_numpy().astype(np.int64)
    pain[rows, cols] = days["pain"].to_numpy()
    count[rows, cols] = days["n_entries"].to_numpy()
    return pre_infusion_noise_var(pain, count)


def response_base(baselines: pl.DataFrame) -> pl.DataFrame:
    """Baselines of the patients with an infusion (the rows :func:`window_responses` has)."""
    base = baselines.filter(pl.col("first_infusion_date").is_not_null())
    if "induction_end_date" not in base.columns:
        base = base.with_columns(pl.col("first_infusion_date").alias("induction_end_date"))
    return base


def finish_responses(
    base: pl.DataFrame,
    measured: pl.DataFrame,
    windows: tuple[FollowUpWindow, ...],
    noise_var: FloatArray,
) -> pl.DataFrame:
    """The documented response frame from the window means (``measured``: ``patient_id,
    n_days`` and the means of :data:`_ITEMS` per ``window``, one row per patient with at least
    one diary day in the window) and each patient's noise variance (``noise_var``, in the
    order of ``base``: :func:`pre_infusion_noise_var`)."""
    grid = window_grid(base, windows, noise_var)
    out = grid.join(measured, on=["patient_id", "window"], how="left").with_columns(
        pl.col("n_days").fill_null(0)
    )
    return finish_window_rows(out)


def window_grid(
    base: pl.DataFrame, windows: tuple[FollowUpWindow, ...], noise_var: FloatArray
) -> pl.DataFrame:
    """Every patient of ``base`` x every window (patient-major: row ``i * len(windows) + j``
    is patient ``i`` and window ``j``), with each patient's noise variance (``noise_var``, in
    the order of ``base``)."""
    return _window_grid(
        base.with_columns(pl.Series("noise_var", noise_var, dtype=pl.Float64)), windows
    )


def finish_window_rows(out: pl.DataFrame) -> pl.DataFrame:
    """The documented response frame from :func:`window_grid` rows carrying ``n_days`` (0:
    no diary day in the window) and the window mean of each item of :data:`_ITEMS` (null:
    none)."""
    status = (
        pl.when(pl.col("baseline_status") != BASELINE_OK)
        .then(pl.lit("no_baseline"))
        .when(pl.col("n_days") < pl.col("window_min_days"))
        .then(pl.lit("insufficient_data"))
        .otherwise(pl.lit("ok"))
    )
    out = out.with_columns(status.alias("status")).with_columns(
        pl.when(pl.col("status") == "ok")
        .then(percent_reduction(pl.col(f"baseline_{s}"), pl.col(s)))
        .alias(f"pct_reduction_{s}")
        for s in _ITEMS
    )
    out = out.with_columns(immpact_category_expr(pl.col("pct_reduction_pain")).alias("immpact"))
    ok = (out["status"] == "ok").to_numpy()
    evidence = responder_evidence(
        *(
            np.where(ok, out[c].cast(pl.Float64).to_numpy(), np.nan)
            for c in ("baseline_pain", "baseline_days", "pain", "n_days", "noise_var")
        )
    )
    out = out.with_columns(
        pl.Series(name, evidence[name], dtype=pl.Float64, nan_to_null=True)
        for name in EVIDENCE_COLUMNS
    )
    return out.select(
        "patient_id",
        "window",
        "window_anchor",
        "window_kind",
        "window_start_day",
        "window_end_day",
        "first_infusion_date",
        "induction_end_date",
        "n_days",
        "baseline_pain",
        "pain",
        *(f"pct_reduction_{s}" for s in _ITEMS),
        "immpact",
        "status",
        *EVIDENCE_COLUMNS,
    )


def _function_scores(assessments: pl.DataFrame, instrument_id: str) -> pl.DataFrame:
    return (
        assessments.filter(pl.col("instrument_id") == instrument_id)
        .explode("subscales")
        .filter(pl.col("subscales").struct.field("name") == "function")
        .select("patient_id", "date", pl.col("subscales").struct.field("score").alias("function"))
    )


def _function_change(
    responses: pl.DataFrame,
    assessments: pl.DataFrame | None,
    weekly: list[str],
    instrument_id: str,
) -> pl.DataFrame:
    """Per patient and weekly window: ``pct_reduction_function``, the change of the physical
    function subscale from its last score in the 28 days before the first infusion to its last
    score from the window's start to 7 days after its end (empty without assessments)."""
    if assessments is None or assessments.height == 0:
        fn = pl.DataFrame(
            schema={
                # the responses' own key type: the cohort summary keys patients as an Enum
                "patient_id": responses.schema["patient_id"],
                "window": responses.schema["window"],
                "pct_reduction_function": pl.Float64,
            }
        )
    else:
        scores = _function_scores(assessments, instrument_id)
        keys = responses.select(
            "patient_id", "window", "first_infusion_date", "window_start_day", "window_end_day"
        ).filter(pl.col("window").is_in(weekly))
        base_fn = (
            keys.select("patient_id", "first_infusion_date")
            .unique()
            .join(scores, on="patient_id")
            .filter(
                pl.col("date").is_between(
                    pl.col("first_infusion_date") - pl.duration(days=28),
                    pl.col("first_infusion_date"),
                )
            )
            .sort("date")
            .group_by("patient_id")
            .agg(pl.col("function").last().alias("function_baseline"))
        )
        follow_fn = (
            keys.join(scores, on="patient_id")
            .filter(
                pl.col("date").is_between(
                    pl.col("first_infusion_date") + pl.duration(days=pl.col("window_start_day")),
                    pl.col("first_infusion_date") + pl.duration(days=pl.col("window_end_day") + 7),
                )
            )
            .sort("date")
            .group_by("patient_id", "window")
            .agg(pl.col("function").last().alias("function_follow"))
        )
        fn = follow_fn.join(base_fn, on="patient_id", how="inner").select(
            "patient_id",
            "window",
            percent_reduction(pl.col("function_baseline"), pl.col("function_follow")).alias(
                "pct_reduction_function"
            ),
        )
    return fn


def fm30(
    responses: pl.DataFrame,
    assessments: pl.DataFrame | None,
    windows: tuple[FollowUpWindow, ...] = DEFAULT_WINDOWS,
    *,
    instrument_id: str = "fiqr",
) -> pl.DataFrame:
    """Add FM30 short and long composite responder labels to :func:`window_responses` output.

    Parameters
    ----------
    responses : polars.DataFrame
        Output of :func:`window_responses`.
    assessments : polars.DataFrame or None
        Validated assessments; the ``function`` subscale of ``instrument_id`` is used.
    windows : tuple of FollowUpWindow
        The windows used for ``responses`` (only weekly ones qualify).
    instrument_id : str
        Instrument giving physical function (default the FIQR).

    Returns
    -------
    polars.DataFrame
        ``responses`` plus ``pct_reduction_function``, ``fm30_short`` and ``fm30_long``, each
        ``responder``, ``non_responder`` or ``not_computable`` (missing components).
    """
    weekly = [w.name for w in windows if w.is_weekly]
    fn = _function_change(responses, assessments, weekly, instrument_id)
    out = responses.join(fn, on=["patient_id", "window"], how="left")
    pain = pl.col("pct_reduction_pain") >= FM30_THRESHOLDS_PCT["pain"]
    function = pl.col("pct_reduction_function") >= FM30_THRESHOLDS_PCT["function"]
    other = FM30_OTHER_DOMAIN_PCT
    domains = [pl.col(f"pct_reduction_{s}") >= other for s in ("sleep_quality", "fatigue")]
    long_domains = [
        (pl.col(f"pct_reduction_{s}") >= other).cast(pl.Int32)
        for s in ("sleep_quality", "fatigue", "mood", "fog")
    ]
    n_known = pl.sum_horizontal(
        pl.col(f"pct_reduction_{s}").is_not_null().cast(pl.Int32)
        for s in ("sleep_quality", "fatigue", "mood", "fog")
    )
    n_met = pl.sum_horizontal(d.fill_null(0) for d in long_domains)
    # Kleene logic: a failed component decides "non_responder" even if another is missing.
    long_domain_ok = (
        pl.when(n_met >= 2)
        .then(pl.lit(True))
        .when(n_met + (4 - n_known) < 2)
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )
    in_weekly = pl.col("window").is_in(weekly) & (pl.col("status") == "ok")

    def label(ok: pl.Expr) -> pl.Expr:
        return (
            pl.when(~in_weekly | ok.is_null())
            .then(pl.lit(NOT_COMPUTABLE))
            .when(ok)
            .then(pl.lit("responder"))
            .otherwise(pl.lit("non_responder"))
        )

    return out.with_columns(
        label(pain & function & (domains[0] | domains[1])).alias("fm30_short"),
        label(pain & function & long_domain_ok).alias("fm30_long"),
    )


def _sorted_within_patient(df: pl.DataFrame, time: str) -> pl.DataFrame:
    """Sort by patient and ``time`` unless the frame already is (validated frames are)."""
    ordered = df.select(
        (
            (pl.col("patient_id") > pl.col("patient_id").shift(1))
            | (
                (pl.col("patient_id") == pl.col("patient_id").shift(1))
                & (pl.col(time) >= pl.col(time).shift(1))
            )
        )
        .fill_null(True)
        .all()
    ).item()
    return df if ordered else df.sort("patient_id", time)


def relief_episodes(
    diary: pl.DataFrame,
    daily: pl.DataFrame,
    sessions: pl.DataFrame,
    baselines: pl.DataFrame,
    rule: ReliefRule | LatentReliefRule | str | None = None,
) -> pl.DataFrame:
    """Time to relief and durability of relief per patient and course.

    ``rule`` is a rule object or the version string of one in :data:`RELIEF_RULES`; the
    default is rule 2.0 (:mod:`tenderpoint.outcomes.relief`, latent level with intervals).
    Rule 1.0 (:class:`ReliefRule`) is documented below and kept for stored results.
    """
    from tenderpoint.outcomes.relief import LatentReliefRule, latent_relief_episodes

    chosen = relief_rule(rule)
    if isinstance(chosen, LatentReliefRule):
        return latent_relief_episodes(diary, sessions, baselines, chosen)
    return _relief_episodes_v1(diary, daily, sessions, baselines, chosen)


def relief_rule(rule: ReliefRule | LatentReliefRule | str | None) -> ReliefRule | LatentReliefRule:
    """The rule object for an object, a version string, or None (the default, 2.4)."""
    from tenderpoint.outcomes.relief import LatentReliefRule

    if rule is None:
        return LatentReliefRule()
    if isinstance(rule, str):
        rules = relief_rules()
        if rule not in rules:
            raise InvalidInputError(
                f"Unknown relief rule {rule!r}; known: {sorted(rules)}.",
                code="unknown_rule",
                field="relief_rule",
            )
        return rules[rule]
    if not isinstance(rule, ReliefRule | LatentReliefRule):
        raise InvalidInputError(
            "relief_rule must be a relief rule or its version string.",
            code="wrong_type",
            field="relief_rule",
        )
    return rule


def relief_rules() -> dict[str, ReliefRule | LatentReliefRule]:
    """Every relief rule by version string (old ones stay, so stored results reproduce)."""
    from tenderpoint.outcomes.relief import LatentReliefRule

    # 2.4, the default: 2.3, and relief ends only after the last day it is still present (a
    # return followed by relief again before the next infusion was a flare)
    v24 = LatentReliefRule()
    # 2.3 (by name): 2.2, and a return seen on at least 4 diary days that steps up from the
    # week before it (99 %) counts when those days are more likely back than not
    v23 = replace(v24, return_resume_check=False, version="tenderpoint-relief/2.3")
    # 2.2 (by name): a return seen on fewer than 4 diary days before the end of follow-up
    # needs 99 %, and an end running into a marked flare there must be seen before the flare
    v22 = replace(v23, return_step_check=False, version="tenderpoint-relief/2.2")
    # 2.1 (by name): the diary's own days move the end (the last 14 days, and earlier)
    v21 = replace(
        v22, return_min_days=0, return_marked_flare_check=False, version="tenderpoint-relief/2.1"
    )
    v20 = replace(v21, return_tail_days=0, version="tenderpoint-relief/2.0")
    return {r.version: r for r in (ReliefRule(), v20, v21, v22, v23, v24)}


def _relief_episodes_v1(
    diary: pl.DataFrame,
    daily: pl.DataFrame,
    sessions: pl.DataFrame,
    baselines: pl.DataFrame,
    rule: ReliefRule,
) -> pl.DataFrame:
    """Relief rule 1.0: time to relief and durability from raw entries and fixed bands.

    Parameters
    ----------
    diary : polars.DataFrame
        Validated raw entries (for sub-daily time to relief).
    daily : polars.DataFrame
        Daily values.
    sessions : polars.DataFrame
        Output of :func:`tenderpoint.outcomes.schedule.infusion_courses`.
    baselines : polars.DataFrame
        Output of :func:`tenderpoint.outcomes.baseline.baseline_scores`.
    rule : ReliefRule, optional
        Thresholds.

    Returns
    -------
    polars.DataFrame
        One row per (patient, course) with a baseline: ``relief`` (bool),
        ``time_to_relief_hours`` (to relief, or to censoring when ``relief`` is false),
        ``relief_resolution`` (``sub_daily`` or ``daily``), ``relief_onset_date``,
        ``durability_days`` and ``durability_event`` (true: pain came back; false: censored),
        ``censor_reason`` (``next_infusion`` or ``last_entry``), ``status``.
    """
    courses = course_table(sessions).join(
        baselines.filter(pl.col("baseline_status") == BASELINE_OK).select(
            "patient_id", "baseline_pain"
        ),
        on="patient_id",
        how="inner",
    )
    onset, observed = _v1_onsets(diary, courses, rule)
    last_day, returns = _v1_returns(daily, courses, onset, rule)
    return _v1_frame(courses, onset, observed, last_day, returns, rule)


def _v1_onsets(
    diary: pl.DataFrame, courses: pl.DataFrame, rule: ReliefRule
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rule 1.0 step 1: the first entry >= 30 % below baseline within the horizon."""
    horizon = pl.duration(days=rule.horizon_days)
    course_keys = courses.select(
        "patient_id", "course", "course_start", "next_course_start", "baseline_pain"
    ).sort("patient_id", "course_start")
    entries = (
        _sorted_within_patient(
            diary.select("patient_id", "recorded_at", "local_date", "pain").filter(
                pl.col("patient_id").is_in(courses["patient_id"].unique().implode())
            ),
            "recorded_at",
        )
        .join_asof(
            course_keys,
            left_on="recorded_at",
            right_on="course_start",
            by="patient_id",
            strategy="backward",
            check_sortedness=False,
        )
        .filter(
            pl.col("course").is_not_null()
            & (pl.col("recorded_at") < pl.col("course_start") + horizon)
        )
    )
    reduction = percent_reduction(pl.col("baseline_pain"), pl.col("pain"))
    onset = (
        entries.filter(reduction >= rule.relief_reduction_pct)
        .group_by("patient_id", "course")
        .agg(
            pl.col("recorded_at").min().alias("relief_at"),
            pl.col("local_date").sort_by("recorded_at").first().alias("relief_onset_date"),
        )
    )
    observed = entries.group_by("patient_id", "course").agg(
        pl.col("recorded_at").max().alias("last_entry_in_horizon"),
        (pl.col("local_date").n_unique() < pl.len()).alias("sub_daily"),
    )
    return onset, observed


def _v1_returns(
    daily: pl.DataFrame, courses: pl.DataFrame, onset: pl.DataFrame, rule: ReliefRule
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rule 1.0 step 2: the first run of days back within 10 % after onset; last day."""
    day_keys = courses.select("patient_id", "course", "course_date", "baseline_pain").sort(
        "patient_id", "course_date"
    )
    d = (
        _sorted_within_patient(
            daily.select("patient_id", "local_date", "pain").filter(
                pl.col("patient_id").is_in(courses["patient_id"].unique().implode())
            ),
            "local_date",
        )
        .join_asof(
            day_keys,
            left_on="local_date",
            right_on="course_date",
            by="patient_id",
            check_sortedness=False,
        )
        .filter(pl.col("course").is_not_null())
    )
    d = d.with_columns(
        (percent_reduction(pl.col("baseline_pain"), pl.col("pain")) <= rule.return_within_pct)
        .fill_null(False)
        .alias("back")
    )
    # rows are sorted by patient and date, so neighbours are compared by shifting the whole
    # column and checking patient, course and calendar continuity (no per-patient windows)
    run = pl.col("back")
    for lag in range(1, rule.return_run_days):
        run = run & (
            pl.col("back").shift(-lag)
            & (pl.col("patient_id").shift(-lag) == pl.col("patient_id"))
            & (pl.col("course").shift(-lag) == pl.col("course"))
            & ((pl.col("local_date").shift(-lag) - pl.col("local_date")).dt.total_days() == lag)
        ).fill_null(False)
    d = d.with_columns(run.alias("returned"))
    # sorted rows: the last day of a (patient, course) is the row before the key changes
    last_day = d.filter(
        (
            (pl.col("patient_id") != pl.col("patient_id").shift(-1))
            | (pl.col("course") != pl.col("course").shift(-1))
        ).fill_null(True)
    ).select("patient_id", "course", pl.col("local_date").alias("last_day_in_course"))
    returns = (
        d.filter("returned")
        .join(
            onset.select("patient_id", "course", "relief_onset_date"), on=["patient_id", "course"]
        )
        .filter(pl.col("local_date") > pl.col("relief_onset_date"))
        .group_by("patient_id", "course")
        .agg(pl.col("local_date").min().alias("return_date"))
    )
    return last_day, returns


def _v1_frame(
    courses: pl.DataFrame,
    onset: pl.DataFrame,
    observed: pl.DataFrame,
    last_day: pl.DataFrame,
    returns: pl.DataFrame,
    rule: ReliefRule,
) -> pl.DataFrame:
    """Rule 1.0 step 3: time to relief, durability and censoring per course."""
    horizon = pl.duration(days=rule.horizon_days)
    out = (
        courses.join(onset, on=["patient_id", "course"], how="left")
        .join(observed, on=["patient_id", "course"], how="left")
        .join(last_day, on=["patient_id", "course"], how="left")
        .join(returns, on=["patient_id", "course"], how="left")
    )
    censor_at = pl.min_horizontal(
        pl.col("course_start") + horizon,
        pl.col("next_course_start"),
        pl.col("last_entry_in_horizon"),
    )
    relief = pl.col("relief_at").is_not_null()
    hours = (
        pl.when(relief).then(pl.col("relief_at")).otherwise(censor_at) - pl.col("course_start")
    ).dt.total_seconds(fractional=True) / 3600.0
    event = pl.col("return_date").is_not_null()
    end_date = pl.when(event).then(pl.col("return_date")).otherwise(pl.col("last_day_in_course"))
    reached_next = pl.col("next_course_date").is_not_null() & (
        pl.col("last_day_in_course") >= pl.col("next_course_date") - pl.duration(days=1)
    )
    return out.select(
        "patient_id",
        "course",
        "course_date",
        "course_size",
        "baseline_pain",
        relief.alias("relief"),
        pl.when(pl.col("last_entry_in_horizon").is_not_null() | relief)
        .then(hours)
        .alias("time_to_relief_hours"),
        pl.when(pl.col("sub_daily").fill_null(False))
        .then(pl.lit("sub_daily"))
        .otherwise(pl.lit("daily"))
        .alias("relief_resolution"),
        "relief_onset_date",
        pl.when(relief)
        .then((end_date - pl.col("relief_onset_date")).dt.total_days())
        .cast(pl.Float64)
        .alias("durability_days"),
        pl.when(relief).then(event).alias("durability_event"),
        pl.when(relief & ~event)
        .then(pl.when(reached_next).then(pl.lit("next_infusion")).otherwise(pl.lit("last_entry")))
        .alias("censor_reason"),
        pl.when(pl.col("last_entry_in_horizon").is_null() & ~relief)
        .then(pl.lit("insufficient_data"))
        .when(relief)
        .then(pl.lit("ok"))
        .otherwise(pl.lit("no_relief"))
        .alias("status"),
    ).sort("patient_id", "course")
