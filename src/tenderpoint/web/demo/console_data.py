"""Demo records of the clinician console, seeded from the shared synthetic cohort. SYNTHETIC DATA.

Cohort patient ``i`` is demo patient ``i``: each cluster of infusions on consecutive days becomes
a course (the first an induction course, later ones boosters) with one verified plan computed
by the dosing core and one signed session per infusion, charted from the pump start and stop.
Several patients get a signed criteria assessment, a problem and medication list and a
contraindication check; a few sessions carry adverse events and one an amendment; the latest
session waits for its signature; one patient is ready for a plan today. Rows are bulk-created
(the demo must start in seconds), so they have no change-history entries except the amendment,
which goes through the service."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tenderpoint.clinical import score
from tenderpoint.pharmacology import contraindications
from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.assessments import services as assessment_services
from tenderpoint.web.assessments.models import (
    AssessmentStatus,
    CriteriaAssessment,
    DiagnosisDecision,
)
from tenderpoint.web.infusions import services
from tenderpoint.web.infusions.models import (
    AdverseEvent,
    Appointment,
    ContraindicationCheck,
    Course,
    InfusionPlan,
    InfusionSession,
    PlanCheck,
    PrescriberAuthorisation,
    PumpEvent,
    SessionScore,
    VitalSigns,
)
from tenderpoint.web.patients.history import PROBLEM_BY_CODE, drug_class
from tenderpoint.web.patients.models import Medication, Patient, Problem

PROTOCOL = "asra-chronic-pain-0.5-per-h-4h"  # 2 mg/kg over 4 h, as the cohort's sessions
CLEAN_ANSWERS: dict[str, Any] = {
    "hypersensitivity_to_ketamine": False,
    "systolic_bp_mmhg": 126.0,
    "diastolic_bp_mmhg": 78.0,
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
ASSESSMENT_INPUTS: dict[str, Any] = {
    "wpi_areas": [
        "shoulder_girdle_left",
        "shoulder_girdle_right",
        "upper_arm_left",
        "hip_left",
        "hip_right",
        "upper_leg_left",
        "upper_leg_right",
        "neck",
        "upper_back",
        "lower_back",
    ],
    "fatigue": 3,
    "waking_unrefreshed": 2,
    "cognitive": 2,
    "headaches_6mo": True,
    "lower_abdominal_pain_or_cramps_6mo": True,
    "depression_6mo": False,
    "duration_ge_3_months": True,
    "other_disorder_explains_pain": False,
    "rater": "clinician",
    "positive_tender_points": [
        f"{pair}_{side}"
        for pair in (
            "occiput",
            "trapezius",
            "supraspinatus",
            "gluteal",
            "greater_trochanter",
            "knee",
        )
        for side in ("left", "right")
    ],
}
PROBLEM_SETS = [
    ("ibs", "migraine"),
    ("depression", "restless_legs"),
    ("anxiety",),
    ("sleep_apnoea", "osteoarthritis"),
    ("interstitial_cystitis",),
]
MEDICATION_SETS = [
    [("Pregabalin", "75 mg twice daily")],
    [("Duloxetine", "60 mg daily"), ("Tramadol", "50 mg as needed")],
    [("Amitriptyline", "10 mg at night")],
    [("Cyclobenzaprine", "5 mg at night"), ("Lorazepam", "0.5 mg as needed")],
]


def load(clinic: Any, patients: list[Patient], staff_users: dict[str, Any], cohort: Any) -> None:
    """Seed courses, plans, sessions, assessments and checks for the demo clinic."""
    rng = random.Random(20261130)  # noqa: S311  (synthetic records, not secrets)
    clinician, nurse = staff_users[Role.CLINICIAN], staff_users[Role.NURSE]
    PrescriberAuthorisation.objects.create(
        membership=clinician.membership,
        is_prescriber=True,
        granted_by=staff_users.get(Role.CLINIC_ADMIN),
    )
    services.clinic_settings(clinic)
    by_patient = _cohort_sessions(cohort)
    scores = _score_templates()
    # The last patient is new to the clinic: assessed and checked, ready for a plan today.
    ready = patients[-1]
    treated = [p for i, p in enumerate(patients) if by_patient.get(i) and p is not ready]
    for index, patient in enumerate(patients):
        if index % 3 == 0 or index < 6:
            _history(patient, clinician, index)
    for index, patient in enumerate(patients):
        if patient in treated:
            _treatment(patient, by_patient[index], clinician, nurse, scores, rng)
    for patient in treated[:8]:
        _signed_assessment(patient, clinician, patient_first_session(patient))
    _adverse_events_and_amendment(clinician, nurse)
    _awaiting_signature()
    _ready_for_plan_today(ready, clinician, nurse, clinic)


def patient_first_session(patient: Patient) -> datetime.datetime:
    first = InfusionSession.objects.filter(patient=patient).order_by("started_at").first()
    return first.started_at - datetime.timedelta(days=10) if first else timezone.now()


def _cohort_sessions(cohort: Any) -> dict[int, list[tuple[datetime.datetime, datetime.datetime]]]:
    out: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = defaultdict(list)
    for row in cohort.infusions.sort(["patient_id", "start"]).iter_rows(named=True):
        index = int(row["patient_id"].split("-")[1]) - 1
        out[index].append((row["start"], row["end"]))
    return out


def _courses(sessions: list[tuple[datetime.datetime, datetime.datetime]]) -> list[list[Any]]:
    """Consecutive-day clusters of sessions."""
    clusters: list[list[Any]] = []
    for start, end in sessions:
        if clusters and (start.date() - clusters[-1][-1][0].date()).days <= 3:
            clusters[-1].append((start, end))
        else:
            clusters.append([(start, end)])
    return clusters


def _score_templates() -> dict[str, Any]:
    out = {}
    for key, instrument, answers in (
        ("cadss_base", "cadss6", {"items": [0, 0, 0, 0, 0, 0]}),
        ("cadss_peak", "cadss6", {"items": [2, 1, 1, 0, 1, 0]}),
        ("cadss_rec", "cadss6", {"items": [0, 0, 0, 0, 0, 0]}),
        ("nrs", "pain_nrs_severity", {"nrs": 6}),
        (
            "aldrete",
            "modified_aldrete",
            {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2, "spo2": 2},
        ),
    ):
        result = score(instrument, answers)
        out[key] = (instrument, answers, result.as_dict(), list(result.steps), result.version)
    return out


def _history(patient: Patient, clinician: Any, index: int) -> None:
    now = timezone.now()
    for code in PROBLEM_SETS[index % len(PROBLEM_SETS)]:
        coded = PROBLEM_BY_CODE[code]
        Problem.objects.create(
            patient=patient,
            code=code,
            label=coded.label,
            snomed_ct=coded.snomed_ct,
            icd10cm=coded.icd10cm,
            onset=datetime.date(2019 + index % 5, 3, 1),
            created_by=clinician,
            updated_by=clinician,
            created_at=now,
        )
    for name, dose in MEDICATION_SETS[index % len(MEDICATION_SETS)]:
        Medication.objects.create(
            patient=patient,
            name=name,
            dose=dose,
            drug_class=drug_class(name),
            started_on=datetime.date(2024, 1 + index % 12, 1),
            created_by=clinician,
            updated_by=clinician,
        )


def _check(patient: Patient, user: Any, at: datetime.datetime) -> ContraindicationCheck:
    answers = dict(CLEAN_ANSWERS)
    if Medication.objects.filter(patient=patient, drug_class__in=["benzodiazepine", "opioid"]):
        answers["benzodiazepine_or_opioid"] = True
    triage = contraindications.check(answers)
    return ContraindicationCheck.objects.create(
        patient=patient,
        answers=answers,
        findings=[
            {"code": f.code, "severity": f.severity, "reason": f.reason, "source": f.source}
            for f in triage.findings
        ],
        core_version=triage.version,
        acknowledged=[f.code for f in triage.warnings],
        history_fingerprint=services.history_fingerprint(patient),
        checked_by=user,
        checked_at=at,
        created_by=user,
        updated_by=user,
        created_at=at,
    )


def _plan(
    patient: Patient, clinician: Any, nurse: Any, course: Course, at: datetime.datetime, first: bool
) -> InfusionPlan:
    inputs = {
        "protocol_id": PROTOCOL,
        "product": "racemic",
        "vial_mg_per_ml": 50.0,
        "bag_volume_ml": 250.0,
        "container": "bag",
        "weight_kg": float(patient.weight_kg),
        "height_cm": float(patient.height_cm),
        "model_sex": patient.sex if patient.sex in ("female", "male") else "female",
        "first_pain_infusion": first,
    }
    core = services.compute_plan(patient, inputs)
    segment = [s for s in core.segments if s.label == "infusion"][-1]
    plan = InfusionPlan.objects.create(
        patient=patient,
        course=course,
        status="in_use",
        inputs=inputs | {"course": str(course.public_id)},
        result=services.plan_as_json(core),
        core_version=core.version,
        product=core.product,
        vial_mg_per_ml=Decimal("50"),
        weight_kg=Decimal(str(patient.weight_kg)),
        dosing_weight_kg=Decimal(f"{core.dosing_weight.weight_kg:.2f}"),
        total_dose_mg=Decimal(f"{core.total_dose_mg:.2f}"),
        final_concentration_mg_per_ml=Decimal(f"{core.final_concentration_mg_per_ml:.4f}"),
        pump_rate_ml_per_h=Decimal(f"{segment.rate_ml_per_h_display:.1f}"),
        acknowledged=[w.code for w in core.warnings],
        prescribed_by=clinician,
        prescribed_at=at,
        verified_by=nurse,
        verified_at=at + datetime.timedelta(minutes=20),
        created_by=clinician,
        updated_by=nurse,
        created_at=at,
    )
    PlanCheck.objects.create(
        plan=plan,
        checked_by=nurse,
        checked_at=plan.verified_at,
        entered={k: str(v) for k, v in services.expected_check_values(plan).items()},
        mismatches=[],
        passed=True,
    )
    return plan


def _treatment(
    patient: Patient,
    sessions: list[Any],
    clinician: Any,
    nurse: Any,
    scores: dict[str, Any],
    rng: random.Random,
) -> None:
    today = timezone.now().date()
    first_start = sessions[0][0]
    _check(patient, clinician, first_start - datetime.timedelta(days=7))
    for number, cluster in enumerate(_courses(sessions)):
        planned = 5 if number == 0 else 2
        last_day = cluster[-1][0].date()
        done = len(cluster) >= planned
        status = "completed" if done or last_day < today - datetime.timedelta(days=3) else "active"
        course = Course.objects.create(
            patient=patient,
            kind="induction" if number == 0 else "booster",
            planned_infusions=planned,
            start_date=cluster[0][0].date(),
            end_date=last_day if status != "active" else None,
            status="stopped" if status == "completed" and not done else status,
            stop_reason=""
            if done or status == "active"
            else "Patient chose to stop early (tolerability).",
            created_by=clinician,
            updated_by=clinician,
        )
        plan = _plan(
            patient,
            clinician,
            nurse,
            course,
            cluster[0][0] - datetime.timedelta(days=1),
            first=number == 0,
        )
        _sessions(patient, plan, course, cluster, clinician, nurse, scores, rng)


def _sessions(
    patient: Patient,
    plan: InfusionPlan,
    course: Course,
    cluster: list[Any],
    clinician: Any,
    nurse: Any,
    scores: dict[str, Any],
    rng: random.Random,
) -> None:
    rate = float(plan.pump_rate_ml_per_h)
    conc = float(plan.final_concentration_mg_per_ml)
    appointments, rows = [], []
    for start, _end in cluster:
        appointments.append(
            Appointment(
                patient=patient,
                course=course,
                kind="infusion",
                starts_at=start - datetime.timedelta(minutes=30),
                duration_min=330,
                chair=f"Chair {rng.randint(1, 4)}",
                status="completed",
                created_by=nurse,
                updated_by=nurse,
            )
        )
    Appointment.objects.bulk_create(appointments)
    for appointment, (start, end) in zip(appointments, cluster, strict=True):
        given = rate * (end - start).total_seconds() / 3600.0 * conc
        drawn = Decimal(str(50 * -(-given // 50)))  # whole 1-mL draws of 50 mg/mL
        sbp, dbp, hr = rng.randint(112, 138), rng.randint(68, 86), rng.randint(62, 84)
        rows.append(
            InfusionSession(
                patient=patient,
                plan=plan,
                course=course,
                appointment=appointment,
                status="signed",
                pre_checks={
                    "fasting": True,
                    "escort": True,
                    "consent": True,
                    "weight_kg": float(patient.weight_kg),
                    "systolic_bp_mmhg": sbp,
                    "diastolic_bp_mmhg": dbp,
                    "heart_rate_bpm": hr,
                    "spo2_pct": 98,
                    "respiratory_rate_per_min": 14,
                    "weight_difference_pct": 0.0,
                    "day_of_findings": [],
                    "blockers": [],
                    "baseline_vitals": {
                        "systolic_mmhg": sbp,
                        "diastolic_mmhg": dbp,
                        "heart_rate_bpm": hr,
                        "spo2_pct": 98,
                    },
                },
                pre_checks_at=start - datetime.timedelta(minutes=20),
                pre_checks_by=nurse,
                started_at=start,
                ended_at=end,
                delivered_mg=Decimal(f"{given:.2f}"),
                discharged_at=end + datetime.timedelta(minutes=70),
                disposition="discharged",
                disposition_at=end + datetime.timedelta(minutes=70),
                disposition_by=nurse,
                discharge_escort="Partner",
                discharge_basis={"gates": "all met"},
                vial_lot=f"KX{start:%y%m}{rng.randint(10, 99)}",
                vial_expiry=datetime.date(start.year + 1, 6, 30),
                drawn_mg=drawn,
                wasted_mg=drawn - Decimal(f"{given:.2f}"),
                waste_witness=clinician,
                signed_by=clinician,
                signed_at=end + datetime.timedelta(hours=2),
                created_by=nurse,
                updated_by=clinician,
                created_at=start,
            )
        )
    InfusionSession.objects.bulk_create(rows)
    events, vitals, charted = [], [], []
    for session in rows:
        start, end = session.started_at, session.ended_at
        events += [
            PumpEvent(
                session=session,
                at=start,
                kind="start",
                rate_ml_per_h=plan.pump_rate_ml_per_h,
                recorded_by=nurse,
            ),
            PumpEvent(session=session, at=end, kind="stop", rate_ml_per_h=0, recorded_by=nurse),
        ]
        base = session.pre_checks["baseline_vitals"]
        for minutes in (15, 60, 120, 180, 240, 290):
            vitals.append(
                VitalSigns(
                    session=session,
                    at=start + datetime.timedelta(minutes=minutes),
                    systolic_mmhg=base["systolic_mmhg"] + rng.randint(0, 12),
                    diastolic_mmhg=base["diastolic_mmhg"] + rng.randint(0, 6),
                    heart_rate_bpm=base["heart_rate_bpm"] + rng.randint(0, 10),
                    spo2_pct=97,
                    respiratory_rate_per_min=14,
                    moaas=5 if minutes > 240 else 4,
                    recorded_by=nurse,
                )
            )
        for key, phase, at in (
            ("cadss_base", "baseline", start),
            ("nrs", "baseline", start),
            ("cadss_peak", "during", start + datetime.timedelta(minutes=60)),
            ("cadss_rec", "recovery", end + datetime.timedelta(minutes=50)),
            ("aldrete", "recovery", end + datetime.timedelta(minutes=55)),
        ):
            instrument, answers, outputs, steps, version = scores[key]
            charted.append(
                SessionScore(
                    session=session,
                    instrument_id=instrument,
                    phase=phase,
                    at=at,
                    answers=answers,
                    outputs=outputs,
                    steps=steps,
                    version=version,
                    recorded_by=nurse,
                )
            )
    PumpEvent.objects.bulk_create(events)
    VitalSigns.objects.bulk_create(vitals)
    SessionScore.objects.bulk_create(charted)


def _signed_assessment(patient: Patient, clinician: Any, at: datetime.datetime) -> None:
    inputs = dict(ASSESSMENT_INPUTS)
    assessment = CriteriaAssessment.objects.create(
        patient=patient,
        status=AssessmentStatus.SIGNED,
        inputs=inputs,
        result=assessment_services.evaluate(inputs),
        core_version="demo",
        assessed_at=at,
        signed_by=clinician,
        signed_at=at,
        created_by=clinician,
        updated_by=clinician,
        created_at=at,
    )
    assessment.core_version = "; ".join(
        sorted({c["version"] for c in assessment.result["criteria"].values()})
    )
    assessment.save(update_fields=["core_version"])
    DiagnosisDecision.objects.create(
        patient=patient,
        assessment=assessment,
        status="confirmed",
        decided_by=clinician,
        decided_at=at,
    )
    Patient.objects.filter(pk=patient.pk).update(diagnosis_status="confirmed")


def _adverse_events_and_amendment(clinician: Any, nurse: Any) -> None:
    sessions = list(InfusionSession.objects.order_by("started_at")[:40:9])
    kinds = [
        ("nausea", "mild", "Ondansetron 4 mg IV.", "Resolved within 30 min."),
        ("dissociation", "moderate", "Rate halved for 20 min; reassurance.", "Resolved."),
        ("hypertension", "mild", "Rate paused 10 min; BP rechecked 148/88.", "Resolved."),
        ("headache", "mild", "Paracetamol 1 g PO.", "Resolved before discharge."),
    ]
    AdverseEvent.objects.bulk_create(
        AdverseEvent(
            session=s,
            at=s.started_at + datetime.timedelta(minutes=75),
            event_type=t,
            severity=sev,
            action=action,
            outcome=outcome,
            recorded_by=nurse,
        )
        for s, (t, sev, action, outcome) in zip(sessions, kinds, strict=False)
    )
    if sessions:
        services.do_amend_session(
            sessions[0],
            user=clinician,
            reason="Vial lot transcribed wrongly at the bedside.",
            changes={"vial_lot": sessions[0].vial_lot + "A"},
        )


def _awaiting_signature() -> None:
    """The clinic's latest session is charted and discharged but not yet signed.

    It is what a clinician finds on the console home under "Sessions to sign", so the demo shows
    sign and lock as well as the signed and amended records.
    """
    latest = InfusionSession.objects.filter(status="signed").order_by("-started_at").first()
    if latest is not None:
        InfusionSession.objects.filter(pk=latest.pk).update(
            status="draft", signed_by=None, signed_at=None, updated_by=latest.created_by
        )


def _ready_for_plan_today(patient: Patient, clinician: Any, nurse: Any, clinic: Any) -> None:
    """Assessed, diagnosed, checked today; induction course and appointment today; no plan."""
    now = timezone.now()
    _signed_assessment(patient, clinician, now - datetime.timedelta(days=14))
    _check(patient, clinician, now - datetime.timedelta(hours=1))
    course = Course.objects.create(
        patient=patient,
        kind="induction",
        planned_infusions=5,
        start_date=now.date(),
        status="planned",
        created_by=clinician,
        updated_by=clinician,
    )
    local = timezone.localtime(now, clinic.tzinfo)
    start = local.replace(hour=10, minute=0, second=0, microsecond=0)
    Appointment.objects.create(
        patient=patient,
        course=course,
        kind="infusion",
        starts_at=start,
        duration_min=330,
        chair="Chair 2",
        status="booked",
        created_by=nurse,
        updated_by=nurse,
    )
