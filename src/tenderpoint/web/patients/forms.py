from __future__ import annotations

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
