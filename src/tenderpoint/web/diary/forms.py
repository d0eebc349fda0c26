"""The diary entry form: the outcomes core's six scores, flare, note and WPI pain areas."""

from __future__ import annotations

from typing import Any

from django import forms

from tenderpoint.clinical.body import WPI_AREAS
from tenderpoint.outcomes.contracts import SCORE_COLUMNS
from tenderpoint.web.diary.models import NOTE_MAX_CHARS, SCORE_MAX, SCORE_MIN

SCALES: dict[str, tuple[str, str, str]] = {
    # field: (question, meaning of 0, meaning of 10); 10 is always the worst (core contract)
    "pain": ("How bad is your pain right now?", "no pain", "worst pain you can imagine"),
    "fatigue": ("How tired do you feel?", "not tired", "completely exhausted"),
    "sleep_quality": ("How did you wake up today?", "rested", "very tired"),
    "fog": ("How foggy is your thinking?", "clear", "very foggy"),
    "mood": ("How low is your mood?", "not low at all", "very low"),
    "headache": ("How bad is your headache?", "no headache", "worst headache"),
}
assert tuple(SCALES) == SCORE_COLUMNS  # noqa: S101  (the form follows the core's contract)

SCORE_CHOICES = [(value, str(value)) for value in range(SCORE_MIN, SCORE_MAX + 1)]
AREA_CHOICES = [(area.id, area.label) for area in WPI_AREAS]


class DiaryEntryForm(forms.Form):
    """Every field is checked and every problem named; nothing typed is dropped on a 422."""

    flare = forms.BooleanField(required=False, label="I am having a flare")
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_CHARS}),
        label="Anything else (optional)",
    )
    pain_areas = forms.MultipleChoiceField(
        required=False,
        choices=AREA_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label="Where does it hurt?",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (question, low, high) in SCALES.items():
            self.fields[name] = forms.TypedChoiceField(
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                label=question,
                error_messages={
                    "required": f"Choose a number from 0 ({low}) to 10 ({high}).",
                    "invalid_choice": "Choose one of the numbers 0 to 10.",
                },
            )
            self.fields[name].anchors = (low, high)  # type: ignore[attr-defined]
        self.order_fields([*SCALES, "flare", "pain_areas", "note"])

    @property
    def scales(self) -> list[forms.BoundField]:
        return [self[name] for name in SCALES]


def initial_from(entry: Any) -> dict[str, Any]:
    """Answers to pre-fill the form with: the patient's last entry (note left empty)."""
    if entry is None:
        return {}
    initial: dict[str, Any] = {name: getattr(entry, name) for name in SCALES}
    initial["pain_areas"] = list(entry.pain_areas)
    return initial
