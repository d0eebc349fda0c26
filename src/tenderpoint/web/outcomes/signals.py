"""A charted session changes a patient's outcomes: forget their cached pages when one is saved.

Diary and questionnaire writes already bump the patient's cache version in their services; the
console's session services write through several models (the session, its pump events), so the
receivers here cover every path that changes a delivered dose or a session's times.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tenderpoint.web.infusions.models import InfusionSession, PumpEvent
from tenderpoint.web.portal import cache


def _forget(patient: Any) -> None:
    transaction.on_commit(lambda: cache.invalidate(patient))


@receiver(post_save, sender=InfusionSession, dispatch_uid="outcomes-session-saved")
def session_saved(sender: type, instance: InfusionSession, **kwargs: Any) -> None:
    _forget(instance.patient)


@receiver(post_save, sender=PumpEvent, dispatch_uid="outcomes-pump-event-saved")
def pump_event_saved(sender: type, instance: PumpEvent, **kwargs: Any) -> None:
    _forget(instance.session.patient)
