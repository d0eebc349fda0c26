"""Public pages: navigation, call and text links, SEO tags, robots and sitemap."""

from __future__ import annotations

import json

import pytest

from tenderpoint.web.public.models import ArticlePage, GlossaryPage

pytestmark = pytest.mark.django_db


def test_every_page_has_call_and_text_links_and_seo_tags(site, world, client):
    for page in [site, *site.get_descendants().live().specific()]:
        response = client.get(page.url)
        body = response.content.decode()
        assert response.status_code == 200, page.url
        assert 'href="tel:+4930' in body, page.url
        assert 'href="sms:+49170' in body, page.url
        assert f'<link rel="canonical" href="{page.full_url}">' in body
        assert f'<meta name="description" content="{page.search_description}">' in body
        assert '<meta property="og:title"' in body
        assert 'href="#main"' in body


def test_article_lists_its_references_in_citation_order(site, client):
    article = ArticlePage.objects.get()
    body = client.get(article.url).content.decode()
    assert '<meta property="og:type" content="article">' in body
    assert 'href="#ref-wolfe2016"' in body
    assert '<li id="ref-wolfe2016">Wolfe F' in body
    assert "noppers2011" not in body


def test_glossary_search_works_without_javascript(site, client):
    glossary = GlossaryPage.objects.get()
    body = client.get(glossary.url, {"q": "19 body"}).content.decode()
    assert 'id="widespread-pain-index"' in body
    assert 'id="allodynia"' not in body
    assert "1 term matching" in body


def test_robots_and_sitemap(site, client):
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /patients/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/glossary/" in sitemap
    assert "/research/criteria-history/" in sitemap


def test_signed_in_visitor_keeps_the_public_site(site, world, client_for):
    assert client_for(world.patient).get("/").status_code == 200


def test_no_asset_on_a_public_page_is_over_200_kb(site, client):
    import os
    import re

    from django.contrib.staticfiles import finders

    limit = 200 * 1024
    for page in [site, *site.get_descendants().live().specific()]:
        html = client.get(page.url).content.decode()
        assert len(html.encode()) < limit, page.url
        for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
            path = finders.find(asset)
            assert path, asset
            assert os.path.getsize(path) < limit, asset


def test_stored_script_never_reaches_the_page(site, client):
    from tenderpoint.web.public.models import ContentPage

    page = ContentPage.objects.get(slug="visit-us")
    body_html = '<p onclick="steal()">Hi<script>steal()</script>[[wolfe2016]]</p>'
    page.body = json.dumps([{"type": "section", "value": {"heading": "X", "body": body_html}}])
    page.save_revision().publish()
    body = client.get(page.url).content.decode()
    assert "steal()" not in body
    assert 'href="#ref-wolfe2016"' in body


# Issue 13, defect 9: the sitemap, canonical and og:url pointed at http://localhost/.
def test_canonical_and_sitemap_use_the_base_url(site, client, settings):
    from django.core.management import call_command

    settings.WAGTAILADMIN_BASE_URL = "https://clinic.example"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "clinic.example"]
    call_command("sync_site_url", verbosity=0)
    home = client.get("/", HTTP_HOST="clinic.example").content.decode()
    assert '<link rel="canonical" href="https://clinic.example/">' in home
    assert '<meta property="og:url" content="https://clinic.example/">' in home
    sitemap = client.get("/sitemap.xml", HTTP_HOST="clinic.example").content.decode()
    assert "<loc>https://clinic.example/</loc>" in sitemap
    assert "localhost" not in sitemap
