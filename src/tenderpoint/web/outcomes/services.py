"""Snapshot state changes: request (queues the task), compute (the task), review for publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.outcomes.dashboard import Filters, compute_snapshot_figures
from tenderpoint.web.outcomes.models import OutcomeSnapshot, SnapshotStatus


def do_request_snapshot(
    clinic: Any, *, user: Any, request: HttpRequest | None, filters: Filters
) -> OutcomeSnapshot:
    """Store a pending snapshot and queue its computation (after the commit)."""
    from tenderpoint.web.outcomes.tasks import compute_outcome_snapshot

    with transaction.atomic():
        snapshot = OutcomeSnapshot.objects.create(
            clinic=clinic, filters=filters.as_dict(), requested_by=user, requested_at=timezone.now()
        )
        audit.record(
            Action.CREATE, request=request, user=user, obj=snapshot, detail=filters.as_dict()
        )
        transaction.on_commit(lambda: compute_outcome_snapshot.enqueue(snapshot.pk))
    return snapshot


def _open_safety_flags(clinic: Any) -> int:
    from tenderpoint.web.questionnaires.models import SafetyFlag

    return SafetyFlag.objects.current().filter(clinic=clinic, acknowledged_at__isnull=True).count()


def compute_snapshot(snapshot: OutcomeSnapshot, today: dt.date | None = None) -> OutcomeSnapshot:
    """Fill a pending snapshot once; a complete one is never recomputed (it is frozen)."""
    if snapshot.status == SnapshotStatus.COMPLETE:
        return snapshot
    clinic = snapshot.clinic
    day = today or timezone.now().astimezone(clinic.tzinfo).date()
    try:
        figures, table, version = compute_snapshot_figures(
            clinic, Filters.from_dict(snapshot.filters), day, _open_safety_flags(clinic)
        )
    except Exception as error:  # noqa: BLE001  (stored and shown; the worker must not die)
        snapshot.status = SnapshotStatus.FAILED
        snapshot.error = f"{type(error).__name__}: {error}"[:2000]
    else:
        snapshot.status = SnapshotStatus.COMPLETE
        snapshot.figures, snapshot.patient_table, snapshot.core_version = figures, table, version
    snapshot.computed_at = timezone.now()
    snapshot.save()
    return snapshot


def do_review_snapshot(
    snapshot: OutcomeSnapshot, *, user: Any, request: HttpRequest | None
) -> OutcomeSnapshot:
    """A clinic administrator marks a complete snapshot as reviewed, so it may be published."""
    if snapshot.status != SnapshotStatus.COMPLETE:
        raise PermissionDenied("Only a complete snapshot can be reviewed.")
    if user.role != "clinic_admin" or user.clinic != snapshot.clinic:
        raise PermissionDenied("Only the clinic's administrator reviews a snapshot for publishing.")
    with transaction.atomic():
        snapshot.reviewed_by, snapshot.reviewed_at = user, timezone.now()
        snapshot.save(update_fields=["reviewed_by", "reviewed_at"])
        audit.record(
            Action.UPDATE, request=request, user=user, obj=snapshot, detail={"reviewed": True}
        )
    return snapshot
