"""Choices of the infusions app: the states of courses, appointments, plans and sessions."""

from django.db import models


class CourseKind(models.TextChoices):
    INDUCTION = "induction", "Induction course"
    BOOSTER = "booster", "Booster course"


class CourseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class AppointmentKind(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment visit"
    INFUSION = "infusion", "Infusion"
    FOLLOW_UP = "follow_up", "Follow-up"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "Did not attend"


class PlanStatus(models.TextChoices):
    """draft → verified (independent double check passed) → in use (a session charts against it)."""

    DRAFT = "draft", "Draft: awaiting double check"
    VERIFIED = "verified", "Verified"
    IN_USE = "in_use", "In use"


class SessionStatus(models.TextChoices):
    """draft → signed (read-only) → amended (a correction with a reason; original kept)."""

    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    AMENDED = "amended", "Amended"


class Disposition(models.TextChoices):
    """How the patient left the infusion suite; a session is signed only once one is recorded."""

    DISCHARGED = "discharged", "Discharged home (reference 3.7 gates met)"
    TRANSFERRED = "transferred", "Transferred to emergency care"
    LEFT_AGAINST_ADVICE = "left_against_advice", "Left against medical advice"


class RateEventKind(models.TextChoices):
    START = "start", "Start"
    CHANGE = "change", "Rate change"
    PAUSE = "pause", "Pause"
    RESUME = "resume", "Resume"
    STOP = "stop", "Stop"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    LIFE_THREATENING = "life_threatening", "Life-threatening"


class AdverseEventType(models.TextChoices):
    NAUSEA = "nausea", "Nausea or vomiting"
    DISSOCIATION = "dissociation", "Distressing dissociation or hallucinations"
    HYPERTENSION = "hypertension", "Blood pressure rise"
    TACHYCARDIA = "tachycardia", "Tachycardia"
    DESATURATION = "desaturation", "Oxygen desaturation"
    SEDATION = "sedation", "Excessive sedation"
    HEADACHE = "headache", "Headache"
    DIZZINESS = "dizziness", "Dizziness"
    ANXIETY = "anxiety", "Anxiety or agitation"
    OTHER = "other", "Other"


class ScorePhase(models.TextChoices):
    BASELINE = "baseline", "Baseline (before the infusion)"
    DURING = "during", "During the infusion"
    RECOVERY = "recovery", "Recovery (after the infusion)"
