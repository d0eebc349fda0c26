"""The append-only audit trail, chained by hashes so that a changed or missing row shows."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.db import models
from django.utils import timezone

from tenderpoint.web.audit.choices import Action

GENESIS_HASH = "0" * 64


class AuditTrailIsAppendOnly(Exception):
    """Audit events are never changed or deleted through the application."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly("Audit events cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly("Audit events cannot be updated.")


class AuditEvent(models.Model):
    """Who did what to which record, when, from where. Written by ``audit.services.record``.

    ``sequence`` numbers events without gaps and ``entry_hash`` covers the event's fields and
    the previous event's hash, so ``verify_audit`` can find an edited, inserted or deleted row.
    Actor and patient are kept as plain identifiers rather than foreign keys, so no later
    change to a user or patient row can alter or cascade into the trail.
    """

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    actor_email = models.CharField(max_length=254, blank=True, editable=False)
    role = models.CharField(max_length=20, blank=True, editable=False)
    clinic_id = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    #: the clinic of the record acted on (a patient's, a contact request's), when it differs
    #: from nothing: a refused attempt from another clinic shows in both clinics' trails
    subject_clinic_id = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    action = models.CharField(max_length=20, choices=Action.choices, editable=False)
    object_type = models.CharField(max_length=100, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    patient_id = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    path = models.CharField(max_length=500, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    user_agent = models.CharField(max_length=500, blank=True, editable=False)
    detail = models.JSONField(default=dict, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, unique=True, editable=False)
    #: HMAC-SHA256 of ``entry_hash`` with TENDERPOINT_AUDIT_KEY (see ``anchoring``)
    mac = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["clinic_id", "-occurred_at"])]

    def __str__(self) -> str:
        return (
            f"#{self.sequence} {self.actor_email or 'anonymous'} {self.action} {self.object_type}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def hashed_fields(self) -> dict[str, Any]:
        """The fields the hash covers, in a canonical JSON-ready form. Fields added later are
        covered when set, so the hashes of events written before them stay valid."""
        fields = {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.astimezone(datetime.UTC).isoformat(),
            "actor_id": self.actor_id,
            "actor_email": self.actor_email,
            "role": self.role,
            "clinic_id": self.clinic_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "patient_id": str(self.patient_id) if self.patient_id else None,
            "path": self.path,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "detail": self.detail,
            "previous_hash": self.previous_hash,
        }
        if self.subject_clinic_id is not None:
            fields["subject_clinic_id"] = self.subject_clinic_id
        return fields

    def compute_hash(self) -> str:
        payload = json.dumps(self.hashed_fields(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AuditChainHead(models.Model):
    """One row holding the last sequence number and hash; writers lock it to extend the chain."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return f"audit head at #{self.last_sequence}"
