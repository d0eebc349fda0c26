"""The demo clinic: every role, enough patients, loaded once, staff codes that work."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from tenderpoint.web.accounts.models import Clinic, Membership
from tenderpoint.web.demo.seed import PATIENT_LOGIN_EMAIL, demo_logins, load_demo_clinic
from tenderpoint.web.demo.totp import current_code


@pytest.mark.django_db
def test_demo_clinic_has_every_role_and_patients_with_profiles():
    clinic = load_demo_clinic()
    roles = sorted(Membership.objects.filter(clinic=clinic).values_list("role", flat=True))
    assert roles.count("clinician") == 2
    assert roles.count("nurse") == 1
    assert roles.count("clinic_admin") == 1
    patients = clinic.patients.all()
    assert patients.count() >= 25
    assert all(p.weight_kg and p.height_cm and p.date_of_birth for p in patients)
    assert patients.get(user__email=PATIENT_LOGIN_EMAIL).given_name == "Maria"


@pytest.mark.django_db
def test_loading_twice_creates_nothing_new():
    first = load_demo_clinic()
    count = first.patients.count()
    second = load_demo_clinic()
    assert second.pk == first.pk
    assert Clinic.objects.count() == 1
    assert second.patients.count() == count


@pytest.mark.django_db
def test_demo_staff_codes_are_accepted_by_allauth():
    load_demo_clinic()
    for login in demo_logins():
        if login.uses_mfa:
            authenticator = Authenticator.objects.get(user__email=login.email, type="totp")
            assert TOTP(authenticator).validate_code(current_code(login.email))


@pytest.mark.django_db
def test_codes_are_only_given_for_demo_accounts():
    with pytest.raises(PermissionError):
        current_code("someone@clinic.org")
