"""Questionnaire writes: submit a scored response; raise, acknowledge and escalate safety flags."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tenderpoint.clinical import Instrument, ScoreResult, get_instrument
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.text import refuse_null_characters
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.portal import cache as portal_cache
from tenderpoint.web.portal.timezones import local_now
from tenderpoint.web.questionnaires.models import (
    DEFAULT_ESCALATION_HOURS,
    QuestionnaireResponse,
    SafetyFlag,
    SafetySettings,
)

#: instrument id -> (item id, lowest answer that raises the flag): PHQ-9 item 9 above 0.
SAFETY_ITEMS: dict[str, tuple[str, int]] = {"phq9": ("item9", 1)}
#: a flag re-raised on a corrected resubmission within this window is the same flag
SAME_FLAG_WINDOW = datetime.timedelta(hours=2)


def safety_answer(instrument_id: str, data: Mapping[str, Any]) -> int | None:
    """The raw answer of the instrument's safety item when it raises a flag, else None.

    Read from the posted form before any scoring or saving, so an incomplete or invalid form
    (item 4 blank, say) still raises it.
    """
    if instrument_id not in SAFETY_ITEMS:
        return None
    item_id, threshold = SAFETY_ITEMS[instrument_id]
    raw = str(data.get(item_id, "") or "").strip()
    # Only an answer the item offers counts (a tampered "4" is a form problem, not a flag).
    offered = {str(o.value): o.value for o in get_instrument(instrument_id).item(item_id).options}
    value = offered.get(raw)
    return value if isinstance(value, int) and value >= threshold else None


def escalation_hours(clinic: Any) -> int:
    hours = SafetySettings.objects.filter(clinic=clinic).values_list("escalation_hours", flat=True)
    return hours.first() or DEFAULT_ESCALATION_HOURS


def do_raise_safety_flag(
    patient: Patient,
    *,
    value: int,
    user: Any,
    request: HttpRequest | None,
    instrument_id: str = "phq9",
    now: datetime.datetime | None = None,
) -> SafetyFlag:
    """Raise (or, on a resubmission within the window, reuse) an open flag; tell the team."""
    from tenderpoint.web.questionnaires import tasks

    now = now or timezone.now()
    item_id = SAFETY_ITEMS[instrument_id][0]
    with transaction.atomic():
        flag = (
            SafetyFlag.objects.open()
            .filter(patient=patient, instrument_id=instrument_id, response__isnull=True)
            .filter(raised_at__gte=now - SAME_FLAG_WINDOW)
            .first()
        )
        if flag is not None:
            if value > flag.item_value:
                flag.item_value = value
                flag.save(update_fields=["item_value", "updated_at"])
            return flag
        flag = SafetyFlag.objects.create(
            patient=patient,
            clinic=patient.clinic,
            instrument_id=instrument_id,
            item_id=item_id,
            item_value=value,
            raised_at=now,
            escalate_after=now + datetime.timedelta(hours=escalation_hours(patient.clinic)),
            created_by=user,
            updated_by=user,
        )
        audit.record(
            Action.CREATE,
            request=request,
            user=user,
            obj=flag,
            patient=patient,
            detail={"safety_flag": instrument_id},
        )
        transaction.on_commit(lambda: tasks.schedule_flag_jobs(flag))
    return flag


def do_submit_response(
    patient: Patient,
    *,
    instrument: Instrument,
    answers: Mapping[str, Any],
    result: ScoreResult,
    user: Any,
    request: HttpRequest | None,
    now: datetime.datetime | None = None,
) -> QuestionnaireResponse:
    """Store the answers with the core's outputs, explanation and version; link an open flag."""
    moment = local_now(patient, now)
    with transaction.atomic():
        response = QuestionnaireResponse.objects.create(
            patient=patient,
            instrument_id=instrument.id,
            instrument_version=instrument.full_version,
            answers=dict(answers),
            outputs=result.as_dict(),
            explanation=result.explanation,
            submitted_at=moment,
            local_date=moment.date(),
            created_by=user,
            updated_by=user,
        )
        SafetyFlag.objects.filter(
            patient=patient, instrument_id=instrument.id, response__isnull=True
        ).open().update(response=response)
        audit.record(Action.CREATE, request=request, user=user, obj=response, patient=patient)
        transaction.on_commit(lambda: portal_cache.invalidate(patient))
    return response


def do_acknowledge_flag(
    flag: SafetyFlag, *, user: Any, request: HttpRequest | None, action_note: str
) -> SafetyFlag:
    """Acknowledge with a note of the action taken (a screen done, a call made); who and when."""
    note = action_note.strip()
    if not note:
        raise ValidationError(
            {"action_note": "Write what was done (for example: C-SSRS screen, call made)."},
            code="required",
        )
    refuse_null_characters("action_note", note)
    if flag.acknowledged_at is not None:
        raise ValidationError("This flag was already acknowledged.", code="already_acknowledged")
    with transaction.atomic():
        flag.acknowledged_at = timezone.now()
        flag.acknowledged_by = user
        flag.action_note = note
        flag.updated_by = user
        flag.save()
        audit.record(
            Action.UPDATE,
            request=request,
            user=user,
            obj=flag,
            patient=flag.patient,
            detail={"acknowledged": True},
        )
    return flag


def open_flags_for(user: Any) -> list[SafetyFlag]:
    """Unacknowledged flags of the patients the user may see (the one access rule)."""
    return list(
        SafetyFlag.objects.open()
        .filter(patient__in=Patient.objects.for_user(user))
        .select_related("patient")
        .order_by("raised_at")
    )
