"""A second, independent synthetic cohort for validating the outcomes rules. SYNTHETIC DATA.

Written apart from ``tenderpoint.outcomes.synthetic`` and sharing none of its code or model:
relief follows one of three families (exponential fade, linear fade, a step that holds and then
stops) instead of the Dahan 2011 curve; inductions are five consecutive days or six sessions over
two weeks; scores are whole numbers with 0.5-1.5 points of noise (a quarter of it shared by the
entries of one day); about 12 % of days are missed and a quarter of written days carry two
entries; patients live in six time zones with daylight-saving changes; flares last 3-14 days and
may start right after an infusion; some responders get a booster while their relief still
holds, others after it has gone; a fifth of patients stop writing early.

The planted truth is computed from the noise-free relief, with the definitions of issue 14
(the responder windows also from the noise-free pain the patient had, flares included):
relief = >= 30 % within 28 days of the first session; durability = days from the first day with
>= 30 % relief until relief falls below 10 %, censored at the next infusion or the end of
follow-up; flares are the planted episodes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Denver",
    "America/Los_Angeles",
    "Australia/Sydney",
)
FAMILIES = ("exponential", "linear", "step")
CALENDAR_START = dt.date(2025, 2, 1)  # spans the March/April and October DST changes


@dataclass(frozen=True)
class IndependentCohort:
    """Contract frames plus the planted truth (one row per patient) and planted flares."""

    patients: pl.DataFrame
    diary: pl.DataFrame
    infusions: pl.DataFrame
    truth: pl.DataFrame
    flares: pl.DataFrame
    n_days: int


def _fade(family: str, s: np.ndarray, scale: float) -> np.ndarray:
    """Fraction of the full depth left ``s`` days after the end of induction."""
    s = np.maximum(s, 0.0)
    if family == "exponential":
        return np.exp(-math.log(2.0) * s / scale)
    if family == "linear":
        return np.clip(1.0 - s / scale, 0.0, 1.0)
    return (s < scale).astype(np.float64)


def _first(mask: np.ndarray, start: int) -> int:
    hits = np.nonzero(mask[start:])[0]
    return int(hits[0]) + start if hits.size else -1


def _patient(rng: np.random.Generator, n_days: int, noise_sd: tuple[float, float]) -> dict:
    """One patient's schedule, relief path and truth."""
    days = np.arange(n_days, dtype=np.float64)
    level = rng.uniform(4.0, 8.0)
    sigma = rng.uniform(*noise_sd)
    first = int(rng.integers(21, 36))
    plan = [0, 1, 2, 3, 4] if rng.random() < 0.5 else [0, 2, 4, 7, 9, 11]
    received = len(plan)
    if rng.random() < 0.1:
        received = int(rng.integers(1, len(plan)))
    sessions = [first + x for x in plan[:received]]
    induction_end = sessions[-1]
    responder = rng.random() < 0.6
    depth = rng.uniform(0.4, 0.9) if responder else rng.uniform(0.0, 0.15)
    family = str(rng.choice(FAMILIES))
    scale = {
        "exponential": rng.uniform(7.0, 35.0),
        "linear": rng.uniform(20.0, 100.0),
        "step": rng.uniform(10.0, 90.0),
    }[family]
    eff = depth * received / len(plan)
    # ramp: after session j of the planned course, relief is depth * j / planned
    ramp = np.zeros(n_days)
    for j, s in enumerate(sessions, start=1):
        ramp[int(s) :] = depth * j / len(plan)
    cf = np.where(days <= induction_end, ramp, eff * _fade(family, days - induction_end, scale))
    cf[: sessions[0]] = 0.0
    dropout = n_days - 1
    if rng.random() < 0.2:
        dropout = int(rng.integers(first + 7, n_days))
    # booster: around the day relief falls below 30 %, sometimes while it still holds
    booster = -1
    below = _first(cf < 0.3, induction_end + 1)
    if responder and received == len(plan) and below > 0:
        candidate = below + int(rng.integers(-10, 11))
        if induction_end + 7 < candidate < n_days - 2 and candidate <= dropout:
            booster = candidate
    relief = cf.copy()
    if booster > 0:
        sessions += [booster, booster + 1]
        again = eff * _fade(family, days - (booster + 1), scale)
        again[: booster + 1] = 0.0
        relief[booster:] = np.maximum(cf[booster:], again[booster:])
        relief[booster] = max(relief[booster], eff * 0.5)
    # flares (none in the baseline week, so the baseline is a baseline)
    flare_add = np.zeros(n_days)
    flares = []
    t = 0
    while t < n_days:
        if not first - 8 <= t < first and rng.random() < 1.0 / 60.0:
            length = int(rng.integers(3, 15))
            end = min(t + length, n_days) - 1
            if end >= first - 8 and t < first:
                t += 1
                continue
            flare_add[t : end + 1] = rng.uniform(2.5, 4.5)
            flares.append((t, end))
            t = end + 4
            continue
        t += 1
    return {
        "level": level,
        "sigma": sigma,
        "first": first,
        "sessions": sessions,
        "induction_end": induction_end,
        "completed": received == len(plan),
        "responder": responder,
        "depth": depth,
        "family": family,
        "scale": scale,
        "cf": cf,
        "relief": relief,
        "flare_add": flare_add,
        "flares": [(a, b) for a, b in flares if a <= dropout],
        "dropout": dropout,
        "booster": booster,
        "planned": len(plan),
    }


