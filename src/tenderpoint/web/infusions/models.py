"""Courses, appointments, infusion plans and charted sessions (the shared data model).

The portal ("next visit", the weekly questionnaire schedule during an induction course, progress
and export) and the outcomes pages read these models; nothing else invents a course.

- ``Course``: an induction or booster course of a patient: planned number of infusions, start
  and end dates, status planned → active → completed, or stopped with a reason.
- ``Appointment``: a booked visit (date/time in UTC, chair, status), optionally within a course.
- ``InfusionPlan``: the prescription for one infusion, computed by
  ``pharmacology.dosing.plan_infusion`` and stored with its inputs, its result and the core's
  version. draft → verified (an independent, blind double check by a second member of staff,
  ``PlanCheck``) → in use (a session charts against it). Hard-limit overrides are
  ``LimitOverride`` rows (prescriber, reason).
- ``InfusionSession``: the chart of one infusion against a verified plan: pre-infusion checks,
  pump events (the delivered dose is computed from them), vitals, scores (CADSS-6, pain NRS,
  modified Aldrete, by the clinical core), adverse events, discharge and the controlled-substance
  record. draft → signed (read-only) → amended (``SessionAmendment`` keeps the reason; the
  original stays in the simple-history log).

State rules live in ``services.py``; a signed record refuses edits there, not in a template.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tenderpoint.web.accounts.models import Clinic, Membership
from tenderpoint.web.common.models import (
    ClinicalRecord,
    ClinicalRecordDeletionError,
    ClinicalRecordQuerySet,
)
from tenderpoint.web.infusions.choices import (
    AdverseEventType,
    AppointmentKind,
    AppointmentStatus,
    CourseKind,
    CourseStatus,
    Disposition,
    PlanStatus,
    RateEventKind,
    ScorePhase,
    SessionStatus,
    Severity,
)
from tenderpoint.web.patients.models import Patient

USER = settings.AUTH_USER_MODEL


# --- clinic settings and prescribers -------------------------------------------------------

# Reference pharmacology 3.7 alert thresholds: the defaults a clinic may only tighten.
DEFAULT_ALERTS = {
    "spo2_min_pct": 92,
    "sbp_max_mmhg": 180,
    "dbp_max_mmhg": 110,
    "hr_max_bpm": 130,
    "hr_min_bpm": 45,
    "moaas_max_alert": 2,
}


def _tighter(
    alert: str, validator: type[MinValueValidator | MaxValueValidator], limit: int, way: str = ""
) -> MinValueValidator | MaxValueValidator:
    """A bound that names the reference 3.7 alert a clinic setting may only tighten."""
    way = way or "or less"
    return validator(
        limit,
        message=(
            f"Can only be tightened: reference 3.7 alerts at {alert}; enter %(limit_value)s {way}."
        ),
    )


class ClinicInfusionSettings(models.Model):
    """A clinic's own settings for the console; alerts may only be tighter than reference 3.7."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.PROTECT, related_name="infusion_settings"
    )
    spo2_min_pct = models.PositiveSmallIntegerField(
        "alert when SpO₂ below (%)",
        default=92,
        validators=[_tighter("SpO₂ below %(limit_value)s %%", MinValueValidator, 92, "or more")],
    )
    sbp_max_mmhg = models.PositiveSmallIntegerField(
        "alert when systolic BP above (mmHg)",
        default=180,
        validators=[_tighter("systolic above %(limit_value)s mmHg", MaxValueValidator, 180)],
    )
    dbp_max_mmhg = models.PositiveSmallIntegerField(
        "alert when diastolic BP above (mmHg)",
        default=110,
        validators=[_tighter("diastolic above %(limit_value)s mmHg", MaxValueValidator, 110)],
    )
    hr_max_bpm = models.PositiveSmallIntegerField(
        "alert when heart rate above (/min)",
        default=130,
        validators=[_tighter("heart rate above %(limit_value)s /min", MaxValueValidator, 130)],
    )
    hr_min_bpm = models.PositiveSmallIntegerField(
        "alert when heart rate below (/min)",
        default=45,
        validators=[
            _tighter("heart rate below %(limit_value)s /min", MinValueValidator, 45, "or more")
        ],
    )
    moaas_max_alert = models.PositiveSmallIntegerField(
        "alert when MOAA/S at or below",
        default=2,
        validators=[
            _tighter("MOAA/S at or below %(limit_value)s", MinValueValidator, 2, "or more"),
            MaxValueValidator(5),
        ],
    )
    contraindication_validity_days = models.PositiveSmallIntegerField(
        "history part of the contraindication check valid for (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    discharge_min_minutes = models.PositiveSmallIntegerField(
        "minimum observation after a racemic infusion (min)",
        default=60,
        validators=[MinValueValidator(30), MaxValueValidator(240)],
        help_text="Reference 3.7: 30–60 min; esketamine always at least 120 min.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Infusion settings of {self.clinic}"

    def alert_thresholds(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in DEFAULT_ALERTS}


class PrescriberAuthorisation(models.Model):
    """The clinic admin marks a clinician as a prescriber: only prescribers override hard limits."""

    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="prescriber_authorisation"
    )
    is_prescriber = models.BooleanField(default=False)
    granted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.membership.user}: {'prescriber' if self.is_prescriber else 'not prescriber'}"


