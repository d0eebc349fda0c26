"""Loading the starter content: once, sanitised, with every citation resolved."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
from wagtail.models import Site

from tenderpoint.web.public.content_loader import (
    CONTENT_DIR,
    ContentError,
    load_public_content,
    read_content,
)
from tenderpoint.web.public.models import ArticlePage, ContentPage, GlossaryPage, HomePage
from tests.web.public.conftest import SAMPLE_CONTENT


def test_the_site_is_built_once(site):
    assert Site.objects.get(is_default_site=True).root_page.specific == site
    assert [p.slug for p in site.get_children()] == [
        "self-check",
        "research",
        "glossary",
        "faq",
        "visit-us",
        "contact",
    ]
    assert all(p.live for p in site.get_descendants())
    again = load_public_content(SAMPLE_CONTENT)
    assert again.pk == site.pk
    assert HomePage.objects.count() == 1
    assert ArticlePage.objects.count() == 1


def test_the_load_logs_one_line_not_one_per_page(db, caplog):
    caplog.set_level(logging.DEBUG)
    home = load_public_content(SAMPLE_CONTENT)
    pages = home.get_descendants(inclusive=True).count()
    assert pages > 5
    # (tasks the load queues run at once in tests and log as django_tasks: not page lines)
    assert not [r for r in caplog.records if r.name.startswith("wagtail")]
    ours = [r for r in caplog.records if r.name == "tenderpoint.web.public.content_loader"]
    assert len(ours) == 1
    assert f"{pages} pages published" in ours[0].getMessage()
    assert logging.getLogger("wagtail").level == logging.NOTSET  # restored after the load


def test_scripts_are_stripped_and_citations_numbered_in_order(site):
    html = site.body[0].value["body"].source
    assert "<script" not in html
    assert [(r.number, r.ref_id) for r in site.references()] == [
        (1, "wolfe2016"),
        (2, "noppers2011"),
    ]


def test_visit_page_shows_clinic_details(site):
    assert ContentPage.objects.get(slug="visit-us").show_clinic_details


def test_glossary_cites_from_definitions(site):
    glossary = GlossaryPage.objects.get()
    assert [r.ref_id for r in glossary.references()] == ["wolfe2016"]


def test_a_missing_reference_stops_the_load(tmp_path, db):
    broken = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, broken)
    glossary = json.loads((broken / "glossary.json").read_text())
    glossary[0]["definition_html"] += "[[nobody2001]]"
    (broken / "glossary.json").write_text(json.dumps(glossary))
    with pytest.raises(ContentError, match="nobody2001"):
        load_public_content(broken)
    assert not HomePage.objects.exists()


def test_the_shipped_content_is_complete_and_consistent():
    content = read_content(CONTENT_DIR)
    assert len(content.glossary) >= 40
    assert sum(len(topic["items"]) for topic in content.faq) >= 15
    assert len(content.articles) >= 6
    assert {
        "home",
        "what-is-fibromyalgia",
        "ketamine-therapy",
        "self-check",
        "visit-us",
        "contact",
    } <= set(content.pages)
    for article in content.articles:
        assert "[[" in json.dumps(article["sections"]), f"{article['slug']} cites nothing"
