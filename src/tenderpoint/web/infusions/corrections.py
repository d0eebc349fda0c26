"""Correcting what was charted in a session: adverse events, vitals and pump events.

The rules (service layer, whatever the caller):

- while the session is a **draft**, the care team edits an adverse event or a set of vitals
  in place (the change history keeps the earlier version) or marks it entered in error with a
  reason; nothing is deleted. Vitals edited in place are re-checked against the clinic's alert
  thresholds, as when first charted.
- a **pump event** is never edited in place: each one was checked against the hard limits
  given the events before it, so changing one in the middle would leave later checks
  unfounded. Only the latest current event can be marked entered in error (undo, repeatable);
  the delivered dose, start and end are then recomputed from the events left (not once
  the patient has left: discharge or another disposition closes the pump record).
- once the session is **signed**, every direct edit raises ``RecordLockedError``. A clinician
  corrects an adverse event or vitals through an amendment (``do_amend_row``): the reason and
  each old and new value are kept in a ``SessionAmendment`` and the session becomes
  "amended". Pump events of a signed session are not amended: the delivered dose was signed
  together with the controlled-substance record; a discrepancy is written in an amendment of
  the notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.infusions import services
from tenderpoint.web.infusions.choices import RateEventKind, SessionStatus
from tenderpoint.web.infusions.models import (
    AdverseEvent,
    ChartedRow,
    InfusionSession,
    PumpEvent,
    SessionAmendment,
    VitalSigns,
)

AE_FIELDS = ("at", "event_type", "severity", "description", "action", "outcome")
VITALS_FIELDS = (
    "at",
    "systolic_mmhg",
    "diastolic_mmhg",
    "heart_rate_bpm",
    "spo2_pct",
    "respiratory_rate_per_min",
    "moaas",
    "etco2_mmhg",
    "action_taken",
)
LABELS = {AdverseEvent: "adverse event", VitalSigns: "vitals", PumpEvent: "pump event"}


def find_row(session: InfusionSession, kind: str, public_id: Any) -> ChartedRow:
    """A charted row of ``session`` by kind and public id (in error or not); 404 otherwise."""
    from django.http import Http404

    model = {"adverse": AdverseEvent, "vitals": VitalSigns, "pump": PumpEvent}.get(kind)
    if model is None:
        raise Http404("Unknown kind of charted row.")
    try:
        return model.with_errors.get(session=session, public_id=public_id)
    except (model.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such row in this session.") from None


def _require_current(row: ChartedRow) -> None:
    if row.is_entered_in_error:
        raise ValidationError({"__all__": ["This entry was marked entered in error."]})


def _changed(row: ChartedRow, changes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        key: {"old": services._plain(getattr(row, key)), "new": services._plain(value)}
        for key, value in changes.items()
        if getattr(row, key) != value
    }


def _apply(row: ChartedRow, changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        setattr(row, key, value)
    if isinstance(row, VitalSigns):
        readings = {k: getattr(row, k) for k in VITALS_FIELDS if k not in ("at", "action_taken")}
        row.alerts = services.check_vitals(row.session, readings, row.action_taken)
    row.full_clean()
    row.save()


def _allowed(row: ChartedRow, changes: Mapping[str, Any]) -> None:
    fields = AE_FIELDS if isinstance(row, AdverseEvent) else VITALS_FIELDS
    if isinstance(row, PumpEvent):
        raise ValidationError(
            {"__all__": ["A pump event is not edited; mark the latest one entered in error."]}
        )
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationError({"__all__": [f"Not editable: {', '.join(sorted(unknown))}."]})


@transaction.atomic
def do_edit_row(
    row: ChartedRow, *, user: Any, changes: Mapping[str, Any], request: Any = None
) -> ChartedRow:
    """Edit an adverse event or vitals of a draft session in place (history keeps the old)."""
    services.check_can_chart(user, row.session.patient)
    session = services._locked_session(row.session)
    row = type(row).with_errors.select_for_update().get(pk=row.pk)
    _require_current(row)
    _allowed(row, changes)
    diff = _changed(row, changes)
    if not diff:
        raise ValidationError({"__all__": ["Nothing changed."]})
    _apply(row, changes)
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"edited": LABELS[type(row)], "row": str(row.public_id), "fields": sorted(diff)},
    )
    return row


def _mark(row: ChartedRow, user: Any, reason: str) -> None:
    row.entered_in_error_at = timezone.now()
    row.entered_in_error_by = user
    row.entered_in_error_reason = reason
    row.save(
        update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]
    )


def _recompute_pump_totals(session: InfusionSession, user: Any) -> None:
    """Start, end and delivered dose from the current pump events (after an undo)."""
    events = list(session.pump_events.all())
    starts = [e.at for e in events if e.kind == RateEventKind.START]
    stops = [e.at for e in events if e.kind == RateEventKind.STOP]
    session.started_at = starts[0] if starts else None
    session.ended_at = stops[-1] if stops else None
    if events:
        until = session.ended_at or timezone.now()
        session.delivered_mg = Decimal(f"{services.delivered_now(session, until).total_mg:.2f}")
    else:
        session.delivered_mg = Decimal("0")
    session.updated_by = user
    session.save()


@transaction.atomic
def do_mark_row_in_error(
    row: ChartedRow, *, user: Any, reason: str, request: Any = None
) -> ChartedRow:
    """Mark a row of a draft session entered in error (never deleted; left out of every sum)."""
    services.check_can_chart(user, row.session.patient)
    session = services._locked_session(row.session)
    row = type(row).with_errors.select_for_update().get(pk=row.pk)
    _require_current(row)
    if not reason.strip():
        raise ValidationError({"reason": ["Say why this entry is in error."]})
    if isinstance(row, PumpEvent):
        latest = session.pump_events.order_by("-at", "-pk").first()
        if latest is None or latest.pk != row.pk:
            raise ValidationError(
                {"__all__": ["Only the latest pump event can be marked entered in error."]}
            )
        if session.disposition:
            raise ValidationError(
                {"__all__": ["The patient has left the suite; the pump record is closed."]}
            )
    _mark(row, user, reason.strip())
    if isinstance(row, PumpEvent):
        _recompute_pump_totals(session, user)
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"entered_in_error": LABELS[type(row)], "row": str(row.public_id)},
    )
    return row


@transaction.atomic
def do_amend_row(
    row: ChartedRow,
    *,
    user: Any,
    reason: str,
    changes: Mapping[str, Any] | None = None,
    entered_in_error: bool = False,
    request: Any = None,
) -> SessionAmendment:
    """Correct an adverse event or vitals of a signed session by amendment (clinicians only)."""
    services.check_can_sign(user, row.session.patient)
    session = InfusionSession.objects.select_for_update().get(pk=row.session.pk)
    if session.status == SessionStatus.DRAFT:
        raise ValidationError({"__all__": ["A draft is edited directly, not amended."]})
    if not reason.strip():
        raise ValidationError({"reason": ["An amendment needs a reason."]})
    row = type(row).with_errors.select_for_update().get(pk=row.pk)
    _require_current(row)
    label = f"{LABELS[type(row)]} {row.public_id}"
    if isinstance(row, PumpEvent):
        raise ValidationError(
            {
                "__all__": [
                    "Pump events of a signed session are not amended (the delivered dose was "
                    "signed with the controlled-substance record); amend the notes instead."
                ]
            }
        )
    if entered_in_error:
        diff = {f"{label}: entered in error": {"old": "no", "new": "yes"}}
        _mark(row, user, reason.strip())
    else:
        _allowed(row, changes or {})
        diff = {f"{label}: {k}": v for k, v in _changed(row, changes or {}).items()}
        if not diff:
            raise ValidationError({"__all__": ["Nothing changed."]})
        _apply(row, changes or {})
    session.status = SessionStatus.AMENDED
    session.updated_by = user
    session.save()
    amendment = SessionAmendment.objects.create(
        session=session,
        reason=reason.strip(),
        changes=diff,
        amended_by=user,
        amended_at=timezone.now(),
    )
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=session,
        patient=session.patient,
        detail={"transition": "amended", "row": label, "fields": sorted(diff)},
    )
    return amendment
