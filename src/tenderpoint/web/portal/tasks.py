"""The portal's periodic job: reminders and overdue-flag escalation, every few minutes."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

TICK = datetime.timedelta(minutes=5)


@task()
def portal_tick() -> int:
    """Send due reminders, escalate overdue flags, and schedule the next tick."""
    from tenderpoint.web.portal.reminders import send_due_reminders
    from tenderpoint.web.questionnaires.tasks import escalate_overdue_flags

    sent = send_due_reminders()
    escalate_overdue_flags()
    ensure_tick_scheduled(after=timezone.now() + TICK)
    return sent


def ensure_tick_scheduled(after: datetime.datetime | None = None) -> None:
    """Queue the next tick unless one is already waiting (database backend only)."""
    backend = portal_tick.get_backend()
    if not backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=portal_tick.module_path, status="READY"
    ).exists()
    if not waiting:
        portal_tick.using(run_after=after or timezone.now()).enqueue()


@task()
def refresh_cached(patient_public_id: str, name: str) -> None:
    """Rebuild a patient's cached page ``name`` (``portal.cache.latest``) after a write."""
    from tenderpoint.web.patients.models import Patient
    from tenderpoint.web.portal import cache, progress_page  # noqa: F401  (registers the page)
    from tenderpoint.web.portal.timezones import local_now

    patient = Patient.objects.filter(public_id=patient_public_id).first()
    if patient is None:
        return
    try:
        cache.refresh(patient, name, local_now(patient).date())
    finally:
        cache.refresh_finished(patient, name)
