"""The one place the portal reads the console's courses, appointments and sessions.

Everything goes through ``infusions.selectors`` (the console's read-only questions), so the
rules of what counts as a course or a valid session live there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from tenderpoint.web.infusions import selectors


@dataclass(frozen=True)
class Visit:
    starts_at: datetime.datetime
    what: str


def in_induction_course(patient: Any, on: datetime.date) -> bool:
    """Whether ``patient`` is in an induction course on ``on`` (weekly questionnaires then)."""
    return selectors.in_induction_course(patient, on)


def infusion_days(patient: Any) -> list[datetime.date]:
    """Local dates (the patient's clinic's time zone) of their signed infusion sessions."""
    zone = patient.clinic.tzinfo
    return sorted(
        {
            started.astimezone(zone).date()
            for started in selectors.valid_sessions(patient).values_list("started_at", flat=True)
            if started is not None
        }
    )


def next_visit(patient: Any, now: datetime.datetime) -> Visit | None:
    """The patient's next booked appointment, if any."""
    appointment = selectors.next_appointment(patient, now)
    if appointment is None:
        return None
    return Visit(appointment.starts_at, appointment.get_kind_display())


def session_rows(patient: Any) -> list[dict[str, object]]:
    """The patient's signed infusion sessions as plain rows (for the exports)."""
    return [
        {
            "id": session.public_id,
            "date": session.started_at.astimezone(patient.clinic.tzinfo).date()
            if session.started_at
            else "",
            "start": session.started_at.isoformat() if session.started_at else "",
            "end": session.ended_at.isoformat() if session.ended_at else "",
            "delivered_mg": session.delivered_mg,
        }
        for session in selectors.valid_sessions(patient)
    ]
