"""Daily diary and questionnaire-due reminders, sent by a self-rescheduling background job.

No health detail in any reminder: only a nudge and the link. Each reminder is claimed by
inserting its unique row (patient, kind, local day) before it is sent, so it is never sent
twice, even with two workers; a reminder missed while the worker was down is sent once when
the worker returns on the same local day (a reminder for a day already over is dropped).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tenderpoint.web.patients.models import Patient
from tenderpoint.web.portal import sms
from tenderpoint.web.portal.models import (
    PortalPreferences,
    ReminderChannel,
    ReminderKind,
    SentReminder,
)

logger = logging.getLogger(__name__)
TEXTS = {
    ReminderKind.DIARY: "A reminder from {clinic}: your diary for today is waiting. {link}",
    ReminderKind.QUESTIONNAIRE: "A reminder from {clinic}: a questionnaire is waiting. {link}",
}
QUESTIONNAIRE_REMINDER_TIME = datetime.time(10, 0)


def _link(name: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(name)


def _claim(patient: Patient, kind: str, day: datetime.date, channel: str) -> bool:
    try:
        with transaction.atomic():
            SentReminder.objects.create(patient=patient, kind=kind, local_date=day, channel=channel)
    except IntegrityError:
        return False
    return True


def _deliver(patient: Patient, kind: str, channel: str) -> None:
    link = _link("portal:diary" if kind == ReminderKind.DIARY else "portal:questionnaires")
    body = TEXTS[kind].format(clinic=patient.clinic.name, link=link)
    if channel == ReminderChannel.SMS and patient.phone:
        sms.send_sms(patient.phone, body)
    elif patient.email:
        send_mail(f"[{patient.clinic.name}] A reminder", body, None, [patient.email])


def _due_kinds(patient: Patient, prefs: PortalPreferences, local: datetime.datetime) -> list[str]:
    from tenderpoint.web.diary.models import DiaryEntry
    from tenderpoint.web.questionnaires.schedule import scheduled_for

    kinds = []
    today = local.date()
    if local.time() >= prefs.reminder_time and not (
        DiaryEntry.objects.filter(patient=patient, local_date=today).current().exists()
    ):
        kinds.append(ReminderKind.DIARY)
    if local.time() >= QUESTIONNAIRE_REMINDER_TIME and any(
        s.due and s.answerable for s in scheduled_for(patient, today)
    ):
        kinds.append(ReminderKind.QUESTIONNAIRE)
    return kinds


def send_due_reminders(now: datetime.datetime | None = None) -> int:
    """Send every reminder due by ``now`` and not yet sent today; returns how many were sent."""
    import zoneinfo

    now = now or timezone.now()
    sent = 0
    preferences = PortalPreferences.objects.filter(
        reminders_enabled=True, patient__user__isnull=False, patient__entered_in_error_at=None
    ).select_related("patient__clinic")
    for prefs in preferences:
        patient = prefs.patient
        zone = zoneinfo.ZoneInfo(prefs.time_zone or patient.clinic.time_zone)
        local = now.astimezone(zone)
        for kind in _due_kinds(patient, prefs, local):
            if _claim(patient, kind, local.date(), prefs.reminder_channel):
                _deliver(patient, kind, prefs.reminder_channel)
                sent += 1
    return sent
