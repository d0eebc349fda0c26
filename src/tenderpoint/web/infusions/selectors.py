"""Read-only questions other apps ask of courses, appointments and sessions.

The portal ("next visit", the weekly questionnaire schedule during an induction course,
progress and export) and the outcomes pages call these instead of querying the models, so the
rules (what counts as a course, which sessions are valid) live in one place.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from tenderpoint.web.infusions.choices import (
    AppointmentStatus,
    CourseKind,
    CourseStatus,
    SessionStatus,
)
from tenderpoint.web.infusions.models import Appointment, Course, InfusionSession
from tenderpoint.web.patients.models import Patient


def next_appointment(patient: Patient, now: datetime.datetime) -> Appointment | None:
    """The patient's next booked appointment at or after ``now`` (UTC), if any."""
    return (
        Appointment.objects.current()
        .filter(
            patient=patient,
            starts_at__gte=now,
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED],
        )
        .order_by("starts_at")
        .first()
    )


def courses(patient: Patient) -> QuerySet[Course]:
    """Every course of the patient (not entered in error), newest first."""
    return Course.objects.for_patient(patient).order_by("-start_date", "-pk")


def course_on(patient: Patient, day: datetime.date) -> Course | None:
    """The planned or active course running on ``day`` (start ≤ day ≤ end, open end allowed)."""
    for course in courses(patient).filter(
        start_date__lte=day, status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
    ):
        if course.end_date is None or course.end_date >= day:
            return course
    return None


def in_induction_course(patient: Patient, day: datetime.date) -> bool:
    """True while an induction course runs: the portal then asks its questionnaires weekly."""
    course = course_on(patient, day)
    return course is not None and course.kind == CourseKind.INDUCTION


def valid_sessions(patient: Patient) -> QuerySet[InfusionSession]:
    """Signed or amended sessions (drafts are not yet a record), oldest first."""
    return (
        InfusionSession.objects.current()
        .filter(patient=patient, status__in=[SessionStatus.SIGNED, SessionStatus.AMENDED])
        .select_related("plan", "course")
        .order_by("started_at")
    )
