from __future__ import annotations

import datetime

from django import forms

from tenderpoint.web.patients.models import Patient

PROFILE_FIELDS = [
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "medical_record_number",
    "email",
    "phone",
    "contact_preference",
    "height_cm",
    "weight_kg",
    "diagnosis_status",
    "referral_source",
    "emergency_contact",
]


class PatientForm(forms.ModelForm):
    """Profile fields a nurse or clinician may edit."""

    class Meta:
        model = Patient
        fields = PROFILE_FIELDS
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: object, clinic: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._clinic = clinic

    def clean_date_of_birth(self) -> datetime.date:
        """Checked by the service's rule (future, implausibly old, under the clinic's
        minimum age), here so the form shows it beside the field."""
        from tenderpoint.web.patients.services import validate_date_of_birth

        value: datetime.date = self.cleaned_data["date_of_birth"]
        clinic = self._clinic or getattr(self.instance, "clinic", None)
        if clinic is not None and "date_of_birth" in self.changed_data:
            try:
                validate_date_of_birth(value, clinic)
            except forms.ValidationError as error:
                raise forms.ValidationError(error.message_dict["date_of_birth"]) from None
        return value

    def clean_medical_record_number(self) -> str:
        value = self.cleaned_data["medical_record_number"].strip()
        clinic = self._clinic or getattr(self.instance, "clinic", None)
        clash = Patient.objects.filter(clinic=clinic, medical_record_number=value)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                "Another patient at this clinic already has this record number.", code="duplicate"
            )
        return value


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Search patients", required=False, max_length=100)
