"""Background jobs of PHQ-9 safety flags: tell the care team now, escalate if unacknowledged.

E-mails carry no health detail: only that an urgent item is waiting and a link to sign in.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from tenderpoint.web.accounts.choices import CARE_TEAM_ROLES, Role

logger = logging.getLogger(__name__)


def _emails(clinic: object, roles: frozenset[str] | set[str]) -> list[str]:
    from tenderpoint.web.accounts.models import Membership

    return sorted(
        set(
            Membership.objects.filter(
                clinic=clinic, role__in=roles, is_active=True, user__is_active=True
            ).values_list("user__email", flat=True)
        )
    )


def _link() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("questionnaires_clinic:flags")


@task()
def notify_care_team_of_flag(flag_id: int) -> int:
    """E-mail the clinic's nurses and clinicians (and the clinic address) that a flag waits."""
    from tenderpoint.web.questionnaires.models import SafetyFlag

    flag = SafetyFlag.objects.select_related("clinic").get(pk=flag_id)
    if flag.care_team_notified_at is not None:
        return 0
    recipients = sorted(set(_emails(flag.clinic, CARE_TEAM_ROLES)) | ({flag.clinic.email} - {""}))
    send_mail(
        subject=f"[{flag.clinic.name}] Urgent: a questionnaire answer needs review today",
        message=(
            "An answer in a patient questionnaire needs a member of the care team today.\n\n"
            f"Sign in to see it: {_link()}\n\n"
            "For privacy, this e-mail contains no personal or health details."
        ),
        from_email=None,
        recipient_list=recipients,
    )
    SafetyFlag.objects.filter(pk=flag.pk).update(care_team_notified_at=timezone.now())
    return len(recipients)


@task()
def escalate_flag(flag_id: int) -> int:
    """If still unacknowledged after the clinic's hours, e-mail every clinician of the clinic."""
    from tenderpoint.web.questionnaires.models import SafetyFlag

    with transaction.atomic():
        flag = SafetyFlag.objects.select_for_update().select_related("clinic").get(pk=flag_id)
        if (
            flag.acknowledged_at is not None
            or flag.escalated_at is not None
            or flag.is_entered_in_error
            or timezone.now() < flag.escalate_after
        ):
            return 0
        SafetyFlag.objects.filter(pk=flag.pk).update(escalated_at=timezone.now())
    recipients = _emails(flag.clinic, {Role.CLINICIAN})
    send_mail(
        subject=f"[{flag.clinic.name}] ESCALATED: an urgent questionnaire answer is unacknowledged",
        message=(
            "An urgent answer in a patient questionnaire has not been acknowledged within the "
            "clinic's time limit. Every clinician of the clinic receives this message.\n\n"
            f"Sign in to see it: {_link()}\n\n"
            "For privacy, this e-mail contains no personal or health details."
        ),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)


def escalate_overdue_flags() -> int:
    """Escalate every overdue flag (the reminder tick calls this, so a job missed while the
    worker was down still runs once when it returns)."""
    from tenderpoint.web.questionnaires.models import SafetyFlag

    overdue = SafetyFlag.objects.open().filter(
        escalated_at__isnull=True, escalate_after__lte=timezone.now()
    )
    return sum(escalate_flag.call(flag_id) > 0 for flag_id in overdue.values_list("pk", flat=True))


def schedule_flag_jobs(flag: object) -> None:
    """Notify now; escalate at ``escalate_after`` (where the backend can defer a job)."""
    notify_care_team_of_flag.enqueue(flag.pk)  # type: ignore[attr-defined]
    if escalate_flag.get_backend().supports_defer:
        escalate_flag.using(run_after=flag.escalate_after).enqueue(flag.pk)  # type: ignore[attr-defined]
