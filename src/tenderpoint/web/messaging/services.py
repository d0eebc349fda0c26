"""Messages: send (patient or staff), mark read, assign and set status; notify without detail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from tenderpoint.web.accounts.choices import CARE_TEAM_ROLES
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.text import refuse_null_characters
from tenderpoint.web.messaging.models import MESSAGE_MAX_CHARS, Message, Thread, ThreadStatus
from tenderpoint.web.patients.models import Patient


def thread_for(patient: Patient) -> Thread:
    thread, _ = Thread.objects.get_or_create(patient=patient, defaults={"clinic": patient.clinic})
    return thread


def check_body(body: str) -> str:
    """The message text to store, or a ValidationError naming the body."""
    text = body.strip()
    if not text:
        raise ValidationError({"body": "Write a message before sending."}, code="required")
    refuse_null_characters("body", text)
    if len(text) > MESSAGE_MAX_CHARS:
        raise ValidationError(
            {
                "body": f"A message can be up to {MESSAGE_MAX_CHARS:,} characters; this one has "
                f"{len(text):,}."
            },
            code="max_length",
        )
    return text


def do_send_message(
    patient: Patient, *, user: Any, request: HttpRequest | None, body: str, from_patient: bool
) -> Message:
    """Store a message, reopen the thread, and e-mail the other side that one is waiting."""
    text = check_body(body)
    now = timezone.now()
    with transaction.atomic():
        thread = thread_for(patient)
        message = Message.objects.create(
            thread=thread,
            sender=user,
            from_patient=from_patient,
            body=text,
            sent_at=now,
            created_by=user,
            updated_by=user,
        )
        thread.last_message_at = now
        thread.status = ThreadStatus.OPEN if from_patient else ThreadStatus.WAITING
        thread.save(update_fields=["last_message_at", "status"])
        audit.record(Action.CREATE, request=request, user=user, obj=message, patient=patient)
        transaction.on_commit(lambda: _notify(thread, from_patient=from_patient))
    return message


def _notify(thread: Thread, *, from_patient: bool) -> None:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    clinic = thread.clinic
    if from_patient:
        recipients = [thread.assigned_to.email] if thread.assigned_to else [clinic.email]
        link = base + reverse("messaging_clinic:inbox")
    else:
        recipients = [thread.patient.email or getattr(thread.patient.user, "email", "")]
        link = base + reverse("portal:messages")
    recipients = [r for r in recipients if r]
    if recipients:
        send_mail(
            f"[{clinic.name}] You have a new message",
            f"You have a new message. Sign in to read it: {link}",
            None,
            recipients,
        )


def mark_read(thread: Thread, *, by_patient: bool) -> int:
    """Mark the other side's messages read (not audited separately: the page view is)."""
    return thread.messages.filter(from_patient=not by_patient, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_for_patient(patient: Patient) -> int:
    return Message.objects.filter(
        thread__patient=patient, from_patient=False, read_at__isnull=True
    ).count()


def inbox_for(user: Any) -> QuerySet[Thread]:
    """The threads of the patients the user may see, with unread counts."""
    return (
        Thread.objects.filter(patient__in=Patient.objects.for_user(user))
        .select_related("patient", "assigned_to")
        .annotate(
            unread=Count(
                "messages", filter=Q(messages__from_patient=True, messages__read_at__isnull=True)
            )
        )
        .order_by("-unread", "-last_message_at")
    )


def do_update_thread(
    thread: Thread,
    *,
    user: Any,
    request: HttpRequest | None,
    assigned_to: Any,
    status: str,
) -> Thread:
    """Assign to a care-team member of the same clinic and/or set the status."""
    if assigned_to is not None and (
        assigned_to.clinic != thread.clinic or assigned_to.role not in CARE_TEAM_ROLES
    ):
        raise PermissionDenied("Threads are assigned to the clinic's own care team.")
    with transaction.atomic():
        thread.assigned_to = assigned_to
        thread.status = status
        thread.save(update_fields=["assigned_to", "status"])
        audit.record(
            Action.UPDATE,
            request=request,
            user=user,
            obj=thread,
            object_id=str(thread.patient.public_id),
            patient=thread.patient,
            detail={"assigned_to": getattr(assigned_to, "email", None), "status": status},
        )
    return thread
