"""The visitors' self-check: the 2016 criteria survey, scored by the clinical core.

The questions and answer labels come from the core's instrument definition and body-map
vocabulary, so the page, the portal and the clinician's form cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from django import forms

from tenderpoint.clinical import body, get_instrument, score
from tenderpoint.clinical.result import ScoreResult

INSTRUMENT_ID = "acr2016"
SYMPTOM_FIELDS = ("fatigue", "waking_unrefreshed", "cognitive")
SIX_MONTH_FIELDS = ("headaches_6mo", "lower_abdominal_pain_or_cramps_6mo", "depression_6mo")
DURATION_FIELD = "symptoms_generally_present_ge_3_months"
YES_NO = [("yes", "Yes"), ("no", "No")]


def _item(field: str) -> Any:
    for item in get_instrument(INSTRUMENT_ID).items:
        if item.field == field or item.id == field:
            return item
    raise LookupError(field)


class SelfCheckForm(forms.Form):
    """Every question must be answered: a missing answer is never scored as "no"."""

    wpi_areas = forms.MultipleChoiceField(
        label="In the past week, where have you had pain or tenderness?",
        help_text="Tick every area that applies. Leave all empty if you had no pain.",
        choices=[(area.id, area.label) for area in body.WPI_AREAS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in SYMPTOM_FIELDS:
            item = _item(field)
            self.fields[field] = forms.TypedChoiceField(
                label=item.text or field.replace("_", " ").capitalize(),
                choices=[(str(option.value), option.label) for option in item.options],
                coerce=int,
                widget=forms.RadioSelect,
            )
        for field in (*SIX_MONTH_FIELDS, DURATION_FIELD):
            item = _item(field)
            self.fields[field] = forms.ChoiceField(
                label=item.text or field.replace("_", " ").capitalize(),
                choices=YES_NO,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        answers: dict[str, Any] = {"wpi_areas": list(data["wpi_areas"]), "rater": "patient"}
        answers |= {field: data[field] for field in SYMPTOM_FIELDS}
        answers |= {field: data[field] == "yes" for field in (*SIX_MONTH_FIELDS, DURATION_FIELD)}
        return answers

    def score(self) -> ScoreResult:
        return score(INSTRUMENT_ID, self.answers())
