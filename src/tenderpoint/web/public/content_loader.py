"""Load the public site's starter content (``public/content/``) into Wagtail pages.

The content ships with the product as JSON: pages of sections, glossary terms, questions and
answers, articles and a reference list, all citing with ``[[ref_id]]`` markers. It is checked
before anything is written (every citation resolves, only simple HTML), sanitised with nh3, and
published once; after that the clinic edits it in the CMS and a second load changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nh3
from django.db import transaction
from wagtail.models import Page, Site

from tenderpoint.web.public.citations import cited_ids
from tenderpoint.web.public.models import (
    ArticleIndexPage,
    ArticlePage,
    ContactPage,
    ContentPage,
    FAQItem,
    FAQPage,
    GlossaryPage,
    GlossaryTerm,
    HomePage,
    Reference,
    SelfCheckPage,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "h3", "a", "b", "i"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


class ContentError(Exception):
    """The shipped content is inconsistent (a missing reference, a malformed file)."""


@dataclass
class Content:
    references: dict[str, dict[str, Any]]
    pages: dict[str, dict[str, Any]]
    glossary: list[dict[str, Any]]
    faq: list[dict[str, Any]]
    articles: list[dict[str, Any]] = field(default_factory=list)

    def all_html(self) -> list[str]:
        texts = [s["body_html"] for p in self.pages.values() for s in p["sections"]]
        texts += [s["body_html"] for a in self.articles for s in a["sections"]]
        texts += [t["definition_html"] for t in self.glossary]
        texts += [i["answer_html"] for topic in self.faq for i in topic["items"]]
        return texts


def clean_html(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)


def read_content(directory: Path = CONTENT_DIR) -> Content:
    """Read and check every content file; raise ContentError naming the first problem."""

    def load(path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ContentError(f"{path.name}: {exc}") from None

    pages = {}
    for path in sorted((directory / "pages").glob("*.json")):
        page = load(path)
        pages[page["slug"]] = page
    content = Content(
        references=load(directory / "references.json"),
        pages=pages,
        glossary=load(directory / "glossary.json"),
        faq=load(directory / "faq.json"),
        articles=[load(p) for p in sorted((directory / "articles").glob("*.json"))],
    )
    missing = sorted(set(cited_ids(content.all_html())) - set(content.references))
    if missing:
        raise ContentError(f"Cited but not in references.json: {', '.join(missing)}")
    slugs = [t["slug"] for t in content.glossary]
    if len(slugs) != len(set(slugs)):
        raise ContentError("Two glossary terms share a slug.")
    return content


def _body(sections: list[dict[str, Any]]) -> str:
    return json.dumps(
        [
            {
                "type": "section",
                "value": {"heading": s["heading"], "body": clean_html(s["body_html"])},
            }
            for s in sections
        ]
    )


def _page_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "slug": data["slug"],
        "seo_title": data.get("seo_title", ""),
        "search_description": data.get("search_description", ""),
        "intro": data.get("intro", ""),
        "body": _body(data.get("sections", [])),
        "show_in_menus": True,
    }


def _add(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


DEFAULT_PAGE = {"sections": [], "intro": ""}


def _tree_root() -> Page:
    """Wagtail's root page and default locale come from its migrations; recreate them if a
    database flush removed them (test runs, or an operator's `flush`)."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


def load_public_content(directory: Path = CONTENT_DIR) -> HomePage:
    """Create the site once; return the existing home page if it is already there.

    Wagtail logs every page it creates and publishes at INFO; for the shipped content that is
    some fifty lines before anything else a new installation prints (the demo's console); the
    load logs one line of its own at DEBUG instead (the ``load_public_content`` command says
    what it did). Edits in the CMS are logged as usual.
    """
    existing = HomePage.objects.first()
    if existing is not None:
        return existing
    content = read_content(directory)
    with _wagtail_log_level(logging.WARNING):
        home = _build_site(content)
    pages = home.get_descendants(inclusive=True).live().count()
    logger.debug("Public site installed: %d pages published from %s.", pages, directory)
    return home


@contextmanager
def _wagtail_log_level(level: int) -> Iterator[None]:
    wagtail_logger = logging.getLogger("wagtail")
    before = wagtail_logger.level
    wagtail_logger.setLevel(level)
    try:
        yield
    finally:
        wagtail_logger.setLevel(before)


@transaction.atomic
def _build_site(content: Content) -> HomePage:
    for ref_id, ref in content.references.items():
        Reference.objects.update_or_create(
            ref_id=ref_id, defaults={"text": ref["text"], "url": ref.get("url") or ""}
        )

    root = _tree_root()
    site = Site.objects.filter(is_default_site=True).first()
    placeholder = site.root_page if site is not None else None
    if placeholder is not None and type(placeholder.specific) is Page:
        # Wagtail's "Welcome to your new Wagtail site!" page: make room for ours.
        Page.objects.filter(pk=placeholder.pk).update(slug=f"placeholder-{placeholder.pk}")
    else:
        placeholder = None
    home_data = content.pages.get("home") or {"title": "Welcome", "slug": "home", **DEFAULT_PAGE}
    home = HomePage(**_page_fields(home_data))
    root.add_child(instance=home)
    home.save_revision().publish()
    if site is None:
        Site.objects.create(
            hostname="localhost", root_page=home, is_default_site=True, site_name="tenderpoint"
        )
    else:
        site.root_page = home
        site.site_name = "tenderpoint"
        site.save()
    if placeholder is not None:
        Page.objects.get(pk=placeholder.pk).delete()

    def content_page(slug: str, **extra: Any) -> None:
        if slug in content.pages:
            _add(home, ContentPage(**_page_fields(content.pages[slug]), **extra))

    content_page("what-is-fibromyalgia")
    content_page("ketamine-therapy")
    if "self-check" in content.pages:
        _add(home, SelfCheckPage(**_page_fields(content.pages["self-check"])))

    index = ArticleIndexPage(
        title="Research & articles",
        slug="research",
        show_in_menus=True,
        intro="What the research says about fibromyalgia and its treatments, in plain words, "
        "with the sources for every claim.",
        search_description="Articles on fibromyalgia and ketamine therapy: criteria, trials, "
        "guidelines and measuring progress, each with its references.",
    )
    _add(home, index)
    for article in sorted(content.articles, key=lambda a: a["date"]):
        _add(
            index,
            ArticlePage(
                **_page_fields(article) | {"show_in_menus": False},
                date=article["date"],
                summary=article["summary"],
            ),
        )

    glossary = GlossaryPage(
        title="Glossary",
        slug="glossary",
        show_in_menus=True,
        intro="Short explanations of the words used about fibromyalgia and ketamine therapy.",
        search_description="Plain-language definitions of the terms used about fibromyalgia, "
        "its diagnosis, and ketamine infusion therapy.",
    )
    glossary.terms = [
        GlossaryTerm(term=t["term"], slug=t["slug"], definition=clean_html(t["definition_html"]))
        for t in sorted(content.glossary, key=lambda t: t["term"].casefold())
    ]
    _add(home, glossary)

    faq = FAQPage(
        title="Questions and answers",
        slug="faq",
        show_in_menus=True,
        intro="Answers to the questions people ask us most, grouped by topic.",
        search_description="Frequently asked questions about fibromyalgia, diagnosis, ketamine "
        "therapy, safety, costs and this website.",
    )
    faq.questions = [
        FAQItem(
            topic=topic["topic"], question=item["question"], answer=clean_html(item["answer_html"])
        )
        for topic in content.faq
        for item in topic["items"]
    ]
    _add(home, faq)

    content_page("visit-us", show_clinic_details=True)
    if "contact" in content.pages:
        _add(home, ContactPage(**_page_fields(content.pages["contact"])))
    return home
