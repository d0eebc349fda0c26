"""Background computation of clinic outcome snapshots (django-tasks, database worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def compute_outcome_snapshot(snapshot_id: int) -> str:
    """Compute one pending snapshot; returns its final status."""
    from tenderpoint.web.outcomes.models import OutcomeSnapshot
    from tenderpoint.web.outcomes.services import compute_snapshot

    snapshot = OutcomeSnapshot.objects.select_related("clinic").get(pk=snapshot_id)
    return compute_snapshot(snapshot).status