# --- courses and appointments --------------------------------------------------------------


class CourseQuerySet(ClinicalRecordQuerySet):
    def for_patient(self, patient: Patient) -> CourseQuerySet:
        return self.filter(patient=patient).current()


class Course(ClinicalRecord):
    """An induction or booster course; the portal's schedule reads its dates and status."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    kind = models.CharField(max_length=12, choices=CourseKind.choices)
    planned_infusions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=CourseStatus.choices, default=CourseStatus.PLANNED
    )
    stop_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["patient", "start_date"])]

    def __str__(self) -> str:
        start = self.start_date.isoformat() if self.start_date else "an unset date"
        return f"{self.get_kind_display()} from {start}"

    def clean(self) -> None:
        # a missing start date is the form's own error; compare only two dates
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date is before the start date."})
        if self.status == CourseStatus.STOPPED and not self.stop_reason.strip():
            raise ValidationError({"stop_reason": "Say why the course was stopped."})


class Appointment(ClinicalRecord):
    """A booked visit; ``starts_at`` is UTC, shown in the clinic's time zone."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    kind = models.CharField(
        max_length=12, choices=AppointmentKind.choices, default=AppointmentKind.INFUSION
    )
    starts_at = models.DateTimeField()
    duration_min = models.PositiveSmallIntegerField(
        default=240, validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    chair = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["patient", "starts_at"]),
            models.Index(fields=["starts_at"]),
        ]

    def __str__(self) -> str:
        """Kind and start in the clinic's time zone, as the day list shows it (not UTC)."""
        local = self.starts_at.astimezone(self.patient.clinic.tzinfo)
        return f"{self.get_kind_display()} {local:%Y-%m-%d %H:%M} {local:%Z}"


# --- plans ---------------------------------------------------------------------------------


class InfusionPlan(ClinicalRecord):
    """One infusion's prescription, computed by the pharmacology core and stored with its basis.

    ``inputs`` are the arguments given to ``plan_infusion`` (JSON); ``result`` the plan it
    returned (segments, steps, warnings, peaks, limits), ``core_version`` its version. The
    columns below copy the numbers the double check compares and lists filter on.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="infusion_plans")
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    inputs = models.JSONField()
    result = models.JSONField()
    core_version = models.CharField(max_length=40)
    product = models.CharField(max_length=12)
    vial_mg_per_ml = models.DecimalField(max_digits=6, decimal_places=2)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1)
    dosing_weight_kg = models.DecimalField(max_digits=6, decimal_places=2)
    total_dose_mg = models.DecimalField(max_digits=8, decimal_places=2)
    final_concentration_mg_per_ml = models.DecimalField(max_digits=8, decimal_places=4)
    pump_rate_ml_per_h = models.DecimalField(
        max_digits=6, decimal_places=1, help_text="Main infusion segment, as set on the pump."
    )
    acknowledged = models.JSONField(default=list, blank=True)
    prescribed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    prescribed_at = models.DateTimeField()
    verified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-prescribed_at"]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        return f"{self.total_dose_mg} mg {self.product} plan ({self.get_status_display()})"


class PlanCheck(models.Model):
    """One attempt at the independent double check: the values re-entered blind, and the verdict.

    Append-only: a failed check stays on record beside the one that passed.
    """

    plan = models.ForeignKey(InfusionPlan, on_delete=models.PROTECT, related_name="checks")
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField()
    entered = models.JSONField()
    mismatches = models.JSONField(default=list)
    passed = models.BooleanField()

    class Meta:
        ordering = ["checked_at"]

    def __str__(self) -> str:
        return f"Double check by {self.checked_by} ({'passed' if self.passed else 'mismatch'})"


class LimitOverride(models.Model):
    """A hard limit crossed on purpose: which limit, the value, the reason, the prescriber.

    Attached to a plan (planning) or a session (a charted rate or running total).
    """

    plan = models.ForeignKey(
        InfusionPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="overrides"
    )
    session = models.ForeignKey(
        "InfusionSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overrides",
    )
    code = models.CharField(max_length=60)
    message = models.TextField()
    value = models.FloatField(null=True, blank=True, help_text="None for a rule, not a number.")
    limit = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=20)
    reason = models.TextField()
    prescriber = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=False) | models.Q(session__isnull=False),
                name="override_belongs_to_plan_or_session",
            )
        ]

    def __str__(self) -> str:
        return f"Override of {self.code}: {self.reason}"


# --- sessions ------------------------------------------------------------------------------


class InfusionSession(ClinicalRecord):
    """The chart of one infusion against a verified plan (see the module docstring)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="infusion_sessions")
    plan = models.ForeignKey(InfusionPlan, on_delete=models.PROTECT, related_name="sessions")
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    pre_checks = models.JSONField(default=dict, blank=True)
    pre_checks_at = models.DateTimeField(null=True, blank=True)
    pre_checks_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    delivered_mg = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Computed from the pump events, never typed.",
    )
    # Discharge (reference 3.7)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_escort = models.CharField(max_length=200, blank=True)
    discharge_basis = models.JSONField(default=dict, blank=True)
    # How the patient left: discharged (the gates above) or another documented disposition
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    disposition_at = models.DateTimeField(null=True, blank=True)
    disposition_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposition_reason = models.TextField(
        blank=True, help_text="Why and where to, for a transfer or a departure against advice."
    )
    # Controlled-substance record
    vial_lot = models.CharField(max_length=40, blank=True)
    vial_expiry = models.DateField(null=True, blank=True)
    drawn_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    wasted_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    waste_witness = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["patient", "started_at"])]

    def __str__(self) -> str:
        when = f"{self.started_at:%Y-%m-%d}" if self.started_at else "not started"
        return f"Infusion session {when} ({self.get_status_display()})"

    @property
    def is_locked(self) -> bool:
        return self.status != SessionStatus.DRAFT


