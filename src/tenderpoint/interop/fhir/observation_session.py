"""Session Observations: vital signs (LOINC) and the instruments scored at the chair.

Ids: a vitals set or a score has no public id of its own, so its Observations are named after
the session's public id, the row's place in the session (1-based, charting order) and what is
measured, e.g. ``<session>-v3-hr``. Signed sessions are read-only, so these ids are stable; an
amendment that inserts a row renumbers the ones after it (docs/interop.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical import get_instrument
from tenderpoint.interop.fhir.codes import (
    BP_PANEL,
    DIASTOLIC,
    HEART_RATE,
    LOCAL_SYSTEM,
    LOINC_SYSTEM,
    RESPIRATORY_RATE,
    SPO2,
    SYSTOLIC,
    category,
    interop,
    iso,
    meta,
    quantity,
    reference,
)

_STATUS = {"signed": "final", "amended": "amended", "draft": "preliminary"}


def _base(
    session: Mapping[str, Any], obs_id: str, code: dict[str, Any], at: Any, cat: str
) -> dict[str, Any]:
    status = "entered-in-error" if session.get("entered_in_error") else _STATUS[session["status"]]
    return {
        "resourceType": "Observation",
        "id": obs_id,
        "meta": meta(session["last_updated"]),
        "status": status,
        "category": category(cat),
        "code": {"coding": [code], "text": code["display"]},
        "subject": reference("Patient", session["patient_id"]),
        "encounter": reference("Encounter", session["id"]),
        "effectiveDateTime": iso(at),
    }


def vitals_observations(
    session: Mapping[str, Any], vitals: Mapping[str, Any], index: int
) -> list[dict[str, Any]]:
    """The Observations of one vitals set (BP panel, heart rate, respiratory rate, SpO₂,
    MOAA/S, EtCO₂ when measured).

    ``session``: id, patient_id, status (draft, signed, amended), last_updated, and
    entered_in_error. ``vitals``: at, systolic_mmhg, diastolic_mmhg, heart_rate_bpm, spo2_pct,
    respiratory_rate_per_min, moaas, etco2_mmhg (or None). ``index``: 1-based place in the session.
    """
    prefix = f"{session['id']}-v{index}"
    at = vitals["at"]
    bp = _base(session, f"{prefix}-bp", dict(BP_PANEL), at, "vital-signs")
    bp["component"] = [
        {"code": {"coding": [dict(SYSTOLIC)]}, "valueQuantity": _mmhg(vitals["systolic_mmhg"])},
        {"code": {"coding": [dict(DIASTOLIC)]}, "valueQuantity": _mmhg(vitals["diastolic_mmhg"])},
    ]
    found = [bp]
    simple = [
        ("hr", HEART_RATE, vitals["heart_rate_bpm"], "beats/minute", "/min", "vital-signs"),
        ("rr", RESPIRATORY_RATE, vitals["respiratory_rate_per_min"], "breaths/minute", "/min",
         "vital-signs"),
        ("spo2", SPO2, vitals["spo2_pct"], "%", "%", "vital-signs"),
        ("moaas", interop("vitals.moaas"), vitals["moaas"], "{score}", "{score}", "exam"),
        ("etco2", interop("vitals.etco2"), vitals.get("etco2_mmhg"), "mmHg", "mm[Hg]",
         "vital-signs"),
    ]  # fmt: skip
    for suffix, code, value, unit, ucum, cat in simple:
        if value is None:
            continue
        observation = _base(session, f"{prefix}-{suffix}", dict(code), at, cat)
        observation["valueQuantity"] = quantity(value, unit, ucum)
        found.append(observation)
    return found


def _mmhg(value: int) -> dict[str, Any]:
    return quantity(value, "mmHg", "mm[Hg]")


def score_code(instrument_id: str, output: str) -> dict[str, str]:
    """LOINC for an instrument's total where the core carries one, else the local score code."""
    instrument = get_instrument(instrument_id)
    if output in ("total", "nrs") and instrument.loinc_total:
        return {"system": LOINC_SYSTEM, "code": instrument.loinc_total, "display": instrument.title}
    return {
        "system": LOCAL_SYSTEM,
        "code": f"{instrument_id}.score.{output}",
        "display": f"{instrument.title}: {output}",
    }


def numeric_outputs(outputs: Mapping[str, Any]) -> list[tuple[str, int | float]]:
    """The scores among an instrument's outputs: numbers, not flags, labels or counts."""
    return [
        (name, value)
        for name, value in outputs.items()
        if isinstance(value, int | float)
        and not isinstance(value, bool)
        and not name.endswith("_answered")
    ]


def session_score_observations(
    session: Mapping[str, Any], score: Mapping[str, Any], index: int
) -> list[dict[str, Any]]:
    """One Observation per numeric output of an instrument scored during the session
    (CADSS-6, modified Aldrete, pain NRS).

    ``score``: instrument_id, phase (baseline, during, recovery), at, outputs (the core's
    named outputs), version (the core's full version).
    """
    found = []
    for output, value in numeric_outputs(score["outputs"]):
        observation = _base(
            session,
            f"{session['id']}-s{index}-{output.replace('_', '-')}",
            score_code(score["instrument_id"], output),
            score["at"],
            "survey",
        )
        observation["valueQuantity"] = quantity(value, "{score}", "{score}")
        observation["note"] = [
            {"text": f"Phase: {score['phase']}. Scored by tenderpoint {score['version']}."}
        ]
        found.append(observation)
    return found
