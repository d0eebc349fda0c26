"""Which questionnaires are due for a patient today, by the clinic's schedule.

Default schedule (issue 9; editable by the clinic administrator): FIQR, PHQ-9, GAD-7 and ISI at
baseline; FIQR and PGIC weekly during an induction course, then monthly; the rest monthly; BPI-SF
optional. "Monthly" is every 28 days and "weekly" every 7, counted from the last answer, so a
patient who answered late is not asked twice in a few days.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tenderpoint.clinical import Instrument, get_instrument
from tenderpoint.web.portal.infusion_links import in_induction_course
from tenderpoint.web.questionnaires.models import Cadence, QuestionnaireResponse, ScheduleRule
from tenderpoint.web.questionnaires.rendering import instrument_for_patients

WEEK_DAYS = 7
MONTH_DAYS = 28

DEFAULT_RULES: dict[str, tuple[bool, str]] = {
    # instrument id: (at baseline, cadence)
    "fiqr": (True, Cadence.INDUCTION_WEEKLY),
    "phq9": (True, Cadence.MONTHLY),
    "gad7": (True, Cadence.MONTHLY),
    "isi": (True, Cadence.MONTHLY),
    "pgic": (False, Cadence.INDUCTION_WEEKLY),
    "bpi_sf": (False, Cadence.OPTIONAL),
}


@dataclass(frozen=True)
class Scheduled:
    """One instrument on a patient's list: due or not, why, and whether it can be answered here."""

    instrument: Instrument
    due: bool
    reason: str
    last_date: datetime.date | None
    answerable: bool

    @property
    def id(self) -> str:
        return self.instrument.id


def clinic_rules(clinic: object) -> dict[str, tuple[bool, str]]:
    """The clinic's rules, with the defaults for instruments it has not set."""
    rules = dict(DEFAULT_RULES)
    for rule in ScheduleRule.objects.filter(clinic=clinic):
        rules[rule.instrument_id] = (rule.at_baseline, rule.cadence)
    return {key: value for key, value in rules.items() if value[1] != Cadence.OFF}


def _interval_days(cadence: str, inducting: bool) -> int | None:
    if cadence == Cadence.INDUCTION_WEEKLY:
        return WEEK_DAYS if inducting else MONTH_DAYS
    if cadence == Cadence.MONTHLY:
        return MONTH_DAYS
    return None


def scheduled_for(patient: object, today: datetime.date) -> list[Scheduled]:
    """Every instrument the clinic schedules for the patient, due ones first."""
    last_dates: dict[str, datetime.date] = {}
    for instrument_id, local_date in (
        QuestionnaireResponse.objects.filter(patient=patient)
        .current()
        .order_by("instrument_id", "-local_date")
        .values_list("instrument_id", "local_date")
    ):
        last_dates.setdefault(instrument_id, local_date)
    inducting = in_induction_course(patient, today)
    found = []
    for instrument_id, (at_baseline, cadence) in clinic_rules(patient.clinic).items():  # type: ignore[attr-defined]
        last = last_dates.get(instrument_id)
        interval = _interval_days(cadence, inducting)
        if last is None and at_baseline:
            due, reason = True, "first time (baseline)"
        elif interval is None:
            due, reason = False, "optional: answer it whenever you like"
        elif last is None:
            due = cadence == Cadence.MONTHLY or inducting
            reason = "due" if due else "starts with your infusion course"
        else:
            next_date = last + datetime.timedelta(days=interval)
            due = today >= next_date
            reason = "due" if due else f"next on {next_date:%A %-d %B}"
        found.append(
            Scheduled(
                get_instrument(instrument_id),
                due,
                reason,
                last,
                instrument_for_patients(instrument_id) is not None,
            )
        )
    return sorted(found, key=lambda s: (not (s.due and s.answerable), s.instrument.title))
