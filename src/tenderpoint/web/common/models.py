"""The abstract base of every clinical record."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ClinicalRecordDeletionError(Exception):
    """Clinical data is corrected or marked entered-in-error, never deleted."""


class ClinicalRecordQuerySet(models.QuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise ClinicalRecordDeletionError(
            "Clinical records are not deleted; mark them entered in error instead."
        )

    def current(self) -> ClinicalRecordQuerySet:
        """Records not marked entered in error."""
        return self.filter(entered_in_error_at__isnull=True)


class ClinicalRecord(models.Model):
    """Public UUID, who created and changed it and when, change history, no hard delete.

    The integer key stays internal; URLs, exports and audit events use ``public_id``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    entered_in_error_reason = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ClinicalRecordDeletionError(
            f"{type(self).__name__} {self.public_id} is clinical data: mark it entered in error."
        )

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None
