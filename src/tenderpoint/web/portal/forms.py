"""The patient's own settings: contact details and reminders."""

from __future__ import annotations

from django import forms

from tenderpoint.web.patients.models import Patient
from tenderpoint.web.portal.models import PortalPreferences


class ContactForm(forms.ModelForm):
    """Phone, e-mail and contact preference; the record's history keeps every earlier value."""

    class Meta:
        model = Patient
        fields = ["phone", "email", "contact_preference"]
        labels = {"contact_preference": "How should the clinic contact you?"}


class ReminderForm(forms.ModelForm):
    class Meta:
        model = PortalPreferences
        fields = ["reminders_enabled", "reminder_time", "reminder_channel"]
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "reminder_channel": forms.RadioSelect,
        }
        help_texts = {
            "reminders_enabled": "Untick to stop every reminder. You can turn them on again here.",
            "reminder_time": "Your local time, for example 20:00.",
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("reminder_channel") == "sms" and not (
            self.data.get("phone") or self.instance.patient.phone
        ):
            self.add_error("reminder_channel", "Add a phone number above to get text messages.")
        return data
