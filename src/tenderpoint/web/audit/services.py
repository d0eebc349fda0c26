"""Writing to the audit trail: the one place events are created."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from tenderpoint.web.audit import anchoring
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.audit.models import AuditChainHead, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind N trusted proxies (``TENDERPOINT_TRUSTED_PROXY_COUNT``) it
    is the N-th address from the right of X-Forwarded-For, the last one a proxy of ours added;
    anything further left was written by the client and is not trusted."""
    if request is None:
        return None
    proxies = settings.TENDERPOINT_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: Action | str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    patient: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event, linked by hash to the one before it.

    The chain head row is updated first inside the transaction: that takes the write lock on
    SQLite (IMMEDIATE transactions) and a row lock on PostgreSQL, so concurrent writers queue
    instead of forking the chain. Called from a ``do_*`` service, the event joins that
    service's transaction (the change and its event commit together or not at all); called
    from a view for a read or a refusal, it commits on its own.
    """
    actor = user if user is not None else getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
    patient_public_id: uuid.UUID | None = None
    if patient is not None:
        patient_public_id = patient.public_id
    subject_clinic_id = _subject_clinic_id(obj, patient)
    membership = actor.membership if actor is not None else None

    with transaction.atomic():
        sequence, previous_hash = _advance_chain_head()
        event = AuditEvent(
            sequence=sequence,
            actor_id=actor.pk if actor is not None else None,
            actor_email=actor.email if actor is not None else "",
            role=actor.audit_role if actor is not None else "",
            clinic_id=membership.clinic_id if membership is not None else None,
            subject_clinic_id=subject_clinic_id,
            action=str(action),
            object_type=object_type,
            object_id=object_id,
            patient_id=patient_public_id,
            path=(request.get_full_path()[:500] if request is not None else ""),
            ip_address=client_ip(request),
            user_agent=(request.headers.get("user-agent", "")[:500] if request is not None else ""),
            detail=detail or {},
            previous_hash=previous_hash,
        )
        event.entry_hash = event.compute_hash()
        event.mac = anchoring.event_mac(event.entry_hash)
        event.save()
        _set_chain_head_hash(event.entry_hash)
        entry_hash = event.entry_hash
        transaction.on_commit(lambda: anchoring.checkpoint_after_commit(sequence, entry_hash))
    return event


# The chain head is touched by every audited request, so its two statements are written out:
# ``UPDATE ... RETURNING`` (SQLite 3.35+, PostgreSQL) takes the lock and reads the head in one
# statement, where the ORM needed an update and a ``select_for_update`` read (and compiled both).
_HEAD_TABLE = AuditChainHead._meta.db_table


def _advance_chain_head() -> tuple[int, str]:
    """Take the next sequence number and the hash it follows (in the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(_HEAD_TABLE)} "  # noqa: S608 (our table's name)
            "SET last_sequence = last_sequence + 1 WHERE id = 1 "
            "RETURNING last_sequence, last_hash"
        )
        row = cursor.fetchone()
    if row is None:  # the first event of a new database
        head = AuditChainHead.objects.create(pk=1, last_sequence=1)
        return head.last_sequence, head.last_hash
    return int(row[0]), str(row[1])


def _set_chain_head_hash(entry_hash: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(_HEAD_TABLE)} "  # noqa: S608 (our table's name)
            "SET last_hash = %s WHERE id = 1",
            [entry_hash],
        )


def _subject_clinic_id(obj: Any, patient: Any) -> int | None:
    """The clinic the record belongs to (the patient's, or the object's own ``clinic_id``)."""
    for candidate in (patient, obj):
        clinic_id = getattr(candidate, "clinic_id", None)
        if clinic_id is not None:
            return int(clinic_id)
    if obj is not None and obj.__class__.__name__ == "Clinic":
        return int(obj.pk)
    return None


def events_for_clinic(clinic: Any, *, action: str | None = None) -> QuerySet[AuditEvent]:
    """Every event at ``clinic``: by its people, and by anyone on its records (a refused
    attempt from another clinic included). Newest first."""
    events = AuditEvent.objects.filter(
        Q(clinic_id=clinic.pk) | Q(subject_clinic_id=clinic.pk)
    ).order_by("-sequence")
    if action:
        events = events.filter(action=action)
    return events


@dataclass(frozen=True)
class RedactedEvent:
    """An audit event as a clinic administrator may see it: who (patients by account
    number only), what, which record, when, from where; never the details (a search may
    hold a patient's name)."""

    sequence: int
    occurred_at: datetime.datetime
    who: str
    role: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    ip_address: str
    from_other_clinic: bool


def redact_for_clinic_admin(events: Iterable[AuditEvent]) -> list[RedactedEvent]:
    """The one place the administrator's view of the trail is redacted, so that every page
    and export built on it hides the same things."""
    labels = dict(Action.choices)
    rows = []
    for event in events:
        if event.role == "patient":
            who = f"a patient (account #{event.actor_id})"
        else:
            who = event.actor_email or "anonymous"
        rows.append(
            RedactedEvent(
                sequence=event.sequence,
                occurred_at=event.occurred_at,
                who=who,
                role=event.role,
                action=event.action,
                action_label=str(labels.get(event.action, event.action)),
                object_type=event.object_type,
                object_id=event.object_id,
                ip_address=event.ip_address or "",
                from_other_clinic=(
                    event.subject_clinic_id is not None
                    and event.clinic_id is not None
                    and event.clinic_id != event.subject_clinic_id
                ),
            )
        )
    return rows
