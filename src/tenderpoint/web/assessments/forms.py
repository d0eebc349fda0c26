"""The one-body-map assessment form: WPI areas, tender points, symptom severity, duration."""

from __future__ import annotations

from typing import Any

from django import forms

from tenderpoint.clinical import body
from tenderpoint.web.patients.choices import DiagnosisStatus

SEVERITY = [(0, "0 no problem"), (1, "1 slight or mild"), (2, "2 moderate"), (3, "3 severe")]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class CriteriaForm(forms.Form):
    wpi_areas = forms.MultipleChoiceField(
        label="Pain in the last week (Widespread Pain Index areas)",
        choices=[(a.id, a.label) for a in body.WPI_AREAS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    tender_points_examined = forms.BooleanField(
        label="Tender points examined (ACR 1990, about 4 kg of pressure)", required=False
    )
    positive_tender_points = forms.MultipleChoiceField(
        label="Positive tender points",
        choices=[(p.id, p.label) for p in body.TENDER_POINTS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    fatigue = forms.TypedChoiceField(
        label="Fatigue", choices=SEVERITY, coerce=int, widget=forms.RadioSelect
    )
    waking_unrefreshed = forms.TypedChoiceField(
        label="Waking unrefreshed", choices=SEVERITY, coerce=int, widget=forms.RadioSelect
    )
    cognitive = forms.TypedChoiceField(
        label="Cognitive symptoms", choices=SEVERITY, coerce=int, widget=forms.RadioSelect
    )
    headaches_6mo = _yes_no("Headaches in the last 6 months")
    lower_abdominal_pain_or_cramps_6mo = _yes_no("Pain or cramps in the lower abdomen (6 months)")
    depression_6mo = _yes_no("Depression (6 months)")
    somatic_symptoms = forms.TypedChoiceField(
        label="Somatic symptoms in general (2010 physician rating; optional)",
        choices=[("", "Not rated"), *SEVERITY],
        coerce=int,
        empty_value=None,
        required=False,
    )
    duration_ge_3_months = _yes_no("Symptoms present at a similar level for at least 3 months")
    other_disorder_explains_pain = _yes_no("Another disorder would otherwise explain the pain")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("positive_tender_points") and not data.get("tender_points_examined"):
            self.add_error(
                "tender_points_examined",
                "Tick this when you examined the tender points you marked.",
            )
        return data


class DiagnosisForm(forms.Form):
    status = forms.ChoiceField(label="Diagnosis status", choices=DiagnosisStatus.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
