"""A person signs in through the real pages in Chromium and lands where their role belongs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tenderpoint.web.audit.models import AuditEvent
from tests.e2e.conftest import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def enter_code(page: Page, code: str) -> None:
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_role("textbox").fill(code)
    page.get_by_role("button", name="Sign In").click()


def test_patient_signs_in_and_sees_their_record(world, page: Page):
    sign_in(page, world.patient.email)
    expect(page).to_have_url(re.compile("/me/$"))
    expect(page.get_by_role("heading", name="Hello Paula")).to_be_visible()
    page.get_by_role("link", name="My record").click()
    expect(page).to_have_url(re.compile(f"/patients/{world.patient_record.public_id}/$"))
    expect(page.get_by_text("Anderby")).to_be_visible()


@pytest.mark.parametrize(
    ("persona", "path", "heading"),
    [
        ("clinician", "/patients/", "Patients"),
        ("nurse", "/patients/", "Patients"),
        ("clinic_admin", "/manage/clinic/", "Clinic settings"),
    ],
)
def test_staff_sign_in_with_a_second_factor_and_land_on_their_home(
    world, page: Page, persona, path, heading
):
    user = world.persona(persona)
    sign_in(page, user.email)
    enter_code(page, totp_code(world.totp_secrets[user.email]))
    expect(page).to_have_url(re.compile(f"{path}$"))
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def test_a_wrong_authenticator_code_is_refused(world, page: Page):
    sign_in(page, world.clinician.email)
    good = totp_code(world.totp_secrets[world.clinician.email])
    enter_code(page, "000000" if good != "000000" else "111111")
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    assert not AuditEvent.objects.filter(action="login", actor_email=world.clinician.email).exists()


def test_patient_is_denied_another_patients_page_and_it_is_recorded(world, page: Page):
    sign_in(page, world.patient.email)
    expect(page.get_by_role("heading", name="Hello Paula")).to_be_visible()
    response = page.goto(world.other_patient_record.get_absolute_url())
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="You do not have access to this page")).to_be_visible()
    expect(page.get_by_text("Bergqvist")).to_have_count(0)
    denied = AuditEvent.objects.filter(action="denied", actor_email=world.patient.email).get()
    assert denied.patient_id == world.other_patient_record.public_id


def test_skip_link_is_the_first_stop_for_keyboard_users(world, page: Page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
