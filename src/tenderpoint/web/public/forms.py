from __future__ import annotations

from typing import Any

from django import forms

from tenderpoint.web.accounts.models import phone_validator
from tenderpoint.web.public.choices import ContactMethod, ContactStatus
from tenderpoint.web.public.models import ContactRequest

HONEYPOT_FIELD = "website"


class ContactForm(forms.ModelForm):
    """Name, a way to reach the person (at least one), why, and consent to be contacted."""

    # Hidden from people by CSS and from screen readers by aria-hidden; bots fill it in.
    website = forms.CharField(required=False, label="Leave this field empty")

    class Meta:
        model = ContactRequest
        fields = [
            "name",
            "email",
            "phone",
            "preferred_method",
            "reason",
            "message",
            "consent_to_contact",
        ]
        labels = {
            "name": "Your name",
            "email": "E-mail address",
            "phone": "Phone number",
            "preferred_method": "How should we contact you?",
            "reason": "What is it about?",
            "message": "Your message",
            "consent_to_contact": "I agree that the clinic may contact me about this request.",
        }
        help_texts = {
            "email": "Give an e-mail address, a phone number, or both.",
            "message": "Please do not include urgent medical matters: call your doctor or "
            "emergency services instead.",
        }
        widgets = {
            "preferred_method": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(phone_validator)
        self.fields["consent_to_contact"].required = True
        self.fields["preferred_method"].choices = ContactMethod.choices

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        email, phone = data.get("email"), data.get("phone")
        method = data.get("preferred_method")
        if not email and not phone and "email" not in self.errors and "phone" not in self.errors:
            self.add_error("email", "Give an e-mail address or a phone number so we can reply.")
            self.add_error("phone", "Give a phone number or an e-mail address so we can reply.")
        elif method == ContactMethod.EMAIL and not email and "email" not in self.errors:
            self.add_error("email", "You chose e-mail: please give your e-mail address.")
        elif (
            method in (ContactMethod.CALL, ContactMethod.TEXT)
            and not phone
            and "phone" not in self.errors
        ):
            self.add_error("phone", "You chose a call or a text: please give your phone number.")
        return data


class ContactRequestUpdateForm(forms.ModelForm):
    class Meta:
        model = ContactRequest
        fields = ["status", "staff_notes"]
        widgets = {"status": forms.RadioSelect, "staff_notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ContactStatus.choices
