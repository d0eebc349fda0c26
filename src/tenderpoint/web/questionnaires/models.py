"""Questionnaire responses, the clinic's schedule, and PHQ-9 item-9 safety flags."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tenderpoint.web.common.models import ClinicalRecord, ClinicalRecordQuerySet

DEFAULT_ESCALATION_HOURS = 4
#: output names under which the clinical core gives an instrument's interpretation band, the
#: core's own names first (``severity_band_label`` of PHQ-9, GAD-7, ...; PGIC's
#: ``response_label``), then names older stored outputs may carry
BAND_KEYS = (
    "severity_band_label",
    "severity_band",
    "response_label",
    "immpact_category",
    "psd_category",
    "severity",
    "category",
    "band",
    "label",
)


def score_and_band(outputs: dict[str, object]) -> tuple[object, str]:
    """The headline score and its band as the clinical core stored them (never recomputed)."""
    score = outputs.get("total", outputs.get("nrs", outputs.get("response")))
    band = next((outputs[k] for k in BAND_KEYS if outputs.get(k) not in (None, "")), "")
    return score, str(band).replace("_", " ")


class Cadence(models.TextChoices):
    INDUCTION_WEEKLY = "induction_weekly", "Weekly during an induction course, then monthly"
    MONTHLY = "monthly", "Monthly"
    OPTIONAL = "optional", "Optional (patient may answer; never due)"
    OFF = "off", "Not used"


class ResponseQuerySet(ClinicalRecordQuerySet):
    def for_user(self, user: object) -> ResponseQuerySet:
        from tenderpoint.web.patients.models import Patient

        return self.filter(patient__in=Patient.objects.for_user(user))


class QuestionnaireResponse(ClinicalRecord):
    """One completed questionnaire: answers by item id, the core's outputs and explanation.

    ``instrument_version`` is the core's ``full_version`` (instrument and scoring version), so a
    stored score stays interpretable after the scoring code changes.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=80)
    answers = models.JSONField(help_text="Answers keyed by the core's item ids.")
    outputs = models.JSONField(help_text="The clinical core's named outputs.")
    explanation = models.TextField()
    submitted_at = models.DateTimeField()
    local_date = models.DateField()

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["patient", "instrument_id", "submitted_at"], name="qr_due"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.local_date}"

    @property
    def total(self) -> object:
        return self.outputs.get("total", self.outputs.get("response"))


class ScheduleRule(models.Model):
    """How often one instrument is due at a clinic (edited by the clinic administrator)."""

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.CASCADE, related_name="questionnaire_rules"
    )
    instrument_id = models.CharField(max_length=40)
    at_baseline = models.BooleanField(default=False, help_text="Due once before any answer.")
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["clinic", "instrument_id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "instrument_id"], name="one_rule_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}: {self.get_cadence_display()}"


class SafetySettings(models.Model):
    """The clinic's settings for PHQ-9 item-9 flags."""

    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.CASCADE, related_name="safety_settings"
    )
    escalation_hours = models.PositiveSmallIntegerField(
        default=DEFAULT_ESCALATION_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
        help_text="An unacknowledged flag is escalated to every clinician after this many hours.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Safety settings of {self.clinic}"


class SafetyFlagQuerySet(ClinicalRecordQuerySet):
    def open(self) -> SafetyFlagQuerySet:
        return self.filter(acknowledged_at__isnull=True, entered_in_error_at__isnull=True)


class SafetyFlag(ClinicalRecord):
    """A PHQ-9 item 9 answer above 0: raised from the raw answer, before scoring or saving.

    It stays on the staff home until a member of the care team acknowledges it with a note of
    the action taken; unacknowledged, it is escalated after the clinic's number of hours.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="safety_flags"
    )
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    instrument_id = models.CharField(max_length=40, default="phq9")
    item_id = models.CharField(max_length=40, default="item9")
    item_value = models.PositiveSmallIntegerField()
    raised_at = models.DateTimeField()
    response = models.ForeignKey(
        QuestionnaireResponse,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_flags",
        help_text="Empty when the form was not complete enough to save.",
    )
    care_team_notified_at = models.DateTimeField(null=True, blank=True)
    escalate_after = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action_note = models.TextField(blank=True)

    objects = SafetyFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"PHQ-9 item 9 flag {self.raised_at:%Y-%m-%d %H:%M}"
