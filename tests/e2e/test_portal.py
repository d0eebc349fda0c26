"""The patient portal in Chromium: a keyboard-only diary entry, the PHQ-9 item-9 safety flow,
the clinician's acknowledgement and reply, and axe on every new page at two widths."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.messaging.models import Message
from tenderpoint.web.questionnaires.models import SafetyFlag
from tests.e2e.conftest import totp_code
from tests.e2e.test_sign_in import enter_code, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: generous: a shared CI machine under load can take many seconds for a first page
PAGE_TIMEOUT_MS = 90_000
expect.set_options(timeout=PAGE_TIMEOUT_MS)

SCORES = {"pain": 6, "fatigue": 7, "sleep_quality": 5, "fog": 4, "mood": 0, "headache": 2}


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused control is the one named ``name`` (as a keyboard user)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == name:
            return
    raise AssertionError(f"{name} is not reachable with the Tab key")


def serious_axe_violations(page: Page) -> list[str]:
    response = Axe().run(page).response
    assert response["passes"], f"axe did not run on {page.url}"
    return [
        f"{page.url} @ {page.viewport_size['width']}px: {v['id']} ({v['impact']}) {v['help']}"
        for v in response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_patient_keyboard_diary_phq9_crisis_then_clinician_acknowledges_and_replies(
    world, page: Page
):
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    sign_in(page, world.patient.email)
    expect(page.get_by_role("heading", name="Hello Paula")).to_be_visible()

    # A diary entry with the keyboard only.
    page.goto("/me/diary/")
    for name, value in SCORES.items():
        tab_to(page, name)
        if value == 0:
            page.keyboard.press("Space")
        for _ in range(value):
            page.keyboard.press("ArrowRight")
    tab_to(page, "flare")
    page.keyboard.press("Space")
    tab_to(page, "pain_areas")  # the first area, the left jaw
    page.keyboard.press("Space")
    tab_to(page, "note")
    page.keyboard.type("Typed with the keyboard.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved. Thank you")).to_be_visible()
    entry = DiaryEntry.objects.get(patient=world.patient_record)
    assert {name: getattr(entry, name) for name in SCORES} == SCORES
    assert entry.flare is True
    assert entry.pain_areas == ["jaw_left"]
    assert entry.note == "Typed with the keyboard."

    # PHQ-9 with item 9 = 1: crisis resources at once.
    page.goto("/me/questionnaires/phq9/")
    for n in range(1, 10):
        question = page.get_by_role("group", name=re.compile(rf"^{n}\. "))
        question.get_by_label("Several days" if n == 9 else "Not at all").check()
    page.get_by_role("button", name="Send my answers").click()
    crisis = page.get_by_role("alert").filter(has_text="988")
    expect(crisis).to_be_visible()
    expect(crisis.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(crisis).to_contain_text(world.clinic.phone)
    page.goto("/me/messages/")
    page.get_by_label("Write a message").fill("I filled in the questionnaire.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message was sent")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The clinician sees the flag on their home, acknowledges it with a note, replies.
    sign_in(page, world.clinician.email)
    enter_code(page, totp_code(world.totp_secrets[world.clinician.email]))
    urgent = page.get_by_role("region", name=re.compile("Urgent"))
    expect(urgent).to_contain_text("Paula")
    urgent.get_by_role("link", name=re.compile("Paula")).click()
    page.get_by_role("button", name="Acknowledge flag").click()
    expect(page.get_by_text("Write what was done")).to_be_visible()
    page.get_by_label("Action taken").fill("Called Paula; C-SSRS screen negative.")
    page.get_by_role("button", name="Acknowledge flag").click()
    expect(page.get_by_text("Flag acknowledged")).to_be_visible()
    flag = SafetyFlag.objects.get()
    assert flag.acknowledged_by == world.clinician
    assert flag.action_note == "Called Paula; C-SSRS screen negative."

    page.goto("/clinic/messages/")
    expect(page.get_by_text("1 unread")).to_be_visible()
    page.get_by_role("link", name=re.compile("Paula")).click()
    page.get_by_label("Reply").fill("Thank you, Paula. We will call you today.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent")).to_be_visible()
    assert Message.objects.filter(from_patient=False, sender=world.clinician).count() == 1


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_accessibility_violation_on_the_new_pages(world, page: Page, width: int):
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.set_viewport_size({"width": width, "height": 900})
    DiaryEntry.objects.create(
        patient=world.patient_record,
        recorded_at="2026-11-01T20:00:00Z",
        local_date="2026-11-01",
        time_zone="UTC",
        pain=5,
        fatigue=5,
        sleep_quality=5,
        fog=5,
        mood=5,
        headache=5,
    )
    problems: list[str] = []
    sign_in(page, world.patient.email)
    expect(page.get_by_role("heading", name="Hello Paula")).to_be_visible()
    for path in [
        "/me/",
        "/me/diary/",
        "/me/questionnaires/",
        "/me/questionnaires/phq9/",
        "/me/progress/",
        "/me/messages/",
        "/me/settings/",
    ]:
        page.goto(path)
        problems += serious_axe_violations(page)
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if sideways:
            problems.append(f"{path} @ {width}px scrolls sideways by {sideways}px")
    page.goto("/me/diary/")
    page.get_by_role("button", name="Save today's entry").click()  # pre-filled: saves
    page.goto("/me/questionnaires/phq9/")
    page.get_by_role("button", name="Send my answers").click()  # 422 with every problem
    problems += serious_axe_violations(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, world.nurse.email)
    enter_code(page, totp_code(world.totp_secrets[world.nurse.email]))
    pid = world.patient_record.public_id
    for path in [
        f"/patients/{pid}/diary/",
        f"/patients/{pid}/questionnaires/",
        f"/patients/{pid}/messages/",
        "/clinic/messages/",
        "/clinic/questionnaires/flags/",
        "/patients/",
    ]:
        page.goto(path)
        problems += serious_axe_violations(page)
    assert problems == []
