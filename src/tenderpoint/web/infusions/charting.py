"""The arithmetic of charting a session, in plain Python (no Django, no database).

- the delivered dose, integrated from the pump events (never typed);
- the hard limits of reference 3.8 applied to what is charted: the rate, the running session
  total and the 24-h total, with the same ``Limits`` the planner uses;
- the vitals alerts of reference 3.7 against a clinic's (tightened) thresholds;
- the blind double check's comparison at the pump's and the scale's resolution;
- the discharge gates of reference 3.7.

Every function returns its findings with the values and the limit, so a page can show the basis.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tenderpoint.errors import DoseLimitError
from tenderpoint.pharmacology.dosing import LimitFinding, Limits

PUMP_RESOLUTION_ML_PER_H = 0.1  # the pump setting the plan rounds to (pharmacology.dosing)
SCALE_RESOLUTION_KG = 0.1
DOSE_RESOLUTION_MG = 0.1
CONCENTRATION_RESOLUTION_MG_PER_ML = 0.01
ALERT_ACTION = "Pause the infusion and call the clinician for review (reference 3.7)."
BASELINE_TOLERANCE = 0.20  # vitals within 20 % of baseline before discharge (reference 3.7)


@dataclass(frozen=True)
class PumpStep:
    """One pump event: from ``at`` the pump runs at ``rate_ml_per_h`` (0 when paused/stopped)."""

    at: datetime.datetime
    rate_ml_per_h: float


@dataclass(frozen=True)
class Delivered:
    """What the pump events add up to, with the arithmetic in words."""

    total_mg: float
    total_ml: float
    infusing_min: float
    max_hour_mg: float
    steps: tuple[str, ...]


def delivered(
    events: Sequence[PumpStep],
    concentration_mg_per_ml: float,
    until: datetime.datetime,
) -> Delivered:
    """Integrate rate × time over the events up to ``until`` (the stop, or now for a running
    session); the largest amount given in any 60-minute window is also returned."""
    ordered = sorted(events, key=lambda e: e.at)
    pieces: list[tuple[datetime.datetime, datetime.datetime, float]] = []
    for index, here in enumerate(ordered):
        end = ordered[index + 1].at if index + 1 < len(ordered) else until
        end = min(end, until)
        if end > here.at and here.rate_ml_per_h > 0:
            pieces.append((here.at, end, here.rate_ml_per_h))
    steps: list[str] = []
    total_ml = 0.0
    minutes = 0.0
    for start, end, rate in pieces:
        span_min = (end - start).total_seconds() / 60.0
        ml = rate * span_min / 60.0
        total_ml += ml
        minutes += span_min
        steps.append(
            f"{start:%H:%M}–{end:%H:%M}: {rate:.1f} mL/h × {span_min:.1f} min = {ml:.2f} mL"
        )
    total_mg = total_ml * concentration_mg_per_ml
    steps.append(
        f"Total {total_ml:.2f} mL × {concentration_mg_per_ml:.4g} mg/mL = {total_mg:.2f} mg "
        f"over {minutes:.1f} min of infusion"
    )
    return Delivered(
        total_mg, total_ml, minutes, _max_hour_mg(pieces, concentration_mg_per_ml), tuple(steps)
    )


def _max_hour_mg(
    pieces: Sequence[tuple[datetime.datetime, datetime.datetime, float]], conc: float
) -> float:
    """Largest mg in any 60-min window; the maximum starts at some piece's start."""
    best = 0.0
    hour = datetime.timedelta(hours=1)
    for window_start, _, _ in pieces:
        window_end = window_start + hour
        ml = 0.0
        for start, end, rate in pieces:
            lo, hi = max(start, window_start), min(end, window_end)
            if hi > lo:
                ml += rate * (hi - lo).total_seconds() / 3600.0
        best = max(best, ml * conc)
    return best


@dataclass(frozen=True)
class RunningCheck:
    """The limits applied to a charted rate and the totals it leads to."""

    rate_mg_per_kg_per_h: float
    projected_session_mg: float
    projected_day_mg: float
    findings: tuple[LimitFinding, ...]
    steps: tuple[str, ...]

    @property
    def hard(self) -> tuple[LimitFinding, ...]:
        return tuple(f for f in self.findings if f.severity == "hard")


def check_running(
    *,
    rate_ml_per_h: float,
    concentration_mg_per_ml: float,
    dosing_weight_kg: float,
    delivered_mg: float,
    remaining_min: float,
    prior_24h_mg: float,
    limits: Limits,
) -> RunningCheck:
    """Check a new pump rate against the plan's hard and soft limits (reference 3.8).

    The session total is projected: what was given so far plus this rate until the planned end.
    The 24-h total adds what was given in the 24 h before this session.
    """
    rate_mg_h = rate_ml_per_h * concentration_mg_per_ml
    per_kg_h = rate_mg_h / dosing_weight_kg
    session_mg = delivered_mg + rate_mg_h * max(remaining_min, 0.0) / 60.0
    day_mg = prior_24h_mg + session_mg
    steps = (
        f"Rate {rate_ml_per_h:.1f} mL/h × {concentration_mg_per_ml:.4g} mg/mL = "
        f"{rate_mg_h:.2f} mg/h = {per_kg_h:.3g} mg/kg/h for {dosing_weight_kg:.1f} kg",
        f"Session total if run to the planned end: {delivered_mg:.2f} mg given + "
        f"{rate_mg_h:.2f} mg/h × {max(remaining_min, 0.0):.0f} min = {session_mg:.2f} mg "
        f"({session_mg / dosing_weight_kg:.3g} mg/kg)",
        f"24-h total: {prior_24h_mg:.2f} mg before this session + {session_mg:.2f} mg = "
        f"{day_mg:.2f} mg ({day_mg / dosing_weight_kg:.3g} mg/kg)",
    )
    findings: list[LimitFinding] = []
    _limit(
        findings,
        "rate_mg_per_kg_per_h",
        per_kg_h,
        limits.rate_soft_mg_per_kg_per_h,
        limits.rate_hard_mg_per_kg_per_h,
        "mg/kg/h",
        "Infusion rate",
    )
    _limit(
        findings,
        "session_mg_per_kg",
        session_mg / dosing_weight_kg,
        limits.session_soft_mg_per_kg,
        limits.session_hard_mg_per_kg,
        "mg/kg",
        "Session total",
    )
    _limit(findings, "session_mg", session_mg, None, limits.session_hard_mg, "mg", "Session total")
    _limit(
        findings,
        "day_mg_per_kg",
        day_mg / dosing_weight_kg,
        limits.day_soft_mg_per_kg,
        limits.day_hard_mg_per_kg,
        "mg/kg",
        "24-h total",
    )
    return RunningCheck(per_kg_h, session_mg, day_mg, tuple(findings), steps)


def _limit(
    findings: list[LimitFinding],
    code: str,
    value: float,
    soft: float | None,
    hard: float | None,
    unit: str,
    what: str,
) -> None:
    """Strictly above a limit crosses it (a value exactly at the limit is allowed)."""
    if hard is not None and value > hard:
        findings.append(
            LimitFinding(
                code,
                "hard",
                f"{what} {value:.4g} {unit} is above {hard:g} {unit}.",
                value,
                hard,
                unit,
            )
        )
    elif soft is not None and value > soft:
        findings.append(
            LimitFinding(
                code,
                "soft",
                f"{what} {value:.4g} {unit} is above {soft:g} {unit}.",
                value,
                soft,
                unit,
            )
        )


def refuse_unless_overridden(check: RunningCheck, overrides: Mapping[str, str]) -> None:
    """Raise ``DoseLimitError`` (same shape as the planner's) for hard findings not overridden."""
    open_ = [f for f in check.hard if not (overrides.get(f.code) or "").strip()]
    if open_:
        raise DoseLimitError(
            "The charted rate crosses hard limits: " + " ".join(f.message for f in open_),
            field=open_[0].code,
            params={
                "findings": [
                    {
                        "code": f.code,
                        "message": f.message,
                        "value": f.value,
                        "limit": f.limit,
                        "unit": f.unit,
                    }
                    for f in open_
                ]
            },
        )


# --- vitals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    code: str
    message: str
    value: float
    threshold: float