class CurrentRowsManager(models.Manager):
    """Rows not marked entered in error: what every calculation, gate and export reads.

    ``with_errors`` (also the manager the session page lists from) shows them too.
    """

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(entered_in_error_at__isnull=True)


class ChartedRow(models.Model):
    """A row charted within a session: addressed by a public UUID, never deleted.

    A wrong row is marked entered in error (who, when, why) and left out of every
    calculation; the change history keeps each earlier version.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    entered_in_error_reason = models.TextField(blank=True, editable=False)

    objects = CurrentRowsManager()
    with_errors = models.Manager()  # noqa: DJ012 (managers of an abstract base)

    class Meta:
        abstract = True

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ClinicalRecordDeletionError(
            f"{type(self).__name__} {self.public_id} is clinical data: mark it entered in error."
        )


class PumpEvent(ChartedRow):
    """Start, rate change, pause, resume or stop; the delivered dose integrates these."""

    session = models.ForeignKey(
        InfusionSession, on_delete=models.PROTECT, related_name="pump_events"
    )
    at = models.DateTimeField()
    kind = models.CharField(max_length=8, choices=RateEventKind.choices)
    rate_ml_per_h = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(999)],
        help_text="The pump setting from this moment (0 for pause and stop).",
    )
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.rate_ml_per_h} mL/h"


class VitalSigns(ChartedRow):
    """One set of vitals; ``alerts`` lists the thresholds crossed and the action they call for."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="vitals")
    at = models.DateTimeField()
    systolic_mmhg = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(40), MaxValueValidator(300)]
    )
    diastolic_mmhg = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(20), MaxValueValidator(200)]
    )
    heart_rate_bpm = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    spo2_pct = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    respiratory_rate_per_min = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2), MaxValueValidator(60)]
    )
    moaas = models.PositiveSmallIntegerField(
        "MOAA/S", validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    etco2_mmhg = models.PositiveSmallIntegerField(
        "EtCO₂ (mmHg)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    alerts = models.JSONField(default=list, blank=True)
    action_taken = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"BP {self.systolic_mmhg}/{self.diastolic_mmhg}, HR {self.heart_rate_bpm}"


class SessionScore(models.Model):
    """An instrument scored by the clinical core (CADSS-6, pain NRS, modified Aldrete)."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="scores")
    instrument_id = models.CharField(max_length=40)
    phase = models.CharField(max_length=10, choices=ScorePhase.choices)
    at = models.DateTimeField()
    answers = models.JSONField()
    outputs = models.JSONField()
    steps = models.JSONField(default=list)
    version = models.CharField(max_length=80)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.instrument_id} ({self.phase})"


class AdverseEvent(ChartedRow):
    """An adverse event during or after a session."""

    session = models.ForeignKey(
        InfusionSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    at = models.DateTimeField()
    event_type = models.CharField(max_length=20, choices=AdverseEventType.choices)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    action = models.TextField()
    outcome = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} ({self.get_severity_display()})"


class SessionAmendment(models.Model):
    """A correction to a signed session: the reason, what changed (old and new), who and when."""

    session = models.ForeignKey(
        InfusionSession, on_delete=models.PROTECT, related_name="amendments"
    )
    reason = models.TextField()
    changes = models.JSONField()
    amended_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField()

    class Meta:
        ordering = ["amended_at"]

    def __str__(self) -> str:
        return f"Amendment: {self.reason}"


# --- contraindication checks ---------------------------------------------------------------


class ContraindicationCheck(ClinicalRecord):
    """The structured answers given to ``pharmacology.contraindications.check`` and its triage.

    The history part stays valid for the clinic's period (default 30 days) unless the problem or
    medication list changes after it (``history_fingerprint`` then differs). Hard stops block
    planning until overridden by a prescriber with a reason (``hard_stop_overrides``); every
    warning must be acknowledged (``acknowledged``).
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="contraindication_checks"
    )
    answers = models.JSONField()
    findings = models.JSONField()
    core_version = models.CharField(max_length=40)
    acknowledged = models.JSONField(default=list, blank=True)
    hard_stop_overrides = models.JSONField(default=dict, blank=True)
    overridden_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history_fingerprint = models.CharField(max_length=64)
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField()

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at"]
