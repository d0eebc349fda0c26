"""Issue 13, defect 9 in a real browser: nothing scrolls sideways at 390 px (a phone), and a
page that shows a message has no serious axe violation (the message list's role)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.e2e.conftest import totp_code
from tests.e2e.test_sign_in import enter_code, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _signed_in_staff(world, page: Page, persona: str) -> None:
    user = world.persona(persona)
    sign_in(page, user.email)
    enter_code(page, totp_code(world.totp_secrets[user.email]))


def _sideways_overflow_px(page: Page) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


@pytest.mark.parametrize("persona", ["clinic_admin", "clinician"])
def test_staff_table_and_patient_record_fit_390_px(world, page: Page, persona):
    page.set_viewport_size({"width": 390, "height": 844})
    world.patient_record.email = "a.very.long.address.for.testing.wrapping@example.org"
    world.patient_record.save()
    _signed_in_staff(world, page, persona)
    if persona == "clinic_admin":
        page.goto("/manage/clinic/staff/")
    else:
        page.goto(world.patient_record.get_absolute_url())
    assert _sideways_overflow_px(page) == 0


def test_console_forms_and_tables_fit_390_px(world, page: Page):
    """The criteria form's five-column body map, the plan and the chart's tables at phone width
    (tables scroll inside their own region; nothing else scrolls sideways)."""
    page.set_viewport_size({"width": 390, "height": 844})
    _signed_in_staff(world, page, "clinician")
    patient = world.patient_record.public_id
    overflowing = {}
    for path in [
        f"/patients/{patient}/assessments/criteria/new/",
        f"/patients/{patient}/problems/",
        f"/patients/{patient}/medications/",
        f"/patients/{patient}/courses/",
        f"/patients/{patient}/infusions/plan/",
        "/home/",
    ]:
        page.goto(path)
        overflowing[path] = _sideways_overflow_px(page)
    assert overflowing == dict.fromkeys(overflowing, 0)


def test_a_page_with_a_message_has_no_serious_axe_violation(world, page: Page):
    _signed_in_staff(world, page, "clinic_admin")
    page.goto("/manage/clinic/staff/")
    page.get_by_role("button", name="Request second-factor reset").first.click()
    assert page.get_by_role("status").count() >= 1  # the message is announced
    violations = Axe().run(page).response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious
