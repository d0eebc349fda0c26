"""The patient's own portal settings and the record of reminders sent."""

from __future__ import annotations

import datetime

from django.db import models
from simple_history.models import HistoricalRecords

from tenderpoint.web.accounts.models import validate_time_zone


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message (SMS)"


class PortalPreferences(models.Model):
    """Reminder time and channel, opt-out, and the patient's own time zone."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="portal_preferences"
    )
    reminders_enabled = models.BooleanField("send me reminders", default=True)
    reminder_time = models.TimeField(
        "diary reminder time", default=datetime.time(20, 0), help_text="Your local time."
    )
    reminder_channel = models.CharField(
        max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Leave empty to use the clinic's time zone.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Portal preferences of patient {self.patient_id}"


class ReminderKind(models.TextChoices):
    DIARY = "diary", "Diary"
    QUESTIONNAIRE = "questionnaire", "Questionnaire due"


class SentReminder(models.Model):
    """One reminder per patient, kind and local day: the unique row makes a resend impossible."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    local_date = models.DateField()
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind", "local_date"], name="one_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder {self.local_date}"
