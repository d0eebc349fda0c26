from __future__ import annotations

from django import forms

from tenderpoint.web.accounts.choices import STAFF_ROLES, Role
from tenderpoint.web.accounts.models import Clinic, User

STAFF_ROLE_CHOICES = [(role.value, role.label) for role in Role if role in STAFF_ROLES]


class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = [
            "name",
            "time_zone",
            "phone",
            "sms_number",
            "email",
            "address",
            "hours",
            "minimum_patient_age_years",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "hours": forms.Textarea(attrs={"rows": 4}),
        }


class AddStaffForm(forms.Form):
    full_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("An account with this e-mail address exists already.")
        return email


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)
