"""Walk the demo clinic as every persona and follow every link it offers.

Each persona starts at their home page and follows every same-site link (GET only) a page
offers, at most ``PER_URL_NAME`` distinct URLs per resolved URL name, so a list of thirty
patients costs three chart visits, not thirty. No page may answer 5xx, and a link a persona is
offered must answer 200, or redirect to another page of the site that does (a redirect back
to the sign-in page, a 403 or a 404 means the page offered a link its own reader cannot use).

The demo clinic is seeded with the demo's own code, so a template that asks for a key the
demo's real data lacks fails here rather than in front of a clinic.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tenderpoint.web.accounts.models import User
from tenderpoint.web.demo.seed import PATIENT_LOGIN_EMAIL, load_demo_clinic

PER_URL_NAME = 3
MAX_PAGES = 400  # a safety net: the walk ends long before this on the demo clinic

# Links that are not pages to read: leaving, static files, the operator and CMS sites.
SKIPPED_PREFIXES = (
    "/accounts/logout/",
    "/static/",
    "/media/",
    "/operator/",
    "/cms/",
    "/admin/",
)
# Query strings a page needs to show what the link promised (kept; all others are dropped).
KEPT_QUERY_PATHS: tuple[str, ...] = ()

PERSONAS = {
    "patient": PATIENT_LOGIN_EMAIL,
    "clinician": "clinician@demo.example",
    "nurse": "nurse@demo.example",
    "clinic_admin": "admin@demo.example",
}


class _LinkParser(HTMLParser):
    """Collects the ``href`` of every ``<a>`` on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


@dataclass
class Walk:
    """What a persona's walk saw: every URL fetched and its status, and who linked it."""

    statuses: dict[str, int] = field(default_factory=dict)
    linked_from: dict[str, str] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        return [
            f"{url} answered {status} (linked from {self.linked_from.get(url, 'start')})"
            for url, status in self.statuses.items()
            if status not in (200, 301, 302, 303)
        ]


def _same_site_path(href: str, page_url: str) -> str | None:
    """The path (and kept query) a link points to on this site, or None to skip it."""
    if href.startswith(("mailto:", "tel:", "javascript:", "#", "sms:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + page_url, href))
    if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    if parts.query and parts.path.startswith(KEPT_QUERY_PATHS) and KEPT_QUERY_PATHS:
        return f"{parts.path}?{parts.query}"
    return parts.path


def _url_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name or path


def _links(response) -> list[str]:  # type: ignore[no-untyped-def]
    if response.streaming or "html" not in response.get("Content-Type", ""):
        return []
    parser = _LinkParser()
    parser.feed(response.content.decode(response.charset or "utf-8", errors="replace"))
    return parser.hrefs


def crawl(client: Client, start: str) -> Walk:
    """Breadth-first walk from ``start``, at most ``PER_URL_NAME`` URLs per URL name."""
    walk = Walk()
    queue: deque[str] = deque([start])
    seen = {start}
    per_name: Counter[str] = Counter()
    while queue and len(walk.statuses) < MAX_PAGES:
        url = queue.popleft()
        name = _url_name(url)
        if per_name[name] >= PER_URL_NAME:
            continue
        per_name[name] += 1
        try:
            response = client.get(url)
        except Exception as exc:  # the test client re-raises a view's error: name the page
            raise AssertionError(
                f"{url} raised (linked from {walk.linked_from.get(url, 'start')})"
            ) from exc
        walk.statuses[url] = response.status_code
        if response.status_code in (301, 302, 303):
            targets = [response["Location"]]
        else:
            targets = _links(response)
        if response.streaming:
            b"".join(response.streaming_content)  # run the generator: errors surface here
        for href in targets:
            target = _same_site_path(href, url)
            if target is None or target in seen:
                continue
            if response.status_code in (301, 302, 303):
                walk.redirects[url] = target
            seen.add(target)
            walk.linked_from[target] = url
            queue.append(target)
    return walk


# sqlite_only: the demo runs on its embedded SQLite database (as in tests/cli/test_web.py), and
# seeding it once per persona took about 2.5 min for the four on PostgreSQL here, against
# about 45 s on SQLite; the pages' templates are the same on both.
@pytest.mark.sqlite_only
@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_every_link_a_persona_is_offered_answers(persona: str, client_for) -> None:  # type: ignore[no-untyped-def]
    load_demo_clinic()
    user = User.objects.get(email=PERSONAS[persona])
    client = client_for(user, second_factor=persona != "patient")
    walk = crawl(client, "/home/")
    assert walk.problems() == []
    # A redirect to the sign-in page means the persona was offered a page they may not read.
    # Documented exception: allauth asks for the password again before changing a second
    # factor (``/accounts/reauthenticate/``), which is the point of those pages.
    sign_in_bounces = {
        url: target
        for url, target in walk.redirects.items()
        if target.startswith("/accounts/") and target != "/accounts/reauthenticate/"
    }
    assert sign_in_bounces == {}
    assert len(walk.statuses) > 10, walk.statuses  # the walk really went somewhere
