"""The chart's timeline: assessments, checks, plans, sessions, courses and the portal's records
(questionnaires, a weekly diary summary, message activity), newest first, filterable by kind.

Each source is one function returning ``Entry`` rows from one bounded query (no per-row
queries), so the chart costs the same with 5 or 500 records and adding a source touches no
other. Scores and bands are those the clinical core stored; diary days come from the outcomes
core's ``daily_values`` (through the diary service); message bodies never appear here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from tenderpoint.web.patients.models import Patient

KINDS = {
    "assessment": "Assessments",
    "contraindication": "Contraindication checks",
    "plan": "Plans",
    "session": "Sessions",
    "course": "Courses",
    "questionnaire": "Questionnaires",
    "diary": "Diary (weekly summary)",
    "message": "Messages",
}
DIARY_WEEKS = 52  # the diary summary covers the last year
MESSAGE_ROWS = 1000  # the newest messages read to summarise thread activity


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    kind: str
    title: str
    status: str
    url: str


def timeline(patient: Patient, kind: str = "", limit: int = 200) -> list[Entry]:
    """Entries of every kind (or only ``kind``), newest first, at most ``limit``."""
    entries: list[Entry] = []
    for name, source in SOURCES.items():
        if kind in ("", name):
            entries.extend(source(patient, limit))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _assessments(patient: Patient, limit: int) -> list[Entry]:
    from tenderpoint.web.assessments.models import CriteriaAssessment

    found = []
    for a in CriteriaAssessment.objects.current().filter(patient=patient)[:limit]:
        met = [c["title"].split(" (")[0] for c in a.result["criteria"].values() if c["meets"]]
        found.append(
            Entry(
                a.assessed_at,
                "assessment",
                "Criteria assessment: " + (", ".join(met) + " met" if met else "no criterion met"),
                a.get_status_display(),
                reverse(
                    "assessments:detail",
                    kwargs={"patient_id": patient.public_id, "assessment_id": a.public_id},
                ),
            )
        )
    return found


def _checks(patient: Patient, limit: int) -> list[Entry]:
    from tenderpoint.web.infusions.models import ContraindicationCheck

    found = []
    for c in ContraindicationCheck.objects.current().filter(patient=patient)[:limit]:
        hard = sum(1 for f in c.findings if f["severity"] == "hard_stop")
        warn = len(c.findings) - hard
        found.append(
            Entry(
                c.checked_at,
                "contraindication",
                f"Contraindication check: {hard} hard stop(s), {warn} warning(s)",
                "recorded",
                reverse("console:contraindications", kwargs={"patient_id": patient.public_id}),
            )
        )
    return found


def _plans(patient: Patient, limit: int) -> list[Entry]:
    from tenderpoint.web.infusions.models import InfusionPlan

    return [
        Entry(
            p.prescribed_at,
            "plan",
            f"Plan: {p.total_dose_mg} mg {p.product}, {p.pump_rate_ml_per_h} mL/h",
            p.get_status_display(),
            reverse(
                "console:plan", kwargs={"patient_id": patient.public_id, "plan_id": p.public_id}
            ),
        )
        for p in InfusionPlan.objects.current().filter(patient=patient)[:limit]
    ]


def _sessions(patient: Patient, limit: int) -> list[Entry]:
    from tenderpoint.web.infusions.models import InfusionSession

    return [
        Entry(
            s.started_at or s.created_at,
            "session",
            f"Infusion session: {s.delivered_mg} mg given",
            s.get_status_display(),
            reverse(
                "console:session",
                kwargs={"patient_id": patient.public_id, "session_id": s.public_id},
            ),
        )
        for s in InfusionSession.objects.current().filter(patient=patient)[:limit]
    ]


def _courses(patient: Patient, limit: int) -> list[Entry]:
    from tenderpoint.web.infusions.models import Course

    return [
        Entry(
            datetime.datetime.combine(c.start_date, datetime.time.min, tzinfo=datetime.UTC),
            "course",
            f"{c.get_kind_display()}: {c.planned_infusions} infusions planned",
            c.get_status_display(),
            reverse("console:courses", kwargs={"patient_id": patient.public_id}),
        )
        for c in Course.objects.for_patient(patient)[:limit]
    ]


def _questionnaires(patient: Patient, limit: int) -> list[Entry]:
    """One entry per answered questionnaire: the stored score and band, never re-scored."""
    from tenderpoint.clinical import get_instrument
    from tenderpoint.errors import TenderpointError
    from tenderpoint.web.questionnaires.models import QuestionnaireResponse, score_and_band

    url = reverse("patients:questionnaires_staff:list", kwargs={"patient_id": patient.public_id})
    found = []
    rows = (
        QuestionnaireResponse.objects.current()
        .filter(patient=patient)
        .order_by("-submitted_at")
        .only("instrument_id", "outputs", "submitted_at")[:limit]
    )
    for r in rows:
        try:
            title = get_instrument(r.instrument_id).title
        except (KeyError, TenderpointError):
            title = r.instrument_id
        score, band = score_and_band(r.outputs)
        text = f"{title}: score {score}" if score is not None else f"{title}: answered"
        found.append(
            Entry(
                r.submitted_at,
                "questionnaire",
                text + (f" ({band})" if band else ""),
                "submitted",
                url,
            )
        )
    return found


def _diary(patient: Patient, limit: int) -> list[Entry]:
    """One entry per calendar week with diary entries (days, mean daily pain, flare days)."""
    from tenderpoint.web.diary.services import weekly_summary
    from tenderpoint.web.portal.timezones import local_now

    since = local_now(patient).date() - datetime.timedelta(weeks=DIARY_WEEKS)
    url = reverse("patients:diary_staff:list", kwargs={"patient_id": patient.public_id})
    found = []
    for week in weekly_summary(patient, since=since)[:limit]:
        pain = f"mean pain {week.mean_pain:.1f}/10" if week.mean_pain is not None else "no pain"
        found.append(
            Entry(
                week.last_recorded_at,
                "diary",
                f"Diary, week of {week.week_start:%Y-%m-%d}: {week.days_recorded} of 7 days "
                f"recorded, {pain}, {week.flare_days} flare day(s)",
                "weekly summary",
                url,
            )
        )
    return found


def _messages(patient: Patient, limit: int) -> list[Entry]:
    """One entry per clinic-local day with messages: counts by side and unread, no bodies."""
    from tenderpoint.web.messaging.models import Message

    tz = patient.clinic.tzinfo
    rows = (
        Message.objects.filter(thread__patient=patient, entered_in_error_at__isnull=True)
        .order_by("-sent_at")
        .values_list("sent_at", "from_patient", "read_at")[:MESSAGE_ROWS]
    )
    days: dict[datetime.date, dict[str, object]] = {}
    for sent_at, from_patient, read_at in rows:
        day = days.setdefault(
            sent_at.astimezone(tz).date(), {"at": sent_at, "patient": 0, "team": 0, "unread": 0}
        )
        day["patient" if from_patient else "team"] += 1  # type: ignore[operator]
        day["unread"] += 1 if read_at is None else 0  # type: ignore[operator]
    url = reverse("patients:messaging_staff:thread", kwargs={"patient_id": patient.public_id})
    return [
        Entry(
            day["at"],  # type: ignore[arg-type]
            "message",
            f"Messages: {day['patient']} from the patient, {day['team']} from the care team",
            f"{day['unread']} unread" if day["unread"] else "read",
            url,
        )
        for day in list(days.values())[:limit]
    ]


SOURCES: dict[str, Callable[[Patient, int], list[Entry]]] = {
    "assessment": _assessments,
    "contraindication": _checks,
    "plan": _plans,
    "session": _sessions,
    "course": _courses,
    "questionnaire": _questionnaires,
    "diary": _diary,
    "message": _messages,
}
assert set(SOURCES) == set(KINDS)  # noqa: S101
