"""Clinic outcome snapshots and the public "Our outcomes" page that publishes one.

A snapshot is computed by a background task from the clinic's records, stored with its time and
the versions of the rules that produced it, and never changed afterwards: the dashboard reads
it, the de-identified export streams it, and a published page shows it frozen at its date. Only
a snapshot a clinic administrator has reviewed can be published.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from wagtail.admin.panels import FieldPanel

from tenderpoint.web.public.models import CitedPage


class SnapshotStatus(models.TextChoices):
    PENDING = "pending", "Computing"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class OutcomeSnapshot(models.Model):
    """The clinic's aggregate outcomes for one set of filters at one moment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="outcome_snapshots"
    )
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=SnapshotStatus.choices, default=SnapshotStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    computed_at = models.DateTimeField(null=True, blank=True)
    core_version = models.CharField(max_length=200, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    patient_table = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["clinic", "requested_at"])]

    def __str__(self) -> str:
        when = f"{self.computed_at:%Y-%m-%d %H:%M} UTC" if self.computed_at else "not computed"
        reviewed = ", reviewed" if self.reviewed_at else ""
        return f"{self.clinic} outcomes, {when}{reviewed}"


class OurOutcomesPage(CitedPage):
    """The clinic's own outcomes for the public: a reviewed snapshot, frozen at its date."""

    snapshot = models.ForeignKey(
        OutcomeSnapshot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"status": SnapshotStatus.COMPLETE, "reviewed_at__isnull": False},
        help_text="Only snapshots a clinic administrator has reviewed can be chosen.",
    )

    parent_page_types = ["public.HomePage"]
    subpage_types: list[str] = []
    content_panels = [*CitedPage.content_panels, FieldPanel("snapshot")]
    template = "outcomes/our_outcomes_page.html"

    class Meta:
        verbose_name = "Our outcomes page"

    def clean(self) -> None:
        super().clean()
        if self.snapshot is not None and (
            self.snapshot.reviewed_at is None or self.snapshot.status != SnapshotStatus.COMPLETE
        ):
            raise ValidationError(
                {"snapshot": "Choose a complete snapshot that has been reviewed."}
            )

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["figures"] = self.snapshot.figures if self.snapshot else None
        context["snapshot"] = self.snapshot
        return context
