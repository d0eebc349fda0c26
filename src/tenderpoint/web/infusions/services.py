"""State changes of courses, appointments, plans and sessions.

``check_*`` authorises, ``do_*`` writes and audits in one transaction. State rules live here:
a plan goes draft → verified (blind double check by someone other than the prescriber) → in
use; a session goes draft → signed (read-only) → amended (reason kept). A signed session, or a
plan past draft, refuses edits with ``RecordLockedError`` whatever the caller.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tenderpoint.errors import DoseLimitError, InvalidInputError
from tenderpoint.pharmacology import Patient as PkPatient
from tenderpoint.pharmacology import contraindications, dosing
from tenderpoint.pharmacology.regimen import Infusion, Regimen
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.infusions import charting
from tenderpoint.web.infusions.choices import (
    AppointmentStatus,
    CourseStatus,
    Disposition,
    PlanStatus,
    RateEventKind,
    ScorePhase,
    SessionStatus,
)
from tenderpoint.web.infusions.models import (
    AdverseEvent,
    Appointment,
    ClinicInfusionSettings,
    ContraindicationCheck,
    Course,
    InfusionPlan,
    InfusionSession,
    LimitOverride,
    PlanCheck,
    PrescriberAuthorisation,
    PumpEvent,
    SessionAmendment,
    SessionScore,
    VitalSigns,
)
from tenderpoint.web.patients.models import Patient


class RecordLockedError(Exception):
    """The record is signed (or verified) and cannot be edited; amend it instead."""


# --- permissions -----------------------------------------------------------------------------


def _require(perm: str, user: Any, patient: Patient, message: str) -> None:
    if not rules.has_perm(perm, user, patient):
        raise PermissionDenied(message)


def check_can_chart(user: Any, patient: Patient) -> None:
    _require("infusions.chart", user, patient, "Only the patient's care team can chart.")


def check_can_prescribe(user: Any, patient: Patient) -> None:
    _require("infusions.prescribe", user, patient, "Only clinicians can prescribe.")


def check_can_sign(user: Any, patient: Patient) -> None:
    _require("infusions.sign", user, patient, "Only clinicians can sign.")


def check_can_override(user: Any, patient: Patient) -> None:
    _require(
        "infusions.override",
        user,
        patient,
        "Only a clinician marked as prescriber can override a hard limit.",
    )


def can_override(user: Any, patient: Patient) -> bool:
    return bool(rules.has_perm("infusions.override", user, patient))


# --- clinic settings and prescribers ---------------------------------------------------------


def clinic_settings(clinic: Any) -> ClinicInfusionSettings:
    """The clinic's console settings (created with the reference 3.7 defaults on first use)."""
    found, _ = ClinicInfusionSettings.objects.get_or_create(clinic=clinic)
    return found


@transaction.atomic
def do_update_settings(
    settings_obj: ClinicInfusionSettings, *, user: Any, changed: list[str], request: Any = None
) -> ClinicInfusionSettings:
    if not rules.has_perm("infusions.manage_settings", user) or user.clinic != settings_obj.clinic:
        raise PermissionDenied("Only the clinic administrator changes these settings.")
    settings_obj.updated_by = user
    settings_obj.full_clean()
    settings_obj.save()
    audit.record(
        Action.UPDATE, request=request, user=user, obj=settings_obj, detail={"fields": changed}
    )
    return settings_obj


@transaction.atomic
def do_set_prescriber(
    membership: Any, *, is_prescriber: bool, user: Any, request: Any = None
) -> None:
    """The clinic administrator marks (or unmarks) a clinician of their clinic as prescriber."""
    if not rules.has_perm("infusions.manage_settings", user) or user.clinic != membership.clinic:
        raise PermissionDenied("Only the clinic administrator sets prescribers.")
    if is_prescriber and membership.role != "clinician":
        raise ValidationError({"is_prescriber": "Only clinicians can be prescribers."})
    auth, _ = PrescriberAuthorisation.objects.get_or_create(membership=membership)
    auth.is_prescriber = is_prescriber
    auth.granted_by = user
    auth.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=auth,
        detail={"member": membership.user.email, "is_prescriber": is_prescriber},
    )


# --- courses and appointments ----------------------------------------------------------------


@transaction.atomic
def do_save_course(course: Course, *, user: Any, request: Any = None) -> Course:
    """Create or update a course; a stopped course needs its reason (model validation)."""
    check_can_prescribe(user, course.patient)
    creating = course.pk is None
    if creating:
        course.created_by = user
    course.updated_by = user
    course.full_clean()
    course.save()
    audit.record(
        Action.CREATE if creating else Action.UPDATE,
        request=request,
        user=user,
        obj=course,
        patient=course.patient,
        detail={"status": course.status},
    )
    return course


@transaction.atomic
def do_save_appointment(appointment: Appointment, *, user: Any, request: Any = None) -> Appointment:
    check_can_chart(user, appointment.patient)
    if appointment.course_id and appointment.course.patient_id != appointment.patient_id:
        raise ValidationError({"course": "That course belongs to another patient."})
    creating = appointment.pk is None
    if creating:
        appointment.created_by = user
    appointment.updated_by = user
    appointment.full_clean()
    appointment.save()
    audit.record(
        Action.CREATE if creating else Action.UPDATE,
        request=request,
        user=user,
        obj=appointment,
        patient=appointment.patient,
        detail={"status": appointment.status},
    )
    return appointment