def _truth(p: dict, n_days: int) -> dict:
    """Planted answers for the first course (noise-free relief)."""
    cf, first, e = p["cf"], p["first"], p["induction_end"]
    horizon = cf[first : min(first + 28, n_days)]
    true_relief = bool((horizon >= 0.3).any())
    onset = _first(cf >= 0.3, first) if true_relief else -1
    onset = onset if 0 <= onset < first + 28 else -1
    end = _first(cf < 0.1, onset + 1) if onset >= 0 else -1
    limit = p["booster"] - 1 if p["booster"] > 0 else p["dropout"]
    reason = "next_infusion" if p["booster"] > 0 else "last_entry"
    event = onset >= 0 and 0 < end <= limit
    durability = (end - onset) if event else (limit - onset if onset >= 0 else None)
    post1 = cf[e + 1 : e + 8].mean()
    week2 = cf[first + 8 : first + 15].mean()
    # the pain the patient had (flares included, the scale stops at 10), noise-free
    felt = np.minimum(p["level"] * (1.0 - p["relief"]) + p["flare_add"], 10.0) / p["level"]
    felt_post1 = 1.0 - felt[e + 1 : e + 8].mean()
    felt_week2 = 1.0 - felt[first + 8 : first + 15].mean()
    today = e + 21
    crossing = _first(cf < 0.3, e + 1)
    return {
        "true_relief": true_relief,
        "true_onset_day": onset if onset >= 0 else None,
        "true_end_day": end if event else None,
        "true_durability_days": float(durability) if durability is not None else None,
        "true_durability_event": bool(event) if onset >= 0 else None,
        "true_censor_reason": None if event or onset < 0 else reason,
        "true_post_week1_pct": 100.0 * float(post1),
        "true_week2_pct": 100.0 * float(week2),
        "felt_post_week1_pct": 100.0 * float(felt_post1),
        "felt_week2_pct": 100.0 * float(felt_week2),
        "forecast_today_day": today,
        "true_relief_at_today": float(cf[today]) if today < n_days else None,
        "true_booster_due_day": crossing if crossing > 0 else None,
        "follow_up_limit_day": limit,
    }


_OFFSETS: dict[tuple[str, dt.date], dt.timedelta] = {}


def _utc(zone: ZoneInfo, day: dt.date, hour_float: float) -> dt.datetime:
    """UTC instant of a local time (entries are 07:00-23:00, away from the 02:00 DST jumps)."""
    key = (str(zone), day)
    if key not in _OFFSETS:
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=zone)
        _OFFSETS[key] = noon.utcoffset() or dt.timedelta()
    local = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(hours=hour_float)
    return local - _OFFSETS[key]


