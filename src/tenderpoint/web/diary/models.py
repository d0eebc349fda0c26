"""The daily symptom diary: one row per entry, several a day, in the outcomes core's contract."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from tenderpoint.web.common.models import ClinicalRecord, ClinicalRecordQuerySet

NOTE_MAX_CHARS = 2000
SCORE_MIN, SCORE_MAX = 0, 10


def _score(required: bool) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=not required,
        blank=not required,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        help_text="0–10, 10 the worst (outcomes core diary contract).",
    )


class DiaryEntryQuerySet(ClinicalRecordQuerySet):
    def for_user(self, user: object) -> DiaryEntryQuerySet:
        """Entries of the patients ``user`` may see (the one access rule)."""
        from tenderpoint.web.patients.models import Patient

        return self.filter(patient__in=Patient.objects.for_user(user))


class DiaryEntry(ClinicalRecord):
    """One diary entry: six 0–10 scores (10 worst), a flare mark, a note and pain areas.

    ``local_date`` is the patient's own calendar date when the entry was made, in the time zone
    stored beside it; ``recorded_at`` is UTC. Entries are corrected the same local day only,
    afterwards marked entered in error (the history keeps every version).
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="diary_entries"
    )
    recorded_at = models.DateTimeField()
    local_date = models.DateField()
    time_zone = models.CharField(max_length=64)
    pain = _score(required=True)
    fatigue = _score(required=False)
    sleep_quality = _score(required=False)
    fog = _score(required=False)
    mood = _score(required=False)
    headache = _score(required=False)
    flare = models.BooleanField(default=False)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_CHARS)])
    pain_areas = models.JSONField(default=list, blank=True, help_text="WPI area ids.")

    objects = DiaryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["patient", "local_date"], name="diary_patient_day")]
        verbose_name_plural = "diary entries"

    def __str__(self) -> str:
        return f"Diary entry {self.local_date} (pain {self.pain})"
