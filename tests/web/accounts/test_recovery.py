"""No account takeover through the admin (issue 13, defect 1), first enrolment by invitation
only (defect 2), and the documented recovery flows."""

from __future__ import annotations

import datetime
import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.accounts.models import Membership, MFAEnrolmentInvitation
from tenderpoint.web.audit.models import AuditEvent
from tests.web.conftest import enrol_totp
from tests.web.factories import UserFactory, member


@pytest.fixture
def operator(world, client_for):
    user = UserFactory(email="olaf@example.org", is_superuser=True, is_staff=True)
    enrol_totp(user)
    return client_for(user), user


def test_the_operator_admin_cannot_set_a_password(world, operator):
    client, _ = operator
    victim = world.clinician
    response = client.get(f"/operator/accounts/user/{victim.pk}/password/", follow=True)
    assert 'name="password1"' not in response.content.decode()  # Django's form is gone
    page = client.get(f"/operator/accounts/user/{victim.pk}/change/").content.decode()
    assert 'name="password' not in page
    assert 'name="email"' not in page  # the e-mail is read-only after creation


def test_the_operator_admin_cannot_remove_a_second_factor(world, operator):
    client, _ = operator
    totp = Authenticator.objects.get(user=world.clinician, type="totp")
    delete_url = f"/operator/mfa/authenticator/{totp.pk}/delete/"
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Authenticator.objects.filter(pk=totp.pk).exists()
    assert client.get("/operator/account/emailaddress/add/").status_code == 403


def test_the_cms_cannot_edit_accounts(world, operator):
    client, operator_user = operator
    response = client.get(f"/cms/users/edit/{world.clinician.pk}/")
    assert response.status_code in (302, 403)  # Wagtail turns a refusal into a redirect home
    assert "users/edit" not in response.get("Location", "")
    assert AuditEvent.objects.filter(
        action="denied", actor_id=operator_user.pk, object_id=str(world.clinician.pk)
    ).exists()


def test_every_admin_change_and_read_is_audited(world, operator):
    client, operator_user = operator
    clinic = world.clinic
    client.get(f"/operator/accounts/clinic/{clinic.pk}/change/")
    response = client.post(
        f"/operator/accounts/clinic/{clinic.pk}/change/",
        {
            "name": "Clinic A renamed",
            "slug": clinic.slug,
            "time_zone": clinic.time_zone,
            "phone": clinic.phone,
            "sms_number": clinic.sms_number,
            "email": "",
            "address": "",
            "hours": "",
            "minimum_patient_age_years": 18,
        },
    )
    assert response.status_code == 302
    change = AuditEvent.objects.get(action="admin", actor_id=operator_user.pk)
    assert change.object_type == "accounts.clinic"
    assert change.detail["admin_action"] == "change"
    assert "Name" in change.detail["message"]
    assert AuditEvent.objects.filter(
        action="view", actor_id=operator_user.pk, object_type="operator.admin_page"
    ).exists()


# --- first enrolment needs an invitation ----------------------------------------------------


@pytest.fixture
def newcomer(world, client_for):
    nurse = member(world.clinic, Role.NURSE, email="newbie@example.org")
    return nurse, client_for(nurse, second_factor=False)


def test_a_password_alone_cannot_enrol_a_second_factor(newcomer):
    _, client = newcomer
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_enrolment_needed")
    assert client.get("/patients/")["Location"] == reverse("mfa_enrolment_needed")


def _invite(world, client_for, nurse) -> str:
    admin = client_for(world.clinic_admin)
    membership = Membership.objects.get(user=nurse)
    mail.outbox.clear()
    response = admin.post(reverse("accounts:staff_invite_mfa", args=[membership.pk]))
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [nurse.email]
    return re.search(r"(/accounts/enrol/[^/\s]+/)", message.body).group(1)


def test_an_invitation_from_a_clinic_admin_opens_enrolment_once(world, client_for, newcomer):
    nurse, _ = newcomer
    link = _invite(world, client_for, nurse)
    client = client_for(nurse, second_factor=False)
    assert client.get(link)["Location"] == reverse("mfa_activate_totp")
    passed_gate = client.get(reverse("mfa_activate_totp"))
    # Our gate lets it through; allauth then asks for the password again (recent sign-in).
    assert passed_gate["Location"].startswith("/accounts/reauthenticate/")
    invitation = MFAEnrolmentInvitation.objects.get(user=nurse)
    invitation.used_at = timezone.now()  # as after the authenticator is added
    invitation.save()
    assert client.get(reverse("mfa_activate_totp"))["Location"] == reverse("mfa_enrolment_needed")


@pytest.mark.parametrize(("age_h", "works"), [(23.9, True), (24.0, False)])
def test_an_invitation_expires_after_24_hours(world, client_for, newcomer, age_h, works):
    nurse, _ = newcomer
    link = _invite(world, client_for, nurse)
    invitation = MFAEnrolmentInvitation.objects.get(user=nurse)
    invitation.expires_at = timezone.now() + datetime.timedelta(hours=24 - age_h)
    invitation.save()
    response = client_for(nurse, second_factor=False).get(link)
    assert response.status_code == (302 if works else 403)


def test_another_accounts_link_is_refused_and_audited(world, client_for, newcomer):
    nurse, _ = newcomer
    link = _invite(world, client_for, nurse)
    intruder = member(world.clinic, Role.NURSE, email="intruder@example.org")
    response = client_for(intruder, second_factor=False).get(link)
    assert response.status_code == 403
    event = AuditEvent.objects.filter(actor_id=intruder.pk, action="denied").get()
    assert event.detail == {"reason": "another account's link"}


# --- a lost second factor: one administrator asks, a second approves ------------------------


def test_mfa_reset_needs_a_second_administrator(world, client_for):
    second_admin = member(world.clinic, Role.CLINIC_ADMIN, email="bea@example.org")
    enrol_totp(second_admin)
    membership = Membership.objects.get(user=world.nurse)
    first = client_for(world.clinic_admin)
    first.post(reverse("accounts:staff_request_mfa_reset", args=[membership.pk]))
    from tenderpoint.web.accounts.models import MFAResetRequest

    reset = MFAResetRequest.objects.get()
    response = first.post(reverse("accounts:mfa_reset_approve", args=[reset.pk]))
    assert response.status_code == 403  # the requester cannot approve
    assert Authenticator.objects.filter(user=world.nurse).exists()

    mail.outbox.clear()
    client_for(second_admin).post(reverse("accounts:mfa_reset_approve", args=[reset.pk]))
    assert not Authenticator.objects.filter(user=world.nurse).exists()
    (message,) = mail.outbox
    assert message.to == [world.nurse.email]  # the link goes to the member, nobody else
    assert "/accounts/enrol/" in message.body
    approved = AuditEvent.objects.get(object_type="accounts.mfaresetrequest", action="update")
    assert approved.actor_id == second_admin.pk
    assert approved.detail["removed"] == ["totp"]
