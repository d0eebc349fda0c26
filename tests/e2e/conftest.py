"""Playwright on Debian's /usr/bin/chromium, headless, against pytest-django's live server.

No browser is downloaded: Playwright drives the system Chromium. Without it these tests skip
locally, and fail under TENDERPOINT_REQUIRE_ALL=1 (CI installs the package).
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from tests.web.conftest import world  # noqa: F401  (the same personas as the web tests)

CHROMIUM = os.environ.get("TENDERPOINT_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; the tests still use the ORM
# synchronously to arrange data and read audit events.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


_last_step_used: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """The authenticator's current code, as a person would read it off their phone.

    Each code is accepted once (accounts/mfa.py: a sign-in needs a later time step than the
    last one accepted), so a second sign-in by the same person within one 30-s step waits
    for the next code, as that person would have to; a fast machine otherwise fails here.
    """
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period_s = app_settings.TOTP_PERIOD
    step = int(time.time()) // period_s
    previous = _last_step_used.get(secret)
    if previous is not None and step <= previous:
        time.sleep((previous + 1) * period_s - time.time() + 0.05)
        step = int(time.time()) // period_s
    _last_step_used[secret] = step
    return format_hotp_value(hotp_value(secret, step))
