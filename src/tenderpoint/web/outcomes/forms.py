"""The dashboard's filters."""

from __future__ import annotations

from django import forms

from tenderpoint.web.outcomes.dashboard import AGE_BANDS, Filters
from tenderpoint.web.patients.choices import Sex


class FilterForm(forms.Form):
    first_infusion_from = forms.DateField(
        required=False, label="First infusion from", widget=forms.DateInput(attrs={"type": "date"})
    )
    first_infusion_to = forms.DateField(
        required=False, label="First infusion to", widget=forms.DateInput(attrs={"type": "date"})
    )
    protocol = forms.CharField(required=False, max_length=80, label="Protocol id")
    product = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), ("racemic", "Racemic ketamine"), ("esketamine", "Esketamine")],
    )
    sex = forms.ChoiceField(required=False, choices=[("", "Any"), *Sex.choices])
    age_band = forms.ChoiceField(
        required=False, choices=[("", "Any"), *((b, b) for b in AGE_BANDS)], label="Age band"
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("first_infusion_from"), data.get("first_infusion_to")
        if start and end and start > end:
            self.add_error("first_infusion_to", "The end of the range is before its start.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            first_infusion_from=data.get("first_infusion_from"),
            first_infusion_to=data.get("first_infusion_to"),
            protocol=data.get("protocol", ""),
            product=data.get("product", ""),
            sex=data.get("sex", ""),
            age_band=data.get("age_band", ""),
        )
