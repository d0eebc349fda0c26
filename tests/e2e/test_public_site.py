"""A visitor uses the real public site in Chromium; axe audits every page; staff see the
contact request in their inbox."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tenderpoint.web.public.content_loader import load_public_content
from tests.e2e.conftest import totp_code
from tests.e2e.test_sign_in import enter_code, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def public_site(world):
    """The site as it ships: the real content, not a sample. The world has two clinics, so the
    contact page names its own (as a multi-clinic site must; otherwise it answers 503)."""
    from tenderpoint.web.public.models import ContactPage

    site = load_public_content()
    ContactPage.objects.update(clinic=world.clinic)
    return site


def test_no_serious_accessibility_violation_on_any_public_page(public_site, page: Page):
    axe = Axe()
    urls = [public_site.url] + [p.url for p in public_site.get_descendants().live()]
    problems = []
    for url in urls:
        page.goto(url)
        response = axe.run(page).response
        assert response["passes"], f"axe did not run on {url}"
        violations = response["violations"]
        problems += [
            f"{url}: {v['id']} ({v['impact']}) {v['help']}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
    assert problems == []


def test_a_visitor_reads_searches_checks_and_writes(public_site, world, page: Page):
    page.goto("/")
    site_nav = page.get_by_role("navigation", name="Site")
    site_nav.get_by_role("link", name=re.compile("fibromyalgia", re.I)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ibromyalgia")
    expect(page.get_by_role("heading", name="References")).to_be_visible()

    site_nav.get_by_role("link", name="Glossary").click()
    page.get_by_label("Search the glossary").fill("allodynia")
    page.get_by_label("Search the glossary").press("Enter")
    expect(page.locator("dt#allodynia")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^1 term matching"))).to_be_visible()

    site_nav.get_by_role("link", name=re.compile("self-check", re.I)).click()
    for area in (
        "Shoulder girdle, left",
        "Shoulder girdle, right",
        "Upper leg, left",
        "Upper leg, right",
        "Neck",
        "Hip (buttock, trochanter), left",
        "Upper arm, right",
    ):
        page.get_by_label(area, exact=True).check()
    for question in page.locator("fieldset.question").all()[1:]:
        question.get_by_role("radio").nth(1).check()  # the second answer: "1"/"slight" or "No"
    page.get_by_role("button", name="See my result").click()
    expect(page.get_by_role("heading", name="Your answers, scored")).to_be_visible()
    expect(page.get_by_text("7 of 19 areas")).to_be_visible()

    page.get_by_role("link", name="Contact the clinic").first.click()
    page.get_by_label("Your name").fill("Vera Visitor")
    page.get_by_label("E-mail address").fill("vera@example.org")
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("What is it about?").select_option("new_patient")
    page.get_by_label("Your message").fill("I would like an appointment.")
    page.get_by_label("I agree that the clinic may contact me").check()
    page.get_by_role("button", name="Send").click()
    expect(
        page.get_by_role("heading", name=re.compile("your message has reached us"))
    ).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, world.nurse.email)
    enter_code(page, totp_code(world.totp_secrets[world.nurse.email]))
    page.goto("/manage/contact/")
    expect(page.get_by_role("cell", name="Vera Visitor")).to_be_visible()


def test_keyboard_users_reach_the_main_content(public_site, page: Page):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
