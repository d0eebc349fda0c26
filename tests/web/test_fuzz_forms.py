"""Fuzzing every form of the app with hypothesis: no generated post may cause a server error.

The forms are discovered, not listed: every route of the URLconf (parameters filled from a
small world of records, e.g. a patient's public id) is fetched as each persona that may use it,
one level of same-site links is followed, and every ``<form method="post">`` found is posted
with generated values: valid choices, out-of-range and negative numbers, impossible dates,
unicode, NUL characters, long strings, missing and extra fields. A 500 would raise here (the
test client re-raises the view's exception), so the test fails with its traceback.

CI runs a small sample (TENDERPOINT_FUZZ_EXAMPLES, default 2 per form and persona);
``benchmarks/fuzz_forms.py`` runs the same test with enough examples for >= 5,000 posts.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenderpoint.web.accounts.models import Membership
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.public.content_loader import load_public_content
from tenderpoint.web.public.models import ContactRequest
from tests.web.public.conftest import SAMPLE_CONTENT

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = int(os.environ.get("TENDERPOINT_FUZZ_EXAMPLES", "2"))
PERSONAS = ["anonymous", "patient", "clinician", "nurse", "clinic_admin"]
# Third-party admin sites (their own forms and tests) and the ways out of a session.
SKIPPED_PREFIXES = ("/operator/", "/cms/", "/documents/", "/static/")
SKIPPED_ACTIONS = ("/accounts/logout/", "/session/keepalive/")
MAX_PAGES_PER_PERSONA = 150


@dataclass
class Form:
    action: str
    fields: dict[str, dict[str, object]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """Post forms and their fields (type, choices) and same-site links of one page."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: set[str] = set()
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.add(a["href"].split("#")[0])
        elif tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(urljoin(self.page_url, a.get("action") or self.page_url))
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "textarea", "select"} and a.get("name"):
            kind = tag if tag != "input" else a.get("type", "text").lower()
            spec = self._form.fields.setdefault(a["name"], {"type": kind, "choices": []})
            if kind in {"radio", "checkbox"}:
                spec["choices"].append(a.get("value", "on"))  # type: ignore[union-attr]
            for bound in ("min", "max", "maxlength"):
                if bound in a:
                    spec[bound] = a[bound]
            if tag == "select":
                self._select = a["name"]
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select]["choices"].append(a.get("value", ""))  # type: ignore[union-attr]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _routes(resolvers: list[URLPattern | URLResolver] | None = None, prefix: str = "") -> list[str]:
    """Every route of the URLconf as a path template, e.g. '/patients/<uuid:patient_id>/'."""
    routes = []
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _routes(entry.url_patterns, route)
        else:
            routes.append("/" + route.lstrip("^").rstrip("$"))
    return routes


def _fill(route: str, values: dict[str, str]) -> str | None:
    """The route with its parameters filled in, or None if one is unknown or a regex."""
    import re

    if any(c in route for c in "()[]\\?*+"):
        return None
    unknown = False

    def value(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(1) not in values:
            unknown = True
            return ""
        return values[match.group(1)]

    filled = re.sub(r"<(?:\w+:)?(\w+)>", value, route)
    return None if unknown else filled


def _text(max_size: int = 300) -> st.SearchStrategy[str]:
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size)


def _value(spec: dict[str, object]) -> st.SearchStrategy[str]:
    """Generated values for one field: mostly plausible, often hostile."""
    kind, choices = spec["type"], list(spec["choices"])  # type: ignore[call-overload]
    hostile = st.one_of(
        _text(),
        st.just(""),
        st.just("\x00"),
        st.integers(-(10**12), 10**12).map(str),
        st.sampled_from(["-1", "11", "1e309", "NaN", "2999-01-01", "0001-01-01", "2024-02-30"]),
        st.just("x" * 20_000),
    )
    plausible: st.SearchStrategy[str]
    if choices:
        plausible = st.sampled_from(choices)
    elif kind == "number":
        low, high = int(spec.get("min", -100)), int(spec.get("max", 1000))  # type: ignore[call-overload]
        plausible = st.integers(low - 2, high + 2).map(str)
    elif kind == "date":
        plausible = st.dates(datetime.date(1880, 1, 1), datetime.date(3000, 1, 1)).map(str)
    elif kind == "email":
        plausible = st.emails().map(str)
    else:
        plausible = _text(int(spec.get("maxlength", 300)) + 5)  # type: ignore[call-overload]
    return st.one_of(plausible, plausible, hostile)


