"""The shared public-page cache: anonymous pages are served from it, forms and signed-in
visitors never are, and publishing, unpublishing or editing the clinic empties it."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.test import Client

from tenderpoint.web.public.models import ArticlePage, ContactPage, SelfCheckPage

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.TENDERPOINT_PUBLIC_CACHE_SECONDS = 300
    caches["public_pages"].clear()


def _is_cached(client: Client, url: str) -> bool:
    """A hit costs the one query that reads the cache; a rendered page costs many more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in {200, 422}
    return len(queries) == 1 and "tenderpoint_public_pages" in queries[0]["sql"]


def test_an_anonymous_page_is_served_from_the_cache_the_second_time(site, world, client):
    first = client.get("/")
    assert not first.cookies
    second = client.get("/")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert _is_cached(Client(), "/")


def test_query_strings_are_cached_apart(site, client):
    glossary = "/glossary/"
    everything = client.get(glossary).content.decode()
    filtered = client.get(glossary, {"q": "19 body"}).content.decode()
    assert 'id="allodynia"' in everything
    assert 'id="allodynia"' not in filtered
    assert 'id="allodynia"' in client.get(glossary).content.decode()


@pytest.mark.parametrize("page_model", [ContactPage, SelfCheckPage])
def test_pages_with_a_form_give_every_visitor_their_own_token(site, world, page_model):
    url = page_model.objects.get().url
    tokens = set()
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get(url)
        assert response.status_code == 200
        tokens.add(CSRF_INPUT.search(response.content.decode()).group(1))
        assert not _is_cached(Client(), url)
    assert len(tokens) == 2


def test_what_a_visitor_typed_is_never_shown_to_the_next(site, world):
    url = ContactPage.objects.get().url
    typed = {"name": "Vera Visitor", "email": "not-an-address", "message": "private words"}
    assert Client().post(url, typed).status_code == 422
    assert "private words" not in Client().get(url).content.decode()


def test_a_signed_in_visitor_is_neither_served_from_nor_stored_in_the_cache(
    site, world, client_for
):
    Client().get("/")  # an anonymous visitor fills the cache
    signed_in = client_for(world.patient)
    assert "Sign out" in signed_in.get("/").content.decode()
    caches["public_pages"].clear()
    signed_in.get("/")
    assert not _is_cached(Client(), "/")


def test_a_session_or_messages_cookie_bypasses_the_cache(site, world):
    Client().get("/")
    with_session = Client()
    with_session.cookies["sessionid"] = "anything"
    assert not _is_cached(with_session, "/")
    with_messages = Client()
    with_messages.cookies["messages"] = "anything"
    assert not _is_cached(with_messages, "/")


def test_publishing_a_page_replaces_what_visitors_see(site, world):
    article = ArticlePage.objects.get()
    before = Client().get(article.url).content.decode()
    assert _is_cached(Client(), article.url)
    article.title = "A title the editor has just published"
    article.save_revision().publish()
    after = Client().get(article.url).content.decode()
    assert "A title the editor has just published" in after
    assert "A title the editor has just published" not in before
    # Other pages list it too: the whole cache was emptied, the home page is rendered again.
    assert not _is_cached(Client(), "/")


def test_a_saved_draft_changes_nothing_visitors_see(site, world):
    article = ArticlePage.objects.get()
    Client().get(article.url)
    article.title = "An unpublished draft title"
    article.save_revision()
    assert "An unpublished draft title" not in Client().get(article.url).content.decode()


def test_unpublishing_a_page_takes_it_off_the_site_at_once(site, world):
    article = ArticlePage.objects.get()
    assert Client().get(article.url).status_code == 200
    article.unpublish()
    assert Client().get(article.url).status_code == 404


def test_editing_the_clinic_updates_the_footer_of_cached_pages(site, world):
    Client().get("/")
    world.clinic.phone = "+49 30 5555 0000"
    world.clinic.save()
    assert "+49 30 5555 0000" in Client().get("/").content.decode()


def test_a_timeout_of_zero_switches_the_cache_off(site, world, settings):
    settings.TENDERPOINT_PUBLIC_CACHE_SECONDS = 0
    Client().get("/")
    assert not _is_cached(Client(), "/")
