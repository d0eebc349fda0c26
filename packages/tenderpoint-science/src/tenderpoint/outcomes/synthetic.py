"""Synthetic cohorts for the demo, the tests and the benchmarks. SYNTHETIC DATA, NOT PATIENTS.

``generate_cohort(n_patients, n_days, seed)`` is deterministic for a given seed and
:class:`SyntheticParams`. It returns frames that satisfy the contracts (``contracts.py``) and the
ground truth beside them. Every parameter and distribution is listed on
:class:`SyntheticParams` and in ``docs/outcomes.md``. Patient ids start with ``SYN-`` and the
patients frame carries ``synthetic = True``.

Generative model, per patient ``i`` and local day ``t`` (day 0 = ``start_date``):

* pain level ``b_i ~ Normal(baseline_pain_mean, baseline_pain_sd)`` clipped to
  ``baseline_pain_range``; day-to-day noise is AR(1) with coefficient ``ar1_phi`` and stationary
  standard deviation ``noise_sd``; each entry adds independent ``entry_noise_sd``; the entry is
  rounded to an integer 0-10 (the NRS is integer).
* relief: the slow-compartment level ``C_i`` rises by ``increment_c50 x C50`` with each session
  and decays with the patient's own half-life (lognormal around ``half_life_median_days``).
  Relief (fraction of pain removed) is ``emax_i * relief_fraction(C_i)`` where
  ``relief_fraction`` is the pharmacology core's Dahan 2011 function (with Emax 1, the
  per-patient depth applied here). Responders (probability ``responder_fraction``) have
  ``emax_i ~ Uniform(responder_emax)``; non-responders ``Uniform(nonresponder_emax)``.
* schedule: first infusion on a day drawn from ``first_infusion_day_range``; induction of
  ``planned_induction_infusions`` sessions on consecutive days at 10:00 local, 4 h each; with
  probability ``induction_stop_probability`` the patient stops after 1..planned-1 sessions.
  Responders who completed induction get a booster course of ``booster_sessions`` consecutive
  days ``Uniform{booster_delay_days}`` days after their noise-free relief fell to
  ``booster_trigger_reduction``.
* flares: start with probability ``flare_rate_per_day`` on each day from ``flare_earliest_day``,
  except that none starts from 7 days + the longest flare before the first infusion to
  ``flare_quiet_after_first_days`` after it (so the baseline and the relief onset are not
  confounded by an injected flare);
  length ``Uniform{flare_length_days}``; they add ``Uniform(flare_rise_points)`` to pain (half of
  it to the other scores); overlapping flares merge into one true episode. On a flare day each
  entry is declared a flare with probability ``declare_probability``; on other days with
  ``false_declare_probability``.
* missing days with probability ``missing_day_probability``; ``twice_daily_fraction`` of patients
  write at 08:00 and 20:00 local, the rest at 20:00; drop-out after the first infusion at a
  constant hazard ``dropout_per_year``; the diary ends at drop-out.

Ground truth (noise-free, first course): ``true_week2_reduction_pct`` (mean relief over days
8-14 after the first infusion, in percent of the pain level), ``true_relief`` (relief >= 30 %
reached within 28 days),
``true_durability_days`` (days from the first day with >= 30 % relief to the first day with
<= 10 %, on the counterfactual path without boosters - so it is never censored) and the injected
flare episodes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import polars as pl

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology.pd.relief import DAHAN2011, ReliefModel, relief_fraction

GENERATOR_VERSION: Final = "tenderpoint-synthetic/1.0"
SYNTHETIC_LABEL: Final = "SYNTHETIC DATA - generated, not from real patients"
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SyntheticParams:
    """Every knob of the generator, with its distribution (see the module docstring)."""

    start_date: dt.date = dt.date(2025, 1, 1)
    timezones: tuple[str, ...] = ("Europe/Amsterdam", "America/New_York", "UTC")
    timezone_weights: tuple[float, ...] = (0.5, 0.3, 0.2)
    female_fraction: float = 0.85
    age_mean_years: float = 50.0
    age_sd_years: float = 11.0
    baseline_pain_mean: float = 6.0
    baseline_pain_sd: float = 1.0
    baseline_pain_range: tuple[float, float] = (3.0, 8.0)
    noise_sd: float = 0.5
    ar1_phi: float = 0.5
    entry_noise_sd: float = 0.3
    first_infusion_day_range: tuple[int, int] = (14, 28)
    planned_induction_infusions: int = 5
    induction_stop_probability: float = 0.1
    responder_fraction: float = 0.6
    responder_emax: tuple[float, float] = (0.6, 0.95)
    nonresponder_emax: tuple[float, float] = (0.0, 0.1)
    half_life_median_days: float = 10.9
    half_life_log_sd: float = 0.3
    increment_c50: tuple[float, float] = (0.4, 0.6)
    booster_sessions: int = 2
    booster_trigger_reduction: float = 0.02
    booster_delay_days: tuple[int, int] = (0, 14)
    flare_rate_per_day: float = 1.0 / 60.0
    flare_earliest_day: int = 14
    flare_quiet_after_first_days: int = 14
    flare_length_days: tuple[int, int] = (2, 6)
    flare_rise_points: tuple[float, float] = (3.0, 4.5)
    declare_probability: float = 0.7
    false_declare_probability: float = 0.005
    missing_day_probability: float = 0.1
    twice_daily_fraction: float = 0.2
    dropout_per_year: float = 0.15
    session_hours: float = 4.0
    session_local_hour: int = 10
    dose_mg_per_kg: float = 2.0
    relief_model: ReliefModel = DAHAN2011


@dataclass(frozen=True)
class SyntheticCohort:
    """Frames that satisfy the contracts, plus the ground truth. All of it is synthetic."""

    patients: pl.DataFrame
    diary: pl.DataFrame
    infusions: pl.DataFrame
    assessments: pl.DataFrame
    truth: pl.DataFrame
    true_flares: pl.DataFrame
    seed: int
    params: SyntheticParams
    label: str = SYNTHETIC_LABEL
    version: str = GENERATOR_VERSION


_ITEM_BASES: Final = {
    "fatigue": (5.0, 8.0),
    "sleep_quality": (4.0, 8.0),
    "fog": (3.0, 7.0),
    "mood": (2.0, 6.0),
    "headache": (1.0, 6.0),
}


def _offsets_seconds(zone: str, start: dt.date, n_days: int, hour: int) -> npt.NDArray[np.int64]:
    tz = ZoneInfo(zone)
    out = np.empty(n_days, dtype=np.int64)
    for t in range(n_days):
        local = dt.datetime.combine(start + dt.timedelta(days=t), dt.time(hour), tzinfo=tz)
        offset = local.utcoffset()
        out[t] = int(offset.total_seconds()) if offset is not None else 0
    return out


@dataclass(frozen=True)
class _Draws:
    """Per-patient draws (arrays of length n), in the order the generator makes them."""

    zone_idx: npt.NDArray[np.int64]
    female: npt.NDArray[np.bool_]
    age: FloatArray
    level: FloatArray
    responder: npt.NDArray[np.bool_]
    emax: FloatArray
    half_life: FloatArray
    first_day: npt.NDArray[np.int64]
    received: npt.NDArray[np.int64]
    last_day: npt.NDArray[np.int64]
    increment: FloatArray
    booster_delay: npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Relief:
    """Noise-free relief paths (patients x days) and the session grid."""

    morning: FloatArray
    evening: FloatArray
    counterfactual: FloatArray
    session: npt.NDArray[np.bool_]


def _draw_patients(rng: np.random.Generator, n: int, d: int, p: SyntheticParams) -> _Draws:
    """Covariates, pain level, response, schedule and drop-out of every patient."""
    zone_idx = rng.choice(len(p.timezones), size=n, p=np.asarray(p.timezone_weights))
    female = rng.random(n) < p.female_fraction
    age = np.clip(np.rint(rng.normal(p.age_mean_years, p.age_sd_years, n)), 18, 85)
    level = np.clip(rng.normal(p.baseline_pain_mean, p.baseline_pain_sd, n), *p.baseline_pain_range)
    responder = rng.random(n) < p.responder_fraction
    emax = np.where(
        responder, rng.uniform(*p.responder_emax, n), rng.uniform(*p.nonresponder_emax, n)
    )
    half_life = p.half_life_median_days * np.exp(rng.normal(0.0, p.half_life_log_sd, n))
    first_day = rng.integers(p.first_infusion_day_range[0], p.first_infusion_day_range[1] + 1, n)
    planned = p.planned_induction_infusions
    stops = rng.random(n) < p.induction_stop_probability
    received = np.where(stops, rng.integers(1, max(planned, 2), n), planned)
    dropout_day = first_day + rng.exponential(365.0 / p.dropout_per_year, n)
    last_day = np.minimum(d - 1, np.floor(dropout_day)).astype(np.int64)
    increment = rng.uniform(*p.increment_c50, n) * p.relief_model.c50_ng_per_ml
    booster_delay = rng.integers(p.booster_delay_days[0], p.booster_delay_days[1] + 1, n)
    return _Draws(
        zone_idx,
        female,
        age,
        level,
        responder,
        emax,
        half_life,
        first_day,
        received,
        last_day,
        increment,
        booster_delay,
    )


def _simulate_relief(w: _Draws, d: int, p: SyntheticParams) -> _Relief:
    """Sessions and the slow compartment, day by day (vectorised over patients)."""
    n = w.level.size
    unit = dataclasses.replace(p.relief_model, emax=1.0)
    decay = np.exp(-math.log(2.0) / w.half_life)
    c_now = np.zeros(n)
    c_cf = np.zeros(n)
    relief_evening = np.zeros((n, d))
    relief_morning = np.zeros((n, d))
    relief_cf = np.zeros((n, d))
    session = np.zeros((n, d), dtype=bool)
    induction_end = w.first_day + w.received - 1
    booster_due = np.full(n, -1, dtype=np.int64)
    booster_left = np.zeros(n, dtype=np.int64)
    eligible = w.responder & (w.received == p.planned_induction_infusions)
    for t in range(d):
        c_now *= decay
        c_cf *= decay
        relief_morning[:, t] = w.emax * relief_fraction(c_now, unit)
        in_induction = (t >= w.first_day) & (t <= induction_end)
        start_booster = (booster_due == t) & (t <= w.last_day)
        booster_left = np.where(start_booster, p.booster_sessions, booster_left)
        booster_due = np.where(start_booster, -1, booster_due)
        today = (in_induction | (booster_left > 0)) & (t <= w.last_day)
        session[:, t] = today
        c_now += np.where(today, w.increment, 0.0)
        c_cf += np.where(in_induction & (t <= w.last_day), w.increment, 0.0)
        booster_left = np.maximum(booster_left - today.astype(np.int64) * (~in_induction), 0)
        r_now = w.emax * relief_fraction(c_now, unit)
        relief_evening[:, t] = r_now
        relief_cf[:, t] = w.emax * relief_fraction(c_cf, unit)
        trigger = (
            eligible
            & (t > induction_end)
            & (booster_due < 0)
            & (booster_left == 0)
            & (r_now <= p.booster_trigger_reduction)
        )
        booster_due = np.where(trigger, t + 1 + w.booster_delay, booster_due)
    return _Relief(relief_morning, relief_evening, relief_cf, session)


def _relief_truth(w: _Draws, r: _Relief, d: int) -> dict[str, FloatArray]:
    """Ground truth of relief (noise-free, counterfactual first course)."""
    days = np.arange(d)
    first_day = w.first_day
    after_first = days[None, :] >= first_day[:, None]
    within = after_first & (days[None, :] <= first_day[:, None] + 28)
    reached = within & (r.counterfactual >= 0.30)
    true_relief = reached.any(axis=1)
    onset = np.where(true_relief, reached.argmax(axis=1), -1)
    back = (days[None, :] > onset[:, None]) & (r.counterfactual <= 0.10)
    has_back = back.any(axis=1) & true_relief
    back_day = np.where(has_back, back.argmax(axis=1), -1)
    durability = np.where(has_back, (back_day - onset).astype(np.float64), np.nan)
    week2 = (days[None, :] >= first_day[:, None] + 8) & (days[None, :] <= first_day[:, None] + 14)
    true_week2_pct = 100.0 * (r.evening * week2).sum(axis=1) / week2.sum(axis=1).clip(1)
    # onset on the evening after a session at 10:00 + 4 h: hours from the first session start
    time_to_relief_days = np.where(true_relief, (onset - first_day).astype(np.float64), np.nan)
    return {
        "true_relief": true_relief,
        "durability": durability,
        "week2_pct": true_week2_pct,
        "time_to_relief_days": time_to_relief_days,
    }


def _flares(
    rng: np.random.Generator, w: _Draws, n: int, d: int, p: SyntheticParams
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Injected flares: the points they add per patient and day, and the flare-day mask."""
    days = np.arange(d)
    lo, hi = p.flare_length_days
    quiet = (days[None, :] >= w.first_day[:, None] - 7 - hi) & (
        days[None, :] <= w.first_day[:, None] + p.flare_quiet_after_first_days
    )
    starts = (
        (rng.random((n, d)) < p.flare_rate_per_day)
        & (days[None, :] >= p.flare_earliest_day)
        & ~quiet
    )
    length = rng.integers(lo, hi + 1, (n, d))
    rise = rng.uniform(*p.flare_rise_points, (n, d))
    flare_add = np.zeros((n, d))
    for lag in range(hi):
        active = starts & (length > lag)
        shifted = np.zeros((n, d))
        shifted[:, lag:] = np.where(active, rise, 0.0)[:, : d - lag]
        flare_add = np.maximum(flare_add, shifted)
    return flare_add, flare_add > 0


def _ar_noise(rng: np.random.Generator, n: int, d: int, p: SyntheticParams) -> FloatArray:
    """AR(1) day-to-day noise with stationary SD ``noise_sd``."""
    innovation_sd = p.noise_sd * math.sqrt(1.0 - p.ar1_phi**2)
    ar = np.empty((n, d))
    ar[:, 0] = rng.normal(0.0, p.noise_sd, n)
    shocks = rng.normal(0.0, innovation_sd, (n, d))
    for t in range(1, d):
        ar[:, t] = p.ar1_phi * ar[:, t - 1] + shocks[:, t]
    return ar


def _diary(
    rng: np.random.Generator,
    w: _Draws,
    r: _Relief,
    flare_add: FloatArray,
    in_flare: npt.NDArray[np.bool_],
    ar: FloatArray,
    id_series: pl.Series,
    p: SyntheticParams,
) -> pl.DataFrame:
    """Diary entries: (patient, day, slot) with slot 0 = 08:00, 1 = 20:00 local."""
    n, d = int(flare_add.shape[0]), int(flare_add.shape[1])
    days = np.arange(d)
    twice = rng.random(size=n) < p.twice_daily_fraction
    present_day = (rng.random((n, d)) >= p.missing_day_probability) & (
        days[None, :] <= w.last_day[:, None]
    )
    present = np.stack([present_day & twice[:, None], present_day], axis=2)
    ii, tt, ss = np.nonzero(present)
    relief_entry = np.where(ss == 0, r.morning[ii, tt], r.evening[ii, tt])
    clean = w.level[ii] * (1.0 - relief_entry)
    pain = clean + flare_add[ii, tt] + ar[ii, tt] + rng.normal(0.0, p.entry_noise_sd, ii.size)
    columns: dict[str, FloatArray] = {"pain": np.clip(np.rint(pain), 0, 10)}
    for name, (a, b) in _ITEM_BASES.items():
        base = rng.uniform(a, b, size=n)
        value = (
            base[ii] * (1.0 - 0.9 * relief_entry)
            + 0.5 * flare_add[ii, tt]
            + rng.normal(0.0, 0.8, ii.size)
        )
        columns[name] = np.clip(np.rint(value), 0, 10)
    declared = np.where(
        in_flare[ii, tt],
        rng.random(ii.size) < p.declare_probability,
        rng.random(ii.size) < p.false_declare_probability,
    )
    hours = np.array([8, 20])
    offsets = np.stack(
        [
            np.stack([_offsets_seconds(z, p.start_date, d, h) for h in hours], axis=1)
            for z in p.timezones
        ]
    )  # (zone, day, slot)
    epoch0 = int(dt.datetime.combine(p.start_date, dt.time(0), tzinfo=dt.UTC).timestamp())
    local_seconds = epoch0 + tt * 86400 + hours[ss] * 3600
    utc_us = (local_seconds - offsets[w.zone_idx[ii], tt, ss]) * 1_000_000
    start_days = (p.start_date - dt.date(1970, 1, 1)).days
    return pl.DataFrame(
        {
            "patient_id": id_series.gather(ii),
            "recorded_at": pl.Series(utc_us, dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
            "local_date": pl.Series(tt + start_days, dtype=pl.Int32).cast(pl.Date),
            **{k: pl.Series(v, dtype=pl.Float64) for k, v in columns.items()},
            "flare": pl.Series(declared, dtype=pl.Boolean),
            "note": pl.Series([None] * ii.size, dtype=pl.String),
        }
    )


def _infusions(
    rng: np.random.Generator, w: _Draws, r: _Relief, id_series: pl.Series, p: SyntheticParams
) -> pl.DataFrame:
    """One row per simulated session (10:00 local, ``session_hours`` long)."""
    n, d = int(r.session.shape[0]), int(r.session.shape[1])
    si, st = np.nonzero(r.session)
    epoch0 = int(dt.datetime.combine(p.start_date, dt.time(0), tzinfo=dt.UTC).timestamp())
    s_local = epoch0 + st * 86400 + p.session_local_hour * 3600
    session_hour_offsets = np.stack(
        [_offsets_seconds(z, p.start_date, d, p.session_local_hour) for z in p.timezones]
    )
    s_utc_us = (s_local - session_hour_offsets[w.zone_idx[si], st]) * 1_000_000
    weight_kg = np.clip(rng.normal(75.0, 15.0, n), 45.0, 140.0)
    return pl.DataFrame(
        {
            "patient_id": id_series.gather(si),
            "start": pl.Series(s_utc_us, dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
            "end": pl.Series(s_utc_us + int(p.session_hours * 3600e6), dtype=pl.Int64).cast(
                pl.Datetime("us", "UTC")
            ),
            "drug": pl.Series(["racemic_ketamine"] * si.size, dtype=pl.String),
            "total_dose_mg": np.round(p.dose_mg_per_kg * weight_kg[si], 1),
            "dose_mg_per_kg": np.full(si.size, p.dose_mg_per_kg),
        }
    )


def _assessments(
    rng: np.random.Generator, w: _Draws, r: _Relief, id_series: pl.Series, p: SyntheticParams
) -> pl.DataFrame:
    """FIQR the day before the first infusion, then at weeks 2, 4, 8 and 12."""
    n, d = int(r.session.shape[0]), int(r.session.shape[1])
    fiqr_offsets = np.array([-1, 14, 28, 56, 84])
    ai = np.repeat(np.arange(n), fiqr_offsets.size)
    at = w.first_day[ai] + np.tile(fiqr_offsets, n)
    keep = (at <= w.last_day[ai]) & (at < d)
    ai, at = ai[keep], at[keep]
    function_base = rng.uniform(12.0, 25.0, size=n)
    r_at = r.evening[ai, at]
    function = np.clip(function_base[ai] * (1 - 0.8 * r_at) + rng.normal(0, 1.5, ai.size), 0, 30)
    overall = np.clip(14.0 * (1 - 0.8 * r_at) + rng.normal(0, 1.5, ai.size), 0, 20)
    symptoms = np.clip(5.0 * w.level[ai] * (1 - r_at) + rng.normal(0, 2.0, ai.size), 0, 50)
    names = pl.Series(["function", "overall", "symptoms"] * ai.size, dtype=pl.String)
    scores = pl.Series(np.stack([function, overall, symptoms], axis=1).ravel(), dtype=pl.Float64)
    subscales = (
        pl.DataFrame({"row": np.repeat(np.arange(ai.size), 3), "name": names, "score": scores})
        .group_by("row", maintain_order=True)
        .agg(pl.struct("name", "score").alias("subscales"))
    )["subscales"]
    start_days = (p.start_date - dt.date(1970, 1, 1)).days
    return pl.DataFrame(
        {
            "patient_id": id_series.gather(ai),
            "date": pl.Series(at + start_days, dtype=pl.Int32).cast(pl.Date),
            "instrument_id": pl.Series(["fiqr"] * ai.size, dtype=pl.String),
            "total": np.round(function / 3 + overall + symptoms / 2, 1),
            "subscales": subscales,
        }
    )


def _truth_frames(
    w: _Draws,
    truth: dict[str, FloatArray],
    in_flare: npt.NDArray[np.bool_],
    id_series: pl.Series,
    p: SyntheticParams,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The patients frame, the per-patient truth and the true flare episodes."""
    n, d = in_flare.shape
    days = np.arange(d)
    start_days = (p.start_date - dt.date(1970, 1, 1)).days
    planned = p.planned_induction_infusions
    zones = np.asarray(p.timezones)
    patients = pl.DataFrame(
        {
            "patient_id": id_series,
            "sex": np.where(w.female, "female", "male"),
            "age_years": w.age.astype(np.int64),
            "timezone": zones[w.zone_idx],
            "planned_induction_infusions": np.full(n, planned, dtype=np.int64),
            "synthetic": np.ones(n, dtype=bool),
        }
    )
    to_date = pl.col("day").cast(pl.Int32) + start_days
    truth_frame = (
        pl.DataFrame(
            {
                "patient_id": id_series,
                "responder": w.responder,
                "emax": w.emax,
                "half_life_days": w.half_life,
                "baseline_level": w.level,
                "day": w.first_day,
                "induction_received": w.received.astype(np.int64),
                "completed_induction": w.received == planned,
                "last_diary_day": w.last_day,
                "true_relief": truth["true_relief"],
                "true_time_to_relief_days": pl.Series(
                    truth["time_to_relief_days"], nan_to_null=True
                ),
                "true_durability_days": pl.Series(truth["durability"], nan_to_null=True),
                "true_week2_reduction_pct": truth["week2_pct"],
            }
        )
        .with_columns(
            to_date.cast(pl.Date).alias("first_infusion_date"),
            (pl.col("last_diary_day").cast(pl.Int32) + start_days)
            .cast(pl.Date)
            .alias("last_diary_date"),
        )
        .drop("day", "last_diary_day")
    )
    # true flare episodes: runs of in_flare on days the patient was still writing
    observed_flare = in_flare & (days[None, :] <= w.last_day[:, None])
    padded = np.pad(observed_flare.astype(np.int8), ((0, 0), (1, 1)))
    edges = np.diff(padded, axis=1)
    fi, fs = np.nonzero(edges == 1)
    _, fe = np.nonzero(edges == -1)
    true_flares = pl.DataFrame(
        {
            "patient_id": id_series.gather(fi),
            "start": pl.Series(fs + start_days, dtype=pl.Int32).cast(pl.Date),
            "end": pl.Series(fe - 1 + start_days, dtype=pl.Int32).cast(pl.Date),
        }
    )
    return patients, truth_frame, true_flares


def generate_cohort(
    n_patients: int, n_days: int, seed: int, params: SyntheticParams | None = None
) -> SyntheticCohort:
    """Generate a synthetic cohort (deterministic for a seed).

    Parameters
    ----------
    n_patients : int
        Number of patients (>= 1).
    n_days : int
        Diary length in days (>= 35 so a baseline and induction fit).
    seed : int
        Seed of numpy's PCG64 generator.
    params : SyntheticParams, optional
        Distributions and rates (defaults documented on the class).

    Returns
    -------
    SyntheticCohort
        ``patients, diary, infusions, assessments`` (contract frames) and ``truth``
        (per patient: responder, emax, half_life_days, first_infusion_date, induction_received,
        true_relief, true_time_to_relief_days, true_durability_days) and ``true_flares``
        (``patient_id, start, end``).
    """
    p = params or SyntheticParams()
    if n_patients < 1 or n_days < 35:
        raise InvalidInputError(
            "A synthetic cohort needs at least 1 patient and 35 days.",
            code="out_of_range",
            field="n_days" if n_patients >= 1 else "n_patients",
        )
    rng = np.random.default_rng(seed)
    n, d = n_patients, n_days
    ids = np.array([f"SYN-{i + 1:06d}" for i in range(n)])
    id_series = pl.Series("patient_id", ids, dtype=pl.String)
    draws = _draw_patients(rng, n, d, p)
    relief = _simulate_relief(draws, d, p)
    truth = _relief_truth(draws, relief, d)
    flare_add, in_flare = _flares(rng, draws, n, d, p)
    ar = _ar_noise(rng, n, d, p)
    diary = _diary(rng, draws, relief, flare_add, in_flare, ar, id_series, p)
    infusions = _infusions(rng, draws, relief, id_series, p)
    assessments = _assessments(rng, draws, relief, id_series, p)
    patients, truth_frame, true_flares = _truth_frames(draws, truth, in_flare, id_series, p)
    return SyntheticCohort(
        patients=patients,
        diary=diary,
        infusions=infusions,
        assessments=assessments,
        truth=truth_frame,
        true_flares=true_flares,
        seed=seed,
        params=p,
    )
