"""The shared public-page cache: anonymous pages are served from it with the headers the whole
stack sets, forms and signed-in visitors never are, query strings are not cached, and
publishing, unpublishing or editing the clinic empties it."""

from __future__ import annotations

import gzip
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from tenderpoint.web.public import page_cache
from tenderpoint.web.public.models import ArticlePage, ContactPage, SelfCheckPage

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.TENDERPOINT_PUBLIC_CACHE_SECONDS = 300
    caches["public_pages"].clear()


def _is_cached(client: Client, url: str, **extra: object) -> bool:
    """A hit costs the one query that reads the cache; a rendered page costs many more."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)  # type: ignore[arg-type]
    assert response.status_code in {200, 422}
    return len(queries) == 1 and "tenderpoint_public_pages" in queries[0]["sql"]


def test_an_anonymous_page_is_served_from_the_cache_the_second_time(site, world, client):
    first = client.get("/")
    assert not first.cookies
    second = client.get("/")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert _is_cached(Client(), "/")


def test_search_results_are_never_mixed_up_with_the_page(site, client):
    glossary = "/glossary/"
    everything = client.get(glossary).content.decode()
    filtered = client.get(glossary, {"q": "19 body"}).content.decode()
    assert 'id="allodynia"' in everything
    assert 'id="allodynia"' not in filtered
    assert 'id="allodynia"' in client.get(glossary).content.decode()


def test_a_query_string_is_neither_served_from_nor_stored_in_the_cache(site, world):
    """Any visitor could otherwise fill the cache with endless variants of one page."""
    Client().get("/glossary/")
    assert _is_cached(Client(), "/glossary/")
    searched = "/glossary/?q=19+body"
    assert not _is_cached(Client(), searched)
    assert not _is_cached(Client(), searched)  # the first one was not stored either


def test_a_shared_link_with_only_tracking_parameters_gets_the_cached_page(site, world):
    bare = Client().get("/")
    shared = Client().get("/?fbclid=IwAR0xyz&utm_source=facebook&utm_medium=social")
    assert shared.content == bare.content
    assert _is_cached(Client(), "/?utm_campaign=spring")
    assert _is_cached(Client(), "/?fbclid=")  # a blank value is still only a tracking one


def test_a_tracking_parameter_beside_any_other_goes_through_the_whole_stack(site, world):
    Client().get("/")
    assert not _is_cached(Client(), "/?utm_source=newsletter&page=2")
    assert not _is_cached(Client(), "/?&")  # not empty, and not only tracking parameters


def test_only_a_request_without_a_query_string_fills_the_cache(site, world):
    """The page was rendered for that request; it may echo its parameters."""
    Client().get("/?utm_source=newsletter")
    assert not _is_cached(Client(), "/")
    assert _is_cached(Client(), "/")


def _headers(response: HttpResponse) -> dict[str, str]:
    return dict(response.items())


def test_a_cached_page_carries_every_header_the_rendered_page_does(site, world, settings):
    settings.SECURE_HSTS_SECONDS = 3600  # as in production (HTTPS)
    settings.TENDERPOINT_PUBLIC_CACHE_SECONDS = 0
    rendered = Client().get("/", secure=True)
    settings.TENDERPOINT_PUBLIC_CACHE_SECONDS = 300
    first = Client().get("/", secure=True)  # rendered and stored
    assert _is_cached(Client(), "/", secure=True)
    cached = Client().get("/", secure=True)
    for name in (
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
    ):
        assert cached[name] == rendered[name], name
    # Identical but for the Vary that keeps the gzipped and the plain body apart.
    assert _headers(cached) == _headers(rendered) | {"Vary": "Cookie, Accept-Encoding"}
    assert _headers(cached) == _headers(first)
    assert cached.content == first.content == rendered.content


def test_a_plain_http_page_is_cached_apart_from_the_https_one(site, world, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    Client().get("/", secure=True)
    plain = Client().get("/")
    assert "Strict-Transport-Security" not in plain  # Django sends HSTS over HTTPS only
    assert "Strict-Transport-Security" in Client().get("/", secure=True)


def test_no_cached_page_holds_a_csrf_token_or_sets_a_cookie(site, world):
    cached_urls = []
    for page in Page.objects.live().filter(depth__gt=1).specific():
        url = page.url
        Client().get(url)
        if _is_cached(Client(), url):
            cached_urls.append(url)
            response = Client().get(url)
            assert not response.cookies, url
            assert "Set-Cookie" not in response, url
            assert b"csrfmiddlewaretoken" not in response.content, url
    assert "/" in cached_urls
    assert len(cached_urls) >= 4
    assert ContactPage.objects.get().url not in cached_urls
    assert SelfCheckPage.objects.get().url not in cached_urls


def _cacheable_request():  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    setattr(request, page_cache.REQUEST_FLAG, True)
    return request


def test_a_body_with_a_csrf_field_is_never_stored_whatever_the_flags_say():
    form = b'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t"></form>'
    assert page_cache._storable(_cacheable_request(), HttpResponse(b"<p>no form</p>"))
    assert not page_cache._storable(_cacheable_request(), HttpResponse(form))


def test_a_browser_that_accepts_gzip_gets_the_body_gzipped_at_store_time(site, world):
    plain = Client().get("/")
    compressed = Client().get("/", headers={"accept-encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain.content)
    assert compressed["Vary"] == plain["Vary"] == "Cookie, Accept-Encoding"
    refused = Client().get("/", headers={"accept-encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused
    assert refused.content == plain.content


@pytest.mark.parametrize(
    ("accept_encoding", "accepted"),
    [
        ("gzip", True),
        ("deflate, GZIP", True),
        ("gzip;q=0.001", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0", False),
        ("br, deflate", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accepts_gzip_reads_the_quality_value(accept_encoding, accepted):
    request = RequestFactory().get("/", headers={"accept-encoding": accept_encoding})
    assert page_cache.accepts_gzip(request) is accepted


def test_a_head_request_is_answered_from_the_cache(site, world):
    got = Client().get("/")
    with CaptureQueriesContext(connection) as queries:
        head = Client().head("/")
    assert len(queries) == 1
    assert head.status_code == 200
    assert _headers(head) == _headers(got)


def test_files_and_robots_txt_never_query_the_page_cache(site, world):
    for url in ("/robots.txt", "/static/tenderpoint/site.css", "/healthz"):
        with CaptureQueriesContext(connection) as queries:
            Client().get(url)
        assert not any("tenderpoint_public_pages" in q["sql"] for q in queries), url


def test_the_page_cache_answers_before_every_other_middleware():
    assert django_settings.MIDDLEWARE[0] == (
        "tenderpoint.web.public.page_cache.PublicPageCacheMiddleware"
    )


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


def test_an_authorization_header_or_an_htmx_request_bypasses_the_cache(site, world):
    Client().get("/")
    assert not _is_cached(Client(), "/", headers={"authorization": "Bearer anything"})
    assert not _is_cached(Client(), "/", headers={"hx-request": "true"})


def test_a_session_or_messages_cookie_bypasses_the_cache(site, world):
    Client().get("/")
    with_session = Client()
    with_session.cookies["sessionid"] = "anything"
    assert not _is_cached(with_session, "/")
    with_messages = Client()
    with_messages.cookies["messages"] = "anything"
    assert not _is_cached(with_messages, "/")


def test_publishing_a_page_replaces_what_visitors_see(
    site, world, django_capture_on_commit_callbacks
):
    article = ArticlePage.objects.get()
    before = Client().get(article.url).content.decode()
    assert _is_cached(Client(), article.url)
    article.title = "A title the editor has just published"
    with django_capture_on_commit_callbacks(execute=True):
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


def test_unpublishing_a_page_takes_it_off_the_site_at_once(
    site, world, django_capture_on_commit_callbacks
):
    article = ArticlePage.objects.get()
    assert Client().get(article.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert Client().get(article.url).status_code == 404


def test_restricting_a_cached_page_to_signed_in_users_applies_at_once(
    site, world, django_capture_on_commit_callbacks
):
    article = ArticlePage.objects.get()
    Client().get(article.url)
    assert _is_cached(Client(), article.url)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)
    response = Client().get(article.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not _is_cached(Client(), "/")  # the whole cache was emptied


def test_deleting_a_page_takes_it_off_the_site_at_once(
    site, world, django_capture_on_commit_callbacks
):
    article = ArticlePage.objects.get()
    Client().get(article.url)
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert Client().get(article.url).status_code == 404


def test_editing_the_clinic_updates_the_footer_of_cached_pages(
    site, world, django_capture_on_commit_callbacks
):
    Client().get("/")
    world.clinic.phone = "+49 30 5555 0000"
    with django_capture_on_commit_callbacks(execute=True):
        world.clinic.save()
    assert "+49 30 5555 0000" in Client().get("/").content.decode()


def test_the_cache_is_emptied_when_the_publish_commits_not_before(
    site, world, django_capture_on_commit_callbacks
):
    """Emptied inside the editor's transaction, the cache would be refilled at once with the
    old page by visitors who cannot see the new one yet."""
    article = ArticlePage.objects.get()
    Client().get("/")
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        article.title = "Published, not yet committed"
        article.save_revision().publish()
        assert _is_cached(Client(), "/")
    for callback in on_commit:
        callback()
    assert not _is_cached(Client(), "/")


def test_a_page_rendered_while_the_cache_is_emptied_is_not_kept(site, world, monkeypatch):
    """A publish that commits while a page is being rendered: that page may show the old
    content, so it is served to its visitor but not kept."""
    mark_cacheable = page_cache.mark_cacheable

    def publish_commits_meanwhile(page, request):  # type: ignore[no-untyped-def]
        mark_cacheable(page, request)
        page_cache.empty()

    monkeypatch.setattr(page_cache, "mark_cacheable", publish_commits_meanwhile)
    assert Client().get("/").status_code == 200
    monkeypatch.undo()
    assert not _is_cached(Client(), "/")
    assert _is_cached(Client(), "/")  # the next rendering, after the emptying, is kept


def test_a_timeout_of_zero_switches_the_cache_off(site, world, settings):
    settings.TENDERPOINT_PUBLIC_CACHE_SECONDS = 0
    Client().get("/")
    assert not _is_cached(Client(), "/")
