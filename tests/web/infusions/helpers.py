"""Builders for console tests: a clean contraindication check, a plan, a verified plan."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tenderpoint.web.infusions import services
from tenderpoint.web.infusions.models import InfusionPlan, InfusionSession, PrescriberAuthorisation
from tenderpoint.web.patients.models import Patient

CLEAN_ANSWERS: dict[str, Any] = {
    "hypersensitivity_to_ketamine": False,
    "systolic_bp_mmhg": 128.0,
    "diastolic_bp_mmhg": 80.0,
    "bp_rise_hazard": False,
    "active_psychosis": False,
    "pregnant_or_preeclampsia": False,
    "hepatic_disease": "none",
    "untreated_hyperthyroidism": False,
    "theophylline_or_aminophylline": False,
    "elevated_icp": False,
    "elevated_iop_glaucoma_or_open_globe": False,
    "substance_use_disorder": "none",
    "controlled_cardiovascular_disease": False,
    "benzodiazepine_or_opioid": False,
    "stop_bang_score": 1,
    "repeated_high_dose_courses": False,
}

# 0.5 mg/kg/h for 4 h (the ASRA chronic-pain protocol), 70 kg, 500 mL bag of 50 mg/mL.
PLAN_INPUTS: dict[str, Any] = {
    "protocol_id": "asra-chronic-pain-0.5-per-h-4h",
    "product": "racemic",
    "vial_mg_per_ml": 50.0,
    "bag_volume_ml": 250.0,
    "container": "bag",
    "weight_kg": 70.0,
    "height_cm": 168.0,
    "model_sex": "female",
    "first_pain_infusion": False,
}


def make_prescriber(user: Any) -> None:
    PrescriberAuthorisation.objects.update_or_create(
        membership=user.membership, defaults={"is_prescriber": True}
    )


def clean_check(patient: Patient, user: Any) -> None:
    services.do_record_contraindication_check(
        patient, user=user, answers=CLEAN_ANSWERS, acknowledged=[], overrides={}
    )


def draft_plan(patient: Patient, clinician: Any, **changes: Any) -> InfusionPlan:
    clean_check(patient, clinician)
    inputs = {**PLAN_INPUTS, **changes}
    core = services.compute_plan(patient, inputs)
    return services.do_create_plan(
        patient,
        user=clinician,
        inputs=inputs,
        acknowledged=[w.code for w in core.warnings],
        overrides={},
    )


def blind_values(plan: InfusionPlan) -> dict[str, Any]:
    return {k: str(v) for k, v in services.expected_check_values(plan).items()}


def verified_plan(patient: Patient, clinician: Any, checker: Any) -> InfusionPlan:
    plan = draft_plan(patient, clinician)
    services.do_double_check(plan, user=checker, entered=blind_values(plan))
    plan.refresh_from_db()
    return plan


PRE_CHECKS: dict[str, Any] = {
    "fasting": True,
    "escort": True,
    "consent": True,
    "systolic_bp_mmhg": 128.0,
    "diastolic_bp_mmhg": 80.0,
    "heart_rate_bpm": 72,
    "spo2_pct": 98,
    "respiratory_rate_per_min": 14,
    "weight_kg": 70.0,
    "pregnant_or_preeclampsia": False,
    "theophylline_or_aminophylline": False,
    "benzodiazepine_or_opioid": False,
}

VITALS = {
    "systolic_mmhg": 130,
    "diastolic_mmhg": 82,
    "heart_rate_bpm": 76,
    "spo2_pct": 97,
    "respiratory_rate_per_min": 14,
    "moaas": 5,
    "etco2_mmhg": None,
}


ASSESSMENT_INPUTS: dict[str, Any] = {
    "wpi_areas": [
        "neck",
        "upper_back",
        "lower_back",
        "hip_left",
        "hip_right",
        "shoulder_girdle_left",
        "shoulder_girdle_right",
        "upper_leg_left",
    ],
    "fatigue": 2,
    "waking_unrefreshed": 2,
    "cognitive": 1,
    "headaches_6mo": True,
    "lower_abdominal_pain_or_cramps_6mo": False,
    "depression_6mo": False,
    "duration_ge_3_months": True,
    "other_disorder_explains_pain": False,
}


def criteria_assessment(patient: Patient, clinician: Any) -> Any:
    """A draft criteria assessment (WPI 8, SSS 5 + 1 symptom) on ``patient``."""
    from tenderpoint.web.assessments import services as assessment_services

    return assessment_services.do_create_assessment(
        patient, user=clinician, inputs=dict(ASSESSMENT_INPUTS)
    )


def charted_session(
    plan: InfusionPlan, nurse: Any, start: datetime.datetime | None = None
) -> InfusionSession:
    """A session run exactly to plan: start, 4 h at the plan rate, stop; scores and vitals."""
    start = start or timezone.now() - datetime.timedelta(hours=6)
    session = services.do_start_session(plan, user=nurse)
    services.do_record_pre_checks(session, user=nurse, checks=PRE_CHECKS)
    services.do_record_score(
        session,
        user=nurse,
        instrument_id="cadss6",
        phase="baseline",
        answers={"items": [0, 0, 0, 0, 0, 0]},
        at=start,
    )
    services.do_pump_event(
        session, user=nurse, kind="start", at=start, rate_ml_per_h=float(plan.pump_rate_ml_per_h)
    )
    services.do_record_vitals(
        session, user=nurse, at=start + datetime.timedelta(minutes=15), values=VITALS
    )
    end = start + datetime.timedelta(minutes=float(plan.result["duration_min"]))
    services.do_pump_event(session, user=nurse, kind="stop", at=end, rate_ml_per_h=0)
    services.do_record_score(
        session,
        user=nurse,
        instrument_id="cadss6",
        phase="recovery",
        answers={"items": [0, 0, 0, 0, 0, 0]},
        at=end + datetime.timedelta(minutes=50),
    )
    services.do_record_score(
        session,
        user=nurse,
        instrument_id="modified_aldrete",
        phase="recovery",
        answers={"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2, "spo2": 2},
        at=end + datetime.timedelta(minutes=55),
    )
    session.refresh_from_db()
    return session


def recovered(session: InfusionSession, nurse: Any) -> None:
    """What the discharge gates need after the stop: CADSS-6 baseline and recovery scores, a
    modified Aldrete of 10 and recovery vitals like the baseline (scored by the core)."""
    end = session.ended_at
    assert end is not None
    services.do_record_score(
        session,
        user=nurse,
        instrument_id="cadss6",
        phase="baseline",
        answers={"items": [0, 0, 0, 0, 0, 0]},
        at=session.started_at or end,
    )
    services.do_record_vitals(
        session, user=nurse, at=end + datetime.timedelta(minutes=45), values=VITALS
    )
    services.do_record_score(
        session,
        user=nurse,
        instrument_id="cadss6",
        phase="recovery",
        answers={"items": [0, 0, 0, 0, 0, 0]},
        at=end + datetime.timedelta(minutes=50),
    )
    services.do_record_score(
        session,
        user=nurse,
        instrument_id="modified_aldrete",
        phase="recovery",
        answers={"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2, "spo2": 2},
        at=end + datetime.timedelta(minutes=55),
    )


__all__ = ["Decimal"]


def discharge(session: InfusionSession, nurse: Any, escort: str = "Sam (partner)") -> None:
    """Discharge 61 min after the stop, past the clinic's 60-min observation gate."""
    services.do_discharge(
        session, user=nurse, at=session.ended_at + datetime.timedelta(minutes=61), escort=escort
    )


def controlled_record(session: InfusionSession, nurse: Any, witness: Any) -> InfusionSession:
    """Vial, amounts and a witnessed waste that balance the delivered dose (50 mg draws)."""
    session.refresh_from_db()
    given = session.delivered_mg
    drawn = Decimal(50) * (int(given // 50) + 1)
    return services.do_record_controlled_substance(
        session,
        user=nurse,
        fields={
            "vial_lot": "KX2611",
            "vial_expiry": datetime.date(2027, 6, 30),
            "drawn_mg": drawn,
            "wasted_mg": drawn - given,
            "waste_witness": witness,
        },
    )
