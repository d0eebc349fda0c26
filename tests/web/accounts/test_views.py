"""Home pages per role and the clinic administrator's pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tenderpoint.web.accounts.models import Membership, User
from tenderpoint.web.audit.models import AuditEvent


@pytest.mark.parametrize(
    ("persona", "destination"),
    [
        ("patient", lambda w: reverse("portal:home")),
        ("clinic_admin", lambda w: reverse("accounts:clinic_settings")),
    ],
)
def test_each_role_lands_on_its_home(world, client_for, persona, destination):
    response = client_for(world.persona(persona)).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == destination(world)


@pytest.mark.parametrize("persona", ["clinician", "nurse"])
def test_the_care_team_home_is_the_console(world, client_for, persona):
    response = client_for(world.persona(persona)).get(reverse("home"))
    assert response.status_code == 200
    assert "Plans awaiting the double check" in response.content.decode()


@pytest.mark.django_db
def test_visitors_are_sent_to_the_public_site(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_sign_up_is_closed(client):
    response = client.get("/accounts/signup/")
    assert "Sign Up Closed" in response.content.decode()


def test_clinic_admin_updates_settings_and_it_is_audited(world, client_for):
    client = client_for(world.clinic_admin)
    response = client.post(
        reverse("accounts:clinic_settings"),
        {
            "name": "Clinic A",
            "time_zone": "America/Chicago",
            "phone": "+1 555 0100",
            "sms_number": "+1 555 0101",
            "email": "",
            "address": "",
            "hours": "",
            "minimum_patient_age_years": "18",
        },
    )
    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert world.clinic.time_zone == "America/Chicago"
    event = AuditEvent.objects.get(action="update", object_type="accounts.clinic")
    assert sorted(event.detail["fields"]) == ["phone", "sms_number", "time_zone"]


def test_clinic_settings_reject_an_unknown_time_zone(world, client_for):
    response = client_for(world.clinic_admin).post(
        reverse("accounts:clinic_settings"), {"name": "Clinic A", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Mars/Olympus is not an IANA time zone name" in body
    assert 'value="Mars/Olympus"' in body


def test_clinic_admin_adds_a_staff_member_who_gets_a_link(world, client_for):
    response = client_for(world.clinic_admin).post(
        reverse("accounts:staff"),
        {"full_name": "Dr New", "email": "New@Example.org", "role": "clinician"},
    )
    assert response.status_code == 302
    newcomer = User.objects.get(email="new@example.org")
    assert not newcomer.has_usable_password()
    assert newcomer.role == "clinician"
    assert newcomer.clinic == world.clinic
    # Two mails to the newcomer's own address: set a password, and enrol a second factor.
    assert [m.to for m in mail.outbox] == [["new@example.org"], ["new@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/enrol/" in mail.outbox[1].body
    assert AuditEvent.objects.filter(action="create", object_type="accounts.user").exists()


def test_clinic_admin_changes_a_role_and_removes_access(world, client_for):
    client = client_for(world.clinic_admin)
    membership = Membership.objects.get(user=world.nurse)
    client.post(reverse("accounts:staff_role", args=[membership.pk]), {"role": "clinician"})
    membership.refresh_from_db()
    assert membership.role == "clinician"
    client.post(reverse("accounts:staff_deactivate", args=[membership.pk]))
    membership.refresh_from_db()
    world.nurse.refresh_from_db()
    assert not membership.is_active
    assert not world.nurse.is_active


def test_clinic_admin_cannot_touch_another_clinics_staff(world, client_for):
    other = Membership.objects.get(user=world.other_clinician)
    response = client_for(world.clinic_admin).post(
        reverse("accounts:staff_deactivate", args=[other.pk])
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_active


@pytest.mark.parametrize("persona", ["clinician", "nurse", "patient"])
def test_only_clinic_admins_manage_the_clinic(world, client_for, persona):
    client = client_for(world.persona(persona))
    for name in ("accounts:clinic_settings", "accounts:staff", "audit:list"):
        assert client.get(reverse(name)).status_code == 403
    denied = AuditEvent.objects.filter(action="denied").order_by("sequence")
    assert [event.object_type for event in denied] == [
        "accounts.clinic",
        "accounts.staff_list",
        "audit.auditevent_list",
    ]


def test_clinic_admin_reads_their_clinics_audit_trail(world, client_for):
    client_for(world.other_clinician).get(world.other_clinic_patient_record.get_absolute_url())
    client_for(world.nurse).get(world.patient_record.get_absolute_url())
    client_for(world.patient).get(world.patient_record.get_absolute_url())
    body = client_for(world.clinic_admin).get(reverse("audit:list")).content.decode()
    assert world.nurse.email in body
    assert world.other_clinician.email not in body
    assert world.patient.email not in body  # administrators do not learn who the patients are
    assert f"a patient (account #{world.patient.pk})" in body


def test_clinic_admins_and_only_they_may_edit_the_public_site(world, client_for):
    from tenderpoint.web.accounts.services import sync_cms_access

    for user in (world.clinic_admin, world.clinician, world.patient):
        sync_cms_access(user)
    assert client_for(world.clinic_admin).get("/cms/").status_code == 200
    assert client_for(world.clinician).get("/cms/").status_code == 302  # Wagtail: no access
    response = client_for(world.clinic_admin).post(
        reverse("accounts:staff_role", args=[world.clinic_admin.memberships.get().pk]),
        {"role": "nurse"},
    )
    assert response.status_code == 403  # no one demotes themself out of the last admin seat
    assert world.clinic_admin.groups.filter(name="Moderators").exists()


def test_the_admin_sites_do_not_offer_a_login_that_skips_mfa(client, db):
    for path in ("/cms/login/", "/operator/login/", "/_util/login/"):
        response = client.get(path + "?next=/cms/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_session_without_the_second_factor_reaches_no_patient_data(world, client_for):
    client = client_for(world.clinician, second_factor=False)  # e.g. a password-only log-in
    response = client.get(world.patient_record.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_patient_session_needs_no_second_factor(world, client_for):
    client = client_for(world.patient, second_factor=False)
    assert client.get(world.patient_record.get_absolute_url()).status_code == 200


def test_wagtail_password_reset_is_off(client, db):
    assert client.get("/cms/password_reset/").status_code == 404


def test_an_old_membership_cannot_disable_someone_now_elsewhere(world, client_for):
    from tenderpoint.web.accounts.models import Membership

    old = Membership.objects.get(user=world.nurse)
    old.is_active = False
    old.save()
    Membership.objects.create(user=world.nurse, clinic=world.other_clinic, role="nurse")
    response = client_for(world.clinic_admin).post(
        reverse("accounts:staff_deactivate", args=[old.pk])
    )
    assert response.status_code == 403
    world.nurse.refresh_from_db()
    assert world.nurse.is_active


def test_an_audit_failure_undoes_the_write(world, client_for, monkeypatch):
    from tenderpoint.web.patients.models import Patient

    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    client = client_for(world.clinician)
    monkeypatch.setattr("tenderpoint.web.audit.services.record", broken)
    client.raise_request_exception = False
    data = {
        "given_name": "Rita",
        "family_name": "Quintero",
        "date_of_birth": "1981-03-04",
        "sex": "female",
        "medical_record_number": "A-77",
        "contact_preference": "text",
        "diagnosis_status": "suspected",
    }
    response = client.post(reverse("patients:create"), data)
    assert response.status_code == 500
    assert not Patient.objects.filter(family_name="Quintero").exists()