def generate(
    n_patients: int = 300,
    n_days: int = 180,
    seed: int = 0,
    noise_sd: tuple[float, float] = (0.5, 1.5),
) -> IndependentCohort:
    """Generate the independent cohort (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    diary_rows: list[tuple] = []
    inf_rows: list[tuple] = []
    pat_rows: list[tuple] = []
    truth_rows: list[dict] = []
    flare_rows: list[tuple] = []
    for i in range(n_patients):
        pid = f"IND-{seed}-{i:04d}"
        zone_name = ZONES[int(rng.integers(len(ZONES)))]
        zone = ZoneInfo(zone_name)
        p = _patient(rng, n_days, noise_sd)
        pain_true = p["level"] * (1.0 - p["relief"]) + p["flare_add"]
        in_flare = p["flare_add"] > 0
        for t in range(p["dropout"] + 1):
            if rng.random() < 0.12:
                continue
            day = CALENDAR_START + dt.timedelta(days=t)
            hours = (
                [rng.uniform(7.0, 10.0), rng.uniform(18.0, 23.0)]
                if rng.random() < 0.25
                else [rng.uniform(7.0, 23.0)]
            )
            shared = rng.normal(0.0, 0.5 * p["sigma"])
            for h in hours:
                value = pain_true[t] + shared + rng.normal(0.0, math.sqrt(0.75) * p["sigma"])
                flare = rng.random() < (0.6 if in_flare[t] else 0.003)
                diary_rows.append(
                    (pid, _utc(zone, day, h), day, float(np.clip(round(value), 0, 10)), flare)
                )
        for s in p["sessions"]:
            start = _utc(zone, CALENDAR_START + dt.timedelta(days=int(s)), 9.0)
            inf_rows.append((pid, start, start + dt.timedelta(hours=3)))
        pat_rows.append((pid, zone_name, p["planned"]))
        truth = _truth(p, n_days)
        truth.update(
            patient_id=pid,
            responder=p["responder"],
            depth=p["depth"],
            family=p["family"],
            scale_days=p["scale"],
            noise_sd=p["sigma"],
            level=p["level"],
            first_day=p["first"],
            induction_end_day=p["induction_end"],
            completed=p["completed"],
            booster_day=p["booster"] if p["booster"] > 0 else None,
            dropout_day=p["dropout"],
            cf_relief=p["cf"].tolist(),
        )
        truth_rows.append(truth)
        flare_rows += [(pid, a, b) for a, b in p["flares"]]
    return _frames(diary_rows, inf_rows, pat_rows, truth_rows, flare_rows, n_days)


def _frames(diary_rows, inf_rows, pat_rows, truth_rows, flare_rows, n_days) -> IndependentCohort:
    utc = pl.Datetime("us", "UTC")
    diary = pl.DataFrame(
        diary_rows,
        schema={
            "patient_id": pl.String,
            "recorded_at": utc,
            "local_date": pl.Date,
            "pain": pl.Float64,
            "flare": pl.Boolean,
        },
        orient="row",
    )
    infusions = pl.DataFrame(
        inf_rows, schema={"patient_id": pl.String, "start": utc, "end": utc}, orient="row"
    ).with_columns(
        pl.lit("racemic_ketamine").alias("drug"),
        pl.lit(150.0).alias("total_dose_mg"),
        pl.lit(2.0).alias("dose_mg_per_kg"),
    )
    patients = pl.DataFrame(
        pat_rows,
        schema={
            "patient_id": pl.String,
            "timezone": pl.String,
            "planned_induction_infusions": pl.Int64,
        },
        orient="row",
    )
    truth = pl.DataFrame(truth_rows, infer_schema_length=None)
    to_date = CALENDAR_START
    flares = pl.DataFrame(
        [
            (p, to_date + dt.timedelta(days=a), to_date + dt.timedelta(days=b))
            for p, a, b in flare_rows
        ],
        schema={"patient_id": pl.String, "start": pl.Date, "end": pl.Date},
        orient="row",
    )
    return IndependentCohort(patients, diary, infusions, truth, flares, n_days)
