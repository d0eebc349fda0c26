"""Secure messages between a patient and their care team: one thread per patient."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tenderpoint.web.common.models import ClinicalRecord

MESSAGE_MAX_CHARS = 5000


class ThreadStatus(models.TextChoices):
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting for the patient"
    CLOSED = "closed", "Closed"


class Thread(models.Model):
    """The conversation of one patient with their clinic; assignment and status are the inbox's."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="message_thread"
    )
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=ThreadStatus.choices, default="open")
    last_message_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-last_message_at"]

    def __str__(self) -> str:
        return f"Messages of patient {self.patient_id}"


class Message(ClinicalRecord):
    """One message; ``read_at`` is when the other side first opened it."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_patient = models.BooleanField()
    body = models.TextField(validators=[MaxLengthValidator(MESSAGE_MAX_CHARS)])
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"Message {self.sent_at:%Y-%m-%d %H:%M}"
