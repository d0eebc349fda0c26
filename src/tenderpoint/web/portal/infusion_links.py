"""The one place the portal reads the console's courses, appointments and sessions.

Until the infusions app has those models, each function answers "nothing known", and the
weekly questionnaires fall back to monthly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Visit:
    starts_at: datetime.datetime
    what: str


def in_induction_course(patient: object, on: datetime.date) -> bool:
    """Whether ``patient`` is in an induction course on ``on``."""
    return False


def infusion_days(patient: object) -> list[datetime.date]:
    """Local dates of the patient's infusion sessions (for marking charts)."""
    return []


def next_visit(patient: object, now: datetime.datetime) -> Visit | None:
    """The patient's next booked appointment, if any."""
    return None


def session_rows(patient: object) -> list[dict[str, object]]:
    """The patient's infusion sessions as plain rows (for the exports)."""
    return []