def _data(form: Form) -> st.SearchStrategy[dict[str, object]]:
    """A post: each field present or missing, a multi-valued field sometimes, an extra field."""
    fields = {
        name: st.one_of(st.none(), _value(spec), st.lists(_value(spec), max_size=3))
        for name, spec in form.fields.items()
        if spec["type"] not in {"hidden", "submit", "button", "file"}
        or name != "csrfmiddlewaretoken"
    }
    fields.pop("csrfmiddlewaretoken", None)
    extra = st.dictionaries(st.sampled_from(["id", "patient", "clinic", "role", "__x"]), _text(20))
    return st.tuples(st.fixed_dictionaries(fields), extra).map(
        lambda pair: {k: v for k, v in {**pair[1], **pair[0]}.items() if v is not None}
    )


def _discover(client: Client, seeds: list[str]) -> list[Form]:
    """The post forms reachable from the seeds and one level of links, one per action+fields."""
    pages, seen, forms = list(seeds), set(), {}
    for depth in (0, 1):
        next_pages = []
        for url in pages:
            if (
                url in seen
                or url.startswith(SKIPPED_PREFIXES)
                or len(seen) >= MAX_PAGES_PER_PERSONA
            ):
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _FormParser(url)
            parser.feed(response.content.decode())
            for form in parser.forms:
                if urlsplit(form.action).path.startswith(SKIPPED_ACTIONS + SKIPPED_PREFIXES):
                    continue
                forms.setdefault((form.action, tuple(sorted(form.fields))), form)
            if depth == 0:
                next_pages += sorted(parser.links)
        pages = next_pages
    return list(forms.values())


@pytest.fixture
def fuzz_world(world):
    load_public_content(SAMPLE_CONTENT)
    entry = DiaryEntry.objects.create(
        patient=world.patient_record,
        recorded_at=datetime.datetime.now(datetime.UTC),
        local_date=datetime.datetime.now(datetime.UTC).date(),
        time_zone="UTC",
        **dict.fromkeys(("pain", "fatigue", "sleep_quality", "fog", "mood", "headache"), 5),
    )
    contact = ContactRequest.objects.create(
        clinic=world.clinic,
        name="Vera",
        email="vera@example.org",
        preferred_method="email",
        reason="ketamine",
        message="Call me.",
        consent_to_contact=True,
    )
    values = {
        "patient_id": str(world.patient_record.public_id),
        "entry_id": str(entry.public_id),
        "membership_id": str(Membership.objects.filter(user=world.nurse).first().pk),
        "pk": str(contact.pk),
        "public_id": str(getattr(contact, "public_id", contact.pk)),
        "instrument_id": "fiqr",
    }
    return world, values


def _fuzz(form: Form, client: Client) -> int:
    """Post generated data to one form; every answer must be below 500. Returns the count."""
    posts = 0

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=_data(form))
    def post(data: dict[str, object]) -> None:
        nonlocal posts
        posts += 1
        response = client.post(form.action, data)
        assert response.status_code < 500, (form.action, data)

    post()
    return posts


def test_no_generated_form_post_causes_a_server_error(fuzz_world, client_for, capsys):
    world, values = fuzz_world
    seeds = [url for url in (_fill(r, values) for r in _routes()) if url]
    posts = 0
    forms_fuzzed = 0
    for persona in PERSONAS:
        client = Client() if persona == "anonymous" else client_for(world.persona(persona))
        forms = _discover(client, seeds)
        assert forms or persona == "nurse", f"no form found for {persona}"
        for form in forms:
            forms_fuzzed += 1
            posts += _fuzz(form, client)
    with capsys.disabled():
        print(f"\nfuzz: {posts} posts to {forms_fuzzed} forms (persona × form), 0 server errors")  # noqa: T201
    assert forms_fuzzed >= 10