# --- contraindication checks -----------------------------------------------------------------


def history_fingerprint(patient: Patient) -> str:
    """A hash of the problem and medication lists: any change voids the history check."""
    from tenderpoint.web.patients.models import Medication, Problem

    parts = [
        f"p{p.pk}:{p.updated_at.isoformat()}:{p.entered_in_error_at}"
        for p in Problem.objects.filter(patient=patient).order_by("pk")
    ] + [
        f"m{m.pk}:{m.updated_at.isoformat()}:{m.entered_in_error_at}"
        for m in Medication.objects.filter(patient=patient).order_by("pk")
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def check_status(check: ContraindicationCheck | None, patient: Patient) -> dict[str, Any]:
    """Is the check valid for planning today, and if not, why (each reason in words)."""
    if check is None:
        return {"valid": False, "reasons": ["No contraindication check on record."]}
    reasons: list[str] = []
    days = clinic_settings(patient.clinic).contraindication_validity_days
    age = timezone.now() - check.checked_at
    if age > datetime.timedelta(days=days):
        reasons.append(f"The check is {age.days} days old; it is valid for {days} days.")
    if check.history_fingerprint != history_fingerprint(patient):
        reasons.append("The problem or medication list changed after the check.")
    hard = [f for f in check.findings if f["severity"] == "hard_stop"]
    unresolved = [f for f in hard if f["code"] not in check.hard_stop_overrides]
    if unresolved:
        reasons.append("Hard stops not overridden: " + "; ".join(f["reason"] for f in unresolved))
    return {"valid": not reasons, "reasons": reasons}


def latest_check(patient: Patient) -> ContraindicationCheck | None:
    return ContraindicationCheck.objects.current().filter(patient=patient).first()


def triage(answers: Mapping[str, Any]) -> contraindications.Triage:
    """Run the pharmacology core's checklist (its InvalidInputError names the field)."""
    return contraindications.check(dict(answers))


@transaction.atomic
def do_record_contraindication_check(
    patient: Patient,
    *,
    user: Any,
    answers: Mapping[str, Any],
    acknowledged: list[str],
    overrides: Mapping[str, str],
    request: Any = None,
) -> ContraindicationCheck:
    """Store the checklist. Every warning must be acknowledged; a hard stop may be saved
    unresolved (it then blocks planning) or overridden by a prescriber with a reason."""
    check_can_chart(user, patient)
    result = triage(answers)
    warnings = {f.code for f in result.warnings}
    missing = sorted(warnings - set(acknowledged))
    if missing:
        raise ValidationError(
            {"acknowledged": [f"Acknowledge every warning; not yet: {', '.join(missing)}."]}
        )
    hard_codes = {f.code for f in result.findings if f.severity == "hard_stop"}
    overrides = {c: r.strip() for c, r in overrides.items() if c in hard_codes and r.strip()}
    if overrides:
        check_can_override(user, patient)
    now = timezone.now()
    check = ContraindicationCheck.objects.create(
        patient=patient,
        answers=dict(answers),
        findings=[dataclasses.asdict(f) for f in result.findings],
        core_version=result.version,
        acknowledged=sorted(set(acknowledged) & warnings),
        hard_stop_overrides=overrides,
        overridden_by=user if overrides else None,
        history_fingerprint=history_fingerprint(patient),
        checked_by=user,
        checked_at=now,
        created_by=user,
        updated_by=user,
    )
    audit.record(
        Action.CREATE,
        request=request,
        user=user,
        obj=check,
        patient=patient,
        detail={"hard_stops": sorted(hard_codes), "overridden": sorted(overrides)},
    )
    return check


# --- plans -------------------------------------------------------------------------------------


def pk_patient(inputs: Mapping[str, Any], patient: Patient) -> PkPatient:
    """The pharmacology core's patient from the plan's inputs (measured weight, height, sex)."""
    return PkPatient(
        weight_kg=float(inputs["weight_kg"]),
        height_cm=float(inputs["height_cm"]),
        age_years=float(patient.age_years()),
        sex=inputs["model_sex"],
    )


CORE_ARGS = (
    "vial_mg_per_ml",
    "bag_volume_ml",
    "container",
    "dose_mg_per_kg",
    "dose_mg_per_kg_per_h",
    "duration_min",
    "bolus_mg_per_kg",
    "bolus_duration_min",
    "product",
    "dosing_weight_basis",
    "dosing_weight_reason",
    "first_pain_infusion",
    "prior_24h_mg",
)


def compute_plan(
    patient: Patient,
    inputs: Mapping[str, Any],
    *,
    acknowledged: list[str] = (),  # type: ignore[assignment]
    overrides: Mapping[str, str] | None = None,
) -> dosing.InfusionPlan:
    """Call ``plan_infusion`` with the form's inputs; its errors pass through unchanged."""
    kwargs = {k: inputs[k] for k in CORE_ARGS if inputs.get(k) not in (None, "")}
    return dosing.plan_infusion(
        inputs.get("protocol_id") or None,
        pk_patient(inputs, patient),
        acknowledged=list(acknowledged),
        hard_limit_overrides=dict(overrides or {}),
        **kwargs,
    )


def prior_24h_mg(patient: Patient, before: datetime.datetime) -> float:
    """Ketamine charted for the patient in the 24 h before ``before`` (from the sessions)."""
    since = before - datetime.timedelta(hours=24)
    total = Decimal("0")
    for session in InfusionSession.objects.current().filter(
        patient=patient, started_at__gte=since, started_at__lt=before
    ):
        total += session.delivered_mg
    return float(total)


def plan_as_json(plan: dosing.InfusionPlan) -> dict[str, Any]:
    """Everything the plan page shows, as JSON (the regimen as plain infusions)."""
    return {
        "protocol_id": plan.protocol_id,
        "protocol_citation": plan.protocol_citation,
        "product": plan.product,
        "dosing_weight": dataclasses.asdict(plan.dosing_weight),
        "total_dose_mg": plan.total_dose_mg,
        "drug_volume_ml": plan.drug_volume_ml,
        "final_concentration_mg_per_ml": plan.final_concentration_mg_per_ml,
        "total_volume_ml": plan.total_volume_ml,
        "duration_min": plan.duration_min,
        "segments": [dataclasses.asdict(s) for s in plan.segments],
        "regimen": [
            {
                "start_min": i.start_min,
                "duration_min": i.duration_min,
                "rate_mg_per_min": i.rate_mg_per_min,
            }
            for i in plan.regimen.infusions
        ],
        "predicted_peak_effect_ng_per_ml": plan.predicted_peak_effect_ng_per_ml,
        "predicted_peak_plasma_ng_per_ml": plan.predicted_peak_plasma_ng_per_ml,
        "peak_model_id": plan.peak_model_id,
        "steps": list(plan.steps),
        "warnings": [dataclasses.asdict(w) for w in plan.warnings],
        "overridden": dict(plan.overridden),
        "out_of_validity_range": plan.out_of_validity_range,
        "validity_reasons": list(plan.validity_reasons),
        "limits_source": plan.limits_source,
        "limits": dataclasses.asdict(plan.limits),
        "version": plan.version,
    }


def regimen_of(plan: InfusionPlan) -> Regimen:
    return Regimen(
        [
            Infusion(r["start_min"], r["duration_min"], r["rate_mg_per_min"])
            for r in plan.result["regimen"]
        ],
        product=plan.product,
    )


def _hard_findings(patient: Patient, inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The hard limits the plan crosses without any override (empty when none)."""
    try:
        compute_plan(patient, inputs, overrides={})
    except DoseLimitError as error:
        return list(error.params.get("findings", []))
    return []


@transaction.atomic
def do_create_plan(
    patient: Patient,
    *,
    user: Any,
    inputs: Mapping[str, Any],
    acknowledged: list[str],
    overrides: Mapping[str, str],
    request: Any = None,
) -> InfusionPlan:
    """Compute, check and store a draft plan.

    Refused when: the user is not a clinician; the contraindication check is not valid; a hard
    limit is crossed and not overridden by a prescriber with a reason (``DoseLimitError``);
    a warning is not acknowledged (``ValidationError`` on ``acknowledged``).
    """
    check_can_prescribe(user, patient)
    status = check_status(latest_check(patient), patient)
    if not status["valid"]:
        raise ValidationError({"__all__": ["Planning is blocked. " + " ".join(status["reasons"])]})
    overrides = {c: r.strip() for c, r in overrides.items() if (r or "").strip()}
    hard = _hard_findings(patient, inputs)
    used = {f["code"]: overrides[f["code"]] for f in hard if f["code"] in overrides}
    if used:
        check_can_override(user, patient)
    plan = compute_plan(patient, inputs, acknowledged=acknowledged, overrides=used)
    if not plan.ready:
        codes = ", ".join(w.code for w in plan.unacknowledged_warnings)
        raise ValidationError({"acknowledged": [f"Acknowledge every warning; not yet: {codes}."]})
    now = timezone.now()
    infusion_segments = [s for s in plan.segments if s.label == "infusion"]
    record = InfusionPlan.objects.create(
        patient=patient,
        course=inputs.get("course"),
        appointment=inputs.get("appointment"),
        inputs=_json_inputs(inputs),
        result=plan_as_json(plan),
        core_version=plan.version,
        product=plan.product,
        vial_mg_per_ml=Decimal(str(inputs["vial_mg_per_ml"])),
        weight_kg=Decimal(str(inputs["weight_kg"])).quantize(Decimal("0.1")),
        dosing_weight_kg=Decimal(f"{plan.dosing_weight.weight_kg:.2f}"),
        total_dose_mg=Decimal(f"{plan.total_dose_mg:.2f}"),
        final_concentration_mg_per_ml=Decimal(f"{plan.final_concentration_mg_per_ml:.4f}"),
        pump_rate_ml_per_h=Decimal(f"{infusion_segments[-1].rate_ml_per_h_display:.1f}"),
        acknowledged=sorted(plan.acknowledged),
        prescribed_by=user,
        prescribed_at=now,
        created_by=user,
        updated_by=user,
    )
    for finding in hard:
        if finding["code"] in used:
            LimitOverride.objects.create(
                plan=record,
                code=finding["code"],
                message=finding["message"],
                value=finding["value"],
                limit=finding["limit"],
                unit=finding["unit"],
                reason=used[finding["code"]],
                prescriber=user,
                created_at=now,
            )
    audit.record(
        Action.CREATE,
        request=request,
        user=user,
        obj=record,
        patient=patient,
        detail={"overridden": sorted(used), "acknowledged": sorted(plan.acknowledged)},
    )
    return record


def _json_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in ("course", "appointment"):
            out[key] = str(value.public_id) if value is not None else None
        elif isinstance(value, Decimal):
            out[key] = float(value)
        else:
            out[key] = value
    return out


def expected_check_values(plan: InfusionPlan) -> dict[str, Any]:
    return {
        "product": plan.product,
        "vial_mg_per_ml": plan.vial_mg_per_ml,
        "final_concentration_mg_per_ml": plan.final_concentration_mg_per_ml,
        "weight_kg": plan.weight_kg,
        "total_dose_mg": plan.total_dose_mg,
        "pump_rate_ml_per_h": plan.pump_rate_ml_per_h,
    }


@transaction.atomic
def do_double_check(
    plan: InfusionPlan, *, user: Any, entered: Mapping[str, Any], request: Any = None
) -> PlanCheck:
    """The independent double check: a second member of staff (not the prescriber) re-enters the
    values blind; any mismatch at the pump's or the scale's resolution blocks use."""
    check_can_chart(user, plan.patient)
    plan = InfusionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise RecordLockedError("This plan is already verified.")
    if plan.prescribed_by_id == user.pk:
        raise PermissionDenied(
            "The double check must be done by someone other than the prescriber."
        )
    mismatches = charting.compare_double_check(
        {
            k: (float(v) if isinstance(v, Decimal) else v)
            for k, v in expected_check_values(plan).items()
        },
        entered,
    )
    now = timezone.now()
    check = PlanCheck.objects.create(
        plan=plan,
        checked_by=user,
        checked_at=now,
        entered={k: (str(v) if v is not None else None) for k, v in entered.items()},
        mismatches=mismatches,
        passed=not mismatches,
    )
    if not mismatches:
        plan.status = PlanStatus.VERIFIED
        plan.verified_by = user
        plan.verified_at = now
        plan.updated_by = user
        plan.save(
            update_fields=["status", "verified_by", "verified_at", "updated_by", "updated_at"]
        )
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=plan,
        patient=plan.patient,
        detail={
            "double_check": "passed" if not mismatches else "mismatch",
            "fields": [m["field"] for m in mismatches],
        },
    )
    return check


# --- sessions ----------------------------------------------------------------------------------


def _editable(session: InfusionSession) -> None:
    if session.status != SessionStatus.DRAFT:
        raise RecordLockedError(
            "This session is signed and read-only; record a correction as an amendment."
        )


def _locked_session(session: InfusionSession) -> InfusionSession:
    fresh = InfusionSession.objects.select_for_update().get(pk=session.pk)
    _editable(fresh)
    return fresh


@transaction.atomic
def do_start_session(plan: InfusionPlan, *, user: Any, request: Any = None) -> InfusionSession:
    """Open a session chart against a verified plan; the plan is then in use."""
    check_can_chart(user, plan.patient)
    plan = InfusionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.DRAFT:
        raise ValidationError({"__all__": ["The plan has not passed the double check."]})
    if plan.is_entered_in_error:
        raise ValidationError({"__all__": ["The plan was marked entered in error."]})
    session = InfusionSession.objects.create(
        patient=plan.patient,
        plan=plan,
        course=plan.course,
        appointment=plan.appointment,
        created_by=user,
        updated_by=user,
    )
    if plan.status == PlanStatus.VERIFIED:
        plan.status = PlanStatus.IN_USE
        plan.updated_by = user
        plan.save(update_fields=["status", "updated_by", "updated_at"])
    audit.record(Action.CREATE, request=request, user=user, obj=session, patient=plan.patient)
    return session


DAY_OF_FIELDS = (
    "systolic_bp_mmhg",
    "diastolic_bp_mmhg",
    "pregnant_or_preeclampsia",
    "theophylline_or_aminophylline",
    "benzodiazepine_or_opioid",
)
WEIGHT_TOLERANCE = 0.05  # decision: > 5 % from the plan's weight needs a new plan


def sessions_in_14_days(patient: Patient, on: datetime.datetime) -> int:
    return (
        InfusionSession.objects.current()
        .filter(
            patient=patient, started_at__gte=on - datetime.timedelta(days=14), started_at__lt=on
        )
        .count()
    )


@transaction.atomic
def do_record_pre_checks(
    session: InfusionSession, *, user: Any, checks: Mapping[str, Any], request: Any = None
) -> InfusionSession:
    """Pre-infusion checks with the day-of items re-checked by the contraindication core.

    A hard stop on the day (BP ≥ 180/100, theophylline, pregnancy) or a weight more than 5 %
    from the plan's blocks the start; the findings are stored with the checks. Once the pump
    has started they are the record the start was based on and are no longer rewritten.
    """
    check_can_chart(user, session.patient)
    session = _locked_session(session)
    if session.started_at is not None:
        raise ValidationError(
            {
                "__all__": [
                    "The infusion has started, so the pre-infusion checks it started on stay as "
                    "recorded. Chart what you find now as vitals, a score or an adverse event."
                ]
            }
        )
    day_answers = {k: checks.get(k) for k in DAY_OF_FIELDS}
    now = timezone.now()
    day_answers["sessions_last_14_days"] = sessions_in_14_days(session.patient, now)
    result = triage(day_answers)
    plan_weight = float(session.plan.weight_kg)
    weight = float(checks["weight_kg"])
    weight_diff = abs(weight - plan_weight) / plan_weight
    stored = dict(checks)
    stored["day_of_findings"] = [
        dataclasses.asdict(f) for f in result.findings if not f.code.endswith("_unanswered")
    ]
    stored["weight_difference_pct"] = round(weight_diff * 100, 1)
    blockers = [f["reason"] for f in stored["day_of_findings"] if f["severity"] == "hard_stop"]
    if weight_diff > WEIGHT_TOLERANCE:
        blockers.append(
            f"Weight today {weight:g} kg differs from the plan's {plan_weight:g} kg by "
            f"{weight_diff * 100:.1f} % (more than 5 %): a new plan is needed."
        )
    for key, label in (
        ("fasting", "fasting"),
        ("escort", "an escort home"),
        ("consent", "consent"),
    ):
        if not checks.get(key):
            blockers.append(f"Not confirmed: {label}.")
    stored["blockers"] = blockers
    stored["baseline_vitals"] = {
        "systolic_mmhg": checks.get("systolic_bp_mmhg"),
        "diastolic_mmhg": checks.get("diastolic_bp_mmhg"),
        "heart_rate_bpm": checks.get("heart_rate_bpm"),
        "spo2_pct": checks.get("spo2_pct"),
        "respiratory_rate_per_min": checks.get("respiratory_rate_per_min"),
    }
    session.pre_checks = stored
    session.pre_checks_at = now
    session.pre_checks_by = user
    session.updated_by = user
    session.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"pre_checks": True, "blockers": len(blockers)},
    )
    return session


def pump_steps(session: InfusionSession) -> list[charting.PumpStep]:
    return [charting.PumpStep(e.at, float(e.rate_ml_per_h)) for e in session.pump_events.all()]


def delivered_now(
    session: InfusionSession, until: datetime.datetime | None = None
) -> charting.Delivered:
    end = session.ended_at or until or timezone.now()
    return charting.delivered(
        pump_steps(session), float(session.plan.final_concentration_mg_per_ml), end
    )


def running_check(
    session: InfusionSession, rate_ml_per_h: float, at: datetime.datetime
) -> charting.RunningCheck:
    plan = session.plan
    so_far = delivered_now(session, until=at).total_mg
    started = session.started_at or at
    planned_end = started + datetime.timedelta(minutes=float(plan.result["duration_min"]))
    remaining = (planned_end - at).total_seconds() / 60.0
    limits = dosing.Limits(**_limits_args(plan.result["limits"]))
    return charting.check_running(
        rate_ml_per_h=rate_ml_per_h,
        concentration_mg_per_ml=float(plan.final_concentration_mg_per_ml),
        dosing_weight_kg=float(plan.dosing_weight_kg),
        delivered_mg=so_far,
        remaining_min=remaining,
        prior_24h_mg=prior_24h_mg(session.patient, started),
        limits=limits,
    )


def _limits_args(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()}


@transaction.atomic
def do_pump_event(
    session: InfusionSession,
    *,
    user: Any,
    kind: str,
    at: datetime.datetime,
    rate_ml_per_h: float,
    reason: str = "",
    overrides: Mapping[str, str] | None = None,
    request: Any = None,
) -> PumpEvent:
    """Chart a pump start, rate change, pause, resume or stop, checked like the plan.

    The new rate, the session total projected to the planned end and the 24-h total are held
    against the plan's hard limits: a breach raises ``DoseLimitError`` unless a prescriber
    overrides it with a reason (recorded as ``LimitOverride`` on the session).
    """
    check_can_chart(user, session.patient)
    session = _locked_session(session)
    if not session.pre_checks_at:
        raise ValidationError({"__all__": ["Record the pre-infusion checks first."]})
    if kind == RateEventKind.START and session.pre_checks.get("blockers"):
        raise ValidationError(
            {
                "__all__": [
                    "The pre-infusion checks block the start: "
                    + " ".join(session.pre_checks["blockers"])
                ]
            }
        )
    last = session.pump_events.order_by("-at", "-pk").first()
    if last is None and kind != RateEventKind.START:
        raise ValidationError({"kind": ["The first pump event is the start."]})
    if last is not None and at < last.at:
        raise ValidationError({"at": ["Pump events are charted in time order."]})
    if last is not None and last.kind == RateEventKind.STOP:
        raise ValidationError({"kind": ["The infusion is already stopped."]})
    if kind in (RateEventKind.PAUSE, RateEventKind.STOP):
        rate_ml_per_h = 0.0
    if kind in (RateEventKind.CHANGE, RateEventKind.PAUSE) and not reason.strip():
        raise ValidationError({"reason": ["Say why the rate changed or the infusion paused."]})
    used: dict[str, str] = {}
    check = None
    if rate_ml_per_h > 0:
        check = running_check(session, rate_ml_per_h, at)
        wanted = {c: (r or "").strip() for c, r in (overrides or {}).items()}
        used = {f.code: wanted[f.code] for f in check.hard if wanted.get(f.code)}
        if used:
            check_can_override(user, session.patient)
        charting.refuse_unless_overridden(check, used)
    event = PumpEvent.objects.create(
        session=session,
        at=at,
        kind=kind,
        rate_ml_per_h=Decimal(f"{rate_ml_per_h:.1f}"),
        reason=reason,
        recorded_by=user,
    )
    if check is not None:
        for f in check.hard:
            if f.code in used:
                LimitOverride.objects.create(
                    session=session,
                    code=f.code,
                    message=f.message,
                    value=f.value,
                    limit=f.limit,
                    unit=f.unit,
                    reason=used[f.code],
                    prescriber=user,
                    created_at=timezone.now(),
                )
    if kind == RateEventKind.START and session.started_at is None:
        session.started_at = at
    if kind == RateEventKind.STOP:
        session.ended_at = at
    session.delivered_mg = Decimal(f"{delivered_now(session, until=at).total_mg:.2f}")
    session.updated_by = user
    session.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"pump_event": kind, "rate_ml_per_h": rate_ml_per_h, "overridden": sorted(used)},
    )
    return event


def capnography_required(session: InfusionSession) -> bool:
    """Reference 3.7: capnography with benzodiazepines/opioids or a rate above 1 mg/kg/h."""
    if session.pre_checks.get("benzodiazepine_or_opioid"):
        return True
    plan = session.plan
    conc, kg = float(plan.final_concentration_mg_per_ml), float(plan.dosing_weight_kg)
    rates = [float(e.rate_ml_per_h) for e in session.pump_events.all()] or [
        float(plan.pump_rate_ml_per_h)
    ]
    return max(rates) * conc / kg > 1.0


def check_vitals(
    session: InfusionSession, values: Mapping[str, int | None], action_taken: str
) -> list[dict[str, Any]]:
    """The alerts a set of vitals raises (clinic thresholds, each with its action).

    Raises ``ValidationError`` naming the field when an alert has no action taken recorded,
    or when capnography is required (reference 3.7) and EtCO₂ is missing.
    """
    thresholds = clinic_settings(session.patient.clinic).alert_thresholds()
    alerts = charting.vitals_alerts(values, thresholds)
    errors: dict[str, list[str]] = {}
    if alerts and not action_taken.strip():
        errors["action_taken"] = [
            "Alert: "
            + "; ".join(a.message for a in alerts)
            + ". "
            + charting.ALERT_ACTION
            + " Record the action taken."
        ]
    if values.get("etco2_mmhg") is None and capnography_required(session):
        errors["etco2_mmhg"] = [
            "Capnography is required (benzodiazepine/opioid co-medication or rate above "
            "1 mg/kg/h, reference 3.7): record EtCO₂."
        ]
    if errors:
        raise ValidationError(errors)
    return [dataclasses.asdict(a) | {"action": charting.ALERT_ACTION} for a in alerts]


@transaction.atomic
def do_record_vitals(
    session: InfusionSession,
    *,
    user: Any,
    at: datetime.datetime,
    values: Mapping[str, int | None],
    action_taken: str = "",
    request: Any = None,
) -> VitalSigns:
    """Chart one set of vitals; an alert needs the action taken recorded."""
    check_can_chart(user, session.patient)
    session = _locked_session(session)
    alerts = check_vitals(session, values, action_taken)
    vitals = VitalSigns(
        session=session,
        at=at,
        alerts=alerts,
        action_taken=action_taken,
        recorded_by=user,
        **values,
    )
    vitals.full_clean()
    vitals.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"vitals": True, "alerts": [a["code"] for a in alerts]},
    )
    return vitals


SESSION_INSTRUMENTS = ("cadss6", "pain_nrs_severity", "modified_aldrete")


@transaction.atomic
def do_record_score(
    session: InfusionSession,
    *,
    user: Any,
    instrument_id: str,
    phase: str,
    answers: Mapping[str, Any],
    at: datetime.datetime,
    request: Any = None,
) -> SessionScore:
    """Score an instrument with the clinical core and chart it (its errors name the item)."""
    from tenderpoint.clinical import score

    check_can_chart(user, session.patient)
    session = _locked_session(session)
    if instrument_id not in SESSION_INSTRUMENTS:
        raise InvalidInputError(
            f"Unknown session instrument {instrument_id!r}.", field="instrument"
        )
    result = score(instrument_id, dict(answers))
    record = SessionScore.objects.create(
        session=session,
        instrument_id=instrument_id,
        phase=phase,
        at=at,
        answers=dict(answers),
        outputs=result.as_dict(),
        steps=list(result.steps),
        version=result.version,
        recorded_by=user,
    )
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"score": instrument_id, "phase": phase},
    )
    return record


@transaction.atomic
def do_record_adverse_event(
    session: InfusionSession, *, user: Any, fields: Mapping[str, Any], request: Any = None
) -> AdverseEvent:
    check_can_chart(user, session.patient)
    session = _locked_session(session)
    event = AdverseEvent(session=session, recorded_by=user, **fields)
    event.full_clean()
    event.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"adverse_event": event.event_type, "severity": event.severity},
    )
    return event


def discharge_gates(session: InfusionSession, at: datetime.datetime) -> list[str]:
    """Every reference 3.7 discharge condition not yet met, in words (empty = may go home)."""
    problems: list[str] = []
    if session.ended_at is None:
        return ["The infusion has not been stopped."]
    minimum = clinic_settings(session.patient.clinic).discharge_min_minutes
    if session.plan.product == "esketamine":
        minimum = max(minimum, 120)
    waited = (at - session.ended_at).total_seconds() / 60.0
    if waited < minimum:
        problems.append(f"Only {waited:.0f} min since the infusion ended; at least {minimum} min.")
    scores = list(session.scores.all())
    aldrete = [
        s
        for s in scores
        if s.instrument_id == "modified_aldrete" and s.phase == ScorePhase.RECOVERY
    ]
    if not aldrete:
        problems.append("No modified Aldrete score after the infusion.")
    elif not aldrete[-1].outputs.get("discharge_eligible"):
        problems.append(f"Modified Aldrete {aldrete[-1].outputs['total']} is below 9.")
    cadss = [s for s in scores if s.instrument_id == "cadss6"]
    base = [s for s in cadss if s.phase == ScorePhase.BASELINE]
    after = [s for s in cadss if s.phase == ScorePhase.RECOVERY]
    if not base or not after:
        problems.append("CADSS-6 needs a baseline and a recovery score.")
    elif after[-1].outputs["total"] > base[-1].outputs["total"]:
        problems.append(
            f"CADSS-6 {after[-1].outputs['total']} is not back to baseline "
            f"{base[-1].outputs['total']}."
        )
    baseline = session.pre_checks.get("baseline_vitals")
    vitals = list(session.vitals.all())
    if not baseline or not vitals:
        problems.append("Baseline and recovery vitals are needed.")
    else:
        last = vitals[-1]
        problems += charting.outside_baseline(
            baseline,
            {
                "systolic_mmhg": last.systolic_mmhg,
                "diastolic_mmhg": last.diastolic_mmhg,
                "heart_rate_bpm": last.heart_rate_bpm,
            },
        )
    return problems


def _no_disposition_yet(session: InfusionSession) -> None:
    if session.disposition:
        raise ValidationError(
            {"__all__": [f"Already recorded: {session.get_disposition_display()}."]}
        )


@transaction.atomic
def do_discharge(
    session: InfusionSession, *, user: Any, at: datetime.datetime, escort: str, request: Any = None
) -> InfusionSession:
    """Discharge home once every reference 3.7 gate is met and an escort is named."""
    check_can_chart(user, session.patient)
    session = _locked_session(session)
    _no_disposition_yet(session)
    problems = discharge_gates(session, at)
    if not escort.strip():
        problems.append("Record the responsible adult who takes the patient home.")
    if problems:
        raise ValidationError({"__all__": problems})
    session.discharged_at = at
    session.discharge_escort = escort.strip()
    session.discharge_basis = {"checked_at": at.isoformat(), "gates": "all met"}
    session.disposition = Disposition.DISCHARGED
    session.disposition_at = at
    session.disposition_by = user
    session.updated_by = user
    session.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"discharged": True},
    )
    return session


OTHER_DISPOSITIONS = (Disposition.TRANSFERRED, Disposition.LEFT_AGAINST_ADVICE)


@transaction.atomic
def do_record_disposition(
    session: InfusionSession,
    *,
    user: Any,
    kind: str,
    at: datetime.datetime,
    reason: str,
    request: Any = None,
) -> InfusionSession:
    """A documented end other than discharge: transfer to emergency care, or the patient left
    against medical advice. The discharge gates do not apply; the reason (and where to) does."""
    check_can_chart(user, session.patient)
    session = _locked_session(session)
    _no_disposition_yet(session)
    errors: dict[str, list[str]] = {}
    if kind not in OTHER_DISPOSITIONS:
        errors["kind"] = ["Choose a transfer to emergency care or leaving against advice."]
    if not reason.strip():
        errors["reason"] = ["Say why, and where the patient went."]
    if session.ended_at is None:
        errors["__all__"] = ["Chart the stop of the infusion first (a pump event)."]
    elif at < session.ended_at:
        errors["at"] = ["The disposition cannot be before the infusion was stopped."]
    if errors:
        raise ValidationError(errors)
    session.disposition = kind
    session.disposition_at = at
    session.disposition_by = user
    session.disposition_reason = reason.strip()
    session.updated_by = user
    session.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"disposition": kind},
    )
    return session


@transaction.atomic
def do_record_controlled_substance(
    session: InfusionSession, *, user: Any, fields: Mapping[str, Any], request: Any = None
) -> InfusionSession:
    """Vial lot and expiry, amount drawn and wasted (with a witness other than the recorder);
    given (from the chart) + wasted must not exceed drawn."""
    check_can_chart(user, session.patient)
    session = _locked_session(session)
    errors: dict[str, list[str]] = {}
    drawn, wasted = fields["drawn_mg"], fields["wasted_mg"]
    witness = fields.get("waste_witness")
    if wasted and wasted > 0 and witness is None:
        errors["waste_witness"] = ["Wasted drug needs a witness."]
    if witness is not None and witness.pk == user.pk:
        errors["waste_witness"] = ["The witness must be someone other than you."]
    if drawn is not None and wasted is not None and session.delivered_mg + wasted > drawn:
        errors["wasted_mg"] = [
            f"Given {session.delivered_mg} mg + wasted {wasted} mg is more than drawn {drawn} mg."
        ]
    if errors:
        raise ValidationError(errors)
    for key, value in fields.items():
        setattr(session, key, value)
    session.updated_by = user
    session.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"controlled_substance": True},
    )
    return session


def reconciliation(session: InfusionSession) -> Decimal | None:
    """Drawn − given − wasted (mg): 0 when the controlled-substance record balances."""
    if session.drawn_mg is None or session.wasted_mg is None:
        return None
    return session.drawn_mg - session.delivered_mg - session.wasted_mg


def controlled_record_problems(session: InfusionSession) -> list[str]:
    """What keeps the controlled-substance record from closing (empty: complete, balances).

    Ketamine is a controlled drug: every milligram drawn is given or wasted before witnesses,
    so a session that delivered any is signed only with its vial, amounts and a balance of 0.
    """
    if not session.delivered_mg:
        return []
    missing = [
        label
        for label, value in (
            ("vial lot", session.vial_lot),
            ("vial expiry", session.vial_expiry),
            ("amount drawn", session.drawn_mg),
            ("amount wasted", session.wasted_mg),
        )
        if value in (None, "")
    ]
    if missing:
        return [f"Complete the controlled-substance record before signing: {', '.join(missing)}."]
    unaccounted = reconciliation(session)
    if unaccounted:
        return [
            f"The controlled-substance record does not balance: drawn {session.drawn_mg} mg, "
            f"given {session.delivered_mg} mg, wasted {session.wasted_mg} mg leaves "
            f"{unaccounted} mg unaccounted. Correct it before signing."
        ]
    return []


@transaction.atomic
def do_sign_session(session: InfusionSession, *, user: Any, request: Any = None) -> InfusionSession:
    """A clinician signs; the session becomes read-only.

    Signing needs the infusion stopped, a disposition (the discharge through the reference 3.7
    gates, or a documented transfer to emergency care / departure against medical advice) and a
    controlled-substance record that is complete and balances.
    """
    check_can_sign(user, session.patient)
    session = _locked_session(session)
    if session.ended_at is None:
        raise ValidationError({"__all__": ["Stop the infusion before signing."]})
    if not session.disposition:
        raise ValidationError(
            {
                "__all__": [
                    "Record the discharge (reference 3.7 gates) or another disposition "
                    "(transfer to emergency care, left against medical advice) before signing."
                ]
            }
        )
    if problems := controlled_record_problems(session):
        raise ValidationError({"__all__": problems})
    session.status = SessionStatus.SIGNED
    session.signed_by = user
    session.signed_at = timezone.now()
    session.updated_by = user
    session.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"transition": "signed"},
    )
    return session


AMENDABLE_FIELDS = ("notes", "discharge_escort", "vial_lot", "vial_expiry", "drawn_mg", "wasted_mg")


@transaction.atomic
def do_amend_session(
    session: InfusionSession,
    *,
    user: Any,
    reason: str,
    changes: Mapping[str, Any],
    request: Any = None,
) -> SessionAmendment:
    """Correct a signed session: the reason and old/new values are kept; history keeps the rest."""
    check_can_sign(user, session.patient)
    session = InfusionSession.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.DRAFT:
        raise ValidationError({"__all__": ["A draft is edited directly, not amended."]})
    if not reason.strip():
        raise ValidationError({"reason": ["An amendment needs a reason."]})
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": [f"Not amendable: {', '.join(sorted(unknown))}."]})
    diff = {
        key: {"old": _plain(getattr(session, key)), "new": _plain(value)}
        for key, value in changes.items()
        if getattr(session, key) != value
    }
    if not diff:
        raise ValidationError({"__all__": ["Nothing changed."]})
    for key, value in changes.items():
        setattr(session, key, value)
    session.status = SessionStatus.AMENDED
    session.updated_by = user
    session.save()
    amendment = SessionAmendment.objects.create(
        session=session,
        reason=reason.strip(),
        changes=diff,
        amended_by=user,
        amended_at=timezone.now(),
    )
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"transition": "amended", "fields": sorted(diff)},
    )
    return amendment


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    return value


def set_appointment_status(appointment: Appointment, status: str) -> None:
    if status not in AppointmentStatus.values:
        raise ValidationError({"status": ["Unknown status."]})
    appointment.status = status


__all__ = ["CourseStatus", "RecordLockedError"]
