"""The personas every access test uses (after Healthchecks' alice/bob/charlie).

- ``patient``: Paula, a patient of clinic A with a portal account;
- ``clinician``: Dr Carla at clinic A;  ``nurse``: Nina at clinic A;
- ``other_clinician``: Dr Otto at clinic B, who must see nothing of clinic A;
- ``clinic_admin``: Adam, administrator of clinic A (manages, does not treat);
- ``other_patient``: Peter, another patient of clinic A.
Staff personas have TOTP enrolled, so the MFA gate lets them through.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.accounts.models import Clinic, User
from tenderpoint.web.patients.models import Patient
from tests.web.factories import ClinicFactory, PatientFactory, member


@dataclass
class World:
    clinic: Clinic
    other_clinic: Clinic
    patient: User
    patient_record: Patient
    other_patient: User
    other_patient_record: Patient
    clinician: User
    nurse: User
    clinic_admin: User
    other_clinician: User
    other_clinic_patient_record: Patient
    totp_secrets: dict[str, str]

    def persona(self, name: str) -> User:
        return getattr(self, name)


def enrol_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters and TOTP replay marks must not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _own_checkpoint_file(settings, tmp_path) -> None:
    """Each test gets its own audit checkpoint file, as each gets its own database."""
    settings.TENDERPOINT_AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.log")


@pytest.fixture
def world(db: None) -> World:
    clinic = ClinicFactory(name="Clinic A")
    other_clinic = ClinicFactory(name="Clinic B")
    patient = member(clinic, Role.PATIENT, email="paula@example.org", full_name="Paula Patient")
    other_patient = member(clinic, Role.PATIENT, email="peter@example.org")
    clinician = member(clinic, Role.CLINICIAN, email="carla@example.org", full_name="Dr Carla")
    nurse = member(clinic, Role.NURSE, email="nina@example.org")
    admin = member(clinic, Role.CLINIC_ADMIN, email="adam@example.org")
    other_clinician = member(other_clinic, Role.CLINICIAN, email="otto@example.org")
    totp_secrets = {
        staff.email: enrol_totp(staff) for staff in (clinician, nurse, admin, other_clinician)
    }
    return World(
        clinic=clinic,
        other_clinic=other_clinic,
        patient=patient,
        patient_record=PatientFactory(
            clinic=clinic, user=patient, given_name="Paula", family_name="Anderby"
        ),
        other_patient=other_patient,
        other_patient_record=PatientFactory(
            clinic=clinic, user=other_patient, given_name="Peter", family_name="Bergqvist"
        ),
        clinician=clinician,
        nurse=nurse,
        clinic_admin=admin,
        other_clinician=other_clinician,
        other_clinic_patient_record=PatientFactory(
            clinic=other_clinic, given_name="Olga", family_name="Xylander"
        ),
        totp_secrets=totp_secrets,
    )


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    """Log ``client`` in as a user (MFA already enrolled for staff) and return it."""

    def login(user: User, *, second_factor: bool = True) -> Client:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if second_factor:
            # What allauth records after a password and TOTP sign-in.
            session = client.session
            session["account_authentication_methods_user"] = str(user.pk)
            session["account_authentication_methods"] = [
                {"method": "password", "at": time.time(), "email": user.email},
                {"method": "mfa", "at": time.time(), "type": "totp"},
            ]
            session.save()
        return client

    return login
