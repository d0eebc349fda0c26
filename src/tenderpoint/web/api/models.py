"""System clients of the FHIR API and Bulk Data export jobs.

Tokens themselves are django-oauth-toolkit's ``AccessToken`` rows; a personal token (issued on
the security page or by ``issue_api_token``) has no application, a system client's token has
the client's application.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from oauth2_provider.models import Application

from tenderpoint.web.accounts.models import Clinic

USER = settings.AUTH_USER_MODEL


class SystemClient(models.Model):
    """A backend system (an EHR, a registry) that holds ``system/*.read`` for one clinic.

    A clinic administrator registers it; it reads nothing until a clinician of the same clinic
    approves it, and stops the moment that approval is withdrawn or the clinician leaves.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="system_client"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="system_clients")
    name = models.CharField(max_length=200)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.clinic})"


class ExportStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    RUNNING = "running", "Running"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class BulkExport(models.Model):
    """One ``$export`` request: what was asked, by whom, and the NDJSON files it produced.

    Files live under ``<data dir>/exports/<public_id>/`` and expire 24 h after completion
    (``purge_expired_exports`` deletes them; the row stays as the record of the export).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        SystemClient, null=True, blank=True, on_delete=models.PROTECT, related_name="exports"
    )
    request_url = models.CharField(max_length=1000)
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.ACCEPTED
    )
    requested_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    output = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Export {self.public_id} ({self.status})"