def vitals_alerts(values: Mapping[str, int | None], thresholds: Mapping[str, int]) -> list[Alert]:
    """Reference 3.7 alerts: SpO₂ < 92 %, SBP > 180 or DBP > 110, HR > 130 or < 45, MOAA/S ≤ 2
    (or the clinic's tighter thresholds)."""
    out: list[Alert] = []

    def add(code: str, crossed: bool, message: str, value: float, threshold: float) -> None:
        if crossed:
            out.append(Alert(code, message, value, threshold))

    spo2, sbp, dbp = values["spo2_pct"], values["systolic_mmhg"], values["diastolic_mmhg"]
    hr, moaas = values["heart_rate_bpm"], values["moaas"]
    t = thresholds
    if spo2 is not None:
        add(
            "spo2_low",
            spo2 < t["spo2_min_pct"],
            f"SpO₂ {spo2} % < {t['spo2_min_pct']} %",
            spo2,
            t["spo2_min_pct"],
        )
    if sbp is not None:
        add(
            "sbp_high",
            sbp > t["sbp_max_mmhg"],
            f"Systolic {sbp} > {t['sbp_max_mmhg']} mmHg",
            sbp,
            t["sbp_max_mmhg"],
        )
    if dbp is not None:
        add(
            "dbp_high",
            dbp > t["dbp_max_mmhg"],
            f"Diastolic {dbp} > {t['dbp_max_mmhg']} mmHg",
            dbp,
            t["dbp_max_mmhg"],
        )
    if hr is not None:
        add(
            "hr_high",
            hr > t["hr_max_bpm"],
            f"Heart rate {hr} > {t['hr_max_bpm']} /min",
            hr,
            t["hr_max_bpm"],
        )
        add(
            "hr_low",
            hr < t["hr_min_bpm"],
            f"Heart rate {hr} < {t['hr_min_bpm']} /min",
            hr,
            t["hr_min_bpm"],
        )
    if moaas is not None:
        add(
            "moaas_low",
            moaas <= t["moaas_max_alert"],
            f"MOAA/S {moaas} ≤ {t['moaas_max_alert']}",
            moaas,
            t["moaas_max_alert"],
        )
    return out


# --- double check ---------------------------------------------------------------------------

DOUBLE_CHECK_FIELDS: dict[str, tuple[str, float | None]] = {
    # field: (label, resolution; None = must be identical)
    "product": ("Product", None),
    "vial_mg_per_ml": ("Vial strength (mg/mL)", CONCENTRATION_RESOLUTION_MG_PER_ML),
    "final_concentration_mg_per_ml": (
        "Final concentration (mg/mL)",
        CONCENTRATION_RESOLUTION_MG_PER_ML,
    ),
    "weight_kg": ("Weight (kg)", SCALE_RESOLUTION_KG),
    "total_dose_mg": ("Total dose (mg)", DOSE_RESOLUTION_MG),
    "pump_rate_ml_per_h": ("Pump rate (mL/h)", PUMP_RESOLUTION_ML_PER_H),
}


def compare_double_check(
    expected: Mapping[str, object], entered: Mapping[str, object]
) -> list[dict[str, object]]:
    """Mismatches between the plan and the blind re-entry; a number matches when both round to
    the same step of its resolution (the pump's 0.1 mL/h, the scale's 0.1 kg)."""
    out: list[dict[str, object]] = []
    for field, (label, resolution) in DOUBLE_CHECK_FIELDS.items():
        want, got = expected[field], entered.get(field)
        same = str(want) == str(got) if resolution is None else _num_eq(want, got, resolution)
        if not same:
            out.append({"field": field, "label": label, "entered": got, "resolution": resolution})
    return out


def _num_eq(want: object, got: object, resolution: float) -> bool:
    try:
        a, b = float(want), float(got)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return round(a / resolution) == round(b / resolution)


# --- discharge ------------------------------------------------------------------------------


def outside_baseline(baseline: Mapping[str, int], latest: Mapping[str, int]) -> list[str]:
    """Vitals more than 20 % away from baseline (systolic, diastolic, heart rate)."""
    out = []
    for field, label in (
        ("systolic_mmhg", "systolic BP"),
        ("diastolic_mmhg", "diastolic BP"),
        ("heart_rate_bpm", "heart rate"),
    ):
        base, now = baseline[field], latest[field]
        if base and abs(now - base) > BASELINE_TOLERANCE * base:
            out.append(f"{label} {now} is more than 20 % from baseline {base}")
    return out
