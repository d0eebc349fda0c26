"""An amendment's changes as a clinician reads them.

Amendments store their changes under machine keys (``notes``, ``vitals <public id>:
systolic_mmhg``) with the values as they were written, datetimes in UTC: a stable record.
The chart shows each change as "Vitals charted at 10:15 · Systolic (mmHg): 150 → 130", the
charted row named by its time in the clinic's zone rather than by its id, times local.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tenderpoint.web.infusions import forms
from tenderpoint.web.infusions.models import AdverseEvent, InfusionSession, PumpEvent, VitalSigns

SESSION_FIELD_LABELS = {
    "notes": "Notes",
    "discharge_escort": "Discharge escort",
    "vial_lot": "Vial lot",
    "vial_expiry": "Vial expiry",
    "drawn_mg": "Drawn (mg)",
    "wasted_mg": "Wasted (mg)",
}
_ROW_KEY = re.compile(
    r"^(?P<kind>adverse event|vitals|pump event) (?P<public_id>[0-9a-f-]{36}): (?P<field>.+)$"
)
_ROW_FIELD_LABELS = {
    "vitals": {name: f.label for name, f in forms.VitalsForm.base_fields.items()},
    "adverse event": {name: f.label for name, f in forms.AdverseEventForm.base_fields.items()},
}


@dataclass(frozen=True)
class AmendmentLine:
    row: str  # "" for the session's own fields
    field: str
    old: str
    new: str


def amendment_lines(changes: dict[str, Any], session: InfusionSession) -> list[AmendmentLine]:
    """The changes of one amendment of ``session``, in words, in their stored order."""
    charted = _charted_times(session)
    lines = []
    for key, change in changes.items():
        old, new = _shown(change.get("old")), _shown(change.get("new"))
        match = _ROW_KEY.match(key)
        if match is None:
            lines.append(AmendmentLine("", SESSION_FIELD_LABELS.get(key, key), old, new))
            continue
        kind, field = match["kind"], match["field"]
        at = charted.get(match["public_id"])
        row = f"{kind.capitalize()} charted at {timezone.localtime(at):%H:%M}" if at else kind
        if field == "entered in error":
            label = "Entered in error"
        else:
            label = str(
                _ROW_FIELD_LABELS.get(kind, {}).get(field) or field.replace("_", " ").capitalize()
            )
        lines.append(AmendmentLine(row, label, old, new))
    return lines


def _charted_times(session: InfusionSession) -> dict[str, datetime.datetime]:
    times: dict[str, datetime.datetime] = {}
    for model in (VitalSigns, AdverseEvent, PumpEvent):
        for public_id, at in model.with_errors.filter(session=session).values_list(
            "public_id", "at"
        ):
            times[str(public_id)] = at
    return times


def _shown(value: Any) -> str:
    """A stored value as text; a stored UTC datetime in the clinic's zone."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?.*", value):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    return str(value)
