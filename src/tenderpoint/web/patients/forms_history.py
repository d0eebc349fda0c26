"""Forms of the problem list, medications and allergies."""

from __future__ import annotations

from typing import Any

from django import forms

from tenderpoint.web.patients.history import PROBLEMS
from tenderpoint.web.patients.models import Allergy, Medication, Problem

DATE = forms.DateInput(attrs={"type": "date"})


class ProblemForm(forms.ModelForm):
    code = forms.ChoiceField(
        label="Condition",
        choices=[
            (p.code, f"{p.label} (SNOMED CT {p.snomed_ct}, ICD-10-CM {p.icd10cm})")
            for p in PROBLEMS
        ],
    )

    class Meta:
        model = Problem
        fields = ["code", "onset", "status", "note"]
        widgets = {"onset": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.instance.label = ""
        return data


class MedicationForm(forms.ModelForm):
    class Meta:
        model = Medication
        fields = ["name", "dose", "started_on", "stopped_on"]
        widgets = {"started_on": DATE, "stopped_on": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, stop = data.get("started_on"), data.get("stopped_on")
        if start and stop and stop < start:
            self.add_error("stopped_on", "The stop date is before the start date.")
        return data


class AllergyForm(forms.ModelForm):
    class Meta:
        model = Allergy
        fields = ["substance", "reaction"]
